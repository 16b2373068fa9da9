#!/bin/sh
# Growth with recipients (make bench-growth-exim; not part of make check):
# one message from a remote site to N local users, delivered over the
# shipped LMTP transport (one recipient per transaction) to a sink.  For
# each N: the spooled size (Exim's S=), the bytes of one delivered copy,
# the Signet-Provenance headers in it, and the wall time per delivery.
# Needs root.  Results: tests/out/exim-growth/results.txt
TOP=${TOP:-$(pwd)}
SUITE=exim-growth
. "$TOP/tests/lib.sh"
OUT=$TOP/tests/out/exim-growth
. "$TOP/tests/exim/lib-exim.sh"
PORT=2534
SIZES=${SIZES:-1 10 100 1000}

trap 'stop_exim; kill $SINK 2>/dev/null; untrust_confs' EXIT INT TERM
setup_exim "$SO" || { echo "bench: setup failed" >&2; exit 1; }
SINK_BYTES=1 python3 "$TOP/tests/exim/sink.py" lmtp "$OUT/lmtp.sock" \
	"$OUT/lmtp.log" >"$OUT/sink.out" 2>&1 &
SINK=$!
start_exim "$PORT" || { echo "bench: no daemon" >&2; exit 1; }
i=0
while [ ! -S "$OUT/lmtp.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
RES=$OUT/results.txt
say() { echo "$*" | tee -a "$RES"; }
: >"$RES"
say "signet growth with recipients, $(date -u +%Y-%m-%dT%H:%MZ)," \
	"$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)"
say "N      S=(spooled)  bytes/copy  headers/copy  bytes over LMTP  ms/delivery"
for n in $SIZES; do
	: >"$OUT/lmtp.log"
	t0=$(date +%s%N)
	python3 - "$PORT" "$n" <<'PY'
import smtplib, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
rcpts = ["u%d@example.net" % i for i in range(1, n + 1)]
msg = ("From: <someone@remote.example>\r\nTo: <list@example.net>\r\n"
       "Subject: growth %d\r\nMessage-ID: <growth-%d@remote.example>\r\n\r\n"
       "An announcement.\r\n" % (n, n))
s = smtplib.SMTP("127.0.0.1", port, timeout=60)
s.sendmail("someone@remote.example", rcpts, msg)
s.quit()
PY
	i=0
	while [ "$(grep -c . "$OUT/lmtp.log")" -lt "$n" ] && [ $i -lt 6000 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	size=$(grep ' <= someone@remote.example' "$OUT/log/mainlog" |
		tail -n 1 | sed -n 's/.* S=\([0-9]*\).*/\1/p')
	bytes=$(awk -F'|' '{s += $4} END {print s}' "$OUT/lmtp.log")
	hdrs=$(awk -F'|' '{n += split($2, a, " ")} END {printf "%.1f", n / NR}' \
		"$OUT/lmtp.log")
	say "$(printf '%-6d %11s  %10d  %12s  %15d  %11.2f' "$n" "$size" \
		$((bytes / n)) "$hdrs" "$bytes" \
		"$(awk -v a="$t0" -v b="$t1" -v n="$n" \
			'BEGIN {print (b - a) / 1000000 / n}')")"
done
