/* Delivery: each copy gets its own recipient's Signet-Provenance header,
   sealed from the hop Exim restored from its spool and the decision
   local_scan spooled for a signed or exempt recipient (incoming.c,
   add_facts). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "exim.h"

/* The decision spooled for this recipient (a Signet-Facts-Rcpt value), or
   NULL; *unchecked_r when end of DATA checked no recipient. */
static const char *
facts_for(const char *rcpt, int *unchecked_r)
{
	const size_t rn = sizeof(SX_FACTS_RCPT_HEADER ":") - 1;
	const size_t mn = sizeof(SX_FACTS_HEADER ":") - 1;
	char id[SIGNET_PROV_RCPT_ID_BUFSZ];
	const char *v;
	const header_line *h;

	*unchecked_r = 0;
	signet_prov_rcpt_id(rcpt, id);
	for (h = header_list; h != NULL; h = h->next) {
		const char *t = (const char *)h->text;

		if (h->type == '*')
			continue;
		if (strncasecmp(t, SX_FACTS_RCPT_HEADER ":", rn) == 0) {
			v = sx_header_value(h);
			if (signet_record_is_for(v, id))
				return v;
		} else if (strncasecmp(t, SX_FACTS_HEADER ":", mn) == 0 &&
			   (v = sx_header_value(h)) != NULL &&
			   strcmp(v, SX_FACTS_UNCHECKED) == 0) {
			*unchecked_r = 1;
			return NULL;
		}
	}
	return NULL;
}

static const char *
header_value(const char *name)
{
	const header_line *h = sx_find_header(name);

	return h != NULL ? sx_header_value(h) : NULL;
}

/* The message's part of the record: its binding, envelope sender and
   hop, as Exim restored them from its spool for this delivery.  0 when
   Exim's variables cannot be read: a record without them would say the
   message came without TLS or login, so none is sealed. */
static int
add_hop(struct signet_record *rec)
{
	static char *primary; /* the process's $primary_hostname */
	const int remote = sender_host_address != NULL;
	const char *names[] = {
		"$tls_in_ver",
		"$tls_in_cipher",
		"$sender_helo_name",
		primary == NULL ? "$primary_hostname" : NULL,
		/* only a local submission can be Exim's own report */
		remote ? NULL : "$originator_uid",
		remote ? NULL : "$exim_uid",
		"$authenticated_id", /* may hold a newline: last */
	};
	const char *v[7];
	const char *msgid = header_value("Message-ID:");

	if (!sx_expand_vars(names, v, 7))
		return 0;
	if (primary == NULL)
		primary = strdup(v[3]);
	if (msgid != NULL)
		signet_prov_msg(msgid, NULL, NULL, NULL, rec->msg);
	else
		/* bound to Date, From and Subject instead, so that the record
		   cannot be pasted onto another message */
		signet_prov_msg(NULL, header_value("Date:"),
				header_value("From:"),
				header_value("Subject:"), rec->msg);
	rec->bounce = sender_address == NULL || *sender_address == '\0';
	rec->from = (const char *)sender_address;
	rec->tls = *v[0] != '\0' ? v[0] : NULL;
	rec->cipher = *v[1] != '\0' ? v[1] : NULL;
	rec->pfs = strncmp(v[0], "TLS1.3", 6) == 0 ||
		   strstr(v[1], "DHE") != NULL;
	rec->helo = *v[2] != '\0' ? v[2] : NULL;
	if (primary != NULL)
		v[3] = primary;
	rec->host = *v[3] != '\0' ? v[3] : NULL;
	/* Exim's own delivery reports are submitted locally, with a null
	   sender, by a process running as the Exim user. */
	rec->hub_report = !remote && *v[4] != '\0' && strcmp(v[4], v[5]) == 0;
	rec->auth = *v[6] != '\0' ? v[6] : NULL;
	rec->peer = (const char *)sender_host_address;
	rec->local = !remote;
	return 1;
}

/* The header text for headers_add: "" when there is nothing to seal or
   it cannot be sealed (the copy is delivered untagged, and Dovecot says
   it is unverified). */
const char *
sx_seal(struct sx_state *s, const char *rcpt, time_t now)
{
	char out[SIGNET_HEADER_BUFSZ], lower[SIGNET_ADDR_BUFSZ];
	const char *facts, *omitted;
	const signet_keyring *kr;
	struct signet_prov spooled, p;
	struct signet_record rec;
	signet_status st = SIGNET_OK;
	size_t i, o = 0;
	int unchecked;

	sx_lower(rcpt, lower, sizeof(lower));
	facts = facts_for(lower, &unchecked);
	if (unchecked)
		return "";
	if (facts != NULL) {
		st = signet_prov_parse(facts, &spooled);
		if (st == SIGNET_OK)
			signet_record_read(&spooled, &rec);
	} else if (signet_is_signed(lower)) {
		/* end of DATA rewrites every signed address it checked */
		sx_log("no Signet-Provenance header for <%s>: not checked at "
		       "end of DATA",
		       lower);
		return "";
	} else if (s->cfg != NULL) {
		signet_record_init(&rec);
		rec.verdict = signet_rcpt_unsigned(
			s->cfg, sender_address == NULL || *sender_address == '\0');
	} else {
		st = SIGNET_E_CONFIG;
	}
	if (st == SIGNET_OK && !add_hop(&rec)) {
		/* sx_expand_vars logged why */
		sx_log("no Signet-Provenance header for <%s>: the message's "
		       "hop cannot be read",
		       lower);
		return "";
	}
	if (st == SIGNET_OK) {
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
