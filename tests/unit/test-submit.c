/* signet_sign_decide over the table in tests/vectors/submit.txt: who may
   be signed for, and what a submitter gets who tries an address that is
   not theirs.  (Through the real Exim daemon: tests/exim/suite.sh.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-internal.h"
#include "t.h"

#define NOW ((time_t)1795332600) /* 2026-11-22 */
#define VECTORS "tests/vectors/submit.txt"

static const char *const actions[] = {"keep", "signed", "own", "base",
				      "refuse"};
static const char *const origins[] = {"none", "auth", "local", "relay"};

static signet_config *
config(const char *unauth, int relay)
{
	char text[512];
	signet_config *cfg = NULL;
	char err[SIGNET_ERR_BUFSZ];

	snprintf(text, sizeof(text),
		 "{\"domains\": [\"isp.example\", \"other.example\"], "
		 "\"senders\": {\"alice\": [\"sales@isp.example\"]}, "
		 "\"unauthorised_sender\": \"%s\", \"relay_hosts_sign\": %s}",
		 unauth, relay ? "true" : "false");
	if (signet_config_parse(text, strlen(text), "t.json", &cfg, err,
				sizeof(err)) != SIGNET_OK)
		printf("config: %s\n", err);
	return cfg;
}

static int
lookup(const char *const *names, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], word) == 0)
			return (int)i;
	}
	return -1;
}

/* "-" is "", "<>" the null sender, "=ADDR" ADDR signed. */
static const char *
value(const signet_keyring *kr, const char *word, char *buf, size_t size)
{
	if (strcmp(word, "-") == 0 || strcmp(word, "<>") == 0)
		return "";
	if (word[0] != '=')
		return word;
	if (signet_sign(kr, NULL, SIGNET_FMT_SIGNET, word + 1, NULL, NOW, buf,
			size) != SIGNET_OK)
		return "(cannot sign)";
	return buf;
}

/* The detail the table gives for an answer. */
static const char *
detail(const struct signet_sign_answer *a)
{
	switch (a->action) {
	case SIGNET_SIGN_KEEP:
		return a->why != NULL ? a->why : "-";
	case SIGNET_SIGN_SIGNED:
	case SIGNET_SIGN_OWN:
		return a->owner;
	case SIGNET_SIGN_BASE:
		return a->out;
	case SIGNET_SIGN_REFUSE:
		return a->base;
	}
	return "?";
}

/* A signed answer's out is a valid address of its owner, signed now by
   the key it names. */
static int
signed_well(const signet_keyring *kr, const struct signet_sign_answer *a,
	    int key_id)
{
	struct signet_verdict v;

	if (a->action != SIGNET_SIGN_SIGNED && a->action != SIGNET_SIGN_OWN)
		return a->key_id == -1 || a->action == SIGNET_SIGN_KEEP;
	return signet_verify(kr, NULL, a->out, NOW, &v) == SIGNET_OK &&
	       strcmp(v.base, a->owner) == 0 && a->key_id == key_id &&
	       a->status == SIGNET_OK;
}

static int
run(const signet_keyring *kr, int key_id, signet_config *const *cfgs,
    char *line, int lineno)
{
	static const char *const settings[] = {"own",	"unsigned", "reject",
					       "relay", "nocfg",    "nokeys"};
	char *f[8], *want, *arrow = strstr(line, " -> "), name[600];
	char sbuf[SIGNET_ADDR_BUFSZ], out[SIGNET_ADDR_BUFSZ];
	struct signet_sign_in in = {0};
	struct signet_sign_answer a;
	int n = 0, set, act;

	if (arrow == NULL)
		return -1;
	*arrow = '\0';
	want = arrow + 4;
	want[strcspn(want, "\n")] = '\0';
	for (char *p = strtok(line, " \t"); p != NULL && n < 8;
	     p = strtok(NULL, " \t"))
		f[n++] = p;
	if (n != 5 || (set = lookup(settings, 6, f[0])) < 0 ||
	    (int)(in.origin = (enum signet_origin)lookup(origins, 4, f[1])) < 0)
		return -1;
	act = lookup(actions, 5, strtok(want, " "));
	want = want + strlen(want) + 1;
	if (act < 0)
		return -1;
	in.cfg = set == 4 ? NULL : cfgs[set == 5 ? 0 : set];
	in.kr = set == 5 ? NULL : kr;
	in.submitter = value(kr, f[2], sbuf, sizeof(sbuf));
	in.sender = value(kr, f[3], out, sizeof(out));
	in.also = strcmp(f[4], "-") == 0 ? NULL : f[4];
	in.msgid = "<m@isp.example>";
	signet_sign_decide(&in, NOW, &a);
	snprintf(name, sizeof(name), "line %d: %s %s %s <%s>: action", lineno,
		 f[0], f[1], f[2], f[3]);
	T_STREQ(name, actions[a.action], actions[act]);
	memcpy(name + strlen(name) - 6, "detail", 6);
	T_STREQ(name, detail(&a), want);
	snprintf(name, sizeof(name), "line %d: signed by its key", lineno);
	T_OK(name, signed_well(kr, &a, key_id));
	snprintf(name, sizeof(name), "line %d: unauthorised", lineno);
	T_OK(name,
	     a.unauthorised == (a.action == SIGNET_SIGN_OWN ||
				a.action == SIGNET_SIGN_BASE ||
				a.action == SIGNET_SIGN_REFUSE ||
				strcmp(detail(&a), "the submitter may not use "
						   "this address") == 0));
	return 0;
}

int
main(void)
{
	signet_config *cfgs[4] = {config("own", 0), config("unsigned", 0),
				  config("reject", 0), config("own", 1)};
	signet_keyring *kr = NULL;
	char line[1024];
	int id, lineno = 0, cases = 0;
	FILE *f = fopen(VECTORS, "r");

	t_suite = "unit-submit";
	if (f == NULL || cfgs[0] == NULL || cfgs[1] == NULL ||
	    cfgs[2] == NULL || cfgs[3] == NULL ||
	    signet_keyring_new(&kr) != SIGNET_OK ||
	    signet_keyring_add(kr, SIGNET_KEY_ADDR, NOW - 86400, 90 * 86400,
			       150 * 86400, &id) != SIGNET_OK) {
		printf("FAIL: unit-submit: setup (%s)\n", VECTORS);
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (run(kr, id, cfgs, line, lineno) != 0) {
			printf("FAIL: unit-submit: line %d unreadable\n",
			       lineno);
			t_failed++;
		}
		cases++;
	}
	fclose(f);
	T_OK("the table has its cases", cases >= 30);
	for (int i = 0; i < 4; i++)
		signet_config_free(&cfgs[i]);
	signet_keyring_free(&kr);
	return t_failed != 0;
}
