/* The signing decision: which envelope senders of our users' messages are
   signed, and what a submitter gets who tries an address not theirs. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

static const char *const origin_names[] = {"", "authenticated", "local",
					   "relay host"};

const char *
signet_origin_name(enum signet_origin o)
{
	return (unsigned)o < sizeof(origin_names) / sizeof(origin_names[0])
		       ? origin_names[o]
		       : "";
}

/* Is addr in the host's own colon-separated list of extra addresses? */
static int
listed(const char *list, const char *addr)
{
	size_t n = strlen(addr);
	const char *p = list, *e;

	if (list == NULL)
		return 0;
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
may_use(const struct signet_sign_in *in, const char *addr)
{
	if (in->origin == SIGNET_ORIGIN_RELAY)
		return 1;
	return *in->submitter != '\0' &&
	       (signet_config_may_send_as(in->cfg, in->submitter, addr) ||
		listed(in->also, addr));
}

static void
sign(const struct signet_sign_in *in, const char *owner, time_t now,
     struct signet_sign_answer *a)
{
	struct signet_lifetimes lt;
	const struct signet_lifetimes *l = in->lt;

	if (l == NULL) {
		signet_config_lifetimes(in->cfg, &lt);
		l = &lt;
	}
	a->status = signet_sign(in->kr, l, signet_config_format(in->cfg), owner,
				in->msgid, now, a->out, sizeof(a->out));
	if (a->status == SIGNET_OK) {
		snprintf(a->owner, sizeof(a->owner), "%s", owner);
		if (signet_keyring_signing_id(in->kr, SIGNET_KEY_ADDR, now,
					      &a->key_id) != SIGNET_OK)
			a->key_id = -1;
	}
}

/* The submitter's own address: the login if it is an address, else the
   login at the domain of the address they tried.  0 when it is ours and
   theirs to use. */
static int
own_address(const struct signet_sign_in *in, const char *tried, char *own,
	    size_t size)
{
	const char *at = strrchr(tried, '@');
	struct signet_addr a;
	int n;

	if (*in->submitter == '\0' || at == NULL)
		return -1;
	if (strchr(in->submitter, '@') != NULL)
		n = snprintf(own, size, "%s", in->submitter);
	else
		n = snprintf(own, size, "%s%s", in->submitter, at);
	if (n < 0 || (size_t)n >= size ||
	    signet_addr_parse(own, &a) != SIGNET_OK ||
	    !signet_config_is_local_domain(in->cfg, a.domain, a.domain_len) ||
	    !may_use(in, own))
		return -1;
	return 0;
}

/* The submitter may not use base (the sender itself, or the base of a
   signed sender).  By default, a message submitted with AUTH goes out
   with the submitter's own signed address as its envelope sender (From:
   is left alone), so that a bounce reaches the one who sent it.  Returns
   why the sender is kept, or NULL. */
static const char *
refuse(const struct signet_sign_in *in, const char *base, time_t now,
       struct signet_sign_answer *a)
{
	enum signet_unauthorised how =
		signet_config_settings(in->cfg)->unauthorised;
	char own[SIGNET_ADDR_BUFSZ];

	a->unauthorised = 1;
	snprintf(a->base, sizeof(a->base), "%s", base);
	if (how == SIGNET_UNAUTH_REJECT) {
		a->action = SIGNET_SIGN_REFUSE;
		return NULL;
	}
	if (how == SIGNET_UNAUTH_OWN && in->origin == SIGNET_ORIGIN_AUTH &&
	    in->kr != NULL && own_address(in, base, own, sizeof(own)) == 0) {
		sign(in, own, now, a);
		if (a->status == SIGNET_OK) {
			a->action = SIGNET_SIGN_OWN;
			return NULL;
		}
		a->own_failed = 1;
		snprintf(a->owner, sizeof(a->owner), "%s", own);
		a->out[0] = '\0';
	}
	if (strcmp(in->sender, base) != 0) {
		a->action = SIGNET_SIGN_BASE;
		snprintf(a->out, sizeof(a->out), "%s", base);
		return NULL;
	}
	return "the submitter may not use this address";
}

/* Why the sender is kept as it is, or NULL when a is decided. */
static const char *
decide(const struct signet_sign_in *in, time_t now,
       struct signet_sign_answer *a)
{
	struct signet_addr ad;
	char base[SIGNET_ADDR_BUFSZ];

	if (*in->sender == '\0')
		return "null sender";
	if (in->cfg == NULL)
		return "configuration unusable";
	if (signet_addr_parse(in->sender, &ad) != SIGNET_OK)
		return "not a plain address";
	if (!signet_config_is_local_domain(in->cfg, ad.domain, ad.domain_len))
		return "not one of our domains";
	/* A user may resend with a signed address of their own (kept as it
	   is); someone else's is never passed on as the hub's word. */
	if (signet_is_signed(in->sender)) {
		if (signet_base_of(in->sender, base, sizeof(base)) !=
			    SIGNET_OK ||
		    may_use(in, base))
			return "already signed";
		return refuse(in, base, now, a);
	}
	if (signet_config_is_exempt(in->cfg, in->sender))
		return "exempt";
	if (in->origin == SIGNET_ORIGIN_RELAY &&
	    !signet_config_settings(in->cfg)->relay_hosts_sign)
		return "relay host, signing not enabled";
	if (!may_use(in, in->sender))
		return refuse(in, in->sender, now, a);
	if (in->kr == NULL)
		return "no usable keyring";
	sign(in, in->sender, now, a);
	if (a->status != SIGNET_OK)
		return signet_strerror(a->status);
	a->action = SIGNET_SIGN_SIGNED;
	return NULL;
}

SIGNET_HOT void
signet_sign_decide(const struct signet_sign_in *in, time_t now,
		   struct signet_sign_answer *a_r)
{
	memset(a_r, 0, sizeof(*a_r));
	a_r->key_id = -1;
	a_r->status = SIGNET_SKIPPED;
	a_r->action = SIGNET_SIGN_KEEP;
	if (in->origin != SIGNET_ORIGIN_NONE)
		a_r->why = decide(in, now, a_r);
}
