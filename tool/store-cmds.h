/* Helpers shared by the tool's store commands (cmd_store.c, cmd_stats.c). */
#ifndef SIGNET_STORE_CMDS_H
#define SIGNET_STORE_CMDS_H

#include <jansson.h>

#include "tool.h"

/* Called for each object of the event feed; non-zero stops. */
typedef int tool_event_cb(json_t *ev, void *ctx);

/* Reads the JSON-lines event feed tolerantly: lines that are not JSON
   objects are counted in *bad_r and skipped.  Returns 0, or -1 with errno
   set when the file cannot be read (a missing file is empty). */
int tool_events_read(const char *path, tool_event_cb *cb, void *ctx,
		     unsigned long *bad_r);
/* String member of an event, or NULL. */
const char *tool_event_str(json_t *ev, const char *key);

/* Opens the configured store; on failure prints why to stderr and
   returns NULL. */
signet_store *tool_store_open(struct tool *t, const char *cmd);

#endif
