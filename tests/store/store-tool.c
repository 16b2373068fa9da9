/* Drives the state store for tests/store/suite.sh: single calls, forked
   concurrent writers, and timed calls against a failing store. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "signet.h"
#include "store-internal.h"

/* A call slower than this counts as slow in `timed`. */
#define SLOW_US 25000

static time_t now_arg;
/* for print_usage's verdict= (signet_usage_apply on a valid signature) */
static const signet_config *use_cfg;

static time_t
now_t(void)
{
	return now_arg != 0 ? now_arg : time(NULL);
}

static signet_store *
open_store(signet_config *cfg)
{
	char err[SIGNET_ERR_BUFSZ] = "";
	signet_store *st = NULL;
	signet_status s = signet_store_open(cfg, &st, err, sizeof(err));

	if (s != SIGNET_OK) {
		printf("status=%s error=%s\n", signet_status_name(s), err);
		return NULL;
	}
	return st;
}

static void
print_usage(signet_status s, const struct signet_usage *u, signet_store *st)
{
	const char *fault = signet_store_fault(st, now_t());

	printf("status=%s count=%llu base=%llu first=%lld last=%lld "
	       "revoked=%d granted=%llu base_granted=%llu verdict=%s "
	       "reason=%s\n",
	       signet_status_name(s), u->count, u->base_count,
	       (long long)u->first_seen, (long long)u->last_seen, u->revoked,
	       u->granted, u->base_granted,
	       signet_status_name(signet_usage_apply(use_cfg, u, SIGNET_OK)),
	       u->reason);
	if (fault != NULL)
		printf("fault=%s\n", fault);
}

static void
print_guess(signet_store *st, signet_config *cfg, const char *base,
	    const char *peer, signet_status crypto)
{
	struct signet_guess g;
	signet_status s =
		signet_guess_check(st, cfg, base, peer, crypto, now_t(), &g);
	const char *fault = signet_store_fault(st, now_t());

	printf("status=%s count=%llu net=%llu locked=%d reached=%d "
	       "mailbox=%s from=%s\n",
	       signet_status_name(s), g.count, g.net_count, g.locked, g.reached,
	       g.mailbox, g.net);
	if (fault != NULL)
		printf("fault=%s\n", fault);
}

static double
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* NPROC processes each hit the address M times, as Exim's per-connection
   children would.  With shared=1 the store is opened before the fork. */
static int
hammer(signet_config *cfg, int nproc, int m, const char *addr, const char *base,
       int shared)
{
	struct signet_usage u;
	signet_store *st = NULL;
	int errors = 0;

	if (shared && (st = open_store(cfg)) == NULL)
		return 1;
	for (int i = 0; i < nproc; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			signet_store *cst = shared ? st : open_store(cfg);
			int bad = 0;

			if (cst == NULL)
				_exit(100);
			for (int j = 0; j < m; j++) {
				if (signet_store_hit(cst, addr, base, 0, 0,
						     now_t(), &u) != SIGNET_OK)
					bad++;
			}
			/* like Exim's children: exit without closing */
			_exit(bad > 99 ? 99 : bad);
		}
	}
	for (int i = 0; i < nproc; i++) {
		int status;

		if (wait(&status) < 0)
			break;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			errors +=
				WIFEXITED(status) ? WEXITSTATUS(status) : 1000;
	}
	if (st == NULL && (st = open_store(cfg)) == NULL)
		return 1;
	signet_status s = signet_store_lookup(st, addr, base, 0, now_t(), &u);
	printf("errors=%d ", errors);
	print_usage(s, &u, st);
	signet_store_close(&st);
	return 0;
}

/* N hits, SLEEP_MS apart, while the suite breaks the store. */
static int
timed(signet_config *cfg, int n, const char *addr, const char *base,
      int sleep_ms)
{
	struct signet_usage u;
	signet_store *st = open_store(cfg);
	double max = 0, total = 0;
	int ok = 0, io = 0, other = 0, logged = 0, slow = 0, recovered = 0;

	if (st == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		double t0 = mono_us(), dt;
		signet_status s =
			signet_store_hit(st, addr, base, 0, 0, now_t(), &u);

		dt = mono_us() - t0;
		total += dt;
		if (dt > max)
			max = dt;
		if (dt > SLOW_US)
			slow++;
		if (s == SIGNET_OK && io > 0)
			recovered++; /* ok again after a failure */
		if (s == SIGNET_OK)
			ok++;
		else if (s == SIGNET_E_IO)
			io++;
		else
			other++;
		if (signet_store_fault(st, now_t()) != NULL)
			logged++;
		if (sleep_ms > 0)
			usleep((useconds_t)sleep_ms * 1000);
	}
	printf("ok=%d io=%d other=%d logged=%d slow=%d recovered=%d "
	       "max_us=%.0f total_ms=%.1f\n",
	       ok, io, other, logged, slow, recovered, max, total / 1000);
	signet_store_close(&st);
	return 0;
}

static int
list_cb(const struct signet_store_entry *e, void *ctx)
{
	static const char kinds[] = "abrR";

	(void)ctx;
	printf("%c %s count=%llu before=%lld reason=%s\n", kinds[e->kind],
	       e->addr, e->count, (long long)e->before,
	       e->reason != NULL ? e->reason : "");
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: store-tool [-n NOW] CONFIG open|purge|list\n"
		"       store-tool CONFIG hit|lookup SIGNED BASE [ISSUED "
		"[EXPIRES]]\n"
		"       store-tool CONFIG grant SIGNED BASE USES\n"
		"       store-tool CONFIG revoke|unrevoke ADDR [BEFORE]\n"
		"       store-tool CONFIG hammer NPROC M SIGNED BASE [shared]\n"
		"       store-tool CONFIG timed N SIGNED BASE [SLEEP_MS]\n"
		"       store-tool CONFIG guess BASE PEER forged|valid\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	char err[SIGNET_ERR_BUFSZ];
	signet_config *cfg = NULL;
	signet_store *st;
	struct signet_usage u;
	signet_status s;
	const char *cmd;
	int rc;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		now_arg = (time_t)atoll(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 3)
		usage();
	if (signet_config_load(argv[1], &cfg, err, sizeof(err)) != SIGNET_OK) {
		printf("config: %s\n", err);
		return 2;
	}
	cmd = argv[2];
	use_cfg = cfg;
	if (strcmp(cmd, "hammer") == 0 && argc >= 7) {
		rc = hammer(cfg, atoi(argv[3]), atoi(argv[4]), argv[5], argv[6],
			    argc > 7);
		signet_config_free(&cfg);
		return rc;
	}
	if (strcmp(cmd, "timed") == 0 && argc >= 6) {
		rc = timed(cfg, atoi(argv[3]), argv[4], argv[5],
			   argc > 6 ? atoi(argv[6]) : 0);
		signet_config_free(&cfg);
		return rc;
	}
	if ((st = open_store(cfg)) == NULL) {
		signet_config_free(&cfg);
		return 1;
	}
	memset(&u, 0, sizeof(u));
	if (strcmp(cmd, "open") == 0) {
		printf("status=ok type=%s\n", signet_store_type(st));
	} else if (strcmp(cmd, "hit") == 0 && argc >= 5) {
		s = signet_store_hit(
			st, argv[3], argv[4], argc > 5 ? atoll(argv[5]) : 0,
			argc > 6 ? atoll(argv[6]) : 0, now_t(), &u);
		print_usage(s, &u, st);
	} else if (strcmp(cmd, "grant") == 0 && argc >= 6) {
		s = signet_store_grant(st, argv[3], argv[4],
				       strtoull(argv[5], NULL, 10), 0, now_t());
		print_usage(s, &u, st);
	} else if (strcmp(cmd, "lookup") == 0 && argc >= 5) {
		s = signet_store_lookup(st, argv[3], argv[4],
					argc > 5 ? atoll(argv[5]) : 0, now_t(),
					&u);
		print_usage(s, &u, st);
	} else if (strcmp(cmd, "revoke") == 0 && argc >= 4) {
		s = signet_store_revoke(st, argv[3],
					argc > 4 ? atoll(argv[4]) : 0, "test",
					now_t());
		print_usage(s, &u, st);
	} else if (strcmp(cmd, "unrevoke") == 0 && argc >= 4) {
		s = signet_store_unrevoke(st, argv[3]);
		print_usage(s, &u, st);
	} else if (strcmp(cmd, "guess") == 0 && argc >= 6) {
		print_guess(st, cfg, argv[3], argv[4],
			    strcmp(argv[5], "forged") == 0 ? SIGNET_E_FORGED
							   : SIGNET_OK);
	} else if (strcmp(cmd, "purge") == 0) {
		unsigned long long n = 0;

		s = signet_store_purge(st, now_t(), &n);
		printf("status=%s removed=%llu\n", signet_status_name(s), n);
	} else if (strcmp(cmd, "list") == 0) {
		s = signet_store_foreach(st, now_t(), list_cb, NULL);
		printf("status=%s\n", signet_status_name(s));
	} else {
		usage();
	}
	signet_store_close(&st);
	signet_config_free(&cfg);
	return 0;
}
