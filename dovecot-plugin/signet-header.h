/* A message header block as bytes: where it ends, and its fields one by
   one, without copying.  Plain C, so it can be fuzzed on its own.  The
   plugin reads the header once with it and writes the saved copy's header
   from the same bytes, instead of parsing the message twice. */
#ifndef SIGNET_HEADER_H
#define SIGNET_HEADER_H

#include <stdbool.h>
#include <stddef.h>

/* One field: offsets into the header block. */
struct sh_field {
	size_t start;     /* first byte of the name */
	size_t name_len;  /* the name, white space before the colon dropped;
			     0 for a line without a colon */
	bool colon_next;  /* no white space between the name and the colon */
	size_t value;     /* after the colon and one white space */
	size_t line_end;  /* end of the first line, before its CR LF */
	size_t line_next; /* start of the second line, or end */
	size_t end;       /* after the last continuation line's LF */
};

/* The size of the header in p[0..size), its blank line included, or 0 when
   that line is not in p yet.  *line is where to look: 0 at first, then
   kept between calls as more bytes are added after p[size - 1]. */
size_t sh_header_size(const unsigned char *p, size_t size, size_t *line);

/* The next field of the header block p[0..size) at *pos, which it moves
   on.  false at the blank line or the end. */
bool sh_next_field(const unsigned char *p, size_t size, size_t *pos,
		   struct sh_field *f_r);

/* The field's value as Dovecot's header parser gives it (full_value):
   from after the colon to the end of the field, each CR LF as LF and the
   last line end dropped, into out (which gets a NUL).  Returns its
   length; out needs f->end - f->value + 1 bytes. */
size_t sh_field_value(const unsigned char *p, const struct sh_field *f,
		      char *out);

#endif
