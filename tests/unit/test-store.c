/* The state store's policy (signet_usage_apply), fault reports, the
   "none" store, and LMDB upkeep: expired records are swept by ordinary
   writes, and one file opened twice in a process shares one environment.
   The back ends' libraries are loaded at their first open, and a library
   that cannot be loaded is an I/O fault that names it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store-internal.h"
#include "t.h"

static char dir[] = "/tmp/signet-test-store-XXXXXX";

static signet_config *
config(const char *name, const char *text)
{
	char path[512], err[SIGNET_ERR_BUFSZ];
	signet_config *cfg = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	if (signet_config_load(path, &cfg, err, sizeof(err)) != SIGNET_OK) {
		printf("FAIL: store: config %s: %s\n", name, err);
		exit(1);
	}
	return cfg;
}

static void
test_apply(void)
{
	signet_config *cfg = config(
		"fade.json", "{\"domains\": [\"isp.example\"], \"fade\": "
			     "{\"max_uses\": 3, \"max_base_uses\": 10}}");
	signet_config *nolimit = config(
		"nolimit.json", "{\"domains\": [\"isp.example\"], \"fade\": "
				"{\"max_uses\": 0, \"max_base_uses\": 0}}");
	struct signet_usage u;

	memset(&u, 0, sizeof(u));
	u.count = 3;
	u.base_count = 10;
	T_OK("store: apply: at the limit stays ok",
	     signet_usage_apply(cfg, &u, SIGNET_OK) == SIGNET_OK);
	u.count = 4;
	T_OK("store: apply: past max_uses fades",
	     signet_usage_apply(cfg, &u, SIGNET_OK) == SIGNET_E_FADING);
	T_OK("store: apply: no limit with 0",
	     signet_usage_apply(nolimit, &u, SIGNET_OK) == SIGNET_OK);
	u.count = 1;
	u.base_count = 11;
	T_OK("store: apply: past max_base_uses fades",
	     signet_usage_apply(cfg, &u, SIGNET_OK) == SIGNET_E_FADING);
	u.count = 100;
	T_OK("store: apply: counts never turn forged into fading",
	     signet_usage_apply(cfg, &u, SIGNET_E_FORGED) == SIGNET_E_FORGED);
	T_OK("store: apply: counts leave expired alone",
	     signet_usage_apply(cfg, &u, SIGNET_E_EXPIRED) == SIGNET_E_EXPIRED);
	u.revoked = 1;
	T_OK("store: apply: revoked ends a valid address",
	     signet_usage_apply(cfg, &u, SIGNET_OK) == SIGNET_E_REVOKED);
	T_OK("store: apply: revoked ends a fading address",
	     signet_usage_apply(cfg, &u, SIGNET_E_FADING) == SIGNET_E_REVOKED);
	T_OK("store: apply: revoked does not replace forged",
	     signet_usage_apply(cfg, &u, SIGNET_E_FORGED) == SIGNET_E_FORGED);
	T_OK("store: apply: revoked does not replace a temporary fault",
	     signet_usage_apply(cfg, &u, SIGNET_E_KEYRING) == SIGNET_E_KEYRING);
	T_OK("store: base revocation covers the same second",
	     store_base_rev_covers(1000, 1000));
	T_OK("store: base revocation covers before",
	     store_base_rev_covers(1000, 940));
	T_OK("store: base revocation spares later addresses",
	     !store_base_rev_covers(1000, 1060));
	T_OK("store: base revocation covers an unknown issue time",
	     store_base_rev_covers(1000, 0));
	T_OK("store: apply: no usage, verdict stands",
	     signet_usage_apply(cfg, NULL, SIGNET_OK) == SIGNET_OK);
	signet_config_free(&cfg);
	signet_config_free(&nolimit);
}

static void
test_none_and_faults(void)
{
	signet_config *cfg =
		config("none.json", "{\"domains\": [\"isp.example\"], "
				    "\"store\": {\"type\": \"none\"}}");
	char err[SIGNET_ERR_BUFSZ] = "";
	struct signet_usage u;
	signet_store *st = NULL;
	const char *f;

	T_OK("store: none: opens",
	     signet_store_open(cfg, &st, err, sizeof(err)) == SIGNET_OK);
	T_OK("store: none: hit is ok",
	     signet_store_hit(st, "a=sg@isp.example", "a@isp.example", 0, 0,
			      1000, &u) == SIGNET_OK &&
		     u.count == 1 && !u.revoked);
	T_OK("store: none: no fault to report",
	     signet_store_fault(st, 1000) == NULL);
	T_OK("store: none: cannot revoke",
	     signet_store_revoke(st, "a@isp.example", 0, "x", 1000) ==
		     SIGNET_E_IO);
	f = signet_store_fault(st, 1000);
	T_OK("store: fault: reported once, with the store named",
	     f != NULL && strstr(f, "\"none\" cannot hold revocations"));
	T_OK("store: fault: not again within the interval",
	     signet_store_revoke(st, "a@isp.example", 0, "x", 1010) ==
			     SIGNET_E_IO &&
		     signet_store_fault(st, 1010) == NULL);
	T_OK("store: fault: again after the interval",
	     signet_store_revoke(st, "a@isp.example", 0, "x", 1070) ==
			     SIGNET_E_IO &&
		     signet_store_fault(st, 1000 + STORE_FAULT_INTERVAL) !=
			     NULL);
	T_OK("store: hit: an empty address is refused",
	     signet_store_hit(st, "", "a@isp.example", 0, 0, 1000, &u) ==
		     SIGNET_E_SYNTAX);
	signet_store_close(&st);
	T_OK("store: close: NULLs the pointer", st == NULL);
	signet_store_close(&st);
	T_OK("store: hit: no store is an I/O fault",
	     signet_store_hit(NULL, "a=sg@isp.example", "a@isp.example", 0, 0,
			      1000, &u) == SIGNET_E_IO);
	signet_config_free(&cfg);
}

/* 1 if the library is in the process already (RTLD_NOLOAD loads nothing) */
static int
loaded(const char *lib)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);

	if (h == NULL)
		return 0;
	dlclose(h);
	return 1;
}

/* Must run before any LMDB or Redis store is opened in this process. */
static void
test_lazy_load(void)
{
	char text[512], err[SIGNET_ERR_BUFSZ] = "";
	const char *lmdb_lib = store_lmdb_lib, *redis_lib = store_redis_lib;
	signet_config *lcfg, *rcfg;
	signet_store *st = NULL;
	signet_status ret;

	snprintf(text, sizeof(text),
		 "{\"domains\": [\"isp.example\"], \"store\": {\"type\": "
		 "\"lmdb\", \"path\": \"%s/lazy.mdb\", \"map_size_mb\": 8}}",
		 dir);
	lcfg = config("lazy-lmdb.json", text);
	/* a Unix socket that is not there: opening does not need a server */
	rcfg = config("lazy-redis.json",
		      "{\"domains\": [\"isp.example\"], \"store\": "
		      "{\"type\": \"redis\", \"host\": \"/nonexistent/r\"}}");
	T_OK("store: load: liblmdb not loaded before an LMDB store opens",
	     !loaded(lmdb_lib));
	T_OK("store: load: libhiredis not loaded before a Redis store opens",
	     !loaded(redis_lib));

	store_lmdb_lib = "liblmdb-signet-missing.so.0";
	ret = signet_store_open(lcfg, &st, err, sizeof(err));
	T_OK("store: load: a missing liblmdb is an I/O fault",
	     ret == SIGNET_E_IO && st == NULL);
	T_OK("store: load: the fault names the library and why",
	     strstr(err, "cannot load liblmdb-signet-missing.so.0 for "
			 "store.type \"lmdb\": liblmdb-signet-missing.so.0: "
			 "cannot open shared object file") != NULL);
	store_redis_lib = "libhiredis-signet-missing.so.0";
	err[0] = '\0';
	ret = signet_store_open(rcfg, &st, err, sizeof(err));
	T_OK("store: load: a missing libhiredis is an I/O fault",
	     ret == SIGNET_E_IO && st == NULL);
	T_OK("store: load: the Redis fault names the library",
	     strstr(err, "cannot load libhiredis-signet-missing.so.0 for "
			 "store.type \"redis\"") != NULL);
	/* a library without the functions: dlsym fails */
	store_lmdb_lib = "libjansson.so.4";
	err[0] = '\0';
	ret = signet_store_open(lcfg, &st, err, sizeof(err));
	T_OK("store: load: a library without mdb_* is an I/O fault",
	     ret == SIGNET_E_IO && st == NULL &&
		     strstr(err, "cannot load libjansson.so.4") != NULL &&
		     strstr(err, "undefined symbol: mdb_") != NULL);

	store_lmdb_lib = lmdb_lib;
	store_redis_lib = redis_lib;
	T_OK("store: load: LMDB opens once its library is there",
	     signet_store_open(lcfg, &st, err, sizeof(err)) == SIGNET_OK &&
		     loaded(lmdb_lib));
	signet_store_close(&st);
	T_OK("store: load: Redis opens once its library is there",
	     signet_store_open(rcfg, &st, err, sizeof(err)) == SIGNET_OK &&
		     loaded(redis_lib));
	signet_store_close(&st);
	signet_config_free(&lcfg);
	signet_config_free(&rcfg);
}

static int
count_cb(const struct signet_store_entry *e, void *ctx)
{
	unsigned long *n = ctx;

	(void)e;
	(*n)++;
	return 0;
}

static void
test_lmdb_upkeep(void)
{
	char text[512], addr[64], err[SIGNET_ERR_BUFSZ] = "";
	signet_config *cfg;
	signet_store *st = NULL, *st2 = NULL;
	struct signet_usage u;
	unsigned long n = 0, ok = 0;
	const time_t t0 = 1800000000;
	struct signet_lifetimes lt;

	snprintf(text, sizeof(text),
		 "{\"domains\": [\"isp.example\"], \"store\": {\"type\": "
		 "\"lmdb\", \"path\": \"%s/state.mdb\", \"map_size_mb\": 8}}",
		 dir);
	cfg = config("lmdb.json", text);
	signet_config_lifetimes(cfg, &lt);
	T_OK("store: lmdb: opens",
	     signet_store_open(cfg, &st, err, sizeof(err)) == SIGNET_OK);
	if (st == NULL) {
		printf("  %s\n", err);
		signet_config_free(&cfg);
		return;
	}
	/* 200 addresses that end at t0 + 100 */
	for (int i = 0; i < 200; i++) {
		snprintf(addr, sizeof(addr), "old%d=sg@isp.example", i);
		ok += signet_store_hit(st, addr, "old@isp.example", t0 - 10,
				       t0 + 100, t0, &u) == SIGNET_OK;
	}
	T_OK("store: lmdb: 200 hits", ok == 200);
	/* A second handle on the same file in this process shares it. */
	T_OK("store: lmdb: opens twice",
	     signet_store_open(cfg, &st2, err, sizeof(err)) == SIGNET_OK);
	signet_store_close(&st2);
	/* Long after they died, ordinary hits sweep them away. */
	ok = 0;
	for (int i = 0; i < 2000; i++) {
		time_t later = t0 + 100 + lt.grace + 10;

		ok += signet_store_hit(st, "new=sg@isp.example",
				       "new@isp.example", later, later + 1000,
				       later, &u) == SIGNET_OK;
	}
	T_OK("store: lmdb: still usable after the second handle closed",
	     ok == 2000);
	T_OK("store: lmdb: count exact", u.count == 2000);
	/* counted as the store sees it when those records are still live */
	T_OK("store: lmdb: expired records swept by writes",
	     signet_store_foreach(st, t0, count_cb, &n) == SIGNET_OK &&
		     n <= 2);
	printf("  %lu records live at t0 after 2000 later writes (2 new)\n", n);
	signet_store_close(&st);
	signet_config_free(&cfg);
}

int
main(void)
{
	char cmd[128];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_apply();
	test_none_and_faults();
	test_lazy_load();
	test_lmdb_upkeep();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return t_failed != 0;
}
