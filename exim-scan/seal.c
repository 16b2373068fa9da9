/* Delivery: each copy gets its own recipient's Signet-Provenance header,
   sealed from the facts local_scan spooled (incoming.c, add_facts). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "exim.h"

/* The spooled record for this recipient: its own Signet-Facts-Rcpt, or
   the message's Signet-Facts; NULL when local_scan left none. */
static const char *
facts_for(const char *rcpt)
{
	const size_t rn = sizeof(SX_FACTS_RCPT_HEADER ":") - 1;
	const size_t mn = sizeof(SX_FACTS_HEADER ":") - 1;
	char id[SIGNET_PROV_RCPT_ID_BUFSZ];
	const char *msg = NULL, *v;
	const header_line *h;

	signet_prov_rcpt_id(rcpt, id);
	for (h = header_list; h != NULL; h = h->next) {
		const char *t = (const char *)h->text;

		if (h->type == '*')
			continue;
		if (strncasecmp(t, SX_FACTS_RCPT_HEADER ":", rn) == 0) {
			v = sx_header_value(h);
			if (signet_record_is_for(v, id))
				return v;
		} else if (msg == NULL &&
			   strncasecmp(t, SX_FACTS_HEADER ":", mn) == 0) {
			msg = sx_header_value(h);
		}
	}
	return msg;
}

/* The header text for headers_add: "" when there is nothing to seal or
   it cannot be sealed (the copy is delivered untagged, and Dovecot says
   it is unverified). */
const char *
sx_seal(struct sx_state *s, const char *rcpt, time_t now)
{
	char out[SIGNET_HEADER_BUFSZ], lower[SIGNET_ADDR_BUFSZ];
	const char *facts;
	const signet_keyring *kr;
	struct signet_prov spooled, p;
	struct signet_record rec;
	signet_status st;
	const char *omitted;
	size_t i, o = 0;

	sx_lower(rcpt, lower, sizeof(lower));
	facts = facts_for(lower);
	if (facts == NULL)
		return "";
	st = signet_prov_parse(facts, &spooled);
	if (st == SIGNET_OK) {
		/* the record as this version writes it, without for= */
		signet_record_read(&spooled, &rec);
		rec.rcpt_id = NULL;
		signet_prov_init(&p);
		st = signet_record_add(&p, &rec, &omitted);
	}
	kr = sx_seal_keyring(s);
	if (st == SIGNET_OK)
		st = kr != NULL ? signet_prov_seal(kr, &p, lower, now, out,
						   sizeof(out))
				: SIGNET_E_KEYRING;
	if (st != SIGNET_OK) {
		sx_log("no Signet-Provenance header for <%s>: %s", lower,
		       signet_strerror(st));
		return "";
	}
	/* one line: headers_add takes a newline as the end of a header */
	for (i = 0; out[i] != '\0'; i++) {
		if (out[i] == '\n' && out[i + 1] == '\t') {
			out[o++] = ' ';
			i++;
		} else {
			out[o++] = out[i];
		}
	}
	out[o] = '\0';
	return (const char *)string_sprintf("Signet-Provenance: %s", out);
}
