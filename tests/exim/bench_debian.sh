# Sourced by tests/exim/bench.sh (after setup_exim): what a Debian hub
# runs.  debian_conf VARIANT writes $OUT/debian-VARIANT.conf, built by
# update-exim4.conf from exim4-config's split configuration as the package
# ships it (an internet site, example.com local, loopback only), for
# VARIANT "stock", and "signet" with signet's drop-ins added.  Both route
# bob@example.com with the same router (standing for the site's users),
# relay for no host (so that 127.0.0.1 is a remote MTA), and read CONFDIR
# from an empty directory, not the machine's /etc/exim4.
debian_conf() {
	_d=$OUT/debian-$1
	rm -rf "$_d"
	mkdir -p "$_d/confdir" "$_d/spool" "$_d/log"
	debian_confd "$_d" internet example.com || return 1
	{
		echo "CONFDIR = $_d/confdir"
		echo "MAIN_HARDCODE_PRIMARY_HOSTNAME = mx.example.com"
		echo "MAIN_RELAY_NETS = :"
		echo "SPOOLDIR = $_d/spool"
		echo "log_file_path = $_d/log/%slog"
	} >"$_d/conf.d/main/00_local_macros"
	if [ "$1" = signet ]; then
		cp -r "$TOP/conf/exim4/conf.d/." "$_d/conf.d/"
		cat >>"$_d/conf.d/main/00_local_macros" <<EOF
SIGNET_SO = $SO
SIGNET_CONFIG = $OUT/signet.json
CHECK_RCPT_LOCAL_ACL_FILE = $TOP/conf/exim4/signet_acl_rcpt
SIGNET_ACLS = $TOP/conf/exim4/signet_acls
SIGNET_DOVECOT_USERS = $_d/users
EOF
		: >"$_d/users"
	fi
	echo "bob:" >"$_d/local-users"
	cat >"$_d/conf.d/router/380_bench_users" <<EOF
bench_users:
  driver = accept
  domains = +local_domains
  local_parts = lsearch;$_d/local-users
  transport = mail_spool
EOF
	chown -R "$EXIM_USER" "$_d/spool" "$_d/log"
	update-exim4.conf -d "$_d" -o "$OUT/debian-$1.conf" \
		>"$_d/update.out" 2>&1 || return 1
	trust_conf "$OUT/debian-$1.conf"
}
