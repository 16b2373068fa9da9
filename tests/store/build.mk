# State store test helper and benchmark (tests/store).
STORE_TOOL = $(B)/tests/store-tool
BENCH_STORE = $(B)/tests/bench-store
all: $(STORE_TOOL)

$(STORE_TOOL) $(BENCH_STORE): $(B)/tests/%: $(B)/tests/store/%.o $(LIBSIGNET)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(CORE_LIBS)

.PHONY: bench-store
bench-store: $(BENCH_STORE) $(STORE_TOOL)
	sh tests/store/bench.sh
