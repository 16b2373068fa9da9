/* signet_rcpt_decide without a store: the answers for faults, foreign and
   plain addresses, bounces under each null-sender policy, and signed
   addresses.  (With a store, against the real Exim daemon:
   tests/store/exim.sh, "agree-*".) */
#include <stdio.h>
#include <string.h>

#include "json-internal.h"
#include "t.h"

#define NOW ((time_t)1795332600) /* 2026-11-22 */

static signet_config *
config(const char *policy)
{
	char text[256];
	signet_config *cfg = NULL;
	char err[SIGNET_ERR_BUFSZ];

	snprintf(text, sizeof(text),
		 "{\"domains\": [\"isp.example\"], \"null_sender_policy\": "
		 "\"%s\", \"verify_formats\": [\"signet\", \"prvs\"]}",
		 policy);
	if (signet_config_parse(text, strlen(text), "t.json", &cfg, err,
				sizeof(err)) != SIGNET_OK)
		printf("config: %s\n", err);
	return cfg;
}

static struct signet_rcpt_answer a;

static int
is(const struct signet_rcpt_in *in, const char *rcpt, signet_class cls,
   enum signet_rv rv)
{
	signet_rcpt_decide(in, rcpt, NOW, &a);
	return a.cls == cls && a.verdict == rv;
}

int
main(void)
{
	signet_config *strict = config("strict"), *tag = config("tag"),
		      *off = config("off");
	signet_keyring *kr = NULL;
	char closed[SIGNET_ADDR_BUFSZ], prvs[SIGNET_ADDR_BUFSZ],
		forged[SIGNET_ADDR_BUFSZ];
	struct signet_lifetimes lt;
	struct signet_rcpt_in in = {.sender = ""};
	int id;

	t_suite = "unit-decide";
	if (strict == NULL || tag == NULL || off == NULL ||
	    signet_keyring_new(&kr) != SIGNET_OK ||
	    signet_keyring_add(kr, SIGNET_KEY_ADDR, NOW - 86400, 90 * 86400,
			       150 * 86400, &id) != SIGNET_OK)
		return 1;
	signet_config_lifetimes(strict, &lt);
	if (signet_sign(kr, &lt, SIGNET_FMT_SIGNET, "alice@isp.example",
			"<m@isp.example>", NOW, closed,
			sizeof(closed)) != SIGNET_OK ||
	    signet_sign(kr, &lt, SIGNET_FMT_PRVS, "alice@isp.example", NULL,
			NOW, prvs, sizeof(prvs)) != SIGNET_OK)
		return 1;
	/* one character of the tag changed; not the last, whose low bits
	   may be padding */
	snprintf(forged, sizeof(forged), "%s", closed);
	if (strstr(forged, "=sg") == NULL)
		return 1;
	{
		char *c = strstr(forged, "=sg") + 5; /* in S, after K */

		*c = *c == 'a' ? 'b' : 'a';
	}

	/* no configuration: what needs a check waits, the rest passes */
	T_OK("no configuration: a signed address defers",
	     is(&in, closed, SIGNET_CLASS_DEFER, SIGNET_RV_UNVERIFIED) &&
		     a.status == SIGNET_E_CONFIG);
	T_OK("no configuration: a bounce defers",
	     is(&in, "alice@isp.example", SIGNET_CLASS_DEFER,
		SIGNET_RV_UNVERIFIED));
	in.sender = "bob@remote.example";
	T_OK("no configuration: ordinary mail passes",
	     is(&in, "alice@isp.example", SIGNET_CLASS_ACCEPT, SIGNET_RV_NONE));

	in.cfg = strict;
	in.sender = "";
	T_OK("no keys: a signed address defers",
	     is(&in, closed, SIGNET_CLASS_DEFER, SIGNET_RV_UNVERIFIED) &&
		     a.status == SIGNET_E_KEYRING);
	T_OK("no keys: a bounce to a plain address defers, never 5xx",
	     is(&in, "alice@isp.example", SIGNET_CLASS_DEFER,
		SIGNET_RV_UNVERIFIED));
	T_OK("no keys: a bounce to an exempt address passes",
	     is(&in, "postmaster@isp.example", SIGNET_CLASS_ACCEPT,
		SIGNET_RV_NONE));

	in.kr = kr;
	T_OK("another domain is not ours",
	     is(&in, "alice@remote.example", SIGNET_CLASS_ACCEPT,
		SIGNET_RV_FOREIGN));
	T_OK("strict: a bounce to a plain address is refused",
	     is(&in, "alice@isp.example", SIGNET_CLASS_REJECT,
		SIGNET_RV_UNSIGNED_BOUNCE));
	in.cfg = tag;
	T_OK("tag: accepted and marked",
	     is(&in, "alice@isp.example", SIGNET_CLASS_ACCEPT,
		SIGNET_RV_UNSIGNED_BOUNCE));
	in.cfg = off;
	T_OK("off: accepted as ordinary",
	     is(&in, "alice@isp.example", SIGNET_CLASS_ACCEPT, SIGNET_RV_NONE));
	in.cfg = strict;
	in.sender = NULL;
	T_OK("judged alone: a plain address passes",
	     is(&in, "alice@isp.example", SIGNET_CLASS_ACCEPT, SIGNET_RV_NONE));
	T_OK("judged alone: no address at all is refused",
	     is(&in, "alice at isp.example", SIGNET_CLASS_REJECT,
		SIGNET_RV_FORGED) &&
		     a.status == SIGNET_E_SYNTAX);
	in.sender = "";
	T_OK("from the MTA: what is not an address is not ours",
	     is(&in, "alice at isp.example", SIGNET_CLASS_ACCEPT,
		SIGNET_RV_NONE));

	/* lt NULL: the configuration's lifetimes (prvs accepted) */
	T_OK("valid closed address",
	     is(&in, closed, SIGNET_CLASS_ACCEPT, SIGNET_RV_VALID) &&
		     strcmp(a.v.base, "alice@isp.example") == 0);
	T_OK("valid prvs address, lifetimes from the configuration",
	     is(&in, prvs, SIGNET_CLASS_ACCEPT, SIGNET_RV_VALID));
	T_OK("forged address refused",
	     is(&in, forged, SIGNET_CLASS_REJECT, SIGNET_RV_FORGED));
	in.lt = &lt;
	signet_rcpt_decide(&in, closed, NOW + 46 * 86400, &a);
	T_OK("in its grace: 450 fading",
	     a.cls == SIGNET_CLASS_DEFER && a.verdict == SIGNET_RV_FADING);
	signet_rcpt_decide(&in, closed, NOW + 60 * 86400, &a);
	T_OK("past its grace: 550 expired",
	     a.cls == SIGNET_CLASS_REJECT && a.verdict == SIGNET_RV_EXPIRED);

	/* the boundaries, to the second, of the clock passed in */
	{
		static const struct {
			const char *name;
			int at; /* 0 issued, 1 expires, 2 dies */
			long long off;
			signet_class cls;
			enum signet_rv rv;
		} edge[] = {
			{"skew: the earliest clock that accepts it", 0, -300,
			 SIGNET_CLASS_ACCEPT, SIGNET_RV_VALID},
			{"skew: a second earlier it is from the future", 0,
			 -301, SIGNET_CLASS_REJECT, SIGNET_RV_FORGED},
			{"the last second of its lifetime: valid", 1, -1,
			 SIGNET_CLASS_ACCEPT, SIGNET_RV_VALID},
			{"the first second of its grace: 450", 1, 0,
			 SIGNET_CLASS_DEFER, SIGNET_RV_FADING},
			{"the last second of its grace: 450", 2, -1,
			 SIGNET_CLASS_DEFER, SIGNET_RV_FADING},
			{"the first second after its grace: 550 expired", 2, 0,
			 SIGNET_CLASS_REJECT, SIGNET_RV_EXPIRED},
		};
		struct signet_verdict v0;
		time_t base[3];

		signet_rcpt_decide(&in, closed, NOW, &a);
		v0 = a.v;
		base[0] = v0.issued;
		base[1] = v0.expires;
		base[2] = v0.dies;
		T_OK("edges: the address's times are known",
		     v0.issued > 0 && v0.expires > v0.issued &&
			     v0.dies > v0.expires);
		for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
			signet_rcpt_decide(
				&in, closed,
				base[edge[i].at] + (time_t)edge[i].off, &a);
			T_OK(edge[i].name,
			     a.cls == edge[i].cls && a.verdict == edge[i].rv);
		}
	}

	signet_keyring_free(&kr);
	signet_config_free(&strict);
	signet_config_free(&tag);
	signet_config_free(&off);
	return t_failed ? 1 : 0;
}
