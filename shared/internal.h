/* Structures shared between the core's own files.  Not for the plugins. */
#ifndef SIGNET_INTERNAL_H
#define SIGNET_INTERNAL_H

#include "signet.h"
#include "crypto.h"

/* On the path of every message.  GCC puts these functions in .text.hot,
   which the linker gathers, so that a forked connection's process touches
   a page or two of the library for them, not a page per function: each
   first touch after fork is a page fault, which under some hypervisors
   costs more than the function (docs/EXIM.md, "Pages, not
   instructions"). */
#define SIGNET_HOT __attribute__((hot))

#define SIGNET_KEY_BYTES 32
/* Key ids are 0-9 per purpose (prvs carries one decimal digit). */
#define SIGNET_KEY_IDS 10
#define SIGNET_KEYS_MAX (2 * SIGNET_KEY_IDS)

struct signet_key {
	int id;
	enum signet_key_purpose purpose;
	time_t created, signs_until, verifies_until;
	unsigned char secret[SIGNET_KEY_BYTES];
	/* The secret as lower-case hex: the key string Exim's ${prvs} takes,
	   so `${prvscheck}` can share it. */
	char secret_hex[2 * SIGNET_KEY_BYTES + 1];
	struct signet_hmac_key mac256;  /* keyed with secret */
	struct signet_hmac_key mac1;    /* keyed with secret_hex (prvs) */
};

struct signet_keyring {
	size_t n, cap;
	/* sized to the file, not to SIGNET_KEYS_MAX: zeroing and wiping
	   12 KB on every connection's load was a tenth of its cost */
	struct signet_key *keys;
};

/* Computes the derived MAC states after secret/secret_hex are set. */
void signet_key_prepare(struct signet_key *k);
/* Finds the key of a purpose and id that may verify at now, or NULL. */
const struct signet_key *signet_keyring_find(const signet_keyring *kr,
					     enum signet_key_purpose p, int id,
					     time_t now);
/* The newest key of a purpose whose signing window holds now, or NULL. */
const struct signet_key *signet_keyring_signer(const signet_keyring *kr,
					       enum signet_key_purpose p,
					       time_t now);

/* Writes a printf-style message into errbuf (if errbuf is not NULL). */
/* A setting by dotted path ("store.port"), or def when absent: only for
   filling struct signet_settings (config.c) and for tests. */
const char *signet_config_get_string(const signet_config *cfg,
				     const char *key, const char *def);
long long signet_config_get_int(const signet_config *cfg, const char *key,
				long long def);

/* A status from its signet_status_name(); SIGNET_E_INTERNAL if none. */
signet_status signet_status_by_name(const char *name);

void signet_err(char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Lower-case hex. */
void signet_hex_encode(const unsigned char *in, size_t len, char *out);
/* The value of one hex digit (either case), or -1. */
int signet_hexval(char c);
/* Returns 0 on success; -1 on a bad digit. */
int signet_hex_decode(const char *in, size_t hexlen, unsigned char *out);

/* signet_verify() of an address already parsed into a. */
signet_status signet_verify_parsed(const signet_keyring *kr,
				   const struct signet_lifetimes *lt,
				   const char *addr, const struct signet_addr *a,
				   time_t now, struct signet_verdict *v_r);

/* Address formats (fmt_prvs.c, fmt_closed.c), called by sign.c with a
   parsed, plain ASCII address. */
#define SIGNET_PRVS_TAG_LEN 16    /* "prvs=" K DDD SSSSSS "=" */
#define SIGNET_CLOSED_TAG_LEN 30  /* "=sg" K and 26 base32 */
int signet_prvs_shape(const char *addr, size_t local_len);
int signet_closed_shape(const char *addr, size_t local_len);
signet_status signet_prvs_sign(const struct signet_key *k,
			       const struct signet_addr *a, time_t now,
			       long long lifetime, char *out, size_t outlen);
signet_status signet_prvs_verify(const signet_keyring *kr,
				 const struct signet_lifetimes *lt,
				 const struct signet_addr *a, time_t now,
				 struct signet_verdict *v);
signet_status signet_closed_sign(const struct signet_key *k,
				 const struct signet_addr *a,
				 const char *message_id, time_t now, char *out,
				 size_t outlen);
signet_status signet_closed_verify(const signet_keyring *kr,
				   const struct signet_lifetimes *lt,
				   const struct signet_addr *a, time_t now,
				   struct signet_verdict *v);

#endif
