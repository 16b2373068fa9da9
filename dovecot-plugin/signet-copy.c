/* The saved copy's header: reading a message's header once, and writing
   the header each recipient's copy is saved with. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "istream.h"
#include "istream-concat.h"

#include <stdlib.h>

#include "signet-header.h"
#include "signet-copy.h"

/* A header value as Exim's module reads it (signet_header_unfold), on
   the data stack.  NULL when empty. */
static const char *
unfold(const char *v)
{
	size_t len = strlen(v), n = 0;
	char *out = t_malloc_no0(len + 1);

	/* out is as long as the value: never cut short */
	if (signet_header_unfold(v, len, out, len + 1, &n) != SIGNET_OK)
		return NULL;
	return n > 0 ? out : NULL;
}

/* Copies the header of input (up to its blank line, or all of a message
   without one) onto the data stack, with whole chunks of the stream until
   the blank line is in (LMTP's stream gives its own Received lines as one
   chunk, then the message).  Not into a Dovecot buffer, which would zero
   the memory before each copy. */
static int
read_header_block(struct istream *input, struct signet_headers *h)
{
	const unsigned char *data;
	unsigned char *acc = NULL, *grown;
	size_t size, line = 0, hsize = 0, used = 0, cap = 0;

	i_stream_seek(input, 0);
	while (hsize == 0 && i_stream_read_more(input, &data, &size) > 0) {
		if (used + size > cap) {
			cap = I_MAX(I_MAX(cap * 2, used + size), 16384);
			grown = t_malloc_no0(cap);
			if (used > 0)
				memcpy(grown, acc, used);
			acc = grown;
		}
		memcpy(acc + used, data, size);
		used += size;
		hsize = sh_header_size(acc, used, &line);
		i_stream_skip(input, size);
	}
	h->data = acc;
	h->size = hsize > 0 ? hsize : used;
	i_stream_seek(input, 0);
	return input->stream_errno != 0 ? -1 : 0;
}

enum signet_field {
	SF_PROV,
	SF_RESULT,
	SF_FROM,
	SF_DATE,
	SF_MSGID,
	SF_SUBJECT,
	SF_OTHER
};
#define SF_NAME(n) {n, sizeof(n) - 1}
/* by enum signet_field; the lengths spare a strlen() per field and name
   (a long relay path has hundreds of fields) */
static const struct {
	const char *name;
	size_t len;
} signet_fields[] = {
	SF_NAME("Signet-Provenance"), SF_NAME("Signet-Result"),
	SF_NAME("From"),	      SF_NAME("Date"),
	SF_NAME("Message-ID"),	      SF_NAME("Subject"),
};

static enum signet_field
field_kind(const unsigned char *p, const struct sh_field *f)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(signet_fields); i++) {
		if (f->name_len == signet_fields[i].len &&
		    strncasecmp((const char *)p + f->start,
				signet_fields[i].name, f->name_len) == 0)
			return i;
	}
	return SF_OTHER;
}

static void
add_edit(struct signet_headers *h, const struct sh_field *f, bool subject)
{
	struct sdc_edit *e = array_append_space(&h->edits);

	e->field = *f;
	e->subject = subject;
}

int
sdc_headers_read(struct istream *input, struct signet_headers *h)
{
	const char *msgid = "", *date = "";
	enum signet_field kind;
	struct sh_field f;
	size_t pos = 0;
	bool id_seen = FALSE;
	char *v;
	int ret;

	i_zero(h);
	t_array_init(&h->prov, 4);
	t_array_init(&h->edits, 4);
	ret = read_header_block(input, h);
	while (sh_next_field(h->data, h->size, &pos, &f)) {
		kind = field_kind(h->data, &f);
		if (kind == SF_PROV || kind == SF_RESULT)
			add_edit(h, &f, FALSE);
		else if (kind == SF_SUBJECT && !h->has_subject) {
			add_edit(h, &f, TRUE);
			h->has_subject = TRUE;
		}
		if (kind == SF_OTHER || kind == SF_RESULT ||
		    (kind == SF_FROM && h->from != NULL &&
		     (h->bind_from != NULL || !f.colon_next)) ||
		    (kind == SF_SUBJECT &&
		     (h->bind_subject != NULL || !f.colon_next)))
			continue;
		v = t_malloc_no0(f.end - f.value + 1);
		(void)sh_field_value(h->data, &f, v);
		switch (kind) {
		case SF_PROV:
			array_push_back(&h->prov, (const char **)&v);
			break;
		case SF_FROM:
			if (h->from == NULL)
				h->from = v;
			if (f.colon_next)
				h->bind_from = v;
			break;
		case SF_DATE:
			date = v;
			if (h->bind_date == NULL && f.colon_next)
				h->bind_date = v;
			break;
		case SF_SUBJECT:
			h->bind_subject = v;
			break;
		case SF_MSGID:
			msgid = v;
			if (!id_seen && f.colon_next) {
				id_seen = TRUE;
				h->msgid = unfold(v);
			}
			break;
		case SF_RESULT:
		case SF_OTHER:
			break;
		}
	}
	h->fields_end = pos;
	array_append_zero(&h->prov);
	h->key = t_strconcat(msgid, "\n", date, NULL);
	return ret;
}

/* The first line of a Subject with the tag added or a previous copy's
   removed, or NULL when it stays as it is. */
static const char *
subject_line(struct signet_filter *f, const char *value)
{
	bool changed = FALSE;
	size_t len;

	if (f->strip != NULL && (len = strlen(f->strip)) > 0 &&
	    strncmp(value, f->strip, len) == 0 &&
	    (value[len] == ' ' || value[len] == '\0')) {
		value += len;
		if (*value == ' ')
			value++;
		changed = TRUE;
	}
	/* never tag twice, whoever tagged first */
	if (f->tag != NULL && strncasecmp(value, f->tag, strlen(f->tag)) != 0) {
		value = *value == '\0' ? f->tag
				       : t_strconcat(f->tag, " ", value, NULL);
		changed = TRUE;
		f->tag_added = TRUE;
	}
	return changed ? value : NULL;
}

/* Bytes written into memory of a size known beforehand. */
struct signet_out {
	unsigned char *data;
	size_t used, size;
};

static void
out_put(struct signet_out *o, const void *data, size_t len)
{
	i_assert(len <= o->size - o->used);
	memcpy(o->data + o->used, data, len);
	o->used += len;
}

static void
out_free(unsigned char *data)
{
	free(data);
}

static void
out_str(struct signet_out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* The saved copy's header: our lines on top, incoming copies of them
   dropped, the first Subject tagged; every other byte as it came, copied
   in runs between the edits sdc_headers_read found.  Into malloc()ed
   memory that the caller frees: at most a tag and a few bytes more than
   the header and our lines, and not zeroed first as Dovecot's buffers
   would be. */
static void
rewrite_header(const struct signet_headers *h, struct signet_filter *f,
	       struct signet_out *out)
{
	const unsigned char *p = h->data;
	const struct sdc_edit *e;
	const struct sh_field *fl;
	const char *line;
	size_t pos = 0;

	out->used = 0;
	out->size = strlen(f->top) + h->size + 16 +
		    (f->tag == NULL ? 0 : strlen(f->tag));
	out->data = malloc(out->size);
	if (out->data == NULL)
		i_fatal_status(FATAL_OUTOFMEM, "signet: malloc(%zu) failed",
			       out->size);
	out_str(out, f->top);
	array_foreach(&h->edits, e) {
		fl = &e->field;
		out_put(out, p + pos, fl->start - pos);
		pos = fl->end; /* dropped */
		if (!e->subject)
			continue;
		pos = fl->start;
		line = subject_line(f, t_strndup(p + fl->value,
						 fl->line_end - fl->value));
		if (line != NULL) {
			/* folded lines stay as they were */
			out_str(out, "Subject: ");
			out_str(out, line);
			if (fl->line_next > fl->line_end)
				out_str(out, "\n");
			pos = fl->line_next;
		}
	}
	out_put(out, p + pos, h->fields_end - pos);
	pos = h->fields_end;
	if (!h->has_subject && f->tag != NULL) {
		if (pos > 0 && p[pos - 1] != '\n')
			out_str(out, "\n");
		out_str(out, "Subject: ");
		out_str(out, f->tag);
		out_str(out, "\n");
		f->tag_added = TRUE;
	}
	out_put(out, p + pos, h->size - pos);
}

/* Normalises a folded header value to LF line ends for re-insertion. */
const char *
sdc_lf_only(const char *v)
{
	string_t *s;

	if (strchr(v, '\r') == NULL)
		return v;
	s = t_str_new(strlen(v) + 8);
	for (; *v != '\0'; v++) {
		if (*v != '\r')
			str_append_c(s, *v);
	}
	return str_c(s);
}

/* The message as this copy gets it: the rewritten header, then the body
   read straight from input. */
struct istream *
sdc_filter_stream(struct istream *input, const struct signet_headers *hdrs,
		  struct signet_filter *f)
{
	struct istream *parts[3], *filtered;
	struct signet_out hdr;

	rewrite_header(hdrs, f, &hdr);
	parts[0] = i_stream_create_from_data(hdr.data, hdr.used);
	i_stream_add_destroy_callback(parts[0], out_free, hdr.data);
	parts[1] = i_stream_create_range(input, hdrs->size, UOFF_T_MAX);
	parts[2] = NULL;
	filtered = i_stream_create_concat(parts);
	i_stream_set_name(filtered, i_stream_get_name(input));
	i_stream_unref(&parts[0]);
	i_stream_unref(&parts[1]);
	return filtered;
}
