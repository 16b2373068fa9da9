/* The Redis back end's administration: listing, revocation, purge and
   bulk loads (the signet tool and the benchmarks). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-redis.h"

/* Runs a short pipeline that only needs to succeed. */
signet_status
redis_simple(signet_store *st, struct rpipe *p, const char *what)
{
	signet_status ret = redis_flush(st, p, what);

	redis_pipe_free(p);
	return ret;
}

signet_status
redis_revoke(signet_store *st, const char *addr, int base_rev, time_t before,
	     const char *reason, time_t now, time_t keep)
{
	struct rstore *rs = st->impl;
	char key[STORE_KEY_MAX + REDIS_PREFIX_MAX + 4];
	char snow[24], skeep[24], sbefore[24];
	struct sigpipe_guard g;
	struct rpipe p = {0, {NULL}};
	signet_status ret;

	if (redis_connect(st) != SIGNET_OK)
		return SIGNET_E_IO;
	redis_key(rs, base_rev ? SIGNET_STORE_BASE_REV : SIGNET_STORE_REV, addr,
		  key, sizeof(key));
	snprintf(snow, sizeof(snow), "%lld", (long long)now);
	snprintf(skeep, sizeof(skeep), "%lld", (long long)keep);
	snprintf(sbefore, sizeof(sbefore), "%lld", (long long)before);
	redis_sigpipe_hold(&g);
	hiredis_fn.redisAppendCommand(rs->c, "MULTI");
	hiredis_fn.redisAppendCommand(rs->c, "DEL %s", key);
	hiredis_fn.redisAppendCommand(rs->c, "HSET %s t %s before %s reason %s",
				      key, snow, sbefore, reason);
	hiredis_fn.redisAppendCommand(rs->c, "EXPIREAT %s %s", key, skeep);
	hiredis_fn.redisAppendCommand(rs->c, "EXEC");
	p.n = 5;
	ret = redis_simple(st, &p, "revoke");
	redis_sigpipe_release(&g);
	return ret;
}

signet_status
redis_unrevoke(signet_store *st, const char *addr, int base_rev, int *found_r)
{
	struct rstore *rs = st->impl;
	char key[STORE_KEY_MAX + REDIS_PREFIX_MAX + 4];
	struct sigpipe_guard g;
	struct rpipe p = {0, {NULL}};
	signet_status ret;

	*found_r = 0;
	if (redis_connect(st) != SIGNET_OK)
		return SIGNET_E_IO;
	redis_key(rs, base_rev ? SIGNET_STORE_BASE_REV : SIGNET_STORE_REV, addr,
		  key, sizeof(key));
	redis_sigpipe_hold(&g);
	hiredis_fn.redisAppendCommand(rs->c, "DEL %s", key);
	p.n = 1;
	ret = redis_flush(st, &p, "unrevoke");
	redis_sigpipe_release(&g);
	if (ret == SIGNET_OK)
		*found_r = redis_num(p.reply[0]) > 0;
	redis_pipe_free(&p);
	return ret;
}

static int
kind_of_key(const struct rstore *rs, const char *key,
	    enum signet_store_kind *k_r, const char **addr_r)
{
	size_t plen = strlen(rs->prefix);
	const char *p = key + plen;

	if (strncmp(key, rs->prefix, plen) != 0 || strlen(p) < 3 || p[1] != ':')
		return 0;
	switch (p[0]) {
	case 'a':
		*k_r = SIGNET_STORE_ADDR;
		break;
	case 'b':
		*k_r = SIGNET_STORE_BASE;
		break;
	case 'r':
		*k_r = SIGNET_STORE_REV;
		break;
	case 'R':
		*k_r = SIGNET_STORE_BASE_REV;
		break;
	default:
		return 0;
	}
	*addr_r = p + 2;
	return 1;
}

/* Lists one SCAN batch, REDIS_PIPE_MAX / 2 records per round trip;
   returns non-zero if the callback stopped or the server failed. */
static int
foreach_batch(signet_store *st, const redisReply *keys, time_t now,
	      signet_store_foreach_cb *cb, void *ctx, signet_status *ret_r)
{
	struct rstore *rs = st->impl;
	char reason[SIGNET_STORE_REASON_MAX];
	struct signet_store_entry en;
	enum signet_store_kind kind[REDIS_PIPE_MAX / 2];
	const char *addr[REDIS_PIPE_MAX / 2];
	size_t i = 0;

	while (i < keys->elements) {
		struct rpipe p = {0, {NULL}};
		int m = 0, stop = 0;

		for (; i < keys->elements && m < REDIS_PIPE_MAX / 2; i++) {
			const redisReply *k = keys->element[i];

			if (k->type != REDIS_REPLY_STRING ||
			    !kind_of_key(rs, k->str, &kind[m], &addr[m]) ||
			    strlen(addr[m]) >= STORE_KEY_MAX)
				continue;
			redis_append_read(rs, &p, kind[m], addr[m]);
			m++;
		}
		if ((*ret_r = redis_flush(st, &p, "list")) != SIGNET_OK) {
			redis_pipe_free(&p);
			return 1;
		}
		for (int j = 0; j < m && !stop; j++) {
			reason[0] = '\0';
			if (!redis_decode_read(&p, 2 * j, kind[j], now, &en,
					       reason, sizeof(reason)))
				continue;
			en.addr = addr[j];
			stop = cb(&en, ctx);
		}
		redis_pipe_free(&p);
		if (stop)
			return 1;
	}
	return 0;
}

signet_status
redis_foreach(signet_store *st, time_t now, signet_store_foreach_cb *cb,
	      void *ctx)
{
	struct rstore *rs = st->impl;
	char cursor[32] = "0", match[REDIS_PREFIX_MAX + 2];
	struct sigpipe_guard g;
	signet_status ret = SIGNET_OK;

	if (redis_connect(st) != SIGNET_OK)
		return SIGNET_E_IO;
	snprintf(match, sizeof(match), "%s*", rs->prefix);
	redis_sigpipe_hold(&g);
	hiredis_fn.redisSetTimeout(rs->c, redis_ms_tv(REDIS_SLOW_MS));
	do {
		struct rpipe p = {0, {NULL}};
		const redisReply *r, *next, *keys;

		hiredis_fn.redisAppendCommand(
			rs->c, "SCAN %s MATCH %s COUNT 1000", cursor, match);
		p.n = 1;
		if ((ret = redis_flush(st, &p, "SCAN")) != SIGNET_OK) {
			redis_pipe_free(&p);
			break;
		}
		r = p.reply[0];
		next = redis_elem(r, 0);
		keys = redis_elem(r, 1);
		if (next == NULL || next->type != REDIS_REPLY_STRING ||
		    keys == NULL || keys->type != REDIS_REPLY_ARRAY) {
			redis_pipe_free(&p);
			ret = store_fault(st,
					  "state store redis %s: SCAN: "
					  "unexpected reply",
					  rs->where);
			break;
		}
		snprintf(cursor, sizeof(cursor), "%s", next->str);
		if (foreach_batch(st, keys, now, cb, ctx, &ret)) {
			redis_pipe_free(&p);
			break;
		}
		redis_pipe_free(&p);
	} while (strcmp(cursor, "0") != 0);
	if (rs->c != NULL)
		hiredis_fn.redisSetTimeout(rs->c, redis_ms_tv(rs->timeout_ms));
	redis_sigpipe_release(&g);
	return ret;
}

signet_status
redis_purge(signet_store *st, time_t now, unsigned long long *removed_r)
{
	(void)st;
	(void)now;
	/* every key carries its expiry: the server drops them itself */
	*removed_r = 0;
	return SIGNET_OK;
}

/* Pipelines the hit script, a batch of commands per round trip. */
signet_status
redis_hit_many(signet_store *st, size_t n, const char *const *addrs,
	       const char *const *bases, time_t keep, time_t now)
{
	struct rstore *rs = st->impl;
	char ka[STORE_KEY_MAX + REDIS_PREFIX_MAX + 4];
	char kb[sizeof(ka)], kr[sizeof(ka)], kR[sizeof(ka)];
	struct sigpipe_guard g;
	signet_status ret = SIGNET_OK;
	size_t i = 0, sent;

	if (redis_connect(st) != SIGNET_OK)
		return SIGNET_E_IO;
	redis_sigpipe_hold(&g);
	hiredis_fn.redisSetTimeout(rs->c, redis_ms_tv(REDIS_SLOW_MS));
	if (rs->sha[0] == '\0')
		ret = redis_load(st);
	while (i < n && ret == SIGNET_OK) {
		for (sent = 0; i < n && sent < REDIS_BATCH; i++, sent++) {
			redis_key(rs, SIGNET_STORE_ADDR, addrs[i], ka,
				  sizeof(ka));
			redis_key(rs, SIGNET_STORE_BASE, bases[i], kb,
				  sizeof(kb));
			redis_key(rs, SIGNET_STORE_REV, addrs[i], kr,
				  sizeof(kr));
			redis_key(rs, SIGNET_STORE_BASE_REV, bases[i], kR,
				  sizeof(kR));
			hiredis_fn.redisAppendCommand(
				rs->c,
				"EVALSHA %s 4 %s %s %s %s %lld "
				"%lld 0",
				rs->sha, ka, kb, kr, kR, (long long)now,
				(long long)keep);
		}
		for (; sent > 0; sent--) {
			struct rpipe p = {0, {NULL}};

			if (hiredis_fn.redisGetReply(
				    rs->c, (void **)&p.reply[0]) != REDIS_OK) {
				ret = redis_down(st, "bulk hit", rs->c->errstr);
				break;
			}
			p.n = 1;
			if (p.reply[0]->type == REDIS_REPLY_ERROR)
				ret = store_fault(st,
						  "state store redis "
						  "%s: bulk hit: %s",
						  rs->where, p.reply[0]->str);
			redis_pipe_free(&p);
		}
	}
	if (rs->c != NULL)
		hiredis_fn.redisSetTimeout(rs->c, redis_ms_tv(rs->timeout_ms));
	redis_sigpipe_release(&g);
	return ret;
}
