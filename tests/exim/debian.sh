#!/bin/sh
# Debian's split configuration with the shipped drop-ins: update-exim4.conf
# builds it from a copy of /etc/exim4 plus conf/exim4/conf.d, Exim accepts
# it, and an exim -bh session with it reaches the signet ACL snippet
# (signed address of ours: forged 550, valid 250).
# Usage: debian.sh OUT   (OUT as left by suite.sh: keyring, helper)
SUITE=exim
TOP=${TOP:-$(pwd)}
. "$TOP/tests/lib.sh"
OUT=$1
B=${B:-$TOP/build}
D=$OUT/debian
rm -rf "$D"
mkdir -p "$D"
cp -a /etc/exim4/conf.d "$D/conf.d"
sed "s/^dc_use_split_config=.*/dc_use_split_config='true'/" \
	/etc/exim4/update-exim4.conf.conf >"$D/update-exim4.conf.conf"
cp -r "$TOP/conf/exim4/conf.d/." "$D/conf.d/"
# Where an ISP would install them: here, the build and the repository.
cat >"$D/conf.d/main/00_local_signet_paths" <<EOT
SIGNET_SO = $B/exim-scan/signet.so
SIGNET_CONFIG = $D/signet.json
CHECK_RCPT_LOCAL_ACL_FILE = $TOP/conf/exim4/signet_acl_rcpt
CHECK_DATA_LOCAL_ACL_FILE = $TOP/conf/exim4/signet_acl_data
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
valid=$("$B/exim-scan/test-helper" sign "$OUT/keys/keyring.json" signet \
	postmaster@localhost - 60)
forged=$(printf '%s' "$valid" | sed 's/=sg0./=sg0a/;t;s/=sg0a/=sg0b/')
[ "$forged" = "$valid" ] && forged=$(printf '%s' "$valid" | sed 's/=sg0a/=sg0b/')
bh=$(printf 'EHLO probe.example\r\nMAIL FROM:<>\r\nRCPT TO:<%s>\r\nRCPT TO:<%s>\r\nQUIT\r\n' \
	"$valid" "$forged" | /usr/sbin/exim4 -C "$D/exim4.conf" -bh 192.0.2.1 2>&1)
expect_match debian-bh-valid-250 "$bh" '^250 Accepted'
expect_match debian-bh-forged-550 "$bh" '^550[- ]5\.7\.1 <postmaster=sg0'
