/* Loading JSON files (the configuration and the keyring) with errors that
   name the file, line, column and field. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json-internal.h"

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
