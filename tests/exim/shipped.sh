#!/bin/sh
# The shipped configurations, each checked by Exim and by an exim -bh
# session that must reach the signet ACL snippet (signed address of ours:
# valid 250, forged 550):
# - Debian's split configuration: update-exim4.conf builds it from a copy
#   of /etc/exim4 plus conf/exim4/conf.d;
# - the plain conf/exim4/exim.conf.signet.
# Usage: shipped.sh OUT   (OUT as left by suite.sh: keyring, helper)
SUITE=exim
TOP=${TOP:-$(pwd)}
. "$TOP/tests/lib.sh"
OUT=$1
B=${B:-$TOP/build}
D=$OUT/debian
rm -rf "$D"
mkdir -p "$D"
if ! debian_confd "$D" local "" >"$D/confd.err" 2>&1; then
	fail debian-split-config "$(cat "$D/confd.err")"
	exit 0
fi
cp -r "$TOP/conf/exim4/conf.d/." "$D/conf.d/"
# Where an ISP would install them: here, the build and the repository.
cat >"$D/conf.d/main/00_local_signet_paths" <<EOT
SIGNET_SO = $B/exim-scan/signet.so
SIGNET_CONFIG = $D/signet.json
CHECK_RCPT_LOCAL_ACL_FILE = $TOP/conf/exim4/signet_acl_rcpt
SIGNET_ACLS = $TOP/conf/exim4/signet_acls
EOT
cat >"$D/signet.json" <<EOT
{"domains": ["localhost"], "keyring": "$OUT/keys/keyring.json",
 "event_log": "", "store": {"type": "none"}}
EOT
if ! update-exim4.conf -d "$D" -o "$D/exim4.conf" >"$D/update.out" 2>&1; then
	fail debian-split-config "update-exim4.conf: $(tail -n 3 "$D/update.out")"
	exit 0
fi
if ! /usr/sbin/exim4 -C "$D/exim4.conf" -bV >"$D/bV.out" 2>&1; then
	fail debian-split-config "exim -bV: $(tail -n 3 "$D/bV.out")"
	exit 0
fi
conf=$(cat "$D/exim4.conf")
expect_match debian-split-config "$conf" \
	"^local_scan_path = SIGNET_SO"
expect_match debian-router "$conf" '^signet_base:'

# bh_check NAME CONF ADDR: a valid and a forged signed form of ADDR.
bh_check() {
	valid=$("$B/exim-scan/test-helper" sign "$OUT/keys/keyring.json" \
		signet "$3" - 60)
	forged=$(printf '%s' "$valid" | sed 's/=sg0a/=sg0b/;t;s/=sg0./=sg0a/')
	bh=$(printf 'EHLO probe.example\r\nMAIL FROM:<>\r\nRCPT TO:<%s>\r\nRCPT TO:<%s>\r\nQUIT\r\n' \
		"$valid" "$forged" | /usr/sbin/exim4 -C "$2" -bh 192.0.2.1 2>&1)
	expect_match "$1-bh-valid-250" "$bh" '^250 Accepted'
	expect_match "$1-bh-forged-550" "$bh" "^550[- ]5\.7\.1 <${3%@*}=sg0"
}
bh_check debian "$D/exim4.conf" postmaster@localhost

# The plain configuration, with this machine's paths.
P=$OUT/plain
mkdir -p "$P"
cat >"$P/signet.json" <<EOT
{"domains": ["isp.example"], "keyring": "$OUT/keys/keyring.json",
 "event_log": "", "store": {"type": "none"}}
EOT
sed -e "s|^SIGNET_SO = .*|SIGNET_SO = $B/exim-scan/signet.so|" \
	-e "s|^SIGNET_CONFIG = .*|SIGNET_CONFIG = $P/signet.json|" \
	-e "s|/etc/exim4/signet_acl|$TOP/conf/exim4/signet_acl|" \
	-e "s|/etc/exim4/exim\.crt|$OUT/tls/cert.pem|" \
	-e "s|/etc/exim4/exim\.key|$OUT/tls/key.pem|" \
	-e "s|^host_lookup = .*|host_lookup =|" \
	-e "s|^\(SIGNET_DOVECOT_USERS = \).*|\1$P/users|" \
	"$TOP/conf/exim4/exim.conf.signet" >"$P/exim.conf"
# Dovecot's userdb, as the delivery router reads it.
echo 'alice@isp.example::5000:5000::/var/vmail/isp.example/alice::' \
	>"$P/users"
if /usr/sbin/exim4 -C "$P/exim.conf" -bV >"$P/bV.out" 2>&1; then
	pass plain-config
else
	fail plain-config "exim -bV: $(tail -n 3 "$P/bV.out")"
fi
bh_check plain "$P/exim.conf" alice@isp.example
