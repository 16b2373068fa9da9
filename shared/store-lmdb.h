/* Private to the LMDB back end's two files: store_lmdb.c (the
   environment, use counts and guessing) and store_lmdb_admin.c (listing,
   revocation and purge). */
#ifndef SIGNET_STORE_LMDB_H
#define SIGNET_STORE_LMDB_H

#include <lmdb.h>
#include <stdint.h>

#include "internal.h"
#include "store-internal.h"

/* The key that holds where the last sweep ended (not a record). */
#define SWEEP_KEY "~sweep"
/* Records per write transaction in bulk loads and purges. */
#define PURGE_CHUNK 10000

/* liblmdb's functions, called through this table: <lmdb.h> gives their
   types. */
/* clang-format off */
#define LMDB_FUNCS(X)                                                         \
	X(mdb_cursor_close) X(mdb_cursor_del) X(mdb_cursor_get)               \
	X(mdb_cursor_open) X(mdb_dbi_open) X(mdb_del) X(mdb_env_close)        \
	X(mdb_env_create) X(mdb_env_get_fd) X(mdb_env_info)                   \
	X(mdb_env_open) X(mdb_env_set_mapsize) X(mdb_env_set_maxreaders)      \
	X(mdb_env_stat) X(mdb_get) X(mdb_put) X(mdb_reader_check)             \
	X(mdb_stat) X(mdb_strerror) X(mdb_txn_abort) X(mdb_txn_begin)         \
	X(mdb_txn_commit)
/* clang-format on */

struct lmdb_api {
#define LMDB_MEMBER(f) __typeof__(f) *f;
	LMDB_FUNCS(LMDB_MEMBER)
#undef LMDB_MEMBER
};
extern struct lmdb_api lmdb_fn;

/* Use counts: kinds 'a' (signed address) and 'b' (base). */
struct lrec {
	int64_t keep;
	uint64_t count;
	int64_t first, last;
	uint64_t granted; /* uses allowed by issued mail (signet_store_grant) */
};
/* Records written before grants end before `granted`: still read. */
#define LREC_MIN offsetof(struct lrec, granted)

/* Revocations: 'r' (signed address) and 'R' (base), reason follows. */
struct lrev {
	int64_t keep;
	int64_t time;
	int64_t before;
};

/* LMDB must not open one file twice in a process (its fcntl locks would
   be dropped by the second close), nor use an environment its parent
   opened: environments are shared per path and per process.  (The list
   is not locked: Exim and the tool are single-threaded.) */
struct lenv {
	struct lenv *next;
	char *path;
	pid_t pid;
	MDB_env *env;
	MDB_dbi dbi;
	int refs;
};

struct lstore {
	struct lenv *e;
	char *path;
	size_t map_size;
	unsigned int rnd;
};

/* The record kind of a key; 0 for a key that is not a record. */
int lmdb_kind_of(const MDB_val *k, enum signet_store_kind *kind_r);
void lmdb_mkkey(enum signet_store_kind k, const char *addr,
		char buf[STORE_KEY_MAX + 2], MDB_val *key_r);
/* Records the fault of an LMDB call; SIGNET_E_IO. */
signet_status lmdb_fault(signet_store *st, const char *what, int rc);
/* The store's environment, opened again after a fork. */
signet_status lmdb_env_get(signet_store *st, struct lenv **e_r);
int lmdb_txn_begin(struct lenv *e, unsigned int flags, MDB_txn **txn_r);
/* The live record of kind k for addr, at least n bytes: 0, MDB_NOTFOUND
   when absent, expired or not ours, or an LMDB error. */
int lmdb_get_live(struct lenv *e, MDB_txn *txn, enum signet_store_kind k,
		  const char *addr, size_t n, time_t now, MDB_val *val_r);
int lmdb_put_val(struct lenv *e, MDB_txn *txn, enum signet_store_kind k,
		 const char *addr, const void *v, size_t n);
/* Bounded sweep of expired records, resumed where the last one ended. */
int lmdb_sweep(struct lenv *e, MDB_txn *txn, time_t now, size_t span,
	       unsigned long long *removed_r);
/* 0 for found or absent (have_r says which), else the LMDB error. */
int lmdb_found(int rc, int *have_r);

/* The administration calls of the store's operations. */
signet_status lmdb_record(signet_store *st, const char *addr, const char *base,
			  time_t now, struct signet_store_record *r_r);
signet_status lmdb_revoke(signet_store *st, const char *addr, int base_rev,
			  time_t before, const char *reason, time_t now,
			  time_t keep);
signet_status lmdb_unrevoke(signet_store *st, const char *addr, int base_rev,
			    int *found_r);
signet_status lmdb_foreach(signet_store *st, time_t now,
			   signet_store_foreach_cb *cb, void *ctx);
signet_status lmdb_purge(signet_store *st, time_t now,
			 unsigned long long *removed_r);

#endif
