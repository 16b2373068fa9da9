# Unit tests (one binary per tests/unit/test-*.c) and fuzz targets.
UNIT_SRC = $(wildcard tests/unit/test-*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: unit
unit: $(UNIT_BIN)
all: $(UNIT_BIN)

$(B)/tests/%: $(B)/tests/unit/%.o $(LIBSIGNET)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(CORE_LIBS)

# libFuzzer targets: tests/fuzz/fuzz-*.c, built with clang.
FUZZ_SRC = $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
.PHONY: fuzz-bin
fuzz-bin: $(FUZZ_BIN)
$(B)/fuzz/%: $(B)/tests/fuzz/%.o $(LIBSIGNET)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(ALL_LDFLAGS) $(CORE_LIBS)
# the Dovecot plugin's header scanner is plain C: fuzzed on its own
$(B)/fuzz/fuzz-header: $(B)/dovecot-plugin/signet-header.o
EXTRA_CFLAGS_tests/fuzz/ = -I$(CURDIR)/dovecot-plugin

# Long fuzzing runs (make check runs short ones).
fuzz:
	$(MAKE) B=build/fuzz CC=clang FUZZ=1 fuzz-bin
	FUZZ_SECONDS=$${FUZZ_SECONDS:-300} sh tests/fuzz/suite.sh

bench: all
	$(B)/tests/bench-core
	sh tests/unit/bench-init.sh

$(B)/tests/bench-core: $(B)/tests/unit/bench-core.o $(LIBSIGNET)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(CORE_LIBS)
all: $(B)/tests/bench-core
-include tests/store/build.mk
