#!/bin/sh
# make deb: builds the Debian packages from a clean copy of this tree (the
# files git tracks, and new ones it does not ignore), so that nothing of a
# developer's build/ or tests/out/ lands in the source package.
# Usage: build.sh [OUTDIR] (default build/deb-pkg); prints the .deb paths.
# SIGNET_DEB_VERSION=V builds version V instead (a changelog entry is added
# in the copy), as make check-deb does to test an upgrade.
# Then lintian on the .changes; its tags go to OUTDIR/lintian.txt.
set -e
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$TOP/build/deb-pkg}
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
ver=${SIGNET_DEB_VERSION:-$(dpkg-parsechangelog -l "$TOP/debian/changelog" \
	-S Version)}
src=$OUT/signet-$ver
rm -rf "$OUT"
mkdir -p "$src"
(cd "$TOP" && git ls-files -co --exclude-standard -z |
	tar --null -T - -cf -) | tar -xf - -C "$src"
if [ -n "$SIGNET_DEB_VERSION" ]; then
	{ printf 'signet (%s) unstable; urgency=medium\n\n' "$ver"
	  printf '  * Rebuilt as %s.\n\n' "$ver"
	  printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog \
		-l "$TOP/debian/changelog" -S Maintainer)" "$(date -R)"
	  cat "$TOP/debian/changelog"; } >"$src/debian/changelog"
fi
(cd "$src" && dpkg-buildpackage -us -uc) >"$OUT/build.log" 2>&1 || {
	tail -n 30 "$OUT/build.log" >&2
	echo "deb: dpkg-buildpackage failed (see $OUT/build.log)" >&2
	exit 1
}
# The copy's objects would otherwise be found by the Makefile's *.d search.
rm -rf "$src"
arch=$(dpkg --print-architecture)
lintian --info --display-info --pedantic \
	"$OUT/signet_${ver}_$arch.changes" >"$OUT/lintian.txt" 2>&1 || true
ls "$OUT"/*.deb
