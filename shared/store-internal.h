/* The state store's back ends (store_lmdb.c, store_redis.c) and the
   listing calls the signet tool uses.  Not for the plugins. */
#ifndef SIGNET_STORE_INTERNAL_H
#define SIGNET_STORE_INTERNAL_H

#include "signet.h"

/* Keys are lower-cased addresses: Exim lower-cases local parts, and the
   tags of both formats are case-insensitive. */
#define STORE_KEY_MAX SIGNET_ADDR_BUFSZ
/* Seconds between two reports of a lasting fault (signet_store_fault). */
#define STORE_FAULT_INTERVAL 60

struct store_ops {
	const char *name;
	/* keep: when the records of this address may go (end of grace). */
	signet_status (*hit)(signet_store *st, const char *addr,
			     const char *base, time_t issued, time_t keep,
			     time_t now, struct signet_usage *u_r);
	signet_status (*lookup)(signet_store *st, const char *addr,
				const char *base, time_t issued, time_t now,
				struct signet_usage *u_r);
	signet_status (*record)(signet_store *st, const char *addr,
				const char *base, time_t now,
				struct signet_store_record *r_r);
	/* base_rev: addr is a base; keep: when the record may go. */
	signet_status (*revoke)(signet_store *st, const char *addr,
				int base_rev, time_t before, const char *reason,
				time_t now, time_t keep);
	signet_status (*unrevoke)(signet_store *st, const char *addr,
				  int base_rev, int *found_r);
	signet_status (*foreach)(signet_store *st, time_t now,
				 signet_store_foreach_cb *cb, void *ctx);
	signet_status (*purge)(signet_store *st, time_t now,
			       unsigned long long *removed_r);
	/* n hits at once (normalised keys), for bulk loads. */
	signet_status (*hit_many)(signet_store *st, size_t n,
				  const char *const *addrs,
				  const char *const *bases, time_t keep,
				  time_t now);
	/* adds uses to the allowance of addr and of its base */
	signet_status (*grant)(signet_store *st, const char *addr,
			       const char *base, unsigned long long uses,
			       time_t keep, time_t now);
	/* may be NULL: the store has no timeout */
	void (*set_timeout)(signet_store *st, long ms);
	void (*close)(signet_store *st);
};

struct signet_store {
	const struct store_ops *ops;
	void *impl;
	struct signet_lifetimes lt;
	char err[SIGNET_ERR_BUFSZ]; /* last fault */
	int fault_pending;	    /* err not yet reported */
	time_t fault_reported;
};

/* Records a fault (for signet_store_fault) and returns SIGNET_E_IO. */
signet_status store_fault(signet_store *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The libraries the back ends load at their first open ("liblmdb.so.0",
   "libhiredis.so.0.14"), not with the program: Exim loads signet.so in
   every connection's process, and most connections never touch the
   store.  A test may name a missing one. */
extern const char *store_lmdb_lib;
extern const char *store_redis_lib;

struct store_sym {
	const char *name;
	size_t offset; /* of its pointer in the back end's table */
};

struct store_lib {
	const char *const *name; /* store_lmdb_lib or store_redis_lib */
	const char *type;	 /* store.type, for the message */
	const char *package;	 /* Debian's package, for the message */
	const struct store_sym *syms;
	size_t nsyms;
	void *handle; /* set once every symbol is in the table */
};

/* Loads l's library and fills the function pointers of table, once;
   SIGNET_E_IO with errbuf naming the library and dlerror() if it
   cannot. */
signet_status store_load(struct store_lib *l, void *table, char *errbuf,
			 size_t errlen);

/* Back ends: fill st->ops and st->impl, or write errbuf. */
signet_status store_lmdb_open(const signet_config *cfg, signet_store *st,
			      char *errbuf, size_t errlen);
signet_status store_redis_open(const signet_config *cfg, signet_store *st,
			       char *errbuf, size_t errlen);

/* Decides whether a base revocation covers an address issued at issued
   (0: unknown, as for prvs, where only the expiry day is known). */
int store_base_rev_covers(time_t before, time_t issued);
/* Copies a reason, dropping control characters. */
void store_copy_reason(char *dst, size_t dstlen, const char *src,
		       size_t srclen);

#endif
