/* The host's working set (signet_ctx): what it loads, when it loads it
   again, and that each fault is said once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signet.h"
#include "t.h"

#define NOW ((time_t)1795332600) /* 2026-11-22 */

static char dir[64], cfg_path[128], kr_path[128], other_path[128],
	seal_path[128];
static int said[SIGNET_CTX_EVENTS + 1];

static void
count(void *arg, enum signet_ctx_fault fault, const char *text)
{
	(void)arg;
	(void)text;
	said[fault]++;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	char tmp[160];
	FILE *f;

	/* replaced by rename, as an admin's tools do */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0 ||
	    chmod(tmp, mode) != 0 || rename(tmp, path) != 0)
		abort();
}

static const char keyring[] =
	"{\"version\": 1, \"keys\": [{\"id\": 1, \"purpose\": \"addr\", "
	"\"secret\": \"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9"
	"babbbcbdbebf\", \"created\": \"2026-11-01T00:00:00Z\", "
	"\"signs_until\": \"2027-01-30T00:00:00Z\", "
	"\"verifies_until\": \"2027-03-24T00:00:00Z\"}]}\n";

static const char seal_keyring[] =
	"{\"version\": 1, \"keys\": [{\"id\": 1, \"purpose\": \"seal\", "
	"\"secret\": \"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9"
	"dadbdcdddedf\", \"created\": \"2026-11-01T00:00:00Z\", "
	"\"signs_until\": \"2027-01-30T00:00:00Z\", "
	"\"verifies_until\": \"2027-03-24T00:00:00Z\"}]}\n";

int
main(void)
{
	char cfg[512];
	signet_ctx *ctx;

	t_suite = "unit-ctx";
	snprintf(dir, sizeof(dir), "/tmp/signet-ctx-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(cfg_path, sizeof(cfg_path), "%s/signet.json", dir);
	snprintf(kr_path, sizeof(kr_path), "%s/keyring.json", dir);
	snprintf(cfg, sizeof(cfg),
		 "{\"domains\": [\"isp.example\"], \"keyring\": \"%s\", "
		 "\"store\": {\"type\": \"none\"}}\n",
		 kr_path);

	T_OK("new", signet_ctx_new(count, NULL, &ctx) == SIGNET_OK);
	signet_ctx_refresh(ctx, cfg_path, NOW);
	T_OK("no configuration: NULL, said once",
	     signet_ctx_config(ctx) == NULL && said[SIGNET_CTX_CONFIG] == 1);
	signet_ctx_refresh(ctx, cfg_path, NOW);
	T_OK("unchanged: not said again", said[SIGNET_CTX_CONFIG] == 1);

	write_file(cfg_path, cfg, 0644);
	signet_ctx_refresh(ctx, cfg_path, NOW);
	T_OK("configuration written: loaded; its keyring missing, said",
	     signet_ctx_config(ctx) != NULL &&
		     signet_ctx_keyring(ctx) == NULL &&
		     said[SIGNET_CTX_KEYRING] == 1);
	signet_ctx_refresh(ctx, cfg_path, NOW);
	T_OK("keyring still missing: not said again",
	     said[SIGNET_CTX_KEYRING] == 1);

	write_file(kr_path, keyring, 0644);
	signet_ctx_refresh(ctx, cfg_path, NOW);
	T_OK("a keyring others can read is refused",
	     signet_ctx_keyring(ctx) == NULL && said[SIGNET_CTX_KEYRING] == 2);
	write_file(kr_path, keyring, 0600);
	signet_ctx_refresh(ctx, cfg_path, NOW);
	T_OK("mode fixed: loaded, no fault said",
	     signet_ctx_keyring(ctx) != NULL &&
		     signet_ctx_seal_keyring(ctx) == signet_ctx_keyring(ctx) &&
		     said[SIGNET_CTX_KEYRING] == 2 &&
		     said[SIGNET_CTX_NO_ADDR_KEY] == 0);
	T_OK("seal keys from the same keyring: nothing said of them",
	     said[SIGNET_CTX_NO_SEAL_KEY] == 0);
	T_OK("lifetimes from the configuration",
	     signet_ctx_lifetimes(ctx)->lifetime == 45 * 86400);
	T_OK("store type none: a store that keeps nothing, no fault",
	     signet_ctx_store(ctx, NOW) != NULL &&
		     strcmp(signet_store_type(signet_ctx_store(ctx, NOW)),
			    "none") == 0 &&
		     said[SIGNET_CTX_STORE] == 0);

	/* The keyrings' paths are compared only when a configuration loads:
	   one that names other keyrings must still be followed. */
	snprintf(other_path, sizeof(other_path), "%s/other.json", dir);
	snprintf(seal_path, sizeof(seal_path), "%s/seal.json", dir);
	write_file(other_path, keyring, 0644);
	write_file(seal_path, seal_keyring, 0600);
	snprintf(cfg, sizeof(cfg),
		 "{\"domains\": [\"isp.example\"], \"keyring\": \"%s\", "
		 "\"seal_keyring\": \"%s\", \"store\": {\"type\": \"none\"}}\n",
		 other_path, seal_path);
	write_file(cfg_path, cfg, 0644);
	signet_ctx_refresh(ctx, cfg_path, NOW);
	T_OK("configuration names another keyring: that one is read (and "
	     "refused: others can read it)",
	     signet_ctx_keyring(ctx) == NULL && said[SIGNET_CTX_KEYRING] == 3);
	T_OK("and a seal keyring: read from its own file",
	     signet_ctx_seal_keyring(ctx) != NULL &&
		     signet_keyring_has(signet_ctx_seal_keyring(ctx),
					SIGNET_KEY_SEAL, NOW));
	snprintf(cfg, sizeof(cfg),
		 "{\"domains\": [\"isp.example\"], \"keyring\": \"%s\", "
		 "\"store\": {\"type\": \"none\"}}\n",
		 kr_path);
	write_file(cfg_path, cfg, 0644);
	signet_ctx_refresh(ctx, cfg_path, NOW);
	T_OK("back to the first keyring, no seal keyring: seals from it",
	     signet_ctx_keyring(ctx) != NULL &&
		     signet_ctx_seal_keyring(ctx) == signet_ctx_keyring(ctx) &&
		     said[SIGNET_CTX_KEYRING] == 3);
	unlink(other_path);
	unlink(seal_path);

	/* a store that cannot be opened: said, then tried again only after
	   SIGNET_CTX_STORE_RETRY seconds */
	snprintf(cfg, sizeof(cfg),
		 "{\"domains\": [\"isp.example\"], \"keyring\": \"%s\", "
		 "\"store\": {\"type\": \"lmdb\", \"path\": "
		 "\"%s/missing/signet.mdb\"}}\n",
		 kr_path, dir);
	write_file(cfg_path, cfg, 0644);
	signet_ctx_refresh(ctx, cfg_path, NOW);
	T_OK("unreachable store: NULL, said",
	     signet_ctx_store(ctx, NOW) == NULL && said[SIGNET_CTX_STORE] == 1);
	T_OK("not tried again within the retry time",
	     signet_ctx_store(ctx, NOW + SIGNET_CTX_STORE_RETRY - 1) == NULL &&
		     said[SIGNET_CTX_STORE] == 1);
	T_OK("tried again after it",
	     signet_ctx_store(ctx, NOW + SIGNET_CTX_STORE_RETRY) == NULL &&
		     said[SIGNET_CTX_STORE] == 2);

	/* a keyring whose only key stopped verifying long ago */
	signet_ctx_refresh(ctx, cfg_path, NOW + 400 * 86400);
	T_OK("unchanged files are not read again",
	     said[SIGNET_CTX_NO_ADDR_KEY] == 0);
	write_file(kr_path, keyring, 0600);
	signet_ctx_refresh(ctx, cfg_path, NOW + 400 * 86400);
	T_OK("replaced keyring with no valid address key: said",
	     said[SIGNET_CTX_NO_ADDR_KEY] == 1);

	signet_ctx_free(&ctx);
	T_OK("free sets NULL", ctx == NULL);

	/* Dovecot's way: a seal keyring and no configuration */
	memset(said, 0, sizeof(said));
	unlink(kr_path);
	if (signet_ctx_new(count, NULL, &ctx) != SIGNET_OK)
		return 1;
	signet_ctx_refresh_seal(ctx, kr_path, NOW);
	signet_ctx_refresh_seal(ctx, kr_path, NOW);
	T_OK("seal only: a missing keyring is NULL, said once",
	     signet_ctx_seal_keyring(ctx) == NULL &&
		     said[SIGNET_CTX_KEYRING] == 1 &&
		     signet_ctx_config(ctx) == NULL);
	write_file(kr_path, seal_keyring, 0600);
	signet_ctx_refresh_seal(ctx, kr_path, NOW);
	T_OK("seal only: loaded once it is there, nothing more said",
	     signet_ctx_seal_keyring(ctx) != NULL &&
		     signet_keyring_has(signet_ctx_seal_keyring(ctx),
					SIGNET_KEY_SEAL, NOW) &&
		     said[SIGNET_CTX_KEYRING] == 1 &&
		     said[SIGNET_CTX_NO_SEAL_KEY] == 0);
	write_file(kr_path, keyring, 0600);
	signet_ctx_refresh_seal(ctx, kr_path, NOW);
	T_OK("seal only: replaced by one with no seal key, said",
	     said[SIGNET_CTX_NO_SEAL_KEY] == 1);
	signet_ctx_free(&ctx);

	/* the RCPT decision through a context opens the store only for a
	   signed address (here one that cannot be opened) */
	memset(said, 0, sizeof(said));
	write_file(kr_path, keyring, 0600);
	snprintf(cfg, sizeof(cfg),
		 "{\"domains\": [\"isp.example\"], \"keyring\": \"%s\", "
		 "\"store\": {\"path\": \"%s/none/state.mdb\"}}\n",
		 kr_path, dir);
	write_file(cfg_path, cfg, 0644);
	if (signet_ctx_new(count, NULL, &ctx) != SIGNET_OK)
		return 1;
	signet_ctx_refresh(ctx, cfg_path, NOW);
	{
		struct signet_rcpt_in in = {.ctx = ctx, .sender = ""};
		struct signet_rcpt_answer a;
		char signed_addr[SIGNET_ADDR_BUFSZ];

		signet_rcpt_decide(&in, "alice@isp.example", NOW, &a);
		T_OK("decide via ctx: a plain address opens no store",
		     said[SIGNET_CTX_STORE] == 0 &&
			     a.verdict == SIGNET_RV_UNSIGNED_BOUNCE);
		if (signet_sign(signet_ctx_keyring(ctx),
				signet_ctx_lifetimes(ctx), SIGNET_FMT_SIGNET,
				"alice@isp.example", NULL, NOW, signed_addr,
				sizeof(signed_addr)) != SIGNET_OK)
			return 1;
		signet_rcpt_decide(&in, signed_addr, NOW, &a);
		T_OK("decide via ctx: a signed one tries the store; its "
		     "fault leaves the signature's verdict",
		     said[SIGNET_CTX_STORE] == 1 &&
			     a.cls == SIGNET_CLASS_ACCEPT &&
			     a.verdict == SIGNET_RV_VALID && !a.have_usage);
	}
	signet_ctx_free(&ctx);
	unlink(cfg_path);
	unlink(kr_path);
	rmdir(dir);
	return t_failed ? 1 : 0;
}
