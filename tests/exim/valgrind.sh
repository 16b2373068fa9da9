#!/bin/sh
# One exim -bh session (a bounce to a signed address with DATA, a forged
# RCPT, an inbound message, an authenticated one that gets signed) under valgrind memcheck, with a non-setuid
# copy of exim4 run as Debian-exim (shared/notes/exim.md).  Passes when
# valgrind reports no error whose stack passes through signet.so.
# Usage: valgrind.sh OUT SIGNED FORGED   (sourced helpers: tests/lib.sh)
SUITE=exim
TOP=${TOP:-$(pwd)}
. "$TOP/tests/lib.sh"
OUT=$1
VG=$OUT/valgrind
rm -rf "$VG"
mkdir -p "$VG"
cp /usr/sbin/exim4 "$VG/exim4"
chmod 755 "$VG/exim4"
chown -R Debian-exim "$VG"
{
	printf 'EHLO probe.example\r\nMAIL FROM:<>\r\n'
	printf 'RCPT TO:<%s>\r\nRCPT TO:<%s>\r\nRCPT TO:<bob@example.com>\r\n' \
		"$2" "$3"
	printf 'DATA\r\n'
	sed 's/$/\r/' "$OUT/d1"
	printf '.\r\nMAIL FROM:<someone@remote.example>\r\n'
	printf 'RCPT TO:<bob@example.com>\r\nDATA\r\n'
	sed 's/$/\r/' "$OUT/m2"
	printf '.\r\nAUTH PLAIN %s\r\n' "$(printf '\0alice\0pw-alice' | base64)"
	printf 'MAIL FROM:<alice@example.com>\r\n'
	printf 'RCPT TO:<r1@remote.example>\r\nRCPT TO:<bob@example.com>\r\n'
	printf 'DATA\r\n'
	sed 's/$/\r/' "$OUT/m1"
	printf '.\r\nQUIT\r\n'
} >"$VG/session"
runuser -u Debian-exim -- valgrind --tool=memcheck --trace-children=no \
	--num-callers=30 --log-file="$VG/memcheck.%p" \
	"$VG/exim4" -C "$OUT/exim.conf" -bh 192.0.2.1 <"$VG/session" \
	>"$VG/out" 2>&1
if [ "$(grep -c '^250 OK id=' "$VG/out")" != 3 ]; then
	fail valgrind-session "want 3 messages accepted: $(tail -n 5 "$VG/out")"
	exit 0
fi
logs=$(ls "$VG"/memcheck.* 2>/dev/null)
if [ -z "$logs" ]; then
	fail valgrind-memcheck "valgrind wrote no log"
	exit 0
fi
pass valgrind-session
# An error block runs from a "==PID== Xxx" line to the next empty one.
ours=$(awk '/== [A-Z][a-z].*(Invalid|uninitialised|Mismatched|overlap|Syscall param|fishy)/ {blk=1; txt=""}
	blk {txt = txt $0 "\n"}
	blk && /==[0-9]+== $/ {if (txt ~ /signet\.so/) printf "%s", txt; blk=0}' $logs)
if [ -n "$ours" ]; then
	fail valgrind-memcheck "errors in signet.so: $(printf '%s' "$ours" | head -c 600)"
else
	pass valgrind-memcheck
fi
