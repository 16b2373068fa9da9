/* The LMDB back end's administration: one address's records, listing,
   revocation and purge (the signet tool). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "store-lmdb.h"

static void
entry_from(enum signet_store_kind k, const MDB_val *val,
	   struct signet_store_entry *en, char *reason, size_t rlen)
{
	memset(en, 0, sizeof(*en));
	en->kind = k;
	if (k == SIGNET_STORE_ADDR || k == SIGNET_STORE_BASE) {
		struct lrec r = {0};

		memcpy(&r, val->mv_data,
		       val->mv_size < sizeof(r) ? LREC_MIN : sizeof(r));
		en->keep = (time_t)r.keep;
		en->count = r.count;
		en->granted = r.granted;
		en->first = (time_t)r.first;
		en->last = (time_t)r.last;
	} else {
		struct lrev r;

		memcpy(&r, val->mv_data, sizeof(r));
		en->keep = (time_t)r.keep;
		en->time = (time_t)r.time;
		en->before = (time_t)r.before;
		store_copy_reason(reason, rlen,
				  (const char *)val->mv_data + sizeof(r),
				  val->mv_size - sizeof(r));
		en->reason = reason;
	}
}

static size_t
rec_size(enum signet_store_kind k)
{
	return k == SIGNET_STORE_ADDR || k == SIGNET_STORE_BASE
		       ? LREC_MIN
		       : sizeof(struct lrev);
}

/* Reads one live record as an entry: 0, MDB_NOTFOUND, or an error. */
static int
get_entry(struct lenv *e, MDB_txn *txn, enum signet_store_kind k,
	  const char *addr, time_t now, struct signet_store_entry *en,
	  char *reason, size_t rlen)
{
	MDB_val val;
	int rc = lmdb_get_live(e, txn, k, addr, rec_size(k), now, &val);

	if (rc != 0)
		return rc;
	entry_from(k, &val, en, reason, rlen);
	return 0;
}

signet_status
lmdb_record(signet_store *st, const char *addr, const char *base, time_t now,
	    struct signet_store_record *r)
{
	struct lenv *e;
	MDB_txn *txn;
	const char *b = base != NULL ? base : addr;
	int rc;

	if (lmdb_env_get(st, &e) != SIGNET_OK)
		return SIGNET_E_IO;
	if ((rc = lmdb_txn_begin(e, MDB_RDONLY, &txn)) != 0)
		return lmdb_fault(st, "cannot start a read", rc);
	rc = get_entry(e, txn, SIGNET_STORE_ADDR, addr, now, &r->addr, NULL, 0);
	if ((rc = lmdb_found(rc, &r->have_addr)) != 0)
		goto fail;
	rc = get_entry(e, txn, SIGNET_STORE_REV, addr, now, &r->rev, r->reason,
		       sizeof(r->reason));
	if ((rc = lmdb_found(rc, &r->have_rev)) != 0)
		goto fail;
	rc = get_entry(e, txn, SIGNET_STORE_BASE, b, now, &r->base, NULL, 0);
	if ((rc = lmdb_found(rc, &r->have_base)) != 0)
		goto fail;
	rc = get_entry(e, txn, SIGNET_STORE_BASE_REV, b, now, &r->base_rev,
		       r->base_reason, sizeof(r->base_reason));
	if ((rc = lmdb_found(rc, &r->have_base_rev)) != 0)
		goto fail;
	lmdb_fn.mdb_txn_abort(txn);
	return SIGNET_OK;
fail:
	lmdb_fn.mdb_txn_abort(txn);
	return lmdb_fault(st, "read", rc);
}

signet_status
lmdb_revoke(signet_store *st, const char *addr, int base_rev, time_t before,
	    const char *reason, time_t now, time_t keep)
{
	unsigned char buf[sizeof(struct lrev) + SIGNET_STORE_REASON_MAX];
	struct lrev r;
	struct lenv *e;
	MDB_txn *txn;
	size_t rlen = strlen(reason);
	int rc;

	if (lmdb_env_get(st, &e) != SIGNET_OK)
		return SIGNET_E_IO;
	r.keep = keep;
	r.time = now;
	r.before = before;
	memcpy(buf, &r, sizeof(r));
	memcpy(buf + sizeof(r), reason, rlen);
	if ((rc = lmdb_txn_begin(e, 0, &txn)) != 0)
		return lmdb_fault(st, "cannot start a write", rc);
	rc = lmdb_put_val(e, txn,
			  base_rev ? SIGNET_STORE_BASE_REV : SIGNET_STORE_REV,
			  addr, buf, sizeof(r) + rlen);
	if (rc != 0) {
		lmdb_fn.mdb_txn_abort(txn);
		return lmdb_fault(st, "write", rc);
	}
	if ((rc = lmdb_fn.mdb_txn_commit(txn)) != 0)
		return lmdb_fault(st, "commit", rc);
	return SIGNET_OK;
}

signet_status
lmdb_unrevoke(signet_store *st, const char *addr, int base_rev, int *found_r)
{
	char buf[STORE_KEY_MAX + 2];
	struct lenv *e;
	MDB_txn *txn;
	MDB_val key;
	int rc;

	*found_r = 0;
	if (lmdb_env_get(st, &e) != SIGNET_OK)
		return SIGNET_E_IO;
	lmdb_mkkey(base_rev ? SIGNET_STORE_BASE_REV : SIGNET_STORE_REV, addr,
		   buf, &key);
	if ((rc = lmdb_txn_begin(e, 0, &txn)) != 0)
		return lmdb_fault(st, "cannot start a write", rc);
	rc = lmdb_fn.mdb_del(txn, e->dbi, &key, NULL);
	if (rc != 0 && rc != MDB_NOTFOUND) {
		lmdb_fn.mdb_txn_abort(txn);
		return lmdb_fault(st, "delete", rc);
	}
	*found_r = rc == 0;
	if ((rc = lmdb_fn.mdb_txn_commit(txn)) != 0)
		return lmdb_fault(st, "commit", rc);
	return SIGNET_OK;
}

signet_status
lmdb_foreach(signet_store *st, time_t now, signet_store_foreach_cb *cb,
	     void *ctx)
{
	char addr[STORE_KEY_MAX], reason[SIGNET_STORE_REASON_MAX];
	struct signet_store_entry en;
	enum signet_store_kind kind;
	struct lenv *e;
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val key, val;
	int rc;

	if (lmdb_env_get(st, &e) != SIGNET_OK)
		return SIGNET_E_IO;
	if ((rc = lmdb_txn_begin(e, MDB_RDONLY, &txn)) != 0)
		return lmdb_fault(st, "cannot start a read", rc);
	if ((rc = lmdb_fn.mdb_cursor_open(txn, e->dbi, &cur)) != 0) {
		lmdb_fn.mdb_txn_abort(txn);
		return lmdb_fault(st, "read", rc);
	}
	rc = lmdb_fn.mdb_cursor_get(cur, &key, &val, MDB_FIRST);
	for (; rc == 0;
	     rc = lmdb_fn.mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		int64_t keep;

		if (!lmdb_kind_of(&key, &kind) ||
		    val.mv_size < rec_size(kind) ||
		    key.mv_size - 2 >= sizeof(addr))
			continue;
		memcpy(&keep, val.mv_data, sizeof(keep));
		if (keep < now)
			continue;
		entry_from(kind, &val, &en, reason, sizeof(reason));
		memcpy(addr, (const char *)key.mv_data + 2, key.mv_size - 2);
		addr[key.mv_size - 2] = '\0';
		en.addr = addr;
		if (cb(&en, ctx) != 0)
			break;
	}
	lmdb_fn.mdb_cursor_close(cur);
	lmdb_fn.mdb_txn_abort(txn);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return lmdb_fault(st, "read", rc);
	return SIGNET_OK;
}

signet_status
lmdb_purge(signet_store *st, time_t now, unsigned long long *removed_r)
{
	struct lenv *e;
	MDB_txn *txn;
	MDB_val skey = {sizeof(SWEEP_KEY) - 1, (void *)SWEEP_KEY};
	MDB_stat ms;
	size_t total;
	int rc;

	if (lmdb_env_get(st, &e) != SIGNET_OK)
		return SIGNET_E_IO;
	if ((rc = lmdb_txn_begin(e, 0, &txn)) != 0)
		return lmdb_fault(st, "cannot start a write", rc);
	/* Start from the first record and go once round, in chunks so that
	   Exim's writers wait at most one chunk. */
	if ((rc = lmdb_fn.mdb_stat(txn, e->dbi, &ms)) != 0 ||
	    ((rc = lmdb_fn.mdb_del(txn, e->dbi, &skey, NULL)) != 0 &&
	     rc != MDB_NOTFOUND) ||
	    (rc = lmdb_fn.mdb_txn_commit(txn)) != 0) {
		lmdb_fn.mdb_txn_abort(txn);
		return lmdb_fault(st, "purge", rc);
	}
	total = ms.ms_entries;
	for (size_t done = 0; done <= total; done += PURGE_CHUNK) {
		if ((rc = lmdb_txn_begin(e, 0, &txn)) != 0)
			return lmdb_fault(st, "cannot start a write", rc);
		if ((rc = lmdb_sweep(e, txn, now, PURGE_CHUNK, removed_r)) !=
		    0) {
			lmdb_fn.mdb_txn_abort(txn);
			return lmdb_fault(st, "purge", rc);
		}
		if ((rc = lmdb_fn.mdb_txn_commit(txn)) != 0)
			return lmdb_fault(st, "commit", rc);
	}
	return SIGNET_OK;
}
