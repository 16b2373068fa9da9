/* The only file of signet that uses OpenSSL.
   It uses the low-level SHA and AES functions on purpose: they need no
   provider initialisation, which through EVP costs millions of
   instructions in every fresh Exim process (docs/FORMATS.md, "Cost").
   HMAC is built here from them with the standard construction, so that
   the inner and outer states are computed once per key.  Secrets are
   wiped with signet_wipe() (memset and a compiler barrier), not
   OPENSSL_cleanse(), which wipes a byte at a time. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "crypto.h"
#include "signet.h"

_Static_assert(sizeof(SHA256_CTX) <= 128, "SHA256_CTX fits");
_Static_assert(sizeof(SHA_CTX) <= 128, "SHA_CTX fits");

#define HMAC_BLOCK 64

static void
pads(const void *key, size_t keylen, unsigned char ipad[HMAC_BLOCK],
     unsigned char opad[HMAC_BLOCK], int sha1)
{
	unsigned char k[HMAC_BLOCK];

	memset(k, 0, sizeof(k));
	if (keylen > HMAC_BLOCK) {
		if (sha1) {
			SHA_CTX c;

			SHA1_Init(&c);
			SHA1_Update(&c, key, keylen);
			SHA1_Final(k, &c);
		} else {
			signet_sha256(key, keylen, k);
		}
	} else if (keylen > 0) {
		memcpy(k, key, keylen);
	}
	for (int i = 0; i < HMAC_BLOCK; i++) {
		ipad[i] = k[i] ^ 0x36;
		opad[i] = k[i] ^ 0x5c;
	}
	signet_wipe(k, sizeof(k));
}

void
signet_hmac_sha256_init(struct signet_hmac_key *k, const void *key,
			size_t keylen)
{
	unsigned char ipad[HMAC_BLOCK], opad[HMAC_BLOCK];
	SHA256_CTX *in = (SHA256_CTX *)k->inner, *out = (SHA256_CTX *)k->outer;

	pads(key, keylen, ipad, opad, 0);
	SHA256_Init(in);
	SHA256_Update(in, ipad, sizeof(ipad));
	SHA256_Init(out);
	SHA256_Update(out, opad, sizeof(opad));
	signet_wipe(ipad, sizeof(ipad));
	signet_wipe(opad, sizeof(opad));
	k->ready = 1;
}

void
signet_hmac_sha256_2(const struct signet_hmac_key *k, const void *m1, size_t l1,
		     const void *m2, size_t l2, unsigned char out[32])
{
	SHA256_CTX c;
	unsigned char ih[32];

	memcpy(&c, k->inner, sizeof(c));
	SHA256_Update(&c, m1, l1);
	if (l2 > 0)
		SHA256_Update(&c, m2, l2);
	SHA256_Final(ih, &c);
	memcpy(&c, k->outer, sizeof(c));
	SHA256_Update(&c, ih, sizeof(ih));
	SHA256_Final(out, &c);
	signet_wipe(&c, sizeof(c));
	signet_wipe(ih, sizeof(ih));
}

void
signet_hmac_sha256(const struct signet_hmac_key *k, const void *msg, size_t len,
		   unsigned char out[32])
{
	signet_hmac_sha256_2(k, msg, len, NULL, 0, out);
}

void
signet_hmac_sha1_init(struct signet_hmac_key *k, const void *key, size_t keylen)
{
	unsigned char ipad[HMAC_BLOCK], opad[HMAC_BLOCK];
	SHA_CTX *in = (SHA_CTX *)k->inner, *out = (SHA_CTX *)k->outer;

	pads(key, keylen, ipad, opad, 1);
	SHA1_Init(in);
	SHA1_Update(in, ipad, sizeof(ipad));
	SHA1_Init(out);
	SHA1_Update(out, opad, sizeof(opad));
	signet_wipe(ipad, sizeof(ipad));
	signet_wipe(opad, sizeof(opad));
	k->ready = 1;
}

void
signet_hmac_sha1(const struct signet_hmac_key *k, const void *msg, size_t len,
		 unsigned char out[20])
{
	SHA_CTX c;
	unsigned char ih[20];

	memcpy(&c, k->inner, sizeof(c));
	SHA1_Update(&c, msg, len);
	SHA1_Final(ih, &c);
	memcpy(&c, k->outer, sizeof(c));
	SHA1_Update(&c, ih, sizeof(ih));
	SHA1_Final(out, &c);
	signet_wipe(&c, sizeof(c));
	signet_wipe(ih, sizeof(ih));
}

void
signet_sha256(const void *msg, size_t len, unsigned char out[32])
{
	/* Not the one-shot SHA256(): in OpenSSL 3 it goes through EVP. */
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, msg, len);
	SHA256_Final(out, &c);
}

void
signet_aes128_encrypt(const unsigned char key[16], const unsigned char in[16],
		      unsigned char out[16])
{
	AES_KEY ks;

	AES_set_encrypt_key(key, 128, &ks);
	AES_encrypt(in, out, &ks);
	signet_wipe(&ks, sizeof(ks));
}

void
signet_aes128_decrypt(const unsigned char key[16], const unsigned char in[16],
		      unsigned char out[16])
{
	AES_KEY ks;

	AES_set_decrypt_key(key, 128, &ks);
	AES_decrypt(in, out, &ks);
	signet_wipe(&ks, sizeof(ks));
}

int
signet_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	/* getrandom() rather than RAND_bytes(): no DRBG to initialise, and
	   only the tool creates keys. */
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
