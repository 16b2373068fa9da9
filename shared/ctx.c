/* A host's working set (signet_ctx): the configuration and keyrings,
   loaded on first use and again when a file changes; the store, opened on
   first use and retried a while after a failure; the event feed, kept
   open.  Faults go to the host's log function, each said once. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* What a message's check reads (the stamp and the path's first bytes)
   comes first, so that it shares a page with the fields above it. */
struct ctx_file {
	struct signet_file_stamp stamp; /* the file as loaded */
	int logged;			/* its failure was said */
	char path[4096];
};

struct signet_ctx {
	signet_ctx_log_fn *log;
	void *log_arg;
	signet_config *cfg;
	signet_keyring *kr;	 /* address keys (and seal keys if shared) */
	signet_keyring *seal_kr; /* from seal_keyring, when it is set */
	int seal_separate;
	struct signet_lifetimes lt;
	struct ctx_file cfg_file, kr_file, seal_file;
	signet_store *store;
	time_t store_retry; /* no new attempt to open before this */
	signet_event_log *events;
	int events_logged;
};

static void
say(signet_ctx *ctx, enum signet_ctx_fault f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
say(signet_ctx *ctx, enum signet_ctx_fault f, const char *fmt, ...)
{
	char text[SIGNET_ERR_BUFSZ + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (ctx->log != NULL)
		ctx->log(ctx->log_arg, f, text);
}

signet_status
signet_ctx_new(signet_ctx_log_fn *log, void *log_arg, signet_ctx **ctx_r)
{
	signet_ctx *ctx = calloc(1, sizeof(*ctx));

	*ctx_r = NULL;
	if (ctx == NULL)
		return SIGNET_E_NOMEM;
	ctx->log = log;
	ctx->log_arg = log_arg;
	*ctx_r = ctx;
	return SIGNET_OK;
}

static void
drop_keys(signet_ctx *ctx)
{
	signet_keyring_free(&ctx->kr);
	signet_keyring_free(&ctx->seal_kr);
	memset(&ctx->kr_file, 0, sizeof(ctx->kr_file));
	memset(&ctx->seal_file, 0, sizeof(ctx->seal_file));
}

void
signet_ctx_free(signet_ctx **ctx)
{
	if (*ctx == NULL)
		return;
	drop_keys(*ctx);
	signet_config_free(&(*ctx)->cfg);
	signet_store_close(&(*ctx)->store);
	signet_event_log_free(&(*ctx)->events);
	free(*ctx);
	*ctx = NULL;
}

SIGNET_HOT static int
file_changed(const struct ctx_file *f, const char *path)
{
	return strcmp(f->path, path) != 0 ||
	       signet_file_changed(path, &f->stamp);
}

/* A keyring's path comes from the configuration, and a new configuration
   drops the keys (load_config), so until then the path noted in f is the
   configuration's: no need to compare it again for every message. */
SIGNET_HOT static int
key_file_changed(const struct ctx_file *f)
{
	return signet_file_changed(f->path, &f->stamp);
}

/* Stamped before it is read, so that a change during the read is seen
   next time. */
static void
file_note(struct ctx_file *f, const char *path)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	signet_file_stamp(path, &f->stamp);
}

static void
load_config(signet_ctx *ctx, const char *path)
{
	char err[SIGNET_ERR_BUFSZ];
	signet_config *cfg = NULL;
	const char *kp, *sp;

	signet_config_free(&ctx->cfg);
	signet_store_close(&ctx->store);
	ctx->store_retry = 0;
	drop_keys(ctx);
	file_note(&ctx->cfg_file, path);
	if (signet_config_load(path, &cfg, err, sizeof(err)) != SIGNET_OK) {
		signet_config_free(&cfg);
		say(ctx, SIGNET_CTX_CONFIG, "%s", err);
		ctx->cfg_file.logged = 1;
		return;
	}
	ctx->cfg = cfg;
	signet_config_lifetimes(cfg, &ctx->lt);
	kp = signet_config_keyring_path(cfg);
	sp = signet_config_seal_keyring_path(cfg);
	/* a configuration's own: not compared again for every message */
	ctx->seal_separate = sp != NULL && *sp != '\0' &&
			     strcmp(kp != NULL ? kp : "", sp) != 0;
}

/* A keyring that loads but holds no key of the purpose needed (empty, or
   the seal-only copy made for Dovecot) is a fault too: said once per
   load, as a file that does not load is. */
static void
load_keyring(signet_ctx *ctx, struct ctx_file *f, signet_keyring **kr_r,
	     const char *path, enum signet_key_purpose need, time_t now)
{
	char err[SIGNET_ERR_BUFSZ];

	signet_keyring_free(kr_r);
	file_note(f, path);
	if (signet_keyring_load(path, kr_r, err, sizeof(err)) != SIGNET_OK) {
		signet_keyring_free(kr_r);
		say(ctx, SIGNET_CTX_KEYRING, "%s", err);
		f->logged = 1;
		return;
	}
	if (!signet_keyring_has(*kr_r, need, now))
		say(ctx,
		    need == SIGNET_KEY_ADDR ? SIGNET_CTX_NO_ADDR_KEY
					    : SIGNET_CTX_NO_SEAL_KEY,
		    "keyring %s holds no %s key that is still valid (empty, "
		    "or a copy made for another host, such as Dovecot's "
		    "seal-only keyring)",
		    path, need == SIGNET_KEY_ADDR ? "address" : "seal");
}

SIGNET_HOT static void
refresh_keys(signet_ctx *ctx, time_t now)
{
	if (key_file_changed(&ctx->kr_file) ||
	    (ctx->kr == NULL && !ctx->kr_file.logged)) {
		const char *kp = signet_config_keyring_path(ctx->cfg);

		load_keyring(ctx, &ctx->kr_file, &ctx->kr,
			     kp != NULL ? kp : "", SIGNET_KEY_ADDR, now);
	}
	if (!ctx->seal_separate)
		return;
	if (key_file_changed(&ctx->seal_file) ||
	    (ctx->seal_kr == NULL && !ctx->seal_file.logged))
		load_keyring(ctx, &ctx->seal_file, &ctx->seal_kr,
			     signet_config_seal_keyring_path(ctx->cfg),
			     SIGNET_KEY_SEAL, now);
}

SIGNET_HOT void
signet_ctx_refresh(signet_ctx *ctx, const char *cfg_path, time_t now)
{
	if (cfg_path == NULL || *cfg_path == '\0')
		cfg_path = signet_config_default_path();
	if (file_changed(&ctx->cfg_file, cfg_path) ||
	    (ctx->cfg == NULL && !ctx->cfg_file.logged))
		load_config(ctx, cfg_path);
	if (ctx->cfg != NULL)
		refresh_keys(ctx, now);
}

void
signet_ctx_refresh_seal(signet_ctx *ctx, const char *seal_path, time_t now)
{
	ctx->seal_separate = 1;
	if (file_changed(&ctx->seal_file, seal_path) ||
	    (ctx->seal_kr == NULL && !ctx->seal_file.logged))
		load_keyring(ctx, &ctx->seal_file, &ctx->seal_kr, seal_path,
			     SIGNET_KEY_SEAL, now);
}

SIGNET_HOT const signet_config *
signet_ctx_config(const signet_ctx *ctx)
{
	return ctx->cfg;
}

SIGNET_HOT const signet_keyring *
signet_ctx_keyring(const signet_ctx *ctx)
{
	return ctx->kr;
}

const signet_keyring *
signet_ctx_seal_keyring(const signet_ctx *ctx)
{
	return ctx->seal_separate ? ctx->seal_kr : ctx->kr;
}

SIGNET_HOT const struct signet_lifetimes *
signet_ctx_lifetimes(const signet_ctx *ctx)
{
	return &ctx->lt;
}

signet_store *
signet_ctx_store(signet_ctx *ctx, time_t now)
{
	char err[SIGNET_ERR_BUFSZ];

	if (ctx->store != NULL || ctx->cfg == NULL || now < ctx->store_retry)
		return ctx->store;
	if (signet_store_open(ctx->cfg, &ctx->store, err, sizeof(err)) ==
	    SIGNET_OK)
		return ctx->store;
	signet_store_close(&ctx->store);
	ctx->store_retry = now + SIGNET_CTX_STORE_RETRY;
	say(ctx, SIGNET_CTX_STORE, "%s", err);
	return NULL;
}

void
signet_ctx_event(signet_ctx *ctx, time_t now, const char *kind,
		 const char *const *kv)
{
	const char *path;
	signet_status st;

	if (ctx->cfg == NULL)
		return;
	path = signet_config_event_log_path(ctx->cfg);
	if (path == NULL || *path == '\0')
		return;
	if (ctx->events == NULL ||
	    strcmp(signet_event_log_path(ctx->events), path) != 0) {
		signet_event_log_free(&ctx->events);
		if (signet_event_log_new(path, &ctx->events) != SIGNET_OK)
			return;
	}
	st = signet_event_log_write(ctx->events, now, kind, kv);
	/* once per context: a lasting fault would flood the log */
	if (st != SIGNET_OK && !ctx->events_logged) {
		say(ctx, SIGNET_CTX_EVENTS, "cannot write events to %s: %s",
		    path,
		    st == SIGNET_E_IO ? strerror(errno) : signet_strerror(st));
		ctx->events_logged = 1;
	}
}
