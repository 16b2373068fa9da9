#!/bin/sh
# What the Dovecot plugin costs (make bench-dovecot; not part of make check).
# Two private instances run side by side, one with the plugin and one
# without (ports 2560-2562 and 2565-2567), and get the same sealed message:
#  - LMTP deliveries per second, N messages over one connection, in rounds
#    that alternate between the instances, and the CPU time of each
#    instance's lmtp process;
#  - POP3: one session RETRs all N messages, best of 7 per instance, and
#    the CPU time of a preauthenticated pop3 process doing the same;
#  - callgrind on the lmtp process of a third pair of instances (ports
#    2570-2572 and 2575-2577): instructions per message of the plugin's own
#    functions, and of the whole lmtp process with and without the plugin.
# mail_fsync=never in all of them: the aim is the CPU cost, not the disk's.
SUITE=bench-dovecot
TOP=$(pwd)
. tests/lib.sh
. tests/dovecot/instance.sh
DP_SO=$B/dovecot-plugin/lib90_signet_plugin.so
MKPROV=$B/tests/dovecot/signet-mkprov
CLIENT="python3 $TOP/tests/dovecot/client.py"
# KIND=ordinary: everyday mail (verdict=none: no keyword, no tag), the
# bulk of what an ISP delivers; KIND=bounce: a genuine bounce to a signed
# address (verdict=valid: the plugin sets $SignetVerified).
KIND=${KIND:-ordinary}
OUT=$TOP/tests/out/bench-dovecot-$KIND
N=${N:-2000}
# HEADER_KB=K: K kilobytes of extra Received lines in the message's header
# (tests/dovecot/bench_headers.sh runs the callgrind part for several K)
HEADER_KB=${HEADER_KB:-0}
ROUNDS=${ROUNDS:-20}
CG_N=${CG_N:-200}
RCPT=bench@isp.example
export DC_SIEVE=no

rm -rf "$OUT"
mkdir -p "$OUT"
DIRS=""
stop_all() {
	for d in $DIRS; do
		DC_DIR=$d DC_CONF=$d/dovecot.conf dc_stop
	done
}
trap stop_all EXIT
trap 'exit 1' INT TERM

# mk NAME PORT PLUGIN: sets up and starts an instance
mk() {
	dc_setup "$OUT/$1" "$2" "$3"
	DIRS="$DIRS $DC_DIR"
	$MKPROV newkey "$DC_DIR/seal-keyring.json" || exit 1
	chown "$DC_UID:$DC_GID" "$DC_DIR/seal-keyring.json"
	dc_adduser "$RCPT"
	dc_start || { echo "bench: $1 did not start" >&2; exit 1; }
}

# A message of about 3 kB, as the hub would hand it over: sealed for the
# recipient with the "with" instance's key.
message() {
	if [ "$KIND" = bounce ]; then
		set -- "$1" "$2" verdict=valid reason=ok owner=$RCPT format=signet \
			issued=2026-11-20T14:03:00Z key=0 bounce=yes bind=match \
			from=
		_from='Mail Delivery System <MAILER-DAEMON@mx.example.org>'
		_subject='Undelivered Mail Returned to Sender'
	else
		set -- "$1" "$2" verdict=none from=someone@example.org
		_from='Someone <someone@example.org>'
		_subject='Lunch on Friday?'
	fi
	_k=$1 _f=$2
	shift 2
	{
		# bound (msg=) to the Message-ID below, as the hub binds it
		printf 'Signet-Provenance: %s\n' "$($MKPROV seal "$_k" "$RCPT" \
			v=1 "msg=$(printf '%s' bench@mx.example.org |
				sha256sum | cut -c1-8)" "$@" tls=TLS1.3 \
			cipher=TLS_AES_256_GCM_SHA384 pfs=yes peer=203.0.113.5 \
			helo=mx.example.org host=mx1.isp.example)"
		# a long relay path, 256 octets a hop
		i=0
		while [ $i -lt $((HEADER_KB * 4)) ]; do
			printf 'Received: from relay%04d.example.net (relay%04d.example.net [198.51.100.%d])\n' \
				$i $i $((i % 250))
			printf '\tby relay%04d.example.org (Postfix) with ESMTPS id 4Zabcdefghijk%04d\n' \
				$((i + 1)) $i
			printf '\tfor <%s>; Sun, 22 Nov 2026 06:59:00 +0000 (UTC)\n' "$RCPT"
			printf 'X-Relay-Note: hop %04d; each hop is 256 octets\n' $i
			i=$((i + 1))
		done
		printf 'Received: from mx.example.org (mx.example.org [203.0.113.5])\n'
		printf '\tby mx1.isp.example with esmtps (TLS1.3) id 1abcde-000001\n'
		printf '\tfor %s; Sun, 22 Nov 2026 07:00:00 +0000\n' "$RCPT"
		printf 'From: %s\n' "$_from"
		printf 'To: %s\nSubject: %s\n' "$RCPT" "$_subject"
		printf 'Message-ID: <bench@mx.example.org>\n'
		printf 'Date: Sun, 22 Nov 2026 07:00:00 +0000\n'
		printf 'MIME-Version: 1.0\nContent-Type: text/plain\n\n'
		i=0
		while [ $i -lt 36 ]; do
			printf 'This is line %02d of the returned message, padding it to a typical size.\n' $i
			i=$((i + 1))
		done
	} >"$_f"
}

# calc EXPR: floating-point arithmetic (awk; no bc needed)
calc() {
	awk "BEGIN { printf \"%.9f\", $1 }"
}

# lmtp_cpu DIR: CPU ticks (user+system) of the instance's lmtp process
lmtp_cpu() {
	_m=$(cat "$1/run/master.pid")
	_p=$(ps -o pid=,comm= --ppid "$_m" | awk '$2 == "lmtp" { print $1 }')
	awk '{ print $14 + $15 }' "/proc/$_p/stat"
}

# CG_ONLY=1: only the callgrind part (CG_EXTRA: more configuration)
if [ -z "${CG_ONLY:-}" ]; then
## throughput: one lmtp process per instance, so its CPU time can be read
DC_EXTRA="service lmtp {
  process_limit = 1
  service_count = 0
}"
mk with 2560 yes
WITH_DIR=$DC_DIR
mk without 2565 no
WITHOUT_DIR=$DC_DIR
DC_EXTRA=""
message "$WITH_DIR/seal-keyring.json" "$OUT/msg.eml"
echo "kind: $KIND; message: $(wc -c <"$OUT/msg.eml") bytes; N=$N in $ROUNDS rounds"

# warm both up (process start, index creation)
$CLIENT lmtp-many 2560 "$RCPT" "$OUT/msg.eml" 20 >/dev/null || exit 1
$CLIENT lmtp-many 2565 "$RCPT" "$OUT/msg.eml" 20 >/dev/null || exit 1
cw0=$(lmtp_cpu "$WITH_DIR")
co0=$(lmtp_cpu "$WITHOUT_DIR")
per=$((N / ROUNDS))
ratios=""
tw=0
to=0
r=0
while [ $r -lt $ROUNDS ]; do
	if [ $((r % 2)) -eq 0 ]; then
		a=$($CLIENT lmtp-many 2560 "$RCPT" "$OUT/msg.eml" $per)
		b=$($CLIENT lmtp-many 2565 "$RCPT" "$OUT/msg.eml" $per)
	else
		b=$($CLIENT lmtp-many 2565 "$RCPT" "$OUT/msg.eml" $per)
		a=$($CLIENT lmtp-many 2560 "$RCPT" "$OUT/msg.eml" $per)
	fi
	echo "round $r: with ${a}s without ${b}s ($per messages each)"
	ratios="$ratios $(calc "$a / $b")"
	tw=$(calc "$tw + $a")
	to=$(calc "$to + $b")
	r=$((r + 1))
done
total=$((per * ROUNDS))
cw=$(($(lmtp_cpu "$WITH_DIR") - cw0))
co=$(($(lmtp_cpu "$WITHOUT_DIR") - co0))
hz=$(getconf CLK_TCK)
printf 'LMTP process CPU (user+system): with plugin %.3f ms/msg, without %.3f ms/msg; ratio %.4f\n' \
	"$(calc "$cw * 1000 / $hz / $total")" \
	"$(calc "$co * 1000 / $hz / $total")" \
	"$(calc "$cw / $co")"
printf 'LMTP: with plugin %.1f msg/s (%.3f ms/msg), without %.1f msg/s (%.3f ms/msg); with/without time ratio %.4f\n' \
	"$(calc "$total / $tw")" "$(calc "$tw * 1000 / $total")" \
	"$(calc "$total / $to")" "$(calc "$to * 1000 / $total")" \
	"$(calc "$tw / $to")"
# other jobs on the machine disturb single rounds: the median is steadier
echo "LMTP: median of the rounds' with/without time ratios $(echo $ratios |
	tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END {
		printf "%.4f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
# how far single rounds scatter: a difference smaller than this spread is
# not shown by this run's wall time
echo "LMTP: the rounds' ratios, lowest quarter to highest quarter $(echo $ratios |
	tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END {
		printf "%.4f-%.4f", v[int((NR + 3) / 4)], v[int((3 * NR + 3) / 4)] }')"

# The first session moves every message from new/ to cur/; then the best
# of POP_RUNS sessions per instance, alternating.
POP_RUNS=${POP_RUNS:-7}
$CLIENT pop3-retr-all 2562 "$RCPT" >/dev/null
$CLIENT pop3-retr-all 2567 "$RCPT" >/dev/null
pw=""
po=""
better() {
	if [ -z "$1" ] || awk "BEGIN { exit !(${2%% *} < ${1%% *}) }"; then
		echo "$2"
	else
		echo "$1"
	fi
}
i=0
while [ $i -lt "$POP_RUNS" ]; do
	pw=$(better "$pw" "$($CLIENT pop3-retr-all 2562 "$RCPT")")
	po=$(better "$po" "$($CLIENT pop3-retr-all 2567 "$RCPT")")
	i=$((i + 1))
done
set -- $pw
pw_t=$1; pw_n=$2; pw_b=$3
set -- $po
po_t=$1; po_n=$2; po_b=$3
printf 'POP3 RETR of all: with plugin %d msgs %d bytes %.3fs (%.0f msg/s), without %d msgs %d bytes %.3fs (%.0f msg/s); time ratio %.4f\n' \
	"$pw_n" "$pw_b" "$pw_t" "$(calc "$pw_n / $pw_t")" \
	"$po_n" "$po_b" "$po_t" "$(calc "$po_n / $po_t")" \
	"$(calc "$pw_t / $po_t")"
# The same in the server alone: a preauthenticated pop3 process, run as
# the mail user, RETRs everything; user+system CPU summed over the runs.
i=1
{
	while [ $i -le "${pw_n:-0}" ]; do
		printf 'RETR %d\r\n' $i
		i=$((i + 1))
	done
	printf 'QUIT\r\n'
} >"$OUT/pop3.in"
pop3_cpu() {
	cat "$OUT/pop3.in" |
		/usr/bin/time -f '%U %S' -o "$OUT/pop3.time" \
		setpriv --reuid="$DC_UID" --regid="$DC_GID" --clear-groups \
		/usr/lib/dovecot/pop3 -c "$1/dovecot.conf" -u "$RCPT" \
		>/dev/null 2>&1
	awk '{ print $1 + $2 }' "$OUT/pop3.time"
}
sw=0
so=0
i=0
while [ $i -lt "$POP_RUNS" ]; do
	sw=$(calc "$sw + $(pop3_cpu "$WITH_DIR")")
	so=$(calc "$so + $(pop3_cpu "$WITHOUT_DIR")")
	i=$((i + 1))
done
printf 'POP3 server CPU (pop3 process, %d sessions of %d RETRs each): with plugin %.2fs, without %.2fs; ratio %.4f\n' \
	"$POP_RUNS" "$pw_n" "$sw" "$so" "$(calc "$sw / $so")"
# and its instructions (pop3 re-executes itself through doveconf when not
# started by the master: follow it; the last process is pop3 proper)
mkdir -p "$OUT/cg-pop3"
chmod 777 "$OUT/cg-pop3"
for v in with:"$WITH_DIR" without:"$WITHOUT_DIR"; do
	cat "$OUT/pop3.in" |
		setpriv --reuid="$DC_UID" --regid="$DC_GID" --clear-groups \
		valgrind --tool=callgrind --trace-children=yes \
		--callgrind-out-file="$OUT/cg-pop3/${v%%:*}.%p" \
		/usr/lib/dovecot/pop3 -c "${v#*:}/dovecot.conf" -u "$RCPT" \
		>/dev/null 2>&1
done
pop_ir() {
	_f=$(ls -S "$OUT/cg-pop3/$1".* | head -n 1)
	callgrind_annotate "$_f" 2>/dev/null |
		awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }'
}
iw=$(pop_ir with)
io=$(pop_ir without)
if [ -z "$iw" ] || [ -z "$io" ] || [ "$iw" = 0 ] || [ "$io" = 0 ]; then
	echo "POP3 instructions per RETR: a callgrind run gave no figure" \
		"(with: ${iw:-none}, without: ${io:-none}); not compared" >&2
else
printf 'POP3 instructions per RETR (whole pop3 process): with plugin %.0f Ir, without %.0f Ir (%.2f%%; messages %.2f%% larger)\n' \
	"$(calc "$iw / $pw_n")" "$(calc "$io / $po_n")" \
	"$(calc "($iw / $pw_n - $io / $po_n) * 100 / ($io / $po_n)")" \
	"$(calc "($pw_b / $pw_n - $po_b / $po_n) * 100 / ($po_b / $po_n)")"
fi
stop_all
DIRS=""
fi

## instructions: lmtp under callgrind
LMTP_CG="service lmtp {
  executable = /usr/bin/valgrind --tool=callgrind --callgrind-out-file=@OUT@/callgrind.lmtp.%p /usr/lib/dovecot/lmtp
  process_limit = 1
  service_count = 0
}"
for v in with:2570:yes without:2575:no; do
	name=${v%%:*}; rest=${v#*:}; port=${rest%%:*}; plugin=${rest#*:}
	mkdir -p "$OUT/cg-$name"
	chmod 777 "$OUT/cg-$name"
	DC_EXTRA="$(echo "$LMTP_CG" | sed "s|@OUT@|$OUT/cg-$name|")
${CG_EXTRA:-}" mk "cg-$name-dc" "$port" "$plugin"
	message "$DC_DIR/seal-keyring.json" "$OUT/cg-$name/msg.eml"
	$CLIENT lmtp-many "$port" "$RCPT" "$OUT/cg-$name/msg.eml" "$CG_N" \
		>/dev/null || exit 1
	dc_stop
done
DIRS=""

cgfile() {
	ls -S "$OUT/cg-$1"/callgrind.lmtp.* 2>/dev/null | head -n 1
}
# inclusive Ir of a function, from callgrind_annotate
incl() {
	callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
		awk -v f=":$2 " '{ line = $0 " " } index(line, f) > 0 {
			gsub(",", "", $1); print $1; exit }'
}
total() {
	callgrind_annotate "$1" 2>/dev/null |
		awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }'
}
cw=$(cgfile with)
co=$(cgfile without)
if [ -z "$cw" ] || [ -z "$co" ]; then
	echo "bench: no callgrind output" >&2
	exit 1
fi
echo "callgrind: $CG_N deliveries over one LMTP connection, per message:"
sum=0
# copy_stream is the per-copy work: it reads the header, evaluates, and
# writes the new header; the functions below it are parts of it.
for f in signet_deliver_mail signet_mail_user_created \
	signet_mailbox_allocated set_keywords copy_stream sdc_headers_read \
	sdc_filter_stream signet_evaluate sdp_evaluate signet_prov_verify \
	keyring_get; do
	v=$(incl "$cw" $f)
	[ -n "$v" ] || v=0
	printf '  %-26s %10.0f Ir (inclusive)\n' "$f" \
		"$(calc "$v / $CG_N")"
	case $f in
	sdc_headers_read|sdc_filter_stream|signet_evaluate|sdp_evaluate|\
	signet_prov_verify|keyring_get) ;;
	*) sum=$((sum + v)) ;;
	esac
done
printf '  plugin entry points total   %10.0f Ir\n' "$(calc "$sum / $CG_N")"
tw=$(total "$cw")
to=$(total "$co")
printf '  lmtp process total: with %.0f Ir, without %.0f Ir, difference %.0f Ir (%.2f%%)\n' \
	"$(calc "$tw / $CG_N")" "$(calc "$to / $CG_N")" \
	"$(calc "($tw - $to) / $CG_N")" \
	"$(calc "($tw - $to) * 100 / $to")"
