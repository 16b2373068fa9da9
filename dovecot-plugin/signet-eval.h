/* What the plugin concludes about one message for one recipient.  Plain C
   over the core, without Dovecot, so it can be tested on its own. */
#ifndef SIGNET_EVAL_H
#define SIGNET_EVAL_H

#include <stddef.h>
#include <time.h>

#include "signet.h"

enum sdp_result {
	SDP_NONE,           /* ordinary mail: no signed address involved */
	SDP_VERIFIED,       /* a valid address we signed (e.g. a real bounce) */
	SDP_FORGED,         /* forged, revoked or replayed address, or forged
			       provenance */
	SDP_UNSIGNED_BOUNCE,
	SDP_UNVERIFIED,     /* could not check */
	SDP_UNBOUND         /* a valid address of ours in a bounce that does
			       not show which message it returns: maybe a
			       replay of a leaked address, never "genuine" */
};

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
const char *sdp_result_name(enum sdp_result r);

#define SDP_LINE_MAX 900
#define SDP_RCPTS_MAX 2

struct sdp_input {
	/* Envelope recipient as delivered (the LMTP client's RCPT TO; an
	   ORCPT is never used), or NULL. */
	const char *rcpt[SDP_RCPTS_MAX];
	/* Signet-Provenance header values, as in the message. */
	const char *const *prov;
	size_t prov_count;
	/* the message's first Message-ID, unfolded, or NULL: a sealed record
	   with msg= is only this message's if the bindings agree */
	const char *message_id;
	/* without a Message-ID the record is bound to these (the first of
	   each field, raw; NULL if missing): signet_header_binding() */
	const char *date, *from, *subject;
	const char *from_domain;  /* domain of the From: header, or NULL */
	const char *env_domain;   /* envelope sender's domain, or NULL */
	const char *const *domains; /* the ISP's own domains */
	size_t domain_count;
	const signet_keyring *kr; /* NULL: keyring unavailable */
	time_t now;
	/* a seal older than this (seconds), or from the future, is not
	   trusted: a header replayed long after; 0: no limit */
	long long seal_max_age;
};

struct sdp_output {
	enum sdp_result result;
	int lookalike, insecure;
	int prov_idx;            /* this recipient's sealed header, or -1 */
	unsigned int keywords;   /* bits of enum sdp_kw */
	unsigned int tags;       /* bits of enum sdp_tag */
	signet_status status;    /* of the seal check, for the log */
	const char *verdict;     /* the header's verdict (signet_rv_name), or
				    "" */
	const char *rcpt;        /* the address that header is for, or NULL */
	char line[SDP_LINE_MAX]; /* Signet-Result text, one line, ASCII */
};

void sdp_evaluate(const struct sdp_input *in, struct sdp_output *out_r);

/* Folds text at spaces with "\n\t" so lines stay within 76 columns; the
   first line starts after name_len octets ("Signet-Result: ").  Writes at
   most outlen octets, NUL included. */
void sdp_fold(const char *text, size_t name_len, char *out, size_t outlen);

#endif
