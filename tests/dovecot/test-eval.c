/* Unit tests of the plugin's decisions (dovecot-plugin/signet-eval.c),
   with real seals made by the core. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../unit/t.h"
#include "signet-eval.h"

static signet_keyring *kr, *other;
static time_t now;
/* the delivered message's Message-ID */
static const char *message_id;

/* sealed() binds the record to the message (msg=) as the hub does, unless
   kv names msg itself or no_msg is set */
static int no_msg;
/* the delivered message's Date, From and Subject (the binding without a
   Message-ID) */
static const char *hdr_date, *hdr_from, *hdr_subject;

static const char *
sealed(const signet_keyring *k, const char *rcpt, const char *const *kv)
{
	static char out[8][SIGNET_HEADER_BUFSZ];
	static int slot;
	struct signet_prov p;
	char *o = out[slot++ % 8], bind[SIGNET_PROV_MSG_BUFSZ];
	int has_msg = no_msg;

	for (const char *const *f = kv; *f != NULL; f += 2)
		has_msg |= strcmp(*f, "msg") == 0;
	signet_prov_init(&p);
	if (signet_prov_add(&p, "v", "1") != SIGNET_OK)
		abort();
	if (!has_msg) {
		signet_prov_msg(message_id, hdr_date, hdr_from, hdr_subject,
				bind);
		if (signet_prov_add(&p, "msg", bind) != SIGNET_OK)
			abort();
	}
	for (; *kv != NULL; kv += 2) {
		if (signet_prov_add(&p, kv[0], kv[1]) != SIGNET_OK)
			abort();
	}
	if (signet_prov_seal(k, &p, rcpt, now, o, SIGNET_HEADER_BUFSZ) !=
	    SIGNET_OK)
		abort();
	return o;
}

static const char *const domains[] = { "isp.example", "dept.cam.ac.uk" };
/* run()'s clock, if not the sealing one, and its seal age limit */
static time_t later;
static long long max_age;

static void
run(const char *const *prov, size_t n, const char *from,
    struct sdp_output *out)
{
	struct signet_eval_in in;

	memset(&in, 0, sizeof(in));
	in.rcpt[0] = "alice@isp.example";
	in.prov = prov;
	in.prov_count = n;
	in.from_domain = from;
	in.message_id = message_id;
	in.date = hdr_date;
	in.from = hdr_from;
	in.subject = hdr_subject;
	in.domains = domains;
	in.domain_count = 2;
	in.kr = kr;
	in.now = later != 0 ? later : now;
	in.seal_max_age = max_age;
	sdp_evaluate(&in, out);
}

int
main(void)
{
	static const char *const bounce[] = {
		"verdict", "valid", "owner", "alice@isp.example", "issued",
		"2026-11-20T14:03:00Z", "bounce", "yes", "bind", "match",
		"tls", "TLS1.3", "pfs", "yes", NULL
	};
	static const char *const mismatch[] = {
		"verdict", "valid", "owner", "alice@isp.example", "bounce",
		"yes", "bind", "mismatch", "tls", "TLS1.3", "pfs", "yes", NULL
	};
	static const char *const unbound[] = {
		"verdict", "valid", "owner", "alice@isp.example", "bounce",
		"yes", "bind", "unknown", "tls", "TLS1.3", "pfs", "yes", NULL
	};
	/* Exim's own report: no link, so neither TLS nor insecure */
	static const char *const hub_report[] = {
		"verdict", "valid", "owner", "alice@isp.example", "bounce",
		"yes", "bind", "match", "tls", "none", "pfs", "no", "peer",
		"local", "origin", "hub", NULL
	};
	static const char *const plain[] = {
		"verdict", "none", "tls", "none", "pfs", "no", "helo",
		"a\r\nX: y", "peer", "192.0.2.1", NULL
	};
	struct sdp_output out;
	const char *h[3];
	char folded[1024];
	int id;

	t_suite = "dovecot";
	now = time(NULL);
	if (signet_keyring_new(&kr) != SIGNET_OK ||
	    signet_keyring_add(kr, SIGNET_KEY_SEAL, now - 10, 86400,
			       400 * 86400LL, &id) != SIGNET_OK ||
	    signet_keyring_new(&other) != SIGNET_OK ||
	    signet_keyring_add(other, SIGNET_KEY_SEAL, now - 10, 86400, 86400,
			       &id) != SIGNET_OK ||
	    signet_keyring_add(other, SIGNET_KEY_SEAL, now - 10, 86400, 86400,
			       &id) != SIGNET_OK)
		return 1;

	h[0] = sealed(kr, "alice@isp.example", bounce);
	run(h, 1, "mx.example.org", &out);
	T_OK("eval-verified", out.e.result == SIGNET_RESULT_VERIFIED &&
				      out.e.prov_idx == 0 && out.tags == 0 &&
				      out.keywords == 1u << SDP_KW_VERIFIED);
	T_STREQ("eval-verified-line", out.e.line,
		"genuine reply to your message of 20 Nov 14:03 UTC sent as "
		"alice@isp.example; arrived at isp.example over TLS1.3");

	h[0] = sealed(kr, "alice@isp.example", hub_report);
	run(h, 1, NULL, &out);
	T_OK("eval-hub-report", out.e.result == SIGNET_RESULT_VERIFIED && !out.e.insecure);
	T_STREQ("eval-hub-report-line", out.e.line,
		"genuine reply to a message sent as alice@isp.example; "
		"a delivery report made by isp.example itself");

	/* the header for bob first, then alice's: alice's is found */
	h[0] = sealed(kr, "bob@isp.example", mismatch);
	h[1] = sealed(kr, "alice@isp.example", bounce);
	run(h, 2, NULL, &out);
	T_OK("eval-picks-own-header", out.e.result == SIGNET_RESULT_VERIFIED &&
					      out.e.prov_idx == 1);

	h[0] = sealed(kr, "alice@isp.example", mismatch);
	run(h, 1, NULL, &out);
	T_OK("eval-bind-mismatch-forged",
	     out.e.result == SIGNET_RESULT_FORGED &&
		     (out.keywords & 1u << SDP_KW_VERIFIED) == 0 &&
		     (out.keywords & 1u << SDP_KW_PHISHING) != 0);

	/* A seal is trusted for seal_max_age: a header replayed 100 days
	   later is not (the key still verifies then). */
	h[0] = sealed(kr, "alice@isp.example", bounce);
	max_age = 30 * 86400LL;
	later = now + 20 * 86400;
	run(h, 1, NULL, &out);
	T_OK("eval-seal-within-window", out.e.result == SIGNET_RESULT_VERIFIED);
	later = now + 100 * 86400;
	run(h, 1, NULL, &out);
	T_OK("eval-seal-too-old-unverified",
	     out.e.result == SIGNET_RESULT_UNVERIFIED && out.e.prov_idx == -1 &&
		     strstr(out.e.line, "too long ago") != NULL);
	later = now - 3600;
	run(h, 1, NULL, &out);
	T_OK("eval-seal-from-the-future-unverified",
	     out.e.result == SIGNET_RESULT_UNVERIFIED);
	later = 0;
	max_age = 0;

	h[0] = sealed(kr, "alice@isp.example", unbound);
	run(h, 1, NULL, &out);
	T_OK("eval-bind-unknown-is-its-own-result",
	     out.e.result == SIGNET_RESULT_UNBOUND &&
		     (out.keywords & 1u << SDP_KW_UNBOUND) != 0 &&
		     (out.keywords & 1u << SDP_KW_VERIFIED) == 0 &&
		     strncmp(out.e.line, "UNCONFIRMED REPLY", 17) == 0);

	h[0] = sealed(other, "alice@isp.example", bounce);
	run(h, 1, NULL, &out);
	/* other's newest key has id 1, which kr does not hold */
	T_OK("eval-unknown-seal-key-unverified",
	     out.e.result == SIGNET_RESULT_UNVERIFIED && out.e.prov_idx == -1);

	{
		char bad[SIGNET_HEADER_BUFSZ];
		char *seal;

		strcpy(bad, sealed(kr, "alice@isp.example", bounce));
		seal = strstr(bad, "seal=");
		seal[5] = seal[5] == 'a' ? 'b' : 'a';
		h[0] = bad;
		run(h, 1, NULL, &out);
		T_OK("eval-bad-seal-forged",
		     out.e.result == SIGNET_RESULT_FORGED && out.e.prov_idx == -1 &&
			     out.tags == 1u << SDP_TAG_FORGED);
	}

	h[0] = sealed(kr, "bob@isp.example", bounce);
	run(h, 1, NULL, &out);
	T_OK("eval-other-rcpt-sealed-unverified",
	     out.e.result == SIGNET_RESULT_UNVERIFIED && out.e.prov_idx == -1 &&
		     strstr(out.e.line, "another address") != NULL);
	{
		signet_keyring *k0;

		/* a key with the same id as ours but other secret */
		if (signet_keyring_new(&k0) != SIGNET_OK ||
		    signet_keyring_add(k0, SIGNET_KEY_SEAL, now - 10, 86400,
				       86400, &id) != SIGNET_OK)
			return 1;
		h[0] = sealed(k0, "bob@isp.example", bounce);
		run(h, 1, NULL, &out);
		T_OK("eval-other-rcpt-bad-seal-forged",
		     out.e.result == SIGNET_RESULT_FORGED &&
			     strstr(out.e.line, "not made by") != NULL);
		signet_keyring_free(&k0);
	}

	/* msg= binds a record to its message's Message-ID */
	{
		char mine[9], theirs[9];
		const char *kv[sizeof(bounce) / sizeof(bounce[0]) + 2];
		size_t n = 0;

		snprintf(mine, sizeof(mine), "%08x",
			 (unsigned int)signet_message_binding("<m1@t>"));
		snprintf(theirs, sizeof(theirs), "%08x",
			 (unsigned int)signet_message_binding("<m2@t>"));
		kv[n++] = "msg";
		kv[n++] = mine;
		for (size_t i = 0; bounce[i] != NULL; i++)
			kv[n++] = bounce[i];
		kv[n] = NULL;
		h[0] = sealed(kr, "alice@isp.example", kv);
		message_id = " <m1@t>";
		run(h, 1, NULL, &out);
		T_OK("eval-msg-same-message-verified",
		     out.e.result == SIGNET_RESULT_VERIFIED && out.e.prov_idx == 0);
		message_id = "<m2@t>";
		run(h, 1, NULL, &out);
		T_OK("eval-msg-other-message-forged",
		     out.e.result == SIGNET_RESULT_FORGED && out.e.prov_idx == -1 &&
			     out.tags == 1u << SDP_TAG_FORGED &&
			     (out.keywords & 1u << SDP_KW_PHISHING) != 0 &&
			     strstr(out.e.line, "copied from another message") !=
				     NULL);
		message_id = NULL;
		run(h, 1, NULL, &out);
		T_OK("eval-msg-no-message-id-forged",
		     out.e.result == SIGNET_RESULT_FORGED && out.e.prov_idx == -1);
		/* without a Message-ID the record is bound to Date, From
		   and Subject, folding and spacing aside */
		message_id = NULL;
		hdr_date = "Sun, 22 Nov 2026 07:00:00 +0000";
		hdr_from = "<MAILER-DAEMON@mx.example.org>";
		hdr_subject = "Undelivered  mail";
		h[0] = sealed(kr, "alice@isp.example", bounce);
		hdr_subject = "Undelivered\r\n\tmail ";
		run(h, 1, NULL, &out);
		T_OK("eval-no-message-id-bound-to-fields",
		     out.e.result == SIGNET_RESULT_VERIFIED);
		hdr_subject = "Something else";
		run(h, 1, NULL, &out);
		T_OK("eval-no-message-id-other-fields-forged",
		     out.e.result == SIGNET_RESULT_FORGED &&
			     strstr(out.e.line, "copied from another") != NULL);
		hdr_date = hdr_from = hdr_subject = NULL;
		/* a record without msg= (made by a hub before every record
		   named its message) would fit any message: never verified,
		   but not forged either (the hub made it) */
		no_msg = 1;
		h[0] = sealed(kr, "alice@isp.example", bounce);
		for (int with_id = 1; with_id >= 0; with_id--) {
			message_id = with_id ? "<m1@t>" : NULL;
			run(h, 1, NULL, &out);
			T_OK(with_id ? "eval-no-msg-field-unverified" :
				       "eval-no-msg-field-no-id-unverified",
			     out.e.result == SIGNET_RESULT_UNVERIFIED &&
				     out.e.prov_idx == -1 &&
				     (out.keywords & 1u << SDP_KW_VERIFIED) ==
					     0 &&
				     strstr(out.e.line, "does not say which "
						      "message") != NULL);
		}
		/* for another address: the hub's, but for no message in
		   particular: unverified, not forged */
		h[0] = sealed(kr, "bob@isp.example", bounce);
		no_msg = 0;
		run(h, 1, NULL, &out);
		T_OK("eval-no-msg-field-other-rcpt-unverified",
		     out.e.result == SIGNET_RESULT_UNVERIFIED);
		/* the genuine record of another message, for another
		   address, is not taken for an alias's */
		kv[1] = theirs;
		h[0] = sealed(kr, "bob@isp.example", kv);
		message_id = "<m1@t>";
		run(h, 1, NULL, &out);
		T_OK("eval-msg-other-rcpt-other-message-forged",
		     out.e.result == SIGNET_RESULT_FORGED &&
			     strstr(out.e.line, "copied from another") != NULL);
		kv[1] = mine;
		h[0] = sealed(kr, "bob@isp.example", kv);
		run(h, 1, NULL, &out);
		T_OK("eval-msg-other-rcpt-same-message-unverified",
		     out.e.result == SIGNET_RESULT_UNVERIFIED &&
			     strstr(out.e.line, "another address") != NULL);
		message_id = NULL;
	}

	h[0] = "this is not a provenance header";
	run(h, 1, NULL, &out);
	T_OK("eval-unreadable-unverified", out.e.result == SIGNET_RESULT_UNVERIFIED);

	run(h, 0, NULL, &out);
	T_OK("eval-no-header-unverified", out.e.result == SIGNET_RESULT_UNVERIFIED);

	h[0] = sealed(kr, "alice@isp.example", plain);
	run(h, 1, "dept.dam.ac.uk", &out);
	T_OK("eval-lookalike", out.e.lookalike && out.e.insecure &&
				       (out.tags & 1u << SDP_TAG_LOOKALIKE) &&
				       (out.keywords & 1u << SDP_KW_LOOKALIKE));
	T_OK("eval-no-control-chars",
	     strpbrk(out.e.line, "\r\n\t") == NULL &&
		     strstr(out.e.line, "from a??X:?y [192.0.2.1]") != NULL);

	run(h, 1, "dept.cam.ac.uk", &out);
	T_OK("eval-own-domain-not-lookalike", !out.e.lookalike);

	/* "isp.example" with a Cyrillic i, as UTF-8 and as punycode */
	run(h, 1, "\xd1\x96sp.example", &out);
	T_OK("eval-lookalike-utf8-confusable", out.e.lookalike);
	run(h, 1, "xn--sp-goc.example", &out);
	T_OK("eval-lookalike-punycode-confusable", out.e.lookalike);

	{
		struct signet_eval_in in;

		memset(&in, 0, sizeof(in));
		in.rcpt[0] = "alice@isp.example";
		in.prov = h;
		in.prov_count = 1;
		in.now = now;
		sdp_evaluate(&in, &out);
		T_OK("eval-no-keyring-unverified",
		     out.e.result == SIGNET_RESULT_UNVERIFIED &&
			     strstr(out.e.line, "server fault") != NULL);
	}

	/* mutated headers: no crash, and never a verified result */
	{
		char base[SIGNET_HEADER_BUFSZ], buf[SIGNET_HEADER_BUFSZ];
		unsigned int seed = 12345, bad = 0;
		size_t len;

		strcpy(base, sealed(kr, "alice@isp.example", bounce));
		len = strlen(base);
		for (int i = 0; i < 20000; i++) {
			memcpy(buf, base, len + 1);
			for (int j = 0; j < 1 + i % 4; j++) {
				seed = seed * 1103515245u + 12345u;
				buf[(seed >> 8) % len] = (char)(seed >> 20);
			}
			if (strlen(buf) == len && strcmp(buf, base) == 0)
				continue;
			h[0] = buf;
			run(h, 1, buf, &out);
			/* a change in folding white space keeps the seal */
			if (out.e.result == SIGNET_RESULT_VERIFIED &&
			    strstr(buf, "seal=") == NULL)
				bad++;
			if (strpbrk(out.e.line, "\r\n") != NULL)
				bad++;
		}
		T_OK("eval-mutated-headers", bad == 0);
	}

	sdp_fold("aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk "
		 "llll mmmm nnnn oooo pppp qqqq rrrr ssss",
		 strlen("Signet-Result: "), folded, sizeof(folded));
	T_STREQ("fold-at-76", folded,
		"aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll\n"
		"\tmmmm nnnn oooo pppp qqqq rrrr ssss");

	signet_keyring_free(&kr);
	signet_keyring_free(&other);
	return t_failed == 0 ? 0 : 1;
}
