/* Private to the Redis back end's two files: store_redis.c (the
   connection, use counts and guessing) and store_redis_admin.c (listing,
   revocation, purge and bulk loads). */
#ifndef SIGNET_STORE_REDIS_H
#define SIGNET_STORE_REDIS_H

#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>

#include "internal.h"
#include "store-internal.h"

/* Seconds to stay away from a server that failed. */
#define REDIS_BACKOFF 3
/* The tool's listing may take longer than a mail check. */
#define REDIS_SLOW_MS 5000
#define REDIS_PIPE_MAX 256
/* Commands per round trip in a bulk load. */
#define REDIS_BATCH 1000
#define REDIS_PREFIX_MAX 64
#define REDIS_PASSWORD_MAX 512
#define REDIS_PASSWORD_FILE_MAX 4096

/* libhiredis's functions, called through this table: <hiredis/hiredis.h>
   gives their types. */
/* clang-format off */
#define HIREDIS_FUNCS(X)                                                      \
	X(freeReplyObject) X(redisAppendCommand) X(redisCommand)              \
	X(redisConnectUnixWithTimeout) X(redisConnectWithTimeout)             \
	X(redisFree) X(redisGetReply) X(redisSetTimeout)
/* clang-format on */

struct hiredis_api {
#define HIREDIS_MEMBER(f) __typeof__(f) *f;
	HIREDIS_FUNCS(HIREDIS_MEMBER)
#undef HIREDIS_MEMBER
};
extern struct hiredis_api hiredis_fn;

struct rstore {
	redisContext *c;
	pid_t pid;
	char *host;
	int port;
	char where[300]; /* host:port or socket path, for messages */
	long timeout_ms;
	char prefix[REDIS_PREFIX_MAX];
	char sha[41];
	struct timespec down_until;
	char *user;	/* store.user, or NULL for Redis's default user */
	char *password; /* from store.password_file, or NULL: wiped */
};

/* A pipeline of up to REDIS_PIPE_MAX commands. */
struct rpipe {
	int n;
	redisReply *reply[REDIS_PIPE_MAX];
};

/* hiredis writes with write(2): a server that went away would kill a
   host that does not ignore SIGPIPE.  Hold the signal while we talk. */
struct sigpipe_guard {
	sigset_t old;
	int was_pending;
};

struct timeval redis_ms_tv(long ms);
/* Records a fault and keeps away from the server for REDIS_BACKOFF s. */
signet_status redis_down(signet_store *st, const char *what, const char *why);
/* Connects (again after a fork or a failure), authenticates. */
signet_status redis_connect(signet_store *st);
/* Loads the hit script and keeps its SHA-1 for EVALSHA. */
signet_status redis_load(signet_store *st);
/* Sends the appended commands and collects their replies.  An error
   reply is a fault; a broken connection also takes the server down. */
signet_status redis_flush(signet_store *st, struct rpipe *p, const char *what);
/* redis_flush, then frees the replies: a pipeline that only needs to
   succeed. */
signet_status redis_simple(signet_store *st, struct rpipe *p, const char *what);
void redis_pipe_free(struct rpipe *p);
void redis_key(const struct rstore *rs, enum signet_store_kind k,
	       const char *addr, char *buf, size_t len);
unsigned long long redis_num(const redisReply *r);
const redisReply *redis_elem(const redisReply *r, size_t i);
int redis_str(const redisReply *r, const char **s_r, size_t *len_r);
void redis_sigpipe_hold(struct sigpipe_guard *g);
void redis_sigpipe_release(struct sigpipe_guard *g);

/* Appends the reads of one record: HMGET of its fields and its TTL. */
void redis_append_read(struct rstore *rs, struct rpipe *p,
		       enum signet_store_kind k, const char *addr);
/* Decodes the replies of redis_append_read at i; 1 if the record exists. */
int redis_decode_read(const struct rpipe *p, int i, enum signet_store_kind k,
		      time_t now, struct signet_store_entry *en, char *reason,
		      size_t rlen);

/* The administration calls of the store's operations. */
signet_status redis_revoke(signet_store *st, const char *addr, int base_rev,
			   time_t before, const char *reason, time_t now,
			   time_t keep);
signet_status redis_unrevoke(signet_store *st, const char *addr, int base_rev,
			     int *found_r);
signet_status redis_foreach(signet_store *st, time_t now,
			    signet_store_foreach_cb *cb, void *ctx);
signet_status redis_purge(signet_store *st, time_t now,
			  unsigned long long *removed_r);
signet_status redis_hit_many(signet_store *st, size_t n,
			     const char *const *addrs, const char *const *bases,
			     time_t keep, time_t now);

#endif
