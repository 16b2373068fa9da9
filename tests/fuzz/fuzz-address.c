/* libFuzzer: address parsing and both signed formats' verification. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static signet_keyring *
ring(void)
{
	static struct signet_key keys[2];
	static signet_keyring kr = {.cap = 2, .keys = keys};

	if (kr.n == 0) {
		for (int id = 0; id < 2; id++) {
			struct signet_key *k = &kr.keys[kr.n++];

			k->id = id;
			k->purpose = SIGNET_KEY_ADDR;
			k->created = 0;
			k->signs_until = 4000000000;
			k->verifies_until = 4000000000;
			memset(k->secret, 0x11 * (id + 1), sizeof(k->secret));
			signet_hex_encode(k->secret, sizeof(k->secret),
					  k->secret_hex);
			signet_key_prepare(k);
		}
	}
	return &kr;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char addr[600], out[SIGNET_ADDR_BUFSZ];
	struct signet_addr a;
	struct signet_verdict v;
	signet_status st;

	if (size >= sizeof(addr))
		return 0;
	memcpy(addr, data, size);
	addr[size] = '\0';
	(void)signet_addr_parse(addr, &a);
	(void)signet_is_signed(addr);
	st = signet_verify(ring(), NULL, addr, 1795334400, &v);
	/* Only what we signed may verify: re-signing the base must give a
	   valid address too, and a random input must not be valid unless it
	   is one of ours. */
	if (st == SIGNET_OK && strlen(v.base) >= sizeof(out))
		abort();
	st = signet_sign(ring(), NULL, SIGNET_FMT_SIGNET, addr, addr,
			 1795334400, out, sizeof(out));
	if (st == SIGNET_OK &&
	    signet_verify(ring(), NULL, out, 1795334400, &v) != SIGNET_OK)
		abort();
	return 0;
}
