#!/bin/sh
# The Exim module through the real exim4 daemon (exim4-daemon-heavy) with a
# private configuration on 127.0.0.1:2525, driven by real SMTP (swaks and a
# small Python client).  Needs root (private daemon, trusted_configs).
SUITE=exim
TOP=${TOP:-$(pwd)}
. "$TOP/tests/lib.sh"
OUT=$TOP/tests/out/exim
PORT=2525
. "$TOP/tests/exim/lib-exim.sh"

if [ "$(id -u)" != 0 ]; then
	fail setup "must run as root (private exim4 daemon)"
	exit 1
fi
for f in "$SO" "$HELPER" "$EXIM"; do
	[ -x "$f" ] || [ -f "$f" ] || { fail setup "missing $f (make all)"; exit 1; }
done
GREY_PID=""
LMTP_PID=""
cleanup() {
	stop_exim
	untrust_confs
	for p in $GREY_PID $LMTP_PID; do kill "$p" 2>/dev/null; done
	GREY_PID=""
	LMTP_PID=""
}
trap cleanup EXIT INT TERM

setup_exim "$SO" || { fail setup "cannot set up $OUT"; exit 1; }
MAINLOG=$OUT/log/mainlog
EVENTS=$OUT/events.jsonl

# smtp ARGS...: one swaks session to the daemon; prints the transcript.
smtp() {
	swaks --server 127.0.0.1 --port "$PORT" --timeout 20 "$@" 2>&1
}
submit() { # FROM TO DATAFILE [extra swaks args]
	_f=$1 _t=$2 _d=$3
	shift 3
	smtp --tls --auth PLAIN --auth-user alice --auth-password pw-alice \
		--from "$_f" --to "$_t" --data "@$_d" "$@"
}
# msg FILE MSGID FROM TO [header lines...]: writes a small message.
msg() {
	_file=$1 _id=$2 _from=$3 _to=$4
	shift 4
	{
		echo "From: $_from"
		echo "To: $_to"
		echo "Subject: signet test $_id"
		echo "Message-ID: <$_id>"
		for h in "$@"; do echo "$h"; done
		echo
		echo "body of $_id"
	} >"$_file"
}
bounce() { # TO DATAFILE [extra]
	_t=$1 _d=$2
	shift 2
	smtp --from '<>' --to "$_t" --data "@$_d" "$@"
}
# rpath MBOX N: the Return-path of the last message, once there are N.
rpath() {
	wait_msgs "$1" "$2"
	last_msg "$1" | header Return-path
}
# relay_rpath N: carol's message from the relay host 127.0.0.2.
relay_rpath() {
	smtp --local-interface 127.0.0.2 --from carol@example.com \
		--to r4@remote.example --data "@$OUT/m4" >/dev/null
	rpath "$OUT/mail/remote-r4" "$1"
}
# prov MBOX: the Signet-Provenance values of the mbox's last message.
prov() {
	last_msg "$1" | header Signet-Provenance
}
field() { # VALUE KEY
	printf '%s\n' "$1" | tr -d ' \t' | tr ';' '\n' | sed -n "s/^$2=//p" |
		head -n 1
}
# rcpt_tag ADDR: ADDR's rcpt= tag, computed here independently of the
# core: the first 10 octets of HMAC-SHA256 with the seal key of
# "signet-rcpt-v1", a NUL and the address.
rcpt_tag() {
	python3 -c '
import hashlib, hmac, json, sys
k = [k["secret"] for k in json.load(open(sys.argv[1]))["keys"]
     if k["purpose"] == "seal"][0]
m = b"signet-rcpt-v1\0" + sys.argv[2].encode()
print(hmac.new(bytes.fromhex(k), m, hashlib.sha256).hexdigest()[:20])
' "$KEYRING" "$1"
}
seal_ok() { # VALUE RCPT
	printf '%s' "$1" | "$HELPER" prov-check "$KEYRING" "$2" 2>&1
}

if ! "$EXIM" -C "$CONF" -bV >"$OUT/bV.out" 2>&1; then
	fail config-valid "$(tail -n 3 "$OUT/bV.out")"
	exit 1
fi
pass config-valid

exports=$(nm -D --defined-only "$SO" | awk '$2 == "T" {print $3}' | sort |
	tr '\n' ' ')
expect_eq exports "$exports" \
	"local_scan local_scan_version_major local_scan_version_minor signet_base signet_preload signet_rcpt signet_rcpt_wanted signet_seal "

start_exim "$PORT" || { fail daemon "exim did not listen on $PORT: $(cat "$OUT"/daemon-*.out)"; exit 1; }
pass daemon-started
# SIGNET_PRELOAD: the daemon itself has the module loaded, so connections
# inherit it.
dpid=$(cat "$OUT/exim-$PORT.pid" 2>/dev/null)
smtp --quit-after EHLO >/dev/null
expect_match preload-in-daemon "$(grep -c "$SO" "/proc/$dpid/maps" 2>&1)" \
	'^[1-9]'

# ---- outgoing: authenticated submission over STARTTLS ----
M1=m1-$$@example.com
msg "$OUT/m1" "$M1" alice@example.com r1@remote.example
t=$(submit alice@example.com r1@remote.example,bob@example.com "$OUT/m1")
expect_match submit-accepted "$(data_reply "$t")" '^250 OK id='
wait_msgs "$OUT/mail/remote-r1" 1
rp=$(last_msg "$OUT/mail/remote-r1" | header Return-path)
expect_match submit-signed-return-path "$rp" \
	'^<alice=sg0[a-z2-7]{26}@example\.com>$'
S1=$(printf '%s' "$rp" | tr -d '<>')
expect_match submit-received-keeps-original \
	"$(last_msg "$OUT/mail/remote-r1")" 'envelope-from <alice@example\.com>'
expect_match submit-logged "$(cat "$MAINLOG")" \
	"signet: issued <$S1> for <alice@example.com> submitter=alice"
expect_match submit-event "$(cat "$EVENTS")" \
	"\"event\":\"issued\",\"addr\":\"$S1\""

# The provenance of a TLS submission, delivered to a local user.
wait_msgs "$OUT/mail/bob" 1
p=$(prov "$OUT/mail/bob")
expect_eq prov-tls-one-header "$(printf '%s\n' "$p" | grep -c .)" 1
expect_eq prov-tls-version "$(field "$p" tls)" TLS1.3
expect_eq prov-tls-pfs "$(field "$p" pfs)" yes
expect_match prov-tls-cipher "$(field "$p" cipher)" '^TLS1\.3:'
expect_eq prov-tls-auth "$(field "$p" auth)" alice
# rcpt= is bob's tag, not his address (a Bcc stays unnamed).
expect_eq prov-tls-rcpt-tag "$(field "$p" rcpt)" "$(rcpt_tag bob@example.com)"
expect_nomatch prov-tls-names-no-recipient "$p" 'bob'
expect_eq prov-tls-verdict "$(field "$p" verdict)" none
expect_eq prov-tls-seal "$(seal_ok "$p" bob@example.com)" ok
expect_eq prov-seal-bound-to-rcpt "$(seal_ok "$p" carol@example.com)" \
	bad-seal
# msg= binds the record to the message: the first 4 octets of SHA-256 of
# the Message-ID without its angle brackets, computed here independently.
expect_eq prov-msg-binding "$(field "$p" msg)" \
	"$(printf '%s' "$M1" | sha256sum | cut -c1-8)"
expect_eq prov-msg-sealed "$(seal_ok "$(printf '%s' "$p" |
	sed 's/msg=[0-9a-f]*/msg=00000000/')" bob@example.com)" bad-seal

# A folded Message-ID binds as its unfolded value; without a Message-ID
# there is no msg field (mia's mailbox holds only these two).
: >"$OUT/users/mia"
MF=mf-$$@remote.example
printf 'From: x@remote.example\nSubject: folded\nMessage-ID:\n <%s>\n\nhi\n' \
	"$MF" >"$OUT/mfold"
smtp --from x@remote.example --to mia@example.com --data "@$OUT/mfold" \
	>/dev/null
wait_msgs "$OUT/mail/mia" 1
p=$(prov "$OUT/mail/mia")
expect_eq prov-msg-folded-id "$(field "$p" msg)" \
	"$(printf '%s' "$MF" | sha256sum | cut -c1-8)"
printf 'From: x@remote.example\nSubject: no id\n\nhi\n' >"$OUT/mnoid"
smtp --from x@remote.example --to mia@example.com --data "@$OUT/mnoid" \
	>/dev/null
wait_msgs "$OUT/mail/mia" 2
p=$(prov "$OUT/mail/mia")
# Without a Message-ID the record is bound to Date, From and Subject
# (docs/FORMATS.md), computed here independently.
hbind=$(last_msg "$OUT/mail/mia" | python3 -c '
import email, hashlib, sys
m = email.message_from_string(sys.stdin.read())
f = [" ".join((m.get(n) or "").split()) for n in ("Date", "From", "Subject")]
s = "signet-hdr-v1\n" + "".join(x + "\n" for x in f)
print("h" + hashlib.sha256(s.encode()).hexdigest()[:8])')
expect_eq prov-no-msgid-bound-to-fields \
	"$(last_msg "$OUT/mail/mia" | header Message-ID)|$(field "$p" msg)|$(
	seal_ok "$p" mia@example.com)" "|$hbind|ok"

# A greylisting site defers the first attempt; the retry from the queue
# carries the same signed sender (the tag is fixed at reception).
python3 "$TOP/tests/exim/sink.py" grey 2526 "$OUT/grey.log" \
	>"$OUT/greysink.out" 2>&1 &
GREY_PID=$!
if wait_listen 2526; then
	msg "$OUT/m6" "m6-$$@example.com" alice@example.com g1@grey.example
	submit alice@example.com g1@grey.example "$OUT/m6" >/dev/null
	i=0
	while [ "$(grep -c . "$OUT/grey.log" 2>/dev/null)" != 1 ] &&
		[ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	"$EXIM" -C "$CONF" -qff >/dev/null 2>&1
	tries=$(tr '\n' ' ' <"$OUT/grey.log" 2>/dev/null)
	expect_match greylist-retry-same-signed-sender "$tries" \
		'^(alice=sg0[a-z2-7]{26}@example\.com) \1 $'
else
	fail greylist-retry-same-signed-sender "grey sink did not start"
fi

# ---- incoming: plain SMTP from outside, spoofed Signet-* headers ----
msg "$OUT/m2" "m2-$$@remote.example" someone@remote.example bob@example.com \
	"Signet-Provenance: v=1; rcpt=bob@example.com; verdict=valid; tls=TLS1.3; pfs=yes; t=1; k=0; seal=00" \
	"signet-provenance: v=1; rcpt=bob@example.com; verdict=valid" \
	"Signet-Other: spoof"
t=$(smtp --from someone@remote.example --to bob@example.com \
	--helo mx.remote.example --data "@$OUT/m2")
expect_match plain-accepted "$(data_reply "$t")" '^250 OK id='
wait_msgs "$OUT/mail/bob" 2
p=$(prov "$OUT/mail/bob")
expect_eq spoof-only-ours "$(printf '%s\n' "$p" | grep -c .)" 1
expect_nomatch spoof-other-removed "$(last_msg "$OUT/mail/bob")" \
	'^(Signet-Other|signet-provenance):'
expect_eq spoof-ours-sealed "$(seal_ok "$p" bob@example.com)" ok
expect_eq prov-plain-tls "$(field "$p" tls)" none
expect_eq prov-plain-pfs "$(field "$p" pfs)" no
expect_eq prov-plain-no-cipher "$(field "$p" cipher)" ""
expect_eq prov-plain-from "$(field "$p" from)" someone@remote.example
expect_eq prov-plain-peer "$(field "$p" peer)" 127.0.0.1
# the hop as Exim restored it from its spool for the delivery
expect_eq prov-plain-helo "$(field "$p" helo)" mx.remote.example
expect_eq prov-plain-host "$(field "$p" host)" mx.example.com
expect_eq prov-plain-no-origin "$(field "$p" origin)" ""

# A separate seal keyring (what Dovecot hosts hold) seals the headers.
python3 - "$KEYRING" "$OUT/keys/seal.json" <<'PY'
import json, os, sys
k = json.load(open(sys.argv[1]))
k["keys"] = [dict(x, secret=os.urandom(32).hex()) for x in k["keys"]
             if x["purpose"] == "seal"]
with open(sys.argv[2], "w") as f:
    json.dump(k, f)
os.chmod(sys.argv[2], 0o600)
PY
chown "$EXIM_USER" "$OUT/keys/seal.json"
write_config '"seal_keyring": "keys/seal.json"'
smtp --from someone@remote.example --to carol@example.com \
	--data "@$OUT/m2" >/dev/null
wait_msgs "$OUT/mail/carol" 1
p=$(prov "$OUT/mail/carol")
expect_eq seal-keyring-separate "$(printf '%s' "$p" |
	"$HELPER" prov-check "$OUT/keys/seal.json" carol@example.com)" ok
expect_eq seal-keyring-not-addr-keyring "$(seal_ok "$p" carol@example.com)" \
	bad-seal
write_config

# The shipped LMTP transport: one recipient per transaction, and each
# transaction's data carries its own recipient's header, sealed at
# delivery, and none of the spooled facts.
python3 "$TOP/tests/exim/sink.py" lmtp "$OUT/lmtp.sock" "$OUT/lmtp.log" \
	>"$OUT/lmtpsink.out" 2>&1 &
LMTP_PID=$!
i=0
while [ ! -S "$OUT/lmtp.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
smtp --from someone@remote.example --to x@example.net,y@example.net \
	--data "@$OUT/m2" >/dev/null
i=0
while [ "$(grep -c . "$OUT/lmtp.log" 2>/dev/null)" != 2 ] && [ $i -lt 100 ]
do sleep 0.1; i=$((i + 1)); done
expect_eq lmtp-one-rcpt-per-transaction \
	"$(cut -d'|' -f1 "$OUT/lmtp.log" | sort | tr '\n' ',')" \
	"x@example.net ,y@example.net ,"
expect_eq lmtp-own-header-each "$(cut -d'|' -f1,2 "$OUT/lmtp.log" | sort |
	tr '\n' ,)" \
	"x@example.net | $(rcpt_tag x@example.net) ,y@example.net | $(rcpt_tag y@example.net) ,"
expect_eq lmtp-no-facts-in-copies "$(cut -d'|' -f3 "$OUT/lmtp.log" | sort -u)" \
	" 0"
# A router with a suffix: RCPT TO keeps it, as the header names it.
smtp --from someone@remote.example --to x+list@example.net \
	--data "@$OUT/m2" >/dev/null
i=0
while [ "$(grep -c . "$OUT/lmtp.log" 2>/dev/null)" != 3 ] && [ $i -lt 100 ]
do sleep 0.1; i=$((i + 1)); done
expect_eq lmtp-rcpt-keeps-suffix "$(sed -n 3p "$OUT/lmtp.log")" \
	"x+list@example.net | $(rcpt_tag x+list@example.net) | 0"
# An alias: delivered to its target, while the header names the address
# as it stood at end of DATA (docs/EXIM.md; the Dovecot plugin's concern).
smtp --from someone@remote.example --to alias@example.net \
	--data "@$OUT/m2" >/dev/null
i=0
while [ "$(grep -c . "$OUT/lmtp.log" 2>/dev/null)" != 4 ] && [ $i -lt 100 ]
do sleep 0.1; i=$((i + 1)); done
expect_eq lmtp-alias-header-names-received \
	"$(sed -n 4p "$OUT/lmtp.log")" \
	"x@example.net | $(rcpt_tag alias@example.net) | 0"

# ---- bounces to our signed address ----
dsn "$OUT/d1" "$S1" "$M1"
t=$(bounce "$S1" "$OUT/d1")
expect_match bounce-valid-accepted "$(rcpt_reply "$t")" '^250'
wait_msgs "$OUT/mail/alice" 1
last=$(last_msg "$OUT/mail/alice")
expect_match bounce-valid-to-base "$last" '^Envelope-to: alice@example\.com$'
p=$(prov "$OUT/mail/alice")
expect_eq bounce-prov-verdict "$(field "$p" verdict)" valid
expect_eq bounce-prov-owner "$(field "$p" owner)" alice@example.com
expect_eq bounce-prov-addr "$(field "$p" addr)" "$S1"
expect_eq bounce-prov-bind "$(field "$p" bind)" match
expect_eq bounce-prov-bounce "$(field "$p" bounce)" yes
expect_match bounce-prov-issued "$(field "$p" issued)" \
	'^20[0-9]{2}-[0-9]{2}-[0-9]{2}T'
expect_eq bounce-prov-seal "$(seal_ok "$p" alice@example.com)" ok

dsn "$OUT/d2" "$S1" "other-$$@example.com"
t=$(bounce "$S1" "$OUT/d2")
expect_match bounce-mismatch-accepted "$(rcpt_reply "$t")" '^250'
wait_msgs "$OUT/mail/alice" 2
expect_eq bounce-mismatch-bind "$(field "$(prov "$OUT/mail/alice")" bind)" \
	mismatch

# A report without the returned headers; a plain-text bounce quoting them.
sed '/^Message-ID:$/,/^ </d' "$OUT/d1" >"$OUT/d4"
bounce "$S1" "$OUT/d4" >/dev/null
wait_msgs "$OUT/mail/alice" 3
expect_eq bounce-no-returned-id-bind "$(field "$(prov "$OUT/mail/alice")" bind)" \
	unknown
printf 'From: MAILER-DAEMON@remote.example\nSubject: failure notice\n\nSorry.\n\n--- Below this line is a copy of the message.\n\nMessage-Id: <%s>\nSubject: hello\n' \
	"$M1" >"$OUT/d5"
bounce "$S1" "$OUT/d5" >/dev/null
wait_msgs "$OUT/mail/alice" 4
expect_eq bounce-plain-text-bind "$(field "$(prov "$OUT/mail/alice")" bind)" \
	match

# Returned headers without a Message-ID, whose returned body has one (of
# another message): only the returned header block counts.
sed -e 's|text/rfc822-headers|message/rfc822|' -e '/^Message-ID:$/,/^ </d' \
	-e "s|^--BOUNDARY--|Message-ID: <other-$$@example.com>\\n\\n&|" \
	"$OUT/d1" >"$OUT/d6"
bounce "$S1" "$OUT/d6" >/dev/null
wait_msgs "$OUT/mail/alice" 5
expect_eq bounce-id-in-returned-body-bind \
	"$(field "$(prov "$OUT/mail/alice")" bind)" unknown

dsn "$OUT/d3" alice@example.com "$M1"
t=$(bounce alice@example.com "$OUT/d3")
expect_match bounce-unsigned-550 "$(rcpt_reply "$t")" \
	'^550 5\.7\.1 <alice@example\.com>: .*not signed'

# Forged: one signature character changed; tampered: another base.
sig=${S1#alice=sg0}
sig=${sig%@example.com}
first=$(printf '%s' "$sig" | cut -c1)
if [ "$first" = a ]; then new=b; else new=a; fi
FORGED="alice=sg0$new$(printf '%s' "$sig" | cut -c2-)@example.com"
t=$(bounce "$FORGED" "$OUT/d1")
expect_match bounce-forged-550 "$(rcpt_reply "$t")" \
	'^550 5\.7\.1 <.*>: this return address was not issued'
t=$(bounce "bob=sg0$sig@example.com" "$OUT/d1")
expect_match bounce-tampered-base-550 "$(rcpt_reply "$t")" \
	'^550 5\.7\.1 <bob=.*not issued'

OLD=$("$HELPER" sign "$KEYRING" signet alice@example.com "$M1" $((60 * 86400)))
t=$(bounce "$OLD" "$OUT/d1")
expect_match bounce-expired-550 "$(rcpt_reply "$t")" '^550 5\.7\.1 .*expired'
FADE=$("$HELPER" sign "$KEYRING" signet alice@example.com "$M1" $((48 * 86400)))
t=$(bounce "$FADE" "$OUT/d1")
expect_match bounce-fading-450 "$(rcpt_reply "$t")" '^450 4\.7\.1 .*end of its life'
expect_match rcpt-logged "$(cat "$MAINLOG")" \
	"signet: rcpt <$FORGED> from <> \[127\.0\.0\.1\]: reject forged"

# ---- callout probes (no DATA) get the same answers ----
t=$(smtp --from '<>' --to "$S1" --quit-after RCPT)
expect_match callout-valid-250 "$(rcpt_reply "$t")" '^250'
t=$(smtp --from '<>' --to "$FORGED" --quit-after RCPT)
expect_match callout-forged-550 "$(rcpt_reply "$t")" '^550 5\.7\.1'
t=$(smtp --from '<>' --to alice@example.com --quit-after RCPT)
expect_match callout-unsigned-550 "$(rcpt_reply "$t")" '^550 5\.7\.1'
t=$(smtp --from postmaster@remote.example --to "$FORGED" --quit-after RCPT)
expect_match callout-postmaster-forged-550 "$(rcpt_reply "$t")" '^550 5\.7\.1'

# The store counts presentations; past fade.max_uses the address fades,
# and a revoked one is refused.
write_config '"fade": {"max_uses": 2}'
S2=$("$HELPER" sign "$KEYRING" signet alice@example.com - 60)
for i in 1 2; do smtp --from '<>' --to "$S2" --quit-after RCPT >/dev/null; done
t=$(smtp --from '<>' --to "$S2" --quit-after RCPT)
expect_match store-overused-450 "$(rcpt_reply "$t")" '^450 4\.7\.1'
write_config
S3=$("$HELPER" sign "$KEYRING" signet alice@example.com - 60)
if runuser -u "$EXIM_USER" -- "$HELPER" revoke "$OUT/signet.json" "$S3" \
	>"$OUT/revoke.out" 2>&1; then
	t=$(smtp --from '<>' --to "$S3" --quit-after RCPT)
	expect_match store-revoked-550 "$(rcpt_reply "$t")" \
		'^550 5\.7\.1 .*withdrawn'
else
	fail store-revoked-550 "revoke failed: $(cat "$OUT/revoke.out")"
fi

# ---- who may be signed for ----
# By default, alice sending as bob@ goes out with alice's own signed
# address as envelope sender (From: untouched), so bounces reach alice.
msg "$OUT/m3" "m3-$$@example.com" bob@example.com r2@remote.example
t=$(submit bob@example.com r2@remote.example "$OUT/m3")
expect_match unauth-own-accepted "$(data_reply "$t")" '^250 OK id='
expect_match unauth-own-return-path "$(rpath "$OUT/mail/remote-r2" 1)" \
	'^<alice=sg0[a-z2-7]{26}@example\.com>$'
expect_match unauth-own-from-untouched \
	"$(last_msg "$OUT/mail/remote-r2" | header From)" '^bob@example\.com$'
expect_match unauth-own-logged "$(cat "$MAINLOG")" \
	"signet: sender <bob@example\.com> sent as <alice=sg0[a-z2-7]{26}@example\.com>: submitter 'alice' may not use <bob@example\.com>"
write_config '"unauthorised_sender": "unsigned"'
t=$(submit bob@example.com r2@remote.example "$OUT/m3")
expect_match unauth-unsigned-accepted "$(data_reply "$t")" '^250 OK id='
expect_eq unauth-unsigned-return-path "$(rpath "$OUT/mail/remote-r2" 2)" \
	"<bob@example.com>"
expect_match unauth-logged "$(cat "$MAINLOG")" \
	'signet: sender <bob@example.com> not signed: the submitter may not'
write_config '"unauthorised_sender": "reject"'
t=$(submit bob@example.com r2@remote.example "$OUT/m3")
expect_match unauth-reject-550 "$(data_reply "$t")" \
	"^550 5\.7\.1 <bob@example\.com>: you are logged in as 'alice'"
write_config '"senders": {"alice": ["bob@example.com"]}'
t=$(submit bob@example.com r3@remote.example "$OUT/m3")
expect_match senders-map-signed "$(rpath "$OUT/mail/remote-r3" 1)" \
	'^<bob=sg0[a-z2-7]{26}@example\.com>$'

# Senders left unsigned, each with its reason in the log; a base too long
# for the closed format falls back to prvs where the hub accepts prvs.
L40=$(printf 'l%.0s' $(seq 40))
L50=$(printf 'm%.0s' $(seq 50))
write_config "\"senders\": {\"alice\": [\"$L40@example.com\", \"$L50@example.com\", \"postmaster@example.com\"]}" \
	'"verify_formats": ["signet", "prvs"]'
submit "$L40@example.com" r1@remote.example "$OUT/m3" >/dev/null
expect_match long-falls-back-to-prvs "$(rpath "$OUT/mail/remote-r1" 2)" \
	"^<prvs=0[0-9]{3}[0-9a-f]{6}=$L40@example\.com>\$"
submit "$L50@example.com" r1@remote.example "$OUT/m3" >/dev/null
expect_eq too-long-unsigned "$(rpath "$OUT/mail/remote-r1" 3)" \
	"<$L50@example.com>"
submit postmaster@example.com r1@remote.example "$OUT/m3" >/dev/null
expect_eq exempt-unsigned "$(rpath "$OUT/mail/remote-r1" 4)" \
	"<postmaster@example.com>"
submit "$S1" r1@remote.example "$OUT/m3" >/dev/null
expect_eq already-signed-kept "$(rpath "$OUT/mail/remote-r1" 5)" "<$S1>"
# Someone else's signed address: replaced by the submitter's own (the
# default), sent without its signature, or refused.
BOBS=$("$HELPER" sign "$KEYRING" signet bob@example.com - 60)
submit "$BOBS" r1@remote.example "$OUT/m3" >/dev/null
expect_match others-signed-own "$(rpath "$OUT/mail/remote-r1" 6)" \
	'^<alice=sg0[a-z2-7]{26}@example\.com>$'
write_config '"unauthorised_sender": "unsigned"'
submit "$BOBS" r1@remote.example "$OUT/m3" >/dev/null
expect_eq others-signed-stripped "$(rpath "$OUT/mail/remote-r1" 7)" \
	"<bob@example.com>"
write_config '"unauthorised_sender": "reject"'
t=$(submit "$BOBS" r1@remote.example "$OUT/m3")
expect_match others-signed-reject-550 "$(data_reply "$t")" \
	"^550 5\.7\.1 <bob@example\.com>: you are logged in as 'alice'"
log=$(cat "$MAINLOG")
expect_match too-long-logged "$log" "sender <$L50@example.com> not signed: .*"
expect_match exempt-logged "$log" \
	'sender <postmaster@example.com> not signed: exempt'
expect_match already-signed-logged "$log" \
	"sender <$S1> not signed: already signed"

# ... or one an Exim lookup allows (SIGNET_SENDERS_LOOKUP, which
# local_scan asks acl_signet_senders for).
write_config
msg "$OUT/m7" "m7-$$@example.com" dave@example.com r3@remote.example
submit dave@example.com r3@remote.example "$OUT/m7" >/dev/null
expect_match senders-lookup-signed "$(rpath "$OUT/mail/remote-r3" 2)" \
	'^<dave=sg0[a-z2-7]{26}@example\.com>$'
# A lookup that fails defers the message: no guess signs or refuses it.
mv "$OUT/senders" "$OUT/senders.away"
t=$(submit dave@example.com r3@remote.example "$OUT/m7")
mv "$OUT/senders.away" "$OUT/senders"
expect_match senders-lookup-failed-451 "$(data_reply "$t")" \
	'^451 4\.3\.0 cannot look up the addresses you may send as'
expect_match senders-lookup-failed-logged "$(cat "$OUT/log/mainlog")" \
	"signet: sender <dave@example.com>: message deferred: cannot look up the addresses 'alice' may send as"

# A relay host (webmail) is signed for only when configured.
msg "$OUT/m4" "m4-$$@example.com" carol@example.com r4@remote.example
write_config
expect_eq relay-default-unsigned "$(relay_rpath 1)" "<carol@example.com>"
write_config '"relay_hosts_sign": true'
expect_match relay-configured-signed "$(relay_rpath 2)" \
	'^<carol=sg0[a-z2-7]{26}@example\.com>$'
# Mail from outside with one of our addresses as sender is not signed.
smtp --from carol@example.com --to bob@example.com --data "@$OUT/m4" \
	>/dev/null
expect_eq inbound-not-signed "$(rpath "$OUT/mail/bob" 3)" "<carol@example.com>"

# prvs format: Exim's own ${prvscheck} accepts what we issue.
write_config '"format": "prvs"'
t=$(submit alice@example.com r5@remote.example "$OUT/m1")
wait_msgs "$OUT/mail/remote-r5" 1
P1=$(last_msg "$OUT/mail/remote-r5" | header Return-path | tr -d '<>')
expect_match prvs-signed "$P1" '^prvs=0[0-9]{3}[0-9a-f]{6}=alice@example\.com$'
secret=$(python3 -c 'import json,sys; print([k["secret"] for k in json.load(open(sys.argv[1]))["keys"] if k["purpose"]=="addr"][0])' "$KEYRING")
expect_eq prvs-exim-prvscheck \
	"$("$EXIM" -C "$CONF" -be "\${prvscheck{$P1}{$secret}{\$prvscheck_address}}")" \
	alice@example.com
t=$(smtp --from '<>' --to "$P1" --quit-after RCPT)
expect_match prvs-bounce-250 "$(rcpt_reply "$t")" '^250'
# A hub that issues only the closed format accepts no prvs address: its
# 24-bit MAC would fall to 2^24 tries.
write_config
t=$(smtp --from '<>' --to "$P1" --quit-after RCPT)
expect_match prvs-not-accepted-550 "$(rcpt_reply "$t")" \
	'^550 5\.7\.1 .*not issued'

# Local submission: the calling user is the submitter.
msg "$OUT/m5" "m5-$$@example.com" alice@example.com r6@remote.example
"$EXIM" -C "$CONF" -odi -f alice@example.com r6@remote.example \
	<"$OUT/m5" >/dev/null 2>&1
expect_eq local-root-not-alice "$(rpath "$OUT/mail/remote-r6" 1)" \
	"<alice@example.com>"
write_config '"senders": {"root": ["alice@example.com"]}'
"$EXIM" -C "$CONF" -odi -f alice@example.com r6@remote.example \
	<"$OUT/m5" >/dev/null 2>&1
expect_match local-submission-signed "$(rpath "$OUT/mail/remote-r6" 2)" \
	'^<alice=sg0[a-z2-7]{26}@example\.com>$'
write_config

# ---- failure rules: no keyring, bad configuration ----
mv "$KEYRING" "$KEYRING.away"
t=$(submit alice@example.com r7@remote.example "$OUT/m1")
expect_match nokey-submit-accepted "$(data_reply "$t")" '^250 OK id='
expect_eq nokey-sent-unsigned "$(rpath "$OUT/mail/remote-r7" 1)" \
	"<alice@example.com>"
t=$(bounce "$S1" "$OUT/d1")
expect_match nokey-bounce-signed-451 "$(rcpt_reply "$t")" '^451 4\.3\.0'
t=$(bounce alice@example.com "$OUT/d3")
expect_match nokey-bounce-unsigned-451 "$(rcpt_reply "$t")" '^451 4\.3\.0'
expect_match nokey-logged "$(cat "$MAINLOG")" \
	'signet: keyring unusable, outgoing mail goes unsigned'
# Exempt addresses (lists, owner-) that look signed: 451 too, and the SMTP
# process lives on to answer the next command (it used to dereference the
# missing keyring and die, dropping the connection).
EXEMPT_PRVS=prvs=0123abcdef=list-request@example.com
EXEMPT_CLOSED=owner-x=sg0aaaaaaaaaaaaaaaaaaaaaaaaaa@example.com
: >"$OUT/users/list-request"
: >"$OUT/users/owner-x"
t=$(smtp --from '<>' --to "$EXEMPT_PRVS,$EXEMPT_CLOSED" --quit-after RCPT)
expect_match nokey-exempt-prvs-451 \
	"$(reply_to " RCPT TO:<$EXEMPT_PRVS>" "$t")" '^451 4\.3\.0'
expect_match nokey-exempt-closed-451 \
	"$(reply_to " RCPT TO:<$EXEMPT_CLOSED>" "$t")" '^451 4\.3\.0'
expect_match nokey-exempt-session-alive "$(reply_to ' QUIT' "$t")" '^221 '
expect_eq nokey-exempt-no-panic "$(cat "$OUT/log/paniclog" 2>/dev/null)" ""
mv "$KEYRING.away" "$KEYRING"

# A keyring that loads but holds no address key (the seal-only copy, or
# none at all) is our fault: 451, never 550 "expired".
cp -p "$KEYRING" "$KEYRING.good"
cp "$OUT/keys/seal.json" "$KEYRING"
t=$(bounce "$S1" "$OUT/d1")
expect_match sealonly-keyring-451 "$(rcpt_reply "$t")" '^451 4\.3\.0'
expect_match sealonly-keyring-logged "$(cat "$MAINLOG")" \
	"signet: rcpt <$S1> .*defer unverified \(keyring\)"
# ... and the log says what is wrong with which file, as for a keyring
# that does not load (before: only "defer unverified (keyring)").
expect_match sealonly-keyring-says-why "$(cat "$MAINLOG")" \
	"signet: keyring $KEYRING holds no address key that is still valid .*checks of signed addresses answer 451"
printf '{"version": 1, "keys": []}\n' >"$KEYRING"
n0=$(wc -l <"$MAINLOG")
t=$(bounce "$S1" "$OUT/d1")
expect_match empty-keyring-451 "$(rcpt_reply "$t")" '^451 4\.3\.0'
expect_match empty-keyring-says-why "$(tail -n +$((n0 + 1)) "$MAINLOG")" \
	"signet: keyring $KEYRING holds no address key"
# A corrupt keyring, as a missing one: exempt addresses that look signed
# get 451 too, and the process lives on.
printf '{"version": 1, "keys": [{"id": 0, "purpose": "addr", "secr\n' \
	>"$KEYRING"
t=$(smtp --from '<>' --to "$EXEMPT_PRVS,$EXEMPT_CLOSED" --quit-after RCPT)
expect_match corrupt-keyring-exempt-prvs-451 \
	"$(reply_to " RCPT TO:<$EXEMPT_PRVS>" "$t")" '^451 4\.3\.0'
expect_match corrupt-keyring-exempt-closed-451 \
	"$(reply_to " RCPT TO:<$EXEMPT_CLOSED>" "$t")" '^451 4\.3\.0'
expect_match corrupt-keyring-session-alive "$(reply_to ' QUIT' "$t")" '^221 '
expect_match corrupt-keyring-logged "$(cat "$MAINLOG")" \
	"signet: keyring unusable, .*checks answer 4xx: $KEYRING: "
expect_eq corrupt-keyring-no-panic "$(cat "$OUT/log/paniclog" 2>/dev/null)" ""
mv "$KEYRING.good" "$KEYRING"

chmod 644 "$KEYRING"
t=$(bounce "$S1" "$OUT/d1")
expect_match keyring-mode-refused-451 "$(rcpt_reply "$t")" '^451 4\.3\.0'
expect_match keyring-mode-logged "$(cat "$MAINLOG")" \
	"keyring unusable.*$KEYRING"
chmod 600 "$KEYRING"

cp "$OUT/signet.json" "$OUT/signet.json.good"
echo '{"domains": ["example.com"], "format": "bogus"}' >"$OUT/signet.json"
t=$(submit alice@example.com r8@remote.example "$OUT/m1")
expect_eq badconf-sent-unsigned "$(rpath "$OUT/mail/remote-r8" 1)" \
	"<alice@example.com>"
t=$(bounce "$S1" "$OUT/d1")
expect_match badconf-bounce-451 "$(rcpt_reply "$t")" '^451 4\.3\.0'
expect_match badconf-logged "$(cat "$MAINLOG")" \
	'signet: configuration unusable.*format'
mv "$OUT/signet.json.good" "$OUT/signet.json"

# ---- reload inside one connection: keyring rotated, then removed ----
# The rotated keyring keeps key 0 (so S1 still verifies) and adds key 1.
python3 - "$KEYRING" "$OUT/keys/next.json" <<'PY'
import json, os, sys
k = json.load(open(sys.argv[1]))
new = [dict(x, id=1, secret=os.urandom(32).hex()) for x in k["keys"]]
k["keys"] += new
with open(sys.argv[2], "w") as f:
    json.dump(k, f)
os.chmod(sys.argv[2], 0o600)
PY
chown "$EXIM_USER" "$OUT/keys/next.json"
python3 "$TOP/tests/exim/reload.py" 127.0.0.1 "$PORT" "$KEYRING" \
	"$OUT/keys/next.json" >"$OUT/reload.out" 2>&1
wait_msgs "$OUT/mail/remote-r9" 3
# Delivery order is not arrival order: find each by its Subject.
rp_of() {
	awk -v subj="Subject: $2" '/^From / {rp = ""}
		/^Return-path: / {rp = $2}
		$0 == subj {print rp; exit}' "$1"
}
expect_match reload-first-key0 "$(rp_of "$OUT/mail/remote-r9" "reload 1")" \
	'^<alice=sg0[a-z2-7]{26}@example\.com>$'
expect_match reload-rotated-key1 "$(rp_of "$OUT/mail/remote-r9" "reload 2")" \
	'^<alice=sg1[a-z2-7]{26}@example\.com>$'
expect_eq reload-removed-unsigned "$(rp_of "$OUT/mail/remote-r9" "reload 3")" \
	'<alice@example.com>'
[ -f "$KEYRING" ] || fail reload-restored "keyring not restored: $(cat "$OUT/reload.out")"

# ---- exim -bh: the ACL answers without a daemon ----
bh=$(printf 'EHLO probe.example\r\nMAIL FROM:<>\r\nRCPT TO:<%s>\r\nRCPT TO:<%s>\r\nQUIT\r\n' \
	"$S1" "$FORGED" | "$EXIM" -C "$CONF" -bh 192.0.2.1 2>/dev/null)
expect_match bh-valid-250 "$bh" '^250 Accepted'
expect_match bh-forged-550 "$bh" '^550[- ]5\.7\.1 <alice=sg0'

# ---- odd input: answers, never a crash (a crash drops the connection) ----
BAD="alice=sg0$(printf '!%.0s' $(seq 26))@example.com"
t=$(smtp --from '<>' --to "$BAD" --quit-after RCPT)
expect_match odd-tag-not-base32 "$(rcpt_reply "$t")" '^550'
t=$(smtp --from '<>' --to "alice=sg9aaaaaaaaaaaaaaaaaaaaaaaaaa@example.com" \
	--quit-after RCPT)
expect_match odd-unknown-key-550 "$(rcpt_reply "$t")" '^550 5\.7\.1'
t=$(smtp --from '<>' --to "prvs=0999abcdef=alice@example.com" --quit-after RCPT)
expect_match odd-prvs-forged-550 "$(rcpt_reply "$t")" '^550 5\.7\.1'
# A bounce whose body is 100 KB of one line, and one message to many
# local recipients with a 900-octet Message-ID.
{ echo "Subject: junk"; echo; head -c 100000 /dev/zero | tr '\0' 'x'; echo; } \
	>"$OUT/junk"
t=$(bounce "$S1" "$OUT/junk")
expect_match odd-long-line-bounce "$(data_reply "$t")" '^250 OK id='
LONGID="$(printf 'i%.0s' $(seq 900))@example.com"
msg "$OUT/m8" "$LONGID" alice@example.com many
rcpts=$(for i in $(seq 40); do printf 'u%d@example.net,' $i; done)
t=$(submit alice@example.com "${rcpts%,}" "$OUT/m8")
expect_match odd-long-msgid-many-rcpts "$(data_reply "$t")" '^250 OK id='
i=0
while [ "$(grep -c '^u40@example.net' "$OUT/lmtp.log" 2>/dev/null)" = 0 ] &&
	[ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
# each copy carries one header, its own, not all 40
expect_eq odd-many-rcpts-one-header-each \
	"$(grep '^u40@example.net ' "$OUT/lmtp.log" | cut -d'|' -f2)" \
	" $(rcpt_tag u40@example.net) "
expect_eq dlfunc-missing-args \
	"$("$EXIM" -C "$CONF" -be "\${dlfunc{$SO}{signet_rcpt}{x@example.com}}" 2>/dev/null |
		cut -d' ' -f1-3)" "defer unverified 451"

# ---- guessing: after fade.max_forged forged tries for one base, every
# signed address of it answers 450, the right one too, so that further
# guesses tell the guesser nothing ----
write_config '"fade": {"max_forged": 3}'
GOOD=$("$HELPER" sign "$KEYRING" signet carol@example.com - 60)
t=$(smtp --from '<>' --to "$GOOD" --quit-after RCPT)
expect_match guess-valid-before-250 "$(rcpt_reply "$t")" '^250'
codes=""
for c in a b c; do
	bad=$(printf '%s' "$GOOD" | sed "s/=sg0./=sg0$c/")
	[ "$bad" = "$GOOD" ] && bad=$(printf '%s' "$GOOD" | sed 's/=sg0./=sg0d/')
	t=$(smtp --from '<>' --to "$bad" --quit-after RCPT)
	codes="$codes $(rcpt_reply "$t" | cut -c1-3)"
done
expect_eq guess-forged-550-until-the-limit "$codes" " 550 550 550"
t=$(smtp --from '<>' --to "$GOOD" --quit-after RCPT)
expect_match guess-locked-valid-450 "$(rcpt_reply "$t")" \
	'^450 4\.7\.1 .*too many forged return addresses'
t=$(smtp --from '<>' --to "$bad" --quit-after RCPT)
expect_match guess-locked-forged-450 "$(rcpt_reply "$t")" '^450 4\.7\.1'
expect_match guess-logged "$(cat "$MAINLOG")" \
	'signet: forged return addresses of <carol@example\.com> tried 3 times \([0-9]+ from 127\.0\.0\.0/24\)'
expect_match guess-event "$(grep '"verdict":"abuse"' "$EVENTS" | tail -n 1)" \
	'"event":"deferred".*"rcpt":"carol=sg0'
st=$("$SIGNET" -c "$OUT/signet.json" stats 2>&1 | tr '\n' ' ')
expect_match guess-stats-bases "$st" \
	'forged attempts per mailbox \(store\):.* [0-9]+  carol@example\.com'
expect_match guess-stats-networks "$st" \
	'forged attempts per client network \(store\):.* [0-9]+  127\.0\.0\.0/24'
expect_match guess-stats-held-back "$st" \
	'guessing: [0-9]+ answers held back \(450\)'
DAVE=$("$HELPER" sign "$KEYRING" signet dave@example.com - 60)
t=$(smtp --from '<>' --to "$DAVE" --quit-after RCPT)
expect_match guess-other-base-unaffected "$(rcpt_reply "$t")" '^250'
# Sub-addresses of one mailbox share its count: w+1@, w+2@ ... are each a
# fresh target with the same odds, all delivered to w@ (before, each had
# its own count, so the limit held no guesser back).
codes=""
for i in 1 2 3 4; do
	t=$(smtp --from '<>' --quit-after RCPT \
		--to "w+$i=sg0aaaaaaaaaaaaaaaaaaaaaaaaaa@example.net")
	codes="$codes $(rcpt_reply "$t" | cut -c1-3)"
done
expect_eq guess-subaddress-shares-count "$codes" " 550 550 550 450"
WNEWS=$("$HELPER" sign "$KEYRING" signet W+News@example.net - 60)
t=$(smtp --from '<>' --to "$WNEWS" --quit-after RCPT)
expect_match guess-subaddress-locked-valid-450 "$(rcpt_reply "$t")" \
	'^450 4\.7\.1 .*too many forged return addresses'
expect_match guess-subaddress-logged "$(cat "$MAINLOG")" \
	'signet: forged return addresses of <w@example\.net> tried 3 times'
write_config

# ---- the event feed is one JSON object per line ----
bad=$(python3 -c '
import json, sys
kinds = set()
for n, line in enumerate(open(sys.argv[1]), 1):
    try:
        kinds.add(json.loads(line)["event"])
    except Exception as e:
        print("line %d: %s" % (n, e)); sys.exit(0)
print(" ".join(sorted(kinds)))' "$EVENTS")
expect_match events-json "$bad" 'deferred.*issued.*rejected.*sealed.*verified'

# ---- no panics, no secrets in the logs ----
expect_eq no-panic-log "$(cat "$OUT/log/paniclog" 2>/dev/null)" ""
secret_seal=$(python3 -c 'import json,sys; print(" ".join(k["secret"] for k in json.load(open(sys.argv[1]))["keys"]))' "$KEYRING")
leak=""
for s in $secret_seal; do
	grep -rqF "$s" "$OUT/log" "$EVENTS" && leak="$leak $s"
done
expect_eq no-secret-in-logs "$leak" ""

stop_exim
sh "$TOP/tests/exim/valgrind.sh" "$OUT" "$S1" "$FORGED"
sh "$TOP/tests/exim/shipped.sh" "$OUT"

# ---- loaded once, in the daemon (the shipped default) ----
# The daemon loads the module, its configuration and keys when it expands
# smtp_accept_max_per_host for a connection, and each connection's process
# inherits them: over three messages on three connections nothing opens
# the keyring or the configuration again.  The same count against a daemon
# with SIGNET_NO_PRELOAD (one open of each per connection) shows that the
# count sees the reads it is meant to see.  These daemons only queue and
# run no queue: a delivery process (a fresh exec) reads both once, to seal,
# and a queue run at a daemon's start once raced with a count.
start_exim "$PORT" || fail preload-daemon "exim did not listen on $PORT"
dpid=$(cat "$OUT/exim-$PORT.pid" 2>/dev/null)
QO=$OUT/exim-queueonly.conf
{ echo 'queue_only = true'; cat "$CONF"; } >"$QO"
trust_conf "$QO"
start_exim 2528 "$QO" -odq || fail preload-daemon "exim did not listen on 2528"
swaks --server 127.0.0.1 --port 2528 --timeout 20 \
	--from someone@remote.example --to bob@example.com \
	--data "@$OUT/m2" >/dev/null 2>&1
opens() { # PORT: opens of the keyring and the configuration
	python3 "$TOP/tests/exim/opens.py" "$1" 3 someone@remote.example \
		bob@example.com "$KEYRING" "$OUT/signet.json" 2>&1 | tr '\n' ' '
}
expect_eq preload-no-reads-per-connection "$(opens 2528)" \
	"keyring.json 0 signet.json 0 "
NOPRE=$OUT/exim-nopreload.conf
{ echo 'SIGNET_NO_PRELOAD = yes'; cat "$QO"; } >"$NOPRE"
trust_conf "$NOPRE"
if start_exim 2527 "$NOPRE" -odq; then
	expect_eq nopreload-reads-per-connection "$(opens 2527)" \
		"keyring.json 3 signet.json 3 "
else
	fail nopreload-daemon "exim did not listen on 2527"
fi
# A replaced keyring is read once more, by the daemon (it looks at most
# once a second), and the connections after it use the new keys: the
# seal of the rotated keyring's newest seal key (id 1).
python3 - "$KEYRING" "$OUT/keys/rotated.json" <<'PY'
import json, os, sys
k = json.load(open(sys.argv[1]))
k["keys"] += [dict(x, id=1, secret=os.urandom(32).hex()) for x in k["keys"]]
with open(sys.argv[2], "w") as f:
    json.dump(k, f)
os.chmod(sys.argv[2], 0o600)
PY
chown "$EXIM_USER" "$OUT/keys/rotated.json"
cp -p "$KEYRING" "$OUT/keys/before-rotation.json"
mv "$OUT/keys/rotated.json" "$KEYRING"
sleep 1.1
n=$(msg_count "$OUT/mail/bob")
expect_eq preload-reload-once "$(opens 2528)" \
	"keyring.json 1 signet.json 0 "
"$EXIM" -C "$QO" -qf >/dev/null 2>&1
wait_msgs "$OUT/mail/bob" $((n + 3))
expect_eq preload-reload-new-seal-key \
	"$(field "$(prov "$OUT/mail/bob" | tail -n 1)" k)" 1
mv "$OUT/keys/before-rotation.json" "$KEYRING"
# Debian's Exim loads local_scan_path once per process, on its first
# message; the preload has Exim's own loader do that in the daemon, so a
# connection's process opens no shared object at all.  LD_DEBUG=files
# shows every dlopen, the daemon's and its children's, in one file.
LDD=$OUT/ld-debug
rm -rf "$LDD"
mkdir -p "$LDD"
chmod 777 "$LDD"
LD_DEBUG=files LD_DEBUG_OUTPUT=$LDD/ld "$EXIM" -C "$QO" -bdf -odq -oY \
	-oX 2529 -oP "$OUT/exim-2529.pid" >>"$OUT/daemon-2529.out" 2>&1 &
EXIM_PIDS="$EXIM_PIDS $!"
if wait_listen 2529; then
	t=$(swaks --server 127.0.0.1 --port 2529 --timeout 20 \
		--from someone@remote.example --to bob@example.com \
		--data "@$OUT/m2" 2>&1)
	expect_match preload-loader-message-accepted "$(data_reply "$t")" \
		'^250 OK id='
	lpid=$(cat "$OUT/exim-2529.pid")
	# the daemon's own opens show that LD_DEBUG sees them
	expect_match preload-loader-daemon-opened "$(grep -h \
		"^ *$lpid:.*opening file=.*signet\.so" "$LDD"/ld.* | head -n 1)" \
		'opening file='
	expect_eq preload-loader-connection-opens-nothing "$(grep -h \
		'opening file=' "$LDD"/ld.* | grep -v "^ *$lpid:")" ""
else
	fail preload-loader-daemon "exim did not listen on 2529"
fi
# The daemon holds no handle a connection's process should not inherit:
# not the state store, not the event file, not a key file.
t=$(bounce "$("$HELPER" sign "$KEYRING" signet dave@example.com - 60)" \
	"$OUT/d1")
expect_match preload-store-used "$(rcpt_reply "$t")" '^250'
expect_eq preload-daemon-no-handles "$(ls -l "/proc/$dpid/fd" 2>&1 |
	grep -c -e signet.mdb -e events.jsonl -e keys/ -e signet.json)" 0

# ---- the RCPT snippet's fast path: a refused signed recipient does not
# leak its answer onto the next, ordinary, recipient of the message ----
codes=$(python3 - "$PORT" "$FORGED" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.ehlo("probe.example")
s.mail("someone@remote.example")
print(s.rcpt(sys.argv[2])[0], s.rcpt("bob@example.com")[0])
s.quit()
PY
)
expect_eq rcpt-ordinary-after-refused "$codes" "550 250"
stop_exim
expect_eq no-panic-log-at-end "$(cat "$OUT/log/paniclog" 2>/dev/null)" ""
