/* End of DATA for every message: drop incoming Signet-* headers, rewrite
   signed recipients to their base address, and spool the facts each
   local recipient's Signet-Provenance header is sealed from at delivery
   (seal.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "exim.h"

/* How much of a bounce's body is searched for the returned headers. */
#define SX_DSN_READ_MAX 65536

static header_line *
find_header(const char *name)
{
	size_t n = strlen(name);
	header_line *h;

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

static void
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
   "utf8" for SMTPUTF8 prefixed), says so: then $tls_in_ver and
   $tls_in_cipher are unset and need no lookup.  Any other protocol
   (batched SMTP, -oMr, non-SMTP input) has them looked up. */
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

/* One expansion for the Exim variables the module reads: each variable
   costs Exim 4.96 about 1.5K instructions (and each expand_string() call
   a fixed cost on top), so only those that can matter for this message
   are looked up, and $primary_hostname once per process.  None of them
   can hold a newline except the authenticated id, which comes last and
   takes the rest. */
static void
read_vars(struct sx_msg *m, const char **cfg_path_r)
{
	static char *primary; /* the process's $primary_hostname */
	const char *caller = "", *exim = "", *host = "";
	const int remote = sender_host_address != NULL;
	const int tls = !tls_impossible();
	const struct {
		const char *name;
		const char **dst;
		int want;
	} var[] = {
		{"$acl_m_signet_config", cfg_path_r, 1},
		{"$tls_in_ver", &m->tls, tls},
		{"$tls_in_cipher", &m->cipher, tls},
		{"$primary_hostname", &host, primary == NULL},
		{"$sender_helo_name", &m->helo, 1},
		{"$acl_m_signet_relay", &m->relay, 1},
		/* only a local submission can be Exim's own report */
		{"$caller_uid", &caller, !remote},
		{"$exim_uid", &exim, !remote},
		{"$authenticated_id", &m->auth, 1},
	};
	const size_t n = sizeof(var) / sizeof(var[0]);
	char expr[256];
	size_t i, k, len = 0, last = 0;
	char *p, *nl;
	int ok;

	for (i = 0; i < n; i++) {
		*var[i].dst = "";
		if (!var[i].want)
			continue;
		k = strlen(var[i].name);
		if (len > 0)
			expr[len++] = '\n';
		memcpy(expr + len, var[i].name, k); /* 9 names fit */
		len += k;
		last = i;
	}
	expr[len] = '\0';
	p = (char *)expand_string(US expr);
	ok = p != NULL;
	for (i = 0; i < n && p != NULL; i++) {
		if (!var[i].want)
			continue;
		*var[i].dst = p;
		if (i == last)
			break;
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		p = nl != NULL ? nl + 1 : NULL;
	}
	if (primary == NULL && ok)
		primary = strdup(host);
	m->host = primary != NULL ? primary : host;
	m->pfs = strncmp(m->tls, "TLS1.3", 6) == 0 ||
		 strstr(m->cipher, "DHE") != NULL;
	m->peer = remote ? (const char *)sender_host_address : "local";
	/* Exim's own delivery reports are submitted locally, with a null
	   sender, by a process running as the Exim user. */
	m->hub_report = !remote && *caller != '\0' && strcmp(caller, exim) == 0;
}

static const char *
first_value(const char *name)
{
	const header_line *h = find_header(name);

	return h != NULL ? sx_header_value(h) : NULL;
}

void
sx_msg_begin(struct sx_msg *m)
{
	const header_line *h = find_header("Message-ID:");
	const char *cfg_path;

	m->bounce = sender_address == NULL || *sender_address == '\0';
	m->msgid = h != NULL ? sx_header_value(h) : NULL;
	if (m->msgid != NULL)
		signet_prov_msg(m->msgid, NULL, NULL, NULL, m->msg_binding);
	else
		/* bound to Date, From and Subject instead, so that the record
		   cannot be pasted onto another message */
		signet_prov_msg(NULL, first_value("Date:"),
				first_value("From:"), first_value("Subject:"),
				m->msg_binding);
	read_vars(m, &cfg_path);
	m->s = sx_state_get(cfg_path);
	strip_signet_headers();
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
	ct = find_header("Content-Type:");
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

static void
fill_record(const struct sx_msg *m, const struct sx_rcpt_info *r,
	    struct signet_record *rec)
{
	signet_record_init(rec);
	/* ties the sealed record to this message: a copy pasted onto
	   another message does not check at delivery */
	memcpy(rec->msg, m->msg_binding, sizeof(rec->msg));
	rec->addr = r->presented;
	rec->verdict = r->verdict;
	if (r->presented != NULL) {
		rec->reason = r->v.status;
		rec->owner = r->v.base;
		rec->format = r->v.format;
		rec->issued = r->v.issued;
		rec->key_id = r->v.key_id;
	}
	rec->bounce = m->bounce;
	rec->bind = r->bind;
	rec->orig_msgid = m->dsn_found ? m->orig_msgid : NULL;
	rec->from = (const char *)sender_address;
	rec->tls = *m->tls != '\0' ? m->tls : NULL;
	rec->cipher = *m->cipher != '\0' ? m->cipher : NULL;
	rec->pfs = m->pfs;
	rec->auth = *m->auth != '\0' ? m->auth : NULL;
	rec->peer = (const char *)sender_host_address;
	rec->local = sender_host_address == NULL;
	rec->hub_report = m->hub_report;
	rec->helo = *m->helo != '\0' ? m->helo : NULL;
	rec->host = *m->host != '\0' ? m->host : NULL;
}

/* Adds the facts a recipient's Signet-Provenance header is made of at
   delivery (sx_seal): one Signet-Facts header for the message, and a
   Signet-Facts-Rcpt header, for= the recipient's id, for each recipient
   whose record differs.  Sealing at delivery keeps every copy to its own
   header; spooling sealed headers for all recipients made each of N
   copies carry N of them. */
static void
add_facts(struct sx_msg *m, const struct sx_rcpt_info *r, int own)
{
	char out[SIGNET_HEADER_BUFSZ], id[SIGNET_PROV_RCPT_ID_BUFSZ];
	struct signet_record rec;
	struct signet_prov p;
	const char *omitted;

	fill_record(m, r, &rec);
	if (own) {
		signet_prov_rcpt_id(r->rcpt, id);
		rec.rcpt_id = id;
	}
	signet_prov_init(&p);
	/* Only an over-long value fails: that field is left out. */
	if (signet_record_add(&p, &rec, &omitted) != SIGNET_OK)
		sx_log("provenance field %s left out (too long)", omitted);
	if (signet_prov_format(&p, out, sizeof(out)) != SIGNET_OK) {
		sx_log("no provenance for <%s>: its record is too long",
		       r->rcpt);
		return;
	}
	header_add(' ', "%s: %s\n",
		   own ? SX_FACTS_RCPT_HEADER : SX_FACTS_HEADER, out);
}

static void
report(struct sx_msg *m, const struct sx_rcpt_info *r)
{
	const char *kv[16];
	const char *tls = *m->tls != '\0' ? m->tls : "none";
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

/* The verdict of the message's recipients that do not look signed and
   are not exempt. */
static enum signet_rv
default_verdict(const struct sx_msg *m)
{
	return signet_rcpt_unsigned(m->s->cfg, m->bounce);
}

/* Rewrites a signed recipient to its base; returns non-zero when the
   message has to wait (no keys to read the address with).  The verdict
   is the RCPT decision's, without the store: RCPT counted it already. */
static int
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

static int
is_local(const struct sx_msg *m, const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL &&
	       signet_config_is_local_domain(m->s->cfg, at + 1, strlen(at + 1));
}

int
sx_scan_recipients(struct sx_msg *m, uschar **text_r)
{
	struct sx_rcpt_info r;
	int i, facts = 0;

	if (m->s->cfg == NULL) {
		sx_log("no provenance added: configuration unusable");
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
		if (!facts) {
			struct sx_rcpt_info d;

			memset(&d, 0, sizeof(d));
			d.verdict = default_verdict(m);
			add_facts(m, &d, 0);
			facts = 1;
		}
		if (r.presented != NULL || r.bind != SIGNET_BIND_ABSENT ||
		    r.verdict != default_verdict(m))
			add_facts(m, &r, 1);
		/* Ordinary mail is recorded by its header and Exim's own log
		   line; bounces and signed recipients are decisions. */
		if (r.presented != NULL || m->bounce)
			report(m, &r);
	}
	return LOCAL_SCAN_ACCEPT;
}
