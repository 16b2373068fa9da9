/* libFuzzer: Signet-Provenance header parsing and seal checking, the
   record read from it, and the msg= binding of a message without a
   Message-ID. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* The binding of Date, From and Subject (the input's first three
   NUL-separated parts) must not change when each space is written as a
   fold and the fields get white space around them: Exim and Dovecot
   unfold differently. */
static void
check_header_binding(const char *text, size_t size)
{
	static char folded[3][3 * 4096 + 4];
	const char *f[3];
	size_t i = 0;

	for (int n = 0; n < 3; n++) {
		size_t o = 0;

		f[n] = i <= size ? text + i : "";
		folded[n][o++] = ' ';
		for (; i < size && text[i] != '\0'; i++) {
			if (text[i] == ' ') {
				memcpy(folded[n] + o, "\r\n\t", 3);
				o += 3;
			} else {
				folded[n][o++] = text[i];
			}
		}
		folded[n][o++] = '\t';
		folded[n][o] = '\0';
		i++;
	}
	if (signet_header_binding(f[0], f[1], f[2]) !=
	    signet_header_binding(folded[0], folded[1], folded[2]))
		abort();
}

static int
same_fields(const struct signet_prov *a, const struct signet_prov *b)
{
	if (a->nfields != b->nfields)
		return 0;
	for (size_t i = 0; i < a->nfields; i++) {
		if (strcmp(a->field[i].key, b->field[i].key) != 0 ||
		    strcmp(a->field[i].value, b->field[i].value) != 0)
			return 0;
	}
	return 1;
}

/* Whatever a header holds, the record read from it, written and read
   again, is written the same: the hub reads its spooled facts back
   before sealing them. */
static void
check_record(const struct signet_prov *p)
{
	static struct signet_prov once, back, twice;
	static char out[SIGNET_HEADER_BUFSZ];
	struct signet_record r;
	const char *omitted;

	signet_record_read(p, &r);
	signet_prov_init(&once);
	if (signet_record_add(&once, &r, &omitted) != SIGNET_OK ||
	    signet_prov_format(&once, out, sizeof(out)) != SIGNET_OK)
		return;
	if (signet_prov_parse(out, &back) != SIGNET_OK)
		abort();
	signet_record_read(&back, &r);
	signet_prov_init(&twice);
	if (signet_record_add(&twice, &r, &omitted) != SIGNET_OK ||
	    !same_fields(&once, &twice))
		abort();
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct signet_key keys[1];
	static signet_keyring kr = {.cap = 1, .keys = keys};
	char text[4096], out[SIGNET_HEADER_BUFSZ];
	struct signet_prov p, q;
	char r[SIGNET_ADDR_BUFSZ];

	if (kr.n == 0) {
		struct signet_key *k = &kr.keys[kr.n++];

		k->id = 0;
		k->purpose = SIGNET_KEY_SEAL;
		k->signs_until = 4000000000;
		k->verifies_until = 4000000000;
		signet_hex_encode(k->secret, sizeof(k->secret), k->secret_hex);
		signet_key_prepare(k);
	}
	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_header_binding(text, size);
	if (signet_prov_parse(text, &p) != SIGNET_OK)
		return 0;
	(void)signet_prov_verify(&kr, &p, "alice@isp.example", 1795334400);
	(void)signet_prov_verify(&kr, &p, NULL, 1795334400);
	(void)signet_prov_is_for(&kr, &p, "alice@isp.example", 1795334400);
	(void)signet_prov_sealed_at(&p);
	(void)signet_prov_same_message(&p, text, NULL, NULL, NULL);
	check_record(&p);
	/* Whatever parses, once sealed, must parse back and verify, for its
	   recipient only.  The first field's value is the recipient. */
	if (p.nfields < 1 || p.nfields > SIGNET_PROV_FIELDS_MAX - 4 ||
	    signet_prov_get(&p, "seal") != NULL ||
	    signet_prov_get(&p, "t") != NULL ||
	    signet_prov_get(&p, "k") != NULL ||
	    signet_prov_get(&p, "rcpt") != NULL ||
	    strlen(p.field[0].value) >= SIGNET_ADDR_BUFSZ)
		return 0;
	strcpy(r, p.field[0].value);
	if (signet_prov_seal(&kr, &p, r, 1795334400, out, sizeof(out)) !=
	    SIGNET_OK)
		return 0;
	if (signet_prov_parse(out, &q) != SIGNET_OK ||
	    signet_prov_verify(&kr, &q, r, 1795334400) != SIGNET_OK ||
	    signet_prov_verify(&kr, &q, NULL, 1795334400) != SIGNET_OK ||
	    signet_prov_is_for(&kr, &q, r, 1795334400) != 1 ||
	    (strcasecmp(r, "x@y") != 0 &&
	     signet_prov_is_for(&kr, &q, "x@y", 1795334400) != 0))
		abort();
	return 0;
}
