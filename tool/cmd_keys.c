/* signet keys: init, rotate, list, export-seal.  Secrets are never
   printed. */
#define _GNU_SOURCE
#include <getopt.h>
#include <grp.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

#define DAY 86400LL
#define SIGN_DAYS 90

static const char keys_usage[] =
	"usage: signet keys init [--keyring PATH] [--seal-keyring PATH] "
	"[--sign-days N]\n"
	"                        [--owner USER[:GROUP]] "
	"[--seal-owner USER[:GROUP]]\n"
	"       signet keys rotate [--purpose addr|seal|all] "
	"[--keyring PATH]\n"
	"                          [--seal-keyring PATH] [--sign-days N]\n"
	"                          [--start-in HOURS]\n"
	"       signet keys list [--keyring PATH]\n"
	"       signet keys export-seal [--keyring PATH] "
	"[--owner USER[:GROUP]] OUT\n"
	"\n"
	"init creates a keyring (never over an existing file) with one "
	"address key\n"
	"and one seal key, mode 0600, and a seal-only keyring for Dovecot "
	"hosts when\n"
	"--seal-keyring or the configuration's seal_keyring names another "
	"file.\n"
	"rotate adds a new key of each purpose, stops the older ones "
	"signing, and\n"
	"destroys keys past their verify window.  A key signs for "
	"--sign-days\n"
	"(default 90) and verifies for as long again as an address lives "
	"(lifetime\n"
	"and grace, plus a day).  list shows the keys and their dates, never "
	"the\n"
	"secrets.  export-seal writes only the seal keys to OUT.\n"
	"With --start-in the new keys sign only that many hours later (the "
	"older\n"
	"ones sign until then): time to copy the keyring to every host of a "
	"fleet\n"
	"before any of them meets the new key id.\n"
	"Paths default to the configuration's keyring and seal_keyring.  "
	"--owner and\n"
	"--seal-owner give the new files to the user that reads them (such "
	"as\n"
	"Debian-exim, or Dovecot's mail user); rotate keeps each file's "
	"owner.\n";

struct keys_opts {
	const char *keyring, *seal_keyring, *purpose, *owner, *seal_owner;
	long long sign_days;
	long long start_in;     /* seconds */
};

static const char *const purpose_name[] = {"addr", "seal"};

static int
parse_opts(int argc, char **argv, struct keys_opts *o)
{
	static const struct option longopts[] = {
		{"keyring", required_argument, NULL, 'k'},
		{"seal-keyring", required_argument, NULL, 's'},
		{"purpose", required_argument, NULL, 'p'},
		{"sign-days", required_argument, NULL, 'd'},
		{"start-in", required_argument, NULL, 'S'},
		{"owner", required_argument, NULL, 'o'},
		{"seal-owner", required_argument, NULL, 'O'},
		{NULL, 0, NULL, 0}};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->sign_days = SIGN_DAYS;
	o->purpose = "all";
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o->keyring = optarg;
			break;
		case 's':
			o->seal_keyring = optarg;
			break;
		case 'p':
			o->purpose = optarg;
			break;
		case 'o':
			o->owner = optarg;
			break;
		case 'O':
			o->seal_owner = optarg;
			break;
		case 'd':
			o->sign_days = strtoll(optarg, &end, 10);
			if (*end != '\0' || o->sign_days < 1 ||
			    o->sign_days > 3650)
				return tool_usage_error(
					"keys", keys_usage,
					"--sign-days: expected a number of "
					"days from 1 to 3650, got \"%s\"",
					optarg);
			break;
		case 'S':
			o->start_in = strtoll(optarg, &end, 10);
			if (*end != '\0' || end == optarg ||
			    o->start_in < 0 || o->start_in > 24 * 30)
				return tool_usage_error(
					"keys", keys_usage,
					"--start-in: expected a number of "
					"hours from 0 to 720, got \"%s\"",
					optarg);
			o->start_in *= 3600;
			break;
		case ':':
			return tool_usage_error("keys", keys_usage,
						"%s needs a value",
						argv[optind - 1]);
		default:
			return tool_usage_error("keys", keys_usage,
						"unknown option \"%s\"",
						argv[optind - 1]);
		}
	}
	return 0;
}

/* How long new keys sign and verify: an address issued at the end of the
   signing window must verify for its whole lifetime and grace. */
static void
windows(struct tool *t, const struct keys_opts *o, long long *sign_r,
	long long *verify_r)
{
	struct signet_lifetimes lt;
	long long life;

	signet_config_lifetimes(tool_config(t), &lt);
	life = lt.lifetime > lt.prvs_lifetime ? lt.lifetime : lt.prvs_lifetime;
	*sign_r = o->sign_days * DAY;
	/* a day more: prvs expiry has day granularity */
	*verify_r = *sign_r + life + lt.grace + DAY;
}

static signet_keyring *
load(struct tool *t, const char *path)
{
	char err[SIGNET_ERR_BUFSZ];

	if (path == NULL)
		return tool_keyring(t);
	if (signet_keyring_load(path, &t->kr, err, sizeof(err)) != SIGNET_OK) {
		fprintf(stderr, "signet: %s\n", tool_esc(err));
		exit(TOOL_USAGE);
	}
	return t->kr;
}

static int
save(const signet_keyring *kr, const char *path, int seal_only)
{
	char err[SIGNET_ERR_BUFSZ];

	if (signet_keyring_save(kr, path, seal_only, err, sizeof(err)) !=
	    SIGNET_OK) {
		fprintf(stderr, "signet keys: %s\n", tool_esc(err));
		return -1;
	}
	return 0;
}

/* Resolves USER[:GROUP] (names or numbers; the group defaults to the
   user's).  spec NULL: nobody to give the file to. */
static int
owner_of(const char *spec, uid_t *uid_r, gid_t *gid_r)
{
	char user[256], *colon, *end;
	const char *group = NULL;
	struct passwd *pw;
	struct group *gr;
	unsigned long n;

	*uid_r = (uid_t)-1;
	*gid_r = (gid_t)-1;
	if (spec == NULL)
		return 0;
	snprintf(user, sizeof(user), "%s", spec);
	colon = strchr(user, ':');
	if (colon != NULL) {
		*colon = '\0';
		group = colon + 1;
	}
	if ((pw = getpwnam(user)) != NULL) {
		*uid_r = pw->pw_uid;
		*gid_r = pw->pw_gid;
	} else if (n = strtoul(user, &end, 10),
		   user[0] != '\0' && *end == '\0') {
		*uid_r = (uid_t)n;
	} else {
		fprintf(stderr, "signet keys: --owner: no user \"%s\"\n",
			tool_esc(user));
		return -1;
	}
	if (group == NULL || group[0] == '\0')
		return 0;
	if ((gr = getgrnam(group)) != NULL) {
		*gid_r = gr->gr_gid;
	} else if (n = strtoul(group, &end, 10), *end == '\0') {
		*gid_r = (gid_t)n;
	} else {
		fprintf(stderr, "signet keys: --owner: no group \"%s\"\n",
			tool_esc(group));
		return -1;
	}
	return 0;
}

/* Saves, then gives the file to the user that reads it (the hosts read
   their keyring as their own users, and it is owner-only). */
static int
save_as(const signet_keyring *kr, const char *path, int seal_only,
	const char *spec)
{
	uid_t uid;
	gid_t gid;

	if (owner_of(spec, &uid, &gid) < 0 || save(kr, path, seal_only) < 0)
		return -1;
	if (spec != NULL && chown(path, uid, gid) < 0) {
		fprintf(stderr, "signet keys: %s: cannot give it to %s: %m\n",
			tool_esc(path), tool_esc(spec));
		return -1;
	}
	return 0;
}

static json_t *
key_json(const struct signet_key_info *k, const char *state)
{
	char c[32], s[32], v[32];

	signet_time_format(k->created, c);
	signet_time_format(k->signs_until, s);
	signet_time_format(k->verifies_until, v);
	return json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "purpose",
			 purpose_name[k->purpose], "id", k->id, "created", c,
			 "signs_until", s, "verifies_until", v, "state", state);
}

static const char *
key_state(const signet_keyring *kr, const struct signet_key_info *k, time_t now)
{
	int signer;

	if (k->verifies_until < now)
		return "dead";
	if (k->created > now)
		return "future";
	if (signet_keyring_signing_id(kr, k->purpose, now, &signer) ==
		    SIGNET_OK &&
	    signer == k->id)
		return "signing";
	return "verifying";
}

static json_t *
keys_json(const signet_keyring *kr, time_t now)
{
	json_t *list = json_array();
	struct signet_key_info k;

	for (size_t i = 0; signet_keyring_info(kr, i, &k) == SIGNET_OK; i++)
		json_array_append_new(list,
				      key_json(&k, key_state(kr, &k, now)));
	return list;
}

static void
print_keys(const signet_keyring *kr, time_t now)
{
	struct signet_key_info k;
	char c[32], s[32], v[32];

	printf("%-7s %-2s  %-20s  %-20s  %-20s  %s\n", "PURPOSE", "ID",
	       "CREATED", "SIGNS UNTIL", "VERIFIES UNTIL", "STATE");
	for (size_t i = 0; signet_keyring_info(kr, i, &k) == SIGNET_OK; i++) {
		signet_time_format(k.created, c);
		signet_time_format(k.signs_until, s);
		signet_time_format(k.verifies_until, v);
		printf("%-7s %-2d  %-20s  %-20s  %-20s  %s\n",
		       purpose_name[k.purpose], k.id, c, s, v,
		       key_state(kr, &k, now));
	}
}

static const char *
seal_path(struct tool *t, const struct keys_opts *o, const char *keyring)
{
	const char *p = o->seal_keyring;

	if (p == NULL && o->keyring == NULL)
		p = signet_config_seal_keyring_path(tool_config(t));
	return p != NULL && strcmp(p, keyring) != 0 ? p : NULL;
}

static int
keys_init(struct tool *t, const struct keys_opts *o)
{
	const char *path = o->keyring, *seal;
	long long sign, verify;
	signet_keyring *kr;
	struct stat st;
	int addr_id, seal_id;
	uid_t uid;
	gid_t gid;

	/* the keys may come before the configuration (docs/ADMIN.md) */
	if (path == NULL)
		path = signet_config_keyring_path(tool_config_or_defaults(t));
	else
		(void)tool_config_or_defaults(t);
	seal = seal_path(t, o, path);
	windows(t, o, &sign, &verify);
	/* a bad --owner must leave no file behind */
	if (owner_of(o->owner, &uid, &gid) < 0 ||
	    owner_of(o->seal_owner, &uid, &gid) < 0)
		return TOOL_USAGE;
	if (lstat(path, &st) == 0 || (seal != NULL && lstat(seal, &st) == 0)) {
		fprintf(stderr,
			"signet keys: %s exists; refusing to "
			"overwrite it (use 'signet keys rotate')\n",
			lstat(path, &st) == 0 ? path : seal);
		return TOOL_USAGE;
	}
	if (signet_keyring_new(&kr) != SIGNET_OK ||
	    signet_keyring_add(kr, SIGNET_KEY_ADDR, t->now, sign, verify,
			       &addr_id) != SIGNET_OK ||
	    signet_keyring_add(kr, SIGNET_KEY_SEAL, t->now, sign, verify,
			       &seal_id) != SIGNET_OK) {
		fprintf(stderr, "signet keys: cannot make keys\n");
		signet_keyring_free(&kr);
		return TOOL_USAGE;
	}
	t->kr = kr;
	if (save_as(kr, path, 0, o->owner) < 0 ||
	    (seal != NULL && save_as(kr, seal, 1, o->seal_owner) < 0))
		return TOOL_USAGE;
	if (t->json) {
		tool_json_out(json_pack("{s:s, s:s?, s:o}", "keyring", path,
					"seal_keyring", seal, "keys",
					keys_json(kr, t->now)));
		return TOOL_VALID;
	}
	printf("created %s (mode 0600): addr key %d and seal key %d\n", path,
	       addr_id, seal_id);
	if (seal != NULL)
		printf("created %s (mode 0600): seal key %d only, for Dovecot "
		       "hosts\n",
		       seal, seal_id);
	print_keys(kr, t->now);
	return TOOL_VALID;
}

/* On a single hub, Dovecot's seal keyring (its own copy, owned by the
   mail uid) is replaced too, so that mail sealed with the new key is
   checked at once; a fleet copies it with export-seal. */
static int
dovecot_seal(struct tool *t, const signet_keyring *kr, const char *path,
	     const char *seal)
{
	char *d = tool_dovecot_seal_keyring(
		tool_env_or("SIGNET_DOVECOT_CONFIG", TOOL_DOVECOT_CONFIG));
	struct stat st;
	int r = 0;

	if (d != NULL && strcmp(d, path) != 0 &&
	    (seal == NULL || strcmp(d, seal) != 0) && stat(d, &st) == 0) {
		r = save(kr, d, 1);
		if (r == 0 && !t->json)
			printf("updated %s (Dovecot's seal keyring): seal keys "
			       "only\n",
			       d);
	}
	free(d);
	return r;
}

static int
keys_rotate(struct tool *t, const struct keys_opts *o)
{
	const char *path = o->keyring, *seal;
	long long sign, verify;
	signet_keyring *kr;
	json_t *done = json_array();
	int from, to;

	if (strcmp(o->purpose, "addr") == 0)
		from = to = SIGNET_KEY_ADDR;
	else if (strcmp(o->purpose, "seal") == 0)
		from = to = SIGNET_KEY_SEAL;
	else if (strcmp(o->purpose, "all") == 0)
		from = SIGNET_KEY_ADDR, to = SIGNET_KEY_SEAL;
	else {
		json_decref(done);
		return tool_usage_error("keys", keys_usage,
					"--purpose: expected addr, seal or "
					"all, got \"%s\"",
					o->purpose);
	}
	/* the keys may come before the configuration (docs/ADMIN.md) */
	if (path == NULL)
		path = signet_config_keyring_path(tool_config_or_defaults(t));
	else
		(void)tool_config_or_defaults(t);
	seal = seal_path(t, o, path);
	windows(t, o, &sign, &verify);
	kr = load(t, o->keyring);
	for (int p = from; p <= to; p++) {
		int id, destroyed;

		if (signet_keyring_rotate(kr, (enum signet_key_purpose)p,
					  t->now, o->start_in, sign, verify,
					  &id,
					  &destroyed) != SIGNET_OK) {
			fprintf(stderr,
				"signet keys: cannot rotate the %s "
				"keys: all ten ids (0-9) are held by keys "
				"that still verify; nothing was changed\n",
				purpose_name[p]);
			json_decref(done);
			return TOOL_USAGE;
		}
		json_array_append_new(done,
				      json_pack("{s:s, s:i, s:i}", "purpose",
						purpose_name[p], "new_id", id,
						"destroyed", destroyed));
		if (!t->json) {
			char start[32];

			signet_time_format(t->now + (time_t)o->start_in, start);
			printf("%s: new key %d signs from %s; older keys %s; "
			       "%d key%s past %s verify window destroyed\n",
			       purpose_name[p], id,
			       o->start_in > 0 ? start : "now",
			       o->start_in > 0 ? "sign until then" :
						 "stop signing",
			       destroyed, destroyed == 1 ? "" : "s",
			       destroyed == 1 ? "its" : "their");
		}
	}
	if (save(kr, path, 0) < 0 || (seal != NULL && save(kr, seal, 1) < 0)) {
		json_decref(done);
		return TOOL_USAGE;
	}
	if (dovecot_seal(t, kr, path, seal) < 0) {
		json_decref(done);
		return TOOL_USAGE;
	}
	if (t->json) {
		tool_json_out(json_pack("{s:s, s:s?, s:o, s:o}", "keyring",
					path, "seal_keyring", seal, "rotated",
					done, "keys", keys_json(kr, t->now)));
		return TOOL_VALID;
	}
	json_decref(done);
	printf("saved %s%s%s\n", path, seal != NULL ? " and " : "",
	       seal != NULL ? seal : "");
	print_keys(kr, t->now);
	return TOOL_VALID;
}

int
cmd_keys(struct tool *t, int argc, char **argv)
{
	struct keys_opts o;
	const char *sub;
	signet_keyring *kr;

	if (tool_help(argc, argv, keys_usage))
		return TOOL_VALID;
	if (argc < 2)
		return tool_usage_error("keys", keys_usage,
					"expected init, rotate, list or "
					"export-seal");
	sub = argv[1];
	if (parse_opts(argc - 1, argv + 1, &o) != 0)
		return TOOL_USAGE;
	argc -= optind + 1;
	argv += optind + 1;
	if (strcmp(sub, "export-seal") == 0 ? argc != 1 : argc != 0)
		return tool_usage_error("keys", keys_usage,
					"unexpected arguments for \"%s\"", sub);
	if (strcmp(sub, "init") == 0)
		return keys_init(t, &o);
	if (strcmp(sub, "rotate") == 0)
		return keys_rotate(t, &o);
	if (strcmp(sub, "list") == 0) {
		kr = load(t, o.keyring);
		if (t->json)
			tool_json_out(json_pack("{s:o}", "keys",
						keys_json(kr, t->now)));
		else
			print_keys(kr, t->now);
		return TOOL_VALID;
	}
	if (strcmp(sub, "export-seal") == 0) {
		kr = load(t, o.keyring);
		if (save_as(kr, argv[0], 1, o.owner) < 0)
			return TOOL_USAGE;
		if (!t->json)
			printf("wrote the seal keys to %s (mode 0600), no "
			       "address keys\n",
			       argv[0]);
		else
			tool_json_out(
				json_pack("{s:s}", "seal_keyring", argv[0]));
		return TOOL_VALID;
	}
	return tool_usage_error("keys", keys_usage,
				"unknown subcommand \"%s\"; expected init, "
				"rotate, list or export-seal",
				sub);
}
