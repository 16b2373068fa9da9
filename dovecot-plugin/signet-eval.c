/* Maps the core's evaluation of one message for one recipient to
   keywords and a Subject tag, and folds the Signet-Result line. */
#include <string.h>

#include "signet-eval.h"

const char *const sdp_tag_names[SDP_TAG_COUNT] = {
	"forged", "lookalike", "unsigned-bounce", "unverified", "insecure"
};

void
sdp_evaluate(const struct signet_eval_in *in, struct sdp_output *out)
{
	memset(out, 0, sizeof(*out));
	signet_evaluate(in, &out->e);
	switch (out->e.result) {
	case SIGNET_RESULT_VERIFIED:
		out->keywords |= 1u << SDP_KW_VERIFIED;
		break;
	case SIGNET_RESULT_FORGED:
		out->keywords |= 1u << SDP_KW_FORGED | 1u << SDP_KW_PHISHING;
		out->tags |= 1u << SDP_TAG_FORGED;
		break;
	case SIGNET_RESULT_UNSIGNED_BOUNCE:
		out->keywords |= 1u << SDP_KW_UNSIGNED_BOUNCE |
				 1u << SDP_KW_JUNK;
		out->tags |= 1u << SDP_TAG_UNSIGNED_BOUNCE;
		break;
	case SIGNET_RESULT_UNVERIFIED:
		out->keywords |= 1u << SDP_KW_UNVERIFIED;
		out->tags |= 1u << SDP_TAG_UNVERIFIED;
		break;
	case SIGNET_RESULT_UNBOUND:
		out->keywords |= 1u << SDP_KW_UNBOUND;
		break;
	case SIGNET_RESULT_NONE:
		break;
	}
	if (out->e.lookalike) {
		out->keywords |= 1u << SDP_KW_LOOKALIKE | 1u << SDP_KW_PHISHING;
		out->tags |= 1u << SDP_TAG_LOOKALIKE;
	}
	if (out->e.insecure) {
		out->keywords |= 1u << SDP_KW_INSECURE;
		out->tags |= 1u << SDP_TAG_INSECURE;
	}
}

void
sdp_fold(const char *text, size_t name_len, char *out, size_t outlen)
{
	size_t col = name_len, o = 0;
	const char *s = text;
	int first = 1;

	if (outlen == 0)
		return;
	while (*s == ' ')
		s++;
	while (*s != '\0') {
		const char *sp = strchr(s, ' ');
		size_t wlen = sp == NULL ? strlen(s) : (size_t)(sp - s);

		if (!first && col + 1 + wlen > 76) {
			if (o + 2 >= outlen)
				break;
			out[o++] = '\n';
			out[o++] = '\t';
			col = 8;
		} else if (!first) {
			if (o + 1 >= outlen)
				break;
			out[o++] = ' ';
			col++;
		}
		if (o + wlen >= outlen)
			break;
		memcpy(out + o, s, wlen);
		o += wlen;
		col += wlen;
		s += wlen;
		first = 0;
		while (*s == ' ')
			s++;
	}
	out[o] = '\0';
}
