/* RCPT-time answers: the core decides (signet_rcpt_decide); this file
   gives the decision its SMTP reply and logs what the store reported. */
#include <stdio.h>
#include <string.h>
#include "module.h"

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
	"450 4.7.1 <%s>: too many forged return addresses of this user "       \
	"have been tried; please try again later"
#define TXT_UNSIGNED                                                           \
	"550 5.7.1 <%s>: our users' mail always carries a "                    \
	"signed return address and this one is not signed, so this bounce "    \
	"or verification is about mail we did not send (probably forged "      \
	"in our user's name)"

/* The reply text for a deferred or refused RCPT; NULL for an accepted
   one.  Each text has one %s, the address. */
static const char *
reply_format(const struct signet_rcpt_answer *d)
{
	if (d->cls == SIGNET_CLASS_ACCEPT)
		return NULL;
	switch (d->verdict) {
	case SIGNET_RV_FADING:
		return TXT_FADING;
	case SIGNET_RV_ABUSE:
		return TXT_ABUSE;
	case SIGNET_RV_REVOKED:
		return TXT_REVOKED;
	case SIGNET_RV_EXPIRED:
		return TXT_EXPIRED;
	case SIGNET_RV_UNSIGNED_BOUNCE:
		return TXT_UNSIGNED;
	case SIGNET_RV_FORGED:
		return TXT_FORGED;
	default:
		break;
	}
	/* a fault of ours, never a 5xx */
	return TXT_INTERNAL;
}

void
sx_rcpt_check(struct sx_state *s, const char *rcpt, const char *sender,
	      const char *peer, time_t now, struct sx_rcpt_answer *a_r)
{
	struct signet_rcpt_in in = {
		.ctx = s->ctx,
		.cfg = s->cfg,
		.kr = s->kr,
		.lt = &s->lt,
		.sender = sender != NULL ? sender : "",
		.peer = peer,
		.mode = SIGNET_RCPT_COUNT,
	};
	struct signet_rcpt_answer *d = &a_r->d;
	const char *fmt;

	signet_rcpt_decide(&in, rcpt, now, d);
	if (d->store_fault) {
		const char *fault = signet_store_fault(sx_store(s, now), now);

		if (fault != NULL)
			sx_log("state store fault, using the signature alone: "
			       "%s",
			       fault);
	}
	if (d->guess.reached)
		sx_log("forged return addresses of <%s> tried %llu times "
		       "(%llu from %s): signed addresses of it answer 450 "
		       "until %lld hours without another",
		       d->guess.mailbox, d->guess.count, d->guess.net_count,
		       d->guess.net,
		       signet_config_settings(s->cfg)
			       ->fade.forged_window_hours);
	fmt = reply_format(d);
	if (fmt == NULL) {
		a_r->text[0] = '\0';
		return;
	}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(a_r->text, sizeof(a_r->text), fmt, rcpt);
#pragma GCC diagnostic pop
}
