#!/bin/sh
# Runs every unit-test binary, the normal build and the ASan/UBSan build
# (make check builds both).  Run from the top of the tree.
status=0
for variant in build build/asan; do
	for t in "$variant"/tests/test-*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		tag=""
		[ "$variant" = build/asan ] && tag=" (asan)"
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
			"$t" >tests/out/"$name".out 2>&1
		rc=$?
		sed "s/^\(PASS\|FAIL\): \([^:]*\): /\1: \2$tag: /" \
			tests/out/"$name".out | grep -E '^(PASS|FAIL): '
		if [ "$rc" -ne 0 ] &&
		   ! grep -q '^FAIL: ' tests/out/"$name".out; then
			echo "FAIL: unit: $name$tag exited $rc"
			tail -n 20 tests/out/"$name".out
			status=1
		fi
	done
done
# The same binaries under valgrind memcheck: errors or leaks fail.
if command -v valgrind >/dev/null 2>&1; then
	for t in build/tests/test-*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		if valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect \
			"$t" >tests/out/"$name".vg 2>&1; then
			echo "PASS: unit: $name clean under valgrind"
		else
			echo "FAIL: unit: $name under valgrind: see tests/out/$name.vg"
			grep -E '^==[0-9]+==' tests/out/"$name".vg | head -n 15
			status=1
		fi
	done
fi
exit $status
