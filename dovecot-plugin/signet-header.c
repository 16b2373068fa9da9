#include <string.h>

#include "signet-header.h"

#define IS_WSP(c) ((c) == ' ' || (c) == '\t')

/* Offset after the LF that ends the line at i, or size. */
static size_t
line_after(const unsigned char *p, size_t size, size_t i)
{
	const unsigned char *nl = i < size ? memchr(p + i, '\n', size - i) :
					     NULL;

	return nl == NULL ? size : (size_t)(nl - p) + 1;
}

size_t
sh_header_size(const unsigned char *p, size_t size, size_t *line)
{
	size_t i = *line;

	for (;;) {
		if (i < size && p[i] == '\n')
			return i + 1;
		if (i + 1 < size && p[i] == '\r' && p[i + 1] == '\n')
			return i + 2;
		/* a lone CR at the end may yet be a blank line's */
		if (i >= size || (i + 1 == size && p[i] == '\r') ||
		    memchr(p + i, '\n', size - i) == NULL) {
			*line = i;
			return 0;
		}
		i = line_after(p, size, i);
	}
}

bool
sh_next_field(const unsigned char *p, size_t size, size_t *pos,
	      struct sh_field *f_r)
{
	size_t i = *pos, end, colon;
	const unsigned char *c;

	if (i >= size || p[i] == '\n' ||
	    (p[i] == '\r' && i + 1 < size && p[i + 1] == '\n'))
		return false;
	f_r->start = i;
	f_r->line_next = line_after(p, size, i);
	end = f_r->line_next;
	if (end > i && p[end - 1] == '\n')
		end--;
	if (end > i && p[end - 1] == '\r')
		end--;
	f_r->line_end = end;

	c = memchr(p + i, ':', end - i);
	if (c == NULL) {
		f_r->name_len = 0;
		f_r->colon_next = false;
		f_r->value = i;
	} else {
		colon = (size_t)(c - p);
		f_r->value = colon + 1;
		if (f_r->value < end && IS_WSP(p[f_r->value]))
			f_r->value++;
		while (colon > i && IS_WSP(p[colon - 1]))
			colon--;
		f_r->colon_next = colon == (size_t)(c - p);
		f_r->name_len = colon - i;
	}

	end = f_r->line_next;
	while (end < size && IS_WSP(p[end]))
		end = line_after(p, size, end);
	f_r->end = end;
	*pos = end;
	return true;
}

/* Is the line at i one white space character, then a line end or the
   end of the header? */
static bool
lone_wsp_line(const unsigned char *p, size_t end, size_t i)
{
	return i < end && IS_WSP(p[i]) &&
	       (i + 1 == end || p[i + 1] == '\n' ||
		(p[i + 1] == '\r' && i + 2 < end && p[i + 2] == '\n'));
}

size_t
sh_field_value(const unsigned char *p, const struct sh_field *f, char *out)
{
	size_t i = f->value, n = 0, end = f->end, eol, len;
	const unsigned char *nl;

	if (end > i && p[end - 1] == '\n') {
		end--;
		if (end > i && p[end - 1] == '\r')
			end--;
	}
	while (i < end) {
		nl = memchr(p + i, '\n', end - i);
		eol = nl == NULL ? end : (size_t)(nl - p);
		len = eol - i;
		if (nl != NULL && len > 0 && p[eol - 1] == '\r')
			len--;
		memcpy(out + n, p + i, len);
		n += len;
		if (nl == NULL)
			break;
		/* Dovecot joins a continuation line of one white space
		   character without the line break before it */
		if (!lone_wsp_line(p, f->end, eol + 1))
			out[n++] = '\n';
		i = eol + 1;
	}
	out[n] = '\0';
	return n;
}
