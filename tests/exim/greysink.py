#!/usr/bin/env python3
"""A greylisting SMTP sink on 127.0.0.1:PORT: the first RCPT of each
(sender, recipient) pair gets 451, later ones 250.  Appends every MAIL FROM
it sees to LOG, one per line.  Usage: greysink.py PORT LOG"""
import socketserver
import sys

PORT, LOG = int(sys.argv[1]), sys.argv[2]
seen = set()


class Handler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write((text + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.reply("220 grey.example ESMTP greysink")
        sender = ""
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode("latin-1").strip()
            verb = cmd[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 grey.example")
            elif verb == "MAIL":
                sender = cmd[10:].split(">")[0].lstrip("<")
                with open(LOG, "a") as f:
                    f.write(sender + "\n")
                self.reply("250 OK")
            elif verb == "RCPT":
                key = (sender, cmd[8:].strip())
                if key in seen:
                    self.reply("250 OK")
                else:
                    seen.add(key)
                    self.reply("451 4.7.1 greylisted, try again later")
            elif verb == "DATA":
                self.reply("354 go ahead")
                while self.rfile.readline() not in (b".\r\n", b".\n", b""):
                    pass
                self.reply("250 OK stored")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


socketserver.TCPServer.allow_reuse_address = True
with socketserver.TCPServer(("127.0.0.1", PORT), Handler) as srv:
    srv.serve_forever()
