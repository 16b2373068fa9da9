/* Shared state and command entry points of the signet tool. */
#ifndef SIGNET_TOOL_H
#define SIGNET_TOOL_H

#include <stdio.h>
#include "signet.h"

/* Exit statuses, the same for every command. */
enum tool_exit {
	TOOL_VALID = 0,      /* done / valid */
	TOOL_INVALID = 1,    /* invalid, permanently */
	TOOL_TEMPORARY = 2,  /* fading, or cannot check now */
	TOOL_USAGE = 3       /* usage or configuration error */
};

struct tool {
	const char *config_path;  /* -c, $SIGNET_CONFIG or the default */
	int json;                 /* --json */
	time_t now;               /* --now, or the clock */
	signet_config *cfg;       /* loaded by tool_config() */
	signet_keyring *kr;       /* loaded by tool_keyring() */
};

/* Load on first use; on failure print the error to stderr and exit 3. */
signet_config *tool_config(struct tool *t);
signet_keyring *tool_keyring(struct tool *t);
/* Parses --now values: RFC 3339 UTC or seconds since 1970; -1 if bad. */
time_t tool_parse_time(const char *s);

/* Commands: argv[0] is the command name; return an enum tool_exit. */
int cmd_keys(struct tool *t, int argc, char **argv);
int cmd_sign(struct tool *t, int argc, char **argv);
int cmd_verify(struct tool *t, int argc, char **argv);
int cmd_config(struct tool *t, int argc, char **argv);
int cmd_revoke(struct tool *t, int argc, char **argv);
int cmd_unrevoke(struct tool *t, int argc, char **argv);
int cmd_show(struct tool *t, int argc, char **argv);
int cmd_stats(struct tool *t, int argc, char **argv);

#endif
