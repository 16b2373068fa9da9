#!/bin/sh
# Where a daemon's one-message connections spend their time, by call
# chain: perf samples the daemon and its connection processes (cpu-clock,
# the one clock these VMs give perf, with DWARF call chains) over N
# connections after a warm-up, and tests/exim/perf_chains.py puts each
# sample in a class.  Instructions do not show this: a page a forked
# process first touches costs it a fault or a copy, which can cost more
# than the code that touches it.
# Usage: bench_pages.sh CONF PORT DIR N -> perf_chains.py's lines
TOP=${TOP:-$(pwd)}
SUITE=exim-bench
. "$TOP/tests/lib.sh"
OUT=$3
. "$TOP/tests/exim/lib-exim.sh" # sets CONF too
CONF=$1 PORT=$2 DIR=$3 N=$4
HZ=4000
rm -rf "$DIR"
mkdir -p "$DIR"
"$EXIM" -C "$CONF" -bdf -odq -oY -oX "$PORT" -oP "$DIR/pid" \
	>"$DIR/out" 2>&1 &
epid=$!
wait_listen "$PORT" || { echo "bench_pages: no daemon on $PORT" >&2; exit 1; }
python3 "$TOP/tests/exim/bench_load.py" "$PORT" 20 1 2 \
	someone@remote.example bob@example.com >/dev/null
perf record -q -e cpu-clock -F $HZ --call-graph dwarf,8192 \
	-p "$(cat "$DIR/pid")" -o "$DIR/perf.data" 2>"$DIR/perf.err" &
ppid=$!
sleep 0.5
python3 "$TOP/tests/exim/bench_load.py" "$PORT" "$N" 1 2 \
	someone@remote.example bob@example.com >/dev/null
dpid=$(cat "$DIR/pid")
kill -INT $ppid
wait $ppid
kill -TERM $epid
wait $epid 2>/dev/null
if [ ! -s "$DIR/perf.data" ]; then
	echo "bench_pages: perf recorded nothing: $(tail -n 1 "$DIR/perf.err")" \
		"(it needs root, or kernel.perf_event_paranoid <= 1)" >&2
	exit 1
fi
perf script -i "$DIR/perf.data" 2>/dev/null |
	python3 "$TOP/tests/exim/perf_chains.py" $HZ "$N" "$dpid"
