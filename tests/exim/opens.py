#!/usr/bin/env python3
"""Counts how often FILEs are opened (inotify IN_OPEN on their directories,
so a file replaced by rename is still seen) while CONNS SMTP connections
to 127.0.0.1:PORT each deliver one message from SENDER to RCPT; prints
"NAME COUNT" per file.  Opens by any process count: the daemon and each
connection's process.  Stdlib only (ctypes), no inotify-tools.
Usage: opens.py PORT CONNS SENDER RCPT FILE..."""
import ctypes
import os
import select
import smtplib
import struct
import sys
import time

IN_OPEN = 0x20
port, conns = int(sys.argv[1]), int(sys.argv[2])
sender, rcpt, files = sys.argv[3], sys.argv[4], sys.argv[5:]
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_NONBLOCK)
if fd < 0:
    sys.exit("inotify_init1: %s" % os.strerror(ctypes.get_errno()))
wd = {}
for f in files:
    d = os.path.dirname(os.path.abspath(f)).encode()
    if d not in wd.values():
        w = libc.inotify_add_watch(fd, d, IN_OPEN)
        if w < 0:
            sys.exit("inotify_add_watch %s: %s"
                     % (d, os.strerror(ctypes.get_errno())))
        wd[w] = d
counts = {os.path.abspath(f): 0 for f in files}


def drain(wait):
    end = time.monotonic() + wait
    while True:
        left = end - time.monotonic()
        if not select.select([fd], [], [], max(left, 0))[0]:
            if left <= 0:
                return
            continue
        buf = os.read(fd, 65536)
        i = 0
        while i < len(buf):
            w, mask, _, n = struct.unpack_from("iIII", buf, i)
            name = buf[i + 16:i + 16 + n].rstrip(b"\0")
            i += 16 + n
            path = os.path.join(wd[w], name).decode()
            if mask & IN_OPEN and path in counts:
                counts[path] += 1


msg = ("From: <%s>\r\nTo: <%s>\r\nSubject: opens %%d\r\n"
       "Message-ID: <opens-%%d-%d@example.com>\r\n\r\nbody\r\n"
       % (sender, rcpt, os.getpid()))
for n in range(conns):
    s = smtplib.SMTP("127.0.0.1", port, timeout=20)
    s.sendmail(sender, [rcpt], msg % (n, n))
    s.quit()
# each connection's process has ended once QUIT is answered; let the
# kernel's queue settle
drain(0.5)
for f in files:
    print(os.path.basename(f), counts[os.path.abspath(f)])
