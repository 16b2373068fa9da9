# lib90_signet_plugin.so: the Dovecot 2.3 mail plugin (docs/DOVECOT.md).
# Built against Debian's dovecot-dev; libsignet.a is linked in statically,
# so the plugin needs only libcrypto and libjansson besides Dovecot.
DOVECOT_INC ?= /usr/include/dovecot
DOVECOT_MODULEDIR ?= /usr/lib/dovecot/modules
DP_SRC = dovecot-plugin/signet-plugin.c dovecot-plugin/signet-settings.c \
	dovecot-plugin/signet-eval.c dovecot-plugin/signet-header.c \
	dovecot-plugin/signet-copy.c
DP_OBJ = $(DP_SRC:%.c=$(B)/%.o)
DP_SO = $(B)/dovecot-plugin/lib90_signet_plugin.so
DP_LIBS = -lcrypto -ljansson
# HAVE_CONFIG_H: Dovecot's config.h defines uoff_t and friends.  Dovecot's
# istream.h (2.3.19) declares a callback type as "()" and trips
# -Wstrict-prototypes, so that one warning is off for this part.
EXTRA_CFLAGS_dovecot-plugin/ = -DHAVE_CONFIG_H -I$(DOVECOT_INC) \
	-Wno-strict-prototypes
# Test helper that seals headers with the core (tests/dovecot/).
DP_MKPROV = $(B)/tests/dovecot/signet-mkprov
DP_EVALTEST = $(B)/tests/dovecot/test-eval
# The header scanner checked against Dovecot's own parser (links libdovecot).
DP_HDRTEST = $(B)/tests/dovecot/test-header
DOVECOT_LIBDIR ?= /usr/lib/dovecot

.PHONY: dovecot-plugin install-dovecot bench-dovecot bench-dovecot-headers
all: $(DP_SO) $(DP_MKPROV) $(DP_EVALTEST) $(DP_HDRTEST)
dovecot-plugin: $(DP_SO)

# Dovecot's symbols resolve against the host process at dlopen: no -z defs,
# and no -ldovecot.
$(DP_SO): $(DP_OBJ) $(LIBSIGNET) dovecot-plugin/build.mk Makefile
	$(CC) $(ALL_CFLAGS) -shared -o $@ $(DP_OBJ) $(LIBSIGNET) \
		$(ALL_LDFLAGS) $(DP_LIBS)

$(DP_MKPROV): $(B)/tests/dovecot/signet-mkprov.o $(LIBSIGNET)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(DP_LIBS)

$(DP_EVALTEST): $(B)/tests/dovecot/test-eval.o \
		$(B)/dovecot-plugin/signet-eval.o $(LIBSIGNET)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(DP_LIBS)
$(DP_HDRTEST): $(B)/tests/dovecot/test-header.o \
		$(B)/dovecot-plugin/signet-header.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) -L$(DOVECOT_LIBDIR) \
		-Wl,-rpath,$(DOVECOT_LIBDIR) -ldovecot
EXTRA_CFLAGS_tests/dovecot/ = -I$(CURDIR)/dovecot-plugin -DHAVE_CONFIG_H \
	-I$(DOVECOT_INC) -Wno-strict-prototypes
# The decisions' unit test also builds with the sanitizer unit tests
# (make B=build/asan SAN=1 unit); the suite runs that copy when present.
unit: $(DP_EVALTEST)

# A loaded .so must be replaced by rename, never rewritten in place.
install: install-dovecot
install-dovecot: $(DP_SO)
	install -d $(DESTDIR)$(DOVECOT_MODULEDIR)
	install -m 0644 $(DP_SO) \
		$(DESTDIR)$(DOVECOT_MODULEDIR)/.lib90_signet_plugin.so.new
	mv -f $(DESTDIR)$(DOVECOT_MODULEDIR)/.lib90_signet_plugin.so.new \
		$(DESTDIR)$(DOVECOT_MODULEDIR)/lib90_signet_plugin.so
	install -d $(DESTDIR)/etc/dovecot/conf.d
	install -m 0644 conf/dovecot/90-signet.conf \
		$(DESTDIR)/etc/dovecot/conf.d/90-signet.conf

bench-dovecot: $(DP_SO) $(DP_MKPROV)
	KIND=ordinary sh tests/dovecot/bench.sh
	KIND=bounce sh tests/dovecot/bench.sh

bench-dovecot-headers: $(DP_SO) $(DP_MKPROV)
	sh tests/dovecot/bench_headers.sh
