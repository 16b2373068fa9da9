#!/bin/sh
# How the Dovecot plugin's cost grows with the size of a message's header
# (make bench-dovecot-headers; not part of make check): the callgrind part
# of tests/dovecot/bench.sh, ordinary mail, for headers padded with
# HEADER_KB kilobytes of Received lines.  Prints, per message, the
# plugin's own instructions and the whole lmtp process with and without
# the plugin.
SIZES=${SIZES:-0 4 16 64}
CG_N=${CG_N:-100}
OUT=$(pwd)/tests/out/bench-dovecot-headers
mkdir -p "$OUT"
printf '%-10s %-12s %-18s %-18s %s\n' "extra kB" "header B" \
	"plugin Ir/msg" "lmtp with/msg" "lmtp without/msg (difference)"
for k in $SIZES; do
	HEADER_KB=$k CG_ONLY=1 CG_N=$CG_N KIND=ordinary \
		sh tests/dovecot/bench.sh >"$OUT/kb-$k.txt" 2>&1 || {
		echo "bench: header of $k kB failed (see $OUT/kb-$k.txt)" >&2
		exit 1
	}
	hb=$(sed '/^$/q' tests/out/bench-dovecot-ordinary/cg-with/msg.eml |
		wc -c)
	plugin=$(awk '/plugin entry points total/ { print $5 }' \
		"$OUT/kb-$k.txt")
	set -- $(sed -n 's/.*lmtp process total: with \([0-9]*\) Ir, without \([0-9]*\) Ir, difference [-0-9]* Ir (\(.*\))/\1 \2 \3/p' \
		"$OUT/kb-$k.txt")
	printf '%-10s %-12s %-18s %-18s %s\n' "$k" "$hb" "$plugin" "$1" \
		"$2 ($3)"
done
