#!/bin/sh
# make demo: starts an ISP hub (isp.example: Exim with signet, Dovecot with
# the plugin, LMDB state) and a remote site (remote.example: stock Exim
# that checks senders by callout) on 127.0.0.1 ports 2590-2594, tells the
# story step by step, and leaves both running to try by hand.
# make demo-stop (demo.sh stop) ends only the processes the demo started.
# E2E_HUB=debian runs the hub on Debian's split configuration instead of
# the plain one (tests/e2e/lib-e2e.sh).
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-$TOP/build}
SUITE=demo
. "$TOP/tests/lib.sh"
# DEMO_DIR and DEMO_PORT move it (the e2e suite runs it on its own ports).
E2E=${DEMO_DIR:-$TOP/tests/out/demo}
E2E_PORT=${DEMO_PORT:-2590}
. "$TOP/tests/e2e/lib-e2e.sh"
SIGNET=$B/tool/signet

die() {
	echo "demo: $*" >&2
	exit 1
}

if [ "$1" = stop ]; then
	e2e_stop
	echo "demo: stopped (the hub's and the remote site's Exim, Dovecot)"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "run as root: it starts private Exim and Dovecot"
for f in "$SO" "$DP_SO" "$SIGNET"; do
	[ -f "$f" ] || die "missing $f: run 'make' first"
done
e2e_stop
e2e_setup || die "setup failed: $E2E_ERR"
e2e_start || { e2e_stop; die "cannot start: $E2E_ERR"; }

HUBLOG=$HUB/log/mainlog
RLOG=$REMOTE/log/mainlog
ALICE=$DC_DIR/home/alice@isp.example/Maildir
BOB=$DC_DIR/home/bob@isp.example/Maildir
RBOB=$REMOTE/mail/bob

STEP=0
MISSING=0
step() {
	STEP=${1%%:*}
	printf '\n== Step %s\n' "$*"
}
# say TEXT: one statement, wrapped, indented.
say() {
	printf '%s\n' "$*" | fold -s -w 74 | sed '1s/^/ * /; 2,$s/^/   /'
}
# quote TEXT: what a party sees, verbatim, wrapped.
quote() {
	printf '%s\n' "$*" | fold -s -w 70 | sed 's/^/     | /'
}
# expect WHAT GOT REGEX: one outcome of the story.  When GOT does not match,
# says which step missed what, and what came instead; the demo then exits
# non-zero at the end.
expect() {
	if [ -n "$2" ] && printf '%s\n' "$2" | grep -Eq -- "$3"; then
		return 0
	fi
	MISSING=$((MISSING + 1))
	printf ' !! step %s: expected %s; got:\n' "$STEP" "$1"
	if [ -n "$2" ]; then
		printf '%s\n' "$2" | tail -n 8 | cut -c1-200 | sed 's/^/     ! /'
	else
		echo "     ! (nothing)"
	fi
	return 1
}
# need WHAT GOT REGEX: an outcome that later steps build on; without it
# the story cannot go on.
need() {
	expect "$@" && return 0
	echo "demo: step $STEP failed (expected $1), and the rest of the" \
		"story depends on it; the sites keep running: make demo-stop" \
		"ends them" >&2
	exit 1
}
last_line() { # LOG REGEX: the last log line matching, without the date
	grep -E -- "$2" "$1" | tail -n 1 | cut -d' ' -f3-
}
# result_of USER: Subject and Signet-Result of the user's newest message
# (as POP3 TOP shows them), in RESULT.
result_of() {
	_pop=$(pop3_last "$1" 2>&1)
	RESULT=$(printf 'Subject: %s\nSignet-Result: %s\n' \
		"$(printf '%s\n' "$_pop" | header Subject)" \
		"$(printf '%s\n' "$_pop" | header Signet-Result)")
}
# arrived DIR N: waits for the Nth message in a maildir.
arrived() {
	wait_count "$1" "$2" ||
		expect "message $2 in $1" "$(maildir_count "$1") there" '^$'
}
SIG='=sg0[a-z2-7]{26}@isp\.example'

echo "signet demo: hub isp.example on 127.0.0.1:$HUB_PORT (SMTP), \
$IMAP_PORT (IMAP), $POP3_PORT (POP3);"
echo "remote.example on 127.0.0.1:$REMOTE_PORT.  Users alice@isp.example \
and bob@isp.example, password '$PASSWORD'."
echo "The hub's null_sender_policy is 'strict' (step 4 also shows 'tag', \
the default)."

# ---- 1 ----
step "1: alice sends mail to bob@remote.example"
M1=m1-$$@isp.example
msg "$E2E/m1" "$M1" alice@isp.example bob@remote.example "lunch?"
t=$(submit alice alice@isp.example bob@remote.example "$E2E/m1")
r=$(data_reply "$t")
need "the hub to accept alice's submission (STARTTLS, AUTH)" "${r:-$t}" '^250 '
say "alice logs in (STARTTLS, AUTH) and submits; the hub answers: $r"
S1=$(header Return-path <"$(wait_msgid "$RBOB" "$M1")" | tr -d '<>')
need "a signed return address at remote.example" "$S1" "^alice$SIG\$"
say "remote.example receives it from the signed address:"
quote "$S1"
l=$(last_line "$HUBLOG" "signet: rcpt <$S1>")
expect "the hub to accept remote.example's callout" "$l" 'accept valid' &&
	say "remote.example checked that address with a callout to the hub \
(MAIL FROM:<>, RCPT TO:<address>); the hub's log says:" && quote "$l"
msg "$E2E/m1b" "m1b-$$@isp.example" bob@isp.example bob@remote.example \
	"from bob, honest"
t=$(submit alice bob@isp.example bob@remote.example "$E2E/m1b")
r=$(data_reply "$t")
expect "the hub to accept alice's mail as bob" "${r:-$t}" '^250 '
wait_queues
l=$(last_line "$HUBLOG" 'signet: sender <bob@isp.example> sent as' |
	cut -d' ' -f2-)
expect "the hub to send it with alice's own signed address" "$l" \
	"sent as <alice$SIG>" &&
	say "alice now tries to send as bob@isp.example.  The hub never \
vouches for an address that is not hers: the message goes out with her own \
signed address as its envelope sender (From: still says bob), so a bounce \
would come back to alice:" && quote "$l"
f=$(wait_msgid "$RBOB" "m1b-$$@isp.example")
l="Return-path: $(header Return-path <"$f"); From: $(header From <"$f")"
expect "remote.example to receive it from alice's signed address" "$l" \
	"^Return-path: <alice$SIG>; From: bob@isp\.example\$" &&
	say "remote.example receives it as:" && quote "$l"

# ---- 2 ----
step "2: remote.example bounces alice's mail to an unknown user"
M2=m2-$$@isp.example
msg "$E2E/m2" "$M2" alice@isp.example nobody@remote.example "report"
t=$(submit alice alice@isp.example nobody@remote.example "$E2E/m2")
r=$(data_reply "$t")
expect "the hub to accept alice's submission" "${r:-$t}" '^250 '
arrived "$ALICE" 1
l=$(last_line "$RLOG" '\*\* nobody@remote' | cut -d' ' -f2-)
expect "remote.example to bounce nobody@remote.example" "$l" \
	'nobody@remote.example' && say "remote.example's Exim: $l"
result_of alice@isp.example
expect "the genuine-reply line for alice" "$RESULT" \
	'Signet-Result: genuine reply to your message of' &&
	say "The bounce goes to alice's signed address; the hub checks it \
and delivers it.  alice's POP3 program shows (TOP 1 0):" && quote "$RESULT"
k=$(imap_last alice@isp.example 2>&1)
expect "the keyword \$SignetVerified" "$k" '\$SignetVerified' &&
	say "Over IMAP the message has the keywords: $k"

# ---- 3 ----
step "3: a spammer forges alice's address to remote.example"
msg "$E2E/m3" "m3-$$@spam.example" alice@isp.example bob@remote.example \
	"cheap pills"
t=$(smtp_to remote --from alice@isp.example --to bob@remote.example \
	--data "@$E2E/m3")
r=$(rcpt_reply "$t" | sed 's/ Called: .* Sender/ ... Sender/')
expect "remote.example to refuse the forgery with 550" "${r:-$t}" '^550 ' &&
	say "MAIL FROM:<alice@isp.example>, RCPT TO:<bob@remote.example>; \
remote.example answers:" && quote "$r"
l=$(last_line "$HUBLOG" 'signet: rcpt <alice@isp.example> from <>')
expect "the hub to refuse the callout for alice@isp.example" "$l" \
	'reject unsigned-bounce' &&
	say "because its callout to the hub got:" && quote "$l"
sig=${S1#alice=sg0}
sig=${sig%@isp.example}
if [ "$(printf '%s' "$sig" | cut -c1)" = a ]; then c=b; else c=a; fi
TAMPERED="alice=sg0$c$(printf '%s' "$sig" | cut -c2-)@isp.example"
t=$(smtp_to remote --from "$TAMPERED" --to bob@remote.example \
	--data "@$E2E/m3")
r=$(rcpt_reply "$t")
expect "remote.example to refuse a tampered signed address with 550" \
	"${r:-$t}" '^550 ' &&
	say "With a copied signed address, one letter changed: \
$(printf '%s' "$r" | cut -c1-60)..."

# ---- 4 ----
step "4: backscatter: other sites bounce the forgeries to the hub"
dsn "$E2E/d4" alice@isp.example "m3-$$@spam.example" alice@isp.example \
	elsewhere.example
t=$(smtp_to hub --from '<>' --to alice@isp.example --data "@$E2E/d4")
r=$(rcpt_reply "$t")
expect "550 for a bounce to an unsigned address (strict)" "${r:-$t}" \
	'^550 5\.7\.1 .*not signed' &&
	say "Policy 'strict'.  A bounce to alice@isp.example (never used as \
a return address):" && quote "$(printf '%s' "$r" | cut -c1-120)..."
t=$(smtp_to hub --from '<>' --to "$TAMPERED" --data "@$E2E/d4")
r=$(rcpt_reply "$t")
expect "550 for a bounce to the tampered address" "${r:-$t}" \
	'^550 5\.7\.1 .*not issued by our mail system' &&
	say "A bounce to the tampered signed address:" &&
	quote "$(printf '%s' "$r" | cut -c1-110)..."
E2E_POLICY=tag hub_config
n=$(maildir_count "$ALICE")
smtp_to hub --helo mx.elsewhere.example --from '<>' \
	--to alice@isp.example --data "@$E2E/d4" >/dev/null
arrived "$ALICE" $((n + 1))
result_of alice@isp.example
expect "the unsigned-bounce line (tag)" "$RESULT" \
	'Signet-Result: UNSIGNED BOUNCE' &&
	say "Policy 'tag' (the default): the same bounce is delivered, and \
alice sees:" && quote "$RESULT"
k=$(imap_last alice@isp.example 2>&1)
r=$(rcpt_reply "$(smtp_to hub --from '<>' --to "$TAMPERED" \
	--quit-after RCPT)")
expect "the keyword \$SignetUnsignedBounce" "$k" '\$SignetUnsignedBounce' &&
	expect "550 for the tampered address under 'tag' too" "$r" '^550 ' &&
	say "Keywords: $k.  The tampered address is still refused: \
$(printf '%s' "$r" | cut -c1-9)"
dsn "$E2E/d4b" "$S1" "m3-$$@spam.example" "$S1" elsewhere.example
smtp_to hub --helo mx.elsewhere.example --from '<>' --to "$S1" \
	--data "@$E2E/d4b" >/dev/null
arrived "$ALICE" $((n + 2))
result_of alice@isp.example
expect "the FORGED line for a bounce of a message alice never sent" \
	"$RESULT" 'Signet-Result: FORGED: not a reply' &&
	say "A bounce to alice's real signed address that quotes a message \
she never sent:" && quote "$RESULT"
hub_config

# ---- 5 ----
step "5: what bob sees of plain and look-alike mail (POP3)"
msg "$E2E/m5" "m5-$$@remote.example" carol@remote.example bob@isp.example \
	"plain hello"
smtp_to hub --helo pc7.remote.example --from carol@remote.example \
	--to bob@isp.example \
	--data "@$E2E/m5" >/dev/null
arrived "$BOB" 1
result_of bob@isp.example
expect "the unencrypted-link line" "$RESULT" 'over an unencrypted link' &&
	say "carol@remote.example writes to bob without encryption:" &&
	quote "$RESULT"
msg "$E2E/m5b" "m5b-$$@isp.examp1e" billing@isp.examp1e bob@isp.example \
	"your invoice"
smtp_to hub --tls --helo mail.isp.examp1e --from billing@isp.examp1e \
	--to bob@isp.example \
	--data "@$E2E/m5b" >/dev/null
arrived "$BOB" 2
result_of bob@isp.example
expect "the look-alike line and Subject tag" "$RESULT" \
	'Subject: \[LOOK-ALIKE\]' &&
	expect "the look-alike line" "$RESULT" \
		'Signet-Result: LOOK-ALIKE: .*isp\.examp1e imitates isp\.example' &&
	say "billing@isp.examp1e (digit one for the letter l) writes to bob:" &&
	quote "$RESULT"

# ---- 6 ----
step "6: a stolen signed address, replayed"
M6=m6-$$@isp.example
msg "$E2E/m6" "$M6" alice@isp.example bob@remote.example "newsletter"
submit alice alice@isp.example bob@remote.example "$E2E/m6" >/dev/null
S6=$(header Return-path <"$(wait_msgid "$RBOB" "$M6")" | tr -d '<>')
need "a second signed return address at remote.example" "$S6" "^alice$SIG\$"
codes=$(replay "$S6")
expect "250 for each allowed use, then 450" "$codes" \
	'^ 250 250 250 250 250 250 250 450$' &&
	say "Someone replays $S6 (this demo allows 5 uses, and 3 more for" \
		"each recipient of its message: the remote site's callout was" \
		"the first):" &&
	say "answers to RCPT TO:$codes (450: try later; it fades)"
runuser -u "$EXIM_USER" -- timeout 30 "$SIGNET" -c "$SIGNET_JSON" revoke \
	"$S6" --reason stolen >"$E2E/revoke.out" 2>&1
expect "'signet revoke' to succeed" "$? $(cat "$E2E/revoke.out")" '^0 '
r=$(rcpt_reply "$(smtp_to hub --from '<>' --to "$S6" --quit-after RCPT)")
expect "550 for the revoked address" "$r" '^550 .*withdrawn' &&
	say "The postmaster runs 'signet revoke ADDRESS'; now:" && quote "$r"

# ---- mail counted ----
STEP=End
printf '\n== End: every message counted\n'
wait_queues 40
hq=$("$EXIM" -C "$HUB_CONF" -bpc)
rq=$("$EXIM" -C "$REMOTE_CONF" -bpc)
counts="hub: accepted $(grep -c ' <= ' "$HUBLOG"), delivered \
$(grep -c ' => ' "$HUBLOG"), bounced $(grep -c ' \*\* ' "$HUBLOG"), queue \
$hq; remote: accepted $(grep -c ' <= ' "$RLOG"), delivered \
$(grep -c ' => ' "$RLOG"), bounced $(grep -c ' \*\* ' "$RLOG"), queue $rq."
boxes="mailboxes: alice $(maildir_count "$ALICE"), bob \
$(maildir_count "$BOB") (hub); bob $(maildir_count "$RBOB") (remote)."
expect "every message delivered or bounced, queues empty" "$counts" \
	'^hub: accepted 9, delivered 9, bounced 0, queue 0; remote: accepted 5, delivered 4, bounced 1, queue 0\.$' &&
	say "$counts"
expect "3, 2 and 3 messages in the mailboxes" "$boxes" \
	'^mailboxes: alice 3, bob 2 \(hub\); bob 3 \(remote\)\.$' &&
	say "$boxes"
if [ "$MISSING" -gt 0 ]; then
	echo "demo: $MISSING expected outcome(s) missing (marked !! above);" \
		"the sites keep running: make demo-stop ends them" >&2
	exit 1
fi
echo " * Every outcome of the story was checked and is as expected."

# ---- by hand ----
cat <<EOF

== Try it by hand (both sites keep running)
Send as alice (STARTTLS + AUTH), then look at remote.example's mailbox:
  swaks --server 127.0.0.1 --port $HUB_PORT --tls --auth PLAIN \\
    --auth-user alice@isp.example --auth-password $PASSWORD \\
    --from alice@isp.example --to bob@remote.example
  ls $RBOB/new
Forge alice at remote.example (refused by callout):
  swaks --server 127.0.0.1 --port $REMOTE_PORT --from alice@isp.example \\
    --to bob@remote.example
Probe an address as a callout does:
  swaks --server 127.0.0.1 --port $HUB_PORT --from '<>' --to $S1 \\
    --quit-after RCPT
Read mail over POP3 (type the lines after the first):
  nc -C 127.0.0.1 $POP3_PORT
  USER alice@isp.example / PASS $PASSWORD / LIST / TOP 1 0 / QUIT
Over IMAP:
  nc -C 127.0.0.1 $IMAP_PORT
  a LOGIN alice@isp.example $PASSWORD / b SELECT INBOX /
  c FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT SIGNET-RESULT)])
  d LOGOUT
The postmaster's tool:
  S="$SIGNET -c $SIGNET_JSON"
  \$S verify $S1
  \$S show $S6; \$S stats
  runuser -u $EXIM_USER -- \$S revoke ADDRESS
Logs: $HUBLOG, $HUB/events.jsonl,
      $DC_DIR/dovecot.log, $RLOG
Stop: make demo-stop
EOF
