#!/bin/sh
# The whole story across two mail sites on loopback (tests/e2e/lib-e2e.sh):
# the hub isp.example (Exim with signet, Dovecot with the plugin) and a
# remote site (stock Exim verifying senders by callout).  Each step asserts
# SMTP codes, headers, IMAP keywords and POP3 bytes; at the end every
# message either site accepted must be delivered once or bounced.  Step 7
# takes the hub's keyring away for a while.
# The hub runs the shipped plain exim.conf, then (E2E_HUB=debian, run by
# this script at its end) Debian's split configuration with the drop-ins,
# set up as docs/ADMIN.md says.
# Ports 2610-2614.  Needs root (private daemons, trusted_configs).
E2E_HUB=${E2E_HUB:-plain}
if [ "$E2E_HUB" = plain ]; then SUITE=e2e; else SUITE=e2e-$E2E_HUB; fi
TOP=${TOP:-$(pwd)}
. "$TOP/tests/lib.sh"
E2E=$TOP/tests/out/$SUITE
E2E_PORT=2610
. "$TOP/tests/e2e/lib-e2e.sh"

if [ "$(id -u)" != 0 ]; then
	fail setup "must run as root (private exim4 and dovecot)"
	exit 1
fi
for f in "$SO" "$DP_SO" "$B/tool/signet"; do
	[ -f "$f" ] || { fail setup "missing $f (make all)"; exit 1; }
done
trap e2e_stop EXIT
trap 'exit 1' INT TERM

# After the plain hub, the same story on Debian's split configuration, on
# a machine whose own /etc/exim4 is a production hub's: its admin has
# enabled SMTP AUTH through Dovecot in conf.d/auth.  The test hub is built
# from Debian's pristine files, so this must not matter.
next_variant() {
	[ "$E2E_HUB" = plain ] || return 0
	e2e_stop
	trap - EXIT
	_prod=$TOP/tests/out/e2e-production-etc
	rm -rf "$_prod"
	mkdir -p "$_prod"
	cp -a /etc/exim4/conf.d "$_prod/conf.d"
	cat >"$_prod/conf.d/auth/10_local_dovecot" <<EOF
dovecot_plain:
  driver = dovecot
  public_name = PLAIN
  server_socket = /run/dovecot/auth-client
  server_set_id = \$auth1
EOF
	E2E_HUB=debian unshare -m sh -c 'mount --make-rprivate / &&
		mount --bind "$0" /etc/exim4/conf.d && exec sh "$1"' \
		"$_prod/conf.d" "$TOP/tests/e2e/suite.sh"
}
if [ "$E2E_HUB" = debian ]; then
	expect_match setup-on-a-production-etc \
		"$(ls /etc/exim4/conf.d/auth 2>&1)" '10_local_dovecot'
fi
if ! e2e_setup; then
	fail "setup-$E2E_HUB" "$E2E_ERR"
	next_variant
	exit 1
fi
pass "hub-config-valid-$E2E_HUB"
if ! e2e_start; then
	fail "daemons-started" "$E2E_ERR"
	next_variant
	exit 1
fi
pass daemons-started

HUBLOG=$HUB/log/mainlog
RLOG=$REMOTE/log/mainlog
ALICE=$DC_DIR/home/alice@isp.example/Maildir
BOB=$DC_DIR/home/bob@isp.example/Maildir
RBOB=$REMOTE/mail/bob
SIG='=sg0[a-z2-7]{26}@isp\.example'

# ---- 1. alice submits to bob at the remote site ----
M1=m1-$$@isp.example
msg "$E2E/m1" "$M1" alice@isp.example bob@remote.example "lunch?"
t=$(submit alice alice@isp.example bob@remote.example "$E2E/m1")
expect_match 1-submit-tls-auth-accepted "$(data_reply "$t")" '^250 OK id='
expect_match 1-submit-was-tls "$t" 'STARTTLS'
rp=$(header Return-path <"$(wait_msgid "$RBOB" "$M1")")
expect_match 1-remote-sees-signed-sender "$rp" "^<alice$SIG>\$"
S1=$(printf '%s' "$rp" | tr -d '<>')
# Provenance is for our own recipients only: nothing leaves the hub.
expect_nomatch 1-remote-sees-no-signet-header \
	"$(header_all Signet-Provenance <"$(wait_msgid "$RBOB" "$M1")")" .
expect_match 1-remote-callout-passed "$(cat "$HUBLOG")" \
	"signet: rcpt <$S1> from <> \[127\.0\.0\.1\]: accept valid"
expect_match 1-remote-accepted "$(cat "$RLOG")" \
	"<= $S1 .* for bob@remote\.example"

# alice sending as bob@isp.example: the hub never vouches for bob's
# address for her; the message goes out with alice's own signed address as
# its envelope sender (From: bob@ untouched), so a bounce reaches alice.
msg "$E2E/m1b" "m1b-$$@isp.example" bob@isp.example bob@remote.example \
	"from bob, honest"
t=$(submit alice bob@isp.example bob@remote.example "$E2E/m1b")
expect_match 1-as-bob-hub-accepts "$(data_reply "$t")" '^250 OK id='
wait_queues
expect_match 1-as-bob-sent-as-alice "$(cat "$HUBLOG")" \
	"signet: sender <bob@isp\.example> sent as <alice$SIG>: submitter 'alice@isp\.example' may not use <bob@isp\.example>"
expect_nomatch 1-as-bob-never-signed "$(cat "$HUBLOG")" 'issued <bob='
f=$(wait_msgid "$RBOB" "m1b-$$@isp.example")
expect_match 1-as-bob-envelope-alice "$(header Return-path <"$f")" \
	"^<alice$SIG>\$"
expect_eq 1-as-bob-from-untouched "$(header From <"$f")" bob@isp.example

# ---- 2. the remote site bounces alice's mail to an unknown user ----
M2=m2-$$@isp.example
msg "$E2E/m2" "$M2" alice@isp.example nobody@remote.example "report"
t=$(submit alice alice@isp.example nobody@remote.example "$E2E/m2")
expect_match 2-submit-accepted "$(data_reply "$t")" '^250 OK id='
if wait_count "$ALICE" 1; then
	pass 2-bounce-reaches-alice
else
	fail 2-bounce-reaches-alice "no message in $ALICE"
fi
expect_match 2-remote-bounced "$(cat "$RLOG")" \
	'\*\* nobody@remote\.example R=unknown_user'
f=$(maildir_last "$ALICE")
p=$(header Signet-Provenance <"$f")
expect_eq 2-prov-verdict "$(field "$p" verdict)" valid
expect_eq 2-prov-bind "$(field "$p" bind)" match
expect_eq 2-prov-bounce "$(field "$p" bounce)" yes
issued=$(field "$p" issued)
when=$(date -u -d "$issued" '+%-d %b %H:%M UTC' 2>/dev/null)
pop=$(pop3_last alice@isp.example)
res=$(printf '%s\n' "$pop" | header Signet-Result)
expect_match 2-pop3-genuine-bounce-line "$res" \
	"^genuine reply to your message of $when sent as alice@isp\.example;"
expect_match 2-pop3-result-first "$(printf '%s\n' "$pop" | sed -n 2p)" \
	'^Signet-Result: genuine reply'
expect_match 2-imap-verified "$(imap_last alice@isp.example)" \
	'\$SignetVerified'

# ---- 3. a spammer forges alice's address to the remote site ----
msg "$E2E/m3" "m3-$$@spam.example" alice@isp.example bob@remote.example \
	"cheap pills"
t=$(smtp_to remote --from alice@isp.example --to bob@remote.example \
	--data "@$E2E/m3")
expect_match 3-forged-plain-refused-550 "$(rcpt_reply "$t")" \
	'^550 .*Sender verify failed'
expect_match 3-hub-callout-answered-550 "$(cat "$HUBLOG")" \
	'signet: rcpt <alice@isp\.example> from <> .*reject unsigned-bounce'
sig=${S1#alice=sg0}
sig=${sig%@isp.example}
first=$(printf '%s' "$sig" | cut -c1)
if [ "$first" = a ]; then new=b; else new=a; fi
TAMPERED="alice=sg0$new$(printf '%s' "$sig" | cut -c2-)@isp.example"
t=$(smtp_to remote --from "$TAMPERED" --to bob@remote.example \
	--data "@$E2E/m3")
expect_match 3-forged-signed-refused-550 "$(rcpt_reply "$t")" \
	'^550 .*Sender verify failed'
expect_match 3-hub-says-forged "$(cat "$HUBLOG")" \
	"signet: rcpt <$TAMPERED> from <> .*reject forged"
expect_eq 3-nothing-delivered "$(maildir_count "$RBOB")" 2

# ---- 4. backscatter: bounces of the forgery come to the hub ----
dsn "$E2E/d4" alice@isp.example "m3-$$@spam.example" alice@isp.example \
	elsewhere.example
t=$(smtp_to hub --from '<>' --to alice@isp.example --data "@$E2E/d4")
expect_match 4-strict-unsigned-bounce-550 "$(rcpt_reply "$t")" \
	'^550 5\.7\.1 <alice@isp\.example>: .*not signed'
t=$(smtp_to hub --from '<>' --to "$TAMPERED" --data "@$E2E/d4")
expect_match 4-strict-tampered-550 "$(rcpt_reply "$t")" \
	'^550 5\.7\.1 <alice=sg0.*not issued by our mail system'

E2E_POLICY=tag hub_config
n=$(maildir_count "$ALICE")
t=$(smtp_to hub --from '<>' --to alice@isp.example --data "@$E2E/d4")
expect_match 4-tag-unsigned-bounce-accepted "$(rcpt_reply "$t")" '^250'
wait_count "$ALICE" $((n + 1))
pop=$(pop3_last alice@isp.example)
res=$(printf '%s\n' "$pop" | header Signet-Result)
expect_match 4-tag-pop3-unsigned-bounce "$res" \
	'^UNSIGNED BOUNCE: isp\.example did not sign this address'
expect_match 4-tag-imap-keyword "$(imap_last alice@isp.example)" \
	'\$SignetUnsignedBounce'
t=$(smtp_to hub --from '<>' --to "$TAMPERED" --data "@$E2E/d4")
expect_match 4-tag-tampered-still-550 "$(rcpt_reply "$t")" \
	'^550 5\.7\.1 <alice=sg0'
# alice's real signed address, in a bounce of a message she never sent.
dsn "$E2E/d4b" "$S1" "m3-$$@spam.example" "$S1" elsewhere.example
t=$(smtp_to hub --from '<>' --to "$S1" --data "@$E2E/d4b")
expect_match 4-tag-replayed-address-accepted "$(rcpt_reply "$t")" '^250'
wait_count "$ALICE" $((n + 2))
pop=$(pop3_last alice@isp.example)
res=$(printf '%s\n' "$pop" | header Signet-Result)
expect_match 4-tag-pop3-not-a-reply "$res" \
	'^FORGED: not a reply to your message'
expect_match 4-tag-subject-tag "$(printf '%s\n' "$pop" | header Subject)" \
	'^\[FORGED\] '
expect_match 4-tag-imap-forged "$(imap_last alice@isp.example)" \
	'\$SignetForged'
hub_config

# ---- 5. what a POP3 user sees of plain and look-alike mail ----
M5=m5-$$@remote.example
msg "$E2E/m5" "$M5" carol@remote.example bob@isp.example "plain hello"
t=$(smtp_to hub --from carol@remote.example --to bob@isp.example \
	--data "@$E2E/m5")
expect_match 5-plain-accepted "$(data_reply "$t")" '^250 OK id='
wait_count "$BOB" 1
pop=$(pop3_last bob@isp.example)
res=$(printf '%s\n' "$pop" | header Signet-Result)
expect_match 5-pop3-unencrypted "$res" \
	'arrived at isp\.example over an unencrypted link'
expect_match 5-imap-insecure "$(imap_last bob@isp.example)" \
	'\$SignetInsecure'
msg "$E2E/m5b" "m5b-$$@isp.examp1e" billing@isp.examp1e bob@isp.example \
	"your invoice"
t=$(smtp_to hub --from billing@isp.examp1e --to bob@isp.example --tls \
	--data "@$E2E/m5b")
expect_match 5-lookalike-accepted "$(data_reply "$t")" '^250 OK id='
wait_count "$BOB" 2
pop=$(pop3_last bob@isp.example)
expect_match 5-pop3-lookalike "$(printf '%s\n' "$pop" | header Signet-Result)" \
	'LOOK-ALIKE: the sender.s domain isp\.examp1e imitates isp\.example'
subj=$(printf '%s\n' "$pop" | header Subject)
expect_match 5-lookalike-subject-tag "$subj" \
	'^\[LOOK-ALIKE\] your invoice'
expect_match 5-imap-lookalike "$(imap_last bob@isp.example)" \
	'\$SignetLookalike'

# ---- 6. a stolen signed address replayed: fades, then revoked ----
M6=m6-$$@isp.example
msg "$E2E/m6" "$M6" alice@isp.example bob@remote.example "newsletter"
submit alice alice@isp.example bob@remote.example "$E2E/m6" >/dev/null
S6=$(header Return-path <"$(wait_msgid "$RBOB" "$M6")" | tr -d '<>')
expect_match 6-signed "$S6" "^alice$SIG\$"
codes=$(replay "$S6")
# One use by the remote's callout, then up to max_uses (5) and 3 for its
# one recipient (fade.uses_per_recipient) in all.
expect_eq 6-replay-fades-450 "$codes" " 250 250 250 250 250 250 250 450"
if runuser -u "$EXIM_USER" -- "$B/tool/signet" -c "$SIGNET_JSON" \
	revoke "$S6" --reason "stolen" >"$E2E/revoke.out" 2>&1; then
	pass 6-revoke-ran
else
	fail 6-revoke-ran "$(cat "$E2E/revoke.out")"
fi
t=$(smtp_to hub --from '<>' --to "$S6" --quit-after RCPT)
expect_match 6-revoked-550 "$(rcpt_reply "$t")" \
	'^550 5\.7\.1 .*withdrawn by our postmaster'
show=$("$B/tool/signet" -c "$SIGNET_JSON" show "$S6" 2>&1)
expect_match 6-show-revoked "$show" \
	'revoked'

# ---- callouts do not use up a message's quota: one message to 20 sites
# (the remote's users, as if each were another site), each probing twice
# (again after greylisting), all pass; a replayed copy still fades, after
# max_uses (5) and 3 per recipient: 65 uses ----
users=""
i=1
while [ $i -le 20 ]; do
	mkdir -p "$REMOTE/users/list$i"
	users="$users${users:+,}list$i@remote.example"
	i=$((i + 1))
done
msg "$E2E/mq" "mq-$$@isp.example" alice@isp.example list1@remote.example \
	"to twenty sites"
t=$(submit alice alice@isp.example "$users" "$E2E/mq")
expect_match quota-20-recipients-accepted "$(data_reply "$t")" '^250 OK id='
SQ=$(header Return-path <"$(wait_msgid "$REMOTE/mail/list1" "mq-$$@isp.example")" |
	tr -d '<>')
expect_match quota-signed "$SQ" "^alice$SIG\$"
# the remote checked the sender at each of its 20 RCPTs (no_cache): 20
# uses, then 40 probes, then 5 more make 65
expect_eq quota-40-probes-pass "$(probe "$SQ" 40)" "40 none"
expect_eq quota-replay-fades-after-65 "$(probe "$SQ" 40)" "5 450"

# ---- alice as bob@, to an unknown user: the bounce comes back to alice ----
n=$(maildir_count "$ALICE")
M8=m8-$$@isp.example
msg "$E2E/m8" "$M8" bob@isp.example nobody@remote.example "as bob"
t=$(submit alice bob@isp.example nobody@remote.example "$E2E/m8")
expect_match as-bob-bounce-submitted "$(data_reply "$t")" '^250 OK id='
if wait_count "$ALICE" $((n + 1)); then
	pass as-bob-bounce-reaches-alice
else
	fail as-bob-bounce-reaches-alice "no new message in $ALICE"
fi
res=$(pop3_last alice@isp.example | header Signet-Result)
expect_match as-bob-bounce-genuine "$res" '^genuine reply to your message'

# ---- keys rotate on a single hub: Dovecot's seal keyring follows at
# once, so a reply sealed with the new key is still "genuine" ----
SIGNET_DOVECOT_CONFIG=$DC_CONF "$B/tool/signet" -c "$SIGNET_JSON" \
	keys rotate >"$E2E/rotate.out" 2>&1
expect_match rotate-updates-dovecot-seal "$(cat "$E2E/rotate.out")" \
	"^updated .*/seal-keyring\.json \(Dovecot's seal keyring\)"
n=$(maildir_count "$ALICE")
msg "$E2E/m9" "m9-$$@isp.example" alice@isp.example nobody@remote.example \
	"after rotation"
submit alice alice@isp.example nobody@remote.example "$E2E/m9" >/dev/null
wait_count "$ALICE" $((n + 1))
res=$(pop3_last alice@isp.example | header Signet-Result)
expect_match rotate-no-gap-genuine "$res" '^genuine reply to your message'

# ---- an unknown user: refused at RCPT time, so no bounce is made ----
# (a hub that accepted it and let LMTP refuse it would bounce the message
# to its sender, usually forged: backscatter)
n_in=$(grep -c ' <= ' "$HUBLOG")
n_bounce=$(grep -c ' <= <> ' "$HUBLOG")
t=$(smtp_to hub --from someone@remote.example --to carol@isp.example \
	--data "@$E2E/m5")
expect_match unknown-user-550-at-rcpt "$(rcpt_reply "$t")" '^550 '
t=$(smtp_to hub --from '<>' --to carol@isp.example --quit-after RCPT)
expect_match unknown-user-callout-550 "$(rcpt_reply "$t")" '^550 '
wait_queues
expect_eq unknown-user-nothing-accepted "$(grep -c ' <= ' "$HUBLOG")" "$n_in"
expect_eq unknown-user-no-bounce "$(grep -c ' <= <> ' "$HUBLOG")" "$n_bounce"
if [ "$E2E_HUB" = debian ]; then
	expect_match submission-port-587 "$(grep '^daemon_smtp_ports' \
		"$HUB_CONF")" '^daemon_smtp_ports = smtp : submission$'
fi

# POP3 clients on slow lines trust LIST: the added lines are counted.
for u in alice bob; do
	out=$(pop3_bytes "$u@isp.example" 2>&1)
	expect_match "pop3-list-matches-retr-$u" "$out" '^1 ok'
	expect_nomatch "pop3-list-matches-retr-$u-all" "$out" '(list|Error)'
done

# ---- the postmaster's view of the same story ----
# config check opens each key file as its reader: the hub's keyring as
# Debian-exim, and the seal keyring the test Dovecot names as its mail user.
T="env SIGNET_DOVECOT_CONFIG=$DC_CONF SIGNET_MAIL_USER=$DC_USER \
SIGNET_EXIM_USER=$EXIM_USER $B/tool/signet -c $SIGNET_JSON"
expect_rc tool-config-check 0 $T config check
cc=$($T config check 2>&1)
expect_match tool-config-check-as-exim "$cc" \
	"keyring\.json: readable by $EXIM_USER \(Exim\)"
expect_match tool-config-check-dovecot-seal "$cc" \
	"seal-keyring\.json: readable by $DC_USER \(Dovecot's mail user\)"
expect_rc tool-verify-valid 0 $T verify "$S1" --message-id "<$M1>"
expect_rc tool-verify-other-message 1 $T verify "$S1" --message-id "<$M2>"
expect_rc tool-verify-tampered 1 $T verify "$TAMPERED"
expect_rc tool-verify-revoked 1 $T verify "$S6"
# Issued: steps 1 (twice: alice's own address for her mail as bob), 2, 6,
# the message to 20 sites, alice as bob again (8) and after the rotation
# (9); fading: the replays of 6 and of the message to 20 sites; refused:
# the callout for alice (3), the
# tampered address at the remote site (3) and at the hub (4, twice), the
# strict bounce (4), the revoked address (6).
st=$($T --json stats | python3 -c '
import json, sys
s = json.load(sys.stdin)
t, r = s["totals"], s["refused_by"]
print(t["issued"], t["fading"], t["revoked"], r.get("unsigned-bounce"),
      r.get("forged"), r.get("revoked"))')
expect_eq tool-stats-tell-the-story "$st" "7 2 1 2 3 1"

# ---- 7. the hub's keyring is unreadable for a while: nothing is lost ----
KR=$HUB/keys/keyring.json
mv "$KR" "$KR.away"
M7=m7-$$@isp.example
msg "$E2E/m7" "$M7" alice@isp.example bob@remote.example "during the outage"
t=$(submit alice alice@isp.example bob@remote.example "$E2E/m7")
expect_match 7-outage-submission-accepted "$(data_reply "$t")" '^250 OK id='
id7=$(data_reply "$t" | sed -n 's/^250 OK id=//p')
i=0
while ! grep -q " $id7 == bob@remote.example" "$HUBLOG" && [ $i -lt 100 ]
do
	sleep 0.1
	i=$((i + 1))
done
expect_match 7-outage-sent-unsigned "$(cat "$HUBLOG")" \
	'signet: keyring unusable, outgoing mail goes unsigned'
# The remote site's callout for the unsigned sender gets 451, so the hub
# keeps the message and retries.
expect_match 7-outage-remote-defers "$(grep " $id7 == " "$HUBLOG")" \
	'bob@remote\.example .*451'
t=$(smtp_to hub --from '<>' --to "$S1" --quit-after RCPT)
expect_match 7-outage-bounce-451 "$(rcpt_reply "$t")" '^451 4\.3\.0'
mv "$KR.away" "$KR"
n=$(maildir_count "$ALICE")
"$EXIM" -C "$HUB_CONF" -qff >/dev/null 2>&1
wait_queues
# Back with keys, strict: the callout now refuses the unsigned sender, and
# the hub returns the message to alice.
expect_match 7-after-outage-refused-by-callout \
	"$(grep " $id7 \*\* " "$HUBLOG")" 'bob@remote\.example .*550'
if wait_count "$ALICE" $((n + 1)); then
	pass 7-after-outage-alice-gets-the-bounce
else
	fail 7-after-outage-alice-gets-the-bounce "no new message for alice"
fi
# That bounce is the hub's own report: said so, and not "insecure" for a
# link it never crossed.
res=$(pop3_last alice@isp.example | header Signet-Result)
expect_match 7-hub-report-labelled "$res" \
	'a delivery report made by isp\.example itself'
expect_nomatch 7-hub-report-not-insecure "$res" 'unencrypted'
expect_nomatch 7-hub-report-no-insecure-keyword \
	"$(imap_last alice@isp.example)" '\$SignetInsecure'

# ---- revoking all of alice's addresses so far works to the second: the
# old ones are refused, one issued a second later is not ----
if runuser -u "$EXIM_USER" -- "$B/tool/signet" -c "$SIGNET_JSON" \
	revoke alice@isp.example --reason "lost laptop" \
	>"$E2E/revoke-base.out" 2>&1; then
	pass revoke-base-ran
else
	fail revoke-base-ran "$(cat "$E2E/revoke-base.out")"
fi
t=$(smtp_to hub --from '<>' --to "$S1" --quit-after RCPT)
expect_match revoke-base-old-refused "$(rcpt_reply "$t")" \
	'^550 5\.7\.1 .*withdrawn'
sleep 1
M10=m10-$$@isp.example
msg "$E2E/m10" "$M10" alice@isp.example bob@remote.example "new laptop"
submit alice alice@isp.example bob@remote.example "$E2E/m10" >/dev/null
S10=$(header Return-path <"$(wait_msgid "$RBOB" "$M10")" | tr -d '<>')
# (signed with the address key made by the rotation above, id 1)
expect_match revoke-base-new-address-delivered "$S10" \
	'^alice=sg1[a-z2-7]{26}@isp\.example$'
expect_match revoke-base-new-address-valid "$(cat "$HUBLOG")" \
	"signet: rcpt <$S10> from <> .*accept valid"

# ---- every message accepted is delivered once or bounced ----
if wait_queues 40; then
	pass count-queues-empty
else
	fail count-queues-empty "$("$EXIM" -C "$HUB_CONF" -bp
		"$EXIM" -C "$REMOTE_CONF" -bp)"
fi
# ids_with LOG REGEX: the message ids of the log lines that match.
ids_with() {
	_id='[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}'
	grep -E "^[0-9-]+ [0-9:]+ $_id $2" "$1" |
		awk '{print $3}' | sort -u
}
for site in hub remote; do
	log=$E2E/$site/log/mainlog
	acc=$(ids_with "$log" '<=')
	done_=$(ids_with "$log" 'Completed')
	expect_eq "count-$site-every-accepted-completed" "$done_" "$acc"
	# A failed recipient always produced a bounce (a message <= <> R=id).
	missing=""
	for id in $(ids_with "$log" '\*\*'); do
		grep -q " <= <> R=$id " "$log" || missing="$missing $id"
	done
	expect_eq "count-$site-every-failure-bounced" "$missing" ""
done
lmtp=$(grep -c ' => .* T=signet_dovecot_lmtp ' "$HUBLOG")
have=$(($(maildir_count "$ALICE") + $(maildir_count "$BOB")))
expect_eq count-hub-lmtp-deliveries-in-mailboxes "$have" "$lmtp"
rdel=$(grep -c ' => .* T=maildir' "$RLOG")
rboxes=0
for d in "$REMOTE"/mail/*; do
	rboxes=$((rboxes + $(maildir_count "$d")))
done
expect_eq count-remote-deliveries-in-maildirs "$rboxes" "$rdel"
# Delivered once: no Message-ID twice in a mailbox.
for box in hub-alice:"$ALICE" hub-bob:"$BOB" remote-bob:"$RBOB"; do
	dir=${box#*:}
	dup=$(cat "$dir"/new/* "$dir"/cur/* 2>/dev/null |
		header_all Message-ID | sort | uniq -d)
	expect_eq "count-delivered-once-${box%%:*}" "$dup" ""
done
expect_eq no-panic-logs "$(cat "$HUB/log/paniclog" "$REMOTE/log/paniclog" \
	2>/dev/null)" ""
expect_nomatch dovecot-no-errors "$(cat "$DC_DIR/dovecot.log")" \
	'(Error|Panic|Fatal):'

# ---- make demo and make demo-stop (plain hub only) ----
demo_check() {
	e2e_stop
	trap - EXIT
	DD=$TOP/tests/out/e2e-demo
	export DEMO_DIR=$DD DEMO_PORT=2615
	out=$(sh "$TOP/tests/demo/demo.sh" 2>&1)
	expect_eq demo-exit-status "$?" 0
	# Lines are wrapped for the screen: look in the text as one line.
	flat=$(printf '%s\n' "$out" | tr '\n' ' ' | tr -s ' ')
	missing=""
	for want in '== Step 1:' 'accept valid' '550 Verification failed' \
		'never vouches for an address that is not hers' \
		'genuine reply to your message of' 'UNSIGNED BOUNCE' \
		'FORGED: not a reply' 'LOOK-ALIKE' 'unencrypted link' \
		'250 250 250 250 450' 'withdrawn by our postmaster' \
		'queue 0; remote: .* queue 0\.' 'make demo-stop' \
		'Every outcome of the story was checked'; do
		printf '%s\n' "$flat" | grep -q -- "$want" ||
			missing="$missing [$want]"
	done
	expect_eq demo-tells-the-story "$missing" ""
	long=$(printf '%s\n' "$out" | awk '/^== /{ if (n > 30) print name; \
		name = $0; n = 0 } { n++ }')
	expect_eq demo-one-screen-per-step "$long" ""
	up=0
	for p in 2615 2616 2617 2618 2619; do
		ss -Hltn "sport = :$p" | grep -q . && up=$((up + 1))
	done
	expect_eq demo-leaves-sites-running "$up" 5
	sh "$TOP/tests/demo/demo.sh" stop >/dev/null 2>&1
	sleep 1
	left=$(ps -eo args | grep -F "$DD/" | grep -v grep)
	expect_eq demo-stop-ends-its-processes "$left" ""

	# With swaks's TLS gone (as on a machine without Net::SSLeay), the
	# demo must fail loudly at step 1 and name what it missed.
	mkdir -p "$DD-notls/Net"
	echo 'die "hidden by the e2e suite\n";' >"$DD-notls/Net/SSLeay.pm"
	out=$(PERL5LIB=$DD-notls sh "$TOP/tests/demo/demo.sh" 2>&1)
	rc=$?
	sh "$TOP/tests/demo/demo.sh" stop >/dev/null 2>&1
	expect_eq demo-without-tls-fails "$rc" 1
	expect_match demo-without-tls-names-step "$out" \
		"^demo: step 1 failed \(expected the hub to accept alice's submission"
	expect_match demo-without-tls-shows-what-came "$out" \
		'! \*\*\* TLS not available'
	expect_nomatch demo-without-tls-no-step-2 "$out" '^== Step 2'
}
[ "$E2E_HUB" = plain ] && demo_check
next_variant
