# signet.so: the Exim module (local_scan + ${dlfunc}), loaded by Debian's
# exim4-daemon-heavy through local_scan_path.  libsignet.a is linked in.
EXIM_SRC = $(wildcard exim-scan/*.c)
EXIM_OBJ = $(EXIM_SRC:%.c=$(B)/%.o)
EXIM_SO = $(B)/exim-scan/signet.so
# tests/exim/suite.sh's helper: signs at a given age, checks seals.
EXIM_HELPER = $(B)/exim-scan/test-helper
EXIM_LSDIR = /usr/lib/exim4/local_scan
# Exim's headers are not warning-clean under our flags.
EXTRA_CFLAGS_exim-scan/ = -isystem /usr/include/exim4

.PHONY: exim-scan install-exim install-exim-conf bench-exim bench-growth-exim
all: $(EXIM_SO) $(EXIM_HELPER)
exim-scan: $(EXIM_SO) $(EXIM_HELPER)

# Exim's own symbols resolve against the exim binary at dlopen: no -z defs.
# --gc-sections drops the core's code the module never calls (keyring
# saving, rotation...) with its symbols.  -z now (full RELRO): the shipped
# configuration loads the module once, in the daemon (signet_preload), so
# its symbols are bound there once and every connection's process inherits
# them; with lazy binding each process bound again those it used, about
# 9K instructions a connection.  A configuration without the preload
# (SIGNET_NO_PRELOAD) pays instead about 67K a connection to bind them all.
EXIM_LDFLAGS = $(ALL_LDFLAGS)
comma := ,
# Relinked when this file or the Makefile changes its link flags.
$(EXIM_SO): $(EXIM_OBJ) $(LIBSIGNET) exim-scan/build.mk Makefile
	$(CC) $(ALL_CFLAGS) -shared -o $@ $(EXIM_OBJ) $(LIBSIGNET) \
		$(EXIM_LDFLAGS) -Wl,--gc-sections $(CORE_LIBS)

$(EXIM_HELPER): $(B)/tests/exim/helper.o $(LIBSIGNET)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(CORE_LIBS)

# A loaded .so must be replaced by rename, never rewritten in place.
install: install-exim
install-exim: $(EXIM_SO)
	install -d $(DESTDIR)$(EXIM_LSDIR)
	install -m 0644 $(EXIM_SO) $(DESTDIR)$(EXIM_LSDIR)/.signet.so.new
	mv -f $(DESTDIR)$(EXIM_LSDIR)/.signet.so.new \
		$(DESTDIR)$(EXIM_LSDIR)/signet.so

# Debian split-config drop-ins and ACL snippets (docs/EXIM.md).
install-exim-conf:
	for d in main router transport auth acl; do \
		install -d $(DESTDIR)/etc/exim4/conf.d/$$d && \
		install -m 0644 conf/exim4/conf.d/$$d/* \
			$(DESTDIR)/etc/exim4/conf.d/$$d/ || exit 1; \
	done
	install -m 0644 conf/exim4/signet_acl_rcpt conf/exim4/signet_acls \
		$(DESTDIR)/etc/exim4/

bench-exim: $(EXIM_SO)
	sh tests/exim/bench.sh

bench-growth-exim: $(EXIM_SO)
	sh tests/exim/bench_growth.sh
