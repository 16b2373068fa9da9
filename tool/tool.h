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
/* tool_config(), or the defaults when the file does not exist yet (keys
   are made before the configuration is written). */
signet_config *tool_config_or_defaults(struct tool *t);
/* $NAME, or dflt when it is unset or empty. */
const char *tool_env_or(const char *name, const char *dflt);
/* The seal keyring Dovecot's plugin reads, from Dovecot's settings in
   CONF (through doveconf; "none" for none), malloc()ed; NULL if unset. */
char *tool_dovecot_seal_keyring(const char *conf);
#define TOOL_DOVECOT_CONFIG "/etc/dovecot/dovecot.conf"
/* Parses --now values: RFC 3339 UTC or seconds since 1970; -1 if bad. */
time_t tool_parse_time(const char *s);

/* ---- added by the tool's engineer ---- */
struct json_t;
/* If argv holds --help or -h (before "--"), prints text to stdout and
   returns 1. */
int tool_help(int argc, char **argv, const char *text);
/* Prints "signet CMD: message" and the usage text to stderr; returns
   TOOL_USAGE. */
int tool_usage_error(const char *cmd, const char *text, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints a JSON value (indented, one trailing newline) and frees it. */
void tool_json_out(struct json_t *obj);
/* Untrusted text made safe to print: control characters, backslash,
   invalid UTF-8 and the code points that reorder or hide text become
   \n, \\, \x1b, \u202e...  The result lives in one of four rotating
   static buffers (so up to four may appear in one printf) and is cut
   with "..." past about 2000 octets. */
const char *tool_esc(const char *s);
/* 0 if s is valid UTF-8, else the position (from 1) of the first bad
   octet. */
size_t tool_utf8_invalid(const char *s);
/* For --json: 0 if s (named what, may be NULL) is valid UTF-8; otherwise
   says on stderr which octet is wrong and returns TOOL_USAGE. */
int tool_json_text(const char *cmd, const char *what, const char *s);

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
