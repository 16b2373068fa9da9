/* libFuzzer: Signet-Provenance header parsing and seal checking. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct signet_key keys[1];
	static signet_keyring kr = {.cap = 1, .keys = keys};
	char text[4096], out[SIGNET_HEADER_BUFSZ];
	struct signet_prov p, q;
	char r[SIGNET_ADDR_BUFSZ];
	const char *rcpt;

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
	if (signet_prov_parse(text, &p) != SIGNET_OK)
		return 0;
	(void)signet_prov_verify(&kr, &p, "alice@isp.example", 1795334400);
	/* Whatever parses, once sealed, must parse back and verify. */
	if (p.nfields > SIGNET_PROV_FIELDS_MAX - 3 ||
	    signet_prov_get(&p, "seal") != NULL ||
	    signet_prov_get(&p, "t") != NULL || signet_prov_get(&p, "k") != NULL)
		return 0;
	rcpt = signet_prov_get(&p, "rcpt");
	if (rcpt == NULL || strlen(rcpt) >= SIGNET_ADDR_BUFSZ)
		return 0;
	strcpy(r, rcpt);
	if (signet_prov_seal(&kr, &p, r, 1795334400, out, sizeof(out)) !=
	    SIGNET_OK)
		return 0;
	if (signet_prov_parse(out, &q) != SIGNET_OK ||
	    signet_prov_verify(&kr, &q, r, 1795334400) != SIGNET_OK)
		abort();
	return 0;
}
