/* signet.so: private interface between the Exim module's files.  Those
   that include exim.h (incoming.c, module.c, outgoing.c, seal.c) see
   Exim's headers; the rest is plain C over the core, so it can be read
   (and tested) without Exim. */
#ifndef SIGNET_EXIM_MODULE_H
#define SIGNET_EXIM_MODULE_H

#include "signet.h"

#define SX_EXPORT __attribute__((visibility("default")))
/* On the path of every message: see SIGNET_HOT (shared/internal.h). */
#define SX_HOT __attribute__((hot))

/* Per-process state: Exim runs one process per SMTP connection, and the
   module keeps its configuration and keys for the life of that process
   in the core's context.  The other fields are views of it. */
struct sx_state {
	signet_ctx *ctx;	   /* NULL only when out of memory */
	const signet_config *cfg;  /* NULL: configuration unusable */
	const signet_keyring *kr;  /* NULL: keyring unusable */
	struct signet_lifetimes lt;
};

/* Loads or reloads (when a file changed) and returns the state.  Missing
   parts are NULL; the reason was logged once. */
struct sx_state *sx_state_get(const char *cfg_path);
/* The configuration path this process was last given (by the daemon's
   preload, which every connection inherits, or a ${dlfunc}), or NULL. */
const char *sx_state_path(void);
const signet_keyring *sx_seal_keyring(const struct sx_state *s);
/* The store, opened on first use; NULL (logged once a minute) when it
   cannot be reached. */
signet_store *sx_store(struct sx_state *s, time_t now);

/* The answer for one RCPT (see signet_rcpt in module.c). */
struct sx_rcpt_answer {
	struct signet_rcpt_answer d;
	char text[512]; /* SMTP reply text with its codes; "" to accept */
};
/* peer: the client's IP address, or NULL for a local submission. */
void sx_rcpt_check(struct sx_state *s, const char *rcpt, const char *sender,
		   const char *peer, time_t now, struct sx_rcpt_answer *a_r);

/* Logs "signet: ..." to Exim's main log (module.c). */
void sx_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes one event to the configured event file; a failure is logged. */
void sx_event(const struct sx_state *s, time_t now, const char *kind,
	      const char *const *kv);

/* Appends a key and value to an event's list when the value is set. */
static inline void
sx_kv(const char **kv, size_t *n, const char *key, const char *value)
{
	if (value == NULL)
		return;
	kv[(*n)++] = key;
	kv[(*n)++] = value;
}

/* Lower-case copy, truncated to fit. */
void sx_lower(const char *in, char *out, size_t outlen);

#endif
