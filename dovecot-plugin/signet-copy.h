/* One saved copy of a delivered message: its header, read once, and the
   header the copy is saved with (our lines on top, incoming copies of
   them dropped, the Subject tagged).  Dovecot streams; no mail storage. */
#ifndef SIGNET_COPY_H
#define SIGNET_COPY_H

#include "signet.h"
#include "signet-header.h"

/* A field the saved copy's header does not copy as it is: an incoming
   Signet-Provenance or Signet-Result (dropped), or the first Subject. */
struct sdc_edit {
	struct sh_field field;
	bool subject;
};
ARRAY_DEFINE_TYPE(sdc_edit, struct sdc_edit);

/* The message header, read once: its bytes, from which the saved copy's
   header is written, and the fields the plugin needs. */
struct signet_headers {
	const unsigned char *data; /* through the blank line */
	size_t size;
	ARRAY_TYPE(const_string) prov; /* NULL-terminated */
	const char *from, *key;	       /* key: Message-ID and Date */
	/* the fields the hub binds a record to, as it read them: the first
	   "Name:" (no space before the colon) of each, or NULL */
	const char *msgid; /* unfolded */
	const char *bind_date, *bind_from, *bind_subject;
	/* found while reading, so that the copy's header is written without
	   parsing the fields again: the edits in order, and where the fields
	   end (the blank line, or the end of a header without one) */
	ARRAY_TYPE(sdc_edit) edits;
	bool has_subject;
	size_t fields_end;
};

/* How one saved copy's header differs from the message's. */
struct signet_filter {
	const char *top;   /* Signet-Result (and this rcpt's provenance) */
	const char *tag;   /* Subject tag to add, or NULL */
	const char *strip; /* tag a previous recipient's copy got, or NULL */
	bool memo_tag;	   /* the plugin notes the tag it adds */
	bool tag_added;	   /* set by sdc_filter_stream: the tag was added */
};

/* Reads the header of input (which is left at its start).  -1 when the
   stream fails; h_r then holds what was read. */
int sdc_headers_read(struct istream *input, struct signet_headers *h_r);
/* The message as this copy gets it: the rewritten header, then the body
   read straight from input.  Sets f->tag_added. */
struct istream *sdc_filter_stream(struct istream *input,
				  const struct signet_headers *hdrs,
				  struct signet_filter *f);
/* A folded header value with LF line ends, for re-insertion. */
const char *sdc_lf_only(const char *v);

#endif
