# signet: top-level build.  Each part adds its rules in its own build.mk.
# Objects go under $(B) so that sanitizer and fuzzing builds sit beside the
# normal one: `make B=build/asan SAN=1` and `make B=build/fuzz CC=clang FUZZ=1`.

PREFIX ?= /usr/local
DESTDIR ?=
B ?= build
CC ?= cc

WARN = -Wall -Wextra -Werror -Wformat=2 -Wmissing-prototypes \
	-Wstrict-prototypes -Wshadow -Wpointer-arith
HARDEN = -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
	-fstack-clash-protection -fcf-protection -Wformat -Werror=format-security
CFLAGS_BASE = -std=gnu11 -fPIC $(WARN) $(HARDEN) -fvisibility=hidden \
	-ffunction-sections -fdata-sections \
	-I$(CURDIR)/shared
LDFLAGS_BASE = -Wl,-z,relro -Wl,-z,now
ifeq ($(SAN),1)
HARDEN = -O1 -g -fno-omit-frame-pointer
CFLAGS_BASE += -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS_BASE += -fsanitize=address,undefined
endif
ifeq ($(FUZZ),1)
HARDEN = -O1 -g -fno-omit-frame-pointer
CFLAGS_BASE += -fsanitize=fuzzer-no-link,address,undefined
endif
ALL_CFLAGS = $(CFLAGS_BASE) $(CFLAGS)
ALL_LDFLAGS = $(LDFLAGS_BASE) $(LDFLAGS)
CORE_LIBS = -lcrypto -ljansson

.PHONY: all check check-fresh clean install deps demo demo-stop bench fuzz \
	deb check-deb install-man
all:

include shared/build.mk
include tool/build.mk
-include exim-scan/build.mk
-include dovecot-plugin/build.mk
include tests/build.mk

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(EXTRA_CFLAGS_$(dir $<)) -MMD -MP -c -o $@ $<

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# Installs what building and testing need (Debian 12, as root).
deps:
	sh tests/deps.sh

# The sanitizer build is of everything: the unit and tool suites run its
# binaries too (docs/HACKING.md).
check: deps
	$(MAKE) all
	$(MAKE) B=build/asan SAN=1 all
	sh tests/run

# The README's two commands in a minimal Debian 12 root of their own.
check-fresh:
	sh tests/fresh/check-fresh.sh

# Debian packages (debian/) into build/deb-pkg, and their test: installed
# with apt in a fresh Debian 12 root, turned on as docs/ADMIN.md says.
deb:
	sh tests/deb/build.sh
check-deb:
	sh tests/deb/check-deb.sh

# Manual pages (docs/man).
MANDIR ?= $(PREFIX)/share/man
install: install-man
install-man:
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7
	install -m 0644 docs/man/signet.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 docs/man/signet.json.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 docs/man/signet-exim.7 docs/man/signet-dovecot.7 \
		$(DESTDIR)$(MANDIR)/man7/

# The load and fault test at full size (tests/load/suite.sh; check runs
# 1,000 sessions), in a private network namespace of its own.
.PHONY: soak
soak: all
	unshare -n sh -c 'ip link set lo up && LOAD_N=10000 sh tests/run load'

demo: deps
	$(MAKE) all
	sh tests/demo/demo.sh

demo-stop:
	sh tests/demo/demo.sh stop

clean:
	rm -rf build tests/out
