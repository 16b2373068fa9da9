/* The event feed: one JSON object per line, appended with one write(2) so
   that lines from concurrent Exim processes never mix.  The line is written
   by hand, not through jansson: Exim writes one per decision, and building
   and dumping a json_t cost ten times as much. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0: no overlong
   forms, no surrogates, nothing above U+10FFFF (what jansson accepts). */
static size_t
utf8_seq(const unsigned char *s)
{
	unsigned int c = s[0], cp;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static int
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		if ((n = utf8_seq(p)) == 0)
			return 0;
		p += n;
	}
	return 1;
}

struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 2 > b->cap) {
		size_t cap = b->cap * 2 + n + 2;
		char *p = realloc(b->p, cap);

		if (p == NULL) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* A JSON string; when s is not valid UTF-8, every octet above 0x7f
   becomes '?' (an envelope address may hold raw 8-bit octets). */
static void
put_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int ascii = !utf8_valid(s);
	const char *run = s;

	put(b, "\"", 1);
	for (const char *p = s;; p++) {
		unsigned char c = (unsigned char)*p;
		char esc[7];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\' && !(ascii && c >= 0x80))
			continue;
		put(b, run, (size_t)(p - run));
		run = p + 1;
		if (c == '\0')
			break;
		esc[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			if (c >= 0x80) {
				esc[0] = '?';
				n = 1;
				break;
			}
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		put(b, esc, n);
	}
	put(b, "\"", 1);
}

static void
put_pair(struct buf *b, const char *key, const char *value)
{
	put(b, ",", 1);
	put_string(b, key);
	put(b, ":", 1);
	put_string(b, value);
}

/* The line with its newline, or NULL (out of memory, or a kind or key that
   is not UTF-8: a caller's bug). */
static char *
event_line(time_t now, const char *kind, const char *const *kv,
	   size_t *len_r)
{
	struct buf b = {NULL, 0, 0, 0};
	char ts[32];
	size_t n = 0;

	if (!utf8_valid(kind))
		return NULL;
	/* a NULL key, or a NULL value, ends the list */
	while (kv != NULL && kv[n] != NULL && kv[n + 1] != NULL)
		n += 2;
	signet_time_format(now, ts);
	put(&b, "{\"ts\":", 6);
	put_string(&b, ts);
	put_pair(&b, SIGNET_EK_EVENT, kind);
	for (size_t i = 0; i < n; i += 2) {
		const char *value = kv[i + 1];
		int seen = 0;

		if (!utf8_valid(kv[i])) {
			free(b.p);
			return NULL;
		}
		/* ts and event are ours: a caller's pair cannot replace them */
		if (strcmp(kv[i], SIGNET_EK_TS) == 0 || strcmp(kv[i], SIGNET_EK_EVENT) == 0)
			continue;
		/* a key given twice: one member, where it first appears,
		   with the last value */
		for (size_t j = 0; j < i && !seen; j += 2)
			seen = strcmp(kv[j], kv[i]) == 0;
		if (seen)
			continue;
		for (size_t j = i + 2; j < n; j += 2) {
			if (strcmp(kv[j], kv[i]) == 0)
				value = kv[j + 1];
		}
		put_pair(&b, kv[i], value);
	}
	put(&b, "}\n", 2);
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*len_r = b.len;
	return b.p;
}

struct signet_event_log {
	int fd;		/* -1 until the first write, or after a failed one */
	time_t checked; /* when the path was last compared with fd */
	char path[];
};

signet_status
signet_event_log_new(const char *path, signet_event_log **log_r)
{
	size_t n = strlen(path) + 1;
	signet_event_log *l = malloc(sizeof(*l) + n);

	*log_r = NULL;
	if (l == NULL)
		return SIGNET_E_NOMEM;
	l->fd = -1;
	l->checked = 0;
	memcpy(l->path, path, n);
	*log_r = l;
	return SIGNET_OK;
}

const char *
signet_event_log_path(const signet_event_log *log)
{
	return log != NULL ? log->path : NULL;
}

void
signet_event_log_free(signet_event_log **log)
{
	if (*log == NULL)
		return;
	if ((*log)->fd >= 0)
		close((*log)->fd);
	free(*log);
	*log = NULL;
}

/* The file stays open between events; once a second (by the caller's
   clock) it is checked against the path, so that a rotated feed is
   followed. */
static int
log_fd(signet_event_log *l, time_t now)
{
	struct stat a, b;

	if (l->fd >= 0 && now != l->checked) {
		l->checked = now;
		if (stat(l->path, &a) != 0 || fstat(l->fd, &b) != 0 ||
		    a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
			close(l->fd);
			l->fd = -1;
		}
	}
	if (l->fd < 0) {
		l->fd = open(l->path,
			     O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
				     O_NOCTTY,
			     0640);
		l->checked = now;
	}
	return l->fd;
}

signet_status
signet_event_log_write(signet_event_log *log, time_t now, const char *kind,
		       const char *const *kv)
{
	char *line;
	size_t len, done = 0;
	ssize_t r = 0;
	int fd, err = 0;

	if (log == NULL || log->path[0] == '\0')
		return SIGNET_OK;
	if (kind == NULL)
		return SIGNET_E_INTERNAL;
	line = event_line(now, kind, kv, &len);
	if (line == NULL)
		return SIGNET_E_INTERNAL;
	if ((fd = log_fd(log, now)) < 0) {
		err = errno;
		free(line);
		errno = err;
		return SIGNET_E_IO;
	}
	/* A short write is followed by another, which then says why (a full
	   disk: ENOSPC). */
	while (done < len && err == 0) {
		r = write(fd, line + done, len - done);
		if (r > 0)
			done += (size_t)r;
		else if (r == 0)
			err = EIO;
		else if (errno != EINTR)
			err = errno;
	}
	free(line);
	if (err != 0) {
		/* opened afresh next time */
		close(log->fd);
		log->fd = -1;
	}
	errno = err;
	return err != 0 ? SIGNET_E_IO : SIGNET_OK;
}

signet_status
signet_event_write(const char *path, time_t now, const char *kind,
		   const char *const *kv)
{
	signet_event_log *log;
	signet_status st;
	int err;

	if (path == NULL || path[0] == '\0')
		return SIGNET_OK;
	if ((st = signet_event_log_new(path, &log)) != SIGNET_OK)
		return st;
	st = signet_event_log_write(log, now, kind, kv);
	err = errno;
	signet_event_log_free(&log);
	errno = err;
	return st;
}

const char *
signet_event_rcpt_kind(signet_class cls)
{
	switch (cls) {
	case SIGNET_CLASS_ACCEPT:
		return SIGNET_EV_VERIFIED;
	case SIGNET_CLASS_DEFER:
		return SIGNET_EV_DEFERRED;
	case SIGNET_CLASS_REJECT:
		break;
	}
	return SIGNET_EV_REJECTED;
}
