/* Signing and verifying addresses: the format-independent part. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define DAY 86400LL

void
signet_lifetimes_default(struct signet_lifetimes *lt_r)
{
	lt_r->lifetime = 45 * DAY;
	lt_r->grace = 7 * DAY;
	lt_r->prvs_lifetime = 7 * DAY;
	lt_r->max_skew = 300;
	lt_r->formats = SIGNET_FORMAT_BIT(SIGNET_FMT_SIGNET);
}

void
signet_key_prepare(struct signet_key *k)
{
	signet_hmac_sha256_init(&k->mac256, k->secret, sizeof(k->secret));
	signet_hmac_sha1_init(&k->mac1, k->secret_hex, strlen(k->secret_hex));
}

uint32_t
signet_message_binding(const char *message_id)
{
	unsigned char h[32];
	const char *s = message_id, *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		e--;
	if (e - s >= 2 && *s == '<' && e[-1] == '>') {
		s++;
		e--;
	}
	signet_sha256(s, (size_t)(e - s), h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	       (uint32_t)h[2] << 8 | h[3];
}

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80)
			return 0;
	}
	return 1;
}

SIGNET_HOT int
signet_is_signed(const char *addr)
{
	const char *at = addr != NULL ? strrchr(addr, '@') : NULL;
	size_t llen;

	if (at == NULL)
		return 0;
	llen = (size_t)(at - addr);
	return signet_prvs_shape(addr, llen) || signet_closed_shape(addr, llen);
}

signet_status
signet_sign(const signet_keyring *kr, const struct signet_lifetimes *lt,
	    enum signet_format fmt, const char *addr, const char *message_id,
	    time_t now, char *out, size_t outlen)
{
	struct signet_lifetimes def;
	struct signet_addr a;
	const struct signet_key *k;
	signet_status st;

	if (lt == NULL) {
		signet_lifetimes_default(&def);
		lt = &def;
	}
	st = signet_addr_parse(addr, &a);
	if (st != SIGNET_OK)
		return st;
	/* A base that starts like a prvs tag would read back as one. */
	if (a.quoted || !is_ascii(addr) || signet_is_signed(addr) ||
	    strncasecmp(addr, "prvs=", 5) == 0)
		return SIGNET_SKIPPED;
	k = signet_keyring_signer(kr, SIGNET_KEY_ADDR, now);
	if (k == NULL)
		return SIGNET_E_NO_KEY;
	if (fmt == SIGNET_FMT_SIGNET) {
		st = signet_closed_sign(k, &a, message_id, now, out, outlen);
		/* Too long for the closed format: prvs, but only where the
		   hub accepts prvs back (else the address could not verify). */
		if (st != SIGNET_E_TOO_LONG ||
		    !(lt->formats & SIGNET_FORMAT_BIT(SIGNET_FMT_PRVS)))
			return st;
	}
	return signet_prvs_sign(k, &a, now, lt->prvs_lifetime, out, outlen);
}

signet_status
signet_verify(const signet_keyring *kr, const struct signet_lifetimes *lt,
	      const char *addr, time_t now, struct signet_verdict *v_r)
{
	struct signet_addr a;
	signet_status st = signet_addr_parse(addr, &a);

	if (st != SIGNET_OK) {
		memset(v_r, 0, sizeof(*v_r));
		v_r->key_id = -1;
		v_r->status = st;
		return st;
	}
	return signet_verify_parsed(kr, lt, addr, &a, now, v_r);
}

signet_status
signet_verify_parsed(const signet_keyring *kr,
		     const struct signet_lifetimes *lt, const char *addr,
		     const struct signet_addr *a, time_t now,
		     struct signet_verdict *v_r)
{
	struct signet_lifetimes def;
	signet_status st;

	memset(v_r, 0, sizeof(*v_r));
	v_r->key_id = -1;
	if (lt == NULL) {
		signet_lifetimes_default(&def);
		lt = &def;
	}
	if (signet_prvs_shape(addr, a->local_len)) {
		st = signet_prvs_verify(kr, lt, a, now, v_r);
		/* prvs's 24-bit MAC is accepted only where it was asked for
		   (a hub moving from Exim's prvs): else 2^24 tries forge it. */
		if (!(lt->formats & SIGNET_FORMAT_BIT(SIGNET_FMT_PRVS)) &&
		    st != SIGNET_E_SYNTAX)
			st = SIGNET_E_FORGED;
	} else if (signet_closed_shape(addr, a->local_len)) {
		st = signet_closed_verify(kr, lt, a, now, v_r);
	} else {
		memcpy(v_r->base, addr, strlen(addr) + 1);
		st = SIGNET_NOT_SIGNED;
	}
	/* No keyring, or one without a single address key (empty, or the
	   seal-only copy), is a fault of ours, not an old address: the host
	   defers.  The base is still filled in. */
	if (st == SIGNET_E_UNKNOWN_KEY &&
	    !signet_keyring_has(kr, SIGNET_KEY_ADDR, now))
		st = SIGNET_E_KEYRING;
	v_r->status = st;
	return st;
}

signet_status
signet_base_of(const char *addr, char *out, size_t outlen)
{
	/* no keys: the verdict is "unknown key", but the base is read */
	const struct signet_keyring none = {0};
	struct signet_verdict v;
	signet_status st;
	size_t n;

	if (!signet_is_signed(addr))
		return SIGNET_NOT_SIGNED;
	st = signet_verify(&none, NULL, addr, 0, &v);
	if (st == SIGNET_E_SYNTAX || v.base[0] == '\0')
		return SIGNET_E_SYNTAX;
	n = strlen(v.base);
	if (n >= outlen)
		return SIGNET_E_TOO_LONG;
	memcpy(out, v.base, n + 1);
	return SIGNET_OK;
}
