# Private Dovecot instance on 127.0.0.1 for the signet tests and bench.
# Source it, then: dc_setup DIR PORTBASE PLUGIN(yes|no); dc_start; dc_stop.
# Ports: PORTBASE = LMTP, +1 IMAP, +2 POP3.  Mail user: signetmail.
# Knobs: DC_SIEVE=no leaves Sieve out; DC_EXTRA is appended to the config.
DC_USER=signetmail

dc_mailuser() {
	id "$DC_USER" >/dev/null 2>&1 ||
		useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$DC_USER"
	DC_UID=$(id -u "$DC_USER")
	DC_GID=$(id -g "$DC_USER")
}

# dc_adduser NAME [userdb extra fields...]
dc_adduser() {
	_n=$1; shift
	_extra=""
	for _f in "$@"; do _extra="$_extra $_f"; done
	mkdir -p "$DC_DIR/home/$_n"
	chown "$DC_UID:$DC_GID" "$DC_DIR/home/$_n"
	printf '%s:{PLAIN}secret:%s:%s::%s::%s\n' "$_n" "$DC_UID" "$DC_GID" \
		"$DC_DIR/home/$_n" "$_extra" >>"$DC_DIR/passwd"
}

dc_setup() {
	DC_DIR=$1
	DC_PORT=$2
	_plugin=$3
	dc_mailuser
	rm -rf "$DC_DIR"
	mkdir -p "$DC_DIR/run" "$DC_DIR/state" "$DC_DIR/home" "$DC_DIR/modules"
	chmod 755 "$DC_DIR" "$DC_DIR/home"
	: >"$DC_DIR/passwd"
	# mail_plugin_dir replaces the stock directory: link the stock
	# plugins (sieve) beside ours.
	for _m in /usr/lib/dovecot/modules/*.so; do
		ln -s "$_m" "$DC_DIR/modules/"
	done
	ln -s "$DP_SO" "$DC_DIR/modules/lib90_signet_plugin.so"
	# With the plugin: the shipped conf.d file, and the plugin in imap and
	# pop3 too (where it must load and stay passive).
	_include=""
	_pi=""
	_sieve=sieve
	[ "${DC_SIEVE:-yes}" = no ] && _sieve=""
	if [ "$_plugin" = yes ]; then
		_include="!include $TOP/conf/dovecot/90-signet.conf"
		_pi=signet
	fi
	DC_CONF=$DC_DIR/dovecot.conf
	cat >"$DC_CONF" <<EOF
base_dir = $DC_DIR/run
state_dir = $DC_DIR/state
instance_name = signet-test-$DC_PORT
log_path = $DC_DIR/dovecot.log
info_log_path = $DC_DIR/dovecot.log
debug_log_path = $DC_DIR/dovecot.log
protocols = imap pop3 lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = $DC_UID
last_valid_uid = $DC_UID
mail_location = maildir:~/Maildir
mail_plugin_dir = $DC_DIR/modules
mail_debug = ${DC_DEBUG:-no}
pop3_uidl_format = %08Xu%08Xv
lmtp_save_to_detail_mailbox = no
recipient_delimiter = +
postmaster_address = postmaster@isp.example
hostname = mail.isp.example
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DC_DIR/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $DC_DIR/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $((DC_PORT + 1))
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $((DC_PORT + 2))
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $DC_PORT
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
protocol lmtp {
  mail_plugins = \$mail_plugins $_sieve
}
protocol lda {
  mail_plugins = \$mail_plugins $_sieve
}
protocol imap {
  mail_plugins = \$mail_plugins $_pi
}
protocol pop3 {
  mail_plugins = \$mail_plugins $_pi
}
$_include
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
  signet_seal_keyring = $DC_DIR/seal-keyring.json
  signet_domains = isp.example dept.cam.ac.uk
}
${DC_EXTRA:-}
EOF
}

dc_start() {
	dovecot -c "$DC_CONF" </dev/null >/dev/null 2>&1 || return 1
	wait_port "$DC_PORT" 10 && wait_port $((DC_PORT + 1)) 10 &&
		wait_port $((DC_PORT + 2)) 10
}

dc_stop() {
	[ -n "$DC_CONF" ] && [ -f "$DC_CONF" ] || return 0
	doveadm -c "$DC_CONF" stop >/dev/null 2>&1
	_i=0
	while [ -e "$DC_DIR/run/master.pid" ] && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
}

# dc_lda USER SENDER FILE [extra dovecot-lda args]
dc_lda() {
	_u=$1; _s=$2; _f=$3; shift 3
	/usr/lib/dovecot/dovecot-lda -c "$DC_CONF" -d "$_u" -f "$_s" "$@" <"$_f"
}
