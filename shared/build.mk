# libsignet.a (the core) and the signet tool.
CORE_SRC = shared/status.c shared/util.c shared/crypto.c shared/addr.c \
	shared/decide.c \
	shared/fmt_prvs.c shared/fmt_closed.c shared/sign.c shared/prov.c \
	shared/record.c shared/config.c shared/keyring.c shared/event.c \
	shared/lookalike.c \
	shared/store.c shared/store_lmdb.c shared/store_redis.c
CORE_SRC := $(filter $(wildcard shared/*.c),$(CORE_SRC))
CORE_OBJ = $(CORE_SRC:%.c=$(B)/%.o)
LIBSIGNET = $(B)/shared/libsignet.a
TOOL_SRC = $(wildcard shared/tool/*.c)
TOOL = $(B)/shared/signet

all: $(LIBSIGNET) $(if $(TOOL_SRC),$(TOOL))

$(LIBSIGNET): $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(TOOL): $(TOOL_SRC:%.c=$(B)/%.o) $(LIBSIGNET)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(CORE_LIBS)

install: install-tool
install-tool: $(TOOL)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(TOOL) $(DESTDIR)$(PREFIX)/bin/signet
