#!/bin/sh
# State store: a real LMDB file shared by forked processes, a real
# redis-server on 127.0.0.1 (ports 2580-2589), failures of both, and the
# tool's revoke/unrevoke/show/stats commands.
SUITE=store
. tests/lib.sh
ST=$B/tests/store-tool
D=$TOP/tests/out/store
RPORT=2580
REDIS_PID=

UPID=
APID=
cleanup() {
	[ -n "$APID" ] && kill "$APID" 2>/dev/null && wait "$APID" 2>/dev/null
	[ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null &&
		wait "$REDIS_PID" 2>/dev/null
	[ -n "$UPID" ] && kill "$UPID" 2>/dev/null && wait "$UPID" 2>/dev/null
	command -v stop_exim >/dev/null 2>&1 && stop_exim && untrust_confs
	# leave no file behind that only root can clean
	[ -d "$D" ] && chmod -R u+rwX "$D" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

rm -rf "$D"
mkdir -p "$D"
if [ ! -x "$ST" ]; then
	fail build "$ST missing: run make"
	exit 1
fi

# field NAME LINE: the value of NAME=... in a store-tool line
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }

lmdb_conf() {
	cat >"$1" <<EOF
{"domains": ["isp.example"],
 "store": {"type": "lmdb", "path": "$2", "map_size_mb": 64},
 "fade": {"max_uses": 3, "max_base_uses": 5},
 "event_log": "$D/events.jsonl"}
EOF
}
# redis_conf FILE PORT [TIMEOUT_MS]
redis_conf() {
	cat >"$1" <<EOF
{"domains": ["isp.example"],
 "store": {"type": "redis", "host": "127.0.0.1", "port": $2,
	   "timeout_ms": ${3:-5}, "prefix": "t$$:"},
 "event_log": "$D/events.jsonl"}
EOF
}

# guess_checks NAME CONFIG: forged attempts (signet_guess_check) with
# fade.max_forged 3 and a window of one hour: counted per mailbox (the
# base lower-cased, its sub-address cut off) and per client network;
# the attempt that reaches the limit is answered, the ones after it, and
# right answers too, are held back until an hour passes without another.
guess_checks() {
	_g() { $ST -n "$1" "$2" guess "$3" "$4" "$5"; }
	out=$(_g $NOW "$2" alice+x@isp.example 192.0.2.7 forged)
	expect_eq "$1-guess-first" "$(field status "$out") $(field count "$out") $(field net "$out") $(field locked "$out") $(field mailbox "$out") $(field from "$out")" \
		"ok 1 1 0 alice@isp.example 192.0.2.0/24"
	_g $NOW "$2" alice+y@isp.example 192.0.2.99 forged >/dev/null
	out=$(_g $NOW "$2" ALICE@ISP.EXAMPLE 192.0.2.200 forged)
	expect_eq "$1-guess-limit-reached" "$(field count "$out") $(field net "$out") $(field reached "$out") $(field locked "$out")" \
		"3 3 1 0"
	out=$(_g $NOW "$2" alice+news@isp.example 198.51.100.1 valid)
	expect_eq "$1-guess-locked-right-too" \
		"$(field locked "$out") $(field count "$out")" "1 3"
	out=$(_g $NOW "$2" alice@isp.example 2001:db8:1:2::5 forged)
	expect_eq "$1-guess-locked-counted" "$(field count "$out") $(field net "$out") $(field reached "$out") $(field locked "$out") $(field from "$out")" \
		"4 1 0 1 2001:0db8:0001::/48"
	out=$(_g $NOW "$2" bob@isp.example 192.0.2.7 valid)
	expect_eq "$1-guess-other-mailbox" \
		"$(field locked "$out") $(field count "$out")" "0 0"
	out=$(_g $NOW "$2" bob@isp.example "" forged)
	expect_eq "$1-guess-local-client" "$(field from "$out")" local
	# the lock lasts an hour after the last attempt, then all is forgotten
	# (Redis drops keys by its own clock: see redis-guess-expires)
	[ "$1" = lmdb ] || return 0
	out=$(_g $((NOW + 3500)) "$2" alice@isp.example 192.0.2.7 valid)
	expect_eq "$1-guess-window-holds" "$(field locked "$out")" 1
	out=$(_g $((NOW + 3700)) "$2" alice@isp.example 192.0.2.7 valid)
	expect_eq "$1-guess-window-ends" \
		"$(field locked "$out") $(field count "$out")" "0 0"
	out=$(_g $((NOW + 3700)) "$2" alice@isp.example 192.0.2.7 forged)
	expect_eq "$1-guess-counts-again" \
		"$(field count "$out") $(field locked "$out")" "1 0"
}

# grant_checks NAME CONFIG: uses granted at issue (signet_store_grant)
# raise the limit of the address and of its base (fade.max_uses 3 and
# fade.max_base_uses 5 in CONFIG), and add up over several grants.
grant_checks() {
	_G=grant=sgtest@isp.example _GB=grant@isp.example
	$ST "$2" grant "$_G" "$_GB" 4 >/dev/null
	out=$($ST "$2" lookup "$_G" "$_GB")
	expect_eq "$1-grant-recorded" "$(field count "$out") $(field granted "$out") $(field base_granted "$out")" \
		"0 4 4"
	i=0
	while [ $i -lt 7 ]; do
		out=$($ST "$2" hit "$_G" "$_GB")
		i=$((i + 1))
	done
	expect_eq "$1-grant-7th-use-valid" \
		"$(field count "$out") $(field verdict "$out")" "7 ok"
	out=$($ST "$2" hit "$_G" "$_GB")
	expect_eq "$1-grant-8th-use-fades" \
		"$(field count "$out") $(field verdict "$out")" "8 fading"
	$ST "$2" grant "$_G" "$_GB" 2 >/dev/null
	out=$($ST "$2" hit "$_G" "$_GB")
	expect_eq "$1-grants-add-up" \
		"$(field count "$out") $(field granted "$out") $(field verdict "$out")" \
		"9 6 ok"
	out=$($ST "$2" hit grant=sgother@isp.example "$_GB")
	expect_eq "$1-grant-base-too" \
		"$(field count "$out") $(field base "$out") $(field verdict "$out")" \
		"1 10 ok"
}

A=alice=sgtest@isp.example
BASE=alice@isp.example
NOW=$(date +%s)
# revocation needs addresses that look signed (signet_is_signed)
E1=prvs=1001aaaaaa=e@isp.example
E2=prvs=1001bbbbbb=e@isp.example

# ---- LMDB ----
L=$D/lmdb.json
lmdb_conf "$L" "$D/state.mdb"
out=$($ST "$L" open)
expect_eq lmdb-open "$out" "status=ok type=lmdb"
[ -f "$D/state.mdb" ] && [ -f "$D/state.mdb-lock" ] &&
	pass lmdb-file-created || fail lmdb-file-created "no $D/state.mdb"

out=$($ST "$L" hit "$A" "$BASE")
expect_eq lmdb-first-hit "$(field count "$out") $(field base "$out")" "1 1"
out=$($ST "$L" hit ALICE=SGTEST@ISP.EXAMPLE Alice@isp.example)
expect_eq lmdb-hit-case-folded "$(field count "$out")" 2
out=$($ST "$L" hit bob=sgother@isp.example "$BASE")
expect_eq lmdb-base-counts-all "$(field count "$out") $(field base "$out")" \
	"1 3"

# 8 processes x 250 hits, each opening the file after fork as Exim does
out=$($ST "$L" hammer 8 250 c=sg1@isp.example c@isp.example)
expect_eq lmdb-concurrent-exact \
	"$(field errors "$out") $(field count "$out") $(field base "$out")" \
	"0 2000 2000"
# opened before the fork: children must reopen, not share the parent's
out=$($ST "$L" hammer 6 200 d=sg1@isp.example d@isp.example shared)
expect_eq lmdb-concurrent-inherited \
	"$(field errors "$out") $(field count "$out")" "0 1200"

# revocation of one signed address, and of a base before a time
out=$($ST "$L" revoke $E1)
expect_eq lmdb-revoke-addr "$(field status "$out")" ok
out=$($ST "$L" hit $E1 e@isp.example $((NOW - 10)))
expect_eq lmdb-revoked-addr "$(field revoked "$out") $(field reason "$out")" \
	"1 test"
out=$($ST "$L" hit $E2 e@isp.example $((NOW - 10)))
expect_eq lmdb-other-addr-not-revoked "$(field revoked "$out")" 0
$ST "$L" unrevoke $E1 >/dev/null
out=$($ST "$L" hit $E1 e@isp.example $((NOW - 10)))
expect_eq lmdb-unrevoked "$(field revoked "$out")" 0
$ST "$L" revoke f@isp.example $((NOW - 100)) >/dev/null
out=$($ST "$L" hit f=sgold@isp.example f@isp.example $((NOW - 200)))
expect_eq lmdb-base-revoked-before "$(field revoked "$out")" 1
out=$($ST "$L" hit f=sgnew@isp.example f@isp.example $((NOW - 50)))
expect_eq lmdb-base-not-revoked-after "$(field revoked "$out")" 0

# a base revocation covers what was issued before it, by the issue time
# the caller gives (for prvs, signet_rcpt_decide dates it)
DAY=86400
$ST "$L" revoke p@isp.example $((NOW - 3 * DAY)) >/dev/null
out=$($ST "$L" hit prvs=1001cccccc=p@isp.example p@isp.example \
	$((NOW - 5 * DAY)) $((NOW - 5 * DAY + 14 * DAY)))
expect_eq lmdb-base-revoked-prvs-before "$(field revoked "$out")" 1
out=$($ST "$L" hit prvs=1001dddddd=p@isp.example p@isp.example \
	$((NOW - 1 * DAY)) $((NOW - 1 * DAY + 14 * DAY)))
expect_eq lmdb-base-not-revoked-prvs-after "$(field revoked "$out")" 0

# expiry: records live until expires + grace, then go
out=$($ST "$L" hit g=sgx@isp.example g@isp.example $((NOW - 100)) \
	$((NOW + 60)))
out=$($ST -n $((NOW + 60 + 8 * 86400)) "$L" hit g=sgx@isp.example \
	g@isp.example $((NOW - 100)) $((NOW + 60)))
expect_eq lmdb-expired-count-restarts "$(field count "$out")" 1
out=$($ST -n $((NOW + 400 * 86400)) "$L" purge)
expect_match lmdb-purge-removes "$out" 'status=ok removed=[1-9]'
out=$($ST "$L" list)
expect_eq lmdb-purge-empties "$out" "status=ok"

cat >"$D/guess.json" <<EOF
{"domains": ["isp.example"],
 "store": {"type": "lmdb", "path": "$D/guess.mdb"},
 "fade": {"max_forged": 3, "forged_window_hours": 1}}
EOF
guess_checks lmdb "$D/guess.json"
lmdb_conf "$D/grant.json" "$D/grant.mdb"
grant_checks lmdb "$D/grant.json"

# a broken file: clear message, SIGNET_E_IO, no crash
head -c 65536 /dev/urandom >"$D/corrupt.mdb"
lmdb_conf "$D/corrupt.json" "$D/corrupt.mdb"
out=$($ST "$D/corrupt.json" hit "$A" "$BASE" 2>&1)
rc=$?
expect_eq lmdb-corrupt-rc "$rc" 1
expect_match lmdb-corrupt-message "$out" \
	"status=io error=state store $D/corrupt.mdb: .*(Invalid argument|not an LMDB|MDB_INVALID).*move it away"
# a truncated file (pages missing): refused before LMDB touches them
lmdb_conf "$D/trunc.json" "$D/trunc.mdb"
$ST "$D/trunc.json" hammer 1 3000 h=sg1@isp.example h@isp.example \
	>/dev/null 2>&1
for i in $(seq 1 300); do
	$ST "$D/trunc.json" hit "h=sg$i@isp.example" h@isp.example
done >/dev/null
truncate -s 8192 "$D/trunc.mdb"
out=$($ST "$D/trunc.json" hit "$A" "$BASE" 2>&1)
expect_match lmdb-truncated-message "$out" \
	"status=io error=state store $D/trunc.mdb: the file is truncated"
# unwritable: the mail system's user cannot write the file
mkdir -p "$D/ro"
lmdb_conf "$D/ro.json" "$D/ro/state.mdb"
$ST "$D/ro.json" open >/dev/null
chmod 0755 "$D" "$D/ro"
chmod 0644 "$D/ro/state.mdb" "$D/ro/state.mdb-lock" "$D/ro.json"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$ST" "$D/ro.json" hit "$A" "$BASE" 2>&1)
expect_match lmdb-unwritable-message "$out" \
	"status=io error=state store $D/ro/state.mdb: cannot open \(uid 65534\): Permission denied; .*writable"
out=$(lmdb_conf "$D/nodir.json" "$D/nodir/state.mdb";
	$ST "$D/nodir.json" hit "$A" "$BASE" 2>&1)
expect_match lmdb-missing-dir-message "$out" \
	"status=io error=state store $D/nodir/state.mdb: .*No such file"

# ---- Redis ----
if ! command -v redis-server >/dev/null; then
	fail redis-server "not installed (tests/deps.sh)"
	exit 1
fi
start_redis() {
	redis-server --port $RPORT --bind 127.0.0.1 --save "" \
		--appendonly no --daemonize no --dir "$D" \
		>>"$D/redis.log" 2>&1 &
	REDIS_PID=$!
	# (wait_port needs bash's /dev/tcp; this suite runs under sh)
	for _i in $(seq 1 100); do
		redis-cli -p $RPORT PING 2>/dev/null | grep -q PONG && return 0
		sleep 0.1
	done
	return 1
}
if start_redis; then pass redis-start
else fail redis-start "redis-server did not listen on $RPORT"; exit 1; fi
R=$D/redis.json
redis_conf "$R" $RPORT
# the functional checks use a generous timeout: a busy machine may miss a
# 5 ms deadline, which only the timing checks below are about
RS=$D/redis-slow.json
redis_conf "$RS" $RPORT 2000

out=$($ST "$RS" hit "$A" "$BASE")
expect_eq redis-first-hit "$(field status "$out") $(field count "$out")" \
	"ok 1"
out=$($ST "$RS" hammer 8 250 c=sg1@isp.example c@isp.example)
expect_eq redis-concurrent-exact \
	"$(field errors "$out") $(field count "$out") $(field base "$out")" \
	"0 2000 2000"
out=$($ST "$RS" hammer 4 100 d=sg1@isp.example d@isp.example shared)
expect_eq redis-concurrent-inherited \
	"$(field errors "$out") $(field count "$out")" "0 400"
$ST "$RS" revoke $E1 >/dev/null
out=$($ST "$RS" hit $E1 e@isp.example $((NOW - 10)))
expect_eq redis-revoked-addr "$(field revoked "$out") $(field reason "$out")" \
	"1 test"
$ST "$RS" unrevoke $E1 >/dev/null
out=$($ST "$RS" hit $E1 e@isp.example $((NOW - 10)))
expect_eq redis-unrevoked "$(field revoked "$out")" 0
$ST "$RS" revoke f@isp.example $((NOW - 100)) >/dev/null
out=$($ST "$RS" hit f=sgold@isp.example f@isp.example $((NOW - 200)))
expect_eq redis-base-revoked-before "$(field revoked "$out")" 1
out=$($ST "$RS" hit f=sgnew@isp.example f@isp.example $((NOW - 50)))
expect_eq redis-base-not-revoked-after "$(field revoked "$out")" 0
ttl=$(redis-cli -p $RPORT TTL "t$$:a:$A")
[ "$ttl" -gt 0 ] 2>/dev/null && pass redis-keys-expire ||
	fail redis-keys-expire "TTL of t$$:a:$A is '$ttl'"
# the server forgets the script (SCRIPT FLUSH, restart) under a live
# connection: the next hit runs it again without a fault
$ST "$RS" timed 100 sf=sg1@isp.example sf@isp.example 10 >"$D/flush.out" &
tp=$!
sleep 0.4
redis-cli -p $RPORT SCRIPT FLUSH >/dev/null
wait $tp
expect_match redis-script-reloaded "$(cat "$D/flush.out")" \
	'^ok=100 io=0 other=0 logged=0 '
out=$($ST "$RS" lookup sf=sg1@isp.example sf@isp.example)
expect_eq redis-script-reloaded-count "$(field count "$out")" 100

# a Redis on the hub itself, over a Unix socket
redis-server --port 0 --unixsocket "$D/redis.sock" --unixsocketperm 700 \
	--save "" --appendonly no --daemonize no --dir "$D" \
	>>"$D/redis-unix.log" 2>&1 &
UPID=$!
for _i in $(seq 1 100); do [ -S "$D/redis.sock" ] && break; sleep 0.1; done
cat >"$D/unix.json" <<EOF
{"domains": ["isp.example"], "store": {"type": "redis",
 "host": "$D/redis.sock", "timeout_ms": 1000}}
EOF
$ST "$D/unix.json" hit "$A" "$BASE" >/dev/null
out=$($ST "$D/unix.json" hit "$A" "$BASE")
expect_eq redis-unix-socket "$(field status "$out") $(field count "$out")" \
	"ok 2"
kill "$UPID"
wait "$UPID" 2>/dev/null
UPID=
out=$($ST "$D/unix.json" hit "$A" "$BASE")
expect_match redis-unix-down-message "$out" \
	"^fault=state store redis $D/redis.sock: connect: "

# redis_fade_conf FILE PREFIX FADE: a Redis store with the fade settings
redis_fade_conf() {
	cat >"$1" <<EOF
{"domains": ["isp.example"],
 "store": {"type": "redis", "host": "127.0.0.1", "port": $RPORT,
	   "timeout_ms": 2000, "prefix": "$2"},
 "fade": $3}
EOF
}
redis_fade_conf "$D/guess-redis.json" "g$$:" \
	'{"max_forged": 3, "forged_window_hours": 1}'
guess_checks redis "$D/guess-redis.json"
redis_fade_conf "$D/grant-redis.json" "G$$:" '{"max_uses": 3, "max_base_uses": 5}'
grant_checks redis "$D/grant-redis.json"
ttl=$(redis-cli -p $RPORT TTL "g$$:a:forged alice@isp.example")
[ "$ttl" -gt 3500 ] 2>/dev/null && [ "$ttl" -le 3600 ] &&
	pass redis-guess-expires ||
	fail redis-guess-expires "TTL of the mailbox's count is '$ttl', not an hour"

# ---- a Redis that wants a password, and an ACL user (port 2582) ----
APORT=2582
APW=pw-$$-secret
redis-server --port $APORT --bind 127.0.0.1 --save "" --appendonly no \
	--daemonize no --dir "$D" --requirepass "$APW" \
	>>"$D/redis-auth.log" 2>&1 &
APID=$!
acli() { redis-cli -p $APORT -a "$APW" --no-auth-warning "$@"; }
for _i in $(seq 1 100); do
	acli PING 2>/dev/null | grep -q PONG && break
	sleep 0.1
done
# the ACL docs/STATE.md suggests, with this run's prefix
acli ACL SETUSER signet on ">user-pw-$$" "~t$$:*" '+@all' '-@dangerous' \
	>/dev/null
umask 077
printf '%s\n' "$APW" >"$D/redis.pw"
printf 'not-it-%s\n' $$ >"$D/wrong.pw"
printf 'user-pw-%s\n' $$ >"$D/user.pw"
umask 022
auth_conf() { # FILE JSON-MEMBERS
	cat >"$1" <<EOF
{"domains": ["isp.example"], "store": {"type": "redis", "host": "127.0.0.1",
 "port": $APORT, "timeout_ms": 2000, "prefix": "t$$:"$2}}
EOF
}
auth_conf "$D/a-none.json" ""
out=$($ST "$D/a-none.json" hit "$A" "$BASE")
expect_match redis-auth-missing-says-so "$out" \
	"^fault=state store redis 127.0.0.1:$APORT: .*NOAUTH"
auth_conf "$D/a-ok.json" ", \"password_file\": \"$D/redis.pw\""
out=$($ST "$D/a-ok.json" hit "$A" "$BASE")
expect_eq redis-auth-password "$(field status "$out") $(field count "$out")" \
	"ok 1"
auth_conf "$D/a-user.json" \
	", \"user\": \"signet\", \"password_file\": \"$D/user.pw\""
out=$($ST "$D/a-user.json" hit "$A" "$BASE")
expect_eq redis-auth-acl-user "$(field status "$out") $(field count "$out")" \
	"ok 2"
auth_conf "$D/a-wrong.json" ", \"password_file\": \"$D/wrong.pw\""
out=$($ST "$D/a-wrong.json" hit "$A" "$BASE" 2>&1)
expect_match redis-auth-wrong-refused "$out" \
	"^fault=state store redis 127.0.0.1:$APORT: AUTH: WRONGPASS"
expect_nomatch redis-auth-wrong-not-logged "$out" "not-it-$$"
cp "$D/redis.pw" "$D/open.pw"
chmod 644 "$D/open.pw"
auth_conf "$D/a-open.json" ", \"password_file\": \"$D/open.pw\""
out=$($ST "$D/a-open.json" hit "$A" "$BASE" 2>&1)
expect_match redis-auth-readable-file-refused "$out" \
	"status=config error=store.password_file $D/open.pw: mode 0644 lets group or others read the password"
: >"$D/empty.pw"
chmod 600 "$D/empty.pw"
auth_conf "$D/a-empty.json" ", \"password_file\": \"$D/empty.pw\""
out=$($ST "$D/a-empty.json" hit "$A" "$BASE" 2>&1)
expect_match redis-auth-empty-file-refused "$out" \
	"status=config error=store.password_file $D/empty.pw: expected the password on its first line"
expect_nomatch redis-auth-password-never-printed \
	"$(cat "$D"/*.out 2>/dev/null; $ST "$D/a-ok.json" hit "$A" "$BASE")" \
	"$APW"
kill "$APID"
wait "$APID" 2>/dev/null
APID=

# the tool against Redis: listing (SCAN) and a base revocation; so far
# 7 addresses (alice, c, d, e-one, f-old, f-new, sf) of 6 bases, f revoked
if [ -x "$SIGNET" ]; then
	out=$("$SIGNET" -c "$R" stats --json --days 1 | python3 -c '
import json, sys
s = json.load(sys.stdin)["store"]
print(s["type"], s["addresses"], s["bases"], s["revoked"], s["bases_revoked"])
' 2>&1)
	expect_eq tool-stats-redis "$out" "redis 7 6 0 1"
	out=$("$SIGNET" -c "$R" show f@isp.example)
	expect_match tool-show-redis "$out" \
		'^base revoked: addresses issued before .*: test'
fi

# bounded NAME TIMED_OUTPUT: with timeout_ms 5, at most 1% of the calls
# take over 25 ms (the machine may be busy with other work), and none
# waits for the server (the stop lasts 500 ms; TCP alone would wait for
# minutes)
bounded() {
	_max=$(field max_us "$2")
	_slow=$(field slow "$2")
	_n=$(( $(field ok "$2") + $(field io "$2") ))
	if [ -n "$_max" ] && [ "$_max" -lt 250000 ] &&
	   [ $((_slow * 100)) -le "$_n" ]; then
		pass "$1-bounded (slowest ${_max} us, $_slow of $_n over 25 ms)"
	else
		fail "$1-bounded" "slowest ${_max} us, $_slow of $_n calls over 25 ms"
	fi
}

# a hung server (SIGSTOP): every call gives up within the timeout
$ST "$R" timed 900 s=sg1@isp.example s@isp.example 5 >"$D/stop.out" &
tp=$!
sleep 0.3
kill -STOP "$REDIS_PID"
sleep 0.5
kill -CONT "$REDIS_PID"
wait $tp
out=$(cat "$D/stop.out")
echo "hung redis: $out"
expect_match redis-hung-gives-io "$out" 'ok=[1-9][0-9]* io=[1-9]'
expect_match redis-hung-recovers "$out" 'recovered=[1-9]'
bounded redis-hung "$out"
expect_match redis-hung-logged-once "$out" 'logged=1 '

# killed mid-run: calls fail fast, the process survives (SIGPIPE), and
# the store comes back once the server does
$ST "$R" timed 600 k=sg1@isp.example k@isp.example 10 >"$D/kill.out" &
tp=$!
sleep 0.5
kill -KILL "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null
REDIS_PID=
sleep 0.5
start_redis
wait $tp
rc=$?
out=$(cat "$D/kill.out")
echo "killed redis: $out"
expect_eq redis-killed-survives "$rc" 0
expect_match redis-killed-gives-io "$out" 'io=[1-9]'
bounded redis-killed "$out"
# 600 calls 10 ms apart: the 3 s back-off ends before they do
rec=$(field recovered "$out")
[ "${rec:-0}" -gt 0 ] && pass "redis-recovers ($rec calls ok again)" ||
	fail redis-recovers "no call succeeded after the restart: $out"
kill "$REDIS_PID" 2>/dev/null
wait "$REDIS_PID" 2>/dev/null
REDIS_PID=
out=$($ST "$R" hit "$A" "$BASE")
expect_match redis-down-status "$out" "^status=io "
expect_match redis-down-message "$out" \
	"^fault=state store redis 127.0.0.1:$RPORT: connect: .*refused"
# guessing with the store down: not locked, the signature decides
out=$($ST "$D/guess-redis.json" guess alice@isp.example 192.0.2.7 forged)
expect_eq redis-down-guess-not-locked \
	"$(field status "$out") $(field locked "$out")" "io 0"

# ---- the tool: revoke, unrevoke, show, stats ----
if [ ! -x "$SIGNET" ]; then
	fail tool "$SIGNET missing: run make"
	exit 0
fi
C=$D/tool.json
lmdb_conf "$C" "$D/tool.mdb"
: >"$D/events.jsonl"
S() { "$SIGNET" -c "$C" "$@"; }
out=$(S revoke $E1 --reason "leaked on a list" 2>&1)
expect_eq tool-revoke-rc $? 0
expect_eq tool-revoke-says "$out" "revoked $E1: leaked on a list"
out=$($ST "$C" hit $E1 e@isp.example $((NOW - 10)))
expect_eq tool-revoke-seen-by-store \
	"$(field revoked "$out") $(field reason "$out")" "1 leaked"
expect_match tool-revoke-event "$(tail -n 1 "$D/events.jsonl")" \
	'"event":"revoked","addr":"'$E1'".*"reason":"leaked on a list"'
out=$(S show $E1 --json)
expect_match tool-show-json-reason "$out" '"reason": "leaked on a list"'
expect_match tool-show-json-uses "$out" '"uses": 1,'
expect_match tool-show-json-base "$out" '"base": "e@isp.example"'
out=$(S show $E1)
expect_match tool-show-text "$out" '^revoked: +yes, at .*: leaked on a list'
expect_match tool-show-text-events "$out" '^events: +1$'
expect_rc tool-unrevoke-rc 0 S unrevoke $E1
out=$($ST "$C" hit $E1 e@isp.example $((NOW - 10)))
expect_eq tool-unrevoke-seen-by-store "$(field revoked "$out")" 0
out=$(S unrevoke $E1)
expect_eq tool-unrevoke-twice "$out" "was not revoked: $E1"
S revoke g@isp.example --before $((NOW - 3600)) --reason "account closed" \
	>/dev/null
out=$($ST "$C" hit g=sgold@isp.example g@isp.example $((NOW - 7200)))
expect_eq tool-revoke-base-old "$(field revoked "$out")" 1
out=$($ST "$C" hit g=sgnew@isp.example g@isp.example $((NOW - 60)))
expect_eq tool-revoke-base-new "$(field revoked "$out")" 0
out=$(S show g@isp.example)
expect_match tool-show-base "$out" \
	'^base revoked: addresses issued before .*: account closed'
out=$(S revoke 'not an address' 2>&1)
expect_match tool-revoke-bad-address "$out" \
	'"not an address" is not an address; expected local@domain'
expect_rc tool-revoke-bad-address-rc 3 S revoke 'not an address'
expect_rc tool-revoke-before-signed-rc 3 S revoke $E1 --before $NOW
expect_rc tool-revoke-bad-time-rc 3 S revoke g@isp.example --before yesterday
# a store that cannot take it: say so, exit 2 (temporary)
redis_conf "$D/down.json" 2589
out=$("$SIGNET" -c "$D/down.json" revoke $E1 2>&1)
expect_match tool-revoke-store-down "$out" \
	"not revoked: state store redis 127.0.0.1:2589: connect: .*refused"
expect_rc tool-revoke-store-down-rc 2 "$SIGNET" -c "$D/down.json" revoke $E1

# stats over an event feed written as the Exim module writes it
day() { date -u -d "@$(( NOW - $1 * 86400 ))" +%Y-%m-%dT%H:%M:%SZ; }
for i in 0 1 2; do
	printf '{"ts":"%s","event":"issued","addr":"x","owner":"a@isp.example"}\n' "$(day $i)"
	printf '{"ts":"%s","event":"rejected","rcpt":"y","verdict":"forged","owner":"Victim@isp.example"}\n' "$(day $i)"
	printf '{"ts":"%s","event":"rejected","rcpt":"y","verdict":"forged","owner":"victim@isp.example"}\n' "$(day $i)"
	printf '{"ts":"%s","event":"deferred","rcpt":"y","verdict":"fading","owner":"b@isp.example"}\n' "$(day $i)"
	printf '{"ts":"%s","event":"verified","rcpt":"y","verdict":"valid","owner":"b@isp.example"}\n' "$(day $i)"
done >>"$D/events.jsonl"
printf '{"ts":"%s","event":"issued"}\n' "$(day 40)" >>"$D/events.jsonl"
echo 'not json' >>"$D/events.jsonl"
out=$(S stats --json --days 7)
expect_rc tool-stats-rc 0 S stats --json --days 7
got=$(printf '%s' "$out" | python3 -c '
import json, sys
o = json.load(sys.stdin)
t = o["totals"]
print(o["days"], len(o["per_day"]), t["issued"], t["verified"], t["refused"],
      t["fading"], t["revoked"], o["top_abused"][0]["base"],
      o["top_abused"][0]["count"], o["refused_by"]["forged"], o["bad_lines"],
      o["store"]["type"], o["store"]["bases_revoked"],
      o["per_day"][-1]["refused"])' 2>&1)
expect_eq tool-stats-json \
	"$got" "7 7 3 3 6 3 2 victim@isp.example 6 6 1 lmdb 1 2"
S stats --days 7 --html "$D/report.html" >/dev/null
h=$(cat "$D/report.html" 2>/dev/null)
expect_match tool-stats-html-svg "$h" '<svg xmlns="http://www.w3.org/2000/svg"'
expect_match tool-stats-html-polyline "$h" '<polyline .*<title>refused</title>'
expect_match tool-stats-html-end "$h" '</html>'
expect_nomatch tool-stats-html-self-contained "$h" \
	'<script|<link|src="|href="'
expect_match tool-stats-html-abused "$h" '<td>victim@isp.example</td>'
S stats --days 7 --svg "$D/report.svg" >/dev/null
if python3 -c "import xml.dom.minidom as m; m.parse('$D/report.svg')" \
	2>/dev/null; then pass tool-stats-svg-well-formed
else fail tool-stats-svg-well-formed "$D/report.svg"; fi
expect_rc tool-stats-bad-days 3 S stats --days 0
# what remote hosts put in the feed must not reach the terminal raw
printf '{"ts":"%s","event":"rejected","verdict":"x\\u001b[2J","owner":"e\\u001b]0;t\\u0007@isp.example","rcpt":"e\\u001b@isp.example"}\n' \
	"$(day 0)" >>"$D/events.jsonl"
out=$(S stats --days 2; S show 'e@isp.example')
if printf '%s' "$out" | grep -q "$(printf '\033')"; then
	fail tool-output-no-control-chars "ESC in the output of stats/show"
else pass tool-output-no-control-chars; fi
expect_match tool-output-cleaned "$out" 'e\\e]0;t\\a@isp\.example'

# ---- through the real Exim ----
. "$TOP/tests/store/exim.sh"
exit 0
