/* A bounce's binding: the original Message-ID found in its body, compared
   with the message a signed address was issued for. */
#include <string.h>
#include <strings.h>

#include "signet.h"

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

/* An empty line, LF or CRLF: the end of a header block. */
static int
blank_line(const char *p, const char *end)
{
	return p < end &&
	       (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'));
}

/* A header field's first line: a name of printable characters, then ':'. */
static int
field_line(const char *p, const char *end)
{
	const char *s = p;

	while (p < end && *p != ':' && *p > ' ' && *p < 127)
		p++;
	return p > s && p < end && *p == ':';
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
		if (blank_line(p, end))
			return next_line(p, end);
	}
	return NULL;
}

/* The end of the header block that starts at p: its first line that is
   neither a field nor a folded continuation (an empty line, or a MIME
   boundary when text/rfc822-headers has no empty line after it). */
static const char *
block_end(const char *p, const char *end)
{
	for (; p < end; p = next_line(p, end)) {
		if (!field_line(p, end) && *p != ' ' && *p != '\t')
			return p;
	}
	return end;
}

/* A plain-text bounce quotes the returned message after some prose: its
   headers are the first paragraph that starts with a field and holds a
   field every message has, not a "Reason:" line of the prose. */
static const char *
plain_headers(const char *p, const char *end)
{
	static const char *const known[] = {
		"From:", "Date:", "Received:", "Return-Path:", "Message-ID:"};
	const char *q, *stop;
	size_t i;

	while (p < end) {
		stop = field_line(p, end) ? block_end(p, end) : p;
		for (q = p; q < stop; q = next_line(q, end)) {
			for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
				if (line_starts(q, end, known[i]))
					return p;
		}
		/* On to the line after the paragraph's next empty line. */
		for (q = stop; q < end && !blank_line(q, end);)
			q = next_line(q, end);
		while (blank_line(q, end))
			q = next_line(q, end);
		p = q;
	}
	return NULL;
}

/* Copies the header value starting at p (up to the end of the field: a
   line end not followed by white space), unfolded. */
static signet_status
copy_value(const char *p, const char *end, char *out, size_t outlen)
{
	const char *q = p;
	size_t o = 0;

	while (q < end &&
	       !(*q == '\n' && (q + 1 >= end || (q[1] != ' ' && q[1] != '\t'))))
		q++;
	if (signet_header_unfold(p, (size_t)(q - p), out, outlen, &o) !=
	    SIGNET_OK)
		return SIGNET_E_BUFFER;
	return o > 0 ? SIGNET_OK : SIGNET_E_BAD_HEADER;
}

/* Only the returned header block is read: a Message-ID line in the
   returned body or in a later part is not the original's, and taking it
   would report a genuine bounce as a mismatch. */
signet_status
signet_dsn_message_id(const char *body, size_t len, int is_report, char *out,
		      size_t outlen)
{
	const char *end = body + len, *p = NULL, *stop;

	if (is_report)
		p = returned_part(body, end);
	if (p == NULL)
		p = plain_headers(body, end);
	if (p == NULL)
		return SIGNET_E_BAD_HEADER;
	stop = block_end(p, end);
	for (; p < stop; p = next_line(p, end)) {
		if (line_starts(p, end, "Message-ID:"))
			return copy_value(p + 11, end, out, outlen);
	}
	return SIGNET_E_BAD_HEADER;
}

enum signet_bind
signet_bind_check(const struct signet_verdict *v, const char *orig_msgid)
{
	if (!v->has_binding)
		return SIGNET_BIND_NONE;
	if (orig_msgid == NULL)
		return SIGNET_BIND_UNKNOWN;
	return signet_message_binding(orig_msgid) == v->binding
		       ? SIGNET_BIND_MATCH
		       : SIGNET_BIND_MISMATCH;
}
