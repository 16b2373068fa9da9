# The signet tool: the postmaster's command, over the core's public API
# (shared/signet.h) only.
TOOL_SRC = $(wildcard tool/*.c)
TOOL = $(B)/tool/signet

all: $(TOOL)

$(TOOL): $(TOOL_SRC:%.c=$(B)/%.o) $(LIBSIGNET)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(CORE_LIBS)

install: install-tool
install-tool: $(TOOL)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(TOOL) $(DESTDIR)$(PREFIX)/bin/signet
