#!/usr/bin/env python3
"""LMTP, IMAP and POP3 clients for the signet Dovecot tests.

  client.py lmtp PORT SENDER RCPT[,RCPT...] FILE
      One transaction; reads one reply per recipient after DATA (Python's
      smtplib.LMTP reads only one).  Prints each reply; exit 1 unless all
      are 2xx.  FILE is sealed first (below).
  client.py sealed FILE
      Prints FILE sealed: each "Signet-Provenance: @seal ARGS" line, ARGS
      the base64 of KEYRING, RCPT, now=[T] and the fields, each ended by a
      NUL, becomes a header sealed by $SIGNET_MKPROV, bound (msg=) to the
      message as it is now, as the hub would bind it, unless the fields
      name msg themselves.
  client.py imap PORT USER MAILBOX MESSAGE-ID
      Prints FLAGS and the header block (unfolded, plus the raw Subject)
      of the message with that Message-ID ("Subject:TEXT": whose Subject
      holds TEXT).
  client.py pop3 PORT USER
      Checks the maildrop: prints "list-size-ok", "uidl ..." lines and the
      header block of every message.
"""
import base64
import hashlib
import imaplib
import os
import poplib
import re
import socket
import subprocess
import sys

PASSWORD = "secret"


def first_fields(data):
    """The first value of each field name, unfolded, as Exim's module reads
    them: only "Name:" with the colon right after the name counts."""
    head = re.split(rb"\r?\n\r?\n", data, 1)[0].decode("utf-8", "replace")
    fields, cur = {}, None
    for line in head.replace("\r", "").split("\n"):
        if line[:1] in (" ", "\t"):
            if cur is not None:
                fields[cur] += "\n" + line
            continue
        m = re.match(r"([!-9;-~]+):", line)
        cur = None
        if m and m.group(1).lower() not in fields:
            cur = m.group(1).lower()
            fields[cur] = line[m.end():]
    return fields


def msg_binding(data):
    """msg= for a message (docs/FORMATS.md), written here apart from the
    core: the Message-ID's binding, or without one the Date, From and
    Subject's."""
    f = first_fields(data)
    # Exim unfolds: line ends dropped, runs of SP and HT made one SP
    mid = re.sub(r"[ \t]+", " ", re.sub(r"[\r\n]", "", f.get("message-id",
                                                         ""))).strip(" ")
    if mid:
        if mid.startswith("<") and mid.endswith(">"):
            mid = mid[1:-1]
        return hashlib.sha256(mid.encode()).hexdigest()[:8]
    # the header binding: runs of SP, HT, CR, LF as one SP, none at the ends
    text = "signet-hdr-v1\n" + "".join(
        " ".join(re.split(r"[ \t\r\n]+", f.get(n, ""))).strip(" ") + "\n"
        for n in ("date", "from", "subject"))
    return "h" + hashlib.sha256(text.encode()).hexdigest()[:8]


def sealed(data):
    """data with its @seal lines sealed (see the usage above)."""
    lines = data.split(b"\n")
    bind = None
    for i, line in enumerate(lines):
        if not line.startswith(b"Signet-Provenance: @seal "):
            continue
        args = base64.b64decode(line.split(b" ")[2]).split(b"\0")[:-1]
        kr, rcpt, now, fields = args[0], args[1], args[2], args[3:]
        env = dict(os.environ)
        if now != b"now=":
            env["SIGNET_MKPROV_NOW"] = now[4:].decode()
        if not any(x.startswith(b"msg=") for x in fields):
            bind = bind or msg_binding(data)
            fields.insert(1, b"msg=" + bind.encode())
        out = subprocess.run([os.environ["SIGNET_MKPROV"], "seal", kr, rcpt]
                             + fields, env=env, check=True,
                             stdout=subprocess.PIPE).stdout
        lines[i] = b"Signet-Provenance: " + out.rstrip(b"\n")
    return b"\n".join(lines)


def lmtp(port, sender, rcpts, path):
    data = sealed(open(path, "rb").read()).replace(b"\r\n", b"\n")
    data = data.replace(b"\n", b"\r\n")
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
    f = s.makefile("rb")

    def reply():
        lines = []
        while True:
            line = f.readline().decode()
            if not line:
                raise SystemExit("lmtp: connection closed")
            lines.append(line.rstrip("\r\n"))
            if line[3:4] != "-":
                return lines[-1]

    def cmd(c):
        s.sendall(c.encode() + b"\r\n")
        return reply()

    reply()
    cmd("LHLO client.test")
    r = cmd("MAIL FROM:<%s>" % sender)
    if not r.startswith("2"):
        raise SystemExit("lmtp: MAIL: " + r)
    rcpts = rcpts.split(",")
    for rc in rcpts:
        addr, _, params = rc.partition(" ")
        r = cmd("RCPT TO:<%s>%s" % (addr, " " + params if params else ""))
        if not r.startswith("2"):
            raise SystemExit("lmtp: RCPT %s: %s" % (rc, r))
    r = cmd("DATA")
    if not r.startswith("3"):
        raise SystemExit("lmtp: DATA: " + r)
    body = data.replace(b"\r\n.", b"\r\n..")
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    s.sendall(body + b".\r\n")
    ok = True
    for rc in rcpts:
        r = reply()
        print("%s: %s" % (rc.split(" ")[0], r))
        ok = ok and r.startswith("2")
    cmd("QUIT")
    return 0 if ok else 1


def header_block(raw):
    return raw.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")


def unfolded(hdr):
    """One header per line; the raw Subject lines are shown as RAW-SUBJECT
    with folds as \\n."""
    out, raw_subj, cur = [], [], None
    for line in hdr.split("\r\n"):
        if line[:1] in (" ", "\t") and cur is not None:
            out[-1] += " " + line.strip()
            if cur == "subject":
                raw_subj.append(line)
            continue
        cur = line.split(":", 1)[0].lower()
        out.append(line)
        if cur == "subject":
            raw_subj = [line]
    return "\n".join(out + ["RAW-SUBJECT: " + "\\n".join(raw_subj)])


def imap(port, user, mailbox, msgid):
    m = imaplib.IMAP4("127.0.0.1", int(port))
    m.login(user, PASSWORD)
    typ, _ = m.select('"%s"' % mailbox, readonly=True)
    if typ != "OK":
        raise SystemExit("imap: cannot select " + mailbox)
    field = "Message-ID"
    if msgid.startswith("Subject:"):
        field, msgid = "Subject", msgid[8:]
    typ, data = m.uid("SEARCH", None, "HEADER", field, msgid)
    uids = data[0].split()
    if len(uids) != 1:
        raise SystemExit("imap: %d messages with Message-ID %s in %s"
                         % (len(uids), msgid, mailbox))
    typ, data = m.uid("FETCH", uids[0],
                      "(FLAGS BODY.PEEK[HEADER])")
    meta = data[0][0].decode()
    hdr = header_block(data[0][1])
    flags = meta[meta.index("FLAGS (") + 7:]
    flags = flags[:flags.index(")")]
    print("FLAGS: " + flags)
    print(unfolded(hdr))
    m.logout()
    return 0


def pop3(port, user):
    def session():
        p = poplib.POP3("127.0.0.1", int(port))
        p.user(user)
        p.pass_(PASSWORD)
        return p

    p = session()
    sizes = [tuple(map(int, x.split())) for x in p.list()[1]]
    uidl1 = [x.decode() for x in p.uidl()[1]]
    out = []
    for num, size in sizes:
        resp, lines, octets = p.retr(num)
        # RETR bytes: lines joined with CRLF, un-dot-stuffed by poplib
        raw = b"\r\n".join(lines) + b"\r\n"
        if len(raw) != size:
            print("size-mismatch %d: LIST %d RETR %d" % (num, size, len(raw)))
        else:
            print("list-size-ok %d %d" % (num, size))
        out.append(header_block(raw))
    p.quit()
    p = session()
    uidl2 = [x.decode() for x in p.uidl()[1]]
    p.quit()
    print("uidl-stable" if uidl1 == uidl2 else
          "uidl-changed %s %s" % (uidl1, uidl2))
    for h in out:
        print("--")
        print(unfolded(h))
    return 0


def lmtp_many(port, rcpt, path, count):
    """Delivers the message count times over one connection; prints the
    seconds taken."""
    import time
    data = open(path, "rb").read().replace(b"\r\n", b"\n")
    data = data.replace(b"\n", b"\r\n").replace(b"\r\n.", b"\r\n..")
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    data += b".\r\n"
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=60)
    f = s.makefile("rb")

    def reply():
        while True:
            line = f.readline()
            if line[3:4] != b"-":
                if not line[:1] in (b"2", b"3"):
                    raise SystemExit("lmtp: " + line.decode())
                return

    reply()
    s.sendall(b"LHLO bench.test\r\n")
    reply()
    start = time.perf_counter()
    for _ in range(int(count)):
        s.sendall(b"MAIL FROM:<>\r\n")
        reply()
        s.sendall(b"RCPT TO:<%s>\r\n" % rcpt.encode())
        reply()
        s.sendall(b"DATA\r\n")
        reply()
        s.sendall(data)
        reply()
    took = time.perf_counter() - start
    s.sendall(b"QUIT\r\n")
    print("%.6f" % took)
    return 0


def pop3_retr_all(port, user):
    """RETRs every message in one session; prints seconds and bytes."""
    import time
    start = time.perf_counter()
    p = poplib.POP3("127.0.0.1", int(port))
    p.user(user)
    p.pass_(PASSWORD)
    n = len(p.list()[1])
    total = 0
    for i in range(1, n + 1):
        total += p.retr(i)[2]
    p.quit()
    print("%.6f %d %d" % (time.perf_counter() - start, n, total))
    return 0


def main(argv):
    if len(argv) == 6 and argv[1] == "lmtp-many":
        return lmtp_many(*argv[2:])
    if len(argv) == 4 and argv[1] == "pop3-retr-all":
        return pop3_retr_all(*argv[2:])
    if len(argv) == 6 and argv[1] == "lmtp":
        return lmtp(*argv[2:])
    if len(argv) == 3 and argv[1] == "sealed":
        sys.stdout.buffer.write(sealed(open(argv[2], "rb").read()))
        return 0
    if len(argv) == 6 and argv[1] == "imap":
        return imap(*argv[2:])
    if len(argv) == 4 and argv[1] == "pop3":
        return pop3(*argv[2:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
