/* The core's AES goes through EVP (constant time: AES-NI, or OpenSSL's
   vector-permute code) and gives the standard answers whatever keys
   and directions follow each other through its one kept context.  The
   signet-format vectors in tests/vectors/ (test-formats) check it end
   to end. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "t.h"

/* An OpenSSL configuration that loads only the null provider: EVP has no
   AES, and the core must fall back to the table-based code. */
static const char null_conf[] = "openssl_conf = init\n"
				"[init]\nproviders = prov\n"
				"[prov]\nnull = null\n"
				"[null]\nactivate = 1\n";

/* Runs this test again with that configuration; its checks print their
   own lines.  1 if it passed. */
static int
run_fallback(const char *self)
{
	char path[] = "/tmp/signet-test-crypto-XXXXXX";
	int fd = mkstemp(path), status = -1;
	pid_t pid;

	if (fd < 0 || write(fd, null_conf, sizeof(null_conf) - 1) < 0) {
		perror("test-crypto");
		return 0;
	}
	close(fd);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		setenv("OPENSSL_CONF", path, 1);
		execl(self, self, "fallback", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	unlink(path);
	return status == 0;
}

static void
hex(const char *s, unsigned char *out, size_t n)
{
	if (signet_hex_decode(s, n * 2, out) != 0)
		abort();
}

int
main(int argc, char **argv)
{
	/* FIPS-197 appendix C.1, and a second key (SP 800-38A F.1.1). */
	unsigned char k1[16], p1[16], c1[16], k2[16], p2[16], c2[16];
	unsigned char out[16];
	int ok = 1;

	t_suite = "unit: crypto";
	hex("000102030405060708090a0b0c0d0e0f", k1, 16);
	hex("00112233445566778899aabbccddeeff", p1, 16);
	hex("69c4e0d86a7b0430d8cdb78070b4c55a", c1, 16);
	hex("2b7e151628aed2a6abf7158809cf4f3c", k2, 16);
	hex("6bc1bee22e409f96e93d7e117393172a", p2, 16);
	hex("3ad77bb40d7a3660a89ecaf32466ef97", c2, 16);

	if (argc > 1 && strcmp(argv[1], "fallback") == 0) {
		t_suite = "unit: crypto: without EVP's AES";
		T_OK("EVP has no AES", signet_crypto_prepare() != 0);
	} else {
		T_OK("AES goes through EVP (constant time)",
		     signet_crypto_prepare() == 0);
		T_OK("prepare twice is harmless", signet_crypto_prepare() == 0);
	}
	signet_aes128_encrypt(k1, p1, out);
	T_OK("FIPS-197 C.1 encrypt", memcmp(out, c1, 16) == 0);
	signet_aes128_decrypt(k1, c1, out);
	T_OK("FIPS-197 C.1 decrypt", memcmp(out, p1, 16) == 0);
	/* the kept context is re-keyed each time, in either direction */
	for (int i = 0; i < 100; i++) {
		signet_aes128_encrypt(k2, p2, out);
		ok &= memcmp(out, c2, 16) == 0;
		signet_aes128_decrypt(k1, c1, out);
		ok &= memcmp(out, p1, 16) == 0;
		signet_aes128_decrypt(k2, c2, out);
		ok &= memcmp(out, p2, 16) == 0;
		signet_aes128_encrypt(k1, p1, out);
		ok &= memcmp(out, c1, 16) == 0;
	}
	T_OK("keys and directions interleaved", ok);
	/* in place, as callers may pass the same buffer */
	memcpy(out, p2, 16);
	signet_aes128_encrypt(k2, out, out);
	T_OK("encrypt in place", memcmp(out, c2, 16) == 0);
	if (argc == 1)
		T_OK("the table-based fallback gives the same answers",
		     run_fallback(argv[0]));
	return t_failed != 0;
}
