#!/bin/sh
# The part of make check-deb that runs inside the fresh Debian 12 root
# (tests/deb/check-deb.sh copies this directory to /root/t with the .debs
# in v1/ and v2/ and docs/ADMIN.md's steps in admin-steps.sh).
#   in-root.sh site    with network: Debian's Exim and Dovecot set up as an
#                      ISP runs them (virtual users as vmail, SMTP AUTH
#                      through Dovecot), then apt install of the .debs
#   in-root.sh story   no network: ADMIN.md's steps, the daemons, the
#                      story, key rotation, upgrades, remove and purge
# Prints PASS:/FAIL: lines (tests/lib.sh).
TOP=/root/t
SUITE=deb
. "$TOP/lib.sh"
export DEBIAN_FRONTEND=noninteractive
T=$TOP
PASSWORD=secret
VMAIL=/var/vmail
KEYS="/etc/signet/keyring.json /etc/signet/seal-keyring.json"

apt_q() { apt-get -y -q -o Dpkg::Options::=--force-confdef \
	-o Dpkg::Options::=--force-confold "$@"; }

# owner:group mode of a file, or "missing"
perm() { stat -c '%U:%G %a' "$1" 2>/dev/null || echo missing; }

site() {
	# The daemons are started by the test, not by the packages.
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	apt-get update -q >"$T/apt-update.log" 2>&1
	if apt_q install --no-install-recommends exim4-daemon-heavy \
		dovecot-core dovecot-lmtpd dovecot-imapd dovecot-pop3d swaks \
		>"$T/apt-site.log" 2>&1; then
		pass "Debian's exim4-daemon-heavy and Dovecot installed"
	else
		fail "Debian's exim4-daemon-heavy and Dovecot installed" \
			"$(tail -n 3 "$T/apt-site.log")"
		return 1
	fi
	# The ISP's hub before signet: Exim for isp.example on loopback with
	# the split configuration and AUTH through Dovecot; Dovecot with
	# virtual users delivered as vmail.
	# (a uid above Dovecot's first_valid_uid, as a virtual-user setup has)
	groupadd -g 5000 vmail
	useradd -u 5000 -g vmail -d "$VMAIL" -s /usr/sbin/nologin vmail
	install -d -o vmail -g vmail "$VMAIL"
	cat >/etc/exim4/update-exim4.conf.conf <<EOF
dc_eximconfig_configtype='internet'
dc_other_hostnames='isp.example'
dc_local_interfaces='127.0.0.1'
dc_readhost=''
dc_relay_domains=''
dc_minimaldns='false'
dc_relay_nets=''
dc_smarthost=''
CFILEMODE='644'
dc_use_split_config='true'
dc_hide_mailname=''
dc_mailname_in_oh='true'
dc_localdelivery='mail_spool'
EOF
	echo mx.isp.example >/etc/mailname
	cat >/etc/exim4/conf.d/auth/20_local_dovecot <<EOF
dovecot_plain:
  driver = dovecot
  public_name = PLAIN
  server_socket = /run/dovecot/auth-client
  server_set_id = \$auth1
EOF
	sed -i 's/^!include auth-system.conf.ext/#&/' \
		/etc/dovecot/conf.d/10-auth.conf
	cat >/etc/dovecot/local.conf <<EOF
protocols = imap pop3 lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u /etc/dovecot/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u /etc/dovecot/users
}
service auth {
  unix_listener auth-client {
    mode = 0660
    group = Debian-exim
  }
}
EOF
	# Passwords in the passdb only; the userdb has none, and Exim's
	# delivery router reads it (docs/ADMIN.md, section 5).
	_u=$(id -u vmail) _g=$(id -g vmail)
	for _n in alice bob; do
		printf '%s@isp.example:{PLAIN}%s\n' "$_n" "$PASSWORD"
	done >/etc/dovecot/passwd
	chmod 640 /etc/dovecot/passwd
	chgrp dovecot /etc/dovecot/passwd
	for _n in alice bob; do
		printf '%s@isp.example::%s:%s::%s::\n' "$_n" "$_u" "$_g" \
			"$VMAIL/isp.example/$_n"
	done >/etc/dovecot/users
	chmod 644 /etc/dovecot/users

	# The packages, as docs/ADMIN.md says.
	if (cd "$T/v1" && apt_q install ./signet-tools_*.deb \
		./signet-exim_*.deb ./signet-dovecot_*.deb) \
		>"$T/apt-signet.log" 2>&1; then
		pass "apt install ./signet-*.deb"
	else
		fail "apt install ./signet-*.deb" \
			"$(tail -n 5 "$T/apt-signet.log")"
	fi
}

# ---- the daemons ----
start_daemons() {
	install -d -o Debian-exim -g Debian-exim /run/exim4
	dovecot >"$T/dovecot.out" 2>&1 ||
		{ fail "dovecot starts" "$(cat "$T/dovecot.out")"; return 1; }
	exim4 -bd -q30m >"$T/exim.out" 2>&1 ||
		{ fail "exim4 -bd starts" "$(cat "$T/exim.out")"; return 1; }
	if wait_port 25 10 && wait_port 143 10; then
		pass "the packaged exim4 and dovecot listen on loopback"
	else
		fail "the packaged exim4 and dovecot listen on loopback" \
			"$(tail -n 3 /var/log/exim4/mainlog \
				/var/log/exim4/paniclog "$T/exim.out" 2>&1)"
		return 1
	fi
}
stop_daemons() {
	[ -f /run/exim4/exim.pid ] && kill "$(cat /run/exim4/exim.pid)"
	doveadm stop >/dev/null 2>&1
	sleep 1
}

# swaks from outside: a remote site's address (127.0.0.2 is not in
# Debian's relay_from_hosts, so the signet checks apply).
from_remote() {
	swaks --server 127.0.0.1 --port 25 --local-interface 127.0.0.2 \
		--helo mx.remote.example --timeout 20 "$@" 2>&1
}

msg() { # FILE MSGID FROM TO
	cat >"$1" <<EOF
From: $3
To: $4
Subject: hello from the package test
Date: $(date -R)
Message-ID: <$2>

Hello.
EOF
}

# checksums and owners/modes of the keys and of the configuration
snapshot() {
	{
		find /etc/signet /etc/exim4 /etc/dovecot -type f | sort |
			xargs sha256sum
		for _f in /etc/signet /etc/signet/* /var/lib/signet \
			/var/log/signet; do
			echo "$_f $(perm "$_f")"
		done
	} 2>&1
}

story() {
	# ---- what the packages did ----
	expect_eq "keyring made on install: Debian-exim, 0600" \
		"$(perm /etc/signet/keyring.json)" "Debian-exim:Debian-exim 600"
	expect_eq "seal keyring made on install for vmail, 0600" \
		"$(perm /etc/signet/seal-keyring.json)" "vmail:vmail 600"
	expect_eq "/var/lib/signet for Debian-exim" \
		"$(perm /var/lib/signet)" "Debian-exim:Debian-exim 750"
	expect_eq "/var/log/signet for Debian-exim:adm" \
		"$(perm /var/log/signet)" "Debian-exim:adm 2750"
	expect_rc "Debian-exim reads the keyring" 0 \
		runuser -u Debian-exim -- signet keys list
	expect_rc "vmail reads the seal keyring" 0 runuser -u vmail -- \
		signet keys list --keyring /etc/signet/seal-keyring.json
	expect_rc "the rotation timer is enabled" 0 test -L \
		/etc/systemd/system/timers.target.wants/signet-rotate.timer
	expect_rc "manual pages installed" 0 test -f \
		/usr/share/man/man1/signet.1.gz -a -f \
		/usr/share/man/man5/signet.json.5.gz -a -f \
		/usr/share/man/man7/signet-exim.7.gz -a -f \
		/usr/share/man/man7/signet-dovecot.7.gz
	# Nothing is on yet: Exim's configuration has no signet module and
	# Dovecot delivers without the plugin.
	update-exim4.conf >"$T/uec-before.out" 2>&1
	expect_match "Exim not enabled by installing" \
		"$(exim4 -bP local_scan_path 2>&1)" '^local_scan_path *= *$'
	expect_nomatch "Dovecot plugin not enabled by installing" \
		"$(doveconf -f protocol=lmtp -h mail_plugins 2>&1)" signet

	# ---- docs/ADMIN.md's steps, exactly ----
	# systemctl: there is no systemd here; the daemons start below.
	if (systemctl() { echo "systemctl $*" >>"$T/systemctl.log"; }
		set -e; . "$T/admin-steps.sh") >"$T/admin-steps.out" 2>&1; then
		pass "docs/ADMIN.md's steps run"
	else
		fail "docs/ADMIN.md's steps run" \
			"$(tail -n 5 "$T/admin-steps.out")"
	fi
	expect_match "Exim enabled by ADMIN.md's steps" \
		"$(exim4 -bP local_scan_path 2>&1)" \
		'^local_scan_path = /usr/lib/exim4/local_scan/signet.so$'
	expect_match "Dovecot plugin enabled by ADMIN.md's steps" \
		"$(doveconf -f protocol=lmtp -h mail_plugins 2>&1)" signet
	start_daemons || return 1

	# ---- the story ----
	mid="m1.$$@isp.example"
	msg "$T/m1" "$mid" alice@isp.example bob@remote.example
	out=$(swaks --server 127.0.0.1 --port 25 --timeout 20 \
		--auth PLAIN --auth-user alice@isp.example \
		--auth-password "$PASSWORD" --from alice@isp.example \
		--to bob@remote.example --data "@$T/m1" 2>&1)
	expect_match "authenticated submission accepted" \
		"$(data_reply "$out")" '^250'
	sleep 1
	signed=$(sed -n \
		's/.*signet: issued <\([^>]*\)> for <alice@isp\.example>.*/\1/p' \
		/var/log/exim4/mainlog | tail -n 1)
	expect_match "the sender is signed" "$signed" \
		'^alice=sg0.+@isp\.example$'
	expect_match "the queued message carries the signed sender" \
		"$(exim4 -bp)" "<$signed>"

	out=$(from_remote --from '<>' --to "$signed" --quit-after RCPT)
	expect_match "a callout for the signed sender is accepted" \
		"$(rcpt_reply "$out")" '^250'

	# A forged bounce: the signed address with one letter changed.
	lp=${signed%@*}
	last=$(printf '%s' "$lp" | tail -c 1)
	if [ "$last" = a ]; then new=b; else new=a; fi
	forged=$(printf '%s' "$lp" | sed 's/.$//')$new@isp.example
	dsn "$T/forged" "$forged" "$mid" alice@isp.example
	out=$(from_remote --from '<>' --to "$forged" --data "@$T/forged")
	expect_match "a forged bounce is refused 550" "$(rcpt_reply "$out")" \
		'^550'
	# An unknown user is refused at RCPT time, so no bounce is ever made.
	out=$(from_remote --from someone@remote.example --to carol@isp.example \
		--quit-after RCPT)
	expect_match "an unknown user is refused 550 at RCPT" \
		"$(rcpt_reply "$out")" '^550'

	dsn "$T/bounce" "$signed" "$mid" alice@isp.example
	out=$(from_remote --from '<>' --to "$signed" --data "@$T/bounce")
	expect_match "the genuine bounce is accepted" "$(data_reply "$out")" \
		'^250'
	box=$VMAIL/isp.example/alice/Maildir
	f=""
	_i=0
	while [ $_i -lt 100 ]; do
		f=$(grep -l '^Subject: Undelivered Mail' "$box"/new/* \
			"$box"/cur/* 2>/dev/null | head -n 1)
		[ -n "$f" ] && break
		sleep 0.2
		_i=$((_i + 1))
	done
	expect_match "the genuine bounce is delivered with its Signet-Result" \
		"$(grep -i '^Signet-Result:' "${f:-/dev/null}")" \
		'^Signet-Result: genuine'
	expect_match "the genuine bounce is marked \$SignetVerified" \
		"$(doveadm fetch -u alice@isp.example flags mailbox INBOX all \
			2>&1)" 'SignetVerified'
	expect_match "Exim writes the event feed in /var/log/signet" \
		"$(perm /var/log/signet/events.jsonl) $(grep -c '"issued"' \
			/var/log/signet/events.jsonl 2>/dev/null)" \
		'^Debian-exim:adm 640 [1-9]'
	expect_match "Exim writes the state store in /var/lib/signet" \
		"$(perm /var/lib/signet/state.mdb)" '^Debian-exim:'
	expect_rc "signet stats reads them" 0 signet stats
	expect_eq "Exim's paniclog is empty" \
		"$(cat /var/log/exim4/paniclog 2>/dev/null)" ""

	# ---- the scheduled rotation: cron's command, as cron runs it here
	# (no systemd) ----
	cmd=$(awk '!/^#/ && NF >= 7 { for (i = 7; i <= NF; i++)
		printf "%s ", $i; exit }' /etc/cron.d/signet-tools)
	if [ -n "$cmd" ] && sh -c "$cmd" >"$T/rotate.out" 2>&1; then
		pass "the cron job rotates the keys"
	else
		fail "the cron job rotates the keys" "'$cmd': $(cat "$T/rotate.out")"
	fi
	expect_eq "rotation: keyring keeps owner and mode" \
		"$(perm /etc/signet/keyring.json)" "Debian-exim:Debian-exim 600"
	expect_eq "rotation: seal keyring exported again for vmail" \
		"$(perm /etc/signet/seal-keyring.json)" "vmail:vmail 600"
	expect_eq "rotation: the seal keyring has the new seal key" \
		"$(signet keys list --keyring /etc/signet/seal-keyring.json |
			grep -c '^seal')" 2
	out=$(from_remote --from '<>' --to "$signed" --quit-after RCPT)
	expect_match "after rotation the signed sender still verifies" \
		"$(rcpt_reply "$out")" '^250'

	# ---- upgrades: the same version again, then a newer one ----
	snapshot >"$T/before"
	(cd "$T/v1" && apt_q install --reinstall ./signet-tools_*.deb \
		./signet-exim_*.deb ./signet-dovecot_*.deb) \
		>"$T/apt-reinstall.log" 2>&1
	expect_rc "the same version installs again" 0 \
		grep -q '^Setting up signet-exim' "$T/apt-reinstall.log"
	snapshot >"$T/after-reinstall"
	expect_eq "reinstall: keys and configuration untouched" \
		"$(diff "$T/before" "$T/after-reinstall")" ""
	(cd "$T/v2" && apt_q install ./signet-tools_*.deb \
		./signet-exim_*.deb ./signet-dovecot_*.deb) \
		>"$T/apt-upgrade.log" 2>&1
	expect_eq "upgrade to the newer version" \
		"$(dpkg-query -W -f='${Version}' signet-exim)" \
		"$(cat "$T/v2/version")"
	snapshot >"$T/after-upgrade"
	expect_eq "upgrade: keys and configuration untouched" \
		"$(diff "$T/before" "$T/after-upgrade")" ""
	out=$(from_remote --from '<>' --to "$signed" --quit-after RCPT)
	expect_match "after the upgrade the signed sender still verifies" \
		"$(rcpt_reply "$out")" '^250'
	stop_daemons

	# ---- remove keeps the keys, purge removes them ----
	sed -i '/^SIGNET_ENABLE/d' /etc/exim4/conf.d/main/00_local_macros
	update-exim4.conf >/dev/null 2>&1
	rm -f /etc/dovecot/conf.d/90-signet.conf
	apt_q remove signet-dovecot signet-exim signet-tools \
		>"$T/apt-remove.log" 2>&1
	expect_eq "remove: keys kept" \
		"$(sha256sum $KEYS 2>&1)" \
		"$(grep -E ' /etc/signet/(seal-)?keyring.json$' "$T/before")"
	apt_q purge signet-dovecot signet-exim signet-tools \
		>"$T/apt-purge.log" 2>&1
	for _d in /etc/signet /var/lib/signet /var/log/signet \
		/etc/exim4/conf.d/main/04_signet \
		/usr/lib/exim4/local_scan/signet.so \
		/etc/systemd/system/timers.target.wants/signet-rotate.timer; do
		expect_rc "purge removes $_d" 1 test -e "$_d" -o -L "$_d"
	done
}

case $1 in
site) site ;;
story) story ;;
*) echo "usage: in-root.sh site|story" >&2; exit 3 ;;
esac
