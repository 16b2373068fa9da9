/* The RCPT decision: one answer for Exim's ACL, its local_scan and
   signet verify.  Bounces and callout probes arrive alike, so both get
   the same answer, and this is where a presentation is counted. */
#include <string.h>

#include "internal.h"

static void
answer(struct signet_rcpt_answer *a, signet_class cls, enum signet_rv rv)
{
	a->cls = cls;
	a->verdict = rv;
}

SIGNET_HOT enum signet_rv
signet_rcpt_unsigned(const signet_config *cfg, int bounce)
{
	return bounce && signet_config_null_policy(cfg) != SIGNET_NULL_OFF
		       ? SIGNET_RV_UNSIGNED_BOUNCE
		       : SIGNET_RV_NONE;
}

/* A plain address of ours: only a bounce to it says something. */
static void
decide_unsigned(const struct signet_rcpt_in *in, const char *rcpt,
		struct signet_rcpt_answer *a)
{
	int bounce = in->sender != NULL && *in->sender == '\0';

	if (!bounce || signet_config_is_exempt(in->cfg, rcpt)) {
		answer(a, SIGNET_CLASS_ACCEPT, SIGNET_RV_NONE);
		return;
	}
	if (signet_config_null_policy(in->cfg) == SIGNET_NULL_STRICT)
		answer(a, SIGNET_CLASS_REJECT, SIGNET_RV_UNSIGNED_BOUNCE);
	else
		answer(a, SIGNET_CLASS_ACCEPT,
		       signet_rcpt_unsigned(in->cfg, bounce));
}

/* The answer a signature's verdict (after the store) gives. */
static void
decide_signed(struct signet_rcpt_answer *a, signet_status st)
{
	enum signet_rv rv = signet_rv_of_status(st);

	a->status = st;
	if (st == SIGNET_OK)
		answer(a, SIGNET_CLASS_ACCEPT, rv);
	else if (st == SIGNET_E_FADING)
		answer(a, SIGNET_CLASS_DEFER, rv);
	else if (signet_status_class(st) == SIGNET_CLASS_DEFER)
		answer(a, SIGNET_CLASS_DEFER, SIGNET_RV_UNVERIFIED);
	else
		/* any other refusal of the signature: never issued by us */
		answer(a, SIGNET_CLASS_REJECT,
		       rv == SIGNET_RV_UNVERIFIED ? SIGNET_RV_FORGED : rv);
}

/* prvs carries only its expiry day: dated to the start of the day it
   was signed on, the earliest it can have been, so that a base revoked
   that day covers it (too early errs on the side of the revocation). */
static time_t
issued_of(const struct signet_verdict *v, const struct signet_lifetimes *lt)
{
	if (v->issued > 0)
		return v->issued;
	if (v->expires <= 0)
		return 0;
	return v->expires - (time_t)lt->prvs_lifetime - 86400;
}

/* Use counts and revocation: they can only turn a good verdict into
   fading or revoked.  LOOK predicts the count this RCPT would make. */
static signet_status
apply_store(const struct signet_rcpt_in *in, const char *rcpt, time_t now,
	    signet_status st, struct signet_rcpt_answer *a)
{
	time_t issued = issued_of(&a->v, in->lt);
	struct signet_usage next;
	signet_status s;

	if (in->mode == SIGNET_RCPT_COUNT)
		s = signet_store_hit(in->store, rcpt, a->v.base, issued,
				     a->v.dies, now, &a->usage);
	else
		s = signet_store_lookup(in->store, rcpt, a->v.base, issued, now,
					&a->usage);
	if (s != SIGNET_OK) {
		a->store_fault = 1;
		return st;
	}
	a->have_usage = 1;
	a->counted = in->mode == SIGNET_RCPT_COUNT;
	next = a->usage;
	if (!a->counted) {
		next.count++;
		next.base_count++;
	}
	return signet_usage_apply(in->cfg, &next, st);
}

/* Guessing: past fade.max_forged forged attempts on a mailbox, every
   signed address of it answers 450, right or wrong, so further guesses
   tell the guesser nothing.  1: locked. */
static int
guess_locked(const struct signet_rcpt_in *in, signet_status st, time_t now,
	     struct signet_rcpt_answer *a)
{
	signet_status s;

	if (in->mode == SIGNET_RCPT_COUNT)
		s = signet_guess_check(in->store, in->cfg, a->v.base, in->peer,
				       st, now, &a->guess);
	else
		s = signet_guess_peek(in->store, in->cfg, a->v.base, in->peer,
				      st, now, &a->guess);
	if (s != SIGNET_OK) {
		a->store_fault = 1;
		return 0;
	}
	return a->guess.locked;
}

SIGNET_HOT void
signet_rcpt_decide(const struct signet_rcpt_in *in_arg, const char *rcpt,
		   time_t now, struct signet_rcpt_answer *a_r)
{
	struct signet_rcpt_in own = *in_arg;
	const struct signet_rcpt_in *in = &own;
	struct signet_lifetimes def;
	struct signet_addr pa;
	int bounce = in->sender != NULL && *in->sender == '\0';
	signet_status st;

	memset(a_r, 0, sizeof(*a_r));
	a_r->v.key_id = -1;
	if (own.ctx != NULL) {
		own.cfg = signet_ctx_config(own.ctx);
		own.kr = signet_ctx_keyring(own.ctx);
		own.lt = signet_ctx_lifetimes(own.ctx);
	}
	if (own.lt == NULL) {
		/* no lifetimes given: the configuration's, or the defaults */
		if (own.cfg != NULL)
			signet_config_lifetimes(own.cfg, &def);
		else
			signet_lifetimes_default(&def);
		own.lt = &def;
	}
	a_r->is_signed = signet_is_signed(rcpt);
	if (signet_addr_parse(rcpt, &pa) != SIGNET_OK) {
		/* The MTA checked the syntax: whatever it is, it is not
		   ours.  Judged alone, it is no address at all. */
		a_r->status = a_r->v.status = SIGNET_E_SYNTAX;
		if (in->sender == NULL)
			answer(a_r, SIGNET_CLASS_REJECT, SIGNET_RV_FORGED);
		else
			answer(a_r, SIGNET_CLASS_ACCEPT, SIGNET_RV_NONE);
		return;
	}
	if (in->cfg == NULL) {
		a_r->status = SIGNET_E_CONFIG;
		if (a_r->is_signed || bounce)
			answer(a_r, SIGNET_CLASS_DEFER, SIGNET_RV_UNVERIFIED);
		else
			answer(a_r, SIGNET_CLASS_ACCEPT, SIGNET_RV_NONE);
		return;
	}
	if (!signet_config_is_local_domain(in->cfg, pa.domain, pa.domain_len)) {
		answer(a_r, SIGNET_CLASS_ACCEPT, SIGNET_RV_FOREIGN);
		return;
	}
	/* Without keys a signed address cannot be checked (exempt or not),
	   and our own mail may have left unsigned, so even a bounce to an
	   unsigned address cannot be refused for good. */
	if (in->kr == NULL &&
	    (a_r->is_signed ||
	     (bounce && !signet_config_is_exempt(in->cfg, rcpt)))) {
		a_r->status = SIGNET_E_KEYRING;
		answer(a_r, SIGNET_CLASS_DEFER, SIGNET_RV_UNVERIFIED);
		return;
	}
	if (!a_r->is_signed) {
		a_r->status = a_r->v.status = SIGNET_NOT_SIGNED;
		decide_unsigned(in, rcpt, a_r);
		return;
	}
	/* opened only for what needs it */
	if (own.ctx != NULL && own.store == NULL)
		own.store = signet_ctx_store(own.ctx, now);
	st = signet_verify_parsed(in->kr, in->lt, rcpt, &pa, now, &a_r->v);
	if (in->store != NULL && a_r->v.base[0] != '\0' &&
	    signet_status_class(st) != SIGNET_CLASS_DEFER &&
	    guess_locked(in, st, now, a_r)) {
		a_r->status = st;
		answer(a_r, SIGNET_CLASS_DEFER, SIGNET_RV_ABUSE);
		return;
	}
	if (in->store != NULL && (st == SIGNET_OK || st == SIGNET_E_FADING))
		st = apply_store(in, rcpt, now, st, a_r);
	decide_signed(a_r, st);
}
