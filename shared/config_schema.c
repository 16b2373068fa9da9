/* The configuration's schema: what each setting may hold, with an error
   that says what was expected, and each setting's default. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"

#define DAY 86400LL

static int
bad(const struct check *k, const struct signet_jpath *p, const json_t *v,
    const char *expected)
{
	char got[64];

	signet_jdescribe(v, got, sizeof(got));
	signet_jerr(k->c, p, "expected %s, got %s", expected, got);
	return -1;
}

static int
check_int(const struct check *k, const struct signet_jpath *p, json_t *v,
	  long long min, long long max, const char *expected)
{
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return bad(k, p, v, expected);
	return 0;
}

static int
check_choice(const struct check *k, const struct signet_jpath *p, json_t *v,
	     const char *const *choices, int *idx_r, const char *expected)
{
	for (int i = 0; json_is_string(v) && choices[i] != NULL; i++) {
		if (strcmp(json_string_value(v), choices[i]) == 0) {
			*idx_r = i;
			return 0;
		}
	}
	return bad(k, p, v, expected);
}

static const char *const format_names[] = {"signet", "prvs", NULL};

/* "verify_formats": a non-empty list of format names. */
static int
check_formats(const struct check *k, const struct signet_jpath *p, json_t *v,
	      unsigned int *formats_r)
{
	const char *expected = "a list of the formats to accept, from "
			       "\"signet\" and \"prvs\", such as [\"signet\"]";
	unsigned int bits = 0;
	size_t i;
	json_t *f;
	int idx;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return bad(k, p, v, expected);
	json_array_foreach(v, i, f)
	{
		struct signet_jpath e = {p, NULL, i};

		if (check_choice(k, &e, f, format_names, &idx, expected) != 0)
			return -1;
		bits |= SIGNET_FORMAT_BIT(idx == 1 ? SIGNET_FMT_PRVS
						   : SIGNET_FMT_SIGNET);
	}
	*formats_r = bits;
	k->cfg->formats_set = 1;
	return 0;
}

/* Domains are compared as written: lower case only. */
static int
domain_ok(const char *d)
{
	size_t len = strlen(d);

	for (size_t i = 0; i < len; i++) {
		if (d[i] >= 'A' && d[i] <= 'Z')
			return 0;
	}
	return signet_domain_ok(d, len);
}

int
signet_config_check_domains(const struct check *k, const struct signet_jpath *p,
			    json_t *v)
{
	size_t i;
	json_t *d;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return bad(k, p, v,
			   "a non-empty list of our mail domains, "
			   "such as [\"isp.example\"]");
	json_array_foreach(v, i, d)
	{
		struct signet_jpath e = {p, NULL, i};

		if (!json_is_string(d) || !domain_ok(json_string_value(d)))
			return bad(k, &e, d,
				   "a lower-case domain name "
				   "such as \"isp.example\"");
	}
	return 0;
}

static int
check_exempt(const struct check *k, const struct signet_jpath *p, json_t *v)
{
	size_t i;
	json_t *pat;

	if (!json_is_array(v))
		return bad(k, p, v,
			   "a list of address patterns such as "
			   "[\"postmaster@*\"]");
	json_array_foreach(v, i, pat)
	{
		struct signet_jpath e = {p, NULL, i};

		if (!json_is_string(pat) ||
		    strchr(json_string_value(pat), '@') == NULL)
			return bad(k, &e, pat,
				   "a glob pattern for a whole "
				   "address, such as \"postmaster@*\"");
	}
	return 0;
}

static int
is_ours(const signet_config *cfg, const char *domain, size_t len)
{
	return signet_config_is_local_domain(cfg, domain, len);
}

static int
check_senders(const struct check *k, const struct signet_jpath *p, json_t *v)
{
	const char *submitter;
	json_t *list;

	if (!json_is_object(v))
		return bad(k, p, v,
			   "an object mapping a submitter to a list "
			   "of addresses, such as {\"alice\": "
			   "[\"sales@isp.example\"]}");
	json_object_foreach(v, submitter, list)
	{
		struct signet_jpath s = {p, submitter, 0};
		size_t i;
		json_t *a;

		if (submitter[0] == '\0')
			return bad(k, &s, list, "a non-empty submitter name");
		if (!json_is_array(list))
			return bad(k, &s, list,
				   "a list of addresses at our "
				   "domains");
		json_array_foreach(list, i, a)
		{
			struct signet_jpath e = {&s, NULL, i};
			struct signet_addr pa;

			if (!json_is_string(a) ||
			    signet_addr_parse(json_string_value(a), &pa) !=
				    SIGNET_OK ||
			    pa.quoted ||
			    !is_ours(k->cfg, pa.domain, pa.domain_len))
				return bad(k, &e, a,
					   "an address at one of "
					   "our domains, such as "
					   "\"sales@isp.example\"");
		}
	}
	return 0;
}

/* Replaces a relative path by an absolute one in the file's directory,
   so that a configuration and its keyring can move together. */
static int
check_path(const struct check *k, const struct signet_jpath *p, json_t *v,
	   int may_be_empty)
{
	const char *s;
	char *full;

	if (!json_is_string(v) ||
	    (!may_be_empty && json_string_length(v) == 0) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return bad(k, p, v,
			   may_be_empty ? "a file name, or \"\" for none"
					: "a file name such as "
					  "\"/etc/signet/keyring.json\"");
	s = json_string_value(v);
	if (s[0] == '\0' || s[0] == '/' || k->dir == NULL)
		return 0;
	if (asprintf(&full, "%s/%s", k->dir, s) < 0)
		return bad(k, p, v, "a shorter file name (out of memory)");
	json_string_set(v, full);
	free(full);
	return 0;
}

static const char *const null_names[] = {"strict", "tag", "off", NULL};
static const char *const unauth_names[] = {"own", "unsigned", "reject", NULL};
static const char *const store_types[] = {"lmdb", "redis", "none", NULL};

static int
check_fade(const struct check *k, const struct signet_jpath *p, json_t *v)
{
	const char *key;
	json_t *f;

	if (!json_is_object(v))
		return bad(k, p, v,
			   "an object such as {\"max_uses\": 50, "
			   "\"max_base_uses\": 5000}");
	json_object_foreach(v, key, f)
	{
		struct signet_jpath s = {p, key, 0};

		if (strcmp(key, "forged_window_hours") == 0) {
			if (check_int(k, &s, f, 1, 720,
				      "a number of hours from 1 to 720") < 0)
				return -1;
			continue;
		}
		if (strcmp(key, "uses_per_recipient") == 0) {
			if (check_int(k, &s, f, 0, 100,
				      "a count from 0 to 100") < 0)
				return -1;
			continue;
		}
		if (strcmp(key, "max_uses") != 0 &&
		    strcmp(key, "max_base_uses") != 0 &&
		    strcmp(key, "max_forged") != 0) {
			signet_jerr(
				k->c, &s,
				"unknown setting; expected \"max_uses\", "
				"\"max_base_uses\", \"uses_per_recipient\", "
				"\"max_forged\" or \"forged_window_hours\"");
			return -1;
		}
		if (check_int(k, &s, f, 0, 1000000000LL,
			      "a count from 0 (no limit) to 1000000000") < 0)
			return -1;
	}
	return 0;
}

static int
check_store(const struct check *k, const struct signet_jpath *p, json_t *v)
{
	const char *key;
	json_t *f;
	int idx;

	if (!json_is_object(v))
		return bad(k, p, v,
			   "an object such as {\"type\": \"lmdb\", "
			   "\"path\": \"/var/lib/signet/state.mdb\"}");
	json_object_foreach(v, key, f)
	{
		struct signet_jpath s = {p, key, 0};
		int r;

		if (strcmp(key, "type") == 0)
			r = check_choice(k, &s, f, store_types, &idx,
					 "\"lmdb\", \"redis\" or \"none\"");
		else if (strcmp(key, "path") == 0)
			r = check_path(k, &s, f, 0);
		else if (strcmp(key, "map_size_mb") == 0)
			r = check_int(k, &s, f, 1, SIGNET_MAP_SIZE_MB_MAX,
				      "a size in MiB from 1 to 1048576");
		else if (strcmp(key, "host") == 0)
			r = json_is_string(f) && json_string_length(f) > 0
				    ? 0
				    : bad(k, &s, f, "a host name or address");
		else if (strcmp(key, "port") == 0)
			r = check_int(k, &s, f, 1, 65535,
				      "a TCP port from 1 to 65535");
		else if (strcmp(key, "timeout_ms") == 0)
			r = check_int(k, &s, f, 1, 60000,
				      "a timeout in "
				      "milliseconds from 1 to 60000");
		else if (strcmp(key, "prefix") == 0)
			r = json_is_string(f) ? 0
					      : bad(k, &s, f,
						    "a key prefix such as "
						    "\"signet:\"");
		else if (strcmp(key, "user") == 0)
			r = json_is_string(f) && json_string_length(f) > 0 &&
					    strlen(json_string_value(f)) ==
						    json_string_length(f)
				    ? 0
				    : bad(k, &s, f, "a Redis user name");
		else if (strcmp(key, "password_file") == 0)
			r = check_path(k, &s, f, 1);
		else {
			signet_jerr(k->c, &s,
				    "unknown setting; expected "
				    "one of type, path, map_size_mb, host, "
				    "port, timeout_ms, prefix, user, "
				    "password_file");
			r = -1;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

static int
check_separator(const struct check *k, const struct signet_jpath *p, json_t *v)
{
	const char *s = json_string_value(v);

	if (s == NULL || json_string_length(v) > 1 ||
	    (s[0] != '\0' && strchr("+-_", s[0]) == NULL))
		return bad(k, p, v,
			   "one of \"+\", \"-\", \"_\", or \"\" "
			   "for none");
	k->cfg->sep = s[0];
	return 0;
}

static int
check_days(const struct check *k, const struct signet_jpath *p, json_t *v,
	   long long min, long long max, long long *secs_r)
{
	char expected[80];

	snprintf(expected, sizeof(expected),
		 "a whole number of days from %lld to %lld", min, max);
	if (check_int(k, p, v, min, max, expected) < 0)
		return -1;
	*secs_r = json_integer_value(v) * DAY;
	return 0;
}

int
signet_config_check_member(const struct check *k, const struct signet_jpath *p,
			   const char *key, json_t *v)
{
	signet_config *cfg = k->cfg;
	struct signet_lifetimes *lt = &cfg->lt;
	int idx, r;

	if (strcmp(key, "domains") == 0)
		return signet_config_check_domains(k, p, v);
	if (strcmp(key, "format") == 0) {
		r = check_choice(k, p, v, format_names, &idx,
				 "\"signet\" or \"prvs\"");
		cfg->format = r == 0 && idx == 1 ? SIGNET_FMT_PRVS
						 : SIGNET_FMT_SIGNET;
		return r;
	}
	if (strcmp(key, "verify_formats") == 0)
		return check_formats(k, p, v, &lt->formats);
	if (strcmp(key, "lifetime_days") == 0)
		return check_days(k, p, v, 1, 3650, &lt->lifetime);
	if (strcmp(key, "grace_days") == 0)
		return check_days(k, p, v, 0, 365, &lt->grace);
	if (strcmp(key, "prvs_lifetime_days") == 0)
		/* the prvs tag holds the day number modulo 1000 */
		return check_days(k, p, v, 1, 365, &lt->prvs_lifetime);
	if (strcmp(key, "max_skew_seconds") == 0) {
		r = check_int(k, p, v, 0, 86400,
			      "a number of seconds from 0 to 86400");
		lt->max_skew = json_integer_value(v);
		return r;
	}
	if (strcmp(key, "null_sender_policy") == 0) {
		r = check_choice(k, p, v, null_names, &idx,
				 "\"strict\", \"tag\" or \"off\"");
		cfg->null_policy = r == 0 ? (enum signet_null_policy)idx
					  : SIGNET_NULL_STRICT;
		return r;
	}
	if (strcmp(key, "exempt") == 0)
		return check_exempt(k, p, v);
	if (strcmp(key, "sub_address_separator") == 0)
		return check_separator(k, p, v);
	if (strcmp(key, "keyring") == 0 || strcmp(key, "seal_keyring") == 0)
		return check_path(k, p, v, 0);
	if (strcmp(key, "event_log") == 0)
		return check_path(k, p, v, 1);
	if (strcmp(key, "senders") == 0)
		return check_senders(k, p, v);
	if (strcmp(key, "unauthorised_sender") == 0)
		return check_choice(k, p, v, unauth_names, &idx,
				    "\"own\", \"unsigned\" or \"reject\"");
	if (strcmp(key, "relay_hosts_sign") == 0)
		return json_is_boolean(v) ? 0 : bad(k, p, v, "true or false");
	if (strcmp(key, "fade") == 0)
		return check_fade(k, p, v);
	if (strcmp(key, "store") == 0)
		return check_store(k, p, v);
	signet_jerr(k->c, p,
		    "unknown setting; expected one of domains, "
		    "format, verify_formats, lifetime_days, grace_days, "
		    "prvs_lifetime_days, "
		    "max_skew_seconds, null_sender_policy, exempt, "
		    "sub_address_separator, keyring, seal_keyring, event_log, "
		    "senders, unauthorised_sender, relay_hosts_sign, fade, "
		    "store");
	return -1;
}

static const char *const default_exempt[] = {
	"postmaster@*", "mailer-daemon@*", "*-request@*", "*-owner@*",
	"owner-*@*",	"*-bounces@*",	   NULL};

static json_t *
exempt_defaults(void)
{
	json_t *ex = json_array();

	for (int i = 0; ex != NULL && default_exempt[i] != NULL; i++) {
		if (json_array_append_new(ex, json_string(default_exempt[i])) <
		    0) {
			json_decref(ex);
			return NULL;
		}
	}
	return ex;
}

/* A configuration with the defaults; root is taken over (NULL: empty). */
signet_status
signet_config_alloc(json_t *root, signet_config **cfg_r)
{
	signet_config *cfg;

	if (root == NULL)
		root = json_object();
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL || root == NULL ||
	    (json_object_get(root, "exempt") == NULL &&
	     json_object_set_new(root, "exempt", exempt_defaults()) < 0)) {
		json_decref(root);
		free(cfg);
		return SIGNET_E_NOMEM;
	}
	cfg->root = root;
	cfg->format = SIGNET_FMT_SIGNET;
	cfg->null_policy = SIGNET_NULL_TAG;
	signet_lifetimes_default(&cfg->lt);
	cfg->sep = '+';
	*cfg_r = cfg;
	return SIGNET_OK;
}

/* The index of a validated choice (0, the default, if absent). */
static int
choice(const char *v, const char *const *names)
{
	for (int i = 0; names[i] != NULL; i++) {
		if (strcmp(v, names[i]) == 0)
			return i;
	}
	return 0;
}

/* Each setting's default is here and nowhere else. */
void
signet_config_fill(signet_config *cfg)
{
	struct signet_settings *s = &cfg->set;

	s->unauthorised = (enum signet_unauthorised)choice(
		signet_config_get_string(cfg, "unauthorised_sender", "own"),
		unauth_names);
	s->relay_hosts_sign =
		signet_config_get_int(cfg, "relay_hosts_sign", 0) != 0;
	s->sub_address_separator =
		signet_config_get_string(cfg, "sub_address_separator", "+");
	s->fade.max_uses = signet_config_get_int(cfg, "fade.max_uses", 50);
	s->fade.max_base_uses =
		signet_config_get_int(cfg, "fade.max_base_uses", 5000);
	s->fade.uses_per_recipient =
		signet_config_get_int(cfg, "fade.uses_per_recipient", 3);
	s->fade.max_forged = signet_config_get_int(cfg, "fade.max_forged", 20);
	s->fade.forged_window_hours =
		signet_config_get_int(cfg, "fade.forged_window_hours", 24);
	s->store.type = signet_config_get_string(cfg, "store.type", "lmdb");
	s->store.path = signet_config_get_string(cfg, "store.path",
						 "/var/lib/signet/state.mdb");
	s->store.map_size_mb =
		signet_config_get_int(cfg, "store.map_size_mb", 1024);
	s->store.host =
		signet_config_get_string(cfg, "store.host", "127.0.0.1");
	s->store.port = signet_config_get_int(cfg, "store.port", 6379);
	s->store.user = signet_config_get_string(cfg, "store.user", NULL);
	s->store.password_file =
		signet_config_get_string(cfg, "store.password_file", NULL);
	s->store.prefix =
		signet_config_get_string(cfg, "store.prefix", "signet:");
	s->store.timeout_ms = signet_config_get_int(cfg, "store.timeout_ms", 5);
}

const struct signet_settings *
signet_config_settings(const signet_config *cfg)
{
	return &cfg->set;
}
