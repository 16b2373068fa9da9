/* Outgoing mail: the core decides whether and how the envelope sender of
   our users' messages is signed (signet_sign_decide); this file gives it
   Exim's view of the submitter and applies the answer. */
#include <stdio.h>
#include <string.h>
#include "exim.h"

static enum signet_origin
origin(const struct sx_msg *m, const char **submitter_r)
{
	*submitter_r = m->auth;
	if (*m->auth != '\0')
		return sender_host_address == NULL ? SIGNET_ORIGIN_LOCAL
						   : SIGNET_ORIGIN_AUTH;
	if (sender_host_address == NULL) {
		*submitter_r = sx_expand("$sender_ident");
		return SIGNET_ORIGIN_LOCAL;
	}
	if (strcmp(m->relay, "1") == 0)
		return SIGNET_ORIGIN_RELAY;
	return SIGNET_ORIGIN_NONE;
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
issued(struct sx_msg *m, const struct signet_sign_answer *a,
       const char *submitter)
{
	char key[16] = "?";
	const char *kv[16];
	size_t n = 0;

	sender_address = string_copy(US a->out);
	if (a->key_id >= 0)
		snprintf(key, sizeof(key), "%d", a->key_id);
	sx_kv(kv, &n, SIGNET_EK_ADDR, a->out);
	sx_kv(kv, &n, SIGNET_EK_OWNER, a->owner);
	sx_kv(kv, &n, SIGNET_EK_SUBMITTER, submitter);
	sx_kv(kv, &n, SIGNET_EK_KEY, key);
	sx_kv(kv, &n, SIGNET_EK_EXIM_ID, (const char *)message_id);
	sx_kv(kv, &n, SIGNET_EK_MSGID, m->msgid);
	kv[n] = NULL;
	sx_log("issued <%s> for <%s> submitter=%s key=%s msgid=%s", a->out,
	       a->owner, submitter, key,
	       m->msgid != NULL ? m->msgid : "(none)");
	sx_event(m->s, m->now, SIGNET_EV_ISSUED, kv);
	grant(m, a->owner, a->out);
}

static void
unauthorised(struct sx_msg *m, const char *sender, const char *submitter)
{
	const char *kv[] = {SIGNET_EK_SENDER,
			    sender,
			    SIGNET_EK_SUBMITTER,
			    submitter,
			    SIGNET_EK_EXIM_ID,
			    (const char *)message_id,
			    NULL};

	sx_event(m->s, m->now, SIGNET_EV_UNAUTHORISED, kv);
}

SX_HOT int
sx_sign_sender(struct sx_msg *m, uschar **text_r)
{
	const char *sender = (const char *)sender_address, *submitter, *why;
	struct signet_sign_in in = {
		.cfg = m->s->cfg,
		.kr = m->s->kr,
		.lt = &m->s->lt,
		.sender = m->bounce ? "" : sender,
	};
	struct signet_sign_answer a;
	const header_line *h;

	in.origin = origin(m, &submitter);
	in.submitter = submitter;
	/* only mail from our side is signed, for its Message-ID */
	if (in.origin != SIGNET_ORIGIN_NONE &&
	    (h = sx_find_header("Message-ID:")) != NULL)
		m->msgid = sx_header_value(h);
	in.msgid = m->msgid;
	/* keyed on the login; none for a bounce */
	if (*m->auth != '\0' && !m->bounce &&
	    (in.also = sx_acl("acl_signet_senders", &why)) == NULL) {
		sx_log("sender <%s>: message deferred: cannot look up the "
		       "addresses '%s' may send as (SIGNET_SENDERS_LOOKUP, "
		       "in acl_signet_senders): %s",
		       sender, submitter, why);
		*text_r = US "4.3.0 cannot look up the addresses you may send "
			     "as; please try again later";
		return LOCAL_SCAN_TEMPREJECT;
	}
	signet_sign_decide(&in, m->now, &a);
	if (a.unauthorised)
		unauthorised(m, sender, submitter);
	if (a.own_failed)
		sx_log("sender <%s>: cannot sign the submitter's own <%s>: %s",
		       sender, a.owner, signet_strerror(a.status));
	switch (a.action) {
	case SIGNET_SIGN_KEEP:
		if (a.why != NULL)
			sx_log("sender <%s> not signed: %s", in.sender, a.why);
		break;
	case SIGNET_SIGN_SIGNED:
		issued(m, &a,
		       *submitter != '\0' ? submitter
					  : signet_origin_name(in.origin));
		break;
	case SIGNET_SIGN_OWN:
		sx_log("sender <%s> sent as <%s>: submitter '%s' may not use "
		       "<%s>, so bounces go back to them",
		       sender, a.out, submitter, a.base);
		issued(m, &a, submitter);
		break;
	case SIGNET_SIGN_BASE:
		sender_address = string_copy(US a.out);
		sx_log("sender <%s> sent as <%s>: submitter '%s' may not use "
		       "its signature",
		       sender, a.out, submitter);
		break;
	case SIGNET_SIGN_REFUSE:
		sx_log("sender <%s> refused: submitter '%s' may not use it",
		       sender, submitter);
		*text_r = string_sprintf("5.7.1 <%s>: you are logged in as "
					 "'%s', who may not send mail as this "
					 "address",
					 a.base, submitter);
		return LOCAL_SCAN_REJECT;
	}
	return LOCAL_SCAN_ACCEPT;
}
