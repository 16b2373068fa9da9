#!/bin/sh
# State store benchmark (make bench-store; not part of make check):
# loads N signed addresses (default 10 million) into LMDB and into a real
# redis-server on 127.0.0.1:2581, then times lookups, hits and
# per-connection opens.  Needs about 3 GB of disk and 4 GB of memory.
# usage: tests/store/bench.sh [N [LOOKUPS [HITS [OPENS]]]]
# (KEEP=1 keeps the LMDB file, and a second run reuses its data)
TOP=$(pwd)
B=${B:-$TOP/build}
BENCH=$B/tests/bench-store
D=${BENCH_DIR:-$TOP/tests/out/bench-store}
N=${1:-10000000}
LOOKUPS=${2:-200000}
HITS=${3:-20000}
OPENS=${4:-500}
PORT=2581
RPID=

cleanup() {
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$D"
echo "bench-store: $N addresses, $(nproc) CPUs, $(uname -r)"

cat >"$D/lmdb.json" <<EOF
{"domains": ["isp.example"],
 "store": {"type": "lmdb", "path": "$D/state.mdb", "map_size_mb": 8192}}
EOF
"$BENCH" "$D/lmdb.json" "$N" "$LOOKUPS" "$HITS" "$OPENS" || exit 1
echo "lmdb   file     $(du -h "$D/state.mdb" | cut -f1)"
[ -n "$KEEP" ] || rm -f "$D/state.mdb" "$D/state.mdb-lock"

redis-server --port $PORT --bind 127.0.0.1 --save "" --appendonly no \
	--daemonize no --dir "$D" >"$D/redis.log" 2>&1 &
RPID=$!
for _i in $(seq 1 100); do
	redis-cli -p $PORT PING 2>/dev/null | grep -q PONG && break
	sleep 0.1
done
cat >"$D/redis.json" <<EOF
{"domains": ["isp.example"],
 "store": {"type": "redis", "host": "127.0.0.1", "port": $PORT,
	   "timeout_ms": 5, "prefix": "signet:"}}
EOF
"$BENCH" "$D/redis.json" "$N" "$LOOKUPS" "$HITS" "$OPENS" || exit 1
echo "redis  memory   $(redis-cli -p $PORT INFO memory |
	sed -n 's/^used_memory_human:\(.*\)\r*$/\1/p' | tr -d '\r')," \
	"keys $(redis-cli -p $PORT DBSIZE)"
