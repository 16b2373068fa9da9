/* RCPT-time answers: what signet_rcpt tells the ACL for one recipient.
   Bounces and callout probes both arrive here, so both get the same
   answer, and this is where a presentation of a signed address is
   counted. */
#include <stdio.h>
#include <string.h>
#include "module.h"

static void
answer(struct sx_rcpt_answer *a, enum sx_action action, const char *tag,
       const char *fmt, const char *rcpt)
{
	a->action = action;
	a->tag = tag;
	if (fmt == NULL)
		a->text[0] = '\0';
	else {
		/* fmt is one of the TXT_ literals below, each with one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(a->text, sizeof(a->text), fmt, rcpt);
#pragma GCC diagnostic pop
	}
}

#define TXT_INTERNAL                                                           \
	"451 4.3.0 <%s>: temporary local problem checking "                    \
	"this address; please try again later"
#define TXT_FADING                                                             \
	"450 4.7.1 <%s>: this signed return address is at "                    \
	"the end of its life or has been used unusually often; please try "    \
	"again later"
#define TXT_FORGED                                                             \
	"550 5.7.1 <%s>: this return address was not issued "                  \
	"by our mail system (its signature does not verify), so the "          \
	"message it belongs to was not sent by our user; it was probably "     \
	"forged"
#define TXT_EXPIRED                                                            \
	"550 5.7.1 <%s>: this signed return address has "                      \
	"expired; it was only valid for replies to a message sent from it "    \
	"within its lifetime"
#define TXT_REVOKED                                                            \
	"550 5.7.1 <%s>: this signed return address was "                      \
	"withdrawn by our postmaster"
#define TXT_ABUSE                                                              \
	"450 4.7.1 <%s>: too many forged return addresses of this user "     \
	"have been tried; please try again later"
#define TXT_UNSIGNED                                                           \
	"550 5.7.1 <%s>: our users' mail always carries a "                    \
	"signed return address and this one is not signed, so this bounce "    \
	"or verification is about mail we did not send (probably forged "      \
	"in our user's name)"

const char *
sx_verdict_word(signet_status st)
{
	switch (st) {
	case SIGNET_OK:
		return "valid";
	case SIGNET_NOT_SIGNED:
	case SIGNET_SKIPPED:
		return "none";
	case SIGNET_E_FADING:
		return "fading";
	case SIGNET_E_EXPIRED:
	case SIGNET_E_UNKNOWN_KEY:
		return "expired";
	case SIGNET_E_REVOKED:
		return "revoked";
	case SIGNET_E_SYNTAX:
	case SIGNET_E_FORGED:
	case SIGNET_E_FUTURE:
		return "forged";
	default:
		return "unverified";
	}
}

static void
answer_signed(struct sx_rcpt_answer *a, const char *rcpt, signet_status st)
{
	const char *w = sx_verdict_word(st);

	if (st == SIGNET_OK)
		answer(a, SX_ACCEPT, w, NULL, rcpt);
	else if (st == SIGNET_E_FADING)
		answer(a, SX_DEFER, w, TXT_FADING, rcpt);
	else if (signet_status_class(st) == SIGNET_CLASS_DEFER)
		answer(a, SX_DEFER, "unverified", TXT_INTERNAL, rcpt);
	else if (st == SIGNET_E_REVOKED)
		answer(a, SX_REJECT, w, TXT_REVOKED, rcpt);
	else if (st == SIGNET_E_EXPIRED || st == SIGNET_E_UNKNOWN_KEY)
		answer(a, SX_REJECT, w, TXT_EXPIRED, rcpt);
	else
		answer(a, SX_REJECT, "forged", TXT_FORGED, rcpt);
}

/* A store fault leaves the crypto verdict alone; logged once a minute. */
static void
log_fault(signet_store *store, time_t now)
{
	const char *fault = signet_store_fault(store, now);

	if (fault != NULL)
		sx_log("state store fault, using the signature alone: %s",
		       fault);
}

/* Counts the presentation and lets the store turn a good verdict into
   fading or revoked. */
static signet_status
apply_store(struct sx_state *s, struct sx_rcpt_answer *a, const char *rcpt,
	    time_t now, signet_status st)
{
	signet_store *store = sx_store(s, now);

	if (store == NULL)
		return st;
	if (signet_store_hit(store, rcpt, a->v.base, a->v.issued, a->v.dies,
			     now, &a->usage) != SIGNET_OK) {
		log_fault(store, now);
		return st;
	}
	a->counted = 1;
	return signet_usage_apply(s->cfg, &a->usage, st);
}

/* Guessing: forged attempts are counted per mailbox and per client
   network (signet_guess_check); past fade.max_forged for a mailbox within
   fade.forged_window_hours, every signed address of it answers 450, right
   or wrong, so further guesses tell the guesser nothing.  1: locked. */
static int
guess_locked(struct sx_state *s, signet_store *store, const char *base,
	     const char *peer, signet_status st, time_t now)
{
	struct signet_guess g;

	if (signet_guess_check(store, s->cfg, base, peer, st, now, &g) !=
	    SIGNET_OK) {
		log_fault(store, now);
		return 0;
	}
	if (g.reached)
		sx_log("forged return addresses of <%s> tried %llu times "
		       "(%llu from %s): signed addresses of it answer 450 "
		       "until %lld hours without another",
		       g.mailbox, g.count, g.net_count, g.net,
		       signet_config_get_int(s->cfg, "fade.forged_window_hours",
					     24));
	return g.locked;
}

static void
check_unsigned(struct sx_state *s, const char *rcpt, const char *sender,
	       struct sx_rcpt_answer *a)
{
	if (*sender != '\0' || signet_config_is_exempt(s->cfg, rcpt)) {
		answer(a, SX_ACCEPT, "none", NULL, rcpt);
		return;
	}
	switch (signet_config_null_policy(s->cfg)) {
	case SIGNET_NULL_STRICT:
		answer(a, SX_REJECT, "unsigned-bounce", TXT_UNSIGNED, rcpt);
		break;
	case SIGNET_NULL_TAG:
		answer(a, SX_ACCEPT, "unsigned-bounce", NULL, rcpt);
		break;
	default:
		answer(a, SX_ACCEPT, "none", NULL, rcpt);
		break;
	}
}

void
sx_rcpt_check(struct sx_state *s, const char *rcpt, const char *sender,
	      const char *peer, time_t now, struct sx_rcpt_answer *a_r)
{
	struct signet_addr pa;
	signet_store *store;
	signet_status st;

	memset(a_r, 0, sizeof(*a_r));
	if (sender == NULL)
		sender = "";
	a_r->is_signed = signet_is_signed(rcpt);
	if (signet_addr_parse(rcpt, &pa) != SIGNET_OK) {
		/* Exim checked the syntax; whatever this is, it is not ours. */
		answer(a_r, SX_ACCEPT, "none", NULL, rcpt);
		return;
	}
	if (s->cfg == NULL) {
		a_r->v.status = SIGNET_E_CONFIG;
		if (a_r->is_signed || *sender == '\0')
			answer(a_r, SX_DEFER, "unverified", TXT_INTERNAL, rcpt);
		else
			answer(a_r, SX_ACCEPT, "none", NULL, rcpt);
		return;
	}
	if (!signet_config_is_local_domain(s->cfg, pa.domain, pa.domain_len)) {
		answer(a_r, SX_ACCEPT, "foreign", NULL, rcpt);
		return;
	}
	/* Without keys a signed address cannot be checked (exempt or not),
	   and our own mail may have left unsigned, so even a bounce to an
	   unsigned address cannot be refused for good. */
	if (s->kr == NULL &&
	    (a_r->is_signed ||
	     (*sender == '\0' && !signet_config_is_exempt(s->cfg, rcpt)))) {
		a_r->v.status = SIGNET_E_KEYRING;
		answer(a_r, SX_DEFER, "unverified", TXT_INTERNAL, rcpt);
		return;
	}
	if (!a_r->is_signed) {
		a_r->v.status = SIGNET_NOT_SIGNED;
		check_unsigned(s, rcpt, sender, a_r);
		return;
	}
	st = signet_verify(s->kr, &s->lt, rcpt, now, &a_r->v);
	store = a_r->v.base[0] != '\0' && signet_status_class(st) !=
						     SIGNET_CLASS_DEFER
			? sx_store(s, now)
			: NULL;
	if (store != NULL &&
	    guess_locked(s, store, a_r->v.base, peer, st, now)) {
		a_r->v.status = st;
		answer(a_r, SX_DEFER, "abuse", TXT_ABUSE, rcpt);
		return;
	}
	if (st == SIGNET_OK || st == SIGNET_E_FADING)
		st = apply_store(s, a_r, rcpt, now, st);
	a_r->v.status = st;
	answer_signed(a_r, rcpt, st);
}
