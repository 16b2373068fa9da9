/* signet: signed envelope addresses and sealed provenance for Exim and
   Dovecot.  This is the one public header of libsignet. */
#ifndef SIGNET_H
#define SIGNET_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#if defined(__GNUC__)
#define SIGNET_WUR __attribute__((warn_unused_result))
#else
#define SIGNET_WUR
#endif

/* RFC 5321 limits, in octets. */
#define SIGNET_LOCAL_MAX 64
#define SIGNET_DOMAIN_MAX 255
#define SIGNET_PATH_MAX 256
/* Big enough for any address, signed or not, with its NUL. */
#define SIGNET_ADDR_BUFSZ (SIGNET_PATH_MAX + 1)
/* Longest base local part that each format can sign (docs/FORMATS.md). */
#define SIGNET_CLOSED_BASE_MAX 34
#define SIGNET_PRVS_BASE_MAX 48
/* Big enough for a sealed Signet-Provenance header value. */
#define SIGNET_HEADER_BUFSZ 2048
/* Big enough for any error text the library writes. */
#define SIGNET_ERR_BUFSZ 512

/* Statuses, grouped by what the host does with them.  Use
   signet_status_class() rather than comparing ranges. */
typedef enum signet_status {
	/* accept */
	SIGNET_OK = 0,
	SIGNET_NOT_SIGNED,      /* a plain address: no signature to check */
	SIGNET_SKIPPED,         /* sign: left unsigned by rule (null, exempt,
				   foreign domain, already signed, odd syntax) */

	/* defer: temporary, answer 4xx, or send unsigned and log */
	SIGNET_E_FADING = 100,  /* past its lifetime, inside the grace period,
				   or used more often than the policy allows */
	SIGNET_E_NO_KEY,        /* no key of the needed purpose or id */
	SIGNET_E_CONFIG,        /* configuration unusable */
	SIGNET_E_KEYRING,       /* keyring unreadable or invalid */
	SIGNET_E_IO,            /* file or store unreachable */
	SIGNET_E_NOMEM,
	SIGNET_E_INTERNAL,
	SIGNET_E_BUFFER,        /* caller's buffer too small */
	SIGNET_E_TOO_LONG,      /* sign: signed form would break RFC 5321 */

	/* reject: permanent, the input itself is wrong */
	SIGNET_E_SYNTAX = 200,  /* not an address, or a malformed signed one */
	SIGNET_E_FORGED,        /* signature does not verify */
	SIGNET_E_UNKNOWN_KEY,   /* key id never issued or destroyed */
	SIGNET_E_EXPIRED,       /* past lifetime and grace */
	SIGNET_E_REVOKED,       /* ended early by the postmaster */
	SIGNET_E_FUTURE,        /* issued in the future: clock skew or forgery */
	SIGNET_E_BAD_HEADER,    /* provenance header malformed */
	SIGNET_E_BAD_SEAL       /* provenance seal does not verify */
} signet_status;

typedef enum signet_class {
	SIGNET_CLASS_ACCEPT,
	SIGNET_CLASS_DEFER,
	SIGNET_CLASS_REJECT
} signet_class;

signet_class signet_status_class(signet_status st);
/* Short, stable, lower-case name, e.g. "forged" (for logs and headers). */
const char *signet_status_name(signet_status st);
/* One plain-language sentence. */
const char *signet_strerror(signet_status st);

/* ---- addresses ---- */

/* A parsed address: views into the caller's string, not copies. */
struct signet_addr {
	const char *local;
	size_t local_len;
	const char *domain;
	size_t domain_len;
	int quoted;     /* local part is a quoted-string: never signed */
};

/* The one domain name syntax of signet (addresses, configuration, the
   Dovecot settings): dot-separated labels of letters, digits and '-' (not
   at either end) or UTF-8 octets, 1 to 63 octets each, at most
   SIGNET_DOMAIN_MAX in all; no trailing dot. */
int signet_domain_ok(const char *d, size_t len);

/* RFC 5321 Mailbox syntax and limits (a domain is a name as above, or an
   address literal).  Angle brackets are not accepted. */
SIGNET_WUR signet_status signet_addr_parse(const char *addr,
					   struct signet_addr *addr_r);

/* ---- configuration (JSON file, see conf/signet.json) ---- */

typedef struct signet_config signet_config;

enum signet_format { SIGNET_FMT_SIGNET, SIGNET_FMT_PRVS };
enum signet_null_policy {
	SIGNET_NULL_STRICT,
	SIGNET_NULL_TAG,
	SIGNET_NULL_OFF
};

/* Loads and checks the file.  On failure errbuf names the file, the
   line/column or field, and what was expected. */
SIGNET_WUR signet_status signet_config_load(const char *path,
					    signet_config **cfg_r,
					    char *errbuf, size_t errlen);
/* Defaults only, for tools and tests. */
SIGNET_WUR signet_status signet_config_new(signet_config **cfg_r);
void signet_config_free(signet_config **cfg);

/* Path of the default file: $SIGNET_CONFIG or /etc/signet/signet.json. */
const char *signet_config_default_path(void);

int signet_config_is_local_domain(const signet_config *cfg,
				  const char *domain, size_t len);
/* Non-zero when the address must never be signed (lists, postmaster). */
int signet_config_is_exempt(const signet_config *cfg, const char *addr);
enum signet_format signet_config_format(const signet_config *cfg);
enum signet_null_policy signet_config_null_policy(const signet_config *cfg);
const char *signet_config_keyring_path(const signet_config *cfg);
const char *signet_config_seal_keyring_path(const signet_config *cfg);
const char *signet_config_event_log_path(const signet_config *cfg);
const char *signet_config_path(const signet_config *cfg);
/* Every other setting, filled once at load with its value or its default
   (signet.json(5) lists them), so no caller names a key or a default. */
enum signet_unauthorised {
	SIGNET_UNAUTH_OWN,      /* send with the submitter's own address */
	SIGNET_UNAUTH_UNSIGNED, /* send unsigned */
	SIGNET_UNAUTH_REJECT    /* refuse the message */
};
struct signet_settings {
	enum signet_unauthorised unauthorised; /* unauthorised_sender */
	int relay_hosts_sign;            /* sign for relay hosts too */
	const char *sub_address_separator; /* "+"; "" for none */
	struct {
		long long max_uses;            /* 50; 0: no limit */
		long long max_base_uses;       /* 5000; 0: no limit */
		long long uses_per_recipient;  /* 3 */
		long long max_forged;          /* 20; 0: no lock */
		long long forged_window_hours; /* 24 */
	} fade;
	struct {
		const char *type;          /* "lmdb", "redis" or "none" */
		const char *path;          /* lmdb file */
		long long map_size_mb;     /* 1024 */
		const char *host;          /* redis: "127.0.0.1" */
		long long port;            /* 6379 */
		const char *user;          /* NULL: none */
		const char *password_file; /* NULL: none */
		const char *prefix;        /* "signet:" */
		long long timeout_ms;      /* 5 */
	} store;
};
#define SIGNET_MAP_SIZE_MB_MAX 1048576
const struct signet_settings *signet_config_settings(const signet_config *cfg);
/* May the submitter (authenticated id, or local user) use this address?
   An entry of "senders", or its own local part (and sub-addresses of it):
   a bare login ("alice") at any of our domains, as Exim's local domains
   share one set of local users; a login with a domain
   ("alice@isp.example") at that domain only. */
int signet_config_may_send_as(const signet_config *cfg, const char *submitter,
			      const char *addr);

/* Settings that govern verdicts, in seconds. */
/* What a signed address is checked against: its lifetimes, and which
   formats the hub accepts (a bit per enum signet_format; an address of
   another format is forged).  Default: the closed format only. */
struct signet_lifetimes {
	long long lifetime;       /* closed format */
	long long grace;          /* after lifetime: fading, then expired */
	long long prvs_lifetime;  /* prvs (its expiry day is in the tag) */
	long long max_skew;       /* tolerated future issue time */
	unsigned int formats;     /* SIGNET_FORMAT_BIT(fmt) of those accepted */
};
#define SIGNET_FORMAT_BIT(fmt) (1u << (fmt))
void signet_config_lifetimes(const signet_config *cfg,
			     struct signet_lifetimes *lt_r);

/* ---- keyring ---- */

typedef struct signet_keyring signet_keyring;

enum signet_key_purpose { SIGNET_KEY_ADDR, SIGNET_KEY_SEAL };

/* Refuses a file that group or others can read, or that is not a regular
   file.  errbuf says which file and which mode is expected. */
SIGNET_WUR signet_status signet_keyring_load(const char *path,
					     signet_keyring **kr_r,
					     char *errbuf, size_t errlen);
SIGNET_WUR signet_status signet_keyring_new(signet_keyring **kr_r);
/* Wipes all secret material. */
void signet_keyring_free(signet_keyring **kr);
/* Pays now the one-off cost of constant-time AES (an OpenSSL provider
   fetch, about 8M instructions) that the first signet-format sign or
   verify of a process would pay otherwise.  A process that forks
   workers (Exim's daemon with SIGNET_PRELOAD) calls it before forking.
   0 if EVP's AES is available (else the table-based code is used). */
int signet_crypto_prepare(void);

/* Adds a fresh random key that signs from now until now+sign_for and
   verifies until now+verify_for.  Its id is the next free one (0-9). */
SIGNET_WUR signet_status signet_keyring_add(signet_keyring *kr,
					    enum signet_key_purpose purpose,
					    time_t now, long long sign_for,
					    long long verify_for,
					    int *id_r);
/* Rotation: destroys keys of the purpose whose verify window has passed
   at now, and adds a new key that signs from now + delay until
   + sign_for and verifies until + verify_for.  Older keys sign until the
   new one starts and verify as long after that as the new one verifies
   after its last signature.  A fleet gives delay enough time to copy the
   keyring to every host first, so none meets a key id it lacks. */
SIGNET_WUR signet_status signet_keyring_rotate(signet_keyring *kr,
					       enum signet_key_purpose purpose,
					       time_t now, long long delay,
					       long long sign_for,
					       long long verify_for,
					       int *id_r, int *destroyed_r);
/* Writes mode 0600 atomically (temporary file and rename).  With
   seal_only, address keys are left out (for Dovecot hosts). */
SIGNET_WUR signet_status signet_keyring_save(const signet_keyring *kr,
					     const char *path, int seal_only,
					     char *errbuf, size_t errlen);

struct signet_key_info {
	int id;
	enum signet_key_purpose purpose;
	time_t created, signs_until, verifies_until;
};
size_t signet_keyring_count(const signet_keyring *kr);
SIGNET_WUR signet_status signet_keyring_info(const signet_keyring *kr,
					     size_t idx,
					     struct signet_key_info *info_r);
/* Does kr (which may be NULL) hold any key of purpose p that still
   verifies at now?  A keyring without one (empty, or the seal-only copy
   where address keys are needed) is a configuration fault. */
int signet_keyring_has(const signet_keyring *kr, enum signet_key_purpose p,
		       time_t now);
/* The newest key of the purpose that may sign at now. */
SIGNET_WUR signet_status signet_keyring_signing_id(const signet_keyring *kr,
						   enum signet_key_purpose p,
						   time_t now, int *id_r);

/* ---- signing and verifying addresses ---- */

/* Writes the signed form of addr into out.  message_id may be NULL (no
   binding).  lt may be NULL for the defaults (only prvs_lifetime is used:
   a prvs tag carries its expiry day).  A base too long for the closed
   format falls back to prvs.  Returns SIGNET_SKIPPED for a quoted,
   non-ASCII or already signed address, SIGNET_E_TOO_LONG when no format
   fits, SIGNET_E_SYNTAX for a null or malformed one. */
SIGNET_WUR signet_status signet_sign(const signet_keyring *kr,
				     const struct signet_lifetimes *lt,
				     enum signet_format fmt, const char *addr,
				     const char *message_id, time_t now,
				     char *out, size_t outlen);

/* Default lifetimes: 45 days, 7 days grace, prvs 7 days, 300 s skew;
   the closed format only. */
void signet_lifetimes_default(struct signet_lifetimes *lt_r);

/* Non-zero if the address carries a tag of either format (cheap). */
int signet_is_signed(const char *addr);
/* The base address of a signed one, whatever its verdict (no key is
   needed).  SIGNET_NOT_SIGNED for an unsigned address, SIGNET_E_SYNTAX
   for a malformed one, SIGNET_E_TOO_LONG when out is too small. */
SIGNET_WUR signet_status signet_base_of(const char *addr, char *out,
					size_t outlen);

struct signet_verdict {
	signet_status status;
	enum signet_format format;
	char base[SIGNET_ADDR_BUFSZ];   /* the address without its tag */
	int key_id;
	time_t issued;                  /* closed: exact; prvs: 0 */
	time_t expires;                 /* end of lifetime */
	time_t dies;                    /* end of grace: rejects after */
	int has_binding;
	uint32_t binding;               /* closed: message binding */
};

/* Verifies a signed address.  v_r is filled as far as parsing got.  A plain
   address gives SIGNET_NOT_SIGNED with base set. */
SIGNET_WUR signet_status signet_verify(const signet_keyring *kr,
				       const struct signet_lifetimes *lt,
				       const char *addr, time_t now,
				       struct signet_verdict *v_r);

/* 32-bit binding of a Message-ID (angle brackets and surrounding space
   ignored), as stored in a closed-format address. */
uint32_t signet_message_binding(const char *message_id);

/* ---- Signet-Provenance header ---- */

/* A header value as the hub and Dovecot both read it, the one definition
   the message bindings below rely on: line ends dropped, each run of
   white space (SP, HT, CR, LF: folding included) one SP, none at either
   end.  Reads up to len octets or a NUL.  SIGNET_E_BUFFER when out is cut
   short (still NUL-terminated, *outlen_r octets). */
SIGNET_WUR signet_status signet_header_unfold(const char *v, size_t len,
					      char *out, size_t outsz,
					      size_t *outlen_r);

/* 32-bit binding of a message that has no Message-ID, to its first Date,
   From and Subject fields (NULL for a missing one).  Folding and runs of
   white space do not count, so Exim and Dovecot, which unfold headers
   differently, agree. */
uint32_t signet_header_binding(const char *date, const char *from,
			       const char *subject);

#define SIGNET_PROV_MSG_BUFSZ 10
/* The msg= value that ties a record to its message, the one definition
   both the hub and Dovecot use: 8 hex digits of the Message-ID's binding,
   or without a Message-ID (NULL) "h" and 8 hex digits of the binding of
   the first Date, From and Subject (docs/FORMATS.md). */
void signet_prov_msg(const char *message_id, const char *date,
		     const char *from, const char *subject,
		     char out[SIGNET_PROV_MSG_BUFSZ]);

#define SIGNET_PROV_FIELDS_MAX 32

/* Fields in order.  Keys are [a-z0-9-]; values are encoded so that they
   never hold ';', '%', white space or control characters. */
struct signet_prov {
	size_t nfields;
	struct {
		char key[24];
		char value[256];
	} field[SIGNET_PROV_FIELDS_MAX];
};

void signet_prov_init(struct signet_prov *p);
/* Appends a field; the value is encoded as needed.  NULL value = "". */
SIGNET_WUR signet_status signet_prov_add(struct signet_prov *p,
					 const char *key, const char *value);
/* Decoded value of the first field with this key, or NULL. */
const char *signet_prov_get(const struct signet_prov *p, const char *key);

/* Seals the fields for rcpt with the newest seal key, adding rcpt= (the
   recipient's tag: a keyed hash, so that the header does not name the
   recipient), t=, k= and seal= fields, and writes the header value
   (without "Signet-Provenance:") folded for a header line, without the
   final newline.  p must not hold rcpt, t, k or seal (SIGNET_E_SYNTAX). */
SIGNET_WUR signet_status signet_prov_seal(const signet_keyring *kr,
					  struct signet_prov *p,
					  const char *rcpt, time_t now,
					  char *out, size_t outlen);
/* Parses a header value (folded or not) into p. */
#define SIGNET_PROV_RCPT_ID_BUFSZ 33
/* Names a recipient in the hub's own spooled records without naming the
   address: 32 hex digits of SHA-256 of a label and the lower-cased
   address. */
void signet_prov_rcpt_id(const char *rcpt,
			 char out[SIGNET_PROV_RCPT_ID_BUFSZ]);

/* The fields as a header value (encoded, "; " between them, folded
   before 72 columns), without a seal: for the hub's own use. */
SIGNET_WUR signet_status signet_prov_format(const struct signet_prov *p,
					    char *out, size_t outlen);
SIGNET_WUR signet_status signet_prov_parse(const char *value,
					   struct signet_prov *p_r);
/* Checks the seal of a parsed header for rcpt (compared without case), or
   the seal alone when rcpt is NULL.
   SIGNET_E_BAD_SEAL: forged, or sealed for another recipient;
   SIGNET_E_NO_KEY: no seal key of that id at now (cannot check). */
SIGNET_WUR signet_status signet_prov_verify(const signet_keyring *kr,
					    const struct signet_prov *p,
					    const char *rcpt, time_t now);
/* Is the parsed header's rcpt= tag that of rcpt?  1 yes, 0 no, -1 cannot
   tell (no seal key of the header's id at now).  The seal is not checked:
   signet_prov_verify() does that. */
int signet_prov_is_for(const signet_keyring *kr, const struct signet_prov *p,
		       const char *rcpt, time_t now);
/* When a parsed header was sealed (its t=, covered by the seal), or -1
   when it lacks t= or rcpt=: not a sealed header. */
long long signet_prov_sealed_at(const struct signet_prov *p);

/* ---- the provenance record: what a header's fields mean ----

   The hub builds the record, Dovecot reads it; both go through these
   calls, so each field name and verdict word is written here once. */

/* The hub's verdict on one recipient address at RCPT time and in the
   record and event feed ("valid", "forged", ...: signet_rv_name). */
enum signet_rv {
	SIGNET_RV_NONE,            /* nothing to check: ordinary mail */
	SIGNET_RV_VALID,           /* issued by us, within its life */
	SIGNET_RV_FORGED,          /* never issued, malformed, or future */
	SIGNET_RV_REVOKED,         /* withdrawn by the postmaster */
	SIGNET_RV_EXPIRED,         /* past lifetime and grace, or key gone */
	SIGNET_RV_FADING,          /* in grace, or used more than allowed */
	SIGNET_RV_UNSIGNED_BOUNCE, /* a bounce to an address never signed */
	SIGNET_RV_ABUSE,           /* the mailbox is locked (guessing) */
	SIGNET_RV_FOREIGN,         /* not one of our domains */
	SIGNET_RV_UNVERIFIED       /* could not check */
};
const char *signet_rv_name(enum signet_rv rv);
/* A word back to its verdict; an unknown word or NULL is UNVERIFIED, so
   a newer hub's word is never taken for a good one. */
enum signet_rv signet_rv_parse(const char *word);
/* The verdict signet_verify()'s status gives a signed address. */
enum signet_rv signet_rv_of_status(signet_status st);

/* Does a bounce return the message its signed address was issued for? */
enum signet_bind {
	SIGNET_BIND_ABSENT,   /* not recorded: not a bounce */
	SIGNET_BIND_NONE,     /* the address names no message (prvs, plain) */
	SIGNET_BIND_UNKNOWN,  /* the bounce shows no Message-ID */
	SIGNET_BIND_MATCH,
	SIGNET_BIND_MISMATCH
};
/* "none", "unknown", "match", "mismatch"; NULL for ABSENT. */
const char *signet_bind_name(enum signet_bind b);

/* The original Message-ID of a bounce, from its body: the returned part
   of a delivery report (is_report: multipart/report), else the first
   quoted header block that holds a field every message has.  Only that
   block is read, never the returned body.  Writes the value, unfolded
   and trimmed; SIGNET_E_BAD_HEADER when there is none, SIGNET_E_BUFFER
   when out is too small. */
SIGNET_WUR signet_status signet_dsn_message_id(const char *body, size_t len,
					       int is_report, char *out,
					       size_t outlen);
/* Does a bounce to the signed address v (as signet_verify read it) return
   the message it was issued for?  orig_msgid: the bounce's original
   Message-ID, or NULL when it shows none. */
enum signet_bind signet_bind_check(const struct signet_verdict *v,
				   const char *orig_msgid);

/* A record's fields.  Strings are NULL when absent; the read ones point
   into the parsed header. */
struct signet_record {
	const char *rcpt_id;  /* for=: the hub's spooled facts only */
	char msg[SIGNET_PROV_MSG_BUFSZ]; /* signet_prov_msg(); "" absent */
	const char *addr;     /* the signed address as presented */
	enum signet_rv verdict;
	/* set when addr is: */
	signet_status reason; /* signet_verify()'s status */
	const char *owner;    /* the address it was issued to */
	enum signet_format format;
	time_t issued;        /* closed format only; 0 not known */
	int key_id;           /* -1 not known */
	/* the message: */
	int bounce;           /* null envelope sender */
	enum signet_bind bind;
	const char *orig_msgid; /* the Message-ID the bounce returns */
	const char *from;     /* envelope sender ("" for a bounce) */
	const char *tls;      /* protocol; NULL: not encrypted */
	const char *cipher;
	int pfs;              /* forward secrecy */
	const char *auth;     /* authenticated id */
	const char *peer;     /* client IP address */
	int local;            /* submitted on the hub itself (no peer) */
	int hub_report;       /* made by the hub itself (its own DSN) */
	const char *helo;
	const char *host;     /* the hub's name */
};

/* An empty record: verdict none, key_id -1, every string NULL. */
void signet_record_init(struct signet_record *r_r);
/* Appends r's fields to p in their fixed order.  A value too long for a
   field is left out, named in *omitted_r, and SIGNET_E_BUFFER returned
   after the rest is added; the record is then still usable. */
SIGNET_WUR signet_status signet_record_add(struct signet_prov *p,
					   const struct signet_record *r,
					   const char **omitted_r);
/* Reads a parsed header's record fields (unknown ones are skipped). */
void signet_record_read(const struct signet_prov *p,
			struct signet_record *r_r);
/* Was a parsed header made for this message?  Its msg= binds it to the
   Message-ID (NULL: none), or without one to the first Date, From and
   Subject, so a record copied onto another message does not count.
   1: this message's; 0: another's; -1: no msg= (a hub from before every
   record named its message): it vouches for no message in particular. */
int signet_prov_same_message(const struct signet_prov *p,
			     const char *message_id, const char *date,
			     const char *from, const char *subject);
/* Is a spooled facts header value (unfolded) the record for= the
   recipient with this id?  A prefix test, without parsing. */
int signet_record_is_for(const char *value,
			 const char id[SIGNET_PROV_RCPT_ID_BUFSZ]);

/* ---- delivery: what a message's provenance says to its recipient ---- */

enum signet_result {
	SIGNET_RESULT_NONE,            /* ordinary mail: no signed address */
	SIGNET_RESULT_VERIFIED,        /* a genuine reply to our user's mail */
	SIGNET_RESULT_FORGED,          /* forged, revoked or replayed address,
					  or forged provenance */
	SIGNET_RESULT_UNSIGNED_BOUNCE, /* a bounce to an unsigned address */
	SIGNET_RESULT_UNVERIFIED,      /* could not check */
	SIGNET_RESULT_UNBOUND          /* a valid address of ours in a bounce
					  that does not show which message
					  it returns: maybe a replayed leak */
};
/* "none", "verified", "forged", "unsigned-bounce", "unverified",
   "unbound-reply". */
const char *signet_result_name(enum signet_result r);

#define SIGNET_EVAL_RCPTS 2
#define SIGNET_EVAL_LINE_MAX 900

struct signet_eval_in {
	/* the envelope recipient as delivered (never an ORCPT), or NULL */
	const char *rcpt[SIGNET_EVAL_RCPTS];
	/* the message's Signet-Provenance values */
	const char *const *prov;
	size_t prov_count;
	/* its first Message-ID, unfolded, or NULL; without one, the first
	   Date, From and Subject (raw, NULL if missing) bind the record */
	const char *message_id;
	const char *date, *from, *subject;
	const char *from_domain;    /* of the From: header, or NULL */
	const char *env_domain;     /* of the envelope sender, or NULL */
	const char *const *domains; /* the ISP's own, for look-alikes */
	size_t domain_count;
	const signet_keyring *kr;   /* seal keys; NULL: unavailable */
	time_t now;
	/* a seal older than this (seconds), or from the future, is a
	   replay; 0: no limit */
	long long seal_max_age;
};

struct signet_eval {
	enum signet_result result;
	int lookalike;         /* the sender's domain imitates one of ours */
	int insecure;          /* it reached the hub over a plain link */
	int prov_idx;          /* this recipient's sealed header, or -1 */
	signet_status status;  /* of the seal check, for the log */
	const char *verdict;   /* that header's verdict word, or "" */
	const char *rcpt;      /* the address that header is for, or NULL */
	char line[SIGNET_EVAL_LINE_MAX]; /* for Signet-Result: one line of
					    printable ASCII */
};

/* Finds this recipient's header, checks its seal, its message and its
   age, and says what it means in plain words. */
void signet_evaluate(const struct signet_eval_in *in,
		     struct signet_eval *out_r);

/* ---- event feed: one JSON object per line ---- */

/* Appends {"ts":..., "event":kind, key:value...} to the configured file
   (path NULL: nothing written).  kv is NULL-terminated key, value pairs.
   Writes one line with O_APPEND, so concurrent processes do not mix.
   On SIGNET_E_IO, errno says why (ENOSPC for a full disk). */
SIGNET_WUR signet_status signet_event_write(const char *path, time_t now,
					    const char *kind,
					    const char *const *kv);

/* The feed's words, named here once for its writers (Exim, signet revoke)
   and its readers (signet stats, signet show).  docs/ADMIN.md lists them.
   Kinds: */
#define SIGNET_EV_ISSUED "issued"             /* a sender was signed */
#define SIGNET_EV_UNAUTHORISED "unauthorised" /* a submitter used an
						 address not theirs */
#define SIGNET_EV_VERIFIED "verified" /* RCPT answered, by class: 250 */
#define SIGNET_EV_DEFERRED "deferred" /* 4xx */
#define SIGNET_EV_REJECTED "rejected" /* 5xx */
#define SIGNET_EV_SEALED "sealed"     /* a recipient's facts spooled */
#define SIGNET_EV_REVOKED "revoked"   /* signet revoke */
#define SIGNET_EV_UNREVOKED "unrevoked"
/* Keys.  Every line has ts and event. */
#define SIGNET_EK_TS "ts"
#define SIGNET_EK_EVENT "event"
#define SIGNET_EK_ADDR "addr"   /* a signed address */
#define SIGNET_EK_BASE "base"   /* a base address (signet revoke) */
#define SIGNET_EK_OWNER "owner" /* the base a signed address is of */
#define SIGNET_EK_RCPT "rcpt"
#define SIGNET_EK_SENDER "sender"
#define SIGNET_EK_SUBMITTER "submitter"
#define SIGNET_EK_VERDICT "verdict" /* signet_rv_name() */
#define SIGNET_EK_REASON "reason"   /* signet_status_name(); revoke: text */
#define SIGNET_EK_BIND "bind"       /* signet_bind_name() */
#define SIGNET_EK_PEER "peer"
#define SIGNET_EK_TLS "tls"
#define SIGNET_EK_USES "uses"
#define SIGNET_EK_KEY "key"
#define SIGNET_EK_EXIM_ID "exim_id"
#define SIGNET_EK_MSGID "msgid"
#define SIGNET_EK_BEFORE "before"
/* The kind of an RCPT answer's event, by its class. */
const char *signet_event_rcpt_kind(signet_class cls);

/* The same for a process that writes many: the file is opened at the
   first write and kept open (close-on-exec), and checked against the path
   at most once a second of now, so that a rotated feed is followed. */
typedef struct signet_event_log signet_event_log;
SIGNET_WUR signet_status signet_event_log_new(const char *path,
					      signet_event_log **log_r);
SIGNET_WUR signet_status signet_event_log_write(signet_event_log *log,
						time_t now, const char *kind,
						const char *const *kv);
const char *signet_event_log_path(const signet_event_log *log);
void signet_event_log_free(signet_event_log **log);

/* ---- state store: use counts and revocations (advisory) ---- */

typedef struct signet_store signet_store;
/* A host's working set (see signet_ctx_new below). */
typedef struct signet_ctx signet_ctx;

struct signet_usage {
	unsigned long long count;       /* presentations of this signed address */
	unsigned long long base_count;  /* of every address of its base */
	unsigned long long granted;     /* uses allowed beyond fade.max_uses
					   by the mail it was issued for */
	unsigned long long base_granted; /* the same for its base */
	time_t first_seen, last_seen;
	int revoked;                    /* this address, or its base before
					   the issue time given */
	char reason[128];               /* revocation reason */
};

/* Opens the store the configuration names ("store": {"type": "lmdb" |
   "redis" | "none", ...}).  A failure here must not stop mail: callers log
   it and go on with the crypto verdict alone. */
SIGNET_WUR signet_status signet_store_open(const signet_config *cfg,
					   signet_store **st_r,
					   char *errbuf, size_t errlen);
void signet_store_close(signet_store **st);
/* Counts one presentation of signed (whose base is base, issued at issued,
   kept until expires) and returns the updated usage.  A prvs address
   knows only its day: signet_rcpt_decide() dates it by its lifetime. */
SIGNET_WUR signet_status signet_store_hit(signet_store *st, const char *signed_addr,
					  const char *base, time_t issued,
					  time_t expires, time_t now,
					  struct signet_usage *u_r);
/* Allows a signed address (and its base) `uses` more presentations than
   fade.max_uses (fade.max_base_uses): called when it is issued, with the
   message's recipients times fade.uses_per_recipient, so that the sites
   it was sent to may verify it by callout, twice after greylisting, and
   bounce, however many they are; a replayed copy still fades. */
SIGNET_WUR signet_status signet_store_grant(signet_store *st,
					    const char *signed_addr,
					    const char *base,
					    unsigned long long uses,
					    time_t expires, time_t now);
/* Reads without counting, as at time now (records past their keep are
   gone). */
SIGNET_WUR signet_status signet_store_lookup(signet_store *st,
					     const char *signed_addr,
					     const char *base, time_t issued,
					     time_t now,
					     struct signet_usage *u_r);
/* Revokes one signed address, or (addr is a base address) every address of
   that base issued before `before`. */
SIGNET_WUR signet_status signet_store_revoke(signet_store *st, const char *addr,
					     time_t before, const char *reason,
					     time_t now);
SIGNET_WUR signet_status signet_store_unrevoke(signet_store *st,
					       const char *addr);
/* Applies use counts and revocation to a crypto verdict: revoked gives
   SIGNET_E_REVOKED, a count past the configured threshold gives
   SIGNET_E_FADING.  Never turns a failed verdict into a valid one. */
signet_status signet_usage_apply(const signet_config *cfg,
				 const struct signet_usage *u,
				 signet_status crypto_status);

/* ---- state store: guessing (forged attempts) ---- */

struct signet_guess {
	unsigned long long count;     /* forged attempts on the mailbox, none
					 more than fade.forged_window_hours
					 after the one before */
	unsigned long long net_count; /* forged attempts from the network */
	int locked;  /* past fade.max_forged: every signed address of the
			mailbox answers 450, right or wrong */
	int reached; /* this attempt reached fade.max_forged (log it once) */
	char mailbox[SIGNET_ADDR_BUFSZ]; /* the base, lower-cased, with its
					    sub-address cut off */
	char net[48]; /* "192.0.2.0/24", "2001:0db8:0001::/48" or "local" */
};

/* For a signed address presented at RCPT, with base its base address and
   crypto the signature's verdict: counts a forged attempt (SIGNET_E_FORGED
   or SIGNET_E_SYNTAX) on the base's mailbox (alice+news@ is alice@) and on
   the client's network (peer: an IP address, or NULL), and says whether
   the mailbox is locked.  The store is advisory: on a fault (SIGNET_E_IO)
   or without a store, g_r says not locked and the crypto verdict stands. */
SIGNET_WUR signet_status signet_guess_check(signet_store *st,
					    const signet_config *cfg,
					    const char *base, const char *peer,
					    signet_status crypto, time_t now,
					    struct signet_guess *g_r);
/* The same answer without counting: what signet_guess_check would say. */
SIGNET_WUR signet_status signet_guess_peek(signet_store *st,
					   const signet_config *cfg,
					   const char *base, const char *peer,
					   signet_status crypto, time_t now,
					   struct signet_guess *g_r);

/* ---- the RCPT decision ----

   What the hub answers to RCPT TO of one of its addresses (a bounce, a
   callout probe, or ordinary mail), decided in one place for Exim's
   ${dlfunc}, its local_scan and signet verify, so they cannot disagree. */

enum signet_rcpt_mode {
	SIGNET_RCPT_COUNT, /* an SMTP RCPT: the store counts it */
	SIGNET_RCPT_LOOK   /* the same answer, predicted: nothing counted */
};

struct signet_rcpt_in {
	signet_ctx *ctx; /* when set, cfg, kr, lt and store come from it (the
			    store opened only for a signed address) */
	const signet_config *cfg;          /* NULL: configuration unusable */
	const signet_keyring *kr;          /* NULL: keyring unreadable */
	const struct signet_lifetimes *lt; /* NULL: the configuration's */
	signet_store *store;               /* NULL: none, or unreachable */
	const char *sender; /* envelope sender, "" for a bounce; NULL judges
			       the address alone (signet verify): what is
			       not an address is then refused */
	const char *peer;   /* client IP address; NULL: local */
	enum signet_rcpt_mode mode;
};

struct signet_rcpt_answer {
	signet_class cls;       /* accept; defer: 4xx; reject: 5xx */
	enum signet_rv verdict; /* its word for the ACL, record and feed */
	signet_status status;   /* why: the signature's verdict after the
				   store's counts and revocation, or what
				   stopped the check */
	int is_signed;
	struct signet_verdict v; /* the address as signet_verify read it */
	int have_usage;          /* usage is the store's */
	int counted;             /* COUNT mode: this RCPT was counted */
	struct signet_usage usage;
	struct signet_guess guess; /* guess.reached: log it once */
	int store_fault;         /* the store failed: signature alone */
};

/* Decides one RCPT.  Never fails: each fault has its answer (a store
   fault leaves the signature's verdict; no keys defers what needs them). */
void signet_rcpt_decide(const struct signet_rcpt_in *in, const char *rcpt,
			time_t now, struct signet_rcpt_answer *a_r);
/* The verdict of an unsigned, not exempt, address of ours: a bounce to
   it is an unsigned bounce unless the null-sender policy is off. */
enum signet_rv signet_rcpt_unsigned(const signet_config *cfg, int bounce);

/* ---- the signing decision ----

   Which envelope senders of our users' messages are signed, and what a
   submitter gets who tries an address that is not theirs. */

enum signet_origin {
	SIGNET_ORIGIN_NONE,  /* not our users' mail: nothing to sign */
	SIGNET_ORIGIN_AUTH,  /* submitted with SMTP AUTH */
	SIGNET_ORIGIN_LOCAL, /* submitted on the hub itself */
	SIGNET_ORIGIN_RELAY  /* from a host the hub relays for */
};
/* "authenticated", "local", "relay host"; "" for NONE. */
const char *signet_origin_name(enum signet_origin o);

struct signet_sign_in {
	const signet_config *cfg;          /* NULL: configuration unusable */
	const signet_keyring *kr;          /* NULL: no usable keyring */
	const struct signet_lifetimes *lt; /* NULL: the configuration's */
	enum signet_origin origin;
	const char *sender;    /* envelope sender, "" for a bounce */
	const char *submitter; /* login or local user; "" when unknown */
	const char *also;      /* more addresses the submitter may use, as a
				  colon-separated list; NULL: none */
	const char *msgid;     /* Message-ID header value, or NULL */
};

enum signet_sign_action {
	SIGNET_SIGN_KEEP,   /* the sender goes out as it is (why says why) */
	SIGNET_SIGN_SIGNED, /* out: the sender, signed */
	SIGNET_SIGN_OWN,    /* out: the submitter's own address (owner),
			       signed, for a sender not theirs */
	SIGNET_SIGN_BASE,   /* out: base, unsigned: the submitter may not use
			       the signed sender */
	SIGNET_SIGN_REFUSE  /* refuse: the submitter may not use base */
};

struct signet_sign_answer {
	enum signet_sign_action action;
	const char *why;     /* KEEP: why unsigned; NULL when not our mail */
	signet_status status; /* of the last signing tried */
	int unauthorised;    /* the submitter may not use base */
	int own_failed;      /* their own address (owner) could not be
				signed: status says why */
	int key_id;          /* the key that signed out; -1: none */
	char out[SIGNET_ADDR_BUFSZ];   /* the new envelope sender */
	char owner[SIGNET_ADDR_BUFSZ]; /* whose address out signs */
	char base[SIGNET_ADDR_BUFSZ];  /* the address refused to them */
};

/* Decides the envelope sender of one message.  Never fails: a fault of
   ours (no configuration, no keys) sends the message unsigned. */
void signet_sign_decide(const struct signet_sign_in *in, time_t now,
			struct signet_sign_answer *a_r);

/* ---- state store: fault reports ---- */

/* The text of the store's last fault (which file or server, what went
   wrong) when it has not been reported yet, or when it persists and the
   last report is a minute old; NULL otherwise.  Call after a store call
   failed, and log what it returns: a lasting fault is then logged once a
   minute per process, not on every call. */
const char *signet_store_fault(signet_store *st, time_t now);

/* ---- state store: administration (the signet tool) ---- */

#define SIGNET_STORE_REASON_MAX 128

enum signet_store_kind {
	SIGNET_STORE_ADDR,    /* use count of one signed address */
	SIGNET_STORE_BASE,    /* use count of every address of a base */
	SIGNET_STORE_REV,     /* revocation of one signed address */
	SIGNET_STORE_BASE_REV /* revocation of a base, before a time */
};

/* One record, as listed by signet_store_foreach(). */
struct signet_store_entry {
	enum signet_store_kind kind;
	const char *addr;            /* lower-cased address */
	unsigned long long count;    /* ADDR, BASE */
	unsigned long long granted;  /* ADDR, BASE: signet_store_grant */
	time_t first, last;          /* ADDR; BASE: last only */
	time_t keep;                 /* the record is dropped after this */
	time_t time;                 /* REV, BASE_REV: when revoked */
	time_t before;               /* BASE_REV */
	const char *reason;          /* REV, BASE_REV */
};

/* Everything known about one address, for `signet show`. */
struct signet_store_record {
	int have_addr, have_base, have_rev, have_base_rev;
	struct signet_store_entry addr, base, rev, base_rev;
	char reason[SIGNET_STORE_REASON_MAX];
	char base_reason[SIGNET_STORE_REASON_MAX];
};

/* Return non-zero to stop the listing. */
typedef int signet_store_foreach_cb(const struct signet_store_entry *e,
				    void *ctx);

/* Lists every live record (as at now). */
SIGNET_WUR signet_status signet_store_foreach(signet_store *st, time_t now,
					      signet_store_foreach_cb *cb,
					      void *ctx);
/* Drops the records past their keep; *removed_r says how many. */
SIGNET_WUR signet_status signet_store_purge(signet_store *st, time_t now,
					    unsigned long long *removed_r);
/* Counts one use of each of n addresses (lower-case already) in few
   transactions or round trips: for loading test and benchmark data. */
SIGNET_WUR signet_status signet_store_hit_many(signet_store *st, size_t n,
					       const char *const *addrs,
					       const char *const *bases,
					       time_t expires, time_t now);
/* Everything known about an address (signed, with its base, or a base). */
SIGNET_WUR signet_status signet_store_record(signet_store *st,
					     const char *addr,
					     const char *base, time_t now,
					     struct signet_store_record *r_r);
/* "lmdb" or "redis". */
const char *signet_store_type(const signet_store *st);
/* Replaces store.timeout_ms and forgets a failed connection, for the
   signet tool: a person can wait longer than an SMTP client. */
void signet_store_set_timeout(signet_store *st, long ms);

/* ---- a host's working set ---- */

/* The configuration and its keyrings, read on first use and again when a
   file changes; the store, opened on first use and tried again
   SIGNET_CTX_STORE_RETRY seconds after a failure; the event feed, kept
   open.  One per process (Exim's connection or delivery process). */

#define SIGNET_CTX_STORE_RETRY 60

/* What went wrong, for the host to say what it does about it. */
enum signet_ctx_fault {
	SIGNET_CTX_CONFIG,      /* the configuration does not load */
	SIGNET_CTX_KEYRING,     /* a keyring does not load */
	SIGNET_CTX_NO_ADDR_KEY, /* the keyring has no valid address key */
	SIGNET_CTX_NO_SEAL_KEY, /* the seal keyring has no valid seal key */
	SIGNET_CTX_STORE,       /* the store cannot be opened */
	SIGNET_CTX_EVENTS       /* the event feed cannot be written */
};
/* Called once per fault and load (the store: once per retry), with text
   naming the file or server and the reason; never with a secret. */
typedef void signet_ctx_log_fn(void *arg, enum signet_ctx_fault fault,
			       const char *text);

SIGNET_WUR signet_status signet_ctx_new(signet_ctx_log_fn *log,
					void *log_arg, signet_ctx **ctx_r);
void signet_ctx_free(signet_ctx **ctx);
/* Reads cfg_path (NULL or "": signet_config_default_path()) and the
   keyrings it names if they are new or changed since they were read. */
void signet_ctx_refresh(signet_ctx *ctx, const char *cfg_path, time_t now);
/* For a host with no configuration file (Dovecot, which only checks
   seals): reads the seal keyring at seal_path if it is new or changed. */
void signet_ctx_refresh_seal(signet_ctx *ctx, const char *seal_path,
			     time_t now);
/* NULL when it did not load. */
const signet_config *signet_ctx_config(const signet_ctx *ctx);
/* The address keys; NULL when the keyring did not load. */
const signet_keyring *signet_ctx_keyring(const signet_ctx *ctx);
/* The seal keys: from seal_keyring when set, else the address keyring. */
const signet_keyring *signet_ctx_seal_keyring(const signet_ctx *ctx);
const struct signet_lifetimes *signet_ctx_lifetimes(const signet_ctx *ctx);
/* The store; NULL when there is no configuration or it cannot be
   reached (then the signature alone decides). */
signet_store *signet_ctx_store(signet_ctx *ctx, time_t now);
/* Writes one event to the configured feed (signet_event_log_write). */
void signet_ctx_event(signet_ctx *ctx, time_t now, const char *kind,
		      const char *const *kv);

/* ---- look-alike domains ---- */

/* Non-zero if domain is not one of ours (the n names in ours) but
   resembles one: the same after folding confusable characters (also inside
   punycode labels), one edit away, or one of ours followed by more labels.
   like_r (may be NULL) gets the domain of ours it resembles. */
int signet_lookalike(const char *const *ours, size_t n, const char *domain,
		     const char **like_r);

/* ---- utilities ---- */

/* What a file was when it was last read, so that it is read again only
   when it changes (replaced, rewritten, or its owner or mode changed). */
struct signet_file_stamp {
	uint64_t dev, ino, size, mode, uid;
	int64_t mtime_sec, mtime_nsec;
	int seen; /* it existed when stamped */
};
/* Stamps path as it is now.  Stamp before reading the file, so that a
   change made while it is read is seen next time. */
void signet_file_stamp(const char *path, struct signet_file_stamp *s_r);
/* Non-zero when path is not the file that was stamped: changed, gone, or
   there now when it was not before. */
int signet_file_changed(const char *path, const struct signet_file_stamp *s);

/* Constant-time comparison: 0 when equal. */
int signet_ct_compare(const void *a, const void *b, size_t len);
/* Wipes memory in a way the compiler does not remove. */
void signet_wipe(void *p, size_t len);
/* Formats t as RFC 3339 UTC ("2026-11-22T07:30:00Z"). */
void signet_time_format(time_t t, char buf[32]);
/* Parses RFC 3339 UTC with Z; returns -1 on error. */
time_t signet_time_parse(const char *s);

#endif
