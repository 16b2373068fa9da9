/* The configuration file (JSON): loading it, and the queries and sender
   policy the hosts ask of it.  What it may hold: config_schema.c. */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config-internal.h"

#define DEFAULT_CONFIG "/etc/signet/signet.json"

/* Copies the strings of a list (of checked strings) into one block. */
static signet_status
strs_build(const json_t *list, struct signet_strs *out)
{
	size_t i, n = json_array_size(list), bytes = 0;
	char *p;

	for (i = 0; i < n; i++)
		bytes += json_string_length(json_array_get(list, i)) + 1;
	out->n = 0;
	out->v = NULL;
	if (n == 0)
		return SIGNET_OK;
	out->v = malloc(n * sizeof(*out->v) + bytes);
	if (out->v == NULL)
		return SIGNET_E_NOMEM;
	p = (char *)(out->v + n);
	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(list, i);
		size_t len = json_string_length(e);

		memcpy(p, json_string_value(e), len + 1);
		out->v[i].s = p;
		out->v[i].len = len;
		p += len + 1;
	}
	out->n = n;
	return SIGNET_OK;
}

/* Points the path fields at the (resolved) strings in root, and copies
   out the lists each message asks about. */
static signet_status
config_finish(signet_config *cfg)
{
	signet_status st = SIGNET_OK;

	if (cfg->domains.v == NULL)
		st = strs_build(json_object_get(cfg->root, "domains"),
				&cfg->domains);
	if (st == SIGNET_OK)
		st = strs_build(json_object_get(cfg->root, "exempt"),
				&cfg->exempt);
	if (st != SIGNET_OK)
		return st;
	signet_config_fill(cfg);
	if (!cfg->formats_set)
		cfg->lt.formats = SIGNET_FORMAT_BIT(cfg->format);
	cfg->keyring = signet_config_get_string(cfg, "keyring",
						"/etc/signet/keyring.json");
	cfg->seal_keyring =
		signet_config_get_string(cfg, "seal_keyring", cfg->keyring);
	cfg->event_log = signet_config_get_string(
		cfg, "event_log", "/var/log/signet/events.jsonl");
	if (cfg->event_log[0] == '\0')
		cfg->event_log = NULL;
	return SIGNET_OK;
}

signet_status
signet_config_new(signet_config **cfg_r)
{
	signet_status st = signet_config_alloc(NULL, cfg_r);

	if (st == SIGNET_OK && (st = config_finish(*cfg_r)) != SIGNET_OK)
		signet_config_free(cfg_r);
	return st;
}

/* The absolute directory of the file name, so that relative paths in it
   still hold after a daemon changes directory. */
static char *
dir_of(const char *name)
{
	const char *slash = strrchr(name, '/');
	char *cwd, *dir = NULL;

	if (slash == name)
		return strdup("/");
	if (name[0] == '/')
		return strndup(name, (size_t)(slash - name));
	cwd = getcwd(NULL, 0);
	if (cwd == NULL)
		return NULL;
	if (slash == NULL)
		return cwd;
	if (asprintf(&dir, "%s/%.*s", cwd, (int)(slash - name), name) < 0)
		dir = NULL;
	free(cwd);
	return dir;
}

signet_status
signet_config_parse(const char *text, size_t len, const char *name,
		    signet_config **cfg_r, char *errbuf, size_t errlen)
{
	struct signet_jctx c = {name, text, len, errbuf, errlen};
	struct signet_jpath top = {NULL, NULL, 0};
	struct check k = {&c, NULL, NULL};
	signet_config *cfg;
	const char *key;
	json_t *root, *v;
	signet_status st;
	int has_exempt = 0;

	*cfg_r = NULL;
	root = signet_jload(&c);
	if (root == NULL)
		return SIGNET_E_CONFIG;
	/* before config_alloc adds the default exempt list */
	if (json_object_get(root, "exempt") != NULL)
		has_exempt = 1;
	st = signet_config_alloc(root, &cfg);
	if (st != SIGNET_OK)
		return st;
	cfg->path = strdup(name);
	k.cfg = cfg;
	k.dir = dir_of(name);
	if (cfg->path == NULL) {
		free((char *)k.dir);
		signet_config_free(&cfg);
		return SIGNET_E_NOMEM;
	}
	/* domains first: other checks need to know them */
	v = json_object_get(root, "domains");
	if (v == NULL) {
		signet_jerr(&c, &top,
			    "\"domains\" is missing; expected a "
			    "list of our mail domains, such as "
			    "\"domains\": [\"isp.example\"]");
		st = SIGNET_E_CONFIG;
	} else {
		struct signet_jpath p = {&top, "domains", 0};

		if (signet_config_check_domains(&k, &p, v) < 0)
			st = SIGNET_E_CONFIG;
		else /* the other checks ask about them */
			st = strs_build(v, &cfg->domains);
	}
	if (st == SIGNET_OK) {
		json_object_foreach(root, key, v)
		{
			struct signet_jpath p = {&top, key, 0};

			if (strcmp(key, "domains") == 0 ||
			    (strcmp(key, "exempt") == 0 && !has_exempt))
				continue;
			if (signet_config_check_member(&k, &p, key, v) < 0) {
				st = SIGNET_E_CONFIG;
				break;
			}
		}
	}
	free((char *)k.dir);
	if (st != SIGNET_OK) {
		signet_config_free(&cfg);
		return st;
	}
	st = config_finish(cfg);
	if (st != SIGNET_OK) {
		signet_config_free(&cfg);
		return st;
	}
	*cfg_r = cfg;
	return SIGNET_OK;
}

signet_status
signet_config_load(const char *path, signet_config **cfg_r, char *errbuf,
		   size_t errlen)
{
	signet_status st;
	char *text;
	size_t len;

	*cfg_r = NULL;
	if (path == NULL)
		path = signet_config_default_path();
	st = signet_jread_file(path, SIGNET_CONFIG_FILE_MAX, NULL, &text, &len,
			       errbuf, errlen);
	if (st == SIGNET_E_IO)
		st = SIGNET_E_CONFIG;
	if (st != SIGNET_OK)
		return st;
	st = signet_config_parse(text, len, path, cfg_r, errbuf, errlen);
	free(text);
	return st;
}

void
signet_config_free(signet_config **cfg)
{
	if (*cfg == NULL)
		return;
	json_decref((*cfg)->root);
	free((*cfg)->domains.v);
	free((*cfg)->exempt.v);
	free((*cfg)->path);
	free(*cfg);
	*cfg = NULL;
}

const char *
signet_config_default_path(void)
{
	const char *p = getenv("SIGNET_CONFIG");

	return p != NULL && p[0] != '\0' ? p : DEFAULT_CONFIG;
}

/* ---- queries ---- */

static json_t *
get_path(const signet_config *cfg, const char *key)
{
	json_t *v = cfg->root;

	while (v != NULL && key != NULL) {
		const char *dot = strchr(key, '.');
		size_t n = dot != NULL ? (size_t)(dot - key) : strlen(key);

		if (!json_is_object(v))
			return NULL;
		v = json_object_getn(v, key, n);
		key = dot != NULL ? dot + 1 : NULL;
	}
	return v;
}

const char *
signet_config_get_string(const signet_config *cfg, const char *key,
			 const char *def)
{
	json_t *v = get_path(cfg, key);

	return json_is_string(v) ? json_string_value(v) : def;
}

long long
signet_config_get_int(const signet_config *cfg, const char *key, long long def)
{
	json_t *v = get_path(cfg, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_boolean(v))
		return json_is_true(v);
	return def;
}

SIGNET_HOT int
signet_config_is_local_domain(const signet_config *cfg, const char *domain,
			      size_t len)
{
	const struct signet_str *d = cfg->domains.v;

	for (size_t i = 0; i < cfg->domains.n; i++) {
		if (d[i].len == len && strncasecmp(d[i].s, domain, len) == 0)
			return 1;
	}
	return 0;
}

SIGNET_HOT int
signet_config_is_exempt(const signet_config *cfg, const char *addr)
{
	for (size_t i = 0; i < cfg->exempt.n; i++) {
		if (fnmatch(cfg->exempt.v[i].s, addr, FNM_CASEFOLD) == 0)
			return 1;
	}
	return 0;
}

enum signet_format
signet_config_format(const signet_config *cfg)
{
	return cfg->format;
}

enum signet_null_policy
signet_config_null_policy(const signet_config *cfg)
{
	return cfg->null_policy;
}

SIGNET_HOT const char *
signet_config_keyring_path(const signet_config *cfg)
{
	return cfg->keyring;
}

SIGNET_HOT const char *
signet_config_seal_keyring_path(const signet_config *cfg)
{
	return cfg->seal_keyring;
}

const char *
signet_config_event_log_path(const signet_config *cfg)
{
	return cfg->event_log;
}

const char *
signet_config_path(const signet_config *cfg)
{
	return cfg->path;
}

void
signet_config_lifetimes(const signet_config *cfg, struct signet_lifetimes *lt_r)
{
	*lt_r = cfg->lt;
}

/* Is local (len octets) the user's own local part, or a sub-address of
   it ("alice+news" for "alice" with separator '+')? */
static int
own_local(const signet_config *cfg, const char *user, size_t ulen,
	  const char *local, size_t len)
{
	if (ulen == 0 || len < ulen || strncasecmp(user, local, ulen) != 0)
		return 0;
	return len == ulen || (cfg->sep != '\0' && local[ulen] == cfg->sep);
}

static int
listed(const signet_config *cfg, const char *submitter, size_t slen,
       const struct signet_addr *a)
{
	json_t *senders = json_object_get(cfg->root, "senders"), *list, *e;
	const char *key;
	size_t i;

	json_object_foreach(senders, key, list)
	{
		if (strlen(key) != slen || strncasecmp(key, submitter, slen))
			continue;
		json_array_foreach(list, i, e)
		{
			struct signet_addr la;

			if (signet_addr_parse(json_string_value(e), &la) !=
			    SIGNET_OK)
				continue;
			if (la.domain_len == a->domain_len &&
			    strncasecmp(la.domain, a->domain, a->domain_len) ==
				    0 &&
			    own_local(cfg, la.local, la.local_len, a->local,
				      a->local_len))
				return 1;
		}
	}
	return 0;
}

int
signet_config_may_send_as(const signet_config *cfg, const char *submitter,
			  const char *addr)
{
	struct signet_addr a;
	const char *at;
	size_t ulen;

	if (submitter == NULL || submitter[0] == '\0' || addr == NULL ||
	    signet_addr_parse(addr, &a) != SIGNET_OK || a.quoted ||
	    !signet_config_is_local_domain(cfg, a.domain, a.domain_len))
		return 0;
	if (listed(cfg, submitter, strlen(submitter), &a))
		return 1;
	at = strrchr(submitter, '@');
	ulen = strlen(submitter);
	if (at != NULL) {
		if (!signet_config_is_local_domain(cfg, at + 1, strlen(at + 1)))
			return 0;
		ulen = (size_t)(at - submitter);
		if (listed(cfg, submitter, ulen, &a))
			return 1;
		/* A login with a domain (virtual hosting) owns that domain's
		   address only: alice@a.example is not alice@b.example. */
		if (strlen(at + 1) != a.domain_len ||
		    strncasecmp(at + 1, a.domain, a.domain_len) != 0)
			return 0;
	}
	return own_local(cfg, submitter, ulen, a.local, a.local_len);
}
