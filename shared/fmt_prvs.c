/* BATV prvs (draft-levine-smtp-batv-01), as Exim's ${prvs} writes it:
   "prvs=" K DDD SSSSSS "=" local "@" domain, where SSSSSS is the first
   three octets, in lower-case hex, of HMAC-SHA1(key, K DDD address).
   We sign the lower-cased address (so our output is what
   ${prvs{lower-cased address}} gives) and verify the lower-cased address
   only. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define DAY 86400
#define PRVS_PREFIX "prvs="

SIGNET_HOT int
signet_prvs_shape(const char *addr, size_t local_len)
{
	if (local_len <= SIGNET_PRVS_TAG_LEN ||
	    strncasecmp(addr, PRVS_PREFIX, 5) != 0 || addr[15] != '=')
		return 0;
	for (size_t i = 5; i < 9; i++) {
		if (!isdigit((unsigned char)addr[i]))
			return 0;
	}
	for (size_t i = 9; i < 15; i++) {
		if (!isxdigit((unsigned char)addr[i]))
			return 0;
	}
	return 1;
}

/* MAC input: K DDD and the address exactly as given. */
static void
prvs_mac(const struct signet_key *k, const char kddd[4], const char *addr,
	 size_t len, unsigned char mac_r[20])
{
	char buf[4 + SIGNET_ADDR_BUFSZ];

	memcpy(buf, kddd, 4);
	memcpy(buf + 4, addr, len);
	signet_hmac_sha1(&k->mac1, buf, 4 + len, mac_r);
}

signet_status
signet_prvs_sign(const struct signet_key *k, const struct signet_addr *a,
		 time_t now, long long lifetime, char *out, size_t outlen)
{
	size_t len = a->local_len + 1 + a->domain_len;
	char kddd[5], low[SIGNET_ADDR_BUFSZ];
	unsigned char mac[20];
	char hex[7];
	long long day = (long long)now / DAY + lifetime / DAY;

	if (a->local_len > SIGNET_PRVS_BASE_MAX ||
	    len + SIGNET_PRVS_TAG_LEN > SIGNET_PATH_MAX - 2)
		return SIGNET_E_TOO_LONG;
	if (outlen < SIGNET_PRVS_TAG_LEN + len + 1)
		return SIGNET_E_BUFFER;
	kddd[0] = (char)('0' + k->id % 10);
	kddd[1] = (char)('0' + day / 100 % 10);
	kddd[2] = (char)('0' + day / 10 % 10);
	kddd[3] = (char)('0' + day % 10);
	kddd[4] = '\0';
	/* Sign the lower-case form: relays (Exim among them) may lower-case
	   the local part, and a MAC over mixed case would not survive. */
	for (size_t i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)a->local[i]);
	prvs_mac(k, kddd, low, len, mac);
	signet_hex_encode(mac, 3, hex);
	snprintf(out, outlen, PRVS_PREFIX "%s%s=%.*s", kddd, hex, (int)len,
		 low);
	return SIGNET_OK;
}

static signet_status
prvs_check_mac(const struct signet_key *k, const char *kddd, const char *base,
	       size_t len, const unsigned char want[3])
{
	unsigned char mac[20];
	char low[SIGNET_ADDR_BUFSZ];

	/* One check, of the lower-cased form (what we sign, and what Exim
	   signs, lower-casing local parts by default): checking the address
	   as given as well would double a forger's odds. */
	for (size_t i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)base[i]);
	prvs_mac(k, kddd, low, len, mac);
	if (signet_ct_compare(mac, want, 3) == 0)
		return SIGNET_OK;
	return SIGNET_E_FORGED;
}

signet_status
signet_prvs_verify(const signet_keyring *kr, const struct signet_lifetimes *lt,
		   const struct signet_addr *a, time_t now,
		   struct signet_verdict *v)
{
	const char *base = a->local + SIGNET_PRVS_TAG_LEN;
	size_t len = a->local_len + 1 + a->domain_len - SIGNET_PRVS_TAG_LEN;
	const struct signet_key *k;
	unsigned char want[3];
	long long today = (long long)now / DAY, ddd, ahead, end_day;
	signet_status st;

	v->format = SIGNET_FMT_PRVS;
	memcpy(v->base, base, len);
	v->base[len] = '\0';
	v->key_id = a->local[5] - '0';
	ddd = (a->local[6] - '0') * 100 + (a->local[7] - '0') * 10 +
	      (a->local[8] - '0');
	if (signet_hex_decode(a->local + 9, 6, want) != 0)
		return SIGNET_E_SYNTAX;
	/* The draft's rule: days until expiry by subtraction mod 1000.
	   Exim's own check accepts day 999 on almost any day. */
	ahead = ((ddd - today % 1000) % 1000 + 1000) % 1000;
	if (ahead <= lt->prvs_lifetime / DAY)
		end_day = today + ahead;
	else
		end_day = today - (1000 - ahead);
	v->expires = (time_t)((end_day + 1) * DAY);
	v->dies = v->expires + (time_t)lt->grace;

	k = signet_keyring_find(kr, SIGNET_KEY_ADDR, v->key_id, now);
	if (k == NULL)
		return SIGNET_E_UNKNOWN_KEY;
	st = prvs_check_mac(k, a->local + 5, base, len, want);
	if (st != SIGNET_OK)
		return st;
	if (now < v->expires)
		return SIGNET_OK;
	return now < v->dies ? SIGNET_E_FADING : SIGNET_E_EXPIRED;
}
