/* Test helper for the Exim suite, over the core library:
     helper sign KEYRING FORMAT ADDR MSGID AGE_SECONDS
	prints ADDR signed AGE_SECONDS ago (FORMAT signet or prvs; MSGID "-"
	for none), to make old, fading and expired addresses;
     helper prov-check KEYRING RCPT < VALUE
	checks the seal of a Signet-Provenance value for RCPT, prints "ok" or
	the status name and exits 0 only when the seal verifies;
     helper revoke CONFIG ADDR
	revokes ADDR in the state store CONFIG names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "signet.h"

static int
load(const char *path, signet_keyring **kr_r)
{
	char err[SIGNET_ERR_BUFSZ];

	if (signet_keyring_load(path, kr_r, err, sizeof(err)) != SIGNET_OK) {
		fprintf(stderr, "helper: %s\n", err);
		return -1;
	}
	return 0;
}

static int
cmd_sign(char **argv)
{
	char out[SIGNET_ADDR_BUFSZ];
	signet_keyring *kr = NULL;
	enum signet_format fmt = strcmp(argv[1], "prvs") == 0
					 ? SIGNET_FMT_PRVS
					 : SIGNET_FMT_SIGNET;
	const char *msgid = strcmp(argv[3], "-") == 0 ? NULL : argv[3];
	time_t when = time(NULL) - atol(argv[4]);
	signet_status st;

	if (load(argv[0], &kr) != 0)
		return 2;
	st = signet_sign(kr, NULL, fmt, argv[2], msgid, when, out, sizeof(out));
	signet_keyring_free(&kr);
	if (st != SIGNET_OK) {
		fprintf(stderr, "helper: sign: %s\n", signet_strerror(st));
		return 1;
	}
	puts(out);
	return 0;
}

static int
cmd_prov_check(char **argv)
{
	char value[SIGNET_HEADER_BUFSZ * 2];
	size_t n = fread(value, 1, sizeof(value) - 1, stdin);
	signet_keyring *kr = NULL;
	struct signet_prov p;
	signet_status st;

	value[n] = '\0';
	if (load(argv[0], &kr) != 0)
		return 2;
	st = signet_prov_parse(value, &p);
	if (st == SIGNET_OK)
		st = signet_prov_verify(kr, &p, argv[1], time(NULL));
	signet_keyring_free(&kr);
	puts(st == SIGNET_OK ? "ok" : signet_status_name(st));
	return st == SIGNET_OK ? 0 : 1;
}

static int
cmd_revoke(char **argv)
{
	char err[SIGNET_ERR_BUFSZ];
	signet_config *cfg = NULL;
	signet_store *st = NULL;
	signet_status rc;

	rc = signet_config_load(argv[0], &cfg, err, sizeof(err));
	if (rc == SIGNET_OK)
		rc = signet_store_open(cfg, &st, err, sizeof(err));
	if (rc == SIGNET_OK)
		rc = signet_store_revoke(st, argv[1], 0, "test", time(NULL));
	if (rc != SIGNET_OK)
		fprintf(stderr, "helper: revoke: %s\n",
			st != NULL ? signet_strerror(rc) : err);
	signet_store_close(&st);
	signet_config_free(&cfg);
	return rc == SIGNET_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "sign") == 0)
		return cmd_sign(argv + 2);
	if (argc == 4 && strcmp(argv[1], "prov-check") == 0)
		return cmd_prov_check(argv + 2);
	if (argc == 4 && strcmp(argv[1], "revoke") == 0)
		return cmd_revoke(argv + 2);
	fprintf(stderr, "usage: helper sign KEYRING FORMAT ADDR MSGID AGE | "
			"helper prov-check KEYRING RCPT < VALUE | "
			"helper revoke CONFIG ADDR\n");
	return 2;
}
