#!/bin/sh
# Cost of signet in Exim (make bench-exim; not part of make check), in
# the order that matters to an MX:
# 1. callgrind instructions of the real daemon's forked connection process
#    (tests/exim/bench_daemon.sh) for stock Exim (signet's lines removed),
#    signet without the preload, and the shipped default (preload), with
#    the ratios to stock and the +10% targets; then stock and preload with
#    HEADER_KB (default "4 16 64") kilobytes more header; then the same
#    on Debian's own configuration (tests/exim/bench_debian.sh), without
#    and with signet's drop-ins;
# 2. accepted messages per second through the three daemons and a second
#    stock one (a control), queue only (-odq), short alternating rounds in
#    the same run, the order turning each round (ROUNDS, default 21, at
#    least 7 unless BENCH_QUICK=1, of CONNS messages): medians, the spread
#    of the per-round ratios to stock, the 0.95 target, the pooled rates,
#    the CPU time per message of each daemon and its processes, and an
#    SVG plot per round (tests/exim/bench_plot.py);
# 3. where a one-message connection's time goes, stock and the default:
#    perf's cpu-clock samples by call chain (tests/exim/bench_pages.sh;
#    PAGES_CONNS connections, default 400; installs linux-perf if needed);
# 4. whole `exim -bh` sessions, 1 and 100 messages, inbound and submission,
#    where exec and configuration parsing hide the module's cost.
# Needs root.  Results: tests/out/exim-bench/results.txt and rounds-*.svg
TOP=${TOP:-$(pwd)}
SUITE=exim-bench
. "$TOP/tests/lib.sh"
OUT=$TOP/tests/out/exim-bench
. "$TOP/tests/exim/lib-exim.sh"
. "$TOP/tests/exim/bench_debian.sh"
ROUNDS=${ROUNDS:-21}
if [ "$ROUNDS" -lt 7 ] && [ -z "$BENCH_QUICK" ]; then
	echo "bench: ROUNDS=$ROUNDS: at least 7 rounds give a median worth" \
		"reporting (set BENCH_QUICK=1 for a smoke run)" >&2
	exit 2
fi
CONNS=${CONNS:-200}
THREADS=${THREADS:-4}

trap 'stop_exim; untrust_confs' EXIT INT TERM
setup_exim "$SO" || { echo "bench: setup failed" >&2; exit 1; }
# stock: signet's lines removed; signet: with SIGNET_NO_PRELOAD; the
# suite's configuration (CONF) preloads, the shipped default.
STOCK=$OUT/exim-stock.conf
NOPRE=$OUT/exim-nopreload.conf
grep -v -e '^\.include .*/04_signet$' -e '^\.include .*/050_signet$' \
	-e '^\.include .*/signet_acls$' \
	-e '^\.include CHECK_' "$CONF" >"$STOCK"
{ echo 'SIGNET_NO_PRELOAD = yes'; cat "$CONF"; } >"$NOPRE"
trust_conf "$STOCK" "$NOPRE" || exit 1
RES=$OUT/results.txt
: >"$RES"
say() { echo "$*" | tee -a "$RES"; }

say "signet Exim cost, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
# ---- 1. the real daemon: a connection's own instructions ----
# target (issue 15): a one-message connection and each further message
# within +10% of stock
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f%%", (b - a) * 100 / a}'; }
verdict() { # A B LIMIT%: "target met" when B is within LIMIT% above A
	awk -v a="$1" -v b="$2" -v l="$3" \
		'BEGIN {print ((b - a) * 100 / a <= l) ? "target met" : "target missed"}'
}
say "daemon child instructions per connection (callgrind on the daemon," \
	"-odq; own work = child total - an empty connection's child):"
# counts NAME CONF DIR PREFIX INDENT: a configuration's counts for one
# message and per further one, kept in ${PREFIX}one_NAME and
# ${PREFIX}more_NAME and printed with the ratios to NAME "stock" (first)
counts() {
	set -- "$@" $(sh "$TOP/tests/exim/bench_daemon.sh" "$2" 2532 "$3")
	_one=$(($7 - $6)) _more=$((($8 - $7) / 9))
	eval "${4}one_$1=$_one ${4}more_$1=$_more"
	if [ "$1" = stock ]; then
		say "$(printf '%s%-7s 1 msg: %9d            per further msg: %8d' \
			"$5" "$1" $_one $_more)"
		return
	fi
	eval "_b1=\$${4}one_stock _bm=\$${4}more_stock"
	say "$(printf '%s%-7s 1 msg: %9d (%s)   per further msg: %8d (%s)' \
		"$5" "$1" $_one "$(pct $_b1 $_one)" $_more "$(pct $_bm $_more)")"
}
for c in stock signet preload; do
	case $c in stock) f=$STOCK ;; signet) f=$NOPRE ;; *) f=$CONF ;; esac
	counts $c "$f" "$OUT/dg-$c" "" "  "
done
say "  preload (the shipped default) against the +10% targets: one message" \
	"$(verdict "$one_stock" "$one_preload" 10), each further message" \
	"$(verdict "$more_stock" "$more_preload" 10)"
say "  (preload: the daemon also runs signet_preload once per connection," \
	"about 11K instructions: stat of three files and the expansion)"
# growth with the header: the same with a relay path of K more kilobytes
# in each message's header (HEADER_KB="" leaves this out)
say "  with K kB more header (a relay path), one-message connection," \
	"stock and preload:"
for k in ${HEADER_KB-4 16 64}; do
	for c in stock preload; do
		case $c in stock) f=$STOCK ;; *) f=$CONF ;; esac
		set -- $(BENCH_HEADER_KB=$k sh "$TOP/tests/exim/bench_daemon.sh" \
			"$f" 2532 "$OUT/dg-h$k-$c")
		eval "h_$c=$(($2 - $1))"
	done
	say "$(printf '    %3d kB: stock %9d, preload %9d (%s, %+d)' $k \
		$h_stock $h_preload "$(pct $h_stock $h_preload)" \
		$((h_preload - h_stock)))"
done
# what a Debian hub pays: its own ACLs and routers cost more than the
# small ones above, and signet's drop-ins add the same work to them
say "  on Debian's own configuration (exim4-config as shipped, built by" \
	"update-exim4.conf), without and with signet's drop-ins:"
for c in stock signet; do
	debian_conf $c || { echo "bench: Debian configuration ($c):" \
		"$(tail -n 2 "$OUT/debian-$c/update.out")" >&2; exit 1; }
	counts $c "$OUT/debian-$c.conf" "$OUT/dg-debian-$c" deb_ "    "
done

# ---- 2. accepted messages per second through the daemons ----
# -odq: queue only, so deliveries do not compete with reception.  -oY:
# no notifier socket, which the daemons on one spool cannot share.  The
# fourth daemon is stock again, a control: how far two identical daemons
# differ in this run is the resolution of the other ratios.  Each round
# starts its daemons afresh: a daemon kept for the whole run kept its
# luck too (perhaps where its memory landed), and two identical ones
# differed by up to 8% over a run.
port_stock=2530 port_signet=2531 port_preload=2533 port_control=2534
start_round() { # the configurations, in the round's order
	for c in "$@"; do
		case $c in
		stock | control) f=$STOCK ;;
		signet) f=$NOPRE ;;
		*) f=$CONF ;;
		esac
		eval "p=\$port_$c"
		"$EXIM" -C "$f" -bdf -odq -oY -oX $p -oP "$OUT/exim-$p.pid" \
			>>"$OUT/daemon-$p.out" 2>&1 &
		EXIM_PIDS="$EXIM_PIDS $!"
		wait_listen $p || { echo "bench: no daemon on $p" >&2; exit 1; }
	done
	# a few connections first: a new daemon's first ones cost more
	for c in "$@"; do
		eval "p=\$port_$c"
		python3 "$TOP/tests/exim/bench_load.py" $p 8 1 2 \
			someone@remote.example bob@example.com >/dev/null
	done
}
# CPU clock ticks of a daemon and its reaped connection processes
ticks() {
	awk '{print $14 + $15 + $16 + $17}' \
		"/proc/$(cat "$OUT/exim-$1.pid")/stat"
}
# add CONF RATE MESSAGES SECONDS TICKS: one round's figures to CONF's
add() {
	eval "_r=\$rates_$1 _m=\$msgs_$1 _s=\$secs_$1 _t=\$ticks_$1"
	_s=$(awk -v a="$_s" -v b="$4" 'BEGIN {print a + b}')
	eval "rates_$1='$_r $2' msgs_$1=$((_m + $3)) secs_$1=$_s" \
		"ticks_$1=$((_t + $5))"
}
# spread A B: min, quartiles and max of the per-round ratios B/A, and
# whether the median meets the 0.95 target
spread() {
	printf '%s\n%s\n' "$1" "$2" | awk '
	NR == 1 {n = split($0, a, " ")}
	NR == 2 {split($0, b, " ")}
	END {
		for (i = 1; i <= n; i++) r[i] = b[i] / a[i]
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (r[j] < r[i]) {t = r[i]; r[i] = r[j]; r[j] = t}
		lo = r[int((n + 3) / 4)]; hi = r[n + 1 - int((n + 3) / 4)]
		m = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
		t = "target >= 0.95 missed"
		if (m >= 0.95) t = "target >= 0.95 met"
		printf "min %.3f, q1 %.3f, median %.3f, q3 %.3f, max %.3f (%s)",
			r[1], lo, m, hi, r[n], t
	}'
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1}
	END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
say "accepted messages/s through the daemon (-odq), $CONNS messages per" \
	"round, $THREADS client threads, $ROUNDS alternating rounds (median):"
hz=$(getconf CLK_TCK)
for per in 1 10; do
	for c in stock signet preload control; do
		eval "rates_$c='' msgs_$c=0 secs_$c=0 ticks_$c=0"
	done
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		# the order turns each round: a configuration run right after
		# another is slowed by what that one left to the kernel (its
		# spooled files' writeback), and the costly one (signet without
		# preload) would otherwise always precede the default
		case $((r % 4)) in
		0) order="stock signet preload control" ;;
		1) order="signet preload control stock" ;;
		2) order="preload control stock signet" ;;
		*) order="control stock signet preload" ;;
		esac
		start_round $order
		for c in $order; do
			eval "p=\$port_$c"
			t0=$(ticks $p)
			set -- $(python3 "$TOP/tests/exim/bench_load.py" $p \
				$((CONNS / per)) $per "$THREADS" \
				someone@remote.example bob@example.com)
			t1=$(ticks $p)
			add $c "$1" "$2" "$4" $((t1 - t0))
		done
		stop_exim
		r=$((r + 1))
	done
	say "  $per msg/conn: stock $(echo "$rates_stock" | median)," \
		"signet $(echo "$rates_signet" | median)," \
		"preload $(echo "$rates_preload" | median)," \
		"control (stock again) $(echo "$rates_control" | median)"
	say "    rounds: stock$rates_stock; signet$rates_signet;" \
		"preload$rates_preload; control$rates_control"
	for c in signet preload control; do
		eval "rc=\$rates_$c"
		say "    $c/stock per round: $(spread "$rates_stock" "$rc")"
	done
	# all rounds pooled: messages over seconds, and the CPU time of the
	# daemon and its connection processes per message (user + system)
	say "    pooled over the rounds: messages/s (ratio to stock), CPU ms" \
		"per message (ratio):"
	for c in stock signet preload control; do
		eval "echo $c \$msgs_$c \$secs_$c \$ticks_$c"
	done | awk -v hz="$hz" '{
		r = $2 / $3; m = $4 * 1000 / hz / $2
		if (NR == 1) {r0 = r; m0 = m}
		printf "      %-8s %6.1f (%.3f), %6.2f ms (%.3f)\n", $1, r,
			r / r0, m, m / m0
	}' | tee -a "$RES"
	python3 "$TOP/tests/exim/bench_plot.py" "$OUT/rounds-$per.svg" \
		"accepted messages/s, $per message(s) per connection" \
		"stock:$rates_stock" "signet:$rates_signet" \
		"preload (default):$rates_preload" \
		"control (stock again):$rates_control" &&
		say "    plot: $OUT/rounds-$per.svg"
done
# ---- 3. time per connection by call chain ----
# On a VM a page that a forked process touches first can cost more than
# the instructions that touch it, so the time signet's call chains take
# is measured too, not only their instructions.
PAGES_CONNS=${PAGES_CONNS:-400}
install_perf() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends linux-perf >/dev/null 2>&1
}
command -v perf >/dev/null 2>&1 || install_perf ||
	{ apt-get update -q >/dev/null 2>&1 && install_perf; }
if command -v perf >/dev/null 2>&1; then
	say "CPU time of one-message connections by call chain (perf" \
		"cpu-clock samples of the daemon and its processes," \
		"$PAGES_CONNS connections):"
	for c in stock preload; do
		case $c in stock) f=$STOCK ;; *) f=$CONF ;; esac
		sh "$TOP/tests/exim/bench_pages.sh" "$f" 2535 \
			"$OUT/pages-$c" "$PAGES_CONNS" | sed "1s/^/  $c: /" |
			tee -a "$RES"
	done
else
	say "(CPU time by call chain skipped: perf is not installed and" \
		"apt-get could not install linux-perf)"
fi

# ---- 4. exim -bh sessions (last: exec and config parsing hide the
# module's cost there) ----
# (with SIGNET_NO_PRELOAD: -bh runs no daemon, and the preload would only
# add its own expansion)
CG=$OUT/cg
mkdir -p "$CG"
cp /usr/sbin/exim4 "$CG/exim4"
chown -R "$EXIM_USER" "$CG"
auth=$(printf '\0alice\0pw-alice' | base64)
session() { # KIND N
	printf 'EHLO client.example\r\n'
	[ "$1" = submit ] && printf 'AUTH PLAIN %s\r\n' "$auth"
	i=0
	while [ $i -lt "$2" ]; do
		if [ "$1" = submit ]; then
			f=alice@example.com t=r1@remote.example
		else
			f=someone@remote.example t=bob@example.com
		fi
		printf 'MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n' "$f" "$t"
		printf 'From: <%s>\r\nTo: <%s>\r\nSubject: bench %d\r\n' \
			"$f" "$t" $i
		printf 'Message-ID: <bench-%d-%s@example.com>\r\n\r\n' $i "$1"
		printf 'bench body\r\n.\r\n'
		i=$((i + 1))
	done
	printf 'QUIT\r\n'
}
instr() { # CONF SESSIONFILE -> instructions
	rm -f "$CG"/cg.*
	runuser -u "$EXIM_USER" -- valgrind --tool=callgrind \
		--callgrind-out-file="$CG/cg.%p" "$CG/exim4" -C "$1" \
		-bh 192.0.2.1 <"$2" >"$CG/out" 2>"$CG/err"
	n=$(grep -c '^250 OK id=' "$CG/out")
	sed -n 's/^summary: //p' "$CG"/cg.* | awk '{s += $1} END {print s}'
	echo "$n" >"$CG/accepted"
}
say "callgrind instructions per exim -bh session (192.0.2.1; exec and" \
	"configuration parsing, about 23M, hide the module's cost here):"
say "kind     msgs   stock        signet       extra    per-msg extra"
for kind in inbound submit; do
	for n in 1 100; do
		session $kind $n >"$CG/s-$kind-$n"
		a=$(instr "$STOCK" "$CG/s-$kind-$n")
		acc_a=$(cat "$CG/accepted")
		b=$(instr "$NOPRE" "$CG/s-$kind-$n")
		acc_b=$(cat "$CG/accepted")
		eval "stock_${kind}_$n=$a signet_${kind}_$n=$b"
		[ "$acc_a" = "$n" ] && [ "$acc_b" = "$n" ] ||
			say "  (warning: accepted $acc_a / $acc_b of $n)"
		say "$(printf '%-8s %4d  %11d  %11d  %6.2f%%' $kind $n $a $b \
			"$(awk -v a=$a -v b=$b "BEGIN {print (b - a) * 100 / a}")")"
	done
	eval "a1=\$stock_${kind}_1 b1=\$signet_${kind}_1"
	eval "a100=\$stock_${kind}_100 b100=\$signet_${kind}_100"
	say "$(printf '%-8s per message (100-msg minus 1-msg, /99): stock %d, signet %d, extra %d' \
		$kind $(((a100 - a1) / 99)) $(((b100 - b1) / 99)) \
		$(((b100 - b1 - a100 + a1) / 99)))"
done

stop_exim
rm -rf "$OUT/spool/input"
