#!/bin/sh
# Instructions that the core costs a fresh process (each Exim connection's
# child loads the module anew), counted by callgrind:
#  1. prepare a key, sign one address and verify it (crypto only);
#  2. load signet.json and a keyring from files, then verify one address.
set -e
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
B=${B:-build}
count() {
	valgrind --tool=callgrind --toggle-collect="$1" \
		--callgrind-out-file="$out/cg" "$B"/tests/bench-core "$@" \
		>/dev/null 2>"$out/log"
	sed -n 's/^summary: //p' "$out/cg"
}
cat >"$out/signet.json" <<JSON
{ "domains": ["isp.example"], "keyring": "$out/keyring.json",
  "store": { "type": "none" } }
JSON
"$B"/tool/signet -c "$out/signet.json" keys init >/dev/null
addr=$("$B"/tool/signet -c "$out/signet.json" sign alice@isp.example)
n1=$(valgrind --tool=callgrind --toggle-collect=bench_once \
	--callgrind-out-file="$out/cg1" "$B"/tests/bench-core once \
	>/dev/null 2>&1; sed -n 's/^summary: //p' "$out/cg1")
n2=$(valgrind --tool=callgrind --toggle-collect=bench_once_files \
	--callgrind-out-file="$out/cg2" "$B"/tests/bench-core files \
	"$out/signet.json" "$addr" >/dev/null 2>&1;
	sed -n 's/^summary: //p' "$out/cg2")
echo "cold start, prepare one key, sign and verify one address: $n1 instructions"
echo "cold start, load signet.json and a 2-key keyring, verify one address: $n2 instructions"
