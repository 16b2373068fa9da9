/* The event feed: one JSON object per line, appended with one write(2) so
   that lines from concurrent Exim processes never mix. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json-internal.h"

/* A JSON string of s; bytes that are not valid UTF-8 become '?' (an
   envelope address may hold raw 8-bit octets). */
static json_t *
string_value(const char *s)
{
	json_t *v = json_string(s);
	char *copy;

	if (v != NULL)
		return v;
	copy = strdup(s);
	if (copy == NULL)
		return NULL;
	for (char *p = copy; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	}
	v = json_string(copy);
	free(copy);
	return v;
}

static char *
event_line(time_t now, const char *kind, const char *const *kv)
{
	char ts[32], *line = NULL;
	json_t *obj;

	signet_time_format(now, ts);
	obj = json_pack("{s:s, s:s}", "ts", ts, "event", kind);
	if (obj == NULL)
		return NULL;
	/* a NULL key, or a NULL value, ends the list */
	for (size_t i = 0; kv != NULL && kv[i] != NULL && kv[i + 1] != NULL;
	     i += 2) {
		json_t *v;

		/* ts and event are ours: a caller's pair cannot replace them */
		if (strcmp(kv[i], "ts") == 0 || strcmp(kv[i], "event") == 0)
			continue;
		v = string_value(kv[i + 1]);
		if (v == NULL || json_object_set_new(obj, kv[i], v) < 0)
			goto out;
	}
	line = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
out:
	json_decref(obj);
	return line;
}

signet_status
signet_event_write(const char *path, time_t now, const char *kind,
		   const char *const *kv)
{
	char *line;
	size_t len;
	ssize_t r;
	int fd, err;

	if (path == NULL || path[0] == '\0')
		return SIGNET_OK;
	if (kind == NULL)
		return SIGNET_E_INTERNAL;
	/* NULL also for a kind or key that is not UTF-8: a caller's bug */
	line = event_line(now, kind, kv);
	if (line == NULL)
		return SIGNET_E_INTERNAL;
	len = strlen(line);
	line[len++] = '\n'; /* replaces the NUL; len is what we write */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
		  0640);
	if (fd < 0) {
		free(line);
		return SIGNET_E_IO;
	}
	do
		r = write(fd, line, len);
	while (r < 0 && errno == EINTR);
	err = r < 0 || (size_t)r != len;
	if (close(fd) < 0)
		err = 1;
	free(line);
	return err ? SIGNET_E_IO : SIGNET_OK;
}
