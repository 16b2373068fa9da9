/* The keywords and Subject tag of the core's evaluation of one message
   for one recipient.  Plain C, without Dovecot, tested on its own. */
#ifndef SIGNET_EVAL_H
#define SIGNET_EVAL_H

#include <stddef.h>
#include <time.h>

#include "signet.h"

/* Keywords, in settings order; names come from the settings. */
enum sdp_kw {
	SDP_KW_VERIFIED,
	SDP_KW_FORGED,
	SDP_KW_UNSIGNED_BOUNCE,
	SDP_KW_LOOKALIKE,
	SDP_KW_UNVERIFIED,
	SDP_KW_INSECURE,
	SDP_KW_PHISHING,
	SDP_KW_JUNK,
	SDP_KW_UNBOUND,
	SDP_KW_COUNT
};

/* Subject tags, most severe first: at most one is applied. */
enum sdp_tag {
	SDP_TAG_FORGED,
	SDP_TAG_LOOKALIKE,
	SDP_TAG_UNSIGNED_BOUNCE,
	SDP_TAG_UNVERIFIED,
	SDP_TAG_INSECURE,
	SDP_TAG_COUNT
};

extern const char *const sdp_tag_names[SDP_TAG_COUNT];

struct sdp_output {
	struct signet_eval e;  /* the core's evaluation */
	unsigned int keywords; /* bits of enum sdp_kw */
	unsigned int tags;     /* bits of enum sdp_tag */
};

/* signet_evaluate(), and the keywords and tags its result calls for. */
void sdp_evaluate(const struct signet_eval_in *in, struct sdp_output *out_r);

/* Folds text at spaces with "\n\t" so lines stay within 76 columns; the
   first line starts after name_len octets ("Signet-Result: ").  Writes at
   most outlen octets, NUL included. */
void sdp_fold(const char *text, size_t name_len, char *out, size_t outlen);

#endif
