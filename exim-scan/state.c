/* Per-process configuration, keyrings, store and event feed: the core's
   context (signet_ctx); this file says in Exim's log what each fault
   means for the mail. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "module.h"

static signet_ctx *ctx;
static struct sx_state state;
static char *told_path; /* the configuration path last named, or NULL */

static void
ctx_log(void *arg, enum signet_ctx_fault fault, const char *text)
{
	(void)arg;
	switch (fault) {
	case SIGNET_CTX_CONFIG:
		sx_log("configuration unusable, outgoing mail goes unsigned "
		       "and checks answer 4xx: %s",
		       text);
		break;
	case SIGNET_CTX_KEYRING:
		sx_log("keyring unusable, outgoing mail goes unsigned and "
		       "checks answer 4xx: %s",
		       text);
		break;
	case SIGNET_CTX_NO_ADDR_KEY:
		sx_log("%s: outgoing mail goes unsigned and checks of signed "
		       "addresses answer 451",
		       text);
		break;
	case SIGNET_CTX_NO_SEAL_KEY:
		sx_log("%s: headers go unsealed", text);
		break;
	case SIGNET_CTX_STORE:
		sx_log("state store unreachable, using the signature alone "
		       "(next try in %ds): %s",
		       SIGNET_CTX_STORE_RETRY, text);
		break;
	case SIGNET_CTX_EVENTS:
		sx_log("%s", text);
		break;
	}
}

SX_HOT struct sx_state *
sx_state_get(const char *cfg_path)
{
	struct sx_state *s = &state;
	const signet_config *cfg;
	const signet_keyring *kr;
	const struct signet_lifetimes *lt;

	if (ctx == NULL && signet_ctx_new(ctx_log, NULL, &ctx) != SIGNET_OK) {
		sx_log("out of memory: outgoing mail goes unsigned and checks "
		       "answer 4xx");
		memset(s, 0, sizeof(*s));
		return s;
	}
	if (cfg_path != NULL &&
	    (told_path == NULL || strcmp(told_path, cfg_path) != 0)) {
		free(told_path);
		told_path = strdup(cfg_path);
	}
	signet_ctx_refresh(ctx, cfg_path, time(NULL));
	cfg = signet_ctx_config(ctx);
	kr = signet_ctx_keyring(ctx);
	lt = signet_ctx_lifetimes(ctx);
	/* Written only when changed: a connection's process shares this
	   page with the daemon until it writes to it. */
	if (s->ctx != ctx || s->cfg != cfg || s->kr != kr ||
	    memcmp(&s->lt, lt, sizeof(*lt)) != 0) {
		s->ctx = ctx;
		s->cfg = cfg;
		s->kr = kr;
		s->lt = *lt;
	}
	return s;
}

SX_HOT const char *
sx_state_path(void)
{
	return told_path;
}

const signet_keyring *
sx_seal_keyring(const struct sx_state *s)
{
	return s->ctx != NULL ? signet_ctx_seal_keyring(s->ctx) : NULL;
}

signet_store *
sx_store(struct sx_state *s, time_t now)
{
	return s->ctx != NULL ? signet_ctx_store(s->ctx, now) : NULL;
}

void
sx_event(const struct sx_state *s, time_t now, const char *kind,
	 const char *const *kv)
{
	if (s->ctx != NULL)
		signet_ctx_event(s->ctx, now, kind, kv);
}

SX_HOT void
sx_lower(const char *in, char *out, size_t outlen)
{
	size_t i;

	if (outlen == 0)
		return;
	for (i = 0; in[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? in[i] + 32 : in[i];
	out[i] = '\0';
}
