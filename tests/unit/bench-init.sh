#!/bin/sh
# Instructions that the core costs a fresh process (an Exim connection's
# child): prepare a key, sign one address and verify it, from a cold start
# with libcrypto loaded, counted by callgrind.
set -e
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
valgrind --tool=callgrind --toggle-collect=bench_once \
	--callgrind-out-file="$out/cg" build/tests/bench-core once \
	>/dev/null 2>"$out/log"
total=$(sed -n 's/^summary: //p' "$out/cg")
echo "cold start, one key prepared, one sign and one verify: $total instructions"
