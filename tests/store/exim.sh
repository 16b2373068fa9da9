# The store through the real exim4 daemon (sourced by tests/store/suite.sh
# after the library tests): exact counts under concurrent SMTP sessions,
# fading and revocation with Redis, and mail that keeps flowing when Redis
# dies, the LMDB file is corrupt or unwritable, or liblmdb and libhiredis
# cannot be loaded.  Uses the exim suite's
# private daemon set-up (tests/exim/lib-exim.sh) on 127.0.0.1:2586, with
# its own directory.  Needs root.
XPORT=2586
OUT=$TOP/tests/out/store-exim
. "$TOP/tests/exim/lib-exim.sh"

if [ "$(id -u)" != 0 ] || [ ! -f "$SO" ] || ! command -v swaks >/dev/null
then
	fail exim-setup "needs root, $SO (make all) and swaks"
	return 0
fi
setup_exim "$SO" || { fail exim-setup "cannot set up $OUT"; return 0; }
start_exim $XPORT || { fail exim-setup "exim did not listen on $XPORT"; return 0; }
XLOG=$OUT/log/mainlog
XCONF=$OUT/signet.json
STATE=$OUT/state/signet.mdb

# reply_after REGEX: the code of the server's reply to the first client
# line matching REGEX, in a swaks transcript on stdin
reply_after() {
	awk -v re="$1" '
		!f && /^ *(->|~>) / && $0 ~ re { f = 1; next }
		f && /^<[-~*]* +[2-5][0-9][0-9][ ]/ {
			sub(/^<[-~*]* +/, ""); print substr($0, 1, 3); exit
		}'
}
# rcpt TO: the reply code to RCPT TO:<TO> from MAIL FROM:<>
rcpt() {
	swaks --server 127.0.0.1 --port $XPORT --timeout 20 --from '<>' \
		--to "$1" --quit-after RCPT 2>&1 | reply_after ' RCPT TO:'
}
# bounce_to TO: a whole null-sender message to TO; the reply to its end
bounce_to() {
	printf 'From: MAILER-DAEMON@remote.example\nSubject: bounce\n\nx\n' \
		>"$OUT/bounce.txt"
	swaks --server 127.0.0.1 --port $XPORT --timeout 20 --from '<>' \
		--to "$1" --data "@$OUT/bounce.txt" 2>&1 |
		reply_after '^ *(->|~>) \.$'
}
# bounce_delivered NAME TO USER: a bounce to TO is accepted and reaches
# USER's mailbox
bounce_delivered() {
	_m0=$(msg_count "$OUT/mail/$3")
	expect_eq "$1-bounce-accepted" "$(bounce_to "$2")" 250
	if wait_msgs "$OUT/mail/$3" $((_m0 + 1)); then
		pass "$1-delivered"
	else fail "$1-delivered" "no new message in $OUT/mail/$3"; fi
}
# xconf STORE_JSON [more members]: the module's configuration
xconf() {
	_extra=""
	[ -n "$2" ] && _extra=", $2"
	cat >"$XCONF.tmp" <<EOF
{"domains": ["example.com", "example.net"],
 "keyring": "keys/keyring.json",
 "event_log": "events.jsonl",
 "null_sender_policy": "strict",
 "store": $1$_extra}
EOF
	mv "$XCONF.tmp" "$XCONF"
}
sign() { "$SIGNET" -c "$XCONF" sign "$1"; }
loglines() { wc -l <"$XLOG" 2>/dev/null || echo 0; }

# ---- LMDB: concurrent sessions count exactly ----
xconf "{\"type\": \"lmdb\", \"path\": \"$STATE\"}"
S=$(sign alice@example.com)
expect_match exim-signed "$S" '^alice=sg'
: >"$OUT/conc.out"
# (waits for these jobs only: the daemon is a job of this shell too)
pids=
for w in 1 2 3 4 5 6; do
	(for i in 1 2 3 4 5; do rcpt "$S"; done >>"$OUT/conc.out") &
	pids="$pids $!"
done
wait $pids
expect_eq exim-lmdb-concurrent-250 "$(grep -c '^250$' "$OUT/conc.out")" 30
out=$($ST "$XCONF" lookup "$S" alice@example.com)
expect_eq exim-lmdb-concurrent-count "$(field count "$out")" 30

# the tool's revocation is seen by the next session
"$SIGNET" -c "$XCONF" revoke "$S" --reason "store suite" >/dev/null
expect_eq exim-lmdb-revoked-550 "$(rcpt "$S")" 550
"$SIGNET" -c "$XCONF" unrevoke "$S" >/dev/null
expect_eq exim-lmdb-unrevoked-250 "$(rcpt "$S")" 250

# ---- signet verify gives Exim's answer (signet_rcpt_decide) ----
# For each address, signet verify first (it predicts and counts nothing),
# then a null-sender RCPT to the daemon (which counts): the exit code and
# the reply must agree, 0/250, 2/450, 1/550.  Limits are low so that the
# table reaches use counts and the guessing lock.
xconf "{\"type\": \"lmdb\", \"path\": \"$STATE\"}" \
	'"fade": {"max_uses": 2, "max_forged": 2},
	 "verify_formats": ["signet", "prvs"]'
sleep 1.1 # a daemon looks at its files at most once a second
agree() { # NAME ADDRESS WANT_REPLY
	"$SIGNET" -c "$XCONF" verify "$2" >"$OUT/agree-$1.out" 2>&1
	_rc=$?
	_code=$(rcpt "$2")
	case "$_code" in
	250) _want=0 ;; 450) _want=2 ;; 550) _want=1 ;; *) _want="?" ;;
	esac
	expect_eq "agree-$1" "$_code verify=$_rc" "$3 verify=$_want"
}
day=86400
now=$(date +%s)
# forge ADDR: one character of its tag changed
forge() {
	python3 -c 'import sys
a = sys.argv[1]; i = a.index("=sg") + 5
print(a[:i] + ("a" if a[i] != "a" else "b") + a[i + 1:])' "$1"
}
A1=$(sign bob@example.com)
agree valid "$A1" 250
agree valid-again "$A1" 250
# the third presentation is past max_uses: signet verify must say so
# before Exim counts it
agree over-used "$A1" 450
agree prvs "$("$SIGNET" -c "$XCONF" sign --format prvs bob@example.com)" 250
agree forged "$(forge "$A1")" 550
# a key id the keyring never had
agree unknown-key "$(python3 -c 'import sys
a = sys.argv[1]; i = a.index("=sg") + 3
print(a[:i] + "9" + a[i + 1:])' "$A1")" 550
agree in-grace "$("$SIGNET" -c "$XCONF" --now $((now - 46 * day)) \
	sign carol@example.com)" 450
agree expired "$("$SIGNET" -c "$XCONF" --now $((now - 60 * day)) \
	sign carol@example.com)" 550
A2=$(sign dave@example.com)
"$SIGNET" -c "$XCONF" revoke "$A2" --reason "table" >/dev/null
agree revoked "$A2" 550
A3=$(sign carol@example.com)
P3=$("$SIGNET" -c "$XCONF" sign --format prvs carol@example.com)
"$SIGNET" -c "$XCONF" revoke carol@example.com --reason "left" >/dev/null
agree base-revoked "$A3" 550
# a prvs address has only its day: one signed earlier today is covered
agree base-revoked-prvs "$P3" 550
"$SIGNET" -c "$XCONF" unrevoke carol@example.com >/dev/null
# a base revoked in the very second an address of it was issued
A5=$("$SIGNET" -c "$XCONF" --now "$now" sign erin@example.com)
"$SIGNET" -c "$XCONF" --now "$now" revoke erin@example.com \
	--reason "same second" >/dev/null
agree base-revoked-same-second "$A5" 550
# guessing: two forged addresses of dave reach max_forged; a genuine
# one is then answered 450 like any other of his
A4=$("$SIGNET" -c "$XCONF" sign --message-id '<table@x>' dave@example.com)
F4=$(forge "$A4")
agree forged-1 "$F4" 550
agree forged-2 "$F4" 550
agree locked "$A4" 450
xconf "{\"type\": \"lmdb\", \"path\": \"$STATE\"}"
sleep 1.1

# ---- a corrupt LMDB file: a clear log line, mail flows ----
mv "$STATE" "$STATE.good"
head -c 65536 /dev/urandom >"$STATE"
chown "$EXIM_USER" "$STATE"
n0=$(loglines)
expect_eq exim-lmdb-corrupt-250 "$(rcpt "$S")" 250
bounce_delivered exim-lmdb-corrupt "$S" alice
expect_match exim-lmdb-corrupt-logged "$(tail -n +$((n0 + 1)) "$XLOG")" \
	"signet: state store unreachable, using the signature alone .*state store $STATE: cannot open .*not a usable LMDB file"

# ---- an LMDB file the mail system cannot write ----
rm -f "$STATE"
mv "$STATE.good" "$STATE"
chown root:root "$STATE"
chmod 600 "$STATE"
n0=$(loglines)
expect_eq exim-lmdb-unwritable-250 "$(rcpt "$S")" 250
expect_match exim-lmdb-unwritable-logged \
	"$(tail -n +$((n0 + 1)) "$XLOG")" \
	"signet: state store unreachable, .*state store $STATE: cannot open \(uid [0-9]+\): Permission denied"
chown "$EXIM_USER" "$STATE"

# ---- Redis: fading and revocation answers, then Redis killed ----
start_redis || fail exim-redis-start "redis-server did not start"
# (a generous timeout: counts must be exact on a busy machine too)
xconf "{\"type\": \"redis\", \"host\": \"127.0.0.1\", \"port\": $RPORT, \"timeout_ms\": 1000, \"prefix\": \"x$$:\"}" \
	'"fade": {"max_uses": 2}'
R1=$(sign bob@example.com)
codes="$(rcpt "$R1") $(rcpt "$R1") $(rcpt "$R1")"
expect_eq exim-redis-fading "$codes" "250 250 450"
expect_eq exim-redis-count "$(redis-cli -p $RPORT HGET "x$$:a:$R1" c)" 3
R2=$(sign carol@example.com)
"$SIGNET" -c "$XCONF" revoke carol@example.com --reason "left" >/dev/null
expect_eq exim-redis-base-revoked-550 "$(rcpt "$R2")" 550
"$SIGNET" -c "$XCONF" unrevoke carol@example.com >/dev/null
# the same in Redis
A5=$("$SIGNET" -c "$XCONF" --now "$now" sign frank@example.com)
"$SIGNET" -c "$XCONF" --now "$now" revoke frank@example.com \
	--reason "same second" >/dev/null
agree redis-base-revoked-same-second "$A5" 550
expect_eq exim-redis-base-unrevoked-250 "$(rcpt "$R2")" 250
: >"$OUT/conc.out"
pids=
for w in 1 2 3 4; do
	(for i in 1 2 3 4 5; do rcpt "$R2"; done >>"$OUT/conc.out") &
	pids="$pids $!"
done
wait $pids
# 2 uses above, then 20 at once: all past max_uses, all counted
expect_eq exim-redis-concurrent-450 "$(grep -c '^450$' "$OUT/conc.out")" 20
expect_eq exim-redis-concurrent-count \
	"$(redis-cli -p $RPORT HGET "x$$:a:$R2" c)" 22

kill -KILL "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null
REDIS_PID=
R3=$(sign dave@example.com)
n0=$(loglines)
t0=$(date +%s%N)
expect_eq exim-redis-killed-250 "$(rcpt "$R3")" 250
t1=$(date +%s%N)
bounce_delivered exim-redis-killed "$R3" dave
expect_match exim-redis-killed-logged "$(tail -n +$((n0 + 1)) "$XLOG")" \
	"signet: state store fault, using the signature alone: state store redis 127.0.0.1:$RPORT: .*refused"
echo "RCPT session with Redis dead: $(( (t1 - t0) / 1000000 )) ms (swaks included)"
stop_exim

# ---- liblmdb and libhiredis cannot be loaded: mail flows ----
# The module loads them at the first store open.  This daemon runs in a
# private mount namespace where an empty file hides each library.
libpath() {
	readlink -f "$(ldconfig -p | awk -v l="$1" '$1 == l { print $NF; exit }')"
}
LMDB_SO=$(libpath liblmdb.so.0)
HIREDIS_SO=$(libpath libhiredis.so.0.14)
: >"$OUT/empty.so"
cat >"$OUT/exim-nolibs" <<EOF
#!/bin/sh
exec unshare -m sh -c 'mount --bind "\$0" "$LMDB_SO" &&
	mount --bind "\$0" "$HIREDIS_SO" && exec /usr/sbin/exim4 "\$@"' \\
	"$OUT/empty.so" "\$@"
EOF
chmod 755 "$OUT/exim-nolibs"
if [ -f "$LMDB_SO" ] && [ -f "$HIREDIS_SO" ] &&
	EXIM=$OUT/exim-nolibs start_exim $XPORT; then
	xconf "{\"type\": \"lmdb\", \"path\": \"$STATE\"}"
	n0=$(loglines)
	expect_eq exim-nolib-lmdb-250 "$(rcpt "$S")" 250
	bounce_delivered exim-nolib-lmdb "$S" alice
	expect_match exim-nolib-lmdb-logged "$(tail -n +$((n0 + 1)) "$XLOG")" \
		"signet: state store unreachable, using the signature alone .*cannot load liblmdb\.so\.0 for store\.type \"lmdb\": [^ ]*liblmdb\.so\.0: "
	# the signature still decides
	expect_eq exim-nolib-forged-550 "$(rcpt "$(echo "$S" | sed 's/@/x@/')")" 550
	xconf "{\"type\": \"redis\", \"host\": \"127.0.0.1\", \"port\": $RPORT}"
	n0=$(loglines)
	expect_eq exim-nolib-redis-250 "$(rcpt "$R3")" 250
	expect_match exim-nolib-redis-logged "$(tail -n +$((n0 + 1)) "$XLOG")" \
		"signet: state store unreachable, .*cannot load libhiredis\.so\.0\.14 for store\.type \"redis\""
else
	fail exim-nolib-start "exim did not start with $LMDB_SO and $HIREDIS_SO hidden (unshare -m, mount --bind)"
fi
stop_exim
