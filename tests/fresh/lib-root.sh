# A minimal Debian 12 root to test in, as a new machine would be.
# Source it with ROOT (the root's directory) and DIR (its logs) set; needs
# root.  Functions return non-zero with ROOT_ERR set when they fail.
#   root_build [PKG,...]   mmdebstrap --variant=apt from this machine's apt
#                          sources, with the packages named (comma list)
#   root_copy TOP DEST     the tree TOP (tracked and new files) to DEST in
#                          the root
#   root_run host|net CMD  CMD under sh in the root, in new mount and PID
#                          namespaces; "net" adds a network namespace that
#                          has only its own loopback

# This machine's Debian sources (deb822 or one-line files), and the apt
# options it needs to reach them (a snapshot's Valid-Until, a proxy); the
# repository names no mirror.
root_build() {
	if ! command -v mmdebstrap >/dev/null; then
		apt-get update -q >/dev/null 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends mmdebstrap >/dev/null 2>&1 ||
			{ ROOT_ERR="cannot install mmdebstrap"; return 1; }
	fi
	_src=""
	for _f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[ -f "$_f" ] || continue
		grep -Eq '^[^#]*(URIs:|deb) .*/debian(-security)?/?( |$)' "$_f" &&
			_src="$_src $_f"
	done
	[ -n "$_src" ] ||
		{ ROOT_ERR="no Debian archive in /etc/apt/sources.list*"; return 1; }
	mkdir -p "$DIR"
	apt-config dump | grep -E \
	'^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy|https?::proxy)' \
		>"$DIR/apt.conf" || true
	rm -rf "$ROOT"
	_inc=""
	[ -z "$1" ] || _inc=--include=$1
	mmdebstrap --variant=apt $_inc --aptopt="$DIR/apt.conf" \
		bookworm "$ROOT" $_src >"$DIR/mmdebstrap.log" 2>&1 ||
		{ ROOT_ERR="mmdebstrap failed (see $DIR/mmdebstrap.log)"
		  return 1; }
}

root_copy() {
	mkdir -p "$ROOT/$2"
	(cd "$1" && git ls-files -co --exclude-standard -z |
		tar --null -T - -cf -) | tar -xf - -C "$ROOT/$2" ||
		{ ROOT_ERR="cannot copy $1 into the root"; return 1; }
}

# The host's package cache is shared, so nothing is fetched twice and a
# root without network can install what was fetched for it.
root_run() {
	_net=""
	[ "$1" = net ] && _net=--net
	shift
	if [ -z "$_net" ]; then
		cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null
	else
		rm -f "$ROOT/etc/resolv.conf"
	fi
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
