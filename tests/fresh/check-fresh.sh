#!/bin/sh
# make check-fresh: the README's two commands on a fresh Debian 12.
#
# Builds a minimal bookworm root with mmdebstrap from this machine's own
# apt sources, copies this tree in, and inside private mount, PID and
# network namespaces (nothing but its own loopback) runs exactly what
# README.md tells a new user: `make demo`, `make demo-stop`, `make check`.
#
# The root has no network, so the packages that tests/deps.sh names are
# downloaded (not installed) beforehand, by deps.sh itself; a package that
# deps.sh forgets is then missing inside, as it would be on a new machine.
# Ends with "fresh: N passed, N failed" (the inner make check's counts).
TOP=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${FRESH_DIR:-$TOP/tests/out/fresh}
ROOT=$DIR/root

die() {
	echo "check-fresh: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "run as root: it builds a root and enters it"

. "$TOP/tests/fresh/lib-root.sh"
start=$(date +%s)
umask 022
echo "check-fresh: building a minimal bookworm root in $ROOT"
# make (and git, to get the code) is what README.md asks a user to have.
root_build make || die "$ROOT_ERR"
root_copy "$TOP" /usr/local/src/signet || die "$ROOT_ERR"
echo "check-fresh: downloading what tests/deps.sh names"
root_run host "cd /usr/local/src/signet && sh tests/deps.sh --download" \
	>"$DIR/download.log" 2>&1 ||
	die "downloading the packages failed (see $DIR/download.log)"

echo "check-fresh: make demo; make demo-stop; make check (no network)"
root_run net 'cd /usr/local/src/signet
	make demo >/root/demo.log 2>&1; echo $? >/root/demo.rc
	make demo-stop >>/root/demo.log 2>&1
	make check >/root/check.log 2>&1; echo $? >/root/check.rc'
cp "$ROOT/root/demo.log" "$ROOT/root/check.log" "$DIR/" 2>/dev/null
demo_rc=$(cat "$ROOT/root/demo.rc" 2>/dev/null || echo missing)
check_rc=$(cat "$ROOT/root/check.rc" 2>/dev/null || echo missing)
grep -E '^(FAIL|demo: )' "$DIR/check.log" "$DIR/demo.log" 2>/dev/null |
	head -n 40
echo "check-fresh: make demo exited $demo_rc (log $DIR/demo.log)"
echo "check-fresh: make check exited $check_rc (log $DIR/check.log)"
echo "check-fresh: $(($(date +%s) - start)) s"
# The inner make check's counts, and the demo's own failure as one more.
counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$DIR/check.log" 2>/dev/null |
	tail -n 1)
p=0 f=1
if [ -n "$counts" ]; then
	p=${counts%% passed*}
	f=$(echo "$counts" | sed 's/.* passed, \([0-9]*\) failed.*/\1/')
fi
[ "$demo_rc" = 0 ] || f=$((f + 1))
echo "fresh: $p passed, $f failed"
[ "$demo_rc" = 0 ] && [ "$check_rc" = 0 ]
