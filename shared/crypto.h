/* The core's private interface to its crypto.  Only crypto.c includes
   OpenSSL; everything else goes through these functions. */
#ifndef SIGNET_CRYPTO_H
#define SIGNET_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* An HMAC key with its inner and outer hash states computed once, so that
   each MAC costs only the compressions of the message and one more. */
struct signet_hmac_key {
	_Alignas(16) unsigned char inner[128];
	_Alignas(16) unsigned char outer[128];
	int ready;
};

void signet_hmac_sha256_init(struct signet_hmac_key *k, const void *key,
			     size_t keylen);
void signet_hmac_sha256(const struct signet_hmac_key *k, const void *msg,
			size_t len, unsigned char out[32]);
/* Two parts, so callers need not join them into one buffer. */
void signet_hmac_sha256_2(const struct signet_hmac_key *k, const void *m1,
			  size_t l1, const void *m2, size_t l2,
			  unsigned char out[32]);
void signet_hmac_sha1_init(struct signet_hmac_key *k, const void *key,
			   size_t keylen);
void signet_hmac_sha1(const struct signet_hmac_key *k, const void *msg,
		      size_t len, unsigned char out[20]);
void signet_sha256(const void *msg, size_t len, unsigned char out[32]);

/* One AES-128 block with a key used once (key schedule included), in
   constant time (EVP: AES-NI or vector-permute code).  Not thread-safe:
   one context per process, like the rest of the core's callers. */
void signet_aes128_encrypt(const unsigned char key[16],
			   const unsigned char in[16], unsigned char out[16]);
void signet_aes128_decrypt(const unsigned char key[16],
			   const unsigned char in[16], unsigned char out[16]);

/* signet_crypto_prepare() (signet.h) fetches the AES cipher early. */
/* Fills buf from the system's random source; 0 on success. */
int signet_random(void *buf, size_t len);

#endif
