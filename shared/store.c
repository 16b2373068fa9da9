/* The state store: dispatch to a back end, the "none" store, and the
   policy that turns use counts and revocations into answers. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store-internal.h"

signet_status
store_fault(signet_store *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
	st->fault_pending = 1;
	return SIGNET_E_IO;
}

signet_status
store_load(struct store_lib *l, void *table, char *errbuf, size_t errlen)
{
	const char *why;
	void *h, *fn;
	size_t i;

	if (l->handle != NULL)
		return SIGNET_OK;
	if ((h = dlopen(*l->name, RTLD_NOW | RTLD_LOCAL)) == NULL)
		goto fail;
	for (i = 0; i < l->nsyms; i++) {
		if ((fn = dlsym(h, l->syms[i].name)) == NULL)
			goto fail;
		/* POSIX: a function pointer is stored as a void * */
		memcpy((char *)table + l->syms[i].offset, &fn, sizeof(fn));
	}
	l->handle = h;
	return SIGNET_OK;
fail:
	why = dlerror();
	signet_err(errbuf, errlen,
		   "state store: cannot load %s for store.type \"%s\": %s; "
		   "install Debian's %s",
		   *l->name, l->type, why != NULL ? why : "unknown error",
		   l->package);
	if (h != NULL)
		dlclose(h);
	return SIGNET_E_IO;
}

const char *
signet_store_fault(signet_store *st, time_t now)
{
	if (st == NULL || !st->fault_pending)
		return NULL;
	if (st->fault_reported != 0 &&
	    now - st->fault_reported < STORE_FAULT_INTERVAL &&
	    now >= st->fault_reported)
		return NULL;
	st->fault_pending = 0;
	st->fault_reported = now;
	return st->err;
}

int
store_base_rev_covers(time_t before, time_t issued)
{
	/* Unknown issue time: the revocation wins, the safe side.  "At or
	   before": an address issued in the revocation's own second is
	   covered (version 1 addresses, kept to the minute, are covered for
	   the rest of that minute). */
	return issued <= 0 || issued <= before;
}

void
store_copy_reason(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t n = 0;

	if (dstlen == 0)
		return;
	for (size_t i = 0;
	     src != NULL && i < srclen && src[i] != '\0' && n + 1 < dstlen;
	     i++) {
		unsigned char c = (unsigned char)src[i];

		dst[n++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	dst[n] = '\0';
}

/* ---- the "none" store: remembers nothing ---- */

#define UNUSED __attribute__((unused))

static signet_status
none_hit(signet_store *st UNUSED, const char *addr UNUSED,
	 const char *base UNUSED, time_t issued UNUSED, time_t keep UNUSED,
	 time_t now, struct signet_usage *u_r)
{
	u_r->count = 1;
	u_r->base_count = 1;
	u_r->first_seen = u_r->last_seen = now;
	return SIGNET_OK;
}

static signet_status
none_lookup(signet_store *st UNUSED, const char *addr UNUSED,
	    const char *base UNUSED, time_t issued UNUSED, time_t now UNUSED,
	    struct signet_usage *u_r UNUSED)
{
	return SIGNET_OK;
}

static signet_status
none_record(signet_store *st UNUSED, const char *addr UNUSED,
	    const char *base UNUSED, time_t now UNUSED,
	    struct signet_store_record *r_r UNUSED)
{
	return SIGNET_OK;
}

static signet_status
none_revoke(signet_store *st, const char *addr UNUSED, int base_rev UNUSED,
	    time_t before UNUSED, const char *reason UNUSED, time_t now UNUSED,
	    time_t keep UNUSED)
{
	/* Saying "done" here would mislead the postmaster. */
	return store_fault(st, "state store type \"none\" cannot hold "
			       "revocations; set \"store\": {\"type\": "
			       "\"lmdb\"} or \"redis\"");
}

static signet_status
none_unrevoke(signet_store *st UNUSED, const char *addr UNUSED,
	      int base_rev UNUSED, int *found_r)
{
	*found_r = 0;
	return SIGNET_OK;
}

static signet_status
none_foreach(signet_store *st UNUSED, time_t now UNUSED,
	     signet_store_foreach_cb *cb UNUSED, void *ctx UNUSED)
{
	return SIGNET_OK;
}

static signet_status
none_purge(signet_store *st UNUSED, time_t now UNUSED,
	   unsigned long long *removed_r)
{
	*removed_r = 0;
	return SIGNET_OK;
}

static signet_status
none_hit_many(signet_store *st UNUSED, size_t n UNUSED,
	      const char *const *addrs UNUSED, const char *const *bases UNUSED,
	      time_t keep UNUSED, time_t now UNUSED)
{
	return SIGNET_OK;
}

static signet_status
none_grant(signet_store *st UNUSED, const char *addr UNUSED,
	   const char *base UNUSED, unsigned long long uses UNUSED,
	   time_t keep UNUSED, time_t now UNUSED)
{
	return SIGNET_OK;
}

static void
none_close(signet_store *st UNUSED)
{
}

static const struct store_ops none_ops = {
	.name = "none",
	.hit = none_hit,
	.lookup = none_lookup,
	.record = none_record,
	.revoke = none_revoke,
	.unrevoke = none_unrevoke,
	.foreach = none_foreach,
	.purge = none_purge,
	.hit_many = none_hit_many,
	.grant = none_grant,
	.close = none_close,
};

/* ---- dispatch ---- */

signet_status
signet_store_open(const signet_config *cfg, signet_store **st_r, char *errbuf,
		  size_t errlen)
{
	signet_store *st;
	const char *type;
	signet_status ret;

	*st_r = NULL;
	type = signet_config_settings(cfg)->store.type;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return SIGNET_E_NOMEM;
	signet_config_lifetimes(cfg, &st->lt);
	if (strcmp(type, "none") == 0) {
		st->ops = &none_ops;
		ret = SIGNET_OK;
	} else if (strcmp(type, "lmdb") == 0) {
		ret = store_lmdb_open(cfg, st, errbuf, errlen);
	} else if (strcmp(type, "redis") == 0) {
		ret = store_redis_open(cfg, st, errbuf, errlen);
	} else {
		signet_err(errbuf, errlen,
			   "%s: store.type: \"%s\" is not a store type; "
			   "expected \"lmdb\", \"redis\" or \"none\"",
			   signet_config_path(cfg), type);
		ret = SIGNET_E_CONFIG;
	}
	if (ret != SIGNET_OK) {
		free(st);
		return ret;
	}
	*st_r = st;
	return SIGNET_OK;
}

void
signet_store_close(signet_store **stp)
{
	signet_store *st = *stp;

	if (st == NULL)
		return;
	st->ops->close(st);
	free(st);
	*stp = NULL;
}

void
signet_store_set_timeout(signet_store *st, long ms)
{
	if (st != NULL && st->ops->set_timeout != NULL)
		st->ops->set_timeout(st, ms);
}

const char *
signet_store_type(const signet_store *st)
{
	return st != NULL ? st->ops->name : "none";
}

/* Lower-cases an address into buf; 0 if it does not fit or is empty. */
static int
norm(const char *in, char buf[STORE_KEY_MAX])
{
	size_t len;

	if (in == NULL)
		return 0;
	len = strlen(in);
	if (len == 0 || len >= STORE_KEY_MAX)
		return 0;
	for (size_t i = 0; i <= len; i++)
		buf[i] = (char)tolower((unsigned char)in[i]);
	return 1;
}

/* An address and an optional base (NULL or ""): *bp_r is NULL or b. */
static int
norm_pair(const char *addr, const char *base, char a[STORE_KEY_MAX],
	  char b[STORE_KEY_MAX], const char **bp_r)
{
	*bp_r = NULL;
	if (!norm(addr, a))
		return 0;
	if (base == NULL || *base == '\0')
		return 1;
	*bp_r = b;
	return norm(base, b);
}

static void
usage_clear(struct signet_usage *u)
{
	memset(u, 0, sizeof(*u));
}

/* Records last as long as the address can still be presented. */
static time_t
keep_until(const signet_store *st, time_t expires, time_t now)
{
	long long life = st->lt.lifetime > st->lt.prvs_lifetime
				 ? st->lt.lifetime
				 : st->lt.prvs_lifetime;
	time_t keep = expires > 0 ? expires + st->lt.grace
				  : now + life + st->lt.grace;

	return keep > now ? keep : now + 1;
}

signet_status
signet_store_hit_many(signet_store *st, size_t n, const char *const *addrs,
		      const char *const *bases, time_t expires, time_t now)
{
	if (st == NULL)
		return SIGNET_E_IO;
	return st->ops->hit_many(st, n, addrs, bases,
				 keep_until(st, expires, now), now);
}

signet_status
signet_store_hit(signet_store *st, const char *signed_addr, const char *base,
		 time_t issued, time_t expires, time_t now,
		 struct signet_usage *u_r)
{
	char a[STORE_KEY_MAX], b[STORE_KEY_MAX];
	time_t keep;

	usage_clear(u_r);
	if (st == NULL)
		return SIGNET_E_IO;
	if (!norm(signed_addr, a) || !norm(base, b))
		return SIGNET_E_SYNTAX;
	keep = keep_until(st, expires, now);
	return st->ops->hit(st, a, b, issued, keep, now, u_r);
}

signet_status
signet_store_grant(signet_store *st, const char *signed_addr, const char *base,
		   unsigned long long uses, time_t expires, time_t now)
{
	char a[STORE_KEY_MAX], b[STORE_KEY_MAX];

	if (st == NULL)
		return SIGNET_E_IO;
	if (!norm(signed_addr, a) || !norm(base, b))
		return SIGNET_E_SYNTAX;
	if (uses == 0)
		return SIGNET_OK;
	return st->ops->grant(st, a, b, uses, keep_until(st, expires, now),
			      now);
}

signet_status
signet_store_lookup(signet_store *st, const char *signed_addr, const char *base,
		    time_t issued, time_t now, struct signet_usage *u_r)
{
	char a[STORE_KEY_MAX], b[STORE_KEY_MAX];
	const char *bp;

	usage_clear(u_r);
	if (st == NULL)
		return SIGNET_E_IO;
	if (!norm_pair(signed_addr, base, a, b, &bp))
		return SIGNET_E_SYNTAX;
	return st->ops->lookup(st, a, bp, issued, now, u_r);
}

signet_status
signet_store_record(signet_store *st, const char *addr, const char *base,
		    time_t now, struct signet_store_record *r_r)
{
	char a[STORE_KEY_MAX], b[STORE_KEY_MAX];
	const char *bp;

	memset(r_r, 0, sizeof(*r_r));
	if (st == NULL)
		return SIGNET_E_IO;
	if (!norm_pair(addr, base, a, b, &bp))
		return SIGNET_E_SYNTAX;
	return st->ops->record(st, a, bp, now, r_r);
}

signet_status
signet_store_revoke(signet_store *st, const char *addr, time_t before,
		    const char *reason, time_t now)
{
	char a[STORE_KEY_MAX], why[SIGNET_STORE_REASON_MAX];
	long long life;
	int base_rev;
	time_t keep;

	if (st == NULL)
		return SIGNET_E_IO;
	if (!norm(addr, a))
		return SIGNET_E_SYNTAX;
	base_rev = !signet_is_signed(a);
	life = st->lt.lifetime > st->lt.prvs_lifetime ? st->lt.lifetime
						      : st->lt.prvs_lifetime;
	if (base_rev) {
		if (before <= 0)
			before = now;
		/* Every address issued before `before` is dead by then. */
		keep = before + life + st->lt.grace + st->lt.max_skew;
	} else {
		before = 0;
		keep = now + life + st->lt.grace + st->lt.max_skew;
	}
	store_copy_reason(why, sizeof(why), reason != NULL ? reason : "",
			  (size_t)-1);
	return st->ops->revoke(st, a, base_rev, before, why, now, keep);
}

signet_status
signet_store_unrevoke(signet_store *st, const char *addr)
{
	char a[STORE_KEY_MAX];
	int found = 0;

	if (st == NULL)
		return SIGNET_E_IO;
	if (!norm(addr, a))
		return SIGNET_E_SYNTAX;
	return st->ops->unrevoke(st, a, !signet_is_signed(a), &found);
}

signet_status
signet_store_foreach(signet_store *st, time_t now, signet_store_foreach_cb *cb,
		     void *ctx)
{
	if (st == NULL)
		return SIGNET_E_IO;
	return st->ops->foreach (st, now, cb, ctx);
}

signet_status
signet_store_purge(signet_store *st, time_t now, unsigned long long *removed_r)
{
	*removed_r = 0;
	if (st == NULL)
		return SIGNET_E_IO;
	return st->ops->purge(st, now, removed_r);
}

signet_status
signet_usage_apply(const signet_config *cfg, const struct signet_usage *u,
		   signet_status crypto_status)
{
	long long max_uses, max_base;

	if (u == NULL)
		return crypto_status;
	if (u->revoked &&
	    (crypto_status == SIGNET_OK || crypto_status == SIGNET_E_FADING))
		return SIGNET_E_REVOKED;
	if (crypto_status != SIGNET_OK)
		return crypto_status;
	max_uses = signet_config_settings(cfg)->fade.max_uses;
	max_base = signet_config_settings(cfg)->fade.max_base_uses;
	if (max_uses > 0 && u->count > (unsigned long long)max_uses + u->granted)
		return SIGNET_E_FADING;
	if (max_base > 0 &&
	    u->base_count > (unsigned long long)max_base + u->base_granted)
		return SIGNET_E_FADING;
	return crypto_status;
}

/* ---- guessing: forged attempts per mailbox and per client network ---- */

/* The network one sender controls: a /24, a /48, or "local". */
static void
guess_net(const char *peer, char *out, size_t outlen)
{
	unsigned char a[16] = {0};

	if (peer != NULL && inet_pton(AF_INET, peer, a) == 1)
		snprintf(out, outlen, "%u.%u.%u.0/24", a[0], a[1], a[2]);
	else if (peer != NULL && inet_pton(AF_INET6, peer, a) == 1)
		snprintf(out, outlen, "%02x%02x:%02x%02x:%02x%02x::/48", a[0],
			 a[1], a[2], a[3], a[4], a[5]);
	else
		snprintf(out, outlen, "local");
}

/* The mailbox a base delivers to: lower-cased, the sub-address cut off,
   so that alice+1@, alice+2@ ... share alice@'s count (each of them is a
   fresh target with the same odds, and all reach alice).  0 if it is not
   an address. */
static int
guess_mailbox(const signet_config *cfg, const char *base, char *out,
	      size_t outlen)
{
	const char *sep =
		signet_config_settings(cfg)->sub_address_separator;
	const char *at = base != NULL ? strrchr(base, '@') : NULL;
	size_t llen, cut, dlen;

	if (at == NULL || at == base)
		return 0;
	llen = cut = (size_t)(at - base);
	if (sep[0] != '\0') {
		const char *s = memchr(base, sep[0], llen);

		if (s != NULL && s > base)
			cut = (size_t)(s - base);
	}
	dlen = strlen(at);
	if (cut + dlen + 1 > outlen)
		return 0;
	for (size_t i = 0; i < cut; i++)
		out[i] = (char)tolower((unsigned char)base[i]);
	for (size_t i = 0; i <= dlen; i++)
		out[cut + i] = (char)tolower((unsigned char)at[i]);
	return 1;
}

/* count: 1 counts a forged attempt, 0 says what counting would give */
static signet_status
guess(signet_store *st, const signet_config *cfg, const char *base,
      const char *peer, signet_status crypto, time_t now, int count,
      struct signet_guess *g_r)
{
	long long max = signet_config_settings(cfg)->fade.max_forged;
	long long window =
		3600 * signet_config_settings(cfg)->fade.forged_window_hours;
	char kb[STORE_KEY_MAX], kn[STORE_KEY_MAX];
	struct signet_usage u;
	signet_status s;

	memset(g_r, 0, sizeof(*g_r));
	guess_net(peer, g_r->net, sizeof(g_r->net));
	if (st == NULL)
		return SIGNET_E_IO;
	if (!guess_mailbox(cfg, base, g_r->mailbox, sizeof(g_r->mailbox)) ||
	    snprintf(kb, sizeof(kb), "forged %s", g_r->mailbox) >=
		    (int)sizeof(kb))
		return SIGNET_E_SYNTAX;
	/* Keys hold a space, so no address can meet them. */
	snprintf(kn, sizeof(kn), "forged-from %s", g_r->net);
	memset(&u, 0, sizeof(u));
	if (crypto == SIGNET_E_FORGED || crypto == SIGNET_E_SYNTAX) {
		/* Kept for the window after the last attempt: a guesser who
		   keeps trying keeps the mailbox locked. */
		if (count) {
			s = st->ops->hit(st, kb, kn, 0, now + (time_t)window,
					 now, &u);
		} else {
			s = st->ops->lookup(st, kb, kn, 0, now, &u);
			u.count++;
			u.base_count++;
		}
		if (s != SIGNET_OK)
			return s;
		g_r->count = u.count;
		g_r->net_count = u.base_count;
		/* The attempt that reaches the limit still gets its answer;
		   the ones after it get 450. */
		g_r->reached = max > 0 && u.count == (unsigned long long)max;
		g_r->locked = max > 0 && u.count > (unsigned long long)max;
		return SIGNET_OK;
	}
	s = st->ops->lookup(st, kb, NULL, 0, now, &u);
	if (s != SIGNET_OK)
		return s;
	g_r->count = u.count;
	g_r->locked = max > 0 && u.count >= (unsigned long long)max;
	return SIGNET_OK;
}

signet_status
signet_guess_check(signet_store *st, const signet_config *cfg, const char *base,
		   const char *peer, signet_status crypto, time_t now,
		   struct signet_guess *g_r)
{
	return guess(st, cfg, base, peer, crypto, now, 1, g_r);
}

signet_status
signet_guess_peek(signet_store *st, const signet_config *cfg, const char *base,
		  const char *peer, signet_status crypto, time_t now,
		  struct signet_guess *g_r)
{
	return guess(st, cfg, base, peer, crypto, now, 0, g_r);
}
