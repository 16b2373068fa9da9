#!/bin/sh
# Installs the Debian 12 packages signet builds and tests with.  Needs root
# when anything is missing; does nothing when all are present.
set -e
PKGS="build-essential clang libclang-rt-14-dev valgrind python3 \
libssl-dev libjansson-dev liblmdb-dev lmdb-utils libhiredis-dev redis-server \
exim4-daemon-heavy exim4-dev swaks openssl iproute2 \
dovecot-core dovecot-dev dovecot-pop3d dovecot-imapd dovecot-lmtpd \
dovecot-sieve netcat-openbsd"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing; run 'make deps' as root" >&2
	exit 1
fi
# Keep the system's own Exim, Dovecot and Redis from starting: the tests
# run private instances on loopback.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
echo "deps: installing$missing"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
