# Two mail sites on loopback for the end-to-end test and the demo.
# Source after tests/lib.sh with TOP, B, E2E (a private directory) and
# E2E_PORT (first of five ports) set.  Ports:
#   E2E_PORT     the hub's Exim (isp.example: MX and submission)
#   E2E_PORT+1   the remote site's Exim (remote.example)
#   E2E_PORT+2   the hub's Dovecot LMTP, +3 IMAP, +4 POP3
# The hub is the shipped plain Exim configuration
# (conf/exim4/exim.conf.signet) with this machine's paths, delivering over
# LMTP to a private Dovecot with the signet plugin (tests/dovecot's
# instance).  The remote site is a stock Exim that verifies senders by
# callout and delivers to maildirs; it bounces mail to unknown users.
OUT=$E2E
. "$TOP/tests/exim/lib-exim.sh"
. "$TOP/tests/dovecot/instance.sh"
DP_SO=$B/dovecot-plugin/lib90_signet_plugin.so
HUB=$E2E/hub
REMOTE=$E2E/remote
HUB_PORT=$E2E_PORT
REMOTE_PORT=$((E2E_PORT + 1))
LMTP_PORT=$((E2E_PORT + 2))
IMAP_PORT=$((E2E_PORT + 3))
POP3_PORT=$((E2E_PORT + 4))
HUB_CONF=$HUB/exim.conf
REMOTE_CONF=$REMOTE/exim.conf
SIGNET_JSON=$HUB/signet.json
PASSWORD=secret

# Waits for a listener without connecting to it (a connection would show
# in the daemons' logs as a lost SMTP session).
wait_port() {
	wait_listen "$1"
}

# hub_config [extra JSON members...]: the hub's signet.json.  Exim
# processes reload it when it changes.
hub_config() {
	_extra=""
	for _m in "$@"; do _extra="$_extra, $_m"; done
	cat >"$SIGNET_JSON.tmp" <<EOF
{"domains": ["isp.example"],
 "format": "signet",
 "null_sender_policy": "${E2E_POLICY:-strict}",
 "keyring": "$HUB/keys/keyring.json",
 "seal_keyring": "$HUB/keys/keyring.json",
 "event_log": "$HUB/events.jsonl",
 "fade": {"max_uses": ${E2E_MAX_USES:-5}, "max_base_uses": 5000},
 "store": {"type": "lmdb", "path": "$HUB/state/signet.mdb"}$_extra}
EOF
	chmod 644 "$SIGNET_JSON.tmp"
	mv "$SIGNET_JSON.tmp" "$SIGNET_JSON"
}

# The shipped plain configuration, with private paths, loopback only, the
# remote site reachable by manualroute, and Dovecot's sockets here.
hub_exim_conf() {
	sed -e "s|^SIGNET_SO = .*|SIGNET_SO = $SO|" \
		-e "s|^SIGNET_CONFIG = .*|SIGNET_CONFIG = $SIGNET_JSON|" \
		-e "s|/etc/exim4/signet_acl|$TOP/conf/exim4/signet_acl|" \
		-e "s|^\(SIGNET_LMTP_SOCKET = \).*|\1$DC_DIR/run/lmtp|" \
		-e "s|^\(SIGNET_DOVECOT_AUTH_SOCKET = \).*|\1$DC_DIR/run/auth-exim|" \
		-e "s|^\(SIGNET_DOVECOT_USERS = \).*|\1$DC_DIR/passwd|" \
		-e "s|/etc/exim4/exim\.crt|$HUB/tls/cert.pem|" \
		-e "s|/etc/exim4/exim\.key|$HUB/tls/key.pem|" \
		-e "s|^host_lookup = .*|host_lookup =|" \
		-e "s|^\(hostlist relay_from_hosts =\).*|\1|" \
		"$TOP/conf/exim4/exim.conf.signet" | awk -v hub="$HUB" \
		-v rport="$REMOTE_PORT" '
		/^primary_hostname/ {
			print
			print "local_interfaces = 127.0.0.1"
			print "spool_directory = " hub "/spool"
			print "log_file_path = " hub "/log/%slog"
			print "log_selector = +tls_cipher +deliver_time " \
				"+received_recipients"
			print "keep_environment ="
			print "rfc1413_hosts ="
			print "queue_run_max = 1"
			next
		}
		/^begin routers/ {
			print
			print ""
			print "# e2e: the remote site, without DNS."
			print "e2e_remote:"
			print "  driver = manualroute"
			print "  domains = remote.example"
			print "  route_list = * 127.0.0.1"
			print "  self = send"
			print "  transport = e2e_remote_smtp"
			next
		}
		/^begin transports/ {
			print
			print ""
			print "e2e_remote_smtp:"
			print "  driver = smtp"
			print "  port = " rport
			print "  allow_localhost"
			print "  hosts_try_fastopen ="
			next
		}
		{ print }' >"$HUB_CONF"
}

# The hub as an ISP on Debian's split configuration would set it up, by
# docs/ADMIN.md: Debian's conf.d plus signet's drop-ins, a router for
# Dovecot LMTP, Dovecot's SASL for AUTH, built by update-exim4.conf.
hub_exim_conf_debian() {
	_d=$HUB/debian
	if ! ls "$TOP"/conf/exim4/conf.d/main/*signet* >/dev/null 2>&1; then
		E2E_ERR="conf/exim4/conf.d/main: no signet drop-in"
		return 1
	fi
	rm -rf "$_d"
	mkdir -p "$_d"
	debian_confd "$_d" internet isp.example >"$_d/confd.err" 2>&1 ||
		{ E2E_ERR=$(cat "$_d/confd.err"); return 1; }
	cp -r "$TOP/conf/exim4/conf.d/." "$_d/conf.d/"
	cat >"$_d/conf.d/main/00_local_macros" <<EOF
MAIN_HARDCODE_PRIMARY_HOSTNAME = mx.isp.example
# Debian relays for (and so skips checks for) 127.0.0.1 by default; here
# every other site is on loopback too.
MAIN_RELAY_NETS = :
SPOOLDIR = $HUB/spool
MAIN_TLS_ENABLE = yes
MAIN_TLS_CERTIFICATE = $HUB/tls/cert.pem
MAIN_TLS_PRIVATEKEY = $HUB/tls/key.pem
SIGNET_SO = $SO
SIGNET_CONFIG = $SIGNET_JSON
CHECK_RCPT_LOCAL_ACL_FILE = $TOP/conf/exim4/signet_acl_rcpt
SIGNET_ACLS = $TOP/conf/exim4/signet_acls
SIGNET_LMTP_SOCKET = $DC_DIR/run/lmtp
SIGNET_DOVECOT_USERS = $DC_DIR/passwd
SIGNET_DOVECOT_SASL = yes
SIGNET_DOVECOT_AUTH_SOCKET = $DC_DIR/run/auth-exim
SIGNET_SUBMISSION = yes
log_file_path = $HUB/log/%slog
MAIN_LOG_SELECTOR = +tls_cipher +received_recipients
queue_run_max = 1
EOF
	cat >"$_d/conf.d/router/150_e2e_remote" <<EOF
e2e_remote:
  driver = manualroute
  domains = remote.example
  route_list = * 127.0.0.1
  self = send
  transport = e2e_remote_smtp
EOF
	cat >"$_d/conf.d/transport/35_e2e_remote" <<EOF
e2e_remote_smtp:
  driver = smtp
  port = $REMOTE_PORT
  allow_localhost
  hosts_try_fastopen =
EOF
	update-exim4.conf -d "$_d" -o "$HUB_CONF" >"$E2E/hub-update.out" 2>&1 ||
		{ E2E_ERR="update-exim4.conf: $(tail -n 2 "$E2E"/hub-upd*)"
		  return 1; }
}

remote_exim_conf() {
	cat >"$REMOTE_CONF" <<EOF
# remote.example: a stock Exim (no signet) that checks every sender by
# callout (no_cache: every check reaches the hub) and delivers to maildirs;
# unknown users bounce after DATA.
primary_hostname = mx.remote.example
domainlist local_domains = remote.example
local_interfaces = 127.0.0.1
spool_directory = $REMOTE/spool
log_file_path = $REMOTE/log/%slog
log_selector = +tls_cipher +received_recipients
exim_user = Debian-exim
exim_group = Debian-exim
never_users = root
host_lookup =
rfc1413_hosts =
keep_environment =
tls_advertise_hosts =
queue_run_max = 1
acl_smtp_rcpt = acl_rcpt

begin acl

acl_rcpt:
  deny
    message = relay not permitted
    !domains = +local_domains
  require
    verify = sender/callout=10s,no_cache
  accept

begin routers

hub:
  driver = manualroute
  domains = isp.example
  route_list = * 127.0.0.1
  self = send
  transport = to_hub

local_user:
  driver = accept
  domains = +local_domains
  local_parts = dsearch;$REMOTE/users
  transport = maildir

unknown_user:
  driver = redirect
  domains = +local_domains
  allow_fail
  data = :fail: no such user here

begin transports

to_hub:
  driver = smtp
  port = $HUB_PORT
  allow_localhost
  hosts_try_fastopen =

maildir:
  driver = appendfile
  directory = $REMOTE/mail/\${local_part_data}
  maildir_format
  user = Debian-exim
  return_path_add
  envelope_to_add

begin retry

*  *  F,1h,10m
EOF
}

# e2e_setup: directories, keys (with the signet tool), configurations.
# On failure E2E_ERR says what went wrong.
e2e_setup() {
	rm -rf "$E2E"
	mkdir -p "$E2E"
	chmod 755 "$E2E"
	dc_setup "$E2E/dovecot" "$LMTP_PORT" yes
	for _u in alice bob; do
		dc_adduser "$_u@isp.example"
	done
	# Exim authenticates submitters through the SASL socket that the
	# shipped Dovecot drop-in adds for it.
	echo "!include $TOP/conf/dovecot/91-signet-exim-auth.conf" >>"$DC_CONF"
	mkdir -p "$HUB/spool" "$HUB/log" "$HUB/state" "$HUB/keys" "$HUB/tls" \
		"$REMOTE/spool" "$REMOTE/log" "$REMOTE/mail" "$REMOTE/users"
	chmod 755 "$HUB" "$REMOTE" "$REMOTE/users"
	: >"$REMOTE/users/bob"
	: >"$HUB/events.jsonl"
	hub_config
	# The hub holds both keys; Dovecot gets the seal key only.
	"$B/tool/signet" -c "$SIGNET_JSON" keys init --owner "$EXIM_USER" \
		>"$E2E/keys.out" 2>&1 ||
		{ E2E_ERR="keys init: $(cat "$E2E/keys.out")"; return 1; }
	"$B/tool/signet" -c "$SIGNET_JSON" keys export-seal \
		--owner "$DC_USER" "$DC_DIR/seal-keyring.json" \
		>>"$E2E/keys.out" 2>&1 ||
		{ E2E_ERR="export-seal: $(cat "$E2E/keys.out")"; return 1; }
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj /CN=mx.isp.example -keyout "$HUB/tls/key.pem" \
		-out "$HUB/tls/cert.pem" >/dev/null 2>&1 ||
		{ E2E_ERR="openssl req failed"; return 1; }
	chmod 600 "$HUB/tls/key.pem"
	chown -R "$EXIM_USER" "$HUB/spool" "$HUB/log" "$HUB/state" \
		"$HUB/tls" "$HUB/events.jsonl" "$REMOTE/spool" "$REMOTE/log" \
		"$REMOTE/mail"
	if [ "${E2E_HUB:-plain}" = debian ]; then
		hub_exim_conf_debian || return 1
	else
		hub_exim_conf
	fi
	remote_exim_conf
	trust_conf "$HUB_CONF" "$REMOTE_CONF" 2>"$E2E/trust.err" ||
		{ E2E_ERR=$(cat "$E2E/trust.err"); return 1; }
	for _s in hub remote; do
		"$EXIM" -C "$E2E/$_s/exim.conf" -bV >"$E2E/$_s-bV.out" 2>&1 ||
			{ E2E_ERR="$_s exim -bV: $(head -n 2 "$E2E/$_s-bV.out")"
			  return 1; }
	done
}

# Starts the three daemons (E2E_ERR says why not).  They keep running
# after this shell exits (the demo); e2e_stop ends them by their pid files.
e2e_start() {
	for _p in $HUB_PORT $REMOTE_PORT $LMTP_PORT $IMAP_PORT $POP3_PORT; do
		if ss -Hltn "sport = :$_p" | grep -q .; then
			E2E_ERR="port $_p is already in use"
			return 1
		fi
	done
	if ! dc_start; then
		E2E_ERR="dovecot: $(tail -n 3 "$DC_DIR"/dovecot.log)"
		return 1
	fi
	for _s in hub remote; do
		if [ $_s = hub ]; then _c=$HUB_CONF _p=$HUB_PORT
		else _c=$REMOTE_CONF _p=$REMOTE_PORT; fi
		setsid "$EXIM" -C "$_c" -bdf -q30m -oX "$_p" \
			-oP "$E2E/$_s/exim.pid" </dev/null \
			>>"$E2E/$_s/daemon.out" 2>&1 &
		wait_port "$_p" 10 || {
			E2E_ERR="$_s exim did not listen on $_p: $(tail -n 3 \
				"$E2E/$_s/daemon.out")"
			return 1
		}
	done
}

e2e_stop() {
	for _s in hub remote; do
		_f=$E2E/$_s/exim.pid
		[ -f "$_f" ] || continue
		_pid=$(cat "$_f")
		# Only an Exim daemon started with our configuration.
		if tr '\0' ' ' <"/proc/$_pid/cmdline" 2>/dev/null |
			grep -qF -- "-C $E2E/$_s/exim.conf"; then
			kill -TERM "$_pid"
		fi
		rm -f "$_f"
	done
	untrust_confs "$HUB_CONF" "$REMOTE_CONF"
	[ -n "$DC_DIR" ] || DC_DIR=$E2E/dovecot
	[ -n "$DC_CONF" ] || DC_CONF=$DC_DIR/dovecot.conf
	dc_stop
}

# ---- clients ----

# swaks to a site: hub|remote, then swaks arguments.
smtp_to() {
	if [ "$1" = hub ]; then _p=$HUB_PORT; else _p=$REMOTE_PORT; fi
	shift
	swaks --server 127.0.0.1 --port "$_p" --timeout 20 "$@" \
		</dev/null 2>&1
}
# submit USER FROM TO FILE: AUTH PLAIN after STARTTLS on the hub.
submit() {
	smtp_to hub --tls --auth PLAIN --auth-user "$1@isp.example" \
		--auth-password "$PASSWORD" --from "$2" --to "$3" \
		--data "@$4"
}

# replay ADDR: presents ADDR as a callout does (MAIL FROM:<>, RCPT TO) until
# the hub stops answering 250, at most 10 times; prints the reply codes.
replay() {
	_codes=""
	_i=0
	while [ $_i -lt 10 ]; do
		_c=$(rcpt_reply "$(smtp_to hub --from '<>' --to "$1" \
			--quit-after RCPT)" | cut -c1-3)
		_codes="$_codes $_c"
		[ "$_c" = 250 ] || break
		_i=$((_i + 1))
	done
	echo "$_codes"
}

# probe ADDR N: up to N callouts for ADDR, a connection each, stopping at
# the first answer that is not 250; prints "ACCEPTED FIRST-OTHER-CODE".
probe() {
	python3 - "$HUB_PORT" "$1" "$2" <<'PY'
import smtplib, sys
port, addr, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ok, other = 0, "none"
for _ in range(n):
    s = smtplib.SMTP("127.0.0.1", port, timeout=20)
    s.ehlo("probe.remote.example")
    s.mail("<>")
    code = s.rcpt(addr)[0]
    s.quit()
    if code != 250:
        other = str(code)
        break
    ok += 1
print(ok, other)
PY
}

# msg FILE MSGID FROM TO SUBJECT: a small message.
msg() {
	cat >"$1" <<EOF
From: $3
To: $4
Subject: $5
Date: $(date -R)
Message-ID: <$2>

Hello, this is $2.
EOF
}


# Number of messages in a maildir.
maildir_count() {
	find "$1/new" "$1/cur" -type f 2>/dev/null | wc -l
}
# wait_count DIR N [SECONDS]: waits until the maildir holds N messages.
wait_count() {
	_i=0
	while [ "$(maildir_count "$1")" -lt "$2" ] &&
		[ $_i -lt $((${3:-15} * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(maildir_count "$1")" -ge "$2" ]
}
# The newest message of a maildir.
maildir_last() {
	ls -t "$1"/new/* "$1"/cur/* 2>/dev/null | head -n 1
}
# wait_msgid DIR MSGID: waits up to 15 s for the message with that
# Message-ID in a maildir; prints its file name (/dev/null if none).
wait_msgid() {
	_i=0
	while [ $_i -lt 150 ]; do
		_f=$(grep -lix "message-id: <$2>" "$1"/new/* "$1"/cur/* \
			2>/dev/null | head -n 1)
		[ -n "$_f" ] && { echo "$_f"; return 0; }
		sleep 0.1
		_i=$((_i + 1))
	done
	echo /dev/null
	return 1
}
# Waits until both sites' queues are empty (a queue run each time).
wait_queues() {
	_i=0
	while [ $_i -lt ${1:-20} ]; do
		if [ "$("$EXIM" -C "$HUB_CONF" -bpc)" = 0 ] &&
			[ "$("$EXIM" -C "$REMOTE_CONF" -bpc)" = 0 ]; then
			return 0
		fi
		sleep 0.5
		_i=$((_i + 1))
	done
	return 1
}

field() { # VALUE KEY: a field of a Signet-Provenance value
	printf '%s\n' "$1" | tr -d ' \t' | tr ';' '\n' | sed -n "s/^$2=//p" |
		head -n 1
}

# pop3_last USER: the header section of the user's newest message, exactly
# as POP3 sends it (TOP n 0), and the message count on the first line.
pop3_last() {
	python3 - "$POP3_PORT" "$1" "$PASSWORD" <<'EOF'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=20)
p.user(sys.argv[2]); p.pass_(sys.argv[3])
n = len(p.list()[1])
print("messages: %d" % n)
if n:
    resp, lines, octets = p.top(n, 0)
    sys.stdout.write("\n".join(l.decode("utf-8", "replace") for l in lines))
    print()
p.quit()
EOF
}
# imap_last USER: the flags of the newest message in INBOX.
imap_last() {
	python3 - "$IMAP_PORT" "$1" "$PASSWORD" <<'PY'
import imaplib, sys, re
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=20)
m.login(sys.argv[2], sys.argv[3])
typ, data = m.select("INBOX", readonly=True)
if int(data[0]) == 0:
    print("empty"); sys.exit(0)
typ, data = m.fetch("*", "(FLAGS)")
print(re.search(rb"FLAGS \(([^)]*)\)", data[0]).group(1).decode())
m.logout()
PY
}
# header_all NAME: the values of header NAME of every message in a
# concatenation of messages (header sections end at the first empty line).
header_all() {
	awk -v name="$1" '
		BEGIN { n = tolower(name) ": "; inh = 1 }
		FNR == 1 { inh = 1 }
		inh && /^\r?$/ { inh = 0 }
		inh && tolower(substr($0, 1, length(n))) == n {
			print substr($0, length(n) + 1)
		}'
}
# pop3_bytes USER: for each message, whether RETR sends exactly the octets
# LIST announced ("N ok" or "N list L retr R").
pop3_bytes() {
	python3 - "$POP3_PORT" "$1" "$PASSWORD" <<'PY'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=20)
p.user(sys.argv[2]); p.pass_(sys.argv[3])
for entry in p.list()[1]:
    num, size = map(int, entry.split())
    got = len(b"\r\n".join(p.retr(num)[1]) + b"\r\n")
    print("%d ok" % num if got == size else
          "%d list %d retr %d" % (num, size, got))
p.quit()
PY
}
