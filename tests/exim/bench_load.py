#!/usr/bin/env python3
"""Load client for tests/exim/bench.sh: CONNS connections over THREADS
threads, each sending PER messages (MAIL, RCPT, DATA) to 127.0.0.1:PORT;
prints accepted messages per second.  QUIT is sent without waiting for
221, which Exim 4.96 holds up to 200 ms.
Usage: bench_load.py PORT CONNS PER THREADS SENDER RCPT"""
import socket
import sys
import threading
import time

port, conns, per, threads = (int(a) for a in sys.argv[1:5])
sender, rcpt = sys.argv[5], sys.argv[6]
body = ("From: <%s>\r\nTo: <%s>\r\nSubject: bench\r\n"
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
