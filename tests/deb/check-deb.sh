#!/bin/sh
# make check-deb: the Debian packages on a fresh Debian 12.
#
#  1. builds the .debs (make deb's script) twice: this version, and one
#     with a higher version for the upgrade; lintian must report no error
#     or warning that debian/ does not explain;
#  2. installs them with apt in a minimal bookworm root
#     (tests/fresh/lib-root.sh) beside Debian's exim4-daemon-heavy and
#     Dovecot, set up as an ISP's hub (tests/deb/in-root.sh site);
#  3-5. then, with only loopback, runs docs/ADMIN.md's "Turning it on"
#     commands as they are written, the packaged daemons and the story
#     against them, key rotation, upgrades, remove and purge
#     (tests/deb/in-root.sh story).
# Needs root.  Ends with "N passed, N failed".
TOP=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${DEB_DIR:-$TOP/tests/out/deb}
ROOT=$DIR/root
SUITE=deb
. "$TOP/tests/lib.sh"

[ "$(id -u)" = 0 ] ||
	{ echo "check-deb: run as root: it builds a root and enters it" >&2
	  exit 1; }
# Inside the block below: a FAIL line, then the summary.
die() {
	fail "check-deb" "$*"
	echo "check-deb: $*" >&3
	exit 1
}
start=$(date +%s)
umask 022
rm -rf "$DIR"
mkdir -p "$DIR"
exec 3>&1
: >"$DIR/results"
# Every result line goes to the terminal and to $DIR/results.
say() { tee -a "$DIR/results"; }

{
# ---- 1. build ----
echo "check-deb: installing the build tools" >&3
apt-get update -q >"$DIR/apt-host.log" 2>&1 ||
	echo "check-deb: apt-get update failed; using the lists there are" >&3
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	debhelper dpkg-dev fakeroot lintian >>"$DIR/apt-host.log" 2>&1 &&
DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q "$TOP" \
	>>"$DIR/apt-host.log" 2>&1 ||
	die "cannot install the build tools (see $DIR/apt-host.log)"

echo "check-deb: building the packages" >&3
ver=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
ver2=$ver+check1
if sh "$TOP/tests/deb/build.sh" "$DIR/v1" >"$DIR/build1.out" 2>&1 &&
	[ "$(grep -c '\.deb$' "$DIR/build1.out")" = 3 ]; then
	pass "make deb builds three packages ($ver)"
else
	fail "make deb builds three packages ($ver)" \
		"$(tail -n 3 "$DIR/build1.out")"
	die "no packages to test"
fi
if SIGNET_DEB_VERSION=$ver2 sh "$TOP/tests/deb/build.sh" "$DIR/v2" \
	>"$DIR/build2.out" 2>&1; then
	pass "the same tree builds as $ver2"
else
	fail "the same tree builds as $ver2" "$(tail -n 3 "$DIR/build2.out")"
fi
echo "$ver2" >"$DIR/v2/version"
expect_eq "lintian: no error or warning left unexplained" \
	"$(grep -E '^[EW]:' "$DIR/v1/lintian.txt")" ""
expect_match "signet-dovecot depends on the Dovecot ABI it was built for" \
	"$(dpkg-deb -f "$DIR"/v1/signet-dovecot_*.deb Depends)" \
	"dovecot-abi-$(cat /usr/share/dovecot/dovecot-abi)"
expect_match "signet-exim depends on exim4-daemon-heavy" \
	"$(dpkg-deb -f "$DIR"/v1/signet-exim_*.deb Depends)" \
	'exim4-daemon-heavy'

# ---- 2. a fresh root, the ISP's Exim and Dovecot, the packages ----
. "$TOP/tests/fresh/lib-root.sh"
echo "check-deb: building a minimal bookworm root in $ROOT" >&3
root_build || die "$ROOT_ERR"
mkdir -p "$ROOT/root/t"
cp "$TOP/tests/lib.sh" "$TOP/tests/deb/in-root.sh" "$ROOT/root/t/"
cp -r "$DIR/v1" "$DIR/v2" "$ROOT/root/t/"
# docs/ADMIN.md's "Turning it on": its sh blocks, as written.
awk '/^#### Turning it on/ { on = 1; next }
	on && /^##/ { exit }
	on && /^```sh/ { code = 1; next }
	on && /^```/ { code = 0; next }
	on && code' "$TOP/docs/ADMIN.md" >"$ROOT/root/t/admin-steps.sh"
expect_match "docs/ADMIN.md has the steps to turn signet on" \
	"$(cat "$ROOT/root/t/admin-steps.sh")" 'SIGNET_ENABLE'

echo "check-deb: installing Exim, Dovecot and the packages in the root" >&3
root_run host 'sh /root/t/in-root.sh site'

# ---- 3-5. without network ----
echo "check-deb: ADMIN.md's steps, the story, upgrades, purge" \
	"(no network)" >&3
root_run net 'sh /root/t/in-root.sh story'
} 2>&1 | tee -a "$DIR/log" | grep -E '^(PASS|FAIL): ' | say
cp -r "$ROOT/root/t" "$DIR/in-root" 2>/dev/null
rm -rf "$DIR/in-root/v1" "$DIR/in-root/v2"

echo "check-deb: $(($(date +%s) - start)) s; logs in $DIR"
p=$(grep -c '^PASS: ' "$DIR/results")
f=$(grep -c '^FAIL: ' "$DIR/results")
[ "$p" -gt 0 ] || f=$((f + 1))
echo "$p passed, $f failed" | say
[ "$f" = 0 ]
