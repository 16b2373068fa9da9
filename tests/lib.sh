# Helpers for shell test suites.  Source it; set SUITE first.
# Every check prints one "PASS: suite: name" or "FAIL: suite: name: why".
TOP=${TOP:-$(pwd)}
B=${B:-$TOP/build}
SIGNET=${SIGNET:-$B/tool/signet}

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
# Every swaks call in the suites goes through this: no standard input,
# a time limit on the whole session, and no empty --to, --from or --data
# value (swaks prompts for it and, at end of input, spins for ever).  An
# empty value means an earlier step failed: that step's check says so.
swaks() {
	_prev=""
	for _a in "$@"; do
		case $_prev in
		--to|--from|--data|--server|--port)
			if [ -z "$_a" ]; then
				echo "swaks: empty $_prev value" \
					"(an earlier step failed)"
				return 1
			fi ;;
		esac
		_prev=$_a
	done
	timeout -k 5 "${SWAKS_LIMIT:-90}" swaks "$@" </dev/null
}

# debian_confd DIR TYPE HOSTNAMES: Debian's split Exim configuration as
# the installed exim4-config package ships it, in DIR/conf.d, and the
# answers update-exim4.conf takes (dc_eximconfig_configtype TYPE, local
# domains HOSTNAMES, loopback only) in DIR/update-exim4.conf.conf; never
# the machine's /etc/exim4, which a hub's admin has changed.  The package
# comes from apt's cache, else from the archive; it is unpacked once.
debian_confd() {
	_v=$(dpkg-query -W -f='${Version}' exim4-config 2>/dev/null)
	[ -n "$_v" ] || { echo "debian_confd: exim4-config is not installed"
		return 1; }
	_f=exim4-config_$(printf '%s' "$_v" | sed 's/:/%3a/')_all.deb
	_p=$TOP/tests/out/pristine
	_x=$_p/exim4-config_$_v
	if [ ! -d "$_x/etc/exim4/conf.d" ]; then
		mkdir -p "$_p"
		_deb=/var/cache/apt/archives/$_f
		if [ ! -f "$_deb" ]; then
			_deb=$_p/$_f
			[ -f "$_deb" ] || (cd "$_p" && timeout 120 apt-get download \
				-q "exim4-config=$_v") >"$_p/download.log" 2>&1
		fi
		if [ ! -f "$_deb" ]; then
			echo "debian_confd: $_f is neither in apt's cache nor" \
				"downloadable: $(tail -n 1 "$_p/download.log")"
			return 1
		fi
		rm -rf "$_x.tmp"
		mkdir -p "$_x.tmp"
		dpkg-deb -x "$_deb" "$_x.tmp" && mv "$_x.tmp" "$_x" ||
			{ echo "debian_confd: cannot unpack $_deb"; return 1; }
	fi
	cp -a "$_x/etc/exim4/conf.d" "$1/conf.d" || return 1
	cat >"$1/update-exim4.conf.conf" <<EOF
dc_eximconfig_configtype='$2'
dc_other_hostnames='$3'
dc_local_interfaces='127.0.0.1'
dc_readhost=''
dc_relay_domains=''
dc_minimaldns='false'
dc_relay_nets=''
dc_smarthost=''
CFILEMODE='644'
dc_use_split_config='true'
dc_hide_mailname=''
dc_mailname_in_oh='false'
dc_localdelivery='mail_spool'
EOF
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

# dsn FILE TO ORIG_MSGID [FROM [SITE]]: a multipart/report bounce as SITE
# (default remote.example) would send it, returning the headers of a
# message from FROM (default alice@example.com) whose Message-ID is
# ORIG_MSGID, folded onto its own line as some MTAs write it.
dsn() {
	_site=${5:-remote.example}
	cat >"$1" <<EOF
From: Mail Delivery System <MAILER-DAEMON@$_site>
To: $2
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-$(date +%s%N)@$_site>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain

Your message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; $_site
Final-Recipient: rfc822; r1@$_site
Action: failed
Status: 5.1.1

--BOUNDARY
Content-Type: text/rfc822-headers

From: ${4:-alice@example.com}
To: r1@$_site
Subject: hello
Message-ID:
 <$3>

--BOUNDARY--
EOF
}

# reply_to REGEX TRANSCRIPT: the server's reply (a swaks transcript) to the
# first client line matching REGEX, continuation lines joined:
# "550 5.7.1 text...".
reply_to() {
	printf '%s\n' "$2" | awk -v re="$1" '
		!found && /^ *(->|~>) / && $0 ~ re { found = 1; next }
		found && /^<[-~*]* +[2-5][0-9][0-9][- ]/ {
			sub(/^<[-~*]* +/, "")
			rest = substr($0, 5)
			if (n++ > 0) sub(/^[245]\.[0-9]+\.[0-9]+ /, "", rest)
			text = text (n > 1 ? " " : substr($0, 1, 3) " ") rest
			if (substr($0, 4, 1) == " ") { print text; exit }
		}'
}
rcpt_reply() { reply_to ' RCPT TO:' "$1"; }
data_reply() { reply_to '^ *(->|~>) \.$' "$1"; }
