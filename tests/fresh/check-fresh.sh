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
SUITE=${FRESH_SUITE:-bookworm}

die() {
	echo "check-fresh: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "run as root: it builds a root and enters it"

if ! command -v mmdebstrap >/dev/null; then
	apt-get update -q >/dev/null || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends mmdebstrap >/dev/null ||
		die "cannot install mmdebstrap"
fi

# This machine's Debian sources (deb822 or one-line files), and the apt
# options it needs to reach them (a snapshot's Valid-Until, a proxy).
sources=""
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	/etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	grep -Eq '^[^#]*(URIs:|deb) .*/debian(-security)?/?( |$)' "$f" &&
		sources="$sources $f"
done
[ -n "$sources" ] || die "no Debian archive in /etc/apt/sources.list*"
mkdir -p "$DIR"
apt-config dump | grep -E \
	'^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy|https?::proxy)' \
	>"$DIR/apt.conf" || true

# run_in NET CMD: CMD under sh in the root, in new mount and PID
# namespaces, and with NET=net in a network namespace of its own too.
# The host's package cache is shared so that nothing is fetched twice.
run_in() {
	_net=""
	[ "$1" = net ] && _net=--net
	shift
	unshare --mount --pid --fork $_net sh -c '
		set -e
		R=$0
		mount --make-rprivate /
		ip link set lo up 2>/dev/null || true
		# As on a machine, / is a mount point (unshare -m needs one).
		mount --bind "$R" "$R"
		mount -t proc proc "$R/proc"
		mount --rbind /dev "$R/dev"
		mount -t sysfs sys "$R/sys"
		mount -t tmpfs tmpfs "$R/run"
		mount -t tmpfs tmpfs "$R/dev/shm"
		mount --bind /var/cache/apt/archives "$R/var/cache/apt/archives"
		exec chroot "$R" /usr/bin/env -i HOME=/root TERM=dumb \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			LANG=C.UTF-8 /bin/sh -c "$1"' "$ROOT" "$*"
}

start=$(date +%s)
umask 022
rm -rf "$ROOT"
echo "check-fresh: building a minimal $SUITE root in $ROOT"
# make (and git, to get the code) is what README.md asks a user to have.
mmdebstrap --variant=apt --include=make --aptopt="$DIR/apt.conf" \
	"$SUITE" "$ROOT" $sources >"$DIR/mmdebstrap.log" 2>&1 ||
	die "mmdebstrap failed (see $DIR/mmdebstrap.log)"
mkdir -p "$ROOT/usr/local/src/signet"
(cd "$TOP" && git ls-files -co --exclude-standard -z |
	tar --null -T - -cf -) | tar -xf - -C "$ROOT/usr/local/src/signet" ||
	die "cannot copy the tree in"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null
echo "check-fresh: downloading what tests/deps.sh names"
run_in host "cd /usr/local/src/signet && sh tests/deps.sh --download" \
	>"$DIR/download.log" 2>&1 ||
	die "downloading the packages failed (see $DIR/download.log)"
rm -f "$ROOT/etc/resolv.conf"

echo "check-fresh: make demo; make demo-stop; make check (no network)"
run_in net 'cd /usr/local/src/signet
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
