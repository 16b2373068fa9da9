/* The closed format, after Finch: base "=sg" K S, where
   Ks = first 16 octets of HMAC-SHA256(Km, lower-case base address) and
   S = base32(AES-128-Encrypt(Ks, IDm)).  IDm is one block:
     0-3   issue time since 1970, big-endian: seconds (version 2) or
           minutes (version 1, verified only)
     4-7   message binding (signet_message_binding), 0 if none
     8     0x20 (version 2) or 0x10 (version 1), | 1 when there is a binding
     9-15  zero
   Decrypting with the wrong key or a forged S leaves byte 8 and the zero
   octets right with probability 2^-62 (docs/FORMATS.md). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define TAG "=sg"
#define SIG_CHARS 26
#define IDM_V1 0x10 /* issue time in minutes */
#define IDM_V2 0x20 /* issue time in seconds: revocation to the second */
#define IDM_HAS_BINDING 0x01

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

static void
base32_16(const unsigned char in[16], char out[SIG_CHARS + 1])
{
	unsigned int acc = 0, bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < 16; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32[(acc >> bits) & 31];
		}
	}
	out[o++] = b32[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}

static int
b32val(char c)
{
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/* Only the canonical encoding decodes: the two spare bits must be zero,
   so one signature has exactly one spelling (use counts depend on it). */
static int
unbase32_16(const char *in, unsigned char out[16])
{
	unsigned int acc = 0, bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < SIG_CHARS; i++) {
		int v = b32val(in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 5) | (unsigned int)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o < 16)
				out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return (acc & ((1u << bits) - 1)) == 0 ? 0 : -1;
}

SIGNET_HOT int
signet_closed_shape(const char *addr, size_t local_len)
{
	const char *t;

	if (local_len <= SIGNET_CLOSED_TAG_LEN)
		return 0;
	t = addr + local_len - SIGNET_CLOSED_TAG_LEN;
	if (strncasecmp(t, TAG, 3) != 0 || !isdigit((unsigned char)t[3]))
		return 0;
	for (size_t i = 4; i < SIGNET_CLOSED_TAG_LEN; i++) {
		if (b32val(t[i]) < 0)
			return 0;
	}
	/* The base must still be a dot-string. */
	return t[-1] != '.';
}

static void
session_key(const struct signet_key *k, const char *base, size_t len,
	    unsigned char ks_r[16])
{
	char low[SIGNET_ADDR_BUFSZ];
	unsigned char mac[32];

	for (size_t i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)base[i]);
	signet_hmac_sha256(&k->mac256, low, len, mac);
	memcpy(ks_r, mac, 16);
	signet_wipe(mac, sizeof(mac));
}

signet_status
signet_closed_sign(const struct signet_key *k, const struct signet_addr *a,
		   const char *message_id, time_t now, char *out, size_t outlen)
{
	unsigned char ks[16], idm[16], s[16];
	char sig[SIG_CHARS + 1];
	size_t len = a->local_len + 1 + a->domain_len;
	uint32_t t = (uint32_t)now, binding = 0;

	if (a->local_len > SIGNET_CLOSED_BASE_MAX ||
	    len + SIGNET_CLOSED_TAG_LEN > SIGNET_PATH_MAX - 2)
		return SIGNET_E_TOO_LONG;
	if (outlen < len + SIGNET_CLOSED_TAG_LEN + 1)
		return SIGNET_E_BUFFER;
	memset(idm, 0, sizeof(idm));
	idm[0] = (unsigned char)(t >> 24);
	idm[1] = (unsigned char)(t >> 16);
	idm[2] = (unsigned char)(t >> 8);
	idm[3] = (unsigned char)t;
	idm[8] = IDM_V2;
	if (message_id != NULL && *message_id != '\0') {
		binding = signet_message_binding(message_id);
		idm[8] |= IDM_HAS_BINDING;
	}
	idm[4] = (unsigned char)(binding >> 24);
	idm[5] = (unsigned char)(binding >> 16);
	idm[6] = (unsigned char)(binding >> 8);
	idm[7] = (unsigned char)binding;
	session_key(k, a->local, len, ks);
	signet_aes128_encrypt(ks, idm, s);
	signet_wipe(ks, sizeof(ks));
	base32_16(s, sig);
	snprintf(out, outlen, "%.*s" TAG "%d%s@%.*s", (int)a->local_len,
		 a->local, k->id, sig, (int)a->domain_len, a->domain);
	return SIGNET_OK;
}

signet_status
signet_closed_verify(const signet_keyring *kr,
		     const struct signet_lifetimes *lt,
		     const struct signet_addr *a, time_t now,
		     struct signet_verdict *v)
{
	size_t blen = a->local_len - SIGNET_CLOSED_TAG_LEN;
	const char *t = a->local + blen;
	const struct signet_key *k;
	unsigned char ks[16], s[16], idm[16];
	static const unsigned char zero[7];
	unsigned int bad, ver;
	uint32_t when;
	signet_status st = SIGNET_OK;

	v->format = SIGNET_FMT_SIGNET;
	/* Fits: the whole address is at most SIGNET_PATH_MAX - 2 octets. */
	memcpy(v->base, a->local, blen);
	v->base[blen] = '@';
	memcpy(v->base + blen + 1, a->domain, a->domain_len);
	v->base[blen + 1 + a->domain_len] = '\0';
	v->key_id = t[3] - '0';
	if (unbase32_16(t + 4, s) != 0)
		return SIGNET_E_SYNTAX;
	k = signet_keyring_find(kr, SIGNET_KEY_ADDR, v->key_id, now);
	if (k == NULL)
		return SIGNET_E_UNKNOWN_KEY;
	session_key(k, v->base, blen + 1 + a->domain_len, ks);
	signet_aes128_decrypt(ks, s, idm);
	signet_wipe(ks, sizeof(ks));

	/* one of two versions and seven zero octets, without branching on
	   which part is wrong */
	ver = idm[8] & (unsigned int)~IDM_HAS_BINDING;
	bad = (unsigned int)(signet_ct_compare(idm + 9, zero, 7) != 0);
	bad |= (unsigned int)(ver != IDM_V1) & (unsigned int)(ver != IDM_V2);
	if (bad)
		return SIGNET_E_FORGED;
	when = (uint32_t)idm[0] << 24 | (uint32_t)idm[1] << 16 |
	       (uint32_t)idm[2] << 8 | idm[3];
	v->issued = (idm[8] & IDM_V2) != 0 ? (time_t)when : (time_t)when * 60;
	/* A key stops signing when it is retired: an address it claims to
	   have issued later (beyond the clock skew) was made by someone
	   holding a copy of the old key, not by the hub. */
	if (v->issued > k->signs_until + lt->max_skew ||
	    v->issued + lt->max_skew < k->created)
		return SIGNET_E_FORGED;
	v->has_binding = (idm[8] & IDM_HAS_BINDING) != 0;
	v->binding = (uint32_t)idm[4] << 24 | (uint32_t)idm[5] << 16 |
		     (uint32_t)idm[6] << 8 | idm[7];
	v->expires = v->issued + (time_t)lt->lifetime;
	v->dies = v->expires + (time_t)lt->grace;
	if (v->issued > now + lt->max_skew)
		st = SIGNET_E_FUTURE;
	else if (now >= v->dies)
		st = SIGNET_E_EXPIRED;
	else if (now >= v->expires)
		st = SIGNET_E_FADING;
	return st;
}
