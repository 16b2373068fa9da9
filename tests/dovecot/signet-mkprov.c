/* Test helper: makes seal keyrings and real sealed Signet-Provenance
   header values with the core, as the Exim module would.
     signet-mkprov newkey KEYRING
     signet-mkprov seal KEYRING RCPT [key=value ...]
   "seal" prints the folded header value (without the name). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signet.h"

static int
usage(void)
{
	fprintf(stderr,
		"usage: signet-mkprov newkey KEYRING\n"
		"       signet-mkprov seal KEYRING RCPT [key=value...]\n");
	return 2;
}

static int
newkey(const char *path)
{
	char err[SIGNET_ERR_BUFSZ] = "";
	signet_keyring *kr;
	int id;

	if (signet_keyring_new(&kr) != SIGNET_OK ||
	    /* made 200 days ago, so that a test can seal in the past */
	    signet_keyring_add(kr, SIGNET_KEY_SEAL, time(NULL) - 200 * 86400,
			       86400LL * 365, 86400LL * 400,
			       &id) != SIGNET_OK ||
	    signet_keyring_save(kr, path, 1, err, sizeof(err)) != SIGNET_OK) {
		fprintf(stderr, "signet-mkprov: %s: cannot make keyring: %s\n",
			path, err);
		return 1;
	}
	signet_keyring_free(&kr);
	return 0;
}

static int
seal(const char *path, const char *rcpt, int argc, char **argv)
{
	char err[SIGNET_ERR_BUFSZ] = "", out[SIGNET_HEADER_BUFSZ];
	struct signet_prov p;
	signet_keyring *kr;
	signet_status st;

	if (signet_keyring_load(path, &kr, err, sizeof(err)) != SIGNET_OK) {
		fprintf(stderr, "signet-mkprov: %s\n", err);
		return 1;
	}
	signet_prov_init(&p);
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (eq == NULL)
			return usage();
		*eq = '\0';
		if (signet_prov_add(&p, argv[i], eq + 1) != SIGNET_OK) {
			fprintf(stderr, "signet-mkprov: bad field %s\n",
				argv[i]);
			return 1;
		}
	}
	/* $SIGNET_MKPROV_NOW: seal as if at that time (a replay test) */
	st = signet_prov_seal(kr, &p, rcpt,
			      getenv("SIGNET_MKPROV_NOW") != NULL
				      ? (time_t)atoll(getenv("SIGNET_MKPROV_NOW"))
				      : time(NULL),
			      out, sizeof(out));
	signet_keyring_free(&kr);
	if (st != SIGNET_OK) {
		fprintf(stderr, "signet-mkprov: seal: %s\n",
			signet_strerror(st));
		return 1;
	}
	printf("%s\n", out);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "newkey") == 0)
		return newkey(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "seal") == 0)
		return seal(argv[2], argv[3], argc - 4, argv + 4);
	return usage();
}
