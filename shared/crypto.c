/* The only file of signet that uses OpenSSL.
   It uses the low-level SHA functions on purpose: they need no provider
   initialisation, which through EVP costs millions of instructions in
   every fresh Exim process (docs/FORMATS.md, "Cost").  HMAC is built here
   from them with the standard construction, so that the inner and outer
   states are computed once per key.  AES is the exception: the low-level
   AES_encrypt is table-based, and its cache timing could let a local user
   learn a per-address key, so AES goes through EVP (AES-NI, or OpenSSL's
   constant-time vector code), with the cipher fetched once per process.
   Secrets are wiped with signet_wipe() (memset and a compiler barrier),
   not OPENSSL_cleanse(), which wipes a byte at a time. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
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

/* AES-128-ECB through EVP.  The fetch (provider initialisation, several
   million instructions) is paid at the first use in a process, or earlier
   by signet_crypto_prepare(); a process that loads the module in Exim's
   daemon (SIGNET_PRELOAD) pays it there once, before it forks.  One
   context is kept and re-keyed for each block: no allocation per call. */
static EVP_CIPHER *aes_cipher;
static EVP_CIPHER_CTX *aes_ctx;
static int aes_state; /* 0 not tried, 1 ready, -1 unavailable */

int
signet_crypto_prepare(void)
{
	static const unsigned char zero[16];

	if (aes_state != 0)
		return aes_state > 0 ? 0 : -1;
	aes_cipher = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	aes_ctx = aes_cipher != NULL ? EVP_CIPHER_CTX_new() : NULL;
	/* Bind the cipher now: later inits pass NULL and only re-key
	   (passing it again would free and reallocate the context).
	   EVP_Cipher() below does whole blocks with no padding. */
	if (aes_ctx != NULL &&
	    EVP_CipherInit_ex2(aes_ctx, aes_cipher, zero, NULL, 1, NULL) == 1) {
		aes_state = 1;
		return 0;
	}
	EVP_CIPHER_CTX_free(aes_ctx);
	EVP_CIPHER_free(aes_cipher);
	aes_ctx = NULL;
	aes_cipher = NULL;
	aes_state = -1;
	return -1;
}

/* One block with a fresh key; 0 on success.  The context is re-keyed
   with zeros afterwards, so that no key schedule stays in memory. */
static int
aes_evp(const unsigned char key[16], const unsigned char in[16],
	unsigned char out[16], int enc)
{
	static const unsigned char zero[16];
	unsigned char blk[16];
	int ok;

	if (signet_crypto_prepare() != 0)
		return -1;
	/* into blk: a failure must leave in (which may be out) intact for
	   the fallback */
	ok = EVP_CipherInit_ex2(aes_ctx, NULL, key, NULL, enc, NULL) == 1 &&
	     EVP_Cipher(aes_ctx, blk, in, 16) > 0;
	if (ok)
		memcpy(out, blk, sizeof(blk));
	signet_wipe(blk, sizeof(blk));
	if (EVP_CipherInit_ex2(aes_ctx, NULL, zero, NULL, 1, NULL) != 1) {
		/* cannot wipe it in place: drop it, fetch again next time */
		EVP_CIPHER_CTX_free(aes_ctx);
		EVP_CIPHER_free(aes_cipher);
		aes_ctx = NULL;
		aes_cipher = NULL;
		aes_state = 0;
	}
	return ok ? 0 : -1;
}

/* Without EVP's AES (it does not fail with the default provider, but an
   OpenSSL configuration could load no provider that has it) the
   table-based code keeps mail flowing: the answer is the same, only its
   timing is not constant. */
void
signet_aes128_encrypt(const unsigned char key[16], const unsigned char in[16],
		      unsigned char out[16])
{
	AES_KEY ks;

	if (aes_evp(key, in, out, 1) == 0)
		return;
	AES_set_encrypt_key(key, 128, &ks);
	AES_encrypt(in, out, &ks);
	signet_wipe(&ks, sizeof(ks));
}

void
signet_aes128_decrypt(const unsigned char key[16], const unsigned char in[16],
		      unsigned char out[16])
{
	AES_KEY ks;

	if (aes_evp(key, in, out, 0) == 0)
		return;
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
