# Private Exim daemon for the exim suite and benchmarks (source it after
# tests/lib.sh; set OUT first).  Follows shared/notes/exim.md: root-owned
# config listed in trusted_configs, spool and log owned by Debian-exim,
# foreground daemon with -bdf -oX PORT -oP PIDFILE, stopped by SIGTERM.
EXIM=${EXIM:-/usr/sbin/exim4}
EXIM_USER=Debian-exim
SO=${SO:-$B/exim-scan/signet.so}
HELPER=${HELPER:-$B/exim-scan/test-helper}
CONF=$OUT/exim.conf
KEYRING=$OUT/keys/keyring.json
EXIM_PIDS=""
TRUSTED_CONFIGS=${TRUSTED_CONFIGS:-/etc/exim4/trusted_configs}
TRUSTED_HERE=""

# trust_conf FILE...: lists each configuration in trusted_configs, so that
# Exim re-executing itself as its own user keeps root with -C FILE.  Exim
# reads only the first 32 entries of that file and ignores the rest, so
# every run removes its entries again (untrust_confs), entries of test
# trees that are gone are dropped, and a list that is still too long is an
# error here rather than a "lost privilege" in a panic log later.
trust_conf() {
	[ -f "$TRUSTED_CONFIGS" ] || install -m 644 /dev/null "$TRUSTED_CONFIGS"
	_tc_keep=$(while IFS= read -r _l || [ -n "$_l" ]; do
		case $_l in
		*/tests/out/*.conf) [ -e "$_l" ] || continue ;;
		esac
		printf '%s\n' "$_l"
	done <"$TRUSTED_CONFIGS")
	printf '%s' "$_tc_keep${_tc_keep:+
}" >"$TRUSTED_CONFIGS"
	for _f; do
		chown root:root "$_f" && chmod 644 "$_f" || return 1
		grep -qxF -- "$_f" "$TRUSTED_CONFIGS" ||
			printf '%s\n' "$_f" >>"$TRUSTED_CONFIGS"
		TRUSTED_HERE="$TRUSTED_HERE $_f"
		_n=$(awk -v f="$_f" '{ s = $0; sub(/^[ \t]+/, "", s) }
			s ~ /^\// { n++ } $0 == f { print n; exit }' \
			"$TRUSTED_CONFIGS")
		if [ "$_n" -gt 32 ]; then
			echo "$TRUSTED_CONFIGS: $_f is entry $_n;" \
				"Exim reads only the first 32" >&2
			return 1
		fi
	done
}

# untrust_confs [FILE...]: removes the given entries, or this shell's.
untrust_confs() {
	[ $# -gt 0 ] || set -- $TRUSTED_HERE
	[ -f "$TRUSTED_CONFIGS" ] || return 0
	for _f; do
		_tc_keep=$(grep -vxF -- "$_f" "$TRUSTED_CONFIGS")
		printf '%s' "$_tc_keep${_tc_keep:+
}" >"$TRUSTED_CONFIGS"
	done
	TRUSTED_HERE=""
}

# RFC 3339 UTC of now + $1 days.
rfc3339_days() {
	date -u -d "@$(($(date +%s) + $1 * 86400))" +%Y-%m-%dT%H:%M:%SZ
}

hex32() {
	od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
}

# Writes a keyring with one address key and one seal key (ids 0).  Keys
# were created long ago so the helper can sign in the past.
write_keyring() {
	_c=$(rfc3339_days -400)
	_s=$(rfc3339_days 90)
	_v=$(rfc3339_days 180)
	mkdir -p "$(dirname "$1")"
	umask 077
	cat >"$1" <<EOF
{"version": 1, "keys": [
 {"id": 0, "purpose": "addr", "secret": "$(hex32)", "created": "$_c",
  "signs_until": "$_s", "verifies_until": "$_v"},
 {"id": 0, "purpose": "seal", "secret": "$(hex32)", "created": "$_c",
  "signs_until": "$_s", "verifies_until": "$_v"}]}
EOF
	umask 022
	chmod 600 "$1"
	chown "$EXIM_USER" "$1"
}

# write_config [extra JSON members...]: the module's signet.json.
write_config() {
	_extra=""
	for _m in "$@"; do _extra="$_extra, $_m"; done
	cat >"$OUT/signet.json.tmp" <<EOF
{"domains": ["example.com", "example.net"],
 "keyring": "keys/keyring.json",
 "event_log": "events.jsonl",
 "null_sender_policy": "strict",
 "store": {"type": "lmdb", "path": "state/signet.mdb"}$_extra}
EOF
	mv "$OUT/signet.json.tmp" "$OUT/signet.json"
}

make_tls() {
	mkdir -p "$OUT/tls"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj /CN=mx.example.com -keyout "$OUT/tls/key.pem" \
		-out "$OUT/tls/cert.pem" >/dev/null 2>&1 || return 1
	chown "$EXIM_USER" "$OUT/tls/key.pem" "$OUT/tls/cert.pem"
	chmod 600 "$OUT/tls/key.pem"
}

# setup_exim SO_PATH: directories, keys, configs; registers the config.
setup_exim() {
	rm -rf "$OUT"
	mkdir -p "$OUT/spool" "$OUT/log" "$OUT/mail" "$OUT/users" \
		"$OUT/remote-users" "$OUT/state" "$OUT/keys"
	for u in alice bob carol dave postmaster; do
		: >"$OUT/users/$u"
	done
	for u in r1 r2 r3 r4 r5 r6 r7 r8 r9; do
		: >"$OUT/remote-users/$u"
	done
	write_keyring "$KEYRING"
	write_config
	: >"$OUT/events.jsonl"
	echo 'alice: dave@example.com' >"$OUT/senders"
	make_tls || return 1
	sed -e "s|@TOP@|$TOP|g" -e "s|@OUT@|$OUT|g" -e "s|@SO@|$1|g" \
		"$TOP/tests/exim/exim.conf.in" >"$CONF"
	chown -R "$EXIM_USER" "$OUT/spool" "$OUT/log" "$OUT/mail" \
		"$OUT/state" "$OUT/keys" "$OUT/events.jsonl"
	chmod 755 "$OUT" "$OUT/users" "$OUT/remote-users"
	trust_conf "$CONF"
}

# start_exim PORT [CONF [QUEUE]]: foreground daemon in the background.
# QUEUE is its queue-run option, -q30m unless given; "-odq" starts no
# queue runner (whose start-up run would otherwise race with a count).
# A daemon started while another runs on the same spool makes no notifier
# socket (-oY): the first one holds its name, and the bind would fail into
# the panic log.
start_exim() {
	_conf=${2:-$CONF} _noty=
	for _p in $EXIM_PIDS; do
		kill -0 "$_p" 2>/dev/null && _noty=-oY
	done
	"$EXIM" -C "$_conf" -bdf "${3:--q30m}" $_noty -oX "$1" \
		-oP "$OUT/exim-$1.pid" >>"$OUT/daemon-$1.out" 2>&1 &
	EXIM_PIDS="$EXIM_PIDS $!"
	wait_listen "$1"
}

# Waits for the daemon's listening socket with ss, not a connection (which
# would be a session in its log).
wait_listen() {
	_i=0
	while [ $_i -lt 100 ]; do
		ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

stop_exim() {
	for _p in $EXIM_PIDS; do
		kill -TERM "$_p" 2>/dev/null
	done
	for _p in $EXIM_PIDS; do
		wait "$_p" 2>/dev/null
	done
	EXIM_PIDS=""
}

# Number of messages in an mbox.
msg_count() {
	[ -f "$1" ] || { echo 0; return; }
	grep -c '^From ' "$1"
}

# wait_msgs MBOX N: waits up to 10 s until the mbox holds N messages.
wait_msgs() {
	_i=0
	while [ "$(msg_count "$1")" -lt "$2" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(msg_count "$1")" -ge "$2" ]
}

# The last message of an mbox.
last_msg() {
	awk '/^From /{m=""} {m=m $0 "\n"} END{printf "%s", m}' "$1"
}

# header NAME: the values of header NAME (unfolded) in a message on stdin,
# one per line, from its header section only.
header() {
	awk -v name="$1" '
		BEGIN { n = tolower(name) ": " }
		/^$/ { exit }
		/^[ \t]/ { if (cur != "") cur = cur " " substr($0, 2); next }
		{ if (cur != "") print cur; cur = "" }
		tolower(substr($0, 1, length(n))) == n {
			cur = substr($0, length(n) + 1)
		}
		END { if (cur != "") print cur }'
}
