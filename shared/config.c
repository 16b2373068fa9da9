/* The configuration file (JSON), and the JSON loading helpers that the
   keyring shares: every error names the file, line, column and field. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json-internal.h"

#define DEFAULT_CONFIG "/etc/signet/signet.json"
#define DAY 86400LL

struct signet_config {
	char *path;   /* NULL for signet_config_new() */
	json_t *root; /* validated; relative paths already resolved */
	enum signet_format format;
	int formats_set; /* verify_formats given; else the issued format */
	enum signet_null_policy null_policy;
	struct signet_lifetimes lt;
	const char *keyring, *seal_keyring, *event_log; /* into root */
	char sep; /* sub-address separator, or '\0' */
	struct signet_settings set;
};

/* ---- locating a field in the text ---- */

static size_t
skip_ws(const char *t, size_t len, size_t i)
{
	while (i < len &&
	       (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
		i++;
	return i;
}

/* t[i] is '"'; returns the index after the closing quote. */
static size_t
skip_string(const char *t, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (t[i] == '\\')
			i++;
		else if (t[i] == '"')
			return i + 1;
	}
	return len;
}

static size_t
skip_value(const char *t, size_t len, size_t i)
{
	int depth = 0;

	while (i < len) {
		char ch = t[i];

		if (ch == '"') {
			i = skip_string(t, len, i);
			if (depth == 0)
				return i;
			continue;
		}
		if (ch == '{' || ch == '[') {
			depth++;
		} else if (ch == '}' || ch == ']') {
			if (depth == 0)
				return i;
			if (--depth == 0)
				return i + 1;
		} else if (depth == 0 &&
			   (ch == ',' || ch == ' ' || ch == '\t' ||
			    ch == '\n' || ch == '\r')) {
			return i;
		}
		i++;
	}
	return len;
}

/* Finds the offset of the last component of p in already valid JSON. */
static int
locate(const char *t, size_t len, const struct signet_jpath *p, size_t *pos_r)
{
	const struct signet_jpath *chain[16];
	size_t n = 0, i;

	for (; p != NULL && p->up != NULL; p = p->up) {
		if (n == sizeof(chain) / sizeof(chain[0]))
			return -1;
		chain[n++] = p;
	}
	i = skip_ws(t, len, 0);
	*pos_r = i;
	while (n-- > 0) {
		const struct signet_jpath *c = chain[n];

		if (c->key != NULL) {
			size_t klen = strlen(c->key);
			int found = 0;

			if (i >= len || t[i] != '{')
				return -1;
			i = skip_ws(t, len, i + 1);
			while (!found && i < len && t[i] == '"') {
				size_t ks = i;

				i = skip_string(t, len, i);
				found = i - ks - 2 == klen &&
					memcmp(t + ks + 1, c->key, klen) == 0;
				i = skip_ws(t, len, i);
				if (i >= len || t[i] != ':')
					return -1;
				i = skip_ws(t, len, i + 1);
				if (found) {
					*pos_r = ks;
					break;
				}
				i = skip_ws(t, len, skip_value(t, len, i));
				if (i < len && t[i] == ',')
					i = skip_ws(t, len, i + 1);
			}
			if (!found)
				return -1;
		} else {
			if (i >= len || t[i] != '[')
				return -1;
			i = skip_ws(t, len, i + 1);
			for (size_t j = 0; j < c->idx; j++) {
				i = skip_ws(t, len, skip_value(t, len, i));
				if (i >= len || t[i] != ',')
					return -1;
				i = skip_ws(t, len, i + 1);
			}
			*pos_r = i;
		}
	}
	return 0;
}

static size_t
format_path(const struct signet_jpath *p, char *buf, size_t len)
{
	size_t n;

	if (p == NULL || p->up == NULL)
		return 0;
	n = format_path(p->up, buf, len);
	if (n >= len)
		return n;
	if (p->key != NULL)
		n += snprintf(buf + n, len - n, "%s%s", n > 0 ? "." : "",
			      p->key);
	else
		n += snprintf(buf + n, len - n, "[%zu]", p->idx);
	return n;
}

void
signet_jerr(const struct signet_jctx *c, const struct signet_jpath *p,
	    const char *fmt, ...)
{
	char field[128], msg[SIGNET_ERR_BUFSZ];
	size_t pos, line = 1, col = 1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	field[0] = '\0';
	format_path(p, field, sizeof(field));
	if (c->text != NULL && locate(c->text, c->len, p, &pos) == 0) {
		for (size_t i = 0; i < pos && i < c->len; i++) {
			if (c->text[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
	}
	if (field[0] != '\0')
		signet_err(c->errbuf, c->errlen, "%s:%zu:%zu: \"%s\": %s",
			   c->name, line, col, field, msg);
	else
		signet_err(c->errbuf, c->errlen, "%s:%zu:%zu: %s", c->name,
			   line, col, msg);
}

void
signet_jdescribe(const json_t *v, char *buf, size_t len)
{
	char *s;

	if (json_is_object(v)) {
		snprintf(buf, len, "an object");
		return;
	}
	if (json_is_array(v)) {
		snprintf(buf, len, "a list");
		return;
	}
	s = json_dumps(v, JSON_ENCODE_ANY);
	if (s == NULL) {
		snprintf(buf, len, "a value");
		return;
	}
	if (strlen(s) > 48)
		snprintf(buf, len, "%.44s...", s);
	else
		snprintf(buf, len, "%s", s);
	free(s);
}

json_t *
signet_jload(const struct signet_jctx *c)
{
	json_error_t e;
	json_t *root;
	struct signet_jpath top = {NULL, NULL, 0};
	char got[64];

	root = json_loadb(c->text, c->len, JSON_REJECT_DUPLICATES, &e);
	if (root == NULL) {
		signet_err(c->errbuf, c->errlen, "%s:%d:%d: invalid JSON: %s",
			   c->name, e.line, e.column, e.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		signet_jdescribe(root, got, sizeof(got));
		signet_jerr(c, &top,
			    "expected a JSON object { ... } at the "
			    "top level, got %s",
			    got);
		json_decref(root);
		return NULL;
	}
	return root;
}

signet_status
signet_jread_file(const char *path, size_t max, const char *secret,
		  char **text_r, size_t *len_r, char *errbuf, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	int fd;

	/* O_NONBLOCK: a FIFO must not hang us before fstat refuses it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		signet_err(errbuf, errlen, "%s: cannot open: %s", path,
			   strerror(errno));
		return SIGNET_E_IO;
	}
	if (fstat(fd, &st) < 0) {
		signet_err(errbuf, errlen, "%s: cannot stat: %s", path,
			   strerror(errno));
		close(fd);
		return SIGNET_E_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		signet_err(errbuf, errlen, "%s: not a regular file", path);
		close(fd);
		return secret != NULL ? SIGNET_E_KEYRING : SIGNET_E_CONFIG;
	}
	if (secret != NULL && (st.st_mode & 077) != 0) {
		signet_err(errbuf, errlen,
			   "%s: mode %04o lets group or others read %s; "
			   "expected 0600 or 0400 (owner only): chmod 600 %s",
			   path, (unsigned)(st.st_mode & 07777), secret, path);
		close(fd);
		return SIGNET_E_KEYRING;
	}
	if ((size_t)st.st_size > max) {
		signet_err(errbuf, errlen,
			   "%s: %lld bytes, more than the "
			   "%zu allowed",
			   path, (long long)st.st_size, max);
		close(fd);
		return secret != NULL ? SIGNET_E_KEYRING : SIGNET_E_CONFIG;
	}
	buf = malloc(max + 1);
	if (buf == NULL) {
		close(fd);
		return SIGNET_E_NOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			signet_err(errbuf, errlen, "%s: cannot read: %s", path,
				   strerror(errno));
			signet_wipe(buf, n);
			free(buf);
			close(fd);
			return SIGNET_E_IO;
		}
		if (r == 0 || (n += (size_t)r) > max)
			break;
	}
	close(fd);
	if (n > max) {
		signet_err(errbuf, errlen,
			   "%s: more than the %zu bytes "
			   "allowed",
			   path, max);
		signet_wipe(buf, n);
		free(buf);
		return secret != NULL ? SIGNET_E_KEYRING : SIGNET_E_CONFIG;
	}
	buf[n] = '\0';
	*text_r = buf;
	*len_r = n;
	return SIGNET_OK;
}

/* ---- checking the configuration ---- */

struct check {
	const struct signet_jctx *c;
	const char *dir; /* directory of the file, for relative paths */
	signet_config *cfg;
};

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

static int
check_domains(const struct check *k, const struct signet_jpath *p, json_t *v)
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
static const char *const unauth_names[] = {"own", "unsigned", "reject",
					   NULL};
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
			signet_jerr(k->c, &s,
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

static int
check_member(const struct check *k, const struct signet_jpath *p,
	     const char *key, json_t *v)
{
	signet_config *cfg = k->cfg;
	struct signet_lifetimes *lt = &cfg->lt;
	int idx, r;

	if (strcmp(key, "domains") == 0)
		return check_domains(k, p, v);
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
static signet_status
config_alloc(json_t *root, signet_config **cfg_r)
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
static void
fill_settings(signet_config *cfg)
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
	s->store.host = signet_config_get_string(cfg, "store.host",
						 "127.0.0.1");
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

/* Points the path fields at the (resolved) strings in root. */
static void
config_finish(signet_config *cfg)
{
	fill_settings(cfg);
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
}

signet_status
signet_config_new(signet_config **cfg_r)
{
	signet_status st = config_alloc(NULL, cfg_r);

	if (st == SIGNET_OK)
		config_finish(*cfg_r);
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
	st = config_alloc(root, &cfg);
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

		if (check_domains(&k, &p, v) < 0)
			st = SIGNET_E_CONFIG;
	}
	if (st == SIGNET_OK) {
		json_object_foreach(root, key, v)
		{
			struct signet_jpath p = {&top, key, 0};

			if (strcmp(key, "domains") == 0 ||
			    (strcmp(key, "exempt") == 0 && !has_exempt))
				continue;
			if (check_member(&k, &p, key, v) < 0) {
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
	config_finish(cfg);
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

int
signet_config_is_local_domain(const signet_config *cfg, const char *domain,
			      size_t len)
{
	json_t *domains = json_object_get(cfg->root, "domains"), *d;
	size_t i;

	json_array_foreach(domains, i, d)
	{
		if (json_string_length(d) == len &&
		    strncasecmp(json_string_value(d), domain, len) == 0)
			return 1;
	}
	return 0;
}

int
signet_config_is_exempt(const signet_config *cfg, const char *addr)
{
	json_t *pats = json_object_get(cfg->root, "exempt"), *p;
	size_t i;

	json_array_foreach(pats, i, p)
	{
		if (fnmatch(json_string_value(p), addr, FNM_CASEFOLD) == 0)
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

const char *
signet_config_keyring_path(const signet_config *cfg)
{
	return cfg->keyring;
}

const char *
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
	    !is_ours(cfg, a.domain, a.domain_len))
		return 0;
	if (listed(cfg, submitter, strlen(submitter), &a))
		return 1;
	at = strrchr(submitter, '@');
	ulen = strlen(submitter);
	if (at != NULL) {
		if (!is_ours(cfg, at + 1, strlen(at + 1)))
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
