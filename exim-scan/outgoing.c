/* Outgoing mail: sign the envelope sender of our own users' messages,
   and only with an address that belongs to the submitter. */
#include <stdio.h>
#include <string.h>
#include "exim.h"

enum sx_origin { SX_NOT_OURS, SX_AUTH, SX_LOCAL, SX_RELAY };

static const char *const origin_names[] = {"", "authenticated", "local",
					   "relay host"};

static enum sx_origin
origin(const struct sx_msg *m, const char **submitter_r)
{
	*submitter_r = m->auth;
	if (*m->auth != '\0')
		return sender_host_address == NULL ? SX_LOCAL : SX_AUTH;
	if (sender_host_address == NULL) {
		*submitter_r = sx_expand("$sender_ident");
		return SX_LOCAL;
	}
	if (strcmp(m->relay, "1") == 0)
		return SX_RELAY;
	return SX_NOT_OURS;
}

/* Extra addresses the submitter may use, from an Exim lookup the ACL
   snippet put into $acl_m_signet_senders (a colon-separated list). */
static int
listed(const char *list, const char *addr)
{
	size_t n = strlen(addr);
	const char *p = list, *e;

	while (*p != '\0') {
		while (*p == ' ' || *p == ':')
			p++;
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		while (e > p && e[-1] == ' ')
			e--;
		if ((size_t)(e - p) == n && strncasecmp(p, addr, n) == 0)
			return 1;
		p = *e == ' ' ? e + 1 : e;
		while (*p == ' ')
			p++;
	}
	return 0;
}

static int
skip(const char *sender, const char *why)
{
	sx_log("sender <%s> not signed: %s", sender, why);
	return LOCAL_SCAN_ACCEPT;
}

/* Each site the message goes to may present the address a few times (a
   callout, another after greylisting, a bounce): allow that many uses
   beyond fade.max_uses, so that a message to 500 such sites is not
   deferred by the strict ones, while a replayed copy still fades. */
static void
grant(struct sx_msg *m, const char *owner, const char *signed_addr)
{
	long long per =
		signet_config_settings(m->s->cfg)->fade.uses_per_recipient;
	signet_store *store;
	const char *fault;

	if (per <= 0 || recipients_count <= 0 ||
	    (store = sx_store(m->s, m->now)) == NULL)
		return;
	if (signet_store_grant(store, signed_addr, owner,
			       (unsigned long long)per *
				       (unsigned long long)recipients_count,
			       0, m->now) != SIGNET_OK &&
	    (fault = signet_store_fault(store, m->now)) != NULL)
		sx_log("state store fault, <%s> gets only fade.max_uses: %s",
		       signed_addr, fault);
}

static void
issued(struct sx_msg *m, const char *sender, const char *signed_addr,
       const char *submitter)
{
	char key[16] = "?";
	const char *kv[16];
	size_t n = 0;
	int id;

	if (signet_keyring_signing_id(m->s->kr, SIGNET_KEY_ADDR, m->now, &id) ==
	    SIGNET_OK)
		snprintf(key, sizeof(key), "%d", id);
	sx_kv(kv, &n, "addr", signed_addr);
	sx_kv(kv, &n, "owner", sender);
	sx_kv(kv, &n, "submitter", submitter);
	sx_kv(kv, &n, "key", key);
	sx_kv(kv, &n, "exim_id", (const char *)message_id);
	sx_kv(kv, &n, "msgid", m->msgid);
	kv[n] = NULL;
	sx_log("issued <%s> for <%s> submitter=%s key=%s msgid=%s", signed_addr,
	       sender, submitter, key, m->msgid != NULL ? m->msgid : "(none)");
	sx_event(m->s, m->now, "issued", kv);
	grant(m, sender, signed_addr);
}

static int
may_use(const struct sx_msg *m, enum sx_origin o, const char *submitter,
	const char *sender)
{
	if (o == SX_RELAY)
		return 1;
	return *submitter != '\0' &&
	       (signet_config_may_send_as(m->s->cfg, submitter, sender) ||
		listed(sx_expand("$acl_m_signet_senders"), sender));
}

/* The submitter's own address: the login if it is an address, else the
   login at the domain of the address they tried to use.  0 if that is
   ours and theirs to use. */
static int
own_address(struct sx_msg *m, enum sx_origin o, const char *submitter,
	    const char *tried, char *own, size_t size)
{
	const char *at = strrchr(tried, '@');
	struct signet_addr a;
	int n;

	if (*submitter == '\0' || at == NULL)
		return -1;
	if (strchr(submitter, '@') != NULL)
		n = snprintf(own, size, "%s", submitter);
	else
		n = snprintf(own, size, "%s%s", submitter, at);
	if (n < 0 || (size_t)n >= size ||
	    signet_addr_parse(own, &a) != SIGNET_OK ||
	    !signet_config_is_local_domain(m->s->cfg, a.domain, a.domain_len) ||
	    !may_use(m, o, submitter, own))
		return -1;
	return 0;
}

/* The submitter may not use this address (base is the address itself, or
   the base of a signed one).  By default a message submitted with AUTH
   goes out with the submitter's own signed address as its envelope sender
   (From: is left alone), so that any bounce reaches the one who sent it;
   or it is refused, or sent without a signature. */
static int
refuse(struct sx_msg *m, enum sx_origin o, const char *sender,
       const char *base, const char *submitter, uschar **text_r)
{
	const char *kv[] = {"sender",  sender,	  "submitter",
			    submitter, "exim_id", (const char *)message_id,
			    NULL};
	const char *how =
		signet_config_settings(m->s->cfg)->unauthorised_sender;
	char own[SIGNET_ADDR_BUFSZ], out[SIGNET_ADDR_BUFSZ];
	signet_status st;

	sx_event(m->s, m->now, "unauthorised", kv);
	if (strcmp(how, "reject") == 0) {
		sx_log("sender <%s> refused: submitter '%s' may not use it",
		       sender, submitter);
		*text_r = string_sprintf("5.7.1 <%s>: you are logged in as "
					 "'%s', who may not send mail as this "
					 "address",
					 base, submitter);
		return LOCAL_SCAN_REJECT;
	}
	if (strcmp(how, "own") == 0 && o == SX_AUTH && m->s->kr != NULL &&
	    own_address(m, o, submitter, base, own, sizeof(own)) == 0) {
		st = signet_sign(m->s->kr, &m->s->lt,
				 signet_config_format(m->s->cfg), own, m->msgid,
				 m->now, out, sizeof(out));
		if (st == SIGNET_OK) {
			sender_address = string_copy(US out);
			sx_log("sender <%s> sent as <%s>: submitter '%s' may "
			       "not use <%s>, so bounces go back to them",
			       sender, out, submitter, base);
			issued(m, own, out, submitter);
			return LOCAL_SCAN_ACCEPT;
		}
		sx_log("sender <%s>: cannot sign the submitter's own <%s>: %s",
		       sender, own, signet_strerror(st));
	}
	if (strcmp(sender, base) != 0) {
		sender_address = string_copy(US base);
		sx_log("sender <%s> sent as <%s>: submitter '%s' may not use "
		       "its signature",
		       sender, base, submitter);
		return LOCAL_SCAN_ACCEPT;
	}
	return skip(sender, "the submitter may not use this address");
}

/* A user may resend with a signed address of their own (kept as it is);
   someone else's signed address is never passed on as the hub's word. */
static int
signed_sender(struct sx_msg *m, enum sx_origin o, const char *submitter,
	      const char *sender, uschar **text_r)
{
	char base[SIGNET_ADDR_BUFSZ];

	if (sx_base_of(sender, base, sizeof(base)) != 0 ||
	    may_use(m, o, submitter, base))
		return skip(sender, "already signed");
	return refuse(m, o, sender, base, submitter, text_r);
}

int
sx_sign_sender(struct sx_msg *m, uschar **text_r)
{
	char out[SIGNET_ADDR_BUFSZ];
	const char *sender = (const char *)sender_address, *submitter;
	enum sx_origin o = origin(m, &submitter);
	struct signet_addr a;
	signet_status st;

	if (o == SX_NOT_OURS)
		return LOCAL_SCAN_ACCEPT;
	if (m->bounce)
		return skip("", "null sender");
	if (m->s->cfg == NULL)
		return skip(sender, "configuration unusable");
	if (signet_addr_parse(sender, &a) != SIGNET_OK)
		return skip(sender, "not a plain address");
	if (!signet_config_is_local_domain(m->s->cfg, a.domain, a.domain_len))
		return skip(sender, "not one of our domains");
	if (signet_is_signed(sender))
		return signed_sender(m, o, submitter, sender, text_r);
	if (signet_config_is_exempt(m->s->cfg, sender))
		return skip(sender, "exempt");
	if (o == SX_RELAY &&
	    !signet_config_settings(m->s->cfg)->relay_hosts_sign)
		return skip(sender, "relay host, signing not enabled");
	if (!may_use(m, o, submitter, sender))
		return refuse(m, o, sender, sender, submitter, text_r);
	if (m->s->kr == NULL)
		return skip(sender, "no usable keyring");
	st = signet_sign(m->s->kr, &m->s->lt, signet_config_format(m->s->cfg),
			 sender, m->msgid, m->now, out, sizeof(out));
	if (st != SIGNET_OK)
		return skip(sender, signet_strerror(st));
	sender_address = string_copy(US out);
	issued(m, sender, out,
	       *submitter != '\0' ? submitter : origin_names[o]);
	return LOCAL_SCAN_ACCEPT;
}
