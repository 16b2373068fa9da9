/* The Signet-Provenance header (docs/FORMATS.md): fields are kept
   decoded; encoding is canonical, so the sealed text is the same whatever
   spelling of the header a host receives. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SEAL_LABEL "signet-provenance-v1"
#define RCPT_LABEL "signet-rcpt-v1"
#define SIGNET_RCPT_TAG_BYTES 10
#define FOLD_AT 72

#define HDR_FIELD_MAX 1024

signet_status
signet_header_unfold(const char *v, size_t len, char *out, size_t outsz,
		     size_t *outlen_r)
{
	signet_status st = SIGNET_OK;
	size_t n = 0;
	int space = 0;

	if (outsz == 0)
		return SIGNET_E_BUFFER;
	for (size_t i = 0; v != NULL && i < len && v[i] != '\0'; i++) {
		char c = v[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = 1;
			continue;
		}
		if (space && n > 0) {
			if (n + 1 >= outsz) {
				st = SIGNET_E_BUFFER;
				break;
			}
			out[n++] = ' ';
		}
		space = 0;
		if (n + 1 >= outsz) {
			st = SIGNET_E_BUFFER;
			break;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (outlen_r != NULL)
		*outlen_r = n;
	return st;
}

/* The canonical form of a field, cut to max octets (the cut is part of
   the binding's definition); out has room for max + 1. */
static size_t
canon_field(const char *s, char *out, size_t max)
{
	size_t n = 0;
	/* SIGNET_E_BUFFER is the cut */
	signet_status st = signet_header_unfold(s, (size_t)-1, out, max + 1, &n);

	(void)st;
	return n;
}

uint32_t
signet_header_binding(const char *date, const char *from,
		      const char *subject)
{
	static const char label[] = "signet-hdr-v1\n";
	const char *f[3] = {date, from, subject};
	char buf[sizeof(label) + 3 * (HDR_FIELD_MAX + 1)];
	unsigned char h[32];
	size_t pos = sizeof(label) - 1;

	memcpy(buf, label, pos);
	for (size_t i = 0; i < 3; i++) {
		pos += canon_field(f[i], buf + pos, HDR_FIELD_MAX);
		buf[pos++] = '\n';
	}
	signet_sha256(buf, pos, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	       (uint32_t)h[2] << 8 | h[3];
}

void
signet_prov_msg(const char *message_id, const char *date, const char *from,
		const char *subject, char out[SIGNET_PROV_MSG_BUFSZ])
{
	if (message_id != NULL) {
		/* "%08x" by hand: this runs for every message received */
		static const char hex[] = "0123456789abcdef";
		unsigned int b =
			(unsigned int)signet_message_binding(message_id);

		for (int i = 7; i >= 0; i--, b >>= 4)
			out[i] = hex[b & 15];
		out[8] = '\0';
	} else
		snprintf(out, SIGNET_PROV_MSG_BUFSZ, "h%08x",
			 (unsigned int)signet_header_binding(date, from,
							     subject));
}

void
signet_prov_init(struct signet_prov *p)
{
	/* Fields past nfields are never read: zeroing 9 KB per header was
	   a third of the seal's cost. */
	p->nfields = 0;
}

static int
key_ok(const char *k, size_t len)
{
	if (len == 0 || len >= sizeof(((struct signet_prov *)0)->field[0].key))
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (!(islower((unsigned char)k[i]) ||
		      isdigit((unsigned char)k[i]) || k[i] == '-'))
			return 0;
	}
	return 1;
}

static int
plain_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != ';' && c != '%';
}

signet_status
signet_prov_add(struct signet_prov *p, const char *key, const char *value)
{
	size_t vlen;

	if (!key_ok(key, strlen(key)))
		return SIGNET_E_SYNTAX;
	if (p->nfields >= SIGNET_PROV_FIELDS_MAX)
		return SIGNET_E_BUFFER;
	if (value == NULL)
		value = "";
	/* Long values (a HELO name, say) are cut, not refused: the header
	   must always be written. */
	vlen = strlen(value);
	if (vlen >= sizeof(p->field[0].value))
		vlen = sizeof(p->field[0].value) - 1;
	strcpy(p->field[p->nfields].key, key);
	memcpy(p->field[p->nfields].value, value, vlen);
	p->field[p->nfields].value[vlen] = '\0';
	p->nfields++;
	return SIGNET_OK;
}

const char *
signet_prov_get(const struct signet_prov *p, const char *key)
{
	for (size_t i = 0; i < p->nfields; i++) {
		if (strcmp(p->field[i].key, key) == 0)
			return p->field[i].value;
	}
	return NULL;
}

/* Appends "key=encoded-value" to buf at *pos; -1 if it does not fit. */
static int
put_field(char *buf, size_t size, size_t *pos, const char *key,
	  const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = *pos, klen = strlen(key);

	/* Plain copies, not snprintf: this runs for every field of every
	   header sealed or checked. */
	if (o + klen + 2 > size)
		return -1;
	memcpy(buf + o, key, klen);
	o += klen;
	buf[o++] = '=';
	for (const unsigned char *v = (const unsigned char *)value; *v; v++) {
		if (o + 4 > size)
			return -1;
		if (plain_char(*v)) {
			buf[o++] = (char)*v;
		} else {
			buf[o++] = '%';
			buf[o++] = hex[*v >> 4];
			buf[o++] = hex[*v & 15];
		}
	}
	buf[o] = '\0';
	*pos = o;
	return 0;
}

/* The sealed text of the fields [0, n).  The recipient is in it only as
   its tag (rcpt=), so any header's seal can be checked without knowing
   whom it names. */
static signet_status
seal_mac(const struct signet_key *k, const struct signet_prov *p, size_t n,
	 unsigned char mac_r[32])
{
	char text[SIGNET_PROV_FIELDS_MAX * 800];
	size_t pos;

	memcpy(text, SEAL_LABEL, sizeof(SEAL_LABEL));
	pos = sizeof(SEAL_LABEL);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			text[pos++] = ';';
		if (put_field(text, sizeof(text), &pos, p->field[i].key,
			      p->field[i].value) < 0)
			return SIGNET_E_BUFFER;
	}
	signet_hmac_sha256(&k->mac256, text, pos, mac_r);
	return SIGNET_OK;
}

/* The recipient's tag under key k: the first 10 octets, in hex, of
   HMAC-SHA256 of RCPT_LABEL, a NUL and the lower-cased address: a copy
   may travel beyond its recipient's mailbox, so the header must not name
   them (Bcc). */
static signet_status
rcpt_tag(const struct signet_key *k, const char *rcpt,
	 char tag_r[2 * SIGNET_RCPT_TAG_BYTES + 1])
{
	char text[sizeof(RCPT_LABEL) + SIGNET_ADDR_BUFSZ];
	unsigned char mac[32];
	size_t pos = sizeof(RCPT_LABEL), rlen = strlen(rcpt);

	if (rlen >= SIGNET_ADDR_BUFSZ)
		return SIGNET_E_SYNTAX;
	memcpy(text, RCPT_LABEL, sizeof(RCPT_LABEL));
	for (size_t i = 0; i < rlen; i++)
		text[pos++] = (char)tolower((unsigned char)rcpt[i]);
	signet_hmac_sha256(&k->mac256, text, pos, mac);
	signet_hex_encode(mac, SIGNET_RCPT_TAG_BYTES, tag_r);
	signet_wipe(mac, sizeof(mac));
	return SIGNET_OK;
}

void
signet_prov_rcpt_id(const char *rcpt, char out[SIGNET_PROV_RCPT_ID_BUFSZ])
{
	static const char label[] = "signet-rcpt-id-v1";
	char text[sizeof(label) + SIGNET_ADDR_BUFSZ];
	unsigned char h[32];
	size_t pos = sizeof(label);

	memcpy(text, label, sizeof(label));
	for (; rcpt != NULL && *rcpt != '\0' && pos < sizeof(text); rcpt++)
		text[pos++] = (char)tolower((unsigned char)*rcpt);
	signet_sha256(text, pos, h);
	signet_hex_encode(h, 16, out);
}

signet_status
signet_prov_format(const struct signet_prov *p, char *out, size_t outlen)
{
	size_t pos = 0, line = sizeof("Signet-Provenance: ") - 1;

	if (outlen == 0)
		return SIGNET_E_BUFFER;
	out[0] = '\0';
	for (size_t i = 0; i < p->nfields; i++) {
		size_t start = pos;

		if (i > 0) {
			if (pos + 3 > outlen)
				return SIGNET_E_BUFFER;
			out[pos++] = ';';
			out[pos++] = ' ';
			out[pos] = '\0';
			start = pos;
		}
		if (put_field(out, outlen, &pos, p->field[i].key,
			      p->field[i].value) < 0)
			return SIGNET_E_BUFFER;
		/* Fold before a field that would run past the line. */
		if (i > 0 && line + (pos - start) + 2 > FOLD_AT) {
			if (pos + 2 > outlen)
				return SIGNET_E_BUFFER;
			memmove(out + start + 1, out + start, pos - start + 1);
			out[start - 1] = '\n';
			out[start] = '\t';
			line = 1 + (pos - start);
			pos++;
		} else {
			line += (pos - start) + (i > 0 ? 2 : 0);
		}
	}
	return SIGNET_OK;
}

signet_status
signet_prov_seal(const signet_keyring *kr, struct signet_prov *p,
		 const char *rcpt, time_t now, char *out, size_t outlen)
{
	const struct signet_key *k;
	unsigned char mac[32];
	char num[24], hex[65];
	signet_status st;

	k = signet_keyring_signer(kr, SIGNET_KEY_SEAL, now);
	if (k == NULL)
		return SIGNET_E_NO_KEY;
	if (signet_prov_get(p, "seal") != NULL ||
	    signet_prov_get(p, "t") != NULL ||
	    signet_prov_get(p, "k") != NULL ||
	    signet_prov_get(p, "rcpt") != NULL)
		return SIGNET_E_SYNTAX;
	if (p->nfields + 4 > SIGNET_PROV_FIELDS_MAX)
		return SIGNET_E_BUFFER;
	st = rcpt_tag(k, rcpt, hex);
	if (st != SIGNET_OK)
		return st;
	if (signet_prov_add(p, "rcpt", hex) != SIGNET_OK)
		return SIGNET_E_INTERNAL;
	snprintf(num, sizeof(num), "%lld", (long long)now);
	if (signet_prov_add(p, "t", num) != SIGNET_OK)
		return SIGNET_E_INTERNAL;
	snprintf(num, sizeof(num), "%d", k->id);
	if (signet_prov_add(p, "k", num) != SIGNET_OK)
		return SIGNET_E_INTERNAL;
	st = seal_mac(k, p, p->nfields, mac);
	if (st != SIGNET_OK)
		return st;
	signet_hex_encode(mac, sizeof(mac), hex);
	if (signet_prov_add(p, "seal", hex) != SIGNET_OK)
		return SIGNET_E_INTERNAL;

	return signet_prov_format(p, out, outlen);
}

static int
is_fws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

signet_status
signet_prov_parse(const char *value, struct signet_prov *p_r)
{
	const char *s = value;

	signet_prov_init(p_r);
	for (;;) {
		const char *k, *eq, *e;
		char *d;
		size_t n;

		while (is_fws(*s))
			s++;
		if (*s == '\0')
			break;
		k = s;
		while (*s != '\0' && *s != ';' && !is_fws(*s))
			s++;
		e = s;
		eq = memchr(k, '=', (size_t)(e - k));
		if (eq == NULL || !key_ok(k, (size_t)(eq - k)) ||
		    p_r->nfields >= SIGNET_PROV_FIELDS_MAX)
			return SIGNET_E_BAD_HEADER;
		memcpy(p_r->field[p_r->nfields].key, k, (size_t)(eq - k));
		p_r->field[p_r->nfields].key[eq - k] = '\0';
		d = p_r->field[p_r->nfields].value;
		n = 0;
		for (const char *v = eq + 1; v < e; v++) {
			char c = *v;

			if (n + 1 >= sizeof(p_r->field[0].value))
				return SIGNET_E_BAD_HEADER;
			if (c == '%') {
				int hi, lo;

				if (e - v < 3 ||
				    (hi = signet_hexval(v[1])) < 0 ||
				    (lo = signet_hexval(v[2])) < 0 ||
				    (hi | lo) == 0)
					return SIGNET_E_BAD_HEADER;
				c = (char)(hi << 4 | lo);
				v += 2;
			} else if (!plain_char((unsigned char)c)) {
				return SIGNET_E_BAD_HEADER;
			}
			d[n++] = c;
		}
		d[n] = '\0';
		p_r->nfields++;
		while (is_fws(*s))
			s++;
		if (*s == ';')
			s++;
		else if (*s != '\0')
			return SIGNET_E_BAD_HEADER;
	}
	return p_r->nfields > 0 ? SIGNET_OK : SIGNET_E_BAD_HEADER;
}

/* The seal key a parsed header names, or NULL (*st_r says why). */
static const struct signet_key *
header_key(const signet_keyring *kr, const struct signet_prov *p, time_t now,
	   signet_status *st_r)
{
	const char *kid = signet_prov_get(p, "k");
	const struct signet_key *k;
	char *end;
	long id;

	*st_r = SIGNET_E_BAD_HEADER;
	if (kid == NULL)
		return NULL;
	id = strtol(kid, &end, 10);
	if (*end != '\0' || end == kid || id < 0 || id >= SIGNET_KEY_IDS)
		return NULL;
	/* The key's window is judged by our clock, not by the header's t=,
	   which nothing vouches for before the check. */
	k = signet_keyring_find(kr, SIGNET_KEY_SEAL, (int)id, now);
	*st_r = k != NULL ? SIGNET_OK : SIGNET_E_NO_KEY;
	return k;
}

static int
tag_is(const struct signet_key *k, const char *tag, const char *rcpt)
{
	char want[2 * SIGNET_RCPT_TAG_BYTES + 1];

	return tag != NULL && strlen(tag) == sizeof(want) - 1 &&
	       rcpt_tag(k, rcpt, want) == SIGNET_OK &&
	       signet_ct_compare(tag, want, sizeof(want) - 1) == 0;
}

int
signet_prov_is_for(const signet_keyring *kr, const struct signet_prov *p,
		   const char *rcpt, time_t now)
{
	signet_status st;
	const struct signet_key *k = header_key(kr, p, now, &st);

	if (k == NULL)
		return st == SIGNET_E_NO_KEY ? -1 : 0;
	return tag_is(k, signet_prov_get(p, "rcpt"), rcpt);
}

long long
signet_prov_sealed_at(const struct signet_prov *p)
{
	const char *t = signet_prov_get(p, "t");
	char *end;
	long long when;

	if (t == NULL || signet_prov_get(p, "rcpt") == NULL)
		return -1;
	when = strtoll(t, &end, 10);
	return end != t && *end == '\0' && when >= 0 ? when : -1;
}

signet_status
signet_prov_verify(const signet_keyring *kr, const struct signet_prov *p,
		   const char *rcpt, time_t now)
{
	const struct signet_key *k;
	const char *seal;
	unsigned char mac[32], want[32];
	signet_status st;

	if (p->nfields < 4 || strcmp(p->field[p->nfields - 1].key, "seal") != 0)
		return SIGNET_E_BAD_HEADER;
	seal = p->field[p->nfields - 1].value;
	if (signet_prov_get(p, "t") == NULL ||
	    signet_prov_get(p, "rcpt") == NULL || strlen(seal) != 64 ||
	    signet_hex_decode(seal, 64, want) != 0)
		return SIGNET_E_BAD_HEADER;
	k = header_key(kr, p, now, &st);
	if (k == NULL)
		return st;
	if (rcpt != NULL && !tag_is(k, signet_prov_get(p, "rcpt"), rcpt))
		return SIGNET_E_BAD_SEAL;
	st = seal_mac(k, p, p->nfields - 1, mac);
	if (st != SIGNET_OK)
		return st;
	return signet_ct_compare(mac, want, sizeof(mac)) == 0
		       ? SIGNET_OK
		       : SIGNET_E_BAD_SEAL;
}
