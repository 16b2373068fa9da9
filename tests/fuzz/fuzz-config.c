/* libFuzzer: the configuration parser, its error positions, and the
   queries on whatever it accepts. */
#include <stdlib.h>
#include <string.h>

#include "json-internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char err[SIGNET_ERR_BUFSZ];
	struct signet_lifetimes lt;
	signet_config *cfg = NULL;

	if (signet_config_parse((const char *)data, size, "fuzz/signet.json",
				&cfg, err, sizeof(err)) != SIGNET_OK) {
		if (cfg != NULL || strlen(err) == 0)
			abort();
		return 0;
	}
	signet_config_lifetimes(cfg, &lt);
	(void)signet_config_is_exempt(cfg, "postmaster@isp.example");
	(void)signet_config_is_local_domain(cfg, "isp.example", 11);
	(void)signet_config_may_send_as(cfg, "alice", "alice+x@isp.example");
	(void)signet_config_may_send_as(cfg, "alice@isp.example",
					"sales@isp.example");
	(void)signet_config_get_string(cfg, "store.type", "lmdb");
	(void)signet_config_get_int(cfg, "fade.max_uses", 50);
	if (signet_config_keyring_path(cfg) == NULL ||
	    signet_config_seal_keyring_path(cfg) == NULL)
		abort();
	signet_config_free(&cfg);
	return 0;
}
