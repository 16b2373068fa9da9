/* signet: the postmaster's command-line tool.  Thin: the core decides. */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

struct command {
	const char *name;
	int (*fn)(struct tool *t, int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"keys", cmd_keys, "create, rotate, list and export keys"},
	{"sign", cmd_sign, "sign an address"},
	{"verify", cmd_verify, "check a signed address and explain it"},
	{"config", cmd_config, "check the configuration and keyrings"},
	{"revoke", cmd_revoke, "end a signed address, or all of a base"},
	{"unrevoke", cmd_unrevoke, "undo a revocation"},
	{"show", cmd_show, "history of an address: uses, revocation"},
	{"stats", cmd_stats, "summarise the event feed and the store"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Until the store commands land, the tool still builds. */
#define NOT_BUILT(name)                                                        \
	__attribute__((weak)) int name(struct tool *t, int argc, char **argv)  \
	{                                                                      \
		(void)t;                                                       \
		(void)argc;                                                    \
		fprintf(stderr, "signet %s: not available in this build\n",    \
			argv[0]);                                              \
		return TOOL_USAGE;                                             \
	}
NOT_BUILT(cmd_revoke)
NOT_BUILT(cmd_unrevoke)
NOT_BUILT(cmd_show)
NOT_BUILT(cmd_stats)

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: signet [-c CONFIG] [--json] [--now TIME] COMMAND "
		"[ARGS]\n"
		"\n"
		"  -c, --config FILE  configuration (default: $SIGNET_CONFIG "
		"or\n"
		"                     /etc/signet/signet.json)\n"
		"  --json             print one JSON object\n"
		"  --now TIME         act as if it were TIME (RFC 3339 UTC or "
		"seconds)\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\n"
		   "'signet COMMAND --help' describes a command.  Exit status: "
		   "0 valid or\n"
		   "done, 1 invalid, 2 temporary (fading, cannot check now), 3 "
		   "usage or\n"
		   "configuration error.\n");
}

int
tool_help(int argc, char **argv, const char *text)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(text, stdout);
			return 1;
		}
	}
	return 0;
}

int
tool_usage_error(const char *cmd, const char *text, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	/* the message quotes the command line: escape all of it */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "signet %s: %s\n%s", cmd, tool_esc(msg), text);
	return TOOL_USAGE;
}

void
tool_json_out(struct json_t *obj)
{
	char *s = obj != NULL ? json_dumps(obj,
					   JSON_INDENT(2) | JSON_PRESERVE_ORDER)
			      : NULL;

	if (s == NULL) {
		fprintf(stderr, "signet: out of memory\n");
		exit(TOOL_USAGE);
	}
	printf("%s\n", s);
	free(s);
	json_decref(obj);
}

time_t
tool_parse_time(const char *s)
{
	char *end;
	long long v;
	time_t t;

	if (s == NULL || s[0] == '\0')
		return -1;
	t = signet_time_parse(s);
	if (t != (time_t)-1)
		return t;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 253402300799LL)
		return -1;
	return (time_t)v;
}

signet_config *
tool_config(struct tool *t)
{
	char err[SIGNET_ERR_BUFSZ];

	if (t->cfg != NULL)
		return t->cfg;
	if (signet_config_load(t->config_path, &t->cfg, err, sizeof(err)) !=
	    SIGNET_OK) {
		fprintf(stderr, "signet: %s\n", tool_esc(err));
		exit(TOOL_USAGE);
	}
	return t->cfg;
}

signet_config *
tool_config_or_defaults(struct tool *t)
{
	struct stat st;

	if (t->cfg == NULL && stat(t->config_path, &st) < 0 &&
	    errno == ENOENT) {
		if (signet_config_new(&t->cfg) != SIGNET_OK) {
			fprintf(stderr, "signet: out of memory\n");
			exit(TOOL_USAGE);
		}
		fprintf(stderr,
			"signet: %s does not exist yet: using the default "
			"lifetimes and key paths\n",
			t->config_path);
	}
	return tool_config(t);
}

const char *
tool_env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : dflt;
}

char *
tool_dovecot_seal_keyring(const char *conf)
{
	char cmd[1024], line[1024];
	FILE *p;
	size_t n;

	if (strcmp(conf, "none") == 0 || access(conf, R_OK) != 0 ||
	    strchr(conf, '\'') != NULL)
		return NULL;
	snprintf(cmd, sizeof(cmd),
		 "doveconf -c '%s' -h plugin/signet_seal_keyring 2>/dev/null",
		 conf);
	p = popen(cmd, "r");
	if (p == NULL)
		return NULL;
	if (fgets(line, sizeof(line), p) == NULL)
		line[0] = '\0';
	pclose(p);
	n = strcspn(line, "\n");
	line[n] = '\0';
	return n > 0 ? strdup(line) : NULL;
}

signet_keyring *
tool_keyring(struct tool *t)
{
	char err[SIGNET_ERR_BUFSZ];
	const char *path;

	if (t->kr != NULL)
		return t->kr;
	path = signet_config_keyring_path(tool_config(t));
	if (signet_keyring_load(path, &t->kr, err, sizeof(err)) != SIGNET_OK) {
		fprintf(stderr, "signet: %s\n", tool_esc(err));
		exit(TOOL_USAGE);
	}
	return t->kr;
}

/* Takes the global options out of argv wherever they are (before "--"),
   so that "signet verify ADDR --json" works too.  Returns the new argc,
   or -1 after printing an error. */
static int
global_options(struct tool *t, int argc, char **argv)
{
	int n = 1, i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;

		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "--json") == 0) {
			t->json = 1;
			continue;
		}
		if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0 ||
		    strcmp(a, "--now") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "signet: %s needs a value\n",
					tool_esc(a));
				return -1;
			}
			val = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			val = a + 9;
			a = "--config";
		} else if (strncmp(a, "--now=", 6) == 0) {
			val = a + 6;
			a = "--now";
		}
		if (val == NULL) {
			argv[n++] = argv[i];
			continue;
		}
		if (strcmp(a, "--now") != 0) {
			t->config_path = val;
			continue;
		}
		t->now = tool_parse_time(val);
		if (t->now == (time_t)-1) {
			fprintf(stderr,
				"signet: --now: expected an RFC 3339 "
				"UTC time such as 2026-11-22T07:30:00Z, or "
				"seconds since 1970, got \"%s\"\n",
				tool_esc(val));
			return -1;
		}
	}
	while (i < argc)
		argv[n++] = argv[i++];
	argv[n] = NULL;
	return n;
}

static const struct command *
find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct tool t = {0};
	const struct command *c;
	int rc;

	t.now = (time_t)-1;
	argc = global_options(&t, argc, argv);
	if (argc < 0)
		return TOOL_USAGE;
	if (t.now == (time_t)-1)
		t.now = time(NULL);
	if (t.config_path == NULL)
		t.config_path = signet_config_default_path();
	if (argc < 2) {
		usage(stderr);
		return TOOL_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		if (argc > 2 && (c = find_command(argv[2])) != NULL) {
			char *help_argv[] = {argv[2], (char *)"--help", NULL};

			return c->fn(&t, 2, help_argv);
		}
		if (argc > 2) {
			fprintf(stderr,
				"signet: unknown command \"%s\"; "
				"'signet help' lists them\n",
				tool_esc(argv[2]));
			return TOOL_USAGE;
		}
		usage(stdout);
		return TOOL_VALID;
	}
	c = find_command(argv[1]);
	if (c == NULL) {
		fprintf(stderr,
			"signet: unknown command \"%s\"; "
			"'signet help' lists them\n",
			tool_esc(argv[1]));
		return TOOL_USAGE;
	}
	rc = c->fn(&t, argc - 1, argv + 1);
	signet_keyring_free(&t.kr);
	signet_config_free(&t.cfg);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "signet: cannot write output\n");
		return TOOL_USAGE;
	}
	return rc;
}
