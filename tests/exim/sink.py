#!/usr/bin/env python3
"""Mail sinks for the exim suite.
  sink.py grey PORT LOG   SMTP on 127.0.0.1:PORT that greylists: the first
                          RCPT of each (sender, recipient) gets 451; logs
                          every MAIL FROM, one per line.
  sink.py lmtp SOCKET LOG LMTP on a Unix socket that accepts everything;
                          logs one line per transaction: the RCPT
                          addresses | the rcpt= values of the
                          Signet-Provenance headers in the data | the
                          number of Signet-Facts* headers in it."""
import os
import re
import socketserver
import sys

MODE, WHERE, LOG = sys.argv[1], sys.argv[2], sys.argv[3]
seen = set()


def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


class Handler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write((text + "\r\n").encode())
        self.wfile.flush()

    def read_data(self):
        data = []
        while True:
            d = self.rfile.readline()
            if d in (b".\r\n", b".\n", b""):
                return "".join(data)
            data.append(d.decode("latin-1"))

    def rcpt(self, sender, rcpt):
        if MODE == "lmtp" or (sender, rcpt) in seen:
            self.reply("250 OK")
            return True
        seen.add((sender, rcpt))
        self.reply("451 4.7.1 greylisted, try again later")
        return False

    def handle(self):
        self.reply("220 sink ready")
        sender, rcpts = "", []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode("latin-1").strip()
            verb = cmd[:4].upper()
            if verb == "MAIL":
                sender, rcpts = cmd[10:].split(">")[0].lstrip("<"), []
                if MODE == "grey":
                    log(sender)
                self.reply("250 OK")
            elif verb == "RCPT":
                if self.rcpt(sender, cmd[8:].strip("<> ")):
                    rcpts.append(cmd[8:].strip("<> "))
            elif verb == "DATA":
                self.reply("354 go ahead")
                text = re.sub(r"\r?\n[ \t]+", " ", self.read_data())
                if MODE == "lmtp":
                    prov = re.findall(
                        r"(?im)^Signet-Provenance:.*?\brcpt=([^;\s]+)", text)
                    facts = re.findall(r"(?im)^Signet-Facts", text)
                    extra = (" | %d" % len(text)
                             if os.environ.get("SINK_BYTES") else "")
                    log(" ".join(rcpts) + " | " + " ".join(prov) + " | " +
                        str(len(facts)) + extra)
                for _ in (rcpts if MODE == "lmtp" else [0]):
                    self.reply("250 OK stored")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 sink")


if MODE == "grey":
    socketserver.TCPServer.allow_reuse_address = True
    srv = socketserver.TCPServer(("127.0.0.1", int(WHERE)), Handler)
else:
    if os.path.exists(WHERE):
        os.unlink(WHERE)
    srv = socketserver.UnixStreamServer(WHERE, Handler)
    os.chmod(WHERE, 0o666)
with srv:
    srv.serve_forever()
