#!/bin/sh
# Per-connection instructions in the real daemon: the daemon runs under
# callgrind (-odq, no queue runner), and each SMTP connection's forked child
# writes its own count, which starts from the daemon's count at fork.  An
# empty connection (banner, then close) gives that starting point, so a
# connection's own work is its child's count minus the empty one's.
# Usage: bench_daemon.sh CONF PORT DIR  -> prints "empty one ten" counts
CONF=$1 PORT=$2 DIR=$3
TOP=${TOP:-$(pwd)}
rm -rf "$DIR"
mkdir -p "$DIR"
cp /usr/sbin/exim4 "$DIR/exim4"
chown -R Debian-exim "$DIR"
valgrind --tool=callgrind --callgrind-out-file="$DIR/cg.%p" \
	"$DIR/exim4" -C "$CONF" -bdf -odq -oX "$PORT" -oP "$DIR/pid" \
	>"$DIR/out" 2>&1 &
vpid=$!
i=0
while ! ss -Hltn "sport = :$PORT" | grep -q . && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
count() { # newest child file's total, once the child has exited
	sleep 1
	f=$(ls -t "$DIR"/cg.* | grep -v "\.done$" | head -n 1)
	sed -n 's/^summary: //p' "$f"
	mv "$f" "$f.done"
}
# One message first, not counted: the first message into an empty spool
# makes its directories (about 22K instructions), which would otherwise
# fall on whichever configuration is measured first.
python3 "$TOP/tests/exim/bench_load.py" "$PORT" 1 1 1 \
	someone@remote.example bob@example.com >/dev/null
count >/dev/null
python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); s.recv(512); s.close()' "$PORT"
empty=$(count)
python3 "$TOP/tests/exim/bench_load.py" "$PORT" 1 1 1 \
	someone@remote.example bob@example.com >/dev/null
one=$(count)
python3 "$TOP/tests/exim/bench_load.py" "$PORT" 1 10 1 \
	someone@remote.example bob@example.com >/dev/null
ten=$(count)
kill -TERM "$(cat "$DIR/pid")" 2>/dev/null
wait $vpid 2>/dev/null
echo "$empty $one $ten"
