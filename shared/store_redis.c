/* The fleet state store: Redis through hiredis, so that every hub sees the
   same counts and revocations.  A hit is one Lua script (one round trip,
   atomic, so counts are exact under concurrency).  Every call is bounded
   by store.timeout_ms; after a failure the store stays down for a few
   seconds, so a dead server costs almost nothing per message. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json-internal.h"
#include "store-redis.h"

/* The functions of libhiredis, loaded at the first open (store_load).
   <hiredis/hiredis.h> gives their types and the library's version. */
#define HIREDIS_STR(v) #v
#define HIREDIS_LIB(v) "libhiredis.so." HIREDIS_STR(v)
const char *store_redis_lib = HIREDIS_LIB(HIREDIS_SONAME);

struct hiredis_api hiredis_fn;

static const struct store_sym hiredis_syms[] = {
#define HIREDIS_SYM(f) {#f, offsetof(struct hiredis_api, f)},
	HIREDIS_FUNCS(HIREDIS_SYM)
#undef HIREDIS_SYM
};

static struct store_lib hiredis_lib = {
	.name = &store_redis_lib,
	.type = "redis",
	.package = "libhiredis0.14",
	.syms = hiredis_syms,
	.nsyms = sizeof(hiredis_syms) / sizeof(hiredis_syms[0]),
};

/* KEYS: addr, base, addr revocation, base revocation.
   ARGV: now, keep, issued.  Returns count, first, base count, revoked,
   reason, granted, base granted. */
static const char hit_script[] =
	"local now, keep, issued = tonumber(ARGV[1]), tonumber(ARGV[2]), "
	"tonumber(ARGV[3])\n"
	"local function bump(k)\n"
	"  local c = redis.call('HINCRBY', k, 'c', 1)\n"
	"  redis.call('HSETNX', k, 'f', now)\n"
	"  redis.call('HSET', k, 'l', now)\n"
	"  if redis.call('TTL', k) < keep - now then\n"
	"    redis.call('EXPIREAT', k, keep)\n"
	"  end\n"
	"  return c, redis.call('HGET', k, 'f')\n"
	"end\n"
	"local c, f = bump(KEYS[1])\n"
	"local bc = bump(KEYS[2])\n"
	"local g = redis.call('HGET', KEYS[1], 'g') or '0'\n"
	"local bg = redis.call('HGET', KEYS[2], 'g') or '0'\n"
	"local r = redis.call('HGET', KEYS[3], 'reason')\n"
	"if r then return {c, f, bc, 1, r, g, bg} end\n"
	"local b = redis.call('HMGET', KEYS[4], 'before', 'reason')\n"
	"if b[1] and (issued <= 0 or issued <= tonumber(b[1])) then\n"
	"  return {c, f, bc, 1, b[2] or '', g, bg}\n"
	"end\n"
	"return {c, f, bc, 0, '', g, bg}\n";

struct timeval
redis_ms_tv(long ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	return tv;
}

static int
mono_after(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec ||
	       (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static void
rdrop(struct rstore *rs)
{
	/* redisFree only closes our descriptor: after a fork, the parent's
	   connection is not disturbed */
	if (rs->c != NULL)
		hiredis_fn.redisFree(rs->c);
	rs->c = NULL;
	rs->sha[0] = '\0';
}

signet_status
redis_down(signet_store *st, const char *what, const char *why)
{
	struct rstore *rs = st->impl;

	rdrop(rs);
	clock_gettime(CLOCK_MONOTONIC, &rs->down_until);
	rs->down_until.tv_sec += REDIS_BACKOFF;
	return store_fault(st,
			   "state store redis %s: %s: %s; not tried "
			   "again for %d s",
			   rs->where, what, why, REDIS_BACKOFF);
}

/* AUTH with store.user and the password of store.password_file.  The
   server's answer says what was wrong; it never repeats the password. */
static signet_status
rauth(signet_store *st)
{
	struct rstore *rs = st->impl;
	redisReply *r;
	char why[160];

	if (rs->password == NULL)
		return SIGNET_OK;
	if (rs->user != NULL)
		r = hiredis_fn.redisCommand(rs->c, "AUTH %s %s", rs->user,
					    rs->password);
	else
		r = hiredis_fn.redisCommand(rs->c, "AUTH %s", rs->password);
	if (r == NULL) {
		snprintf(why, sizeof(why), "%s", rs->c->errstr);
		return redis_down(st, "AUTH", why);
	}
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(why, sizeof(why),
			 "%s (store.user, store.password_file)", r->str);
		hiredis_fn.freeReplyObject(r);
		return redis_down(st, "AUTH", why);
	}
	hiredis_fn.freeReplyObject(r);
	return SIGNET_OK;
}

void
redis_sigpipe_hold(struct sigpipe_guard *g)
{
	sigset_t set, pend;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&pend);
	g->was_pending = sigismember(&pend, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &g->old);
}

void
redis_sigpipe_release(struct sigpipe_guard *g)
{
	sigset_t set, pend;
	struct timespec zero = {0, 0};

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&pend);
	if (!g->was_pending && sigismember(&pend, SIGPIPE))
		(void)sigtimedwait(&set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

void
redis_pipe_free(struct rpipe *p)
{
	for (int i = 0; i < p->n; i++) {
		if (p->reply[i] != NULL)
			hiredis_fn.freeReplyObject(p->reply[i]);
		p->reply[i] = NULL;
	}
	p->n = 0;
}

signet_status
redis_connect(signet_store *st)
{
	struct rstore *rs = st->impl;

	if (rs->c != NULL && rs->pid != getpid())
		rdrop(rs);
	if (rs->c != NULL)
		return SIGNET_OK;
	if (rs->down_until.tv_sec != 0 && !mono_after(&rs->down_until))
		return SIGNET_E_IO; /* the fault was reported when it began */
	/* a path is a Unix socket: a Redis on the hub itself */
	if (rs->host[0] == '/')
		rs->c = hiredis_fn.redisConnectUnixWithTimeout(
			rs->host, redis_ms_tv(rs->timeout_ms));
	else
		rs->c = hiredis_fn.redisConnectWithTimeout(
			rs->host, rs->port, redis_ms_tv(rs->timeout_ms));
	rs->pid = getpid();
	if (rs->c == NULL)
		return redis_down(st, "connect", "out of memory");
	if (rs->c->err != 0) {
		char why[128];

		snprintf(why, sizeof(why), "%s", rs->c->errstr);
		return redis_down(st, "connect", why);
	}
	if (hiredis_fn.redisSetTimeout(rs->c, redis_ms_tv(rs->timeout_ms)) !=
	    REDIS_OK)
		return redis_down(st, "connect", "cannot set the timeout");
	return rauth(st);
}

/* Loads the hit script and keeps its SHA-1 for EVALSHA. */
signet_status
redis_load(signet_store *st)
{
	struct rstore *rs = st->impl;
	redisReply *r =
		hiredis_fn.redisCommand(rs->c, "SCRIPT LOAD %s", hit_script);

	if (r == NULL) {
		char why[128];

		snprintf(why, sizeof(why), "%s", rs->c->errstr);
		return redis_down(st, "SCRIPT LOAD", why);
	}
	if (r->type != REDIS_REPLY_STRING || r->len != 40) {
		store_fault(st, "state store redis %s: SCRIPT LOAD: %s",
			    rs->where,
			    r->type == REDIS_REPLY_ERROR ? r->str
							 : "unexpected reply");
		hiredis_fn.freeReplyObject(r);
		return SIGNET_E_IO;
	}
	memcpy(rs->sha, r->str, 41);
	hiredis_fn.freeReplyObject(r);
	return SIGNET_OK;
}

/* Sends the appended commands and collects their replies.  An error reply
   is a fault; a broken connection also takes the server down. */
signet_status
redis_flush(signet_store *st, struct rpipe *p, const char *what)
{
	struct rstore *rs = st->impl;
	signet_status ret = SIGNET_OK;
	int i;

	for (i = 0; i < p->n; i++) {
		void *reply = NULL;

		if (hiredis_fn.redisGetReply(rs->c, &reply) != REDIS_OK) {
			char why[128];

			snprintf(why, sizeof(why), "%s",
				 rs->c->err == REDIS_ERR_IO &&
						 (errno == EAGAIN ||
						  errno == EWOULDBLOCK)
					 ? "timed out"
					 : rs->c->errstr);
			for (int j = i; j < p->n; j++)
				p->reply[j] = NULL;
			redis_pipe_free(p);
			return redis_down(st, what, why);
		}
		p->reply[i] = reply;
		if (p->reply[i]->type == REDIS_REPLY_ERROR && ret == SIGNET_OK)
			ret = store_fault(st, "state store redis %s: %s: %s",
					  rs->where, what, p->reply[i]->str);
	}
	return ret;
}

void
redis_key(const struct rstore *rs, enum signet_store_kind k, const char *addr,
	  char *buf, size_t len)
{
	static const char kinds[] = "abrR";

	snprintf(buf, len, "%s%c:%s", rs->prefix, kinds[k], addr);
}

unsigned long long
redis_num(const redisReply *r)
{
	if (r == NULL)
		return 0;
	if (r->type == REDIS_REPLY_INTEGER)
		return r->integer < 0 ? 0 : (unsigned long long)r->integer;
	if (r->type == REDIS_REPLY_STRING)
		return strtoull(r->str, NULL, 10);
	return 0;
}

const redisReply *
redis_elem(const redisReply *r, size_t i)
{
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || i >= r->elements)
		return NULL;
	return r->element[i];
}

int
redis_str(const redisReply *r, const char **s_r, size_t *len_r)
{
	if (r == NULL || r->type != REDIS_REPLY_STRING)
		return 0;
	*s_r = r->str;
	*len_r = r->len;
	return 1;
}

static signet_status
redis_hit(signet_store *st, const char *addr, const char *base, time_t issued,
	  time_t keep, time_t now, struct signet_usage *u_r)
{
	struct rstore *rs = st->impl;
	char ka[STORE_KEY_MAX + REDIS_PREFIX_MAX + 4];
	char kb[sizeof(ka)], kr[sizeof(ka)], kR[sizeof(ka)];
	char snow[24], skeep[24], sissued[24];
	struct sigpipe_guard g;
	struct rpipe p = {0, {NULL}};
	const redisReply *r;
	const char *reason;
	size_t rlen;
	signet_status ret;
	int ri = 0; /* the script's reply in the pipeline */

	if (redis_connect(st) != SIGNET_OK)
		return SIGNET_E_IO;
	redis_key(rs, SIGNET_STORE_ADDR, addr, ka, sizeof(ka));
	redis_key(rs, SIGNET_STORE_BASE, base, kb, sizeof(kb));
	redis_key(rs, SIGNET_STORE_REV, addr, kr, sizeof(kr));
	redis_key(rs, SIGNET_STORE_BASE_REV, base, kR, sizeof(kR));
	snprintf(snow, sizeof(snow), "%lld", (long long)now);
	snprintf(skeep, sizeof(skeep), "%lld", (long long)keep);
	snprintf(sissued, sizeof(sissued), "%lld", (long long)issued);
	redis_sigpipe_hold(&g);
	if (rs->sha[0] == '\0') {
		/* a new connection: load and run in one round trip */
		hiredis_fn.redisAppendCommand(rs->c, "SCRIPT LOAD %s",
					      hit_script);
		hiredis_fn.redisAppendCommand(
			rs->c, "EVAL %s 4 %s %s %s %s %s %s %s", hit_script, ka,
			kb, kr, kR, snow, skeep, sissued);
		p.n = 2;
		ret = redis_flush(st, &p, "hit");
		if (ret == SIGNET_OK &&
		    p.reply[0]->type == REDIS_REPLY_STRING &&
		    p.reply[0]->len == 40)
			memcpy(rs->sha, p.reply[0]->str, 41);
		ri = 1;
	} else {
		hiredis_fn.redisAppendCommand(
			rs->c, "EVALSHA %s 4 %s %s %s %s %s %s %s", rs->sha, ka,
			kb, kr, kR, snow, skeep, sissued);
		p.n = 1;
		ret = redis_flush(st, &p, "hit");
	}
	if (ret != SIGNET_OK && ri == 0 && p.n == 1 && p.reply[0] != NULL &&
	    p.reply[0]->type == REDIS_REPLY_ERROR &&
	    strncmp(p.reply[0]->str, "NOSCRIPT", 8) == 0) {
		/* the server lost its scripts (restart, SCRIPT FLUSH) */
		redis_pipe_free(&p);
		hiredis_fn.redisAppendCommand(
			rs->c, "EVAL %s 4 %s %s %s %s %s %s %s", hit_script, ka,
			kb, kr, kR, snow, skeep, sissued);
		p.n = 1;
		ret = redis_flush(st, &p, "hit");
		if (ret == SIGNET_OK)
			st->fault_pending = 0;
	}
	redis_sigpipe_release(&g);
	if (ret != SIGNET_OK) {
		redis_pipe_free(&p);
		return SIGNET_E_IO;
	}
	r = p.reply[ri];
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 7) {
		redis_pipe_free(&p);
		return store_fault(st,
				   "state store redis %s: hit: "
				   "unexpected reply",
				   rs->where);
	}
	u_r->count = redis_num(redis_elem(r, 0));
	u_r->first_seen = (time_t)redis_num(redis_elem(r, 1));
	u_r->last_seen = now;
	u_r->base_count = redis_num(redis_elem(r, 2));
	u_r->granted = redis_num(redis_elem(r, 5));
	u_r->base_granted = redis_num(redis_elem(r, 6));
	u_r->revoked = redis_num(redis_elem(r, 3)) != 0;
	if (u_r->revoked && redis_str(redis_elem(r, 4), &reason, &rlen))
		store_copy_reason(u_r->reason, sizeof(u_r->reason), reason,
				  rlen);
	redis_pipe_free(&p);
	return SIGNET_OK;
}

/* Appends the reads of one record: HMGET of its fields and its TTL. */
void
redis_append_read(struct rstore *rs, struct rpipe *p, enum signet_store_kind k,
		  const char *addr)
{
	char key[STORE_KEY_MAX + REDIS_PREFIX_MAX + 4];

	redis_key(rs, k, addr, key, sizeof(key));
	if (k == SIGNET_STORE_ADDR || k == SIGNET_STORE_BASE)
		hiredis_fn.redisAppendCommand(rs->c, "HMGET %s c f l g", key);
	else
		hiredis_fn.redisAppendCommand(rs->c, "HMGET %s t before reason",
					      key);
	hiredis_fn.redisAppendCommand(rs->c, "TTL %s", key);
	p->n += 2;
}

/* Decodes the replies of append_read at i; 1 if the record exists. */
int
redis_decode_read(const struct rpipe *p, int i, enum signet_store_kind k,
		  time_t now, struct signet_store_entry *en, char *reason,
		  size_t rlen)
{
	const redisReply *r = p->reply[i], *ttl = p->reply[i + 1];
	const char *s;
	size_t len;

	memset(en, 0, sizeof(*en));
	en->kind = k;
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
	    (redis_elem(r, 0)->type == REDIS_REPLY_NIL &&
	     (r->elements < 4 || redis_elem(r, 3)->type == REDIS_REPLY_NIL)))
		return 0;
	en->keep = ttl != NULL && ttl->type == REDIS_REPLY_INTEGER &&
				   ttl->integer >= 0
			   ? now + (time_t)ttl->integer
			   : 0;
	if (k == SIGNET_STORE_ADDR || k == SIGNET_STORE_BASE) {
		en->count = redis_num(redis_elem(r, 0));
		en->first = (time_t)redis_num(redis_elem(r, 1));
		en->last = (time_t)redis_num(redis_elem(r, 2));
		en->granted = redis_num(redis_elem(r, 3));
	} else {
		en->time = (time_t)redis_num(redis_elem(r, 0));
		en->before = (time_t)redis_num(redis_elem(r, 1));
		if (reason != NULL && redis_str(redis_elem(r, 2), &s, &len))
			store_copy_reason(reason, rlen, s, len);
		en->reason = reason;
	}
	return 1;
}

static signet_status
read_all(signet_store *st, const char *addr, const char *base, time_t now,
	 struct signet_store_record *rec)
{
	struct rstore *rs = st->impl;
	struct sigpipe_guard g;
	struct rpipe p = {0, {NULL}};
	signet_status ret;

	if (redis_connect(st) != SIGNET_OK)
		return SIGNET_E_IO;
	redis_sigpipe_hold(&g);
	redis_append_read(rs, &p, SIGNET_STORE_ADDR, addr);
	redis_append_read(rs, &p, SIGNET_STORE_REV, addr);
	redis_append_read(rs, &p, SIGNET_STORE_BASE,
			  base != NULL ? base : addr);
	redis_append_read(rs, &p, SIGNET_STORE_BASE_REV,
			  base != NULL ? base : addr);
	ret = redis_flush(st, &p, "read");
	redis_sigpipe_release(&g);
	if (ret != SIGNET_OK) {
		redis_pipe_free(&p);
		return SIGNET_E_IO;
	}
	rec->have_addr = redis_decode_read(&p, 0, SIGNET_STORE_ADDR, now,
					   &rec->addr, NULL, 0);
	rec->have_rev =
		redis_decode_read(&p, 2, SIGNET_STORE_REV, now, &rec->rev,
				  rec->reason, sizeof(rec->reason));
	rec->have_base = redis_decode_read(&p, 4, SIGNET_STORE_BASE, now,
					   &rec->base, NULL, 0);
	rec->have_base_rev = redis_decode_read(
		&p, 6, SIGNET_STORE_BASE_REV, now, &rec->base_rev,
		rec->base_reason, sizeof(rec->base_reason));
	redis_pipe_free(&p);
	return SIGNET_OK;
}

static signet_status
redis_lookup(signet_store *st, const char *addr, const char *base,
	     time_t issued, time_t now, struct signet_usage *u_r)
{
	struct signet_store_record rec;

	memset(&rec, 0, sizeof(rec));
	if (read_all(st, addr, base, now, &rec) != SIGNET_OK)
		return SIGNET_E_IO;
	if (rec.have_addr) {
		u_r->count = rec.addr.count;
		u_r->granted = rec.addr.granted;
		u_r->first_seen = rec.addr.first;
		u_r->last_seen = rec.addr.last;
	}
	if (base != NULL && rec.have_base) {
		u_r->base_count = rec.base.count;
		u_r->base_granted = rec.base.granted;
	}
	if (rec.have_rev) {
		u_r->revoked = 1;
		store_copy_reason(u_r->reason, sizeof(u_r->reason), rec.reason,
				  sizeof(rec.reason));
	} else if (base != NULL && rec.have_base_rev &&
		   store_base_rev_covers(rec.base_rev.before, issued)) {
		u_r->revoked = 1;
		store_copy_reason(u_r->reason, sizeof(u_r->reason),
				  rec.base_reason, sizeof(rec.base_reason));
	}
	return SIGNET_OK;
}

static signet_status
redis_record(signet_store *st, const char *addr, const char *base, time_t now,
	     struct signet_store_record *r_r)
{
	return read_all(st, addr, base, now, r_r);
}

static signet_status
redis_grant(signet_store *st, const char *addr, const char *base,
	    unsigned long long uses, time_t keep, time_t now)
{
	struct rstore *rs = st->impl;
	char ka[STORE_KEY_MAX + REDIS_PREFIX_MAX + 4], kb[sizeof(ka)];
	char skeep[24], suses[24];
	struct sigpipe_guard g;
	struct rpipe p = {0, {NULL}};
	signet_status ret;

	(void)now;
	if (redis_connect(st) != SIGNET_OK)
		return SIGNET_E_IO;
	redis_key(rs, SIGNET_STORE_ADDR, addr, ka, sizeof(ka));
	redis_key(rs, SIGNET_STORE_BASE, base, kb, sizeof(kb));
	snprintf(skeep, sizeof(skeep), "%lld", (long long)keep);
	snprintf(suses, sizeof(suses), "%llu", uses);
	redis_sigpipe_hold(&g);
	/* the new address's keep is the latest of its base's */
	hiredis_fn.redisAppendCommand(rs->c, "MULTI");
	hiredis_fn.redisAppendCommand(rs->c, "HINCRBY %s g %s", ka, suses);
	hiredis_fn.redisAppendCommand(rs->c, "EXPIREAT %s %s", ka, skeep);
	hiredis_fn.redisAppendCommand(rs->c, "HINCRBY %s g %s", kb, suses);
	hiredis_fn.redisAppendCommand(rs->c, "EXPIREAT %s %s", kb, skeep);
	hiredis_fn.redisAppendCommand(rs->c, "EXEC");
	p.n = 6;
	ret = redis_simple(st, &p, "grant");
	redis_sigpipe_release(&g);
	return ret;
}

static void
redis_set_timeout(signet_store *st, long ms)
{
	struct rstore *rs = st->impl;

	rs->timeout_ms = ms;
	rs->down_until.tv_sec = 0;
	rs->down_until.tv_nsec = 0;
	st->fault_pending = 0;
	if (rs->c != NULL)
		hiredis_fn.redisSetTimeout(rs->c, redis_ms_tv(ms));
}

static void
redis_close(signet_store *st)
{
	struct rstore *rs = st->impl;

	if (rs == NULL)
		return;
	rdrop(rs);
	free(rs->host);
	free(rs->user);
	if (rs->password != NULL) {
		signet_wipe(rs->password, strlen(rs->password));
		free(rs->password);
	}
	free(rs);
	st->impl = NULL;
}

/* The first line of store.password_file, which only its owner may read.
   NULL with errbuf set on error. */
static char *
read_password(const char *path, char *errbuf, size_t errlen)
{
	char err[SIGNET_ERR_BUFSZ], *text, *pw = NULL;
	size_t len, line;

	if (signet_jread_file(path, REDIS_PASSWORD_FILE_MAX, "the password",
			      &text, &len, err, sizeof(err)) != SIGNET_OK) {
		signet_err(errbuf, errlen, "store.password_file %s", err);
		return NULL;
	}
	line = strcspn(text, "\r\n");
	if (line == 0 || line > REDIS_PASSWORD_MAX || strlen(text) < len)
		signet_err(errbuf, errlen,
			   "store.password_file %s: expected "
			   "the password on its first line (1 to %d octets, "
			   "no NUL)",
			   path, REDIS_PASSWORD_MAX);
	else if ((pw = strndup(text, line)) == NULL)
		signet_err(errbuf, errlen, "out of memory");
	signet_wipe(text, len);
	free(text);
	return pw;
}

static const struct store_ops redis_ops = {
	.name = "redis",
	.hit = redis_hit,
	.lookup = redis_lookup,
	.record = redis_record,
	.revoke = redis_revoke,
	.unrevoke = redis_unrevoke,
	.foreach = redis_foreach,
	.purge = redis_purge,
	.hit_many = redis_hit_many,
	.grant = redis_grant,
	.set_timeout = redis_set_timeout,
	.close = redis_close,
};

signet_status
store_redis_open(const signet_config *cfg, signet_store *st, char *errbuf,
		 size_t errlen)
{
	struct rstore *rs;
	const char *host, *prefix, *user, *pwfile;
	long long port, ms;

	host = signet_config_settings(cfg)->store.host;
	user = signet_config_settings(cfg)->store.user;
	pwfile = signet_config_settings(cfg)->store.password_file;
	port = signet_config_settings(cfg)->store.port;
	ms = signet_config_settings(cfg)->store.timeout_ms;
	prefix = signet_config_settings(cfg)->store.prefix;
	if (port < 1 || port > 65535 || ms < 1 || ms > 60000 ||
	    strlen(prefix) >= REDIS_PREFIX_MAX) {
		signet_err(errbuf, errlen,
			   "%s: store: port %lld, timeout_ms %lld or prefix "
			   "\"%s\" out of range; expected a port 1-65535, "
			   "1-60000 ms and a prefix under %d characters",
			   signet_config_path(cfg), port, ms, prefix,
			   REDIS_PREFIX_MAX);
		return SIGNET_E_CONFIG;
	}
	if (store_load(&hiredis_lib, &hiredis_fn, errbuf, errlen) != SIGNET_OK)
		return SIGNET_E_IO;
	rs = calloc(1, sizeof(*rs));
	if (rs == NULL || (rs->host = strdup(host)) == NULL ||
	    (user != NULL && (rs->user = strdup(user)) == NULL)) {
		if (rs != NULL)
			free(rs->host);
		free(rs);
		return SIGNET_E_NOMEM;
	}
	if (pwfile != NULL && pwfile[0] != '\0' &&
	    (rs->password = read_password(pwfile, errbuf, errlen)) == NULL) {
		free(rs->user);
		free(rs->host);
		free(rs);
		return SIGNET_E_CONFIG;
	}
	rs->port = (int)port;
	if (host[0] == '/')
		snprintf(rs->where, sizeof(rs->where), "%s", host);
	else
		snprintf(rs->where, sizeof(rs->where), "%s:%d", host, rs->port);
	rs->timeout_ms = (long)ms;
	snprintf(rs->prefix, sizeof(rs->prefix), "%s", prefix);
	st->ops = &redis_ops;
	st->impl = rs;
	/* A server that is down now may be up by the first message: only
	   the settings can make opening fail. */
	(void)redis_connect(st);
	return SIGNET_OK;
}
