/* make bench: sign and verify rates of both formats, each beside the raw
   cost of its primitives on the same inputs, measured in the same run.
   `bench-core once` does one verify of each kind from a cold start, for
   instruction counts under callgrind (tests/unit/bench.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define T0 1795334400

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* nkeys (at most 10) address keys, all still verifying; the newest
   signs. */
static signet_keyring *
ring_of(int nkeys)
{
	static const char hex[] =
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	signet_keyring *kr = calloc(1, sizeof(*kr));

	kr->cap = SIGNET_KEYS_MAX;
	kr->keys = calloc(kr->cap, sizeof(kr->keys[0]));
	for (int i = 1; i <= nkeys; i++) {
		struct signet_key *k = &kr->keys[kr->n++];

		k->id = nkeys == 1 ? 1 : i - 1; /* one digit */
		k->purpose = SIGNET_KEY_ADDR;
		k->created = T0 - (nkeys - i + 1) * 86400;
		k->signs_until = T0 + 90 * 86400;
		k->verifies_until = T0 + 150 * 86400;
		if (signet_hex_decode(hex, 64, k->secret) != 0)
			abort();
		k->secret[0] = (unsigned char)i;
		memcpy(k->secret_hex, hex, sizeof(hex));
		signet_key_prepare(k);
	}
	return kr;
}

static signet_keyring *
ring(void)
{
	return ring_of(1);
}

static volatile unsigned sink;

/* Best of three runs of n calls, in calls per second. */
#define RATE(var, n, body)                                                 \
	do {                                                                \
		double best_ = 1e9;                                         \
		for (int r_ = 0; r_ < 3; r_++) {                            \
			double t_ = now_s();                                \
			for (long i_ = 0; i_ < (n); i_++) {                 \
				body;                                       \
			}                                                   \
			t_ = now_s() - t_;                                  \
			if (t_ < best_)                                     \
				best_ = t_;                                 \
		}                                                           \
		var = (double)(n) / best_;                                  \
	} while (0)

void bench_once(void) __attribute__((noinline));

void
bench_once(void)
{
	signet_keyring *kr = ring();
	struct signet_verdict v;
	char a[300];

	if (signet_sign(kr, NULL, SIGNET_FMT_SIGNET, "alice@isp.example",
			"<m@x>", T0, a, sizeof(a)) != SIGNET_OK ||
	    signet_verify(kr, NULL, a, T0 + 60, &v) != SIGNET_OK)
		abort();
	signet_keyring_free(&kr);
}

/* What a fresh Exim process pays before its first answer: load the
   configuration and the keyring from files, then one verify. */
void bench_once_files(const char *cfgpath, const char *addr)
	__attribute__((noinline));

void
bench_once_files(const char *cfgpath, const char *addr)
{
	char err[SIGNET_ERR_BUFSZ];
	signet_config *cfg;
	signet_keyring *kr;
	struct signet_lifetimes lt;
	struct signet_verdict v;

	if (signet_config_load(cfgpath, &cfg, err, sizeof(err)) != SIGNET_OK ||
	    signet_keyring_load(signet_config_keyring_path(cfg), &kr, err,
				sizeof(err)) != SIGNET_OK) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	signet_config_lifetimes(cfg, &lt);
	if (signet_verify(kr, &lt, addr, time(NULL), &v) != SIGNET_OK) {
		fprintf(stderr, "bench: %s does not verify\n", addr);
		exit(1);
	}
	signet_keyring_free(&kr);
	signet_config_free(&cfg);
}

int
main(int argc, char **argv)
{
	signet_keyring *kr;
	const struct signet_key *k;
	const char *base = "alice.smith@isp.example";
	char closed[300], prvs[300];
	unsigned char mac[32], blk[16], out[16];
	struct signet_verdict v;
	double r_cs, r_cv, r_ps, r_pv, r_h256, r_aes, r_h1;
	long n = 2000000;
	/* a hub that accepts prvs too: by default a closed-format hub answers
	   prvs as forged, and the prvs rows would time that early refusal */
	struct signet_lifetimes lt;

	if (argc > 3 && strcmp(argv[1], "files") == 0) {
		bench_once_files(argv[2], argv[3]);
		return 0;
	}
	/* verify KEYS N: N closed and N prvs verifies with a KEYS-key ring,
	   for callgrind (instructions per verify against the keyring's size) */
	if (argc > 3 && strcmp(argv[1], "verify") == 0) {
		signet_keyring *kv = ring_of(atoi(argv[2]));
		long m = atol(argv[3]);

		signet_lifetimes_default(&lt);
		lt.formats |= SIGNET_FORMAT_BIT(SIGNET_FMT_PRVS);
		if (signet_sign(kv, NULL, SIGNET_FMT_SIGNET, base, "<m@x>", T0,
				closed, sizeof(closed)) != SIGNET_OK ||
		    signet_sign(kv, NULL, SIGNET_FMT_PRVS, base, NULL, T0, prvs,
				sizeof(prvs)) != SIGNET_OK)
			abort();
		for (long i = 0; i < m; i++)
			sink += signet_verify(kv, &lt, closed, T0 + 60, &v) +
				signet_verify(kv, &lt, prvs, T0 + 60, &v);
		signet_keyring_free(&kv);
		return sink == 0 ? 0 : 1;
	}
	if (argc > 1 && strcmp(argv[1], "once") == 0) {
		bench_once();
		return 0;
	}
	if (argc > 1)
		n = atol(argv[1]);
	signet_lifetimes_default(&lt);
	lt.formats |= SIGNET_FORMAT_BIT(SIGNET_FMT_PRVS);
	kr = ring();
	k = &kr->keys[0];
	if (signet_sign(kr, NULL, SIGNET_FMT_SIGNET, base, "<m@x>", T0, closed,
			sizeof(closed)) != SIGNET_OK ||
	    signet_sign(kr, NULL, SIGNET_FMT_PRVS, base, NULL, T0, prvs,
			sizeof(prvs)) != SIGNET_OK ||
	    signet_verify(kr, &lt, closed, T0 + 60, &v) != SIGNET_OK ||
	    signet_verify(kr, &lt, prvs, T0 + 60, &v) != SIGNET_OK)
		abort();
	memset(blk, 7, sizeof(blk));

	RATE(r_cs, n, sink += signet_sign(kr, NULL, SIGNET_FMT_SIGNET, base,
					  "<m@x>", T0, closed, sizeof(closed)));
	RATE(r_cv, n, sink += signet_verify(kr, &lt, closed, T0 + 60, &v));
	RATE(r_ps, n, sink += signet_sign(kr, NULL, SIGNET_FMT_PRVS, base,
					  NULL, T0, prvs, sizeof(prvs)));
	RATE(r_pv, n, sink += signet_verify(kr, &lt, prvs, T0 + 60, &v));
	/* The raw primitives of a closed verify: HMAC-SHA256 of the base
	   address with a prepared key, then an AES-128 key schedule and one
	   block. */
	RATE(r_h256, n, signet_hmac_sha256(&k->mac256, base, strlen(base), mac);
	     sink += mac[0]);
	RATE(r_aes, n, signet_aes128_decrypt(mac, blk, out); sink += out[0]);
	RATE(r_h1, n, signet_hmac_sha1(&k->mac1, base, strlen(base), mac);
	     sink += mac[0]);

	printf("%-34s %12s %10s\n", "operation (one core)", "per second",
	       "ns each");
#define ROW(name, r) printf("%-34s %12.0f %10.1f\n", name, r, 1e9 / (r))
	ROW("closed sign", r_cs);
	ROW("closed verify", r_cv);
	ROW("prvs sign", r_ps);
	ROW("prvs verify", r_pv);
	ROW("raw HMAC-SHA256 (prepared key)", r_h256);
	ROW("raw AES-128 key schedule+block", r_aes);
	ROW("raw HMAC-SHA1 (prepared key)", r_h1);
	printf("closed verify / raw primitives: %.2fx  (target <= 2x)\n",
	       (1 / r_cv) / (1 / r_h256 + 1 / r_aes));
	printf("prvs verify / raw HMAC-SHA1: %.2fx\n", (1 / r_pv) / (1 / r_h1));
	printf("targets: closed verify >= 1000000/s: %s; prvs verify >= "
	       "2000000/s: %s\n",
	       r_cv >= 1e6 ? "met" : "NOT met",
	       r_pv >= 2e6 ? "met" : "NOT met");
	signet_keyring_free(&kr);

	/* Growth with the keyring: 10 keys (a year of monthly rotation kept
	   for verifying), the address signed with the newest. */
	{
		double r10c, r10p;
		signet_keyring *k10 = ring_of(10);

		if (signet_sign(k10, NULL, SIGNET_FMT_SIGNET, base, "<m@x>",
				T0, closed, sizeof(closed)) != SIGNET_OK ||
		    signet_sign(k10, NULL, SIGNET_FMT_PRVS, base, NULL, T0,
				prvs, sizeof(prvs)) != SIGNET_OK ||
		    signet_verify(k10, &lt, closed, T0 + 60, &v) != SIGNET_OK ||
		    signet_verify(k10, &lt, prvs, T0 + 60, &v) != SIGNET_OK) {
			fprintf(stderr, "bench-core: 10-key ring does not "
					"verify its own addresses: %s %s\n",
				signet_status_name(signet_verify(
					k10, &lt, closed, T0 + 60, &v)),
				signet_status_name(signet_verify(
					k10, &lt, prvs, T0 + 60, &v)));
			abort();
		}
		RATE(r10c, n, sink += signet_verify(k10, &lt, closed, T0 + 60,
						    &v));
		RATE(r10p, n, sink += signet_verify(k10, &lt, prvs, T0 + 60,
						    &v));
		ROW("closed verify, 10 keys", r10c);
		ROW("prvs verify, 10 keys", r10p);
		printf("10 keys / 1 key: closed verify %.2fx, prvs verify "
		       "%.2fx\n",
		       r_cv / r10c, r_pv / r10p);
		signet_keyring_free(&k10);
	}
	return 0;
}
