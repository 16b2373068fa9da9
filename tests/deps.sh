#!/bin/sh
# Installs the Debian 12 packages that signet's build, tests, demo and
# benches use, then checks that each tool can do what they ask of it.
# Needs root when anything is missing; does nothing else when all is there.
# --download only fetches them into apt's cache (make check-fresh does this
# before it cuts a fresh root off the network).
# A minimal root (mmdebstrap --variant=apt) has only the Essential packages,
# so everything beyond those is named here: ps, ss, mount, runuser and
# setpriv come from procps, iproute2, mount and util-linux.
set -e
PKGS="build-essential clang libclang-rt-14-dev valgrind python3 \
libssl-dev libjansson-dev liblmdb-dev lmdb-utils libhiredis-dev redis-server \
exim4-daemon-heavy exim4-dev openssl iproute2 procps mount ca-certificates \
swaks libnet-ssleay-perl libio-socket-ssl-perl \
dovecot-core dovecot-dev dovecot-pop3d dovecot-imapd dovecot-lmtpd \
dovecot-sieve netcat-openbsd"
if [ "$1" = --download ]; then
	# Without a reachable archive, what apt has already fetched may do.
	apt-get update -q ||
		echo "deps: apt-get update failed; using the package lists there are"
	DEBIAN_FRONTEND=noninteractive exec apt-get install -y -q -d \
		--no-install-recommends $PKGS
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing; run 'make deps' as root" >&2
		exit 1
	fi
	# Keep the system's own Exim, Dovecot and Redis from starting: the
	# tests run private instances on loopback.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	echo "deps: installing$missing"
	# Without a reachable archive, what apt has already fetched may do.
	apt-get update -q ||
		echo "deps: apt-get update failed; using the package lists there are"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $missing
fi

# Each capability the suites and the demo use, and the package behind it.
bad=0
need() { # WHAT FIX cmd...: run cmd quietly; say what to do if it fails
	_what=$1 _fix=$2
	shift 2
	if ! timeout 20 "$@" >/dev/null 2>&1; then
		echo "deps: $_what does not work ($*); $_fix" >&2
		bad=1
	fi
}
need "swaks STARTTLS" "install libnet-ssleay-perl" \
	sh -c 'swaks --support 2>&1 | grep -q "^=== TLS supported"'
need "swaks AUTH PLAIN" "install swaks (perl-modules)" \
	sh -c 'swaks --support 2>&1 | grep -q "^=== Basic AUTH supported"'
need "exim4 with \${dlfunc} and TLS" "install exim4-daemon-heavy" \
	sh -c 'exim4 -bV | grep "^Support for:" | grep -q "Expand_dlfunc.*TLS"'
need "dovecot lmtp" "install dovecot-lmtpd" test -x /usr/lib/dovecot/lmtp
need "dovecot pop3" "install dovecot-pop3d" test -x /usr/lib/dovecot/pop3
need "dovecot imap" "install dovecot-imapd" test -x /usr/lib/dovecot/imap
need "redis-server" "install redis-server" redis-server --version
need "ps" "install procps" ps -p $$
need "ss" "install iproute2" ss -Hltn
need "runuser" "install util-linux" runuser -u nobody -- true
need "setpriv" "install util-linux" setpriv --reuid=65534 true
need "python3" "install python3" python3 -c 'import ssl, smtplib, imaplib, poplib'
need "clang libFuzzer" "install clang libclang-rt-14-dev" sh -c \
	'printf "%s\n" "#include <stddef.h>" "#include <stdint.h>" \
	"int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)" \
	"{ (void)d; (void)n; return 0; }" >/tmp/signet-deps-fz.c &&
	clang -fsanitize=fuzzer,address -o /tmp/signet-deps-fz \
		/tmp/signet-deps-fz.c; r=$?; rm -f /tmp/signet-deps-fz*; exit $r'
need "valgrind" "install valgrind" valgrind --version
need "nc" "install netcat-openbsd" test -x /bin/nc.openbsd
# Exim and Dovecot run as their own users and read the module, the
# drop-ins and the test files from this tree.
top=$(cd "$(dirname "$0")/.." && pwd)
need "reading $top as another user" "use a clone outside /root, which \
only root may enter (e.g. /usr/local/src/signet), as README.md says" \
	runuser -u nobody -- test -r "$top/conf/exim4/signet_acl_rcpt"
[ "$bad" = 0 ] || exit 1
