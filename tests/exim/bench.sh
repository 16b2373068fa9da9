#!/bin/sh
# Cost of signet in Exim (make bench-exim; not part of make check):
# 1. callgrind instruction counts of whole `exim -bh` sessions (exec and
#    config parsing included), 1 and 100 messages per connection, for
#    inbound mail (remote sender to a local user) and for submission
#    (AUTH, signed sender), with the signet configuration and with the same
#    configuration minus signet's lines ("stock");
# 2. the same connections through the real daemon, counted in its forked
#    child (tests/exim/bench_daemon.sh);
# 3. accepted messages per second through the two daemons (queue only:
#    -odq), alternating rounds in the same run.
# Needs root.  Results: tests/out/exim-bench/results.txt
TOP=${TOP:-$(pwd)}
SUITE=exim-bench
. "$TOP/tests/lib.sh"
OUT=$TOP/tests/out/exim-bench
. "$TOP/tests/exim/lib-exim.sh"
ROUNDS=${ROUNDS:-5}
CONNS=${CONNS:-400}
THREADS=${THREADS:-4}

trap 'stop_exim; untrust_confs' EXIT INT TERM
setup_exim "$SO" || { echo "bench: setup failed" >&2; exit 1; }
# stock: signet's lines removed; signet: with SIGNET_NO_PRELOAD; the
# suite's configuration (CONF) preloads, the shipped default.
STOCK=$OUT/exim-stock.conf
NOPRE=$OUT/exim-nopreload.conf
grep -v -e '^\.include .*/04_signet$' -e '^\.include .*/050_signet$' \
	-e '^\.include CHECK_' "$CONF" >"$STOCK"
{ echo 'SIGNET_NO_PRELOAD = yes'; cat "$CONF"; } >"$NOPRE"
trust_conf "$STOCK" "$NOPRE" || exit 1
RES=$OUT/results.txt
: >"$RES"
say() { echo "$*" | tee -a "$RES"; }

# ---- 1. instruction counts ----
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
say "signet Exim cost, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
say "callgrind instructions per exim -bh session (192.0.2.1):"
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

# ---- 2. the real daemon: a connection's own instructions ----
say "daemon child instructions per connection (callgrind on the daemon," \
	"-odq; own work = child total - an empty connection's child):"
for c in stock signet preload; do
	case $c in stock) f=$STOCK ;; signet) f=$NOPRE ;; *) f=$CONF ;; esac
	set -- $(sh "$TOP/tests/exim/bench_daemon.sh" "$f" 2532 "$OUT/dg-$c")
	say "$(printf '  %-7s 1 msg: %9d   10 msgs: %9d   per extra msg: %8d' \
		$c $(($2 - $1)) $(($3 - $1)) $((($3 - $2) / 9)))"
done
say "  (preload: the daemon also runs signet_preload once per connection," \
	"about 11K instructions: stat of three files and the expansion)"

# ---- 3. accepted messages per second through the daemons ----
# -odq: queue only, so deliveries do not compete with reception.
"$EXIM" -C "$STOCK" -bdf -odq -oX 2530 -oP "$OUT/exim-2530.pid" \
	>>"$OUT/daemon-2530.out" 2>&1 &
EXIM_PIDS="$!"
"$EXIM" -C "$NOPRE" -bdf -odq -oX 2531 -oP "$OUT/exim-2531.pid" \
	>>"$OUT/daemon-2531.out" 2>&1 &
EXIM_PIDS="$EXIM_PIDS $!"
"$EXIM" -C "$CONF" -bdf -odq -oX 2533 -oP "$OUT/exim-2533.pid" \
	>>"$OUT/daemon-2533.out" 2>&1 &
EXIM_PIDS="$EXIM_PIDS $!"
for p in 2530 2531 2533; do
	wait_listen $p || { echo "bench: no daemon on $p" >&2; exit 1; }
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1}
	END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
say "accepted messages/s through the daemon (-odq), $CONNS messages per" \
	"round, $THREADS client threads, $ROUNDS alternating rounds (median):"
for per in 1 10; do
	r0="" r1="" r2=""
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		for port in 2530 2531 2533; do
			v=$(python3 "$TOP/tests/exim/bench_load.py" $port \
				$((CONNS / per)) $per "$THREADS" \
				someone@remote.example bob@example.com)
			case $port in
			2530) r0="$r0 ${v%% *}" ;;
			2531) r1="$r1 ${v%% *}" ;;
			*) r2="$r2 ${v%% *}" ;;
			esac
		done
		r=$((r + 1))
	done
	say "  $per msg/conn: stock $(echo "$r0" | median)," \
		"signet $(echo "$r1" | median), preload $(echo "$r2" | median)"
	say "    rounds: stock$r0; signet$r1; preload$r2"
done
stop_exim
rm -rf "$OUT/spool/input"
