#!/usr/bin/env python3
"""Where a daemon's connection processes spend their time, from `perf
script` output of cpu-clock samples with call chains (tests/exim/
bench_pages.sh): every sample counts once, in the first class its chain
matches: through signet.so, through dlsym() (Exim's ${dlfunc} looks the
function up at each call), through jansson, or the rest.  Prints the
milliseconds per connection in all, in the daemon (DAEMON_PID: its forks)
and in each class, and the sampled frames that cost most within signet's
classes.
Usage: perf script ... | perf_chains.py HZ CONNECTIONS DAEMON_PID"""
import collections
import re
import sys

hz, conns, daemon = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
FRAME = re.compile(r"\s+[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$")
in_daemon = 0
classes = collections.Counter()
tops = collections.Counter()


def classify(frames):
    for sym, dso in frames:
        if dso.endswith("/signet.so"):
            return "signet.so"
    for sym, dso in frames:
        if sym.startswith("dlsym"):
            return "dlsym"
    for sym, dso in frames:
        if "libjansson" in dso:
            return "jansson"
    return "rest"


def flush(frames):
    if not frames:
        return
    c = classify(frames)
    classes[c] += 1
    if c != "rest":
        sym, dso = frames[0]
        tops["%s: %s (%s)" % (c, sym, dso.rsplit("/", 1)[-1])] += 1


frames = []
for line in sys.stdin:
    m = FRAME.match(line)
    if m:
        frames.append((re.sub(r"\+0x[0-9a-f]+$", "", m.group(1)),
                       m.group(2)))
        continue
    flush(frames)
    frames = []
    head = line.split()
    if len(head) > 1 and head[1] == daemon:  # "COMM PID TIME: ..."
        in_daemon += 1
flush(frames)

ms = 1000.0 / hz / conns
total = sum(classes.values())
print("%.3f ms per connection (%d samples), daemon %.3f" %
      (total * ms, total, in_daemon * ms), end="")
for c in ("signet.so", "dlsym", "jansson"):
    print("; %s %.3f" % (c, classes[c] * ms), end="")
print()
for k, n in tops.most_common(8):
    print("    %.3f %s" % (n * ms, k))
