/* The embedded state store: one LMDB file (MDB_NOSUBDIR) shared by every
   process of the host.  Records, keyed by a kind prefix and the lower-cased
   address, each start with the time they may be dropped (keep), so a
   bounded sweep on a few writes keeps the file from growing. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-lmdb.h"

#define LMDB_MAXREADERS 1024
/* One hit in SWEEP_EVERY sweeps SWEEP_SPAN records. */
#define SWEEP_EVERY 16
#define SWEEP_SPAN 32

/* The functions of liblmdb, loaded at the first open (store_load). */
const char *store_lmdb_lib = "liblmdb.so.0";

struct lmdb_api lmdb_fn;

static const struct store_sym lmdb_syms[] = {
#define LMDB_SYM(f) {#f, offsetof(struct lmdb_api, f)},
	LMDB_FUNCS(LMDB_SYM)
#undef LMDB_SYM
};

static struct store_lib lmdb_lib = {
	.name = &store_lmdb_lib,
	.type = "lmdb",
	.package = "liblmdb0",
	.syms = lmdb_syms,
	.nsyms = sizeof(lmdb_syms) / sizeof(lmdb_syms[0]),
};

static struct lenv *lenvs;

static const char *
kind_prefix(enum signet_store_kind k)
{
	switch (k) {
	case SIGNET_STORE_ADDR:
		return "a:";
	case SIGNET_STORE_BASE:
		return "b:";
	case SIGNET_STORE_REV:
		return "r:";
	case SIGNET_STORE_BASE_REV:
		return "R:";
	}
	return "?:";
}

int
lmdb_kind_of(const MDB_val *k, enum signet_store_kind *kind_r)
{
	const char *p = k->mv_data;

	if (k->mv_size < 3 || p[1] != ':')
		return 0;
	switch (p[0]) {
	case 'a':
		*kind_r = SIGNET_STORE_ADDR;
		return 1;
	case 'b':
		*kind_r = SIGNET_STORE_BASE;
		return 1;
	case 'r':
		*kind_r = SIGNET_STORE_REV;
		return 1;
	case 'R':
		*kind_r = SIGNET_STORE_BASE_REV;
		return 1;
	}
	return 0;
}

void
lmdb_mkkey(enum signet_store_kind k, const char *addr,
	   char buf[STORE_KEY_MAX + 2], MDB_val *key_r)
{
	size_t len = strlen(addr);

	memcpy(buf, kind_prefix(k), 2);
	memcpy(buf + 2, addr, len);
	key_r->mv_data = buf;
	key_r->mv_size = len + 2;
}

signet_status
lmdb_fault(signet_store *st, const char *what, int rc)
{
	struct lstore *ls = st->impl;

	if (rc == MDB_MAP_FULL)
		return store_fault(st,
				   "state store %s: %s: the file is full "
				   "(store.map_size_mb = %zu); raise it, or "
				   "run 'signet stats --purge'",
				   ls->path, what, ls->map_size >> 20);
	return store_fault(st, "state store %s: %s: %s", ls->path, what,
			   lmdb_fn.mdb_strerror(rc));
}

/* Makes a file that root just created usable by the mail system, which
   owns the directory (Debian-exim for /var/lib/signet). */
static void
give_to_dir_owner(const char *path, int existed)
{
	char lock[PATH_MAX + 8], dir[PATH_MAX];
	struct stat sd;
	char *slash;

	if (existed || geteuid() != 0 || strlen(path) >= sizeof(dir))
		return;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &sd) != 0 || sd.st_uid == 0)
		return;
	snprintf(lock, sizeof(lock), "%s-lock", path);
	if (chown(path, sd.st_uid, sd.st_gid) != 0 ||
	    chown(lock, sd.st_uid, sd.st_gid) != 0) {
		/* Not fatal: the error shows when Exim opens the file. */
	}
}

static const char *
open_hint(int rc)
{
	switch (rc) {
	case EACCES:
	case EPERM:
	case EROFS:
		return "; the file, its -lock file and their directory must "
		       "be writable by the mail system's user";
	case ENOENT:
		return "; create the directory (writable by the mail "
		       "system's user)";
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
	case MDB_CORRUPTED:
		return "; the file is not a usable LMDB file: move it away "
		       "and a new one is created";
	}
	return "";
}

/* Guards against a truncated file, which LMDB would fault on (SIGBUS)
   when it touches the missing pages. */
static int
check_size(MDB_env *env, char *errbuf, size_t errlen, const char *path)
{
	MDB_envinfo info;
	MDB_stat ms;
	struct stat sb;
	int fd;

	if (lmdb_fn.mdb_env_info(env, &info) != 0 ||
	    lmdb_fn.mdb_env_stat(env, &ms) != 0 ||
	    lmdb_fn.mdb_env_get_fd(env, &fd) != 0 || fstat(fd, &sb) != 0)
		return 0;
	if ((unsigned long long)sb.st_size <
	    ((unsigned long long)info.me_last_pgno + 1) * ms.ms_psize) {
		signet_err(errbuf, errlen,
			   "state store %s: the file is truncated (%lld "
			   "bytes, its pages need %llu): move it away and a "
			   "new one is created",
			   path, (long long)sb.st_size,
			   ((unsigned long long)info.me_last_pgno + 1) *
				   ms.ms_psize);
		return -1;
	}
	return 0;
}

static signet_status
env_open(const char *path, size_t map_size, struct lenv **e_r, char *errbuf,
	 size_t errlen)
{
	struct lenv *e;
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	struct stat sb;
	int rc, dead, existed;
	pid_t pid = getpid();

	for (e = lenvs; e != NULL; e = e->next) {
		if (e->pid == pid && strcmp(e->path, path) == 0) {
			e->refs++;
			*e_r = e;
			return SIGNET_OK;
		}
	}
	existed = stat(path, &sb) == 0;
	if (existed && !S_ISREG(sb.st_mode)) {
		signet_err(errbuf, errlen, "state store %s: not a regular file",
			   path);
		return SIGNET_E_IO;
	}
	if ((rc = lmdb_fn.mdb_env_create(&env)) != 0 ||
	    (rc = lmdb_fn.mdb_env_set_mapsize(env, map_size)) != 0 ||
	    (rc = lmdb_fn.mdb_env_set_maxreaders(env, LMDB_MAXREADERS)) != 0) {
		signet_err(errbuf, errlen, "state store %s: %s", path,
			   lmdb_fn.mdb_strerror(rc));
		goto fail;
	}
	/* NOMETASYNC: one flush per commit; a crash of the host may undo the
	   last commit, which costs a count, not integrity. */
	rc = lmdb_fn.mdb_env_open(env, path,
				  MDB_NOSUBDIR | MDB_NOTLS | MDB_NOMETASYNC |
					  MDB_NORDAHEAD,
				  0660);
	if (rc != 0) {
		signet_err(errbuf, errlen,
			   "state store %s: cannot open (uid %d): %s%s", path,
			   (int)geteuid(), lmdb_fn.mdb_strerror(rc),
			   open_hint(rc));
		goto fail;
	}
	give_to_dir_owner(path, existed);
	if (check_size(env, errbuf, errlen, path) != 0) {
		rc = MDB_CORRUPTED;
		goto fail;
	}
	(void)lmdb_fn.mdb_reader_check(env, &dead);
	if ((rc = lmdb_fn.mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) != 0 ||
	    (rc = lmdb_fn.mdb_dbi_open(txn, NULL, 0, &dbi)) != 0 ||
	    (rc = lmdb_fn.mdb_txn_commit(txn)) != 0) {
		if (txn != NULL && rc != 0)
			lmdb_fn.mdb_txn_abort(txn);
		signet_err(errbuf, errlen, "state store %s: cannot read: %s%s",
			   path, lmdb_fn.mdb_strerror(rc), open_hint(rc));
		goto fail;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL || (e->path = strdup(path)) == NULL) {
		free(e);
		lmdb_fn.mdb_env_close(env);
		return SIGNET_E_NOMEM;
	}
	e->pid = pid;
	e->env = env;
	e->dbi = dbi;
	e->refs = 1;
	e->next = lenvs;
	lenvs = e;
	*e_r = e;
	return SIGNET_OK;
fail:
	if (env != NULL)
		lmdb_fn.mdb_env_close(env);
	return rc == ENOMEM ? SIGNET_E_NOMEM : SIGNET_E_IO;
}

static void
env_release(struct lenv *e)
{
	struct lenv **pp;

	if (e->pid != getpid())
		return; /* the parent's: leave it to the parent */
	if (--e->refs > 0)
		return;
	for (pp = &lenvs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	lmdb_fn.mdb_env_close(e->env);
	free(e->path);
	free(e);
}

/* The environment of this process, reopened after a fork. */
signet_status
lmdb_env_get(signet_store *st, struct lenv **e_r)
{
	struct lstore *ls = st->impl;
	char err[SIGNET_ERR_BUFSZ];

	if (ls->e == NULL || ls->e->pid != getpid()) {
		ls->e = NULL;
		if (env_open(ls->path, ls->map_size, &ls->e, err,
			     sizeof(err)) != SIGNET_OK)
			return store_fault(st, "%s", err);
	}
	*e_r = ls->e;
	return SIGNET_OK;
}

int
lmdb_txn_begin(struct lenv *e, unsigned int flags, MDB_txn **txn_r)
{
	int rc = lmdb_fn.mdb_txn_begin(e->env, NULL, flags, txn_r);

	if (rc == MDB_MAP_RESIZED) {
		/* Another process grew the map: adopt its size. */
		(void)lmdb_fn.mdb_env_set_mapsize(e->env, 0);
		rc = lmdb_fn.mdb_txn_begin(e->env, NULL, flags, txn_r);
	}
	return rc;
}

int
lmdb_get_live(struct lenv *e, MDB_txn *txn, enum signet_store_kind k,
	      const char *addr, size_t n, time_t now, MDB_val *val_r)
{
	char buf[STORE_KEY_MAX + 2];
	MDB_val key;
	int64_t keep;
	int rc;

	lmdb_mkkey(k, addr, buf, &key);
	if ((rc = lmdb_fn.mdb_get(txn, e->dbi, &key, val_r)) != 0)
		return rc;
	if (val_r->mv_size < n)
		return MDB_NOTFOUND; /* not ours: replaced on a write */
	memcpy(&keep, val_r->mv_data, sizeof(keep));
	return keep < now ? MDB_NOTFOUND : 0;
}

/* Reads a live record of kind k into out (size n), and the bytes after
   it into tail_r (may be NULL). */
static int
get_rec(struct lenv *e, MDB_txn *txn, enum signet_store_kind k,
	const char *addr, void *out, size_t n, time_t now, const char **tail_r,
	size_t *tlen_r)
{
	MDB_val val;
	int rc = lmdb_get_live(e, txn, k, addr, n, now, &val);

	if (rc != 0)
		return rc;
	memcpy(out, val.mv_data, n);
	if (tail_r != NULL) {
		*tail_r = (const char *)val.mv_data + n;
		*tlen_r = val.mv_size - n;
	}
	return 0;
}

int
lmdb_put_val(struct lenv *e, MDB_txn *txn, enum signet_store_kind k,
	     const char *addr, const void *v, size_t n)
{
	char buf[STORE_KEY_MAX + 2];
	MDB_val key, val;

	lmdb_mkkey(k, addr, buf, &key);
	val.mv_data = (void *)v;
	val.mv_size = n;
	return lmdb_fn.mdb_put(txn, e->dbi, &key, &val, 0);
}

/* Bounded sweep of expired records, resumed where the last one ended. */
int
lmdb_sweep(struct lenv *e, MDB_txn *txn, time_t now, size_t span,
	   unsigned long long *removed_r)
{
	char pos[STORE_KEY_MAX + 2];
	MDB_val skey = {sizeof(SWEEP_KEY) - 1, (void *)SWEEP_KEY};
	MDB_val key, val;
	MDB_cursor *cur;
	size_t n = 0, poslen = 0;
	enum signet_store_kind kind;
	int rc;

	rc = lmdb_fn.mdb_get(txn, e->dbi, &skey, &val);
	if (rc == 0 && val.mv_size <= sizeof(pos)) {
		memcpy(pos, val.mv_data, val.mv_size);
		poslen = val.mv_size;
	} else if (rc != 0 && rc != MDB_NOTFOUND) {
		return rc;
	}
	if ((rc = lmdb_fn.mdb_cursor_open(txn, e->dbi, &cur)) != 0)
		return rc;
	key.mv_data = pos;
	key.mv_size = poslen;
	rc = poslen > 0 ? lmdb_fn.mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE)
			: lmdb_fn.mdb_cursor_get(cur, &key, &val, MDB_FIRST);
	for (; rc == 0 && n < span; n++) {
		int64_t keep;

		if (lmdb_kind_of(&key, &kind) && val.mv_size >= sizeof(keep)) {
			memcpy(&keep, val.mv_data, sizeof(keep));
			if (keep < now) {
				if ((rc = lmdb_fn.mdb_cursor_del(cur, 0)) != 0)
					break;
				(*removed_r)++;
				/* after a delete, NEXT gives the record that
				   followed the deleted one */
			}
		}
		rc = lmdb_fn.mdb_cursor_get(cur, &key, &val, MDB_NEXT);
	}
	poslen = 0;
	if (rc == 0 && key.mv_size <= sizeof(pos)) {
		memcpy(pos, key.mv_data, key.mv_size);
		poslen = key.mv_size;
	}
	lmdb_fn.mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	/* At the end: start again from the first record next time. */
	val.mv_data = pos;
	val.mv_size = poslen;
	if (poslen == 0) {
		rc = lmdb_fn.mdb_del(txn, e->dbi, &skey, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	return lmdb_fn.mdb_put(txn, e->dbi, &skey, &val, 0);
}

static void
fill_rev(struct signet_usage *u, int have_rev, const char *reason, size_t rlen,
	 int have_brev, const struct lrev *brev, const char *breason,
	 size_t brlen, time_t issued)
{
	if (have_rev) {
		u->revoked = 1;
		store_copy_reason(u->reason, sizeof(u->reason), reason, rlen);
	} else if (have_brev && store_base_rev_covers(brev->before, issued)) {
		u->revoked = 1;
		store_copy_reason(u->reason, sizeof(u->reason), breason, brlen);
	}
}

/* absent is not an error */
int
lmdb_found(int rc, int *have_r)
{
	*have_r = rc == 0;
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Reads the revocation records of addr and base into u. */
static int
read_revs(struct lenv *e, MDB_txn *txn, const char *addr, const char *base,
	  time_t issued, time_t now, struct signet_usage *u)
{
	struct lrev rev, brev;
	const char *reason = NULL, *breason = NULL;
	size_t rlen = 0, brlen = 0;
	int hr, hb = 0, rc;

	rc = get_rec(e, txn, SIGNET_STORE_REV, addr, &rev, sizeof(rev), now,
		     &reason, &rlen);
	if ((rc = lmdb_found(rc, &hr)) != 0)
		return rc;
	if (base != NULL) {
		rc = get_rec(e, txn, SIGNET_STORE_BASE_REV, base, &brev,
			     sizeof(brev), now, &breason, &brlen);
		if ((rc = lmdb_found(rc, &hb)) != 0)
			return rc;
	}
	fill_rev(u, hr, reason, rlen, hb, &brev, breason, brlen, issued);
	return 0;
}

static unsigned int
next_rand(struct lstore *ls)
{
	ls->rnd = ls->rnd * 1103515245u + 12345u;
	return ls->rnd >> 16;
}

/* Reads a count record into r (zeroed when absent): 0 or an error. */
static int
get_count(struct lenv *e, MDB_txn *txn, enum signet_store_kind k,
	  const char *addr, time_t now, struct lrec *r, int *have_r)
{
	const char *tail = NULL;
	size_t tlen = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = get_rec(e, txn, k, addr, r, LREC_MIN, now, &tail, &tlen);
	if ((rc = lmdb_found(rc, have_r)) != 0)
		return rc;
	if (*have_r && tlen >= sizeof(r->granted))
		memcpy(&r->granted, tail, sizeof(r->granted));
	return 0;
}

/* Reads a count record into r and counts one more use. */
static int
bump(struct lenv *e, MDB_txn *txn, enum signet_store_kind k, const char *addr,
     time_t keep, time_t now, struct lrec *r)
{
	int rc, have;

	if ((rc = get_count(e, txn, k, addr, now, r, &have)) != 0)
		return rc;
	if (r->first == 0)
		r->first = now; /* a grant made the record: first use now */
	r->count++;
	r->last = now;
	if (r->keep < keep)
		r->keep = keep;
	return 0;
}

static signet_status
lmdb_hit(signet_store *st, const char *addr, const char *base, time_t issued,
	 time_t keep, time_t now, struct signet_usage *u_r)
{
	struct lstore *ls = st->impl;
	struct lrec a, b;
	struct lenv *e;
	MDB_txn *txn;
	unsigned long long removed = 0;
	const char *what = "begin";
	int rc;

	if (lmdb_env_get(st, &e) != SIGNET_OK)
		return SIGNET_E_IO;
	if ((rc = lmdb_txn_begin(e, 0, &txn)) != 0)
		return lmdb_fault(st, "cannot start a write", rc);
	what = "read";
	if ((rc = bump(e, txn, SIGNET_STORE_ADDR, addr, keep, now, &a)) != 0 ||
	    (rc = bump(e, txn, SIGNET_STORE_BASE, base, keep, now, &b)) != 0)
		goto fail;
	what = "write";
	if ((rc = lmdb_put_val(e, txn, SIGNET_STORE_ADDR, addr, &a,
			       sizeof(a))) != 0 ||
	    (rc = lmdb_put_val(e, txn, SIGNET_STORE_BASE, base, &b,
			       sizeof(b))) != 0)
		goto fail;
	u_r->count = a.count;
	u_r->base_count = b.count;
	u_r->granted = a.granted;
	u_r->base_granted = b.granted;
	u_r->first_seen = (time_t)a.first;
	u_r->last_seen = (time_t)a.last;
	what = "read";
	if ((rc = read_revs(e, txn, addr, base, issued, now, u_r)) != 0)
		goto fail;
	what = "sweep";
	if (next_rand(ls) % SWEEP_EVERY == 0 &&
	    (rc = lmdb_sweep(e, txn, now, SWEEP_SPAN, &removed)) != 0)
		goto fail;
	what = "commit";
	if ((rc = lmdb_fn.mdb_txn_commit(txn)) != 0)
		return lmdb_fault(st, what, rc);
	return SIGNET_OK;
fail:
	lmdb_fn.mdb_txn_abort(txn);
	return lmdb_fault(st, what, rc);
}

static signet_status
lmdb_grant(signet_store *st, const char *addr, const char *base,
	   unsigned long long uses, time_t keep, time_t now)
{
	const enum signet_store_kind kinds[] = {SIGNET_STORE_ADDR,
						SIGNET_STORE_BASE};
	const char *keys[] = {addr, base};
	struct lrec r;
	struct lenv *e;
	MDB_txn *txn;
	int rc = 0, have;

	if (lmdb_env_get(st, &e) != SIGNET_OK)
		return SIGNET_E_IO;
	if ((rc = lmdb_txn_begin(e, 0, &txn)) != 0)
		return lmdb_fault(st, "cannot start a write", rc);
	for (size_t i = 0; i < 2; i++) {
		if ((rc = get_count(e, txn, kinds[i], keys[i], now, &r,
				    &have)) != 0)
			goto fail;
		r.granted += uses;
		if (r.keep < keep)
			r.keep = keep;
		if ((rc = lmdb_put_val(e, txn, kinds[i], keys[i], &r,
				       sizeof(r))) != 0)
			goto fail;
	}
	if ((rc = lmdb_fn.mdb_txn_commit(txn)) != 0)
		return lmdb_fault(st, "commit", rc);
	return SIGNET_OK;
fail:
	lmdb_fn.mdb_txn_abort(txn);
	return lmdb_fault(st, "grant", rc);
}

static signet_status
lmdb_hit_many(signet_store *st, size_t n, const char *const *addrs,
	      const char *const *bases, time_t keep, time_t now)
{
	struct lrec a, b;
	struct lenv *e;
	MDB_txn *txn = NULL;
	int rc = 0;

	if (lmdb_env_get(st, &e) != SIGNET_OK)
		return SIGNET_E_IO;
	for (size_t i = 0; i < n; i++) {
		if (txn == NULL && (rc = lmdb_txn_begin(e, 0, &txn)) != 0)
			return lmdb_fault(st, "cannot start a write", rc);
		if ((rc = bump(e, txn, SIGNET_STORE_ADDR, addrs[i], keep, now,
			       &a)) != 0 ||
		    (rc = bump(e, txn, SIGNET_STORE_BASE, bases[i], keep, now,
			       &b)) != 0 ||
		    (rc = lmdb_put_val(e, txn, SIGNET_STORE_ADDR, addrs[i], &a,
				       sizeof(a))) != 0 ||
		    (rc = lmdb_put_val(e, txn, SIGNET_STORE_BASE, bases[i], &b,
				       sizeof(b))) != 0) {
			lmdb_fn.mdb_txn_abort(txn);
			return lmdb_fault(st, "write", rc);
		}
		if ((i + 1) % PURGE_CHUNK == 0 || i + 1 == n) {
			rc = lmdb_fn.mdb_txn_commit(txn);
			txn = NULL;
			if (rc != 0)
				return lmdb_fault(st, "commit", rc);
		}
	}
	return SIGNET_OK;
}

static signet_status
lmdb_lookup(signet_store *st, const char *addr, const char *base, time_t issued,
	    time_t now, struct signet_usage *u_r)
{
	struct lrec a, b;
	struct lenv *e;
	MDB_txn *txn;
	int rc, have;

	if (lmdb_env_get(st, &e) != SIGNET_OK)
		return SIGNET_E_IO;
	if ((rc = lmdb_txn_begin(e, MDB_RDONLY, &txn)) != 0)
		return lmdb_fault(st, "cannot start a read", rc);
	if ((rc = get_count(e, txn, SIGNET_STORE_ADDR, addr, now, &a, &have)) !=
	    0)
		goto fail;
	if (have) {
		u_r->count = a.count;
		u_r->granted = a.granted;
		u_r->first_seen = (time_t)a.first;
		u_r->last_seen = (time_t)a.last;
	}
	if (base != NULL) {
		if ((rc = get_count(e, txn, SIGNET_STORE_BASE, base, now, &b,
				    &have)) != 0)
			goto fail;
		if (have) {
			u_r->base_count = b.count;
			u_r->base_granted = b.granted;
		}
	}
	if ((rc = read_revs(e, txn, addr, base, issued, now, u_r)) != 0)
		goto fail;
	lmdb_fn.mdb_txn_abort(txn);
	return SIGNET_OK;
fail:
	lmdb_fn.mdb_txn_abort(txn);
	return lmdb_fault(st, "read", rc);
}

static void
lmdb_close(signet_store *st)
{
	struct lstore *ls = st->impl;

	if (ls == NULL)
		return;
	if (ls->e != NULL)
		env_release(ls->e);
	free(ls->path);
	free(ls);
	st->impl = NULL;
}

static const struct store_ops lmdb_ops = {
	.name = "lmdb",
	.hit = lmdb_hit,
	.lookup = lmdb_lookup,
	.record = lmdb_record,
	.revoke = lmdb_revoke,
	.unrevoke = lmdb_unrevoke,
	.foreach = lmdb_foreach,
	.purge = lmdb_purge,
	.hit_many = lmdb_hit_many,
	.grant = lmdb_grant,
	.close = lmdb_close,
};

signet_status
store_lmdb_open(const signet_config *cfg, signet_store *st, char *errbuf,
		size_t errlen)
{
	struct lstore *ls;
	const char *path;
	long long mb;
	signet_status ret;

	path = signet_config_settings(cfg)->store.path;
	mb = signet_config_settings(cfg)->store.map_size_mb;
	if (mb < 1 || mb > SIGNET_MAP_SIZE_MB_MAX) {
		signet_err(errbuf, errlen,
			   "%s: store.map_size_mb: %lld is out of range; "
			   "expected 1 to %d (megabytes)",
			   signet_config_path(cfg), mb, SIGNET_MAP_SIZE_MB_MAX);
		return SIGNET_E_CONFIG;
	}
	if (path[0] != '/') {
		signet_err(errbuf, errlen,
			   "%s: store.path: \"%s\" is not an absolute path",
			   signet_config_path(cfg), path);
		return SIGNET_E_CONFIG;
	}
	if (store_load(&lmdb_lib, &lmdb_fn, errbuf, errlen) != SIGNET_OK)
		return SIGNET_E_IO;
	ls = calloc(1, sizeof(*ls));
	if (ls == NULL || (ls->path = strdup(path)) == NULL) {
		free(ls);
		return SIGNET_E_NOMEM;
	}
	ls->map_size = (size_t)mb << 20;
	ls->rnd = (unsigned int)getpid() ^ (unsigned int)time(NULL);
	st->ops = &lmdb_ops;
	st->impl = ls;
	ret = env_open(ls->path, ls->map_size, &ls->e, errbuf, errlen);
	if (ret != SIGNET_OK) {
		lmdb_close(st);
		return ret;
	}
	return SIGNET_OK;
}
