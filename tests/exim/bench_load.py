#!/usr/bin/env python3
"""Load client for tests/exim/bench.sh: CONNS connections over THREADS
threads, each sending PER messages (MAIL, RCPT, DATA) to 127.0.0.1:PORT;
prints accepted messages per second.  QUIT is sent without waiting for
221, which Exim 4.96 holds up to 200 ms.
Usage: bench_load.py PORT CONNS PER THREADS SENDER RCPT"""
import os
import socket
import sys
import threading
import time

port, conns, per, threads = (int(a) for a in sys.argv[1:5])
sender, rcpt = sys.argv[5], sys.argv[6]
# BENCH_HEADER_KB=K: K kilobytes more header, a relay path of 256-octet
# hops (the header series of tests/exim/bench.sh)


def hop(i):
    h = ("Received: from relay%04d.example.net (relay%04d.example.net "
         "[198.51.100.%d])\r\n\tby relay%04d.example.org with ESMTPS id "
         "4Zabcdefghijk%04d\r\n\tfor <%s>; Sun, 22 Nov 2026 06:59:00 +0000\r\n"
         % (i, i, i % 250, i + 1, i, rcpt))
    note = "X-Relay-Note: hop %04d; " % i
    return h + note + "." * (256 - len(h) - len(note) - 2) + "\r\n"


hops = "".join(hop(i)
               for i in range(int(os.environ.get("BENCH_HEADER_KB", "0")) * 4))
body = (hops + "From: <%s>\r\nTo: <%s>\r\nSubject: bench\r\n"
        "Message-ID: <bench-%%d-%%d@example.com>\r\n\r\nbench body\r\n.\r\n"
        % (sender, rcpt))
accepted = 0
failed = 0
lock = threading.Lock()


def reply(f):
    while True:
        line = f.readline()
        if not line or line[3:4] != b"-":
            return line


def one(n):
    global accepted, failed
    ok = 0
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    f = s.makefile("rb")
    reply(f)
    s.sendall(b"EHLO bench.example\r\n")
    reply(f)
    for i in range(per):
        s.sendall(("MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n"
                   % (sender, rcpt)).encode())
        r = [reply(f) for _ in range(3)]
        if not r[2].startswith(b"354"):
            continue
        s.sendall((body % (n, i)).encode())
        if reply(f).startswith(b"250"):
            ok += 1
    s.sendall(b"QUIT\r\n")
    s.close()
    with lock:
        accepted += ok
        failed += per - ok


def worker(k):
    for n in range(k, conns, threads):
        one(n)


t0 = time.monotonic()
ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
dt = time.monotonic() - t0
print("%.1f %d %d %.3f" % (accepted / dt, accepted, failed, dt))
