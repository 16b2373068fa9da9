/* The provenance record's fields and words (docs/FORMATS.md): the one
   place that names them, for the hub that writes and Dovecot that reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const rv_names[] = {
	[SIGNET_RV_NONE] = "none",
	[SIGNET_RV_VALID] = "valid",
	[SIGNET_RV_FORGED] = "forged",
	[SIGNET_RV_REVOKED] = "revoked",
	[SIGNET_RV_EXPIRED] = "expired",
	[SIGNET_RV_FADING] = "fading",
	[SIGNET_RV_UNSIGNED_BOUNCE] = "unsigned-bounce",
	[SIGNET_RV_ABUSE] = "abuse",
	[SIGNET_RV_FOREIGN] = "foreign",
	[SIGNET_RV_UNVERIFIED] = "unverified",
};
#define RV_COUNT (sizeof(rv_names) / sizeof(rv_names[0]))

static const char *const bind_names[] = {
	[SIGNET_BIND_ABSENT] = NULL,	     [SIGNET_BIND_NONE] = "none",
	[SIGNET_BIND_UNKNOWN] = "unknown",   [SIGNET_BIND_MATCH] = "match",
	[SIGNET_BIND_MISMATCH] = "mismatch",
};
#define BIND_COUNT (sizeof(bind_names) / sizeof(bind_names[0]))

const char *
signet_rv_name(enum signet_rv rv)
{
	return (size_t)rv < RV_COUNT ? rv_names[rv] : "unverified";
}

enum signet_rv
signet_rv_parse(const char *word)
{
	for (size_t i = 0; word != NULL && i < RV_COUNT; i++) {
		if (strcmp(word, rv_names[i]) == 0)
			return (enum signet_rv)i;
	}
	return SIGNET_RV_UNVERIFIED;
}

enum signet_rv
signet_rv_of_status(signet_status st)
{
	switch (st) {
	case SIGNET_OK:
		return SIGNET_RV_VALID;
	case SIGNET_NOT_SIGNED:
	case SIGNET_SKIPPED:
		return SIGNET_RV_NONE;
	case SIGNET_E_FADING:
		return SIGNET_RV_FADING;
	case SIGNET_E_EXPIRED:
	case SIGNET_E_UNKNOWN_KEY:
		return SIGNET_RV_EXPIRED;
	case SIGNET_E_REVOKED:
		return SIGNET_RV_REVOKED;
	case SIGNET_E_SYNTAX:
	case SIGNET_E_FORGED:
	case SIGNET_E_FUTURE:
		return SIGNET_RV_FORGED;
	default:
		return SIGNET_RV_UNVERIFIED;
	}
}

const char *
signet_bind_name(enum signet_bind b)
{
	return (size_t)b < BIND_COUNT ? bind_names[b] : NULL;
}

static enum signet_bind
bind_parse(const char *word)
{
	for (size_t i = 1; i < BIND_COUNT; i++) {
		if (strcmp(word, bind_names[i]) == 0)
			return (enum signet_bind)i;
	}
	/* a word this version does not know: nothing ties the bounce */
	return SIGNET_BIND_UNKNOWN;
}

/* The fields, in the order they are written. */
enum field {
	F_FOR,
	F_V,
	F_MSG,
	F_ADDR,
	F_VERDICT,
	F_REASON,
	F_OWNER,
	F_FORMAT,
	F_ISSUED,
	F_KEY,
	F_BOUNCE,
	F_BIND,
	F_ORIG_MSGID,
	F_FROM,
	F_TLS,
	F_CIPHER,
	F_PFS,
	F_AUTH,
	F_PEER,
	F_ORIGIN,
	F_HELO,
	F_HOST,
	F_COUNT
};

static const char *const field_names[F_COUNT] = {
	[F_FOR] = "for",
	[F_V] = "v",
	[F_MSG] = "msg",
	[F_ADDR] = "addr",
	[F_VERDICT] = "verdict",
	[F_REASON] = "reason",
	[F_OWNER] = "owner",
	[F_FORMAT] = "format",
	[F_ISSUED] = "issued",
	[F_KEY] = "key",
	[F_BOUNCE] = "bounce",
	[F_BIND] = "bind",
	[F_ORIG_MSGID] = "orig-msgid",
	[F_FROM] = "from",
	[F_TLS] = "tls",
	[F_CIPHER] = "cipher",
	[F_PFS] = "pfs",
	[F_AUTH] = "auth",
	[F_PEER] = "peer",
	[F_ORIGIN] = "origin",
	[F_HELO] = "helo",
	[F_HOST] = "host",
};

#define RECORD_VERSION "1"
#define FORMAT_CLOSED "signet"
#define FORMAT_PRVS "prvs"
#define YES "yes"
#define NO "no"
#define ORIGIN_HUB "hub"
#define TLS_NONE "none"
#define PEER_LOCAL "local"

void
signet_record_init(struct signet_record *r_r)
{
	memset(r_r, 0, sizeof(*r_r));
	r_r->verdict = SIGNET_RV_NONE;
	r_r->bind = SIGNET_BIND_ABSENT;
	r_r->key_id = -1;
}

/* The value of field f in r, or NULL to leave it out; num is scratch. */
static const char *
field_value(const struct signet_record *r, enum field f, char num[32])
{
	int signed_addr = r->addr != NULL;

	switch (f) {
	case F_FOR:
		return r->rcpt_id;
	case F_V:
		return RECORD_VERSION;
	case F_MSG:
		return r->msg[0] != '\0' ? r->msg : NULL;
	case F_ADDR:
		return r->addr;
	case F_VERDICT:
		return signet_rv_name(r->verdict);
	case F_REASON:
		return signed_addr ? signet_status_name(r->reason) : NULL;
	case F_OWNER:
		return signed_addr ? r->owner : NULL;
	case F_FORMAT:
		if (!signed_addr)
			return NULL;
		return r->format == SIGNET_FMT_SIGNET ? FORMAT_CLOSED
						      : FORMAT_PRVS;
	case F_ISSUED:
		/* a prvs address carries its day only */
		if (!signed_addr || r->format != SIGNET_FMT_SIGNET ||
		    r->issued == 0)
			return NULL;
		signet_time_format(r->issued, num);
		return num;
	case F_KEY:
		if (!signed_addr || r->key_id < 0)
			return NULL;
		snprintf(num, 32, "%d", r->key_id);
		return num;
	case F_BOUNCE:
		return r->bounce ? YES : NULL;
	case F_BIND:
		return r->bounce ? signet_bind_name(r->bind) : NULL;
	case F_ORIG_MSGID:
		return r->bounce && r->bind != SIGNET_BIND_ABSENT &&
				       r->bind != SIGNET_BIND_NONE
			       ? r->orig_msgid
			       : NULL;
	case F_FROM:
		return r->bounce ? "" : r->from;
	case F_TLS:
		return r->tls != NULL ? r->tls : TLS_NONE;
	case F_CIPHER:
		return r->cipher;
	case F_PFS:
		return r->pfs ? YES : NO;
	case F_AUTH:
		return r->auth;
	case F_PEER:
		return r->local ? PEER_LOCAL : r->peer;
	case F_ORIGIN:
		return r->bounce && r->hub_report ? ORIGIN_HUB : NULL;
	case F_HELO:
		return r->helo;
	case F_HOST:
		return r->host;
	case F_COUNT:
		break;
	}
	return NULL;
}

signet_status
signet_record_add(struct signet_prov *p, const struct signet_record *r,
		  const char **omitted_r)
{
	signet_status st = SIGNET_OK;
	char num[32];

	*omitted_r = NULL;
	for (int f = 0; f < F_COUNT; f++) {
		const char *v = field_value(r, (enum field)f, num);

		if (v == NULL)
			continue;
		if (signet_prov_add(p, field_names[f], v) != SIGNET_OK &&
		    st == SIGNET_OK) {
			st = SIGNET_E_BUFFER;
			*omitted_r = field_names[f];
		}
	}
	return st;
}

static int
find_field(const char *key)
{
	for (int f = 0; f < F_COUNT; f++) {
		if (key[0] == field_names[f][0] &&
		    strcmp(key, field_names[f]) == 0)
			return f;
	}
	return -1;
}

static int
int_value(const char *v, int *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (end == v || *end != '\0' || n < 0 || n > 1000000)
		return -1;
	*out = (int)n;
	return 0;
}

void
signet_record_read(const struct signet_prov *p, struct signet_record *r_r)
{
	int verdict_seen = 0;
	time_t t;

	signet_record_init(r_r);
	for (size_t i = 0; i < p->nfields; i++) {
		const char *v = p->field[i].value;

		switch (find_field(p->field[i].key)) {
		case F_FOR:
			r_r->rcpt_id = v;
			break;
		case F_MSG:
			snprintf(r_r->msg, sizeof(r_r->msg), "%s", v);
			break;
		case F_ADDR:
			r_r->addr = v;
			break;
		case F_VERDICT:
			r_r->verdict = signet_rv_parse(v);
			verdict_seen = 1;
			break;
		case F_REASON:
			r_r->reason = signet_status_by_name(v);
			break;
		case F_OWNER:
			r_r->owner = v;
			break;
		case F_FORMAT:
			r_r->format = strcmp(v, FORMAT_PRVS) == 0
					      ? SIGNET_FMT_PRVS
					      : SIGNET_FMT_SIGNET;
			break;
		case F_ISSUED:
			t = signet_time_parse(v);
			r_r->issued = t == (time_t)-1 ? 0 : t;
			break;
		case F_KEY:
			if (int_value(v, &r_r->key_id) != 0)
				r_r->key_id = -1;
			break;
		case F_BOUNCE:
			r_r->bounce = strcmp(v, YES) == 0;
			break;
		case F_BIND:
			r_r->bind = bind_parse(v);
			break;
		case F_ORIG_MSGID:
			r_r->orig_msgid = v;
			break;
		case F_FROM:
			r_r->from = v;
			break;
		case F_TLS:
			r_r->tls = strcmp(v, TLS_NONE) == 0 ? NULL : v;
			break;
		case F_CIPHER:
			r_r->cipher = v;
			break;
		case F_PFS:
			r_r->pfs = strcmp(v, YES) == 0;
			break;
		case F_AUTH:
			r_r->auth = v;
			break;
		case F_PEER:
			r_r->local = strcmp(v, PEER_LOCAL) == 0;
			r_r->peer = r_r->local ? NULL : v;
			break;
		case F_ORIGIN:
			r_r->hub_report = strcmp(v, ORIGIN_HUB) == 0;
			break;
		case F_HELO:
			r_r->helo = v;
			break;
		case F_HOST:
			r_r->host = v;
			break;
		default:
			break;
		}
	}
	/* a record that gives no verdict vouches for nothing */
	if (!verdict_seen)
		r_r->verdict = SIGNET_RV_UNVERIFIED;
}

int
signet_prov_same_message(const struct signet_prov *p, const char *message_id,
			 const char *date, const char *from,
			 const char *subject)
{
	const char *msg = signet_prov_get(p, field_names[F_MSG]);
	char want[SIGNET_PROV_MSG_BUFSZ];

	if (msg == NULL)
		return -1;
	/* "h": bound to the Date, From and Subject */
	if (msg[0] != 'h' && message_id == NULL)
		return 0;
	signet_prov_msg(msg[0] == 'h' ? NULL : message_id, date, from, subject,
			want);
	return strcmp(msg, want) == 0;
}

int
signet_record_is_for(const char *value,
		     const char id[SIGNET_PROV_RCPT_ID_BUFSZ])
{
	size_t fl = strlen(field_names[F_FOR]), il = strlen(id);

	return value != NULL && strncmp(value, field_names[F_FOR], fl) == 0 &&
	       value[fl] == '=' && strncmp(value + fl + 1, id, il) == 0 &&
	       (value[fl + 1 + il] == ';' || value[fl + 1 + il] == '\0');
}
