# Helpers for shell test suites.  Source it; set SUITE first.
# Every check prints one "PASS: suite: name" or "FAIL: suite: name: why".
TOP=${TOP:-$(pwd)}
B=${B:-$TOP/build}
SIGNET=${SIGNET:-$B/shared/signet}

pass() { echo "PASS: $SUITE: $1"; }
fail() { echo "FAIL: $SUITE: $1: $2"; }

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"
	else fail "$1" "got '$2', want '$3'"; fi
}
# expect_match NAME TEXT REGEX (grep -E)
expect_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then pass "$1"
	else fail "$1" "'$(printf '%s' "$2" | head -c 300)' does not match /$3/"; fi
}
expect_nomatch() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		fail "$1" "'$(printf '%s' "$2" | head -c 300)' matches /$3/"
	else pass "$1"; fi
}
# expect_rc NAME WANT_RC cmd...
expect_rc() {
	_n=$1; _want=$2; shift 2
	"$@" >/dev/null 2>&1
	_rc=$?
	if [ "$_rc" = "$_want" ]; then pass "$_n"
	else fail "$_n" "exit $_rc, want $_want: $*"; fi
}
# Waits up to $2 seconds (default 10) for TCP port $1 on 127.0.0.1.
wait_port() {
	_i=0
	while [ $_i -lt $((${2:-10} * 10)) ]; do
		# /dev/tcp is bash's, and suites run under sh.
		if bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; then
			return 0
		fi
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}
