# Monthly signet key rotation when systemd is not running (with systemd,
# signet-rotate.timer does it).  Settings: /etc/default/signet-tools.
17 4 1 * *	root	[ -d /run/systemd/system ] || [ ! -x /usr/libexec/signet/rotate-keys ] || /usr/libexec/signet/rotate-keys
