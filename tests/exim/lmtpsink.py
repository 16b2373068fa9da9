#!/usr/bin/env python3
"""An LMTP server on a Unix socket for the exim suite: accepts everything
and appends one line per transaction to LOG: the RCPT addresses, then the
rcpt= values of the Signet-Provenance headers in the data.
Usage: lmtpsink.py SOCKET LOG"""
import os
import re
import socketserver
import sys

SOCK, LOG = sys.argv[1], sys.argv[2]


class Handler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write((text + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.reply("220 lmtpsink LMTP ready")
        rcpts = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode("latin-1").strip()
            verb = cmd[:4].upper()
            if verb == "LHLO":
                self.reply("250 lmtpsink")
            elif verb == "MAIL":
                rcpts = []
                self.reply("250 OK")
            elif verb == "RCPT":
                rcpts.append(cmd[8:].strip("<> "))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = []
                while True:
                    d = self.rfile.readline()
                    if d in (b".\r\n", b".\n", b""):
                        break
                    data.append(d.decode("latin-1"))
                text = re.sub(r"\r?\n[ \t]+", " ", "".join(data))
                prov = re.findall(r"(?im)^Signet-Provenance:.*?\brcpt=([^;\s]+)",
                                  text)
                with open(LOG, "a") as f:
                    f.write(" ".join(rcpts) + " | " + " ".join(prov) + "\n")
                for _ in rcpts:
                    self.reply("250 OK delivered")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


if os.path.exists(SOCK):
    os.unlink(SOCK)
with socketserver.UnixStreamServer(SOCK, Handler) as srv:
    os.chmod(SOCK, 0o666)
    srv.serve_forever()
