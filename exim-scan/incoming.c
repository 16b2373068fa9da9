/* End of DATA for every message: drop incoming Signet-* headers, rewrite
   signed recipients to their base address, and spool the facts each
   local recipient's Signet-Provenance header is sealed from at delivery
   (seal.c). */
#include <stdio.h>
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

/* One expansion for all the Exim variables the module reads: each
   expand_string() call has a fixed cost.  None of them can hold a newline
   except the authenticated id, which comes last and takes the rest. */
static void
read_vars(struct sx_msg *m, const char **cfg_path_r)
{
	const char *caller = "", *exim = "";
	const char **dst[] = {cfg_path_r, &m->tls,   &m->cipher, &m->host,
			      &m->helo,	  &m->relay, &caller,	 &exim,
			      &m->auth};
	const size_t n = sizeof(dst) / sizeof(dst[0]);
	uschar *v = expand_string(US "$acl_m_signet_config\n$tls_in_ver\n"
				     "$tls_in_cipher\n$primary_hostname\n"
				     "$sender_helo_name\n$acl_m_signet_relay\n"
				     "$caller_uid\n$exim_uid\n"
				     "$authenticated_id");
	char *p = (char *)v, *nl;
	size_t i;

	for (i = 0; i < n; i++) {
		*dst[i] = p != NULL ? p : "";
		if (p == NULL || i == n - 1)
			continue;
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		p = nl != NULL ? nl + 1 : NULL;
	}
	if (*m->tls == '\0')
		m->tls = "none";
	m->pfs = strncmp(m->tls, "TLS1.3", 6) == 0 ||
				 strstr(m->cipher, "DHE") != NULL
			 ? "yes"
			 : "no";
	m->peer = sender_host_address != NULL
			  ? (const char *)sender_host_address
			  : "local";
	/* Exim's own delivery reports are submitted locally, with a null
	   sender, by a process running as the Exim user. */
	m->hub_report = sender_host_address == NULL && *caller != '\0' &&
			strcmp(caller, exim) == 0;
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
	m->dsn_found =
		sx_dsn_message_id(body, (size_t)(buf + n - body), report,
				  m->orig_msgid, sizeof(m->orig_msgid)) == 0;
	return m->dsn_found ? m->orig_msgid : NULL;
}

static const char *
binding_word(struct sx_msg *m, const struct signet_verdict *v)
{
	const char *orig;

	if (!v->has_binding)
		return "none";
	orig = dsn_message_id(m);
	if (orig == NULL)
		return "unknown";
	return signet_message_binding(orig) == v->binding ? "match"
							  : "mismatch";
}

/* What one recipient's header says. */
struct sx_rcpt_info {
	const char *presented; /* signed address as given, or NULL */
	char rcpt[SIGNET_ADDR_BUFSZ];
	const char *verdict;
	struct signet_verdict v;
	const char *bind;
};

static void
add(struct signet_prov *p, const char *key, const char *value)
{
	if (value == NULL)
		return;
	/* Only an over-long value fails here: the field is left out. */
	if (signet_prov_add(p, key, value) != SIGNET_OK)
		sx_log("provenance field %s left out (too long)", key);
}

static void
prov_fields(const struct sx_msg *m, const struct sx_rcpt_info *r,
	    struct signet_prov *p)
{
	char issued[32], key[16];
	int closed = r->presented != NULL && r->v.format == SIGNET_FMT_SIGNET;

	add(p, "v", "1");
	/* ties the sealed record to this message: a copy pasted onto
	   another message does not check at delivery */
	add(p, "msg", m->msg_binding[0] != '\0' ? m->msg_binding : NULL);
	add(p, "addr", r->presented);
	add(p, "verdict", r->verdict);
	if (r->presented != NULL) {
		add(p, "reason", signet_status_name(r->v.status));
		add(p, "owner", r->v.base);
		add(p, "format",
		    r->v.format == SIGNET_FMT_SIGNET ? "signet" : "prvs");
		if (closed && r->v.issued != 0) {
			signet_time_format(r->v.issued, issued);
			add(p, "issued", issued);
		}
		if (r->v.key_id >= 0) {
			snprintf(key, sizeof(key), "%d", r->v.key_id);
			add(p, "key", key);
		}
	}
	if (m->bounce) {
		add(p, "bounce", "yes");
		add(p, "bind", r->bind);
		if (r->bind != NULL && strcmp(r->bind, "none") != 0)
			add(p, "orig-msgid",
			    m->dsn_found ? m->orig_msgid : NULL);
	}
	add(p, "from", m->bounce ? "" : (const char *)sender_address);
	add(p, "tls", m->tls);
	add(p, "cipher", *m->cipher != '\0' ? m->cipher : NULL);
	add(p, "pfs", m->pfs);
	add(p, "auth", *m->auth != '\0' ? m->auth : NULL);
	add(p, "peer", m->peer);
	add(p, "origin", m->bounce && m->hub_report ? "hub" : NULL);
	add(p, "helo", *m->helo != '\0' ? m->helo : NULL);
	add(p, "host", *m->host != '\0' ? m->host : NULL);
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
	struct signet_prov p;

	signet_prov_init(&p);
	if (own) {
		signet_prov_rcpt_id(r->rcpt, id);
		add(&p, "for", id);
	}
	prov_fields(m, r, &p);
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
	size_t n = 0;

	sx_kv(kv, &n, "rcpt", r->rcpt);
	sx_kv(kv, &n, "addr", r->presented);
	sx_kv(kv, &n, "verdict", r->verdict);
	sx_kv(kv, &n, "bind", r->bind);
	sx_kv(kv, &n, "exim_id", (const char *)message_id);
	sx_kv(kv, &n, "peer", m->peer);
	sx_kv(kv, &n, "tls", m->tls);
	kv[n] = NULL;
	sx_log("rcpt <%s>%s%s%s verdict=%s%s%s tls=%s", r->rcpt,
	       r->presented ? " as <" : "", r->presented ? r->presented : "",
	       r->presented ? ">" : "", r->verdict, r->bind ? " bind=" : "",
	       r->bind ? r->bind : "", m->tls);
	sx_event(m->s, m->now, "sealed", kv);
}

/* The verdict of a recipient that does not look signed and is not
   exempt. */
static const char *
default_verdict(const struct sx_msg *m)
{
	return m->bounce &&
			       signet_config_null_policy(m->s->cfg) !=
				       SIGNET_NULL_OFF
		       ? "unsigned-bounce"
		       : "none";
}

/* Rewrites a signed recipient to its base; returns non-zero when the
   message has to wait (no keys to read the address with). */
static int
check_recipient(struct sx_msg *m, int i, struct sx_rcpt_info *r)
{
	const char *addr = (const char *)recipients_list[i].address;
	signet_status st;

	memset(r, 0, sizeof(*r));
	r->v.key_id = -1;
	if (!signet_is_signed(addr)) {
		sx_lower(addr, r->rcpt, sizeof(r->rcpt));
		r->verdict = signet_config_is_exempt(m->s->cfg, addr)
				     ? "none"
				     : default_verdict(m);
		return 0;
	}
	if (m->s->kr == NULL)
		return 1;
	r->presented = addr;
	st = signet_verify(m->s->kr, &m->s->lt, addr, m->now, &r->v);
	r->verdict = sx_verdict_word(st);
	if (st != SIGNET_E_SYNTAX && r->v.base[0] != '\0') {
		recipients_list[i].address = string_copy(US r->v.base);
		sx_lower(r->v.base, r->rcpt, sizeof(r->rcpt));
	} else {
		sx_lower(addr, r->rcpt, sizeof(r->rcpt));
	}
	if (m->bounce)
		r->bind = binding_word(m, &r->v);
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
		if (r.presented != NULL || r.bind != NULL ||
		    strcmp(r.verdict, default_verdict(m)) != 0)
			add_facts(m, &r, 1);
		/* Ordinary mail is recorded by its header and Exim's own log
		   line; bounces and signed recipients are decisions. */
		if (r.presented != NULL || m->bounce)
			report(m, &r);
	}
	return LOCAL_SCAN_ACCEPT;
}
