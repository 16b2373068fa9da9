/* Per-process configuration, keyrings and store: loaded on first use and
   reloaded when a file's identity or mtime changes. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "module.h"

/* How long to wait before trying an unreachable store again. */
#define SX_STORE_RETRY 60

static struct sx_state state;
static int event_fault_logged;
/* kept open between events; never opened by the daemon's preload */
static signet_event_log *events;

static int
file_changed(const struct sx_file *f, const char *path)
{
	if (path == NULL)
		path = "";
	return strcmp(f->path, path) != 0 || signet_file_changed(path, &f->stamp);
}

/* Records the file as it is now (before loading it, so a change during
   the load is seen next time). */
static void
file_note(struct sx_file *f, const char *path)
{
	memset(f, 0, sizeof(*f));
	strncpy(f->path, path, sizeof(f->path) - 1);
	signet_file_stamp(path, &f->stamp);
}

static void
load_failed(struct sx_file *f, const char *what, const char *err)
{
	if (f->logged)
		return;
	sx_log("%s unusable, outgoing mail goes unsigned and checks answer "
	       "4xx: %s",
	       what, err);
	f->logged = 1;
}

static void
drop_keys(struct sx_state *s)
{
	signet_keyring_free(&s->kr);
	signet_keyring_free(&s->seal_kr);
	memset(&s->kr_file, 0, sizeof(s->kr_file));
	memset(&s->seal_file, 0, sizeof(s->seal_file));
}

static void
load_config(struct sx_state *s, const char *path)
{
	signet_config *cfg = NULL;

	signet_config_free(&s->cfg);
	signet_store_close(&s->store);
	s->store_retry = 0;
	drop_keys(s);
	file_note(&s->cfg_file, path);
	if (signet_config_load(path, &cfg, s->cfg_err, sizeof(s->cfg_err)) !=
	    SIGNET_OK) {
		signet_config_free(&cfg);
		load_failed(&s->cfg_file, "configuration", s->cfg_err);
		return;
	}
	s->cfg = cfg;
	s->cfg_err[0] = '\0';
	s->cfg_file.logged = 0;
	signet_config_lifetimes(cfg, &s->lt);
}

/* A keyring that loads but holds no key of the purpose needed (empty, or
   the seal-only copy made for Dovecot) is a configuration fault too:
   said once per load, as a file that does not load is. */
static void
load_keyring(struct sx_file *f, signet_keyring **kr_r, const char *path,
	     enum signet_key_purpose need, char *err, size_t errlen)
{
	signet_keyring_free(kr_r);
	file_note(f, path);
	if (signet_keyring_load(path, kr_r, err, errlen) != SIGNET_OK) {
		signet_keyring_free(kr_r);
		load_failed(f, "keyring", err);
		return;
	}
	f->logged = 0;
	if (!signet_keyring_has(*kr_r, need, time(NULL)))
		sx_log("keyring %s holds no %s key that is still valid "
		       "(empty, or a copy made for another host, such as "
		       "Dovecot's seal-only keyring): %s",
		       path, need == SIGNET_KEY_ADDR ? "address" : "seal",
		       need == SIGNET_KEY_ADDR
			       ? "outgoing mail goes unsigned and checks "
				 "of signed addresses answer 451"
			       : "headers go unsealed");
}

static int
same_path(const char *a, const char *b)
{
	return a == NULL || b == NULL || *b == '\0' || strcmp(a, b) == 0;
}

static void
refresh_keys(struct sx_state *s)
{
	const char *kp = signet_config_keyring_path(s->cfg);
	const char *sp = signet_config_seal_keyring_path(s->cfg);

	if (kp == NULL)
		kp = "";
	if (file_changed(&s->kr_file, kp) ||
	    (s->kr == NULL && !s->kr_file.logged))
		load_keyring(&s->kr_file, &s->kr, kp, SIGNET_KEY_ADDR,
			     s->kr_err, sizeof(s->kr_err));
	s->seal_separate = !same_path(kp, sp);
	if (!s->seal_separate) {
		signet_keyring_free(&s->seal_kr);
		return;
	}
	if (file_changed(&s->seal_file, sp) ||
	    (s->seal_kr == NULL && !s->seal_file.logged))
		load_keyring(&s->seal_file, &s->seal_kr, sp, SIGNET_KEY_SEAL,
			     s->kr_err, sizeof(s->kr_err));
}

struct sx_state *
sx_state_get(const char *cfg_path)
{
	struct sx_state *s = &state;

	if (cfg_path == NULL || *cfg_path == '\0')
		cfg_path = signet_config_default_path();
	if (file_changed(&s->cfg_file, cfg_path) ||
	    (s->cfg == NULL && !s->cfg_file.logged))
		load_config(s, cfg_path);
	if (s->cfg != NULL)
		refresh_keys(s);
	return s;
}

const signet_keyring *
sx_seal_keyring(const struct sx_state *s)
{
	return s->seal_separate ? s->seal_kr : s->kr;
}

signet_store *
sx_store(struct sx_state *s, time_t now)
{
	char err[SIGNET_ERR_BUFSZ];

	if (s->store != NULL || s->cfg == NULL || now < s->store_retry)
		return s->store;
	if (signet_store_open(s->cfg, &s->store, err, sizeof(err)) == SIGNET_OK)
		return s->store;
	signet_store_close(&s->store);
	s->store_retry = now + SX_STORE_RETRY;
	sx_log("state store unreachable, using the signature alone "
	       "(next try in %ds): %s",
	       SX_STORE_RETRY, err);
	return NULL;
}

void
sx_event(const struct sx_state *s, time_t now, const char *kind,
	 const char *const *kv)
{
	const char *path;
	signet_status st;

	if (s->cfg == NULL)
		return;
	path = signet_config_event_log_path(s->cfg);
	if (path == NULL || *path == '\0')
		return;
	if (events == NULL ||
	    strcmp(signet_event_log_path(events), path) != 0) {
		signet_event_log_free(&events);
		if (signet_event_log_new(path, &events) != SIGNET_OK)
			return;
	}
	st = signet_event_log_write(events, now, kind, kv);
	/* Once per process: a lasting fault would otherwise flood the log. */
	if (st != SIGNET_OK && !event_fault_logged) {
		sx_log("cannot write events to %s: %s", path,
		       st == SIGNET_E_IO ? strerror(errno)
					 : signet_strerror(st));
		event_fault_logged = 1;
	}
}

void
sx_lower(const char *in, char *out, size_t outlen)
{
	size_t i;

	if (outlen == 0)
		return;
	for (i = 0; in[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? in[i] + 32 : in[i];
	out[i] = '\0';
}

int
sx_base_of(const char *addr, char *out, size_t outlen)
{
	static signet_keyring *none;
	struct signet_verdict v;
	signet_status st;

	if (!signet_is_signed(addr))
		return -1;
	/* No keys: the verdict is "unknown key", but the base is parsed. */
	if (none == NULL && signet_keyring_new(&none) != SIGNET_OK)
		return -1;
	st = signet_verify(none, NULL, addr, time(NULL), &v);
	if (st == SIGNET_E_SYNTAX || v.base[0] == '\0' ||
	    strlen(v.base) >= outlen)
		return -1;
	memcpy(out, v.base, strlen(v.base) + 1);
	return 0;
}
