#!/bin/sh
# The Dovecot plugin against a private Dovecot 2.3 instance on 127.0.0.1
# (ports 2550-2552): real LMTP, dovecot-lda, Sieve, IMAP and POP3.  Sealed
# headers are made with the core and a test seal key (signet-mkprov).
SUITE=dovecot
TOP=$(pwd)
. tests/lib.sh
. tests/dovecot/instance.sh
DP_SO=$B/dovecot-plugin/lib90_signet_plugin.so
MKPROV=$B/tests/dovecot/signet-mkprov
CLIENT="python3 $TOP/tests/dovecot/client.py"
OUT=$TOP/tests/out/dovecot
PORT=2550
IMAP=$((PORT + 1))
POP3=$((PORT + 2))

for f in "$DP_SO" "$MKPROV" "$B/tests/dovecot/test-eval" \
	"$B/tests/dovecot/test-header"; do
	if [ ! -x "$f" ]; then
		fail build "$f missing: run make"
		exit 1
	fi
done

# the decisions on their own (also under ASan and UBSan when make check
# built that copy), then through a real Dovecot
"$B/tests/dovecot/test-eval" || fail eval-exit "test-eval exited $?"
"$B/tests/dovecot/test-header" || fail header-exit "test-header exited $?"
if [ -x "$TOP/build/asan/tests/dovecot/test-eval" ]; then
	out=$("$TOP/build/asan/tests/dovecot/test-eval" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed -n 's/^\(PASS\|FAIL\): dovecot: /\1: dovecot: asan-/p'
	[ $rc -eq 0 ] || fail asan-eval-exit "exited $rc: $(printf '%s' \
		"$out" | grep -v '^PASS' | head -c 400)"
fi

trap 'dc_stop' EXIT
trap 'exit 1' INT TERM
dc_setup "$OUT/dc" "$PORT" yes
MSG=$OUT/msg
mkdir -p "$MSG"
KR=$DC_DIR/seal-keyring.json
EVIL=$OUT/attacker-keyring.json
rm -f "$EVIL"
$MKPROV newkey "$KR" && $MKPROV newkey "$EVIL" || {
	fail setup "cannot make keyrings"
	exit 1
}
chown "$DC_UID:$DC_GID" "$KR"

dc_adduser alice@isp.example
dc_adduser bob@isp.example
dc_adduser carol@isp.example
dc_adduser dan@isp.example
dc_adduser erin@isp.example userdb_signet_enabled=no
dc_adduser fay@isp.example userdb_signet_enabled=no
dc_adduser frank@isp.example userdb_signet_subject_tag=bogus
dc_adduser hank@isp.example 'userdb_signet_keyword_forged=$Bad(kw'
dc_adduser ivy@isp.example \
	'userdb_signet_tag_forged=[THIS-TAG-IS-FAR-TOO-LONG-FOR-ANY-SUBJECT]'
dc_adduser gina@isp.example userdb_signet_subject_tag=unverified \
	'userdb_signet_tag_unverified=[CHECK]' \
	'userdb_signet_keyword_unverified=$Unchecked'

# carol (and fay, with the plugin off) file forged mail away; dan adds his
# own flags.
for u in carol dan fay; do
	h=$DC_DIR/home/$u@isp.example
	mkdir -p "$h/sieve"
done
cat >"$DC_DIR/home/carol@isp.example/sieve/main.sieve" <<'EOF'
require ["fileinto", "mailbox"];
if header :contains "Signet-Result" "FORGED" {
	fileinto :create "Forged";
	stop;
}
EOF
cat >"$DC_DIR/home/dan@isp.example/sieve/main.sieve" <<'EOF'
require ["imap4flags"];
addflag "$Custom";
addflag "\\Flagged";
EOF
cp "$DC_DIR/home/carol@isp.example/sieve/main.sieve" \
	"$DC_DIR/home/fay@isp.example/sieve/main.sieve"
for u in carol dan fay; do
	h=$DC_DIR/home/$u@isp.example
	ln -sf sieve/main.sieve "$h/.dovecot.sieve"
	chown -R "$DC_UID:$DC_GID" "$h"
done

expect_eq shipped-conf-clean "$(doveconf -c "$DC_CONF" -n 2>&1 >/dev/null)" ""
expect_eq shipped-conf-lmtp-loads-plugin \
	"$(doveconf -c "$DC_CONF" -f protocol=lmtp -h mail_plugins | \
		tr ' ' '\n' | grep -c '^signet$')" 1
if ! dc_start; then
	fail start "dovecot did not start: $(tail -n 5 "$DC_DIR/dovecot.log")"
	exit 1
fi
pass start

# seal KEYRING RCPT field=value...: a header value for RCPT that the client
# seals when it delivers the message (client.py sealed), bound as the hub
# binds it (msg=) to the message as delivered, unless the fields give msg;
# at $SIGNET_MKPROV_NOW if set
seal() {
	_k=$1; _r=$2; shift 2
	printf '@seal %s\n' "$(printf '%s\0' "$_k" "$_r" \
		"now=${SIGNET_MKPROV_NOW:-}" v=1 "$@" | base64 -w 0)"
}
export SIGNET_MKPROV="$MKPROV"
# sealed NAME: $MSG/NAME.eml sealed, for what does not go through the
# client's LMTP; prints its path
sealed() {
	$CLIENT sealed "$MSG/$1.eml" >"$MSG/$1.sealed" && echo "$MSG/$1.sealed"
}
# tag_of RCPT: RCPT's rcpt= tag under our key (it names no one)
tag_of() {
	$MKPROV seal "$KR" "$1" v=1 |
		sed -n 's/.*rcpt=\([0-9a-f]*\);.*/\1/p'
}
BOUNCE="verdict=valid reason=ok owner=alice@isp.example format=signet \
issued=2026-11-20T14:03:00Z key=0 bounce=yes bind=match from= tls=TLS1.3 \
cipher=TLS_AES_256_GCM_SHA384 pfs=yes peer=203.0.113.5 helo=mx.example.org \
host=mx1.isp.example"
PLAIN="verdict=none reason=not-signed from=carl@example.org tls=TLS1.2 \
pfs=yes peer=198.51.100.7 helo=mail.example.org host=mx1.isp.example"

# msg NAME "Header: value"...: writes $MSG/NAME.eml with Message-ID <NAME@t>
msg() {
	_f=$MSG/$1.eml; _id=$1; shift
	{
		for _h in "$@"; do printf '%s\n' "$_h"; done
		printf 'To: someone@isp.example\nMessage-ID: <%s@t>\n' "$_id"
		printf 'Date: Sun, 22 Nov 2026 07:00:00 +0000\n'
		printf 'MIME-Version: 1.0\n\nbody of %s\n.leading dot\n' "$_id"
	} >"$_f"
}

# lmtp NAME SENDER RCPT[,RCPT...]: delivers; the replies go to $REPLY
lmtp() {
	REPLY=$($CLIENT lmtp "$PORT" "$2" "$3" "$MSG/$1.eml" 2>&1)
}

# fetch USER NAME [MAILBOX]: IMAP flags and unfolded headers into $GOT
# (NAME "Subject:TEXT": the message whose Subject holds TEXT)
fetch() {
	case $2 in
	Subject:*) set -- "$1" "$2" "${3:-INBOX}" ;;
	*) set -- "$1" "<$2@t>" "${3:-INBOX}" ;;
	esac
	GOT=$($CLIENT imap "$IMAP" "$1@isp.example" "$3" "$2" 2>&1)
}

hdr() {
	printf '%s\n' "$GOT" | grep -i "^$1:" | head -n 1 | sed "s/^[^:]*: *//"
}
count() {
	printf '%s\n' "$GOT" | grep -ci "^$1:"
}

## a genuine bounce of alice's own message
msg bounce "Signet-Provenance: $(seal "$KR" alice@isp.example $BOUNCE)" \
	"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>" \
	"Subject: Undelivered Mail Returned to Sender"
lmtp bounce "" alice@isp.example
expect_match lmtp-accepts "$REPLY" '^alice@isp.example: 250 '
fetch alice bounce
expect_match verified-keyword "$(hdr flags)" '\$SignetVerified'
expect_nomatch verified-not-forged "$(hdr flags)" 'Forged|Phishing'
expect_eq verified-result "$(hdr signet-result)" "genuine reply to your \
message of 20 Nov 14:03 UTC sent as alice@isp.example; arrived at \
isp.example over TLS1.3; from mx.example.org [203.0.113.5]"
expect_eq verified-subject-untagged "$(hdr subject)" \
	"Undelivered Mail Returned to Sender"
expect_eq verified-one-result-header "$(count signet-result)" 1
expect_eq verified-keeps-own-provenance "$(count signet-provenance)" 1
expect_match verified-provenance-for-rcpt "$(hdr signet-provenance)" \
	"rcpt=$(tag_of alice@isp.example);.*seal=[0-9a-f]{64}\$"

## a seal made with a key that is not ours
msg forgedseal \
	"Signet-Provenance: $(seal "$EVIL" alice@isp.example $BOUNCE)" \
	"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>" \
	"Subject: Undelivered Mail Returned to Sender"
# expect_forged_bounce TEST NAME RESULT: alice's copy of NAME is forged
expect_forged_bounce() {
	fetch alice "$2"
	expect_match "$1-keywords" "$(hdr flags)" \
		'\$SignetForged.*\$Phishing|\$Phishing.*\$SignetForged'
	expect_nomatch "$1-not-verified" "$(hdr flags)" 'Verified'
	expect_eq "$1-result" "$(hdr signet-result)" "$3"
	expect_eq "$1-subject" "$(hdr subject)" \
		"[FORGED] Undelivered Mail Returned to Sender"
	expect_eq "$1-header-removed" "$(count signet-provenance)" 0
}
lmtp forgedseal "" alice@isp.example
expect_forged_bounce forged-seal forgedseal "FORGED: the provenance record \
on this message was not made by isp.example"

## a header only for another recipient: forged if the hub did not seal it
## (its rcpt= tag does not say whom it names: its seal is what counts)
msg otherrcpt "Signet-Provenance: $(seal "$EVIL" bob@isp.example $BOUNCE)" \
	"From: <MAILER-DAEMON@mx.example.org>" "Subject: hello"
lmtp otherrcpt "" alice@isp.example
fetch alice otherrcpt
expect_match other-rcpt-forged "$(hdr flags)" '\$SignetForged'
expect_eq other-rcpt-result "$(hdr signet-result)" "FORGED: the \
provenance record on this message was not made by isp.example"
expect_eq other-rcpt-header-removed "$(count signet-provenance)" 0
# ... and only unverified if the hub sealed it (mail to an alias)
msg alias "Signet-Provenance: $(seal "$KR" postmaster@isp.example $BOUNCE)" \
	"From: <MAILER-DAEMON@mx.example.org>" "Subject: to an alias"
lmtp alias "" alice@isp.example
fetch alice alias
expect_match alias-unverified "$(hdr flags)" '\$SignetUnverified'
expect_nomatch alias-not-forged "$(hdr flags) $(hdr subject)" \
	'Forged|Verified|FORGED'
expect_match alias-result "$(hdr signet-result)" \
	'^UNVERIFIED: isp.example recorded this message for another address'
expect_eq alias-header-removed "$(count signet-provenance)" 0

## no provenance at all
msg unsealed "From: <carl@example.org>" "Subject: plain"
lmtp unsealed carl@example.org alice@isp.example
fetch alice unsealed
expect_match unsealed-unverified "$(hdr flags)" '\$SignetUnverified'
expect_eq unsealed-result "$(hdr signet-result)" \
	"UNVERIFIED: no provenance record from isp.example"
expect_eq unsealed-subject-untagged "$(hdr subject)" "plain"

## incoming copies of our headers are dropped; plain-text link
msg fakeresult "Signet-Result: genuine, trust me" \
	"Signet-Provenance: $(seal "$KR" alice@isp.example verdict=none \
		reason=not-signed tls=none pfs=no peer=192.0.2.9)" \
	"From: <carl@example.org>" "Subject: cleartext"
lmtp fakeresult carl@example.org alice@isp.example
fetch alice fakeresult
expect_eq incoming-result-removed "$(count signet-result)" 1
expect_eq insecure-result "$(hdr signet-result)" "arrived at isp.example \
over an unencrypted link; from [192.0.2.9]"
expect_match insecure-keyword "$(hdr flags)" '\$SignetInsecure'
expect_nomatch insecure-no-verdict-keyword "$(hdr flags)" \
	'Verified|Forged|Unverified'

## a header larger than a stream buffer: our record last, after a fake
## result; the header is read whole and rewritten
_big=$MSG/bigheader.eml
{
	printf 'Subject: Returned mail\n'
	printf 'From: <MAILER-DAEMON@example.net>\n'
	_i=0
	while [ $_i -lt 1500 ]; do
		printf 'Received: from relay%d.example.net (relay%d.example.net [192.0.2.1]) by mx.example.net\n' $_i $_i
		[ $_i -eq 700 ] && printf 'Signet-Result: genuine, trust me\n'
		_i=$((_i + 1))
	done
	printf 'Message-ID: <bigheader@t>\n'
	printf 'Signet-Provenance: %s\n' "$(seal "$KR" alice@isp.example \
		verdict=forged reason=forged addr=alice+abc@isp.example \
		bounce=yes tls=TLS1.3 pfs=yes)"
	printf '\nbody of bigheader\n'
} >"$_big"
lmtp bigheader "" alice@isp.example
expect_match big-header-accepted "$REPLY" '^alice@isp.example: 250 '
fetch alice bigheader
expect_match big-header-forged "$(hdr flags)" '\$SignetForged'
expect_match big-header-result "$(hdr signet-result)" \
	'^FORGED: isp.example never issued this address; '
expect_eq big-header-one-result "$(count signet-result)" 1
# and the one Dovecot's LMTP adds
expect_eq big-header-received-kept "$(count received)" 1501
expect_eq big-header-tagged "$(hdr subject)" "[FORGED] Returned mail"

## a message that is all header (no blank line, no body): the tag and the
## result still go in, and nothing is lost
printf 'Signet-Provenance: %s\nFrom: <MAILER-DAEMON@example.net>\nMessage-ID: <headeronly@t>\nX-Last: kept\n' \
	"$(seal "$KR" alice@isp.example verdict=forged reason=forged \
	addr=alice+abc@isp.example bounce=yes tls=TLS1.3 pfs=yes)" \
	>"$MSG/headeronly.eml"
lmtp headeronly "" alice@isp.example
expect_match header-only-accepted "$REPLY" '^alice@isp.example: 250 '
fetch alice headeronly
expect_match header-only-forged "$(hdr flags)" '\$SignetForged'
expect_eq header-only-tag-added "$(hdr subject)" "[FORGED]"
expect_eq header-only-last-kept "$(hdr x-last)" "kept"
expect_eq header-only-own-record-once "$(count signet-provenance)" 1

## verdicts the hub recorded
msg neverissued "Signet-Provenance: $(seal "$KR" alice@isp.example \
	verdict=forged reason=forged addr=alice+abc@isp.example bounce=yes \
	tls=TLS1.3 pfs=yes)" "From: <MAILER-DAEMON@example.net>" \
	"Subject: Returned mail"
lmtp neverissued "" alice@isp.example
fetch alice neverissued
expect_match never-issued-forged "$(hdr flags)" '\$SignetForged'
expect_match never-issued-result "$(hdr signet-result)" \
	'^FORGED: isp.example never issued this address; '
expect_eq never-issued-tagged "$(hdr subject)" "[FORGED] Returned mail"

msg unsignedbounce "Signet-Provenance: $(seal "$KR" alice@isp.example \
	verdict=unsigned-bounce reason=not-signed bounce=yes tls=TLS1.3 \
	pfs=yes)" "From: <MAILER-DAEMON@example.net>" "Subject: Returned"
lmtp unsignedbounce "" alice@isp.example
fetch alice unsignedbounce
expect_match unsigned-bounce-keywords "$(hdr flags)" \
	'\$SignetUnsignedBounce.*\$Junk|\$Junk.*\$SignetUnsignedBounce'
expect_match unsigned-bounce-result "$(hdr signet-result)" \
	'^UNSIGNED BOUNCE: isp.example did not sign this address'
expect_eq unsigned-bounce-not-tagged "$(hdr subject)" "Returned"

# bind_bounce BIND: delivers to alice a bounce to her valid address whose
# record says bind=BIND, and fetches it
bind_bounce() {
	msg "bind-$1" "Signet-Provenance: $(seal "$KR" alice@isp.example \
		verdict=valid reason=ok owner=alice@isp.example \
		issued=2026-11-20T14:03:00Z bounce=yes bind=$1 tls=TLS1.3 \
		pfs=yes)" "From: <MAILER-DAEMON@example.net>" \
		"Subject: Returned"
	lmtp "bind-$1" "" alice@isp.example
	fetch alice "bind-$1"
}
bind_bounce mismatch
expect_match bind-mismatch-forged "$(hdr flags)" '\$SignetForged'
expect_nomatch bind-mismatch-not-verified "$(hdr flags)" 'Verified'
expect_match bind-mismatch-result "$(hdr signet-result)" \
	'^FORGED: not a reply to your message'

## a valid address in a bounce that does not show which message it
## returns: a replayed, leaked address looks just the same, so it is a
## result of its own, never "genuine reply" or $SignetVerified
bind_bounce unknown
expect_match bind-unknown-keyword "$(hdr flags)" '\$SignetUnboundReply'
expect_nomatch bind-unknown-not-verified "$(hdr flags)" 'Verified'
expect_match bind-unknown-result "$(hdr signet-result)" \
	'^UNCONFIRMED REPLY: to an address issued to alice@isp\.example on 20 Nov 14:03 UTC, but the bounce does not say for which message'
expect_nomatch bind-unknown-never-genuine "$(hdr signet-result)" 'genuine'

## a sealed record is trusted for signet_seal_max_age_days (30): one made
## 100 days ago is a replay, not a message that waited in a queue
msg oldseal "Signet-Provenance: $(SIGNET_MKPROV_NOW=$(($(date +%s) - 8640000)) \
	seal "$KR" alice@isp.example $BOUNCE)" \
	"From: <MAILER-DAEMON@mx.example.org>" "Subject: old"
lmtp oldseal "" alice@isp.example
fetch alice oldseal
expect_nomatch old-seal-not-verified "$(hdr flags)" '\$SignetVerified'
expect_match old-seal-unverified "$(hdr signet-result)" \
	'^UNVERIFIED: the provenance record on this message was made too long ago'

## the hub binds each record to its message (msg=, the Message-ID's
## binding): a delivered copy's record pasted onto another message that
## reached Dovecot without passing the hub is forged provenance
bind_of() { printf '%s' "$1" | sha256sum | cut -c1-8; }
# bound NAME [SED]: delivers to alice a bounce NAME whose record the hub
# bound to <NAME@t>; SED first edits the message (its Message-ID)
bound() {
	msg "$1" "Signet-Provenance: $(seal "$KR" alice@isp.example \
		"msg=$(bind_of "$1@t")" $BOUNCE)" \
		"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>" \
		"Subject: Undelivered Mail Returned to Sender"
	[ -z "$2" ] || sed -i "$2" "$MSG/$1.eml"
	lmtp "$1" "" alice@isp.example
}
bound moved-src 's/<moved-src@t>/<moved@t>/'
expect_forged_bounce msg-moved moved "FORGED: the provenance record on \
this message was copied from another message"
# the same through dovecot-lda, as fed by another MTA
sed 's/<moved@t>/<lda-moved@t>/' "$MSG/moved-src.eml" >"$MSG/lda-moved.eml"
dc_lda alice@isp.example "" "$(sealed lda-moved)" -a alice@isp.example
fetch alice lda-moved
expect_match msg-moved-lda-forged "$(hdr flags) $(hdr subject)" \
	'\$SignetForged.*\[FORGED\] Undelivered'
# the record of this very message is verified, and kept
bound bound
fetch alice bound
expect_match msg-bound-verified "$(hdr flags)" '\$SignetVerified'
expect_nomatch msg-bound-not-forged "$(hdr flags) $(hdr subject)" \
	'Forged|FORGED'
expect_match msg-bound-header-kept "$(hdr signet-provenance)" \
	"msg=$(bind_of bound@t);.*rcpt=$(tag_of alice@isp.example);"
# a folded Message-ID binds as Exim reads it (unfolded)
bound boundfold 's/^Message-ID: \(<boundfold@t>\)$/Message-ID:\n\t\1/'
fetch alice boundfold
expect_match msg-folded-id-verified "$(hdr flags)" '\$SignetVerified'
# "Message-ID :" is not the field Exim's module binds: a record with msg=
# cannot be this message's
bound spacedid 's/^Message-ID: \(<spacedid@t>\)$/Message-ID : \1/'
fetch alice spacedid
expect_match msg-spaced-id-unbound-forged "$(hdr flags)" '\$SignetForged'

# a record without msg= (a hub before every record named its message)
# would fit any message: it vouches for none, but the hub made it
msg legacy "Signet-Provenance: $($MKPROV seal "$KR" alice@isp.example v=1 \
	$BOUNCE)" "From: <MAILER-DAEMON@mx.example.org>" "Subject: legacy"
lmtp legacy "" alice@isp.example
fetch alice legacy
expect_eq msg-missing-unverified "$(hdr flags | grep -o '\$Signet[A-Za-z]*')|$(
	hdr signet-result | cut -d';' -f1)" "\$SignetUnverified|UNVERIFIED: the \
provenance record on this message does not say which message it was made for"

# without a Message-ID, "Subject :" is not the field Exim's module binds
# either: the first "Subject:" is
msg noid-spaced "Signet-Provenance: $(seal "$KR" alice@isp.example $BOUNCE)" \
	"From: <MAILER-DAEMON@mx.example.org>" "Subject : spaced" \
	"Subject: noid-spaced"
sed -i '/^Message-ID:/d' "$MSG/noid-spaced.eml"
lmtp noid-spaced "" alice@isp.example
fetch alice "Subject:noid-spaced"
expect_match msg-noid-spaced-subject-verified "$(hdr flags)" \
	'\$SignetVerified'

## a hostile HELO name recorded by the hub cannot add header lines
msg inject "Signet-Provenance: $(seal "$KR" alice@isp.example verdict=none \
	reason=not-signed tls=TLS1.2 pfs=yes peer=192.0.2.1 \
	"helo=evil
X-Injected: yes")" "From: <x@example.net>" "Subject: inject"
lmtp inject x@example.net alice@isp.example
fetch alice inject
expect_eq no-header-injection "$(count x-injected)" 0
expect_match injected-text-neutralised "$(hdr signet-result)" \
	'from evil\?X-Injected:\?yes \[192.0.2.1\]'

## ORCPT is the LMTP client's word, not the hub's: a header sealed for
## another recipient (here a verified bounce for postmaster@) must not
## become alice's by naming postmaster@ as her original recipient
msg orcpt "Signet-Provenance: $(seal "$KR" postmaster@isp.example $BOUNCE)" \
	"From: <MAILER-DAEMON@mx.example.org>" "Subject: orcpt"
REPLY=$($CLIENT lmtp "$PORT" "" \
	"alice@isp.example ORCPT=rfc822;postmaster@isp.example" \
	"$MSG/orcpt.eml" 2>&1)
fetch alice orcpt
expect_nomatch orcpt-not-trusted "$(hdr flags)" '\$SignetVerified'
expect_nomatch orcpt-not-genuine "$(hdr signet-result)" '^genuine'

## look-alike sender domains
msg lookalike "Signet-Provenance: $(seal "$KR" alice@isp.example $PLAIN)" \
	"From: Registry <admin@dept.dam.ac.uk>" "Subject: your account"
lmtp lookalike admin@dept.dam.ac.uk alice@isp.example
fetch alice lookalike
expect_match lookalike-keywords "$(hdr flags)" \
	'\$SignetLookalike.*\$Phishing|\$Phishing.*\$SignetLookalike'
expect_match lookalike-result "$(hdr signet-result)" \
	'^LOOK-ALIKE: the sender.s domain dept.dam.ac.uk imitates dept.cam.ac.uk;'
expect_eq lookalike-tagged "$(hdr subject)" "[LOOK-ALIKE] your account"

# "isp.example" with a Cyrillic i (U+0456)
msg idn "Signet-Provenance: $(seal "$KR" alice@isp.example $PLAIN)" \
	"From: Support <help@xn--sp-goc.example>" "Subject: verify"
lmtp idn help@xn--sp-goc.example alice@isp.example
fetch alice idn
expect_match idn-lookalike "$(hdr flags)" '\$SignetLookalike'
expect_match idn-lookalike-result "$(hdr signet-result)" \
	'xn--sp-goc.example imitates isp.example'

msg ownfrom "Signet-Provenance: $(seal "$KR" alice@isp.example $PLAIN)" \
	"From: Bob <bob@isp.example>" "Subject: lunch"
lmtp ownfrom bob@isp.example alice@isp.example
fetch alice ownfrom
expect_nomatch own-domain-not-lookalike "$(hdr flags)" 'Lookalike|Phishing'

## Subject tags: folded, encoded, already tagged, missing
FORGED_PROV="Signet-Provenance: $(seal "$EVIL" alice@isp.example $BOUNCE)"
msg folded "$FORGED_PROV" "From: <x@example.net>" \
	"Subject: Re: a subject long enough that the sender folded it onto" \
	"	a second line"
lmtp folded x@example.net alice@isp.example
fetch alice folded
expect_eq folded-subject-raw "$(hdr raw-subject)" "Subject: [FORGED] Re: \
a subject long enough that the sender folded it onto\\n	a second line"

msg encoded "$FORGED_PROV" "From: <x@example.net>" \
	"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?="
lmtp encoded x@example.net alice@isp.example
fetch alice encoded
expect_eq encoded-subject-raw "$(hdr subject)" \
	"[FORGED] =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?="
expect_eq encoded-subject-decodes "$(python3 -c '
import email.header, sys
print(str(email.header.make_header(email.header.decode_header(sys.argv[1]))))
' "$(hdr subject)")" "[FORGED] Grüße aus Köln"

msg pretagged "$FORGED_PROV" "From: <x@example.net>" \
	"Subject: [FORGED] already"
lmtp pretagged x@example.net alice@isp.example
fetch alice pretagged
expect_eq never-tag-twice "$(hdr subject)" "[FORGED] already"

msg twosubjects "$FORGED_PROV" "From: <x@example.net>" "subject: first" \
	"Subject: second"
lmtp twosubjects x@example.net alice@isp.example
fetch alice twosubjects
expect_eq only-first-subject-tagged "$(printf '%s\n' "$GOT" |
	grep -i '^subject:' | tr '\n' '|')" "Subject: [FORGED] first|Subject: second|"

msg nosubject "$FORGED_PROV" "From: <x@example.net>"
lmtp nosubject x@example.net alice@isp.example
fetch alice nosubject
expect_eq missing-subject-added "$(hdr subject)" "[FORGED]"

## several recipients in one LMTP transaction
msg multi \
	"Signet-Provenance: $(seal "$KR" alice@isp.example $BOUNCE)" \
	"Signet-Provenance: $(seal "$KR" bob@isp.example verdict=forged \
		reason=forged bounce=yes tls=TLS1.3 pfs=yes)" \
	"From: <MAILER-DAEMON@example.net>" "Subject: multi"
for order in alice,bob bob,alice; do
	sed "s/<multi@t>/<multi-$order@t>/" "$MSG/multi.eml" \
		>"$MSG/multi-$order.eml"
	lmtp "multi-$order" "" \
		"$(echo $order | sed 's/[a-z]*/&@isp.example/g')"
	expect_match "multi-$order-both-accepted" "$(echo $REPLY)" \
		'alice@isp.example: 250 .*bob@isp.example: 250 |bob@isp.example: 250 .*alice@isp.example: 250 '
	fetch alice "multi-$order"
	expect_match "multi-$order-alice-verified" "$(hdr flags)" \
		'\$SignetVerified'
	expect_nomatch "multi-$order-alice-not-forged" "$(hdr flags)" 'Forged'
	expect_eq "multi-$order-alice-subject" "$(hdr subject)" "multi"
	expect_match "multi-$order-alice-result" "$(hdr signet-result)" \
		'^genuine reply to your message'
	expect_match "multi-$order-alice-own-header-only" \
		"$(count signet-provenance) $(hdr signet-provenance)" \
		"^1 .*rcpt=$(tag_of alice@isp.example);"
	fetch bob "multi-$order"
	expect_match "multi-$order-bob-forged" "$(hdr flags)" '\$SignetForged'
	expect_nomatch "multi-$order-bob-not-verified" "$(hdr flags)" \
		'Verified'
	expect_eq "multi-$order-bob-subject" "$(hdr subject)" "[FORGED] multi"
	expect_match "multi-$order-bob-result" "$(hdr signet-result)" \
		'^FORGED: isp.example never issued this address'
	expect_match "multi-$order-bob-own-header-only" \
		"$(count signet-provenance) $(hdr signet-provenance)" \
		"^1 .*rcpt=$(tag_of bob@isp.example);"
done
# without a Message-ID the records are bound to Date, From and Subject as
# the hub read them; a later recipient's copy is made from the first one's
# saved copy, whose Subject may carry that recipient's tag
for order in bob,alice alice,bob; do
	_s=noid-$(echo $order | tr , -)
	sed -e '/^Message-ID:/d' -e "s/^Subject: multi$/Subject: $_s/" \
		"$MSG/multi.eml" >"$MSG/$_s.eml"
	lmtp "$_s" "" "$(echo $order | sed 's/[a-z]*/&@isp.example/g')"
	fetch alice "Subject:$_s"
	expect_eq "multi-$_s-alice-verified" "$(hdr flags |
		grep -o '\$Signet[A-Za-z]*') $(hdr subject)" "\$SignetVerified $_s"
	fetch bob "Subject:$_s"
	expect_eq "multi-$_s-bob-forged" "$(hdr flags |
		grep -o '\$Signet[A-Za-z]*') $(hdr subject)" \
		"\$SignetForged [FORGED] $_s"
done

# a Subject that already starts with the tag (the sender wrote it): the
# first recipient's copy is not tagged again, so a later one keeps it too
msg pretag2 \
	"Signet-Provenance: $(seal "$KR" alice@isp.example $PLAIN)" \
	"Signet-Provenance: $(seal "$KR" bob@isp.example verdict=forged \
		reason=forged bounce=yes tls=TLS1.3 pfs=yes)" \
	"From: <x@example.net>" "Subject: [FORGED] sale"
for order in bob,alice alice,bob bob,erin; do
	sed "s/<pretag2@t>/<pretag2-$order@t>/" "$MSG/pretag2.eml" \
		>"$MSG/pretag2-$order.eml"
	lmtp "pretag2-$order" x@example.net \
		"$(echo $order | sed 's/[a-z]*/&@isp.example/g')"
	for u in $(echo $order | tr , ' '); do
		fetch $u "pretag2-$order"
		expect_eq "pretagged-$order-$u-one-tag" "$(hdr subject)" \
			"[FORGED] sale"
	done
done

# a first recipient with the plugin off must not confuse the others
sed "s/<multi@t>/<multi-off@t>/" "$MSG/multi.eml" >"$MSG/multi-off.eml"
lmtp multi-off "" erin@isp.example,alice@isp.example,bob@isp.example
fetch erin multi-off
expect_eq plugin-off-untouched "$(count signet-result) \
$(count signet-provenance) $(hdr subject)" "0 2 multi"
expect_nomatch plugin-off-no-keywords "$(hdr flags)" 'Signet'
fetch alice multi-off
expect_match plugin-off-then-alice-verified "$(hdr flags) $(hdr subject)" \
	'\$SignetVerified.* multi$'
fetch bob multi-off
expect_match plugin-off-then-bob-forged "$(hdr flags) $(hdr subject)" \
	'\$SignetForged.* \[FORGED\] multi$'

# ... nor a later recipient with the plugin off: erin gets it as it came
sed "s/<multi@t>/<multi-bob-erin@t>/" "$MSG/multi.eml" \
	>"$MSG/multi-bob-erin.eml"
lmtp multi-bob-erin "" bob@isp.example,erin@isp.example
fetch erin multi-bob-erin
expect_eq plugin-off-after-bob-as-arrived "$(count signet-result) \
$(count signet-provenance) $(hdr subject)" "0 2 multi"
expect_nomatch plugin-off-after-bob-no-keywords "$(hdr flags)" 'Signet'
fetch bob multi-bob-erin
expect_match plugin-off-after-bob-bob-forged "$(hdr flags) $(hdr subject)" \
	'\$SignetForged.* \[FORGED\] multi$'

# Sieve of a user with the plugin off sees the message as it arrived
sed "s/<multi@t>/<multi-bob-fay@t>/" "$MSG/multi.eml" \
	>"$MSG/multi-bob-fay.eml"
lmtp multi-bob-fay "" bob@isp.example,fay@isp.example
fetch fay multi-bob-fay INBOX
expect_eq plugin-off-sieve-sees-original "$(count signet-result) \
$(count signet-provenance) $(hdr subject)" "0 2 multi"

## Sieve
lmtp forgedseal "" carol@isp.example
fetch carol forgedseal Forged
expect_match sieve-fileinto-forged "$(hdr flags)" '\$SignetForged'
msg carolbounce \
	"Signet-Provenance: $(seal "$KR" carol@isp.example $BOUNCE)" \
	"From: <MAILER-DAEMON@mx.example.org>" "Subject: Returned mail"
lmtp carolbounce "" carol@isp.example
fetch carol carolbounce INBOX
expect_match sieve-keeps-genuine "$(hdr flags)" '\$SignetVerified'

lmtp forgedseal "" dan@isp.example
fetch dan forgedseal
expect_match sieve-addflag-kept "$(hdr flags)" '\$Custom'
expect_match sieve-addflag-system-flag "$(hdr flags)" '\\Flagged'
expect_match sieve-addflag-plus-ours "$(hdr flags)" '\$SignetForged'

## dovecot-lda, with and without -a
sed 's/<bounce@t>/<lda@t>/' "$MSG/bounce.eml" >"$MSG/lda.eml"
dc_lda alice@isp.example "" "$(sealed lda)" -a alice@isp.example
expect_eq lda-exit "$?" 0
fetch alice lda
expect_match lda-verified "$(hdr flags)" '\$SignetVerified'
expect_eq lda-one-result "$(count signet-result)" 1
sed "s/<multi@t>/<lda-bob@t>/" "$MSG/multi.eml" >"$MSG/lda-bob.eml"
dc_lda bob@isp.example "" "$(sealed lda-bob)"
fetch bob lda-bob
expect_match lda-recipient-from-user "$(hdr flags) $(hdr subject)" \
	'\$SignetForged.*\[FORGED\] multi'

## settings per user
msg badsetting "From: <x@example.net>" "Subject: hi"
lmtp badsetting x@example.net frank@isp.example
expect_match bad-setting-defers-not-rejects "$REPLY" \
	'frank@isp.example: 4[0-9][0-9] '
expect_match bad-setting-logged "$(cat "$DC_DIR/dovecot.log")" \
	"signet: signet_subject_tag: unknown result 'bogus'"
lmtp badsetting x@example.net hank@isp.example
expect_match bad-keyword-defers "$REPLY" 'hank@isp.example: 4[0-9][0-9] '
expect_match bad-keyword-logged "$(cat "$DC_DIR/dovecot.log")" \
	'signet: signet_keyword_forged=\$Bad\(kw: expected an IMAP keyword'
lmtp badsetting x@example.net ivy@isp.example
expect_match bad-tag-defers "$REPLY" 'ivy@isp.example: 4[0-9][0-9] '
expect_match bad-tag-logged "$(cat "$DC_DIR/dovecot.log")" \
	'signet: signet_tag_forged=.*: expected 1-40 printable ASCII'
lmtp unsealed carl@example.org gina@isp.example
fetch gina unsealed
expect_eq per-user-tag "$(hdr subject)" "[CHECK] plain"
expect_match per-user-keyword "$(hdr flags)" '\$Unchecked'

## a keyring the plugin must refuse or cannot find: deliver, unverified
# (sealed before the key is made unusable)
sed 's/<bounce@t>/<badmode@t>/' "$MSG/bounce.eml" >"$MSG/badmode.eml"
cp "$(sealed badmode)" "$MSG/badmode.eml"
chmod 0644 "$KR"
lmtp badmode "" alice@isp.example
chmod 0600 "$KR"
expect_match keyring-group-readable-delivers "$REPLY" '250 '
fetch alice badmode
expect_match keyring-group-readable-unverified "$(hdr flags)" \
	'\$SignetUnverified'
expect_match keyring-group-readable-logged \
	"$(grep 'signet:' "$DC_DIR/dovecot.log" | grep -i error)" \
	"seal-keyring.json"
sed 's/<bounce@t>/<nokey@t>/' "$MSG/bounce.eml" >"$MSG/nokey.eml"
cp "$(sealed nokey)" "$MSG/nokey.eml"
mv "$KR" "$KR.away"
lmtp nokey "" alice@isp.example
mv "$KR.away" "$KR"
expect_match keyring-missing-delivers "$REPLY" '250 '
fetch alice nokey
expect_match keyring-missing-unverified "$(hdr flags) $(hdr signet-result)" \
	'\$SignetUnverified.*could not check this message \(server fault\)'
sed 's/<bounce@t>/<keyback@t>/' "$MSG/bounce.eml" >"$MSG/keyback.eml"
lmtp keyback "" alice@isp.example
fetch alice keyback
expect_match keyring-reloaded "$(hdr flags)" '\$SignetVerified'

## IMAP APPEND is not a delivery: left alone
python3 - "$IMAP" "$(sealed fakeresult)" <<'EOF'
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login("alice@isp.example", "secret")
data = open(sys.argv[2], "rb").read().replace(b"\n", b"\r\n")
data = data.replace(b"<fakeresult@t>", b"<appended@t>")
m.append("INBOX", None, None, data)
m.logout()
EOF
fetch alice appended
expect_eq imap-append-untouched "$(hdr signet-result)" "genuine, trust me"
expect_nomatch imap-append-no-keywords "$(hdr flags)" 'Signet'

## a large message (many reads through the filter) and one with no body
{
	printf 'Signet-Provenance: %s\n' \
		"$(seal "$EVIL" alice@isp.example $BOUNCE)"
	printf 'From: <x@example.net>\nSubject: big\nMessage-ID: <big@t>\n\n'
	i=0
	while [ $i -lt 20000 ]; do
		printf '%05d the quick brown fox jumps over the lazy dog again\n' $i
		i=$((i + 1))
	done
} >"$MSG/big.eml"
lmtp big x@example.net alice@isp.example
expect_match big-message-delivered "$REPLY" '250 '
fetch alice big
expect_eq big-message-tagged "$(hdr subject)" "[FORGED] big"
printf 'From: <x@example.net>\nMessage-ID: <headersonly@t>\nSubject: h' \
	>"$MSG/headersonly.eml"
lmtp headersonly x@example.net alice@isp.example
expect_match headers-only-delivered "$REPLY" '250 '
fetch alice headersonly
expect_match headers-only-result "$(hdr signet-result)" '^UNVERIFIED'

## POP3 sees the same bytes
POP=$($CLIENT pop3 "$POP3" alice@isp.example 2>&1)
expect_nomatch pop3-list-equals-retr "$POP" 'size-mismatch|Traceback'
expect_match pop3-list-checked "$POP" 'list-size-ok'
expect_match pop3-uidl-stable "$POP" '^uidl-stable$'
expect_match pop3-result-line-visible "$POP" \
	'^Signet-Result: FORGED: the provenance record on this message'
expect_match pop3-subject-tag-visible "$POP" \
	'^Subject: \[FORGED\] Undelivered Mail Returned to Sender'

## the delivery path under valgrind (dovecot-lda with Sieve loaded)
vg() {
	_name=$1; _u=$2; _m=$3
	# dovecot-lda re-executes itself through doveconf: follow it
	rm -f "$OUT/valgrind-$_name".*
	valgrind --tool=memcheck --leak-check=full --num-callers=30 \
		--show-leak-kinds=definite,indirect,possible \
		--trace-children=yes \
		--log-file="$OUT/valgrind-$_name.%p.log" \
		/usr/lib/dovecot/dovecot-lda -c "$DC_CONF" -d "$_u" -f "" \
		-a "$_u" <"$(sealed "$_m")" >/dev/null 2>&1
	_rc=$?
	# the last process is dovecot-lda proper
	_log=$(grep -l 'Command: /usr/lib/dovecot/dovecot-lda' \
		"$OUT/valgrind-$_name".*.log | xargs ls -t | head -n 1)
	expect_eq "valgrind-$_name-delivers" "$_rc" 0
	expect_match "valgrind-$_name-no-errors" \
		"$(grep 'ERROR SUMMARY' "$_log")" 'ERROR SUMMARY: 0 errors'
	# loss records whose stack passes through the plugin or the core
	_ours=$(awk '/are (definitely|indirectly|possibly) lost/ { rec = 1;
		buf = "" } rec { buf = buf $0 "\n" } /^==[0-9]+== $/ {
		if (rec && buf ~ /signet|sdp_|lib90_signet/) printf "%s", buf;
		rec = 0 }' "$_log")
	expect_eq "valgrind-$_name-no-plugin-leaks" "$_ours" ""
}
if command -v valgrind >/dev/null 2>&1; then
	sed 's/<bounce@t>/<vg1@t>/' "$MSG/bounce.eml" >"$MSG/vg1.eml"
	vg verified alice@isp.example vg1
	sed "s/<multi@t>/<vg2@t>/" "$MSG/multi.eml" >"$MSG/vg2.eml"
	vg forged bob@isp.example vg2
	sed 's/<forgedseal@t>/<vg3@t>/' "$MSG/forgedseal.eml" >"$MSG/vg3.eml"
	vg sieve carol@isp.example vg3
	fetch carol vg3 Forged
	expect_match valgrind-sieve-filed "$(hdr flags)" '\$SignetForged'
else
	fail valgrind "valgrind not installed (tests/deps.sh installs it)"
fi

expect_nomatch no-panics-or-fatal "$(cat "$DC_DIR/dovecot.log")" \
	'Panic|Fatal|signal 11|BUG'

## without Sieve the plugin works in the save path instead: same results
dc_stop
DC_SIEVE=no dc_setup "$OUT/dc-nosieve" "$PORT" yes
KR=$DC_DIR/seal-keyring.json
$MKPROV newkey "$KR" && chown "$DC_UID:$DC_GID" "$KR"
dc_adduser alice@isp.example
dc_adduser bob@isp.example
dc_adduser erin@isp.example userdb_signet_enabled=no
if ! dc_start; then
	fail nosieve-start "$(tail -n 5 "$DC_DIR/dovecot.log")"
	exit 1
fi
msg ns-bounce "Signet-Provenance: $(seal "$KR" alice@isp.example $BOUNCE)" \
	"From: <MAILER-DAEMON@mx.example.org>" "Subject: Returned"
msg ns-multi \
	"Signet-Provenance: $(seal "$KR" alice@isp.example $BOUNCE)" \
	"Signet-Provenance: $(seal "$KR" bob@isp.example verdict=forged \
		reason=forged bounce=yes tls=TLS1.3 pfs=yes)" \
	"From: <MAILER-DAEMON@example.net>" \
	"Subject: =?UTF-8?Q?multi_=C3=BC?=" "	folded"
lmtp ns-bounce "" alice@isp.example
fetch alice ns-bounce
expect_match nosieve-verified "$(hdr flags) $(count signet-result)" \
	'\$SignetVerified.* 1$'
for order in alice,bob bob,alice; do
	sed "s/<ns-multi@t>/<ns-$order@t>/" "$MSG/ns-multi.eml" \
		>"$MSG/ns-$order.eml"
	lmtp "ns-$order" "" "$(echo $order | sed 's/[a-z]*/&@isp.example/g')"
	fetch alice "ns-$order"
	expect_eq "nosieve-$order-alice" "$(hdr flags | grep -o \
		'\$Signet[A-Za-z]*') $(hdr raw-subject) \
$(count signet-provenance)" "\$SignetVerified Subject: \
=?UTF-8?Q?multi_=C3=BC?=\\n	folded 1"
	fetch bob "ns-$order"
	expect_eq "nosieve-$order-bob" "$(hdr flags | grep -o \
		'\$Signet[A-Za-z]*') $(hdr raw-subject) \
$(count signet-provenance)" "\$SignetForged Subject: [FORGED] \
=?UTF-8?Q?multi_=C3=BC?=\\n	folded 1"
done
msg ns-pretag \
	"Signet-Provenance: $(seal "$KR" bob@isp.example verdict=forged \
		reason=forged bounce=yes tls=TLS1.3 pfs=yes)" \
	"From: <x@example.net>" "Subject: [FORGED] sale"
lmtp ns-pretag x@example.net bob@isp.example,alice@isp.example,erin@isp.example
subjects=""
for u in bob alice erin; do
	fetch $u ns-pretag
	subjects="$subjects$(hdr subject)|"
done
expect_eq nosieve-pretagged-one-tag-each "$subjects" \
	"[FORGED] sale|[FORGED] sale|[FORGED] sale|"
sed "s/<ns-multi@t>/<ns-bob-erin@t>/" "$MSG/ns-multi.eml" \
	>"$MSG/ns-bob-erin.eml"
lmtp ns-bob-erin "" bob@isp.example,erin@isp.example
fetch erin ns-bob-erin
expect_eq nosieve-plugin-off-after-bob "$(count signet-result) \
$(count signet-provenance) $(hdr raw-subject)" "0 2 Subject: \
=?UTF-8?Q?multi_=C3=BC?=\\n	folded"
sed 's/<ns-bounce@t>/<ns-lda@t>/' "$MSG/ns-bounce.eml" >"$MSG/ns-lda.eml"
dc_lda alice@isp.example "" "$(sealed ns-lda)" -a alice@isp.example
fetch alice ns-lda
expect_match nosieve-lda-verified "$(hdr flags)" '\$SignetVerified'
expect_nomatch nosieve-no-panics "$(cat "$DC_DIR/dovecot.log")" \
	'Panic|Fatal|signal 11|BUG'
exit 0
