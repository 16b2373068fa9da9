/* Finding the original Message-ID in a bounce's body, so the binding in a
   signed address can be compared with the message the bounce is about. */
#include <string.h>
#include <strings.h>
#include "module.h"

/* Start of the next line after p, or end. */
static const char *
next_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl == NULL ? end : nl + 1;
}

static int
line_starts(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && strncasecmp(p, word, n) == 0;
}

/* Where the returned message (or its headers) begins in a report: after
   the MIME headers of its part, found by its content type. */
static const char *
returned_part(const char *body, const char *end)
{
	const char *p;

	for (p = body; p < end; p = next_line(p, end)) {
		if (!line_starts(p, end, "Content-Type:"))
			continue;
		p += 13;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (line_starts(p, end, "message/rfc822") ||
		    line_starts(p, end, "text/rfc822-headers") ||
		    line_starts(p, end, "message/global"))
			break;
	}
	if (p >= end)
		return NULL;
	/* Skip the part's own headers up to the empty line. */
	for (p = next_line(p, end); p < end; p = next_line(p, end)) {
		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))
			return next_line(p, end);
	}
	return NULL;
}

/* Copies the header value starting at p, unfolded and trimmed. */
static int
copy_value(const char *p, const char *end, char *out, size_t outlen)
{
	size_t o = 0;

	for (; p < end; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			if (p + 1 < end && (p[1] == ' ' || p[1] == '\t'))
				continue;
			break;
		}
		if ((*p == ' ' || *p == '\t') && o == 0)
			continue;
		if (o + 1 >= outlen)
			return -1;
		out[o++] = *p == '\t' ? ' ' : *p;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return o > 0 ? 0 : -1;
}

int
sx_dsn_message_id(const char *body, size_t len, int is_report, char *out,
		  size_t outlen)
{
	const char *end = body + len, *p = NULL;

	if (is_report)
		p = returned_part(body, end);
	if (p == NULL)
		p = body;
	for (; p < end; p = next_line(p, end)) {
		if (line_starts(p, end, "Message-ID:"))
			return copy_value(p + 11, end, out, outlen);
	}
	return -1;
}
