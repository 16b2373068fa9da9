# libsignet.a, the core.
CORE_SRC = shared/status.c shared/util.c shared/crypto.c shared/addr.c \
	shared/ctx.c shared/decide.c shared/dsn.c shared/evaluate.c \
	shared/fmt_prvs.c shared/fmt_closed.c shared/sign.c shared/prov.c \
	shared/record.c shared/json.c shared/config.c shared/config_schema.c shared/keyring.c shared/event.c \
	shared/lookalike.c shared/submit.c \
	shared/store.c shared/store_lmdb.c shared/store_lmdb_admin.c shared/store_redis.c shared/store_redis_admin.c
CORE_SRC := $(filter $(wildcard shared/*.c),$(CORE_SRC))
CORE_OBJ = $(CORE_SRC:%.c=$(B)/%.o)
LIBSIGNET = $(B)/shared/libsignet.a

all: $(LIBSIGNET)

$(LIBSIGNET): $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^
