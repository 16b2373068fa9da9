/* Address formats and the provenance header, from the vectors in
   tests/vectors/ (written by an independent implementation, gen.py) and
   against the real Exim's ${prvs} and ${prvscheck}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "t.h"

#define DAY 86400

static void
set_key(signet_keyring *kr, enum signet_key_purpose p, int id,
	const char *hex, time_t created)
{
	struct signet_key *k = &kr->keys[kr->n++];

	memset(k, 0, sizeof(*k));
	k->id = id;
	k->purpose = p;
	k->created = created;
	k->signs_until = created + 90 * DAY;
	k->verifies_until = created + 150 * DAY;
	if (signet_hex_decode(hex, 64, k->secret) != 0)
		abort();
	memcpy(k->secret_hex, hex, 65);
	signet_key_prepare(k);
}

/* Lifetimes that accept prvs as well as the closed format. */
static struct signet_lifetimes both;

static signet_keyring *
ring1(enum signet_key_purpose p, int id, const char *hex, time_t now)
{
	signet_keyring *kr = calloc(1, sizeof(*kr));

	kr->cap = SIGNET_KEYS_MAX;
	kr->keys = calloc(kr->cap, sizeof(kr->keys[0]));
	set_key(kr, p, id, hex, now - DAY);
	return kr;
}

static void
test_vectors(const char *file, int closed, int v1)
{
	FILE *f = fopen(file, "r");
	char line[1024], hex[80], mid[256], addr[300], want[300], out[300];
	char name[400];
	long long now;
	int id, days, n = 0;

	T_OK(file, f != NULL);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct signet_lifetimes lt;
		struct signet_verdict v;
		signet_keyring *kr;
		signet_status st;

		if (line[0] == '#')
			continue;
		if (closed && sscanf(line, "%79s %d %lld %255s %299s %299s",
				     hex, &id, &now, mid, addr, want) != 6)
			continue;
		if (!closed && sscanf(line, "%79s %d %lld %d %299s %299s", hex,
				      &id, &now, &days, addr, want) != 6)
			continue;
		n++;
		signet_lifetimes_default(&lt);
		lt.formats = both.formats;
		kr = ring1(SIGNET_KEY_ADDR, id, hex, (time_t)now);
		/* version 1 addresses are verified, no longer made */
		if (!v1) {
			st = signet_sign(
				kr, &lt,
				closed ? SIGNET_FMT_SIGNET : SIGNET_FMT_PRVS,
				addr, closed && strcmp(mid, "-") ? mid : NULL,
				(time_t)now, out, sizeof(out));
			snprintf(name, sizeof(name), "%s sign %s", file, addr);
			T_STREQ(name,
				st == SIGNET_OK ? out : signet_status_name(st),
				want);
		}
		st = signet_verify(kr, &lt, want, (time_t)now + 60, &v);
		snprintf(name, sizeof(name), "%s verify %s", file, want);
		T_OK(name, st == SIGNET_OK && strcasecmp(v.base, addr) == 0 &&
				   v.key_id == id);
		if (closed) {
			snprintf(name, sizeof(name), "%s binding %s", file,
				 addr);
			T_OK(name, strcmp(mid, "-") == 0 ?
					   !v.has_binding :
					   v.has_binding &&
						   v.binding ==
							   signet_message_binding(
								   mid));
			snprintf(name, sizeof(name), "%s issued %s", file, addr);
			T_OK(name, v.issued == (time_t)(v1 ? now / 60 * 60 :
							      now));
		}
		signet_keyring_free(&kr);
	}
	fclose(f);
	T_OK("vectors read", n >= 6);
}

/* Every single-character change of a signed address must fail. */
static void
test_tamper(void)
{
	signet_keyring *kr = ring1(SIGNET_KEY_ADDR, 4,
				   "a3f1c2e4b5d60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
				   1795334400);
	const char *fmts[] = { "closed", "prvs" };
	char signed_[300], t[300];
	int bad[2] = { 0, 0 }, tries[2] = { 0, 0 };

	for (int f = 0; f < 2; f++) {
		struct signet_verdict v;

		if (signet_sign(kr, &both, f ? SIGNET_FMT_PRVS : SIGNET_FMT_SIGNET,
				"alice@isp.example", "<m@x>", 1795334400,
				signed_, sizeof(signed_)) != SIGNET_OK)
			abort();
		for (size_t i = 0; signed_[i] != '\0'; i++) {
			const char *subst = "a7=Z.";

			for (const char *c = subst; *c; c++) {
				signet_status st;

				if (signed_[i] == *c ||
				    (signed_[i] ^ 0x20) == *c)
					continue;
				strcpy(t, signed_);
				t[i] = *c;
				tries[f]++;
				st = signet_verify(kr, &both, t,
						   1795334400 + 60, &v);
				/* A changed base is another address, which
				   must not verify either. */
				if (st == SIGNET_OK)
					bad[f]++;
			}
		}
		char name[64];

		snprintf(name, sizeof(name),
			 "%s: no tampered variant verifies (%d tried)", fmts[f],
			 tries[f]);
		T_OK(name, bad[f] == 0 && tries[f] > 50);
	}
	signet_keyring_free(&kr);
}

static void
test_lifetimes(void)
{
	const char *hex =
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	time_t t0 = 1795334400;
	signet_keyring *kr = ring1(SIGNET_KEY_ADDR, 0, hex, t0);
	struct signet_lifetimes lt;
	struct signet_verdict v;
	char a[300], up[300];

	kr->keys[0].verifies_until = t0 + 400 * DAY;
	signet_lifetimes_default(&lt);
	lt.formats = both.formats;
	if (signet_sign(kr, &lt, SIGNET_FMT_SIGNET, "alice@isp.example", NULL,
			t0, a, sizeof(a)) != SIGNET_OK)
		abort();
	T_OK("closed: valid at 44 days",
	     signet_verify(kr, &lt, a, t0 + 44 * DAY, &v) == SIGNET_OK);
	T_OK("closed: fading at 46 days",
	     signet_verify(kr, &lt, a, t0 + 46 * DAY, &v) == SIGNET_E_FADING);
	T_OK("closed: expired at 53 days",
	     signet_verify(kr, &lt, a, t0 + 53 * DAY, &v) == SIGNET_E_EXPIRED);
	T_OK("closed: future issue time refused",
	     signet_verify(kr, &lt, a, t0 - 3600, &v) == SIGNET_E_FUTURE);
	for (size_t i = 0; a[i]; i++)
		up[i] = (char)(a[i] >= 'a' && a[i] <= 'z' ? a[i] - 32 : a[i]);
	up[strlen(a)] = '\0';
	T_OK("closed: upper-cased address still verifies",
	     signet_verify(kr, &lt, up, t0 + DAY, &v) == SIGNET_OK);

	/* prvs: expiry day in the tag, compared mod 1000 (day 999 is not
	   forever, unlike Exim's check). */
	if (signet_sign(kr, &lt, SIGNET_FMT_PRVS, "alice@isp.example", NULL,
			t0, a, sizeof(a)) != SIGNET_OK)
		abort();
	T_OK("prvs: valid on its 7th day",
	     signet_verify(kr, &lt, a, t0 + 7 * DAY, &v) == SIGNET_OK);
	T_OK("prvs: fading after expiry day",
	     signet_verify(kr, &lt, a, t0 + 8 * DAY, &v) == SIGNET_E_FADING);
	T_OK("prvs: expired after grace",
	     signet_verify(kr, &lt, a, t0 + 16 * DAY, &v) == SIGNET_E_EXPIRED);
	T_OK("prvs: expired 500 days later (no wrap-around)",
	     signet_verify(kr, &lt, a, t0 + 300 * DAY, &v) ==
		     SIGNET_E_EXPIRED);
	for (size_t i = 0; a[i]; i++)
		up[i] = (char)(a[i] >= 'a' && a[i] <= 'z' ? a[i] - 32 : a[i]);
	up[strlen(a)] = '\0';
	T_OK("prvs: upper-cased tag and address verify",
	     signet_verify(kr, &lt, up, t0 + DAY, &v) == SIGNET_OK);
	a[5] = '5';
	T_OK("prvs: unknown key id",
	     signet_verify(kr, &lt, a, t0 + DAY, &v) ==
		     SIGNET_E_UNKNOWN_KEY);
	T_OK("plain address is not signed",
	     signet_verify(kr, &lt, "alice@isp.example", t0, &v) ==
				     SIGNET_NOT_SIGNED &&
		     strcmp(v.base, "alice@isp.example") == 0);
	T_OK("no key: sign says so",
	     signet_sign(kr, &lt, SIGNET_FMT_SIGNET, "bob@isp.example", NULL,
			 t0 + 200 * DAY, a, sizeof(a)) == SIGNET_E_NO_KEY);
	signet_keyring_free(&kr);
}

static void
test_sign_rules(void)
{
	signet_keyring *kr = ring1(SIGNET_KEY_ADDR, 1,
				   "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
				   1795334400);
	char a[300], base[80];
	struct signet_verdict v;

	T_OK("null sender is not signed",
	     signet_sign(kr, &both, SIGNET_FMT_SIGNET, "", NULL, 1795334400, a,
			 sizeof(a)) == SIGNET_E_SYNTAX);
	T_OK("quoted local part is passed through",
	     signet_sign(kr, &both, SIGNET_FMT_SIGNET, "\"a b\"@isp.example",
			 NULL, 1795334400, a, sizeof(a)) == SIGNET_SKIPPED);
	T_OK("already signed is not signed again",
	     signet_sign(kr, &both, SIGNET_FMT_SIGNET,
			 "prvs=0786eb1105=alice@isp.example", NULL, 1795334400,
			 a, sizeof(a)) == SIGNET_SKIPPED);
	memset(base, 'x', 40);
	strcpy(base + 40, "@isp.example");
	T_OK("40-octet base falls back to prvs",
	     signet_sign(kr, &both, SIGNET_FMT_SIGNET, base, NULL, 1795334400,
			 a, sizeof(a)) == SIGNET_OK &&
		     strncmp(a, "prvs=", 5) == 0 && strlen(a) - 12 <= 64);
	T_OK("fallback verifies",
	     signet_verify(kr, &both, a, 1795334400 + 60, &v) == SIGNET_OK);
	memset(base, 'x', 49);
	strcpy(base + 49, "@isp.example");
	T_OK("49-octet base is too long for both",
	     signet_sign(kr, &both, SIGNET_FMT_SIGNET, base, NULL, 1795334400,
			 a, sizeof(a)) == SIGNET_E_TOO_LONG);
	memset(base, 'x', 34);
	strcpy(base + 34, "@isp.example");
	T_OK("34-octet base fits the closed format in 64",
	     signet_sign(kr, &both, SIGNET_FMT_SIGNET, base, NULL, 1795334400,
			 a, sizeof(a)) == SIGNET_OK &&
		     strchr(a, '@') - a == 64);
	/* Found by fuzzing: a base that starts like a prvs tag, and a base
	   whose signed form would pass the 254-octet path limit. */
	T_OK("base starting with prvs= is not signed",
	     signet_sign(kr, &both, SIGNET_FMT_SIGNET,
			 "prvs=0786eb110e@isp.example", NULL, 1795334400, a,
			 sizeof(a)) == SIGNET_SKIPPED);
	{
		char longd[260];

		strcpy(longd, "bob@");
		for (int i = 0; i < 5; i++)
			strcat(longd, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
		strcat(longd, "example");
		T_OK("long domain: signed form over 254 octets is too long",
		     signet_sign(kr, &both, SIGNET_FMT_SIGNET, longd, NULL,
				 1795334400, a, sizeof(a)) ==
			     SIGNET_E_TOO_LONG);
	}
	T_OK("small buffer is refused",
	     signet_sign(kr, &both, SIGNET_FMT_SIGNET, "alice@isp.example",
			 NULL, 1795334400, a, 20) == SIGNET_E_BUFFER);
	signet_keyring_free(&kr);
}

static void
test_addr(void)
{
	static const struct {
		const char *a;
		signet_status want;
	} cases[] = {
		{ "alice@isp.example", SIGNET_OK },
		{ "a.b+c=d@x.y", SIGNET_OK },
		{ "\"quoted name\"@isp.example", SIGNET_OK },
		{ "user@[192.0.2.1]", SIGNET_OK },
		{ "", SIGNET_E_SYNTAX },
		{ "@isp.example", SIGNET_E_SYNTAX },
		{ "alice@", SIGNET_E_SYNTAX },
		{ "alice", SIGNET_E_SYNTAX },
		{ ".alice@isp.example", SIGNET_E_SYNTAX },
		{ "al..ice@isp.example", SIGNET_E_SYNTAX },
		{ "alice.@isp.example", SIGNET_E_SYNTAX },
		{ "al ice@isp.example", SIGNET_E_SYNTAX },
		{ "<alice@isp.example>", SIGNET_E_SYNTAX },
		{ "alice@-isp.example", SIGNET_E_SYNTAX },
		{ "alice@isp..example", SIGNET_E_SYNTAX },
		{ "alice@isp.example.", SIGNET_E_SYNTAX },
		{ "\"unterminated@isp.example", SIGNET_E_SYNTAX },
		{ "a\"b@isp.example", SIGNET_E_SYNTAX },
	};
	char buf[400], name[500];
	struct signet_addr a;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "addr '%s' -> %s", cases[i].a,
			 signet_status_name(cases[i].want));
		T_OK(name, signet_addr_parse(cases[i].a, &a) == cases[i].want);
	}
	memset(buf, 'a', 65);
	strcpy(buf + 65, "@x.y");
	T_OK("addr: 65-octet local part refused",
	     signet_addr_parse(buf, &a) == SIGNET_E_SYNTAX);
	memset(buf, 'a', 64);
	strcpy(buf + 64, "@x.y");
	T_OK("addr: 64-octet local part accepted",
	     signet_addr_parse(buf, &a) == SIGNET_OK);
}

static void
test_prov(void)
{
	signet_keyring *kr = ring1(SIGNET_KEY_SEAL, 2,
				   "a3f1c2e4b5d60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
				   1795334400);
	struct signet_prov p, q;
	char out[SIGNET_HEADER_BUFSZ], bad[SIGNET_HEADER_BUFSZ];
	time_t now = 1795334400;
	int long_line = 0;
	char *s, *field;

	signet_prov_init(&p);
	T_OK("prov: add fields",
	     signet_prov_add(&p, "v", "1") == SIGNET_OK &&
		     signet_prov_add(&p, "verdict", "valid") == SIGNET_OK &&
		     signet_prov_add(&p, "cipher",
				     "TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256") ==
			     SIGNET_OK &&
		     signet_prov_add(&p, "helo", "evil; verdict=valid %0A") ==
			     SIGNET_OK);
	T_OK("prov: bad key refused",
	     signet_prov_add(&p, "Bad Key", "x") == SIGNET_E_SYNTAX);
	T_OK("prov: seal",
	     signet_prov_seal(kr, &p, "alice@isp.example", now, out,
			      sizeof(out)) == SIGNET_OK);
	strcpy(bad, out);
	for (s = bad; (field = strsep(&s, "\n")) != NULL;) {
		if (strlen(field) + (field == bad ? 19 : 0) > 78)
			long_line = 1;
	}
	T_OK("prov: folded lines fit 78 columns", !long_line);
	signet_prov_init(&q);
	T_OK("prov: a caller's rcpt field is refused",
	     signet_prov_add(&q, "rcpt", "alice@isp.example") == SIGNET_OK &&
		     signet_prov_seal(kr, &q, "alice@isp.example", now, bad,
				      sizeof(bad)) == SIGNET_E_SYNTAX);
	T_OK("prov: sealing twice is refused",
	     signet_prov_seal(kr, &p, "alice@isp.example", now, bad,
			      sizeof(bad)) == SIGNET_E_SYNTAX);
	T_OK("prov: parse", signet_prov_parse(out, &q) == SIGNET_OK);
	/* the tag of a Python HMAC-SHA256, not of our own code */
	T_STREQ("prov: rcpt is the recipient's tag, not its address",
		signet_prov_get(&q, "rcpt"), "6bb0500bd3f103213155");
	T_OK("prov: the header never names the recipient",
	     strstr(out, "alice") == NULL);
	T_OK("prov: is for alice, whatever the case",
	     signet_prov_is_for(kr, &q, "Alice@ISP.example", now) == 1);
	T_OK("prov: is not for bob",
	     signet_prov_is_for(kr, &q, "bob@isp.example", now) == 0);
	T_OK("prov: the seal alone checks without the recipient",
	     signet_prov_verify(kr, &q, NULL, now) == SIGNET_OK);
	T_STREQ("prov: hostile value round-trips", signet_prov_get(&q, "helo"),
		"evil; verdict=valid %0A");
	T_OK("prov: only one verdict field", q.nfields == p.nfields);
	T_OK("prov: verify",
	     signet_prov_verify(kr, &q, "ALICE@isp.example", now) == SIGNET_OK);
	T_OK("prov: other recipient refused",
	     signet_prov_verify(kr, &q, "bob@isp.example", now) ==
		     SIGNET_E_BAD_SEAL);
	strcpy(bad, out);
	*strstr(bad, "valid") = 'V';
	T_OK("prov: changed field breaks the seal",
	     signet_prov_parse(bad, &q) == SIGNET_OK &&
		     signet_prov_verify(kr, &q, "alice@isp.example", now) ==
			     SIGNET_E_BAD_SEAL);
	strcpy(bad, out);
	s = strstr(bad, " k=2");
	if (s == NULL)
		s = strstr(bad, "\tk=2");
	s[1] = 'x';
	T_OK("prov: missing key id is a bad header",
	     signet_prov_parse(bad, &q) == SIGNET_OK &&
		     signet_prov_verify(kr, &q, "alice@isp.example", now) ==
			     SIGNET_E_BAD_HEADER);
	strcpy(bad, out);
	strstr(bad, "k=2")[2] = '7';
	T_OK("prov: unknown seal key cannot be checked",
	     signet_prov_parse(bad, &q) == SIGNET_OK &&
		     signet_prov_verify(kr, &q, "alice@isp.example", now) ==
			     SIGNET_E_NO_KEY);
	T_OK("prov: unknown seal key: cannot tell whose",
	     signet_prov_is_for(kr, &q, "alice@isp.example", now) == -1);
	strcpy(bad, out);
	memcpy(strstr(bad, "rcpt=") + 5, "00000000000000000000", 20);
	T_OK("prov: a changed tag is another recipient's, and breaks the seal",
	     signet_prov_parse(bad, &q) == SIGNET_OK &&
		     signet_prov_is_for(kr, &q, "alice@isp.example", now) ==
			     0 &&
		     signet_prov_verify(kr, &q, NULL, now) ==
			     SIGNET_E_BAD_SEAL);
	T_OK("prov: garbage is a bad header",
	     signet_prov_parse("v=1; this is not; a header", &q) ==
		     SIGNET_E_BAD_HEADER);
	T_OK("prov: empty is a bad header",
	     signet_prov_parse("  ", &q) == SIGNET_E_BAD_HEADER);
	T_OK("prov: %00 refused",
	     signet_prov_parse("a=%00", &q) == SIGNET_E_BAD_HEADER);
	signet_keyring_free(&kr);
}

/* Exim's own ${prvs} and ${prvscheck}, both ways. */
static void
test_exim_interop(void)
{
	const char *hex =
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	time_t now = time(NULL);
	signet_keyring *kr = ring1(SIGNET_KEY_ADDR, 3, hex, now);
	char ours[300], theirs[300], cmd[1024];
	struct signet_verdict v;
	FILE *p;

	if (system("command -v exim4 >/dev/null 2>&1") != 0) {
		T_OK("exim4 installed for interop tests", 0);
		signet_keyring_free(&kr);
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "exim4 -be '${prvs{alice.smith@isp.example}{%s}{3}}'", hex);
	p = popen(cmd, "r");
	if (p == NULL || fgets(theirs, sizeof(theirs), p) == NULL)
		theirs[0] = '\0';
	if (p != NULL)
		pclose(p);
	theirs[strcspn(theirs, "\n")] = '\0';
	T_OK("exim: our sign equals ${prvs} of the lower-cased address",
	     signet_sign(kr, &both, SIGNET_FMT_PRVS, "Alice.Smith@isp.example",
			 NULL, now, ours, sizeof(ours)) == SIGNET_OK &&
		     strcmp(ours, theirs) == 0);
	T_OK("exim: ${prvs} address passes our verify",
	     signet_verify(kr, &both, theirs, now, &v) == SIGNET_OK);
	/* Checking is case-insensitive (tag and address). */
	for (char *c = theirs; *c; c++)
		*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
	T_OK("exim: upper-cased ${prvs} address passes our verify",
	     signet_verify(kr, &both, theirs, now, &v) == SIGNET_OK);
	snprintf(cmd, sizeof(cmd),
		 "exim4 -be '${if eq{${prvscheck{%s}{%s}{}}}{}{bad}{ok=$prvscheck_result}}'",
		 ours, hex);
	p = popen(cmd, "r");
	if (p == NULL || fgets(theirs, sizeof(theirs), p) == NULL)
		theirs[0] = '\0';
	if (p != NULL)
		pclose(p);
	T_OK("exim: our address passes ${prvscheck}",
	     strncmp(theirs, "ok=1", 4) == 0);
	signet_keyring_free(&kr);
}

static void
test_status(void)
{
	T_OK("status: ok accepts",
	     signet_status_class(SIGNET_OK) == SIGNET_CLASS_ACCEPT);
	T_OK("status: fading defers",
	     signet_status_class(SIGNET_E_FADING) == SIGNET_CLASS_DEFER);
	T_OK("status: no key defers",
	     signet_status_class(SIGNET_E_NO_KEY) == SIGNET_CLASS_DEFER);
	T_OK("status: forged rejects",
	     signet_status_class(SIGNET_E_FORGED) == SIGNET_CLASS_REJECT);
	T_STREQ("status: name", signet_status_name(SIGNET_E_UNKNOWN_KEY),
		"unknown-key");
	for (int s = 0; s < 300; s++) {
		if (strcmp(signet_status_name((signet_status)s),
			   "unknown-status") != 0 &&
		    strlen(signet_strerror((signet_status)s)) < 5)
			T_OK("status: every status has a text", 0);
	}
}

/* The hand-written parser against the C library, and what it refuses. */
static void
test_time_parse(void)
{
	static const char *const bad[] = {
		"2027-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
		"2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
		"2026-11-00T00:00:00Z", "2026-11-22T24:00:00Z",
		"2026-11-22T23:60:00Z", "2026-11-22T23:59:60Z",
		"2026-11-22T07:30:00z", "2026-11-22 07:30:00Z",
		"2026-11-22T07:30:00",	"2026-11-22T07:30:00Z ",
		"1969-12-31T23:59:59Z", "2026-1a-22T07:30:00Z",
		"+026-11-22T07:30:00Z", ""};
	char buf[32];
	int ok = 1;

	/* every day from 1970 to 2120, at a time that moves through the
	   day, round-trips through gmtime_r/strftime */
	for (time_t t = 0; t < (time_t)4733510400LL; t += 86400 + 3607) {
		signet_time_format(t, buf);
		if (signet_time_parse(buf) != t) {
			printf("  %s: %lld\n", buf,
			       (long long)signet_time_parse(buf));
			ok = 0;
			break;
		}
	}
	T_OK("time: parse inverts format, 1970 to 2120", ok);
	T_OK("time: leap day 2028",
	     signet_time_parse("2028-02-29T12:00:00Z") == 1835438400);
	T_OK("time: 2000 is a leap year",
	     signet_time_parse("2000-02-29T00:00:00Z") == 951782400);
	ok = 1;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (signet_time_parse(bad[i]) != -1) {
			printf("  accepted '%s'\n", bad[i]);
			ok = 0;
		}
	}
	T_OK("time: refuses impossible dates and other layouts", ok);
	T_OK("time: NULL", signet_time_parse(NULL) == -1);
}

/* prvs has 24 bits of MAC: it verifies only where the hub accepts it, and
   is never made as a fallback where it would not verify. */
static void
test_prvs_accepted(void)
{
	signet_keyring *kr = ring1(SIGNET_KEY_ADDR, 0,
				   "00112233445566778899aabbccddeeff"
				   "00112233445566778899aabbccddeeff",
				   1795334400);
	const char *long_base = "abcdefghijabcdefghijabcdefghijabcdefghij"
				"@isp.example";
	struct signet_lifetimes closed_only;
	struct signet_verdict v;
	char a[300];

	signet_lifetimes_default(&closed_only);
	T_OK("prvs: made where accepted",
	     signet_sign(kr, &both, SIGNET_FMT_PRVS, "Alice@isp.example", NULL,
			 1795334400, a, sizeof(a)) == SIGNET_OK &&
		     signet_verify(kr, &both, a, 1795334400, &v) == SIGNET_OK);
	T_OK("prvs: forged where the hub accepts only the closed format",
	     signet_verify(kr, &closed_only, a, 1795334400, &v) ==
			     SIGNET_E_FORGED &&
		     v.format == SIGNET_FMT_PRVS);
	T_OK("prvs: no fallback for a long base unless accepted",
	     signet_sign(kr, &closed_only, SIGNET_FMT_SIGNET, long_base, NULL,
			 1795334400, a, sizeof(a)) == SIGNET_E_TOO_LONG);
	/* One check, of the lower-cased address: a tag whose MAC is over
	   the mixed-case address as given is forged (checking that form
	   too gave a forger two chances a try). */
	{
		const long long day = 1795334400 / DAY + 7;
		char kddd[5], buf[64], hex[7], mixed[80];
		unsigned char mac[20];

		snprintf(kddd, sizeof(kddd), "0%03lld", day % 1000);
		snprintf(buf, sizeof(buf), "%sAlice@isp.example", kddd);
		signet_hmac_sha1(&kr->keys[0].mac1, buf, strlen(buf), mac);
		signet_hex_encode(mac, 3, hex);
		snprintf(mixed, sizeof(mixed), "prvs=%s%s=Alice@isp.example",
			 kddd, hex);
		T_OK("prvs: the MAC of the address as given is not accepted",
		     signet_verify(kr, &both, mixed, 1795334400, &v) ==
			     SIGNET_E_FORGED);
	}
	T_OK("prvs: fallback for a long base where accepted",
	     signet_sign(kr, &both, SIGNET_FMT_SIGNET, long_base, NULL,
			 1795334400, a, sizeof(a)) == SIGNET_OK &&
		     strncmp(a, "prvs=", 5) == 0);
	signet_keyring_free(&kr);
}

static const char key_hex[] = "00112233445566778899aabbccddeeff"
			      "00112233445566778899aabbccddeeff";
static const time_t key_t0 = 1795334400;

/* alice@isp.example signed at key_t0 with address key 0, into out. */
static signet_keyring *
signed_alice(struct signet_lifetimes *lt, char *out, size_t outlen)
{
	signet_keyring *kr = ring1(SIGNET_KEY_ADDR, 0, key_hex, key_t0);

	signet_lifetimes_default(lt);
	T_OK("alice signed", signet_sign(kr, lt, SIGNET_FMT_SIGNET,
					 "alice@isp.example", NULL, key_t0,
					 out, outlen) == SIGNET_OK);
	return kr;
}

/* An address a key claims to have issued after the key was retired is a
   forgery by someone holding an old copy of the keyring. */
static void
test_retired_key(void)
{
	const time_t t = key_t0;
	struct signet_lifetimes lt;
	struct signet_verdict v;
	char out[300];
	signet_keyring *kr = signed_alice(&lt, out, sizeof(out));

	kr->keys[0].signs_until = t - lt.max_skew + 1;
	T_OK("retired: issued within the clock skew of retirement verifies",
	     signet_verify(kr, &lt, out, t + 60, &v) == SIGNET_OK);
	kr->keys[0].signs_until = t - lt.max_skew - 1;
	T_OK("retired: issued after retirement is forged",
	     signet_verify(kr, &lt, out, t + 60, &v) == SIGNET_E_FORGED);
	kr->keys[0].signs_until = t + DAY;
	kr->keys[0].created = t + lt.max_skew + 1;
	T_OK("retired: issued before the key existed is forged",
	     signet_verify(kr, &lt, out, t + 60, &v) == SIGNET_E_FORGED);
	signet_keyring_free(&kr);
}

/* No keyring, or one without address keys, is the host's fault (defer),
   never a verdict on the address; the base is still found. */
static void
test_no_addr_keys(void)
{
	const time_t t = key_t0;
	struct signet_lifetimes lt;
	struct signet_verdict v;
	char out[300];
	signet_keyring *kr = signed_alice(&lt, out, sizeof(out));
	signet_keyring *seal = ring1(SIGNET_KEY_SEAL, 0, key_hex, t);

	T_OK("no keys: NULL keyring defers",
	     signet_verify(NULL, &lt, out, t, &v) == SIGNET_E_KEYRING &&
		     strcmp(v.base, "alice@isp.example") == 0 &&
		     signet_status_class(SIGNET_E_KEYRING) ==
			     SIGNET_CLASS_DEFER);
	T_OK("no keys: seal-only keyring defers",
	     signet_verify(seal, &lt, out, t, &v) == SIGNET_E_KEYRING);
	T_OK("no keys: prvs with a NULL keyring defers",
	     signet_verify(NULL, &both,
			   "prvs=0123abcdef=list-request@isp.example",
			   t, &v) == SIGNET_E_KEYRING);
	/* Every call that takes a keyring answers NULL with a status. */
	{
		struct signet_key_info ki;
		struct signet_prov p;
		char hdr[1024];
		int id;

		signet_prov_init(&p);
		T_OK("no keys: signing with a NULL keyring says no key",
		     signet_sign(NULL, &lt, SIGNET_FMT_SIGNET,
				 "alice@isp.example", "<m@isp.example>", t, hdr,
				 sizeof(hdr)) == SIGNET_E_NO_KEY &&
			     signet_sign(NULL, &both, SIGNET_FMT_PRVS,
					 "alice@isp.example", NULL, t, hdr,
					 sizeof(hdr)) == SIGNET_E_NO_KEY);
		T_OK("no keys: sealing with a NULL keyring says no key",
		     signet_prov_seal(NULL, &p, "alice@isp.example", t, hdr,
				      sizeof(hdr)) == SIGNET_E_NO_KEY);
		T_OK("no keys: a NULL keyring holds no key",
		     signet_keyring_count(NULL) == 0 &&
			     signet_keyring_info(NULL, 0, &ki) ==
				     SIGNET_E_NO_KEY &&
			     signet_keyring_signing_id(NULL, SIGNET_KEY_ADDR, t,
						       &id) ==
				     SIGNET_E_NO_KEY &&
			     !signet_keyring_has(NULL, SIGNET_KEY_ADDR, t));
	}
	kr->keys[0].id = 5;
	T_OK("no keys: another address key's id is an old address",
	     signet_verify(kr, &lt, out, t, &v) == SIGNET_E_UNKNOWN_KEY);
	signet_keyring_free(&kr);
	signet_keyring_free(&seal);
}

int
main(void)
{
	t_suite = "unit-formats";
	signet_lifetimes_default(&both);
	both.formats |= SIGNET_FORMAT_BIT(SIGNET_FMT_PRVS);
	test_prvs_accepted();
	test_retired_key();
	test_no_addr_keys();
	test_vectors("tests/vectors/closed.txt", 1, 0);
	test_vectors("tests/vectors/closed-v1.txt", 1, 1);
	test_vectors("tests/vectors/prvs.txt", 0, 0);
	test_tamper();
	test_lifetimes();
	test_time_parse();
	test_sign_rules();
	test_addr();
	test_prov();
	test_exim_interop();
	test_status();
	return t_failed != 0;
}
