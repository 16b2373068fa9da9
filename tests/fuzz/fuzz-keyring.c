/* libFuzzer: the keyring parser (from memory: no file modes here), and
   key selection, adding and rotating on whatever it accepts. */
#include <stdlib.h>
#include <string.h>

#include "json-internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char err[SIGNET_ERR_BUFSZ];
	signet_keyring *kr = NULL;
	struct signet_key_info info;
	const time_t now = 1795332600;
	int id, destroyed;

	if (signet_keyring_parse((const char *)data, size, "fuzz/keyring.json",
				 &kr, err, sizeof(err)) != SIGNET_OK) {
		if (kr != NULL || strlen(err) == 0)
			abort();
		return 0;
	}
	for (size_t i = 0; signet_keyring_info(kr, i, &info) == SIGNET_OK; i++)
		if (signet_keyring_find(kr, info.purpose, info.id,
					info.created) == NULL &&
		    info.verifies_until >= info.created)
			abort();
	(void)signet_keyring_signer(kr, SIGNET_KEY_ADDR, now);
	(void)signet_keyring_rotate(kr, SIGNET_KEY_SEAL, now, 0, 86400, 2 * 86400,
				    &id, &destroyed);
	(void)signet_keyring_add(kr, SIGNET_KEY_ADDR, now, 86400, 2 * 86400,
				 &id);
	signet_keyring_free(&kr);
	return 0;
}
