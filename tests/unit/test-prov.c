/* The Signet-Provenance header's sums against tests/vectors/prov.json,
   written by an independent implementation (tests/vectors/prov.py): the
   msg= binding, the rcpt= tag, the seal. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "t.h"

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* value with each "\n\t" fold made the one space it replaced */
static void
unfold(const char *value, char *out, size_t size)
{
	size_t n = 0;

	for (; *value != '\0' && n + 1 < size; value++) {
		if (value[0] == '\n' && value[1] == '\t') {
			out[n++] = ' ';
			value++;
		} else {
			out[n++] = *value;
		}
	}
	out[n] = '\0';
}

static void
test_msg(const json_t *cases)
{
	size_t i;
	json_t *c;

	json_array_foreach(cases, i, c) {
		char got[SIGNET_PROV_MSG_BUFSZ], name[64];

		signet_prov_msg(str(c, "message_id"), str(c, "date"),
				str(c, "from"), str(c, "subject"), got);
		snprintf(name, sizeof(name), "prov vector msg %zu", i);
		T_STREQ(name, got, str(c, "msg"));
	}
	T_OK("prov vectors: msg cases", json_array_size(cases) >= 8);
}

/* signet_header_unfold against the vectors' canonical form, and its cut */
static void
test_unfold(const json_t *cases)
{
	char got[256], name[64];
	size_t i, n;
	json_t *c;

	json_array_foreach(cases, i, c) {
		const char *v = str(c, "value");

		snprintf(name, sizeof(name), "prov vector unfold %zu", i);
		T_OK(name, signet_header_unfold(v, strlen(v), got, sizeof(got),
						&n) == SIGNET_OK &&
				   strcmp(got, str(c, "unfolded")) == 0 &&
				   n == strlen(got));
	}
	T_OK("prov vectors: unfold cases", json_array_size(cases) >= 6);
	T_OK("unfold: cut short says so",
	     signet_header_unfold(" ab  cd", 7, got, 4, &n) ==
			     SIGNET_E_BUFFER &&
		     strcmp(got, "ab ") == 0 && n == 3);
	T_OK("unfold: reads len octets only",
	     signet_header_unfold("ab cd", 2, got, sizeof(got), &n) ==
			     SIGNET_OK &&
		     strcmp(got, "ab") == 0);
}

/* the hub's unsealed records: written, read back the same; recipients
   named by a hash that ignores case */
static void
test_facts(void)
{
	char out[SIGNET_HEADER_BUFSZ], a[SIGNET_PROV_RCPT_ID_BUFSZ],
		b[SIGNET_PROV_RCPT_ID_BUFSZ];
	struct signet_prov p, q;
	int same;

	signet_prov_init(&p);
	T_OK("facts: fields",
	     signet_prov_add(&p, "for", "x") == SIGNET_OK &&
		     signet_prov_add(&p, "helo", "evil; v=1 %0A\r\nX: y") ==
			     SIGNET_OK &&
		     signet_prov_add(&p, "from", "") == SIGNET_OK);
	T_OK("facts: format and parse",
	     signet_prov_format(&p, out, sizeof(out)) == SIGNET_OK &&
		     signet_prov_parse(out, &q) == SIGNET_OK);
	same = q.nfields == p.nfields;
	for (size_t i = 0; same && i < p.nfields; i++)
		same = strcmp(p.field[i].key, q.field[i].key) == 0 &&
		       strcmp(p.field[i].value, q.field[i].value) == 0;
	T_OK("facts: read back the same", same);
	T_OK("facts: no seal", signet_prov_get(&q, "seal") == NULL);
	T_OK("facts: small buffer",
	     signet_prov_format(&p, out, 8) == SIGNET_E_BUFFER);
	signet_prov_rcpt_id("Alice@ISP.example", a);
	signet_prov_rcpt_id("alice@isp.example", b);
	T_OK("rcpt id: case ignored, 32 hex digits",
	     strcmp(a, b) == 0 && strlen(a) == 32 &&
		     strspn(a, "0123456789abcdef") == 32);
	signet_prov_rcpt_id("bob@isp.example", b);
	T_OK("rcpt id: differs by address", strcmp(a, b) != 0);
}

static void
test_rcpt_and_seal(const json_t *v, const signet_keyring *kr, time_t now)
{
	const json_t *c, *f;
	struct signet_prov p;
	char out[SIGNET_HEADER_BUFSZ], flat[SIGNET_HEADER_BUFSZ], name[96];
	size_t i, j;

	json_array_foreach(json_object_get(v, "rcpt"), i, c) {
		snprintf(name, sizeof(name), "prov vector rcpt tag %s",
			 str(c, "rcpt"));
		signet_prov_init(&p);
		T_OK(name, signet_prov_add(&p, "v", "1") == SIGNET_OK &&
				   signet_prov_seal(kr, &p, str(c, "rcpt"),
						    now, out, sizeof(out)) ==
					   SIGNET_OK &&
				   strcmp(signet_prov_get(&p, "rcpt"),
					  str(c, "tag")) == 0);
	}
	json_array_foreach(json_object_get(v, "seal"), i, c) {
		const char *rcpt = str(c, "rcpt");
		time_t t = (time_t)json_integer_value(json_object_get(c, "t"));

		signet_prov_init(&p);
		json_array_foreach(json_object_get(c, "fields"), j, f) {
			if (signet_prov_add(&p,
					    json_string_value(
						    json_array_get(f, 0)),
					    json_string_value(json_array_get(
						    f, 1))) != SIGNET_OK)
				T_OK("prov vector field", 0);
		}
		snprintf(name, sizeof(name), "prov vector seal %zu", i);
		if (signet_prov_seal(kr, &p, rcpt, t, out, sizeof(out)) !=
		    SIGNET_OK)
			out[0] = '\0';
		unfold(out, flat, sizeof(flat));
		T_STREQ(name, flat, str(c, "header"));
		snprintf(name, sizeof(name), "prov vector %zu verifies", i);
		T_OK(name, signet_prov_parse(str(c, "header"), &p) ==
					   SIGNET_OK &&
				   signet_prov_verify(kr, &p, rcpt, t) ==
					   SIGNET_OK &&
				   signet_prov_verify(kr, &p, "x@y", t) ==
					   SIGNET_E_BAD_SEAL);
	}
}

int
main(void)
{
	json_error_t err;
	json_t *v = json_load_file("tests/vectors/prov.json", 0, &err);
	const json_t *key;
	struct signet_key k;
	signet_keyring kr = {.n = 1, .cap = 1, .keys = &k};
	time_t now = 1795334400;

	t_suite = "unit-prov";
	T_OK("prov vectors read", v != NULL);
	if (v == NULL)
		return 1;
	key = json_object_get(v, "key");
	memset(&k, 0, sizeof(k));
	k.id = (int)json_integer_value(json_object_get(key, "id"));
	k.purpose = SIGNET_KEY_SEAL;
	k.signs_until = k.verifies_until = 4000000000;
	if (signet_hex_decode(str(key, "hex"), 64, k.secret) != 0)
		return 1;
	signet_hex_encode(k.secret, sizeof(k.secret), k.secret_hex);
	signet_key_prepare(&k);

	test_msg(json_object_get(v, "msg"));
	test_unfold(json_object_get(v, "unfold"));
	test_facts();
	test_rcpt_and_seal(v, &kr, now);
	signet_wipe(&k, sizeof(k));
	json_decref(v);
	return t_failed ? 1 : 0;
}
