/* State store benchmark: loads N signed addresses (N/10 bases), then times
   lookups, hits (one counted RCPT check each) and the per-connection open,
   and compares them with the signature check itself.
   usage: bench-store CONFIG N [LOOKUPS [HITS [OPENS]]] */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signet.h"
#include "store-internal.h"

#define LOAD_BATCH 100000

static double
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Address i: u<i/10>=sg0<26 base32 from a hash of i>@isp.example, the
   shape and length of a closed-format signed address. */
static void
addr_of(uint64_t i, char *addr, size_t alen, char *base, size_t blen)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	char tag[27];
	uint64_t h1 = mix(i), h2 = mix(i ^ 0x5555);

	for (int k = 0; k < 26; k++) {
		uint64_t h = k < 12 ? h1 >> (5 * k) : h2 >> (5 * (k - 12));

		tag[k] = b32[h & 31];
	}
	tag[26] = '\0';
	snprintf(base, blen, "u%07llu@isp.example",
		 (unsigned long long)(i / 10));
	snprintf(addr, alen, "u%07llu=sg0%s@isp.example",
		 (unsigned long long)(i / 10), tag);
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, const char *type, double *lat, size_t n,
       double total_us, size_t errors)
{
	qsort(lat, n, sizeof(*lat), cmp_d);
	printf("%-6s %-8s %8zu ops %10.0f ops/s  p50 %7.1f us  p99 %7.1f us  "
	       "max %8.1f us  errors %zu\n",
	       type, what, n, n / (total_us / 1e6), lat[n / 2],
	       lat[n * 99 / 100], lat[n - 1], errors);
}

static signet_store *
open_store(const signet_config *cfg)
{
	char err[SIGNET_ERR_BUFSZ] = "";
	signet_store *st = NULL;

	if (signet_store_open(cfg, &st, err, sizeof(err)) != SIGNET_OK) {
		fprintf(stderr, "bench-store: %s\n", err);
		exit(1);
	}
	return st;
}

static void
load(signet_store *st, const char *type, uint64_t n, time_t now)
{
	char(*a)[SIGNET_ADDR_BUFSZ], (*b)[SIGNET_ADDR_BUFSZ];
	const char **ap, **bp;
	struct signet_usage u;
	char last[SIGNET_ADDR_BUFSZ], lastb[SIGNET_ADDR_BUFSZ];
	double t0;

	addr_of(n - 1, last, sizeof(last), lastb, sizeof(lastb));
	if (signet_store_lookup(st, last, lastb, 0, time(NULL), &u) ==
		    SIGNET_OK &&
	    u.count > 0) {
		printf("%-6s load     %llu addresses already there\n", type,
		       (unsigned long long)n);
		return;
	}
	a = malloc(LOAD_BATCH * sizeof(*a));
	b = malloc(LOAD_BATCH * sizeof(*b));
	ap = malloc(LOAD_BATCH * sizeof(*ap));
	bp = malloc(LOAD_BATCH * sizeof(*bp));
	if (a == NULL || b == NULL || ap == NULL || bp == NULL)
		exit(1);
	t0 = mono_us();
	for (uint64_t i = 0; i < n; i += LOAD_BATCH) {
		size_t m = n - i < LOAD_BATCH ? (size_t)(n - i) : LOAD_BATCH;

		for (size_t k = 0; k < m; k++) {
			addr_of(i + k, a[k], sizeof(a[k]), b[k], sizeof(b[k]));
			ap[k] = a[k];
			bp[k] = b[k];
		}
		if (signet_store_hit_many(st, m, ap, bp, now + 45 * 86400,
					  now) != SIGNET_OK) {
			const char *f = signet_store_fault(st, now);

			fprintf(stderr, "bench-store: load: %s\n",
				f ? f : "failed");
			exit(1);
		}
	}
	printf("%-6s load     %llu addresses in %.1f s (%.0f/s)\n", type,
	       (unsigned long long)n, (mono_us() - t0) / 1e6,
	       n / ((mono_us() - t0) / 1e6));
	free(a);
	free(b);
	free(ap);
	free(bp);
}

int
main(int argc, char **argv)
{
	char err[SIGNET_ERR_BUFSZ], addr[SIGNET_ADDR_BUFSZ];
	char base[SIGNET_ADDR_BUFSZ], sig[SIGNET_ADDR_BUFSZ];
	signet_config *cfg = NULL;
	signet_keyring *kr = NULL;
	struct signet_lifetimes lt;
	struct signet_verdict v;
	struct signet_usage u;
	signet_store *st;
	const char *type;
	uint64_t n;
	size_t lookups, hits, opens, errors;
	double *lat, t0, t1;
	time_t now = time(NULL);
	int id;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-store CONFIG N [LOOKUPS [HITS "
				"[OPENS]]]\n");
		return 2;
	}
	if (signet_config_load(argv[1], &cfg, err, sizeof(err)) != SIGNET_OK) {
		fprintf(stderr, "bench-store: %s\n", err);
		return 2;
	}
	n = strtoull(argv[2], NULL, 10);
	lookups = argc > 3 ? strtoul(argv[3], NULL, 10) : 200000;
	hits = argc > 4 ? strtoul(argv[4], NULL, 10) : 20000;
	opens = argc > 5 ? strtoul(argv[5], NULL, 10) : 500;
	lat = malloc(sizeof(*lat) *
		     (lookups > hits ? (lookups > opens ? lookups : opens)
				     : (hits > opens ? hits : opens)));
	if (lat == NULL || n == 0)
		return 1;
	st = open_store(cfg);
	type = signet_store_type(st);
	load(st, type, n, now);

	errors = 0;
	t0 = mono_us();
	for (size_t i = 0; i < lookups; i++) {
		double s = mono_us();

		addr_of(mix(i + 77) % n, addr, sizeof(addr), base,
			sizeof(base));
		if (signet_store_lookup(st, addr, base, 0, now, &u) !=
			    SIGNET_OK ||
		    u.count == 0)
			errors++;
		lat[i] = mono_us() - s;
	}
	report("lookup", type, lat, lookups, mono_us() - t0, errors);

	errors = 0;
	t0 = mono_us();
	for (size_t i = 0; i < hits; i++) {
		double s = mono_us();

		addr_of(mix(i + 991) % n, addr, sizeof(addr), base,
			sizeof(base));
		if (signet_store_hit(st, addr, base, now - 60, now + 45 * 86400,
				     now, &u) != SIGNET_OK)
			errors++;
		lat[i] = mono_us() - s;
	}
	report("hit", type, lat, hits, mono_us() - t0, errors);
	signet_store_close(&st);

	/* what a new Exim connection pays: open, one hit, close */
	errors = 0;
	t0 = mono_us();
	for (size_t i = 0; i < opens; i++) {
		double s = mono_us();

		st = open_store(cfg);
		addr_of(mix(i + 5) % n, addr, sizeof(addr), base, sizeof(base));
		if (signet_store_hit(st, addr, base, now - 60, now + 45 * 86400,
				     now, &u) != SIGNET_OK)
			errors++;
		signet_store_close(&st);
		lat[i] = mono_us() - s;
	}
	report("open+hit", type, lat, opens, mono_us() - t0, errors);

	/* the check the store adds to: signet_verify of a signed address */
	signet_config_lifetimes(cfg, &lt);
	if (signet_keyring_new(&kr) == SIGNET_OK &&
	    signet_keyring_add(kr, SIGNET_KEY_ADDR, now - 10, 86400 * 30,
			       86400 * 60, &id) == SIGNET_OK &&
	    signet_sign(kr, &lt, SIGNET_FMT_SIGNET, "alice@isp.example",
			"<m@isp.example>", now, sig,
			sizeof(sig)) == SIGNET_OK) {
		size_t k = lookups; /* fits lat */

		t0 = mono_us();
		for (size_t i = 0; i < k; i++) {
			double s = mono_us();

			if (signet_verify(kr, &lt, sig, now, &v) != SIGNET_OK)
				errors++;
			lat[i] = mono_us() - s;
		}
		t1 = mono_us();
		report("verify", "crypto", lat, k, t1 - t0, errors);
	}
	signet_keyring_free(&kr);
	signet_config_free(&cfg);
	free(lat);
	return 0;
}
