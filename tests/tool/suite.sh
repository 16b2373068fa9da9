#!/bin/sh
# Golden tests of the signet tool, in the style of unifdef's tests: for each
# cases/NAME.cmd (a shell command line), the expected stdout, stderr and
# exit status are cases/NAME.out, NAME.err and NAME.rc.
#
# Each case runs in a fresh directory holding this directory's signet.json
# and keyring.json (mode 0600: git does not keep modes), with
# SIGNET_CONFIG=signet.json, `signet` on the PATH, and $T set to
# "--now 2026-11-22T07:30:00Z" so that outputs are stable; config check's
# checks as other users and of Dovecot's settings are off unless a case
# turns them on (and need root).  The run
# directory's name is taken out of the outputs (the configuration makes
# its relative paths absolute).
#
#   sh tests/tool/suite.sh            run the cases
#   sh tests/tool/suite.sh --update   rewrite the expected files from the
#                                     current outputs (review each by eye)
#   sh tests/tool/suite.sh NAME...    run only these cases
#
# When the sanitizer build exists (make B=build/asan SAN=1 all, which
# make check runs), every case runs again with that tool, named
# "NAME (asan)": the hostile-input cases must pass under ASan and UBSan.
# ASAN_SIGNET names another such tool, or "none" to skip.
SUITE=tool
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/lib.sh"

here="$TOP/tests/tool"
work="$TOP/tests/out/tool-work"
update=0
if [ "${1:-}" = --update ]; then
	update=1
	shift
fi
if [ ! -x "$SIGNET" ]; then
	fail build "$SIGNET is missing: run make"
	exit 1
fi
trap 'rm -rf "$work"' EXIT

if [ $# -gt 0 ]; then
	names="$*"
else
	names=$(cd "$here/cases" && ls *.cmd | sed 's/\.cmd$//')
fi

asan=${ASAN_SIGNET:-$TOP/build/asan/tool/signet}
if [ $update = 1 ] || [ "$asan" = "$SIGNET" ] || [ ! -x "$asan" ]; then
	asan=""
fi

# run_cases TOOL TAG: each case with TOOL as `signet`, TAG after its name
run_cases() {
	mkdir -p "$work/bin"
	ln -sf "$1" "$work/bin/signet"
	for name in $names; do
		run_case "$name" "$2"
	done
}

run_case() {
	name=$1
	cmd="$here/cases/$name.cmd"
	exp="$here/cases/$name"
	run="$work/run"
	rm -rf "$run"
	mkdir -p "$run"
	cp "$here/signet.json" "$here/keyring.json" "$run/"
	chmod 600 "$run/keyring.json"
	# ASan's own report goes to stderr: the case's .err would show it
	(cd "$run" &&
		PATH="$work/bin:$PATH" SIGNET_CONFIG=signet.json \
		T="--now 2026-11-22T07:30:00Z" LC_ALL=C TZ=UTC \
		SIGNET_EXIM_USER=none SIGNET_MAIL_USER=none \
		SIGNET_DOVECOT_CONFIG=none \
		ASAN_OPTIONS=detect_leaks=1:exitcode=86 \
		UBSAN_OPTIONS=print_stacktrace=1 \
		sh -c "$(cat "$cmd")") >"$work/out.raw" 2>"$work/err.raw"
	echo $? >"$work/rc"
	# paths in the configuration become absolute: show them relative
	sed "s|$run/||g" "$work/out.raw" >"$work/out"
	sed "s|$run/||g" "$work/err.raw" >"$work/err"
	if [ $update = 1 ]; then
		cp "$work/out" "$exp.out"
		cp "$work/err" "$exp.err"
		cp "$work/rc" "$exp.rc"
		echo "updated $name"
		return
	fi
	why=""
	for part in rc out err; do
		if [ ! -f "$exp.$part" ]; then
			why="$why; no $name.$part"
		elif ! cmp -s "$exp.$part" "$work/$part"; then
			why="$why; $part differs: $(diff "$exp.$part" \
				"$work/$part" | sed -n 2,3p | tr '\n' ' ' |
				cut -c1-300)"
		fi
	done
	if [ -z "$why" ]; then
		pass "$name$2"
	else
		fail "$name$2" "${why#; }"
	fi
}

run_cases "$SIGNET" ""
[ -n "$asan" ] && run_cases "$asan" " (asan)"
exit 0
