#!/bin/sh
# Builds the libFuzzer targets with clang and runs each for a short time
# (FUZZ_SECONDS, default 8; `make fuzz` runs them longer).  Corpora live in
# tests/out/fuzz/; seeds in tests/fuzz/seeds/<target>/ when present.
secs=${FUZZ_SECONDS:-8}
if ! make -s B=build/fuzz CC=clang FUZZ=1 fuzz-bin >tests/out/fuzz-build.log 2>&1; then
	echo "FAIL: fuzz: build: see tests/out/fuzz-build.log"
	tail -n 20 tests/out/fuzz-build.log
	exit 1
fi
for bin in build/fuzz/fuzz/fuzz-*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	corpus=tests/out/fuzz/$name
	mkdir -p "$corpus"
	seeds=tests/fuzz/seeds/${name#fuzz-}
	[ -d "$seeds" ] || seeds=""
	if "$bin" -max_total_time="$secs" -max_len=4096 -timeout=5 \
		-artifact_prefix=tests/out/fuzz/"$name"- "$corpus" $seeds \
		>tests/out/fuzz/"$name".log 2>&1; then
		runs=$(grep -o 'Done [0-9]* runs' tests/out/fuzz/"$name".log)
		echo "PASS: fuzz: $name ran ${secs}s without a crash ($runs)"
	else
		echo "FAIL: fuzz: $name: crash or leak, see tests/out/fuzz/$name.log"
		grep -E 'ERROR|SUMMARY|Test unit written' tests/out/fuzz/"$name".log | head
	fi
done
