/* End of DATA for every message: drop incoming Signet-* headers, rewrite
   signed recipients to their base address, and spool the decision on
   each one for the Signet-Provenance header its delivery seals (seal.c).
   Ordinary mail spools nothing: its header is sealed from the hop Exim
   keeps in its own spool. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "exim.h"

/* How much of a bounce's body is searched for the returned headers. */
#define SX_DSN_READ_MAX 65536

const header_line *
sx_find_header(const char *name)
{
	size_t n = strlen(name);
	const header_line *h;

	for (h = header_list; h != NULL; h = h->next) {
		if (h->type != '*' &&
		    strncasecmp((const char *)h->text, name, n) == 0)
			return h;
	}
	return NULL;
}

const char *
sx_header_value(const header_line *h)
{
	const char *p = strchr((const char *)h->text, ':');
	size_t len, o = 0;
	char *out;

	if (p == NULL)
		return NULL;
	p++;
	len = strlen(p);
	out = (char *)store_get((int)len + 1, GET_TAINTED);
	/* out is as long as the value: never cut short */
	if (signet_header_unfold(p, len, out, len + 1, &o) != SIGNET_OK)
		return NULL;
	return o > 0 ? out : NULL;
}

SX_HOT static void
strip_signet_headers(void)
{
	header_line *h;
	int n = 0;

	for (h = header_list; h != NULL; h = h->next) {
		if (h->type != '*' &&
		    strncasecmp((const char *)h->text, "Signet-", 7) == 0) {
			h->type = '*';
			n++;
		}
	}
	if (n > 0)
		sx_log("removed %d incoming Signet-* header(s)", n);
}

/* TLS cannot be in use on an SMTP session whose protocol name, which
   Exim sets at HELO, EHLO, STARTTLS and AUTH (with "local-" for -bs and
   "utf8" for SMTPUTF8 prefixed), says so: then $tls_in_ver is unset and
   needs no lookup.  Any other protocol (batched SMTP, -oMr, non-SMTP
   input) has it looked up. */
static int
tls_impossible(void)
{
	const char *p = (const char *)received_protocol;

	if (!smtp_input || smtp_batched_input || p == NULL)
		return 0;
	if (strncmp(p, "utf8", 4) == 0)
		p += 4;
	if (strncmp(p, "local-", 6) == 0)
		p += 6;
	return strcmp(p, "smtp") == 0 || strcmp(p, "esmtp") == 0 ||
	       strcmp(p, "esmtpa") == 0;
}

/* The TLS protocol, for a decision's log line; "" without TLS. */
static const char *
msg_tls(struct sx_msg *m)
{
	if (m->tls == NULL)
		m->tls = tls_impossible() ? "" : sx_expand("$tls_in_ver");
	return m->tls;
}

SX_HOT static int
is_local(const struct sx_msg *m, const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL &&
	       signet_config_is_local_domain(m->s->cfg, at + 1, strlen(at + 1));
}

/* What end of DATA asks of Exim, nothing for ordinary mail from outside:
   - the configuration path, which every connection inherits from the
     daemon's preload; any other process asks acl_signet_config once
     (sx_state_get() keeps it);
   - a login, only when there can be one (a local submission, or a
     client that authenticated);
   - whether a client that did not log in is a relay host, which only
     matters to a sender at our domains (it may be signed). */
SX_HOT int
sx_msg_begin(struct sx_msg *m, uschar **text_r)
{
	const int remote = sender_host_address != NULL;
	const int login = !remote || sender_host_authenticated != NULL;
	const char *path = sx_state_path(), *why;

	if (path == NULL && (path = sx_acl("acl_signet_config", &why)) == NULL)
		sx_log("cannot read the configuration path from "
		       "acl_signet_config (%s), so reading %s",
		       why, signet_config_default_path());
	m->auth = login ? sx_expand("$authenticated_id") : "";
	m->relay = "";
	m->peer = remote ? (const char *)sender_host_address : "local";
	m->bounce = sender_address == NULL || *sender_address == '\0';
	m->s = sx_state_get(path);
	strip_signet_headers();
	if (remote && !login && !m->bounce && m->s->cfg != NULL &&
	    is_local(m, (const char *)sender_address) &&
	    (m->relay = sx_acl("acl_signet_relay", &why)) == NULL) {
		sx_log("sender <%s>: message deferred: cannot tell whether "
		       "%s is a relay host: acl_signet_relay: %s",
		       (const char *)sender_address, m->peer, why);
		*text_r = US "4.3.0 cannot tell whether this host relays for "
			     "us; please try again later";
		return LOCAL_SCAN_TEMPREJECT;
	}
	return LOCAL_SCAN_ACCEPT;
}

/* The returned Message-ID of a bounce: read once per message from the
   start of the spool data file, which holds the body. */
static const char *
dsn_message_id(struct sx_msg *m)
{
	static char buf[SX_DSN_READ_MAX + 1];
	const header_line *ct;
	const char *v, *body;
	ssize_t n;
	int report = 0;

	if (m->dsn_read)
		return m->dsn_found ? m->orig_msgid : NULL;
	m->dsn_read = 1;
	ct = sx_find_header("Content-Type:");
	if (ct != NULL && (v = sx_header_value(ct)) != NULL)
		report = strncasecmp(v, "multipart/report", 16) == 0;
	/* The file starts with its own name ("ID-D"); the body follows.
	   Skipping that line, rather than SPOOL_DATA_START_OFFSET bytes,
	   also holds for Exim's longer message ids since 4.97. */
	n = pread(m->fd, buf, SX_DSN_READ_MAX, 0);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	body = memchr(buf, '\n', (size_t)n);
	body = body != NULL ? body + 1 : buf + n;
	m->dsn_found = signet_dsn_message_id(body, (size_t)(buf + n - body),
					     report, m->orig_msgid,
					     sizeof(m->orig_msgid)) ==
		       SIGNET_OK;
	return m->dsn_found ? m->orig_msgid : NULL;
}

/* What one recipient's header says. */
struct sx_rcpt_info {
	const char *presented; /* signed address as given, or NULL */
	char rcpt[SIGNET_ADDR_BUFSZ];
	enum signet_rv verdict;
	struct signet_verdict v;
	enum signet_bind bind;
};

/* Spools the decision on one recipient, for= its id, in a
   Signet-Facts-Rcpt header: what only end of DATA knows.  Its delivery
   seals it with the hop (sx_seal), so that each copy carries its own
   header; spooling sealed headers for all recipients made each of N
   copies carry N of them. */
static void
add_facts(struct sx_msg *m, const struct sx_rcpt_info *r)
{
	char out[SIGNET_HEADER_BUFSZ], id[SIGNET_PROV_RCPT_ID_BUFSZ];
	struct signet_record rec;
	struct signet_prov p;
	const char *omitted;

	signet_record_init(&rec);
	signet_prov_rcpt_id(r->rcpt, id);
	rec.rcpt_id = id;
	rec.addr = r->presented;
	rec.verdict = r->verdict;
	if (r->presented != NULL) {
		rec.reason = r->v.status;
		rec.owner = r->v.base;
		rec.format = r->v.format;
		rec.issued = r->v.issued;
		rec.key_id = r->v.key_id;
	}
	rec.bounce = m->bounce; /* a record has bind= only for a bounce */
	rec.bind = r->bind;
	rec.orig_msgid = m->dsn_found ? m->orig_msgid : NULL;
	signet_prov_init(&p);
	/* Only an over-long value fails: that field is left out. */
	if (signet_record_add(&p, &rec, &omitted) != SIGNET_OK)
		sx_log("provenance field %s left out (too long)", omitted);
	if (signet_prov_format(&p, out, sizeof(out)) != SIGNET_OK) {
		sx_log("no provenance for <%s>: its record is too long",
		       r->rcpt);
		return;
	}
	header_add(' ', "%s: %s\n", SX_FACTS_RCPT_HEADER, out);
}

static void
report(struct sx_msg *m, const struct sx_rcpt_info *r)
{
	const char *kv[16];
	const char *tls = *msg_tls(m) != '\0' ? m->tls : "none";
	size_t n = 0;

	sx_kv(kv, &n, SIGNET_EK_RCPT, r->rcpt);
	sx_kv(kv, &n, SIGNET_EK_ADDR, r->presented);
	sx_kv(kv, &n, SIGNET_EK_VERDICT, signet_rv_name(r->verdict));
	sx_kv(kv, &n, SIGNET_EK_BIND, signet_bind_name(r->bind));
	sx_kv(kv, &n, SIGNET_EK_EXIM_ID, (const char *)message_id);
	sx_kv(kv, &n, SIGNET_EK_PEER, m->peer);
	sx_kv(kv, &n, SIGNET_EK_TLS, tls);
	kv[n] = NULL;
	sx_log("rcpt <%s>%s%s%s verdict=%s%s%s tls=%s", r->rcpt,
	       r->presented ? " as <" : "", r->presented ? r->presented : "",
	       r->presented ? ">" : "", signet_rv_name(r->verdict),
	       r->bind != SIGNET_BIND_ABSENT ? " bind=" : "",
	       r->bind != SIGNET_BIND_ABSENT ? signet_bind_name(r->bind) : "",
	       tls);
	sx_event(m->s, m->now, SIGNET_EV_SEALED, kv);
}

/* Rewrites a signed recipient to its base; returns non-zero when the
   message has to wait (no keys to read the address with).  The verdict
   is the RCPT decision's, without the store: RCPT counted it already. */
SX_HOT static int
check_recipient(struct sx_msg *m, int i, struct sx_rcpt_info *r)
{
	const char *addr = (const char *)recipients_list[i].address;
	struct signet_rcpt_in in = {
		.cfg = m->s->cfg,
		.kr = m->s->kr,
		.lt = &m->s->lt,
		.sender = m->bounce ? "" : (const char *)sender_address,
		.mode = SIGNET_RCPT_LOOK,
	};
	struct signet_rcpt_answer a;

	memset(r, 0, sizeof(*r));
	if (m->s->kr == NULL && signet_is_signed(addr))
		return 1;
	signet_rcpt_decide(&in, addr, m->now, &a);
	r->verdict = a.verdict;
	r->v = a.v;
	if (!a.is_signed) {
		sx_lower(addr, r->rcpt, sizeof(r->rcpt));
		return 0;
	}
	r->presented = addr;
	if (a.v.status != SIGNET_E_SYNTAX && a.v.base[0] != '\0') {
		recipients_list[i].address = string_copy(US a.v.base);
		sx_lower(a.v.base, r->rcpt, sizeof(r->rcpt));
	} else {
		sx_lower(addr, r->rcpt, sizeof(r->rcpt));
	}
	if (m->bounce)
		r->bind = signet_bind_check(
			&r->v, r->v.has_binding ? dsn_message_id(m) : NULL);
	return 0;
}

SX_HOT int
sx_scan_recipients(struct sx_msg *m, uschar **text_r)
{
	struct sx_rcpt_info r;
	int i;

	if (m->s->cfg == NULL) {
		sx_log("no provenance added: configuration unusable");
		/* nothing was checked: its deliveries add no header */
		header_add(' ', "%s: %s\n", SX_FACTS_HEADER,
			   SX_FACTS_UNCHECKED);
		return LOCAL_SCAN_ACCEPT;
	}
	for (i = 0; i < recipients_count; i++) {
		if (!is_local(m, (const char *)recipients_list[i].address))
			continue;
		if (check_recipient(m, i, &r) != 0) {
			sx_log("signed recipient <%s> cannot be read "
			       "without keys: deferred",
			       recipients_list[i].address);
			*text_r = US "4.3.0 temporary local problem; please "
				     "try again later";
			return LOCAL_SCAN_TEMPREJECT;
		}
		/* the delivery knows the rest (sx_seal) */
		if (r.presented != NULL || r.bind != SIGNET_BIND_ABSENT ||
		    r.verdict != signet_rcpt_unsigned(m->s->cfg, m->bounce))
			add_facts(m, &r);
		/* Ordinary mail is recorded by its header and Exim's own log
		   line; bounces and signed recipients are decisions. */
		if (r.presented != NULL || m->bounce)
			report(m, &r);
	}
	return LOCAL_SCAN_ACCEPT;
}
