/* signet config check: loads the configuration and the keyrings the way
   the hosts will, and says what is wrong. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tool.h"

#define DAY 86400
/* Warn when the signing key stops signing this soon. */
#define ROTATE_WARN_DAYS 14

static const char config_usage[] =
	"usage: signet config check [--seal-only] [--exim-user USER]\n"
	"                           [--mail-user USER] [--dovecot-config FILE]\n"
	"\n"
	"Loads the configuration, the keyring and the seal-only keyring (if "
	"it is\n"
	"another file) as Exim and Dovecot would, and reports problems: "
	"syntax and\n"
	"values (with file, line and field), file modes, keys missing or "
	"about to\n"
	"stop signing, address keys in a seal-only keyring.  Exit 0 when "
	"there is no\n"
	"problem (warnings allowed), 3 otherwise.  --seal-only, for Dovecot "
	"hosts:\n"
	"check only the seal keyring, which must hold no address keys.\n"
	"\n"
	"Run as root, it also opens each key file as the user that reads it:\n"
	"the keyring as --exim-user (default $SIGNET_EXIM_USER or "
	"Debian-exim), and\n"
	"the seal keyring that Dovecot's plugin reads "
	"(plugin/signet_seal_keyring\n"
	"in --dovecot-config, default $SIGNET_DOVECOT_CONFIG or\n"
	"/etc/dovecot/dovecot.conf, through doveconf) as --mail-user "
	"(default\n"
	"$SIGNET_MAIL_USER or vmail).  \"none\" skips that check.\n";

struct readers {
	const char *exim, *mail, *dovecot;
};

struct report {
	json_t *ok, *warnings, *problems;
	int json;
};

static void say(struct report *r, json_t *list, const char *label,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
say(struct report *r, json_t *list, const char *label, const char *fmt, ...)
{
	char buf[SIGNET_ERR_BUFSZ + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(list, json_string(buf));
	if (!r->json)
		printf("%s: %s\n", label, tool_esc(buf));
}

static void
check_signer(struct report *r, const signet_keyring *kr,
	     enum signet_key_purpose p, time_t now, const char *path)
{
	static const char *const what[] = {
		"outgoing mail would go unsigned",
		"Exim could not seal provenance headers"};
	static const char *const names[] = {"address", "seal"};
	struct signet_key_info k;
	char when[32];
	int id;

	if (signet_keyring_signing_id(kr, p, now, &id) != SIGNET_OK) {
		say(r, r->problems, "problem",
		    "%s: no %s key signs now: %s; run 'signet keys rotate'",
		    path, names[p], what[p]);
		return;
	}
	for (size_t i = 0; signet_keyring_info(kr, i, &k) == SIGNET_OK; i++) {
		if (k.purpose != p || k.id != id)
			continue;
		signet_time_format(k.signs_until, when);
		if (k.signs_until - now < ROTATE_WARN_DAYS * DAY)
			say(r, r->warnings, "warning",
			    "%s: %s key %d stops signing at %s; run "
			    "'signet keys rotate' before then",
			    path, names[p], id, when);
		else
			say(r, r->ok, "ok", "%s: %s key %d signs until %s",
			    path, names[p], id, when);
	}
}

static signet_keyring *
check_keyring(struct report *r, const char *path, int seal_only, time_t now)
{
	char err[SIGNET_ERR_BUFSZ];
	signet_keyring *kr = NULL;
	struct signet_key_info k;
	size_t n[2] = {0, 0};

	if (signet_keyring_load(path, &kr, err, sizeof(err)) != SIGNET_OK) {
		say(r, r->problems, "problem", "%s", err);
		return NULL;
	}
	for (size_t i = 0; signet_keyring_info(kr, i, &k) == SIGNET_OK; i++)
		n[k.purpose]++;
	say(r, r->ok, "ok",
	    "%s: %zu address and %zu seal keys, owner-only "
	    "mode",
	    path, n[SIGNET_KEY_ADDR], n[SIGNET_KEY_SEAL]);
	if (seal_only && n[SIGNET_KEY_ADDR] > 0)
		say(r, r->problems, "problem",
		    "%s: a seal-only keyring holds address keys; Dovecot hosts "
		    "must hold only seal keys (make it with 'signet keys "
		    "export-seal')",
		    path);
	if (!seal_only)
		check_signer(r, kr, SIGNET_KEY_ADDR, now, path);
	check_signer(r, kr, SIGNET_KEY_SEAL, now, path);
	return kr;
}

static void
check_event_log(struct report *r, const char *path)
{
	char *dir, *slash;

	if (path == NULL) {
		say(r, r->ok, "ok", "no event feed (event_log is \"\")");
		return;
	}
	dir = strdup(path);
	slash = dir != NULL ? strrchr(dir, '/') : NULL;
	if (slash != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (dir != NULL && access(slash != NULL ? dir : ".", W_OK) != 0)
		say(r, r->warnings, "warning",
		    "event_log %s: its directory is missing or not writable "
		    "by this user; the hosts write it as their own users",
		    path);
	else
		say(r, r->ok, "ok", "event_log %s", path);
	free(dir);
}

/* Can USER open PATH for reading?  Tried in a child that takes the user's
   ids, as Exim and Dovecot do.  0 yes, else the errno (or -1). */
static int
open_as(const struct passwd *pw, const char *path)
{
	pid_t pid = fork();
	int status, fd;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
		    setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
			_exit(255);
		fd = open(path, O_RDONLY);
		_exit(fd < 0 ? (errno & 0x7f) : 0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

static void
check_reader(struct report *r, const char *path, const char *user,
	     const char *who)
{
	const struct passwd *pw;
	struct stat st;
	int e;

	if (strcmp(user, "none") == 0 || geteuid() != 0)
		return;
	pw = getpwnam(user);
	if (pw == NULL) {
		say(r, r->warnings, "warning",
		    "%s: not checked as %s: there is no user '%s' (give "
		    "the user that runs %s)",
		    path, who, user, who);
		return;
	}
	e = open_as(pw, path);
	if (e == 0) {
		say(r, r->ok, "ok", "%s: readable by %s (%s)", path, user, who);
		return;
	}
	if (stat(path, &st) == 0 && st.st_uid != pw->pw_uid)
		say(r, r->problems, "problem",
		    "%s: %s (%s) cannot read it: it belongs to uid %u; "
		    "expected owner %s, mode 0600: chown %s %s",
		    path, user, who, (unsigned)st.st_uid, user, user, path);
	else
		say(r, r->problems, "problem",
		    "%s: %s (%s) cannot read it: %s; check the directories "
		    "above it",
		    path, user, who, e > 0 ? strerror(e) : "cannot tell why");
}

static int
config_options(int argc, char **argv, int *seal_only_r, struct readers *u)
{
	for (int i = 2; i < argc; i++) {
		const char **val = NULL;

		if (strcmp(argv[i], "--seal-only") == 0) {
			*seal_only_r = 1;
			continue;
		}
		if (strcmp(argv[i], "--exim-user") == 0)
			val = &u->exim;
		else if (strcmp(argv[i], "--mail-user") == 0)
			val = &u->mail;
		else if (strcmp(argv[i], "--dovecot-config") == 0)
			val = &u->dovecot;
		if (val == NULL)
			return tool_usage_error("config", config_usage,
						"unknown option \"%s\"",
						argv[i]);
		if (++i == argc)
			return tool_usage_error("config", config_usage,
						"%s needs a value",
						argv[i - 1]);
		*val = argv[i];
	}
	return 0;
}

int
cmd_config(struct tool *t, int argc, char **argv)
{
	struct report r = {json_array(), json_array(), json_array(), t->json};
	signet_keyring *kr = NULL, *seal = NULL, *dseal = NULL;
	struct readers u = {
		tool_env_or("SIGNET_EXIM_USER", "Debian-exim"),
		tool_env_or("SIGNET_MAIL_USER", "vmail"),
		tool_env_or("SIGNET_DOVECOT_CONFIG", TOOL_DOVECOT_CONFIG)};
	int seal_only = 0;
	const char *kpath, *spath;
	char *dpath;
	signet_config *cfg;
	struct stat st;
	size_t problems;

	if (tool_help(argc, argv, config_usage))
		return TOOL_VALID;
	if (argc < 2 || strcmp(argv[1], "check") != 0)
		return tool_usage_error("config", config_usage,
					"expected \"check\"");
	if (config_options(argc, argv, &seal_only, &u) != 0)
		return TOOL_USAGE;
	dpath = tool_dovecot_seal_keyring(u.dovecot);
	cfg = tool_config(t);
	say(&r, r.ok, "ok", "%s: configuration is valid",
	    signet_config_path(cfg));
	if (stat(signet_config_path(cfg), &st) == 0 && (st.st_mode & 022) != 0)
		say(&r, r.problems, "problem",
		    "%s: mode %04o lets others change the policy; expected "
		    "0644 or stricter: chmod go-w %s",
		    signet_config_path(cfg), (unsigned)(st.st_mode & 07777),
		    signet_config_path(cfg));
	kpath = signet_config_keyring_path(cfg);
	spath = signet_config_seal_keyring_path(cfg);
	if (!seal_only) {
		kr = check_keyring(&r, kpath, 0, t->now);
		check_reader(&r, kpath, u.exim, "Exim");
		if (strcmp(spath, kpath) != 0) {
			seal = check_keyring(&r, spath, 1, t->now);
			check_reader(&r, spath, u.exim, "Exim");
		}
	}
	/* Dovecot's plugin names its seal keyring in Dovecot's settings; on
	   a Dovecot host signet.json's own seal_keyring is the fallback. */
	if (dpath == NULL && seal_only)
		dpath = strdup(spath);
	if (dpath != NULL) {
		dseal = check_keyring(&r, dpath, 1, t->now);
		check_reader(&r, dpath, u.mail, "Dovecot's mail user");
	}
	check_event_log(&r, signet_config_event_log_path(cfg));
	say(&r, r.ok, "ok", "state store: %s",
	    signet_config_settings(cfg)->store.type);
	signet_keyring_free(&kr);
	signet_keyring_free(&seal);
	signet_keyring_free(&dseal);
	free(dpath);
	problems = json_array_size(r.problems);
	if (t->json)
		tool_json_out(json_pack("{s:s, s:b, s:o, s:o, s:o}", "config",
					signet_config_path(cfg), "ok",
					problems == 0, "problems", r.problems,
					"warnings", r.warnings, "checked",
					r.ok));
	else {
		printf("%zu problem%s, %zu warning%s\n", problems,
		       problems == 1 ? "" : "s", json_array_size(r.warnings),
		       json_array_size(r.warnings) == 1 ? "" : "s");
		json_decref(r.ok);
		json_decref(r.warnings);
		json_decref(r.problems);
	}
	return problems == 0 ? TOOL_VALID : TOOL_USAGE;
}
