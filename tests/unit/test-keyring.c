/* The keyring: loading with every check, file modes, saving, adding,
   rotating, destroying, and which key signs and verifies when. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json-internal.h"
#include "t.h"

#define DAY 86400
/* 2026-11-22T07:30:00Z */
#define T0 ((time_t)1795332600)

static char dir[256];

static const char secret0[] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char secret1[] =
	"f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff";

static const char good[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"keys\": [\n"
	"    {\"id\": 3, \"purpose\": \"addr\",\n"
	"     \"secret\": \"000102030405060708090a0b0c0d0e0f"
	"101112131415161718191a1b1c1d1e1f\",\n"
	"     \"created\": \"2026-11-22T07:30:00Z\",\n"
	"     \"signs_until\": \"2027-02-20T07:30:00Z\",\n"
	"     \"verifies_until\": \"2027-04-13T07:30:00Z\"},\n"
	"    {\"id\": 3, \"purpose\": \"seal\",\n"
	"     \"secret\": \"f0e1d2c3b4a5968778695a4b3c2d1e0f"
	"00112233445566778899aabbccddeeff\",\n"
	"     \"created\": \"2026-11-22T07:30:00Z\",\n"
	"     \"signs_until\": \"2027-02-20T07:30:00Z\",\n"
	"     \"verifies_until\": \"2027-04-13T07:30:00Z\"}\n"
	"  ]\n"
	"}\n";

static const char *
file_path(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static const char *
write_file(const char *name, const char *text, mode_t mode)
{
	const char *path = file_path(name);
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0 ||
	    chmod(path, mode) != 0) {
		perror(path);
		exit(1);
	}
	return path;
}

static char *
read_text(const char *path)
{
	static char buf[16384];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* Parses good with one substitution; returns the error text or "". */
static const char *
parse_err_sub(const char *from, const char *to)
{
	static char err[SIGNET_ERR_BUFSZ];
	char text[4096];
	const char *at = strstr(good, from);
	signet_keyring *kr = NULL;
	signet_status st;

	if (at == NULL)
		return "substitution not found";
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good), good, to,
		 at + strlen(from));
	err[0] = '\0';
	st = signet_keyring_parse(text, strlen(text), "k.json", &kr, err,
				  sizeof(err));
	if (st == SIGNET_OK) {
		signet_keyring_free(&kr);
		return "";
	}
	if (st != SIGNET_E_KEYRING || kr != NULL)
		return "wrong status or keyring set";
	return err;
}

static void
test_load(void)
{
	char err[SIGNET_ERR_BUFSZ] = "";
	struct signet_key_info info;
	signet_keyring *kr = NULL;
	const char *path = write_file("good.json", good, 0600);

	T_OK("good keyring loads",
	     signet_keyring_load(path, &kr, err, sizeof(err)) == SIGNET_OK);
	if (kr == NULL) {
		printf("  %s\n", err);
		return;
	}
	T_OK("two keys", signet_keyring_count(kr) == 2);
	T_OK("info of key 0",
	     signet_keyring_info(kr, 0, &info) == SIGNET_OK && info.id == 3 &&
		     info.purpose == SIGNET_KEY_ADDR && info.created == T0 &&
		     info.signs_until == T0 + 90 * DAY &&
		     info.verifies_until == T0 + 142 * DAY);
	T_OK("info out of range",
	     signet_keyring_info(kr, 2, &info) == SIGNET_E_NO_KEY);
	T_STREQ("secret hex kept", kr->keys[0].secret_hex, secret0);
	T_OK("secret bytes decoded",
	     kr->keys[0].secret[0] == 0 && kr->keys[0].secret[31] == 0x1f);
	T_OK("MAC state prepared",
	     kr->keys[0].mac256.ready && kr->keys[1].mac1.ready);
	signet_keyring_free(&kr);
	T_OK("free NULLs the pointer", kr == NULL);

	write_file("r400.json", good, 0400);
	T_OK("mode 0400 accepted",
	     signet_keyring_load(file_path("r400.json"), &kr, err,
				 sizeof(err)) == SIGNET_OK);
	signet_keyring_free(&kr);

	path = write_file("world.json", good, 0644);
	T_OK("world-readable refused",
	     signet_keyring_load(path, &kr, err, sizeof(err)) ==
			     SIGNET_E_KEYRING &&
		     kr == NULL);
	T_OK("message names the mode and the fix",
	     strstr(err, path) != NULL && strstr(err, "mode 0644") != NULL &&
		     strstr(err, "expected 0600 or 0400") != NULL &&
		     strstr(err, "chmod 600") != NULL);
	path = write_file("group.json", good, 0640);
	T_OK("group-readable refused",
	     signet_keyring_load(path, &kr, err, sizeof(err)) ==
			     SIGNET_E_KEYRING &&
		     strstr(err, "mode 0640") != NULL);
	path = write_file("gw.json", good, 0620);
	T_OK("group-writable refused",
	     signet_keyring_load(path, &kr, err, sizeof(err)) ==
		     SIGNET_E_KEYRING);
	T_OK("directory refused",
	     signet_keyring_load(dir, &kr, err, sizeof(err)) ==
			     SIGNET_E_KEYRING &&
		     strstr(err, "not a regular file") != NULL);
	T_OK("missing file",
	     signet_keyring_load(file_path("none.json"), &kr, err,
				 sizeof(err)) == SIGNET_E_KEYRING &&
		     strstr(err, "cannot open: No such file") != NULL);
	if (mkfifo(file_path("fifo"), 0600) == 0)
		T_OK("FIFO refused without hanging",
		     signet_keyring_load(file_path("fifo"), &kr, err,
					 sizeof(err)) == SIGNET_E_KEYRING);
	unlink(file_path("fifo"));
}

static void
test_load_errors(void)
{
	const char *e;

	T_STREQ("short secret: names file, key and field, not the secret",
		parse_err_sub("1e1f\"", "1e\""),
		"k.json:5:6: \"keys[0].secret\": expected 64 lower-case hex "
		"digits, got 62 characters");
	e = parse_err_sub("0a0b", "0A0b");
	T_STREQ("upper-case hex refused", e,
		"k.json:5:6: \"keys[0].secret\": expected 64 lower-case hex "
		"digits, got another character at position 22");
	T_OK("secret not quoted in messages", strstr(e, "0A0b") == NULL);
	T_STREQ("bad purpose", parse_err_sub("\"seal\"", "\"sign\""),
		"k.json:9:15: \"keys[1].purpose\": expected \"addr\" or "
		"\"seal\", got \"sign\"");
	T_STREQ("id out of range",
		parse_err_sub("\"id\": 3, \"purpose\": \"seal\"",
			      "\"id\": 10, \"purpose\": \"seal\""),
		"k.json:9:6: \"keys[1].id\": expected a key id from 0 to 9, "
		"got 10");
	T_STREQ("duplicate id of a purpose",
		parse_err_sub("\"seal\"", "\"addr\""),
		"k.json:9:5: \"keys[1]\": addr key id 3 is used twice (also "
		"keys[0]); expected ids unique for each purpose");
	T_STREQ("bad date",
		parse_err_sub("\"2026-11-22T07:30:00Z\"",
			      "\"2026-11-22 07:30:00\""),
		"k.json:6:6: \"keys[0].created\": expected an RFC 3339 UTC "
		"time such as \"2026-11-22T07:30:00Z\", got \"2026-11-22 "
		"07:30:00\"");
	T_STREQ("dates out of order",
		parse_err_sub("\"2027-02-20T07:30:00Z\"",
			      "\"2027-05-20T07:30:00Z\""),
		"k.json:4:5: \"keys[0]\": expected created <= signs_until <= "
		"verifies_until");
	T_STREQ("missing field",
		parse_err_sub("\"id\": 3, \"purpose\": \"addr\",",
			      "\"purpose\": \"addr\","),
		"k.json:4:5: \"keys[0]\": \"id\" is missing");
	T_STREQ("unknown field",
		parse_err_sub("\"id\": 3, \"purpose\": \"addr\",",
			      "\"id\": 3, \"purpose\": \"addr\", \"x\": 1,"),
		"k.json:4:34: \"keys[0].x\": unknown field; expected id, "
		"purpose, secret, created, signs_until or verifies_until");
	T_STREQ("wrong version",
		parse_err_sub("\"version\": 1", "\"version\": 2"),
		"k.json:2:3: \"version\": expected 1, got 2");
	T_STREQ("missing version", parse_err_sub("\"version\": 1,", ""),
		"k.json:1:1: \"version\" is missing; expected \"version\": 1");
	T_STREQ("keys not a list",
		parse_err_sub("\"keys\": [\n", "\"keys\": {}, \"k\": [\n"),
		"k.json:3:3: \"keys\": expected a list of keys, got an "
		"object");
	T_OK("bad JSON", strstr(parse_err_sub("\"keys\": [", "\"keys\" ["),
				"k.json:3:") != NULL);
	T_STREQ("any free id is valid",
		parse_err_sub("{\"id\": 3", "{\"id\": 4"), "");
}

static void
test_save_roundtrip(void)
{
	char err[SIGNET_ERR_BUFSZ] = "";
	signet_keyring *kr = NULL, *back = NULL;
	struct stat st;
	const char *path = write_file("good.json", good, 0600);
	char *text;

	if (signet_keyring_load(path, &kr, err, sizeof(err)) != SIGNET_OK)
		return;
	path = file_path("saved.json");
	T_OK("save",
	     signet_keyring_save(kr, path, 0, err, sizeof(err)) == SIGNET_OK);
	T_OK("saved with mode 0600",
	     stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	T_OK("reload saved",
	     signet_keyring_load(path, &back, err, sizeof(err)) == SIGNET_OK);
	T_OK("round trip keeps everything",
	     back != NULL && back->n == 2 &&
		     memcmp(back->keys[0].secret, kr->keys[0].secret, 32) ==
			     0 &&
		     memcmp(back->keys[1].secret, kr->keys[1].secret, 32) ==
			     0 &&
		     back->keys[1].purpose == SIGNET_KEY_SEAL &&
		     back->keys[1].id == 3 &&
		     back->keys[0].verifies_until == T0 + 142 * DAY);
	signet_keyring_free(&back);

	path = file_path("seal.json");
	T_OK("save seal-only",
	     signet_keyring_save(kr, path, 1, err, sizeof(err)) == SIGNET_OK);
	text = read_text(path);
	T_OK("seal-only file has no address key",
	     strstr(text, secret0) == NULL &&
		     strstr(text, "\"addr\"") == NULL &&
		     strstr(text, secret1) != NULL);
	T_OK("seal-only reloads with only the seal key",
	     signet_keyring_load(path, &back, err, sizeof(err)) == SIGNET_OK &&
		     back->n == 1 && back->keys[0].purpose == SIGNET_KEY_SEAL);
	signet_keyring_free(&back);

	if (geteuid() == 0) {
		path = file_path("saved.json");
		T_OK("owned by another user first", chown(path, 1, 1) == 0);
		T_OK("save over it",
		     signet_keyring_save(kr, path, 0, err, sizeof(err)) ==
			     SIGNET_OK);
		T_OK("the new file keeps the old owner and group",
		     stat(path, &st) == 0 && st.st_uid == 1 && st.st_gid == 1 &&
			     (st.st_mode & 07777) == 0600);
	}
	T_OK("save into a missing directory fails clearly",
	     signet_keyring_save(kr, "/nonexistent/dir/k.json", 0, err,
				 sizeof(err)) == SIGNET_E_IO &&
		     strstr(err, "/nonexistent/dir/k.json: cannot create") !=
			     NULL);
	signet_keyring_free(&kr);
	unlink(file_path("saved.json"));
	unlink(file_path("seal.json"));
}

static void
test_add_rotate(void)
{
	signet_keyring *kr = NULL;
	const struct signet_key *k;
	long long sign = 90 * DAY, verify = 142 * DAY;
	int id = -1, destroyed = -1, ok = 1;

	T_OK("new", signet_keyring_new(&kr) == SIGNET_OK && kr->n == 0);
	T_OK("no signer in an empty keyring",
	     signet_keyring_signing_id(kr, SIGNET_KEY_ADDR, T0, &id) ==
		     SIGNET_E_NO_KEY);
	T_OK("add addr key", signet_keyring_add(kr, SIGNET_KEY_ADDR, T0, sign,
						verify, &id) == SIGNET_OK &&
				     id == 0);
	T_OK("add seal key gets its own id 0",
	     signet_keyring_add(kr, SIGNET_KEY_SEAL, T0, sign, verify, &id) ==
			     SIGNET_OK &&
		     id == 0);
	T_OK("random secrets differ",
	     memcmp(kr->keys[0].secret, kr->keys[1].secret, 32) != 0);
	T_OK("hex matches bytes",
	     strlen(kr->keys[0].secret_hex) == 64 && kr->keys[0].mac256.ready);
	T_OK("bad windows refused",
	     signet_keyring_add(kr, SIGNET_KEY_ADDR, T0, sign, sign - 1, &id) ==
		     SIGNET_E_CONFIG);
	T_OK("signing id", signet_keyring_signing_id(kr, SIGNET_KEY_ADDR, T0,
						     &id) == SIGNET_OK &&
				   id == 0);
	T_OK("no signer before created",
	     signet_keyring_signer(kr, SIGNET_KEY_ADDR, T0 - 1) == NULL);
	T_OK("no signer at signs_until",
	     signet_keyring_signer(kr, SIGNET_KEY_ADDR, T0 + sign) == NULL);
	T_OK("verifies at verifies_until",
	     signet_keyring_find(kr, SIGNET_KEY_ADDR, 0, T0 + verify) != NULL);
	T_OK("not after verifies_until",
	     signet_keyring_find(kr, SIGNET_KEY_ADDR, 0, T0 + verify + 1) ==
		     NULL);
	T_OK("find wants the purpose",
	     signet_keyring_find(kr, SIGNET_KEY_SEAL, 1, T0) == NULL &&
		     signet_keyring_find(kr, SIGNET_KEY_SEAL, 0, T0) ==
			     &kr->keys[1]);
	T_OK("small clock skew tolerated",
	     signet_keyring_find(kr, SIGNET_KEY_ADDR, 0, T0 - 60) != NULL &&
		     signet_keyring_find(kr, SIGNET_KEY_ADDR, 0, T0 - 3600) ==
			     NULL);

	/* rotate after 30 days: new key 1 signs, key 0 stops signing and
	   verifies for lifetime + grace after its last signature */
	T_OK("rotate",
	     signet_keyring_rotate(kr, SIGNET_KEY_ADDR, T0 + 30 * DAY, 0, sign,
				   verify, &id, &destroyed) == SIGNET_OK &&
		     id == 1 && destroyed == 0);
	k = signet_keyring_signer(kr, SIGNET_KEY_ADDR, T0 + 30 * DAY);
	T_OK("new key signs", k != NULL && k->id == 1);
	k = signet_keyring_find(kr, SIGNET_KEY_ADDR, 0, T0 + 30 * DAY);
	T_OK("old key stops signing at rotation",
	     k != NULL && k->signs_until == T0 + 30 * DAY);
	T_OK("old key verifies until lifetime and grace after rotation",
	     k != NULL && k->verifies_until == T0 + 30 * DAY + 52 * DAY);
	T_OK("seal key untouched by addr rotation",
	     kr->keys[1].signs_until == T0 + sign);
	T_OK("old key still verifies a day before its end",
	     signet_keyring_find(kr, SIGNET_KEY_ADDR, 0, T0 + 81 * DAY) !=
		     NULL);

	/* past key 0's verify window: the next rotation destroys it */
	T_OK("rotate destroys dead keys",
	     signet_keyring_rotate(kr, SIGNET_KEY_ADDR, T0 + 83 * DAY, 0, sign,
				   verify, &id, &destroyed) == SIGNET_OK &&
		     id == 2 && destroyed == 1);
	T_OK("destroyed key is gone",
	     signet_keyring_find(kr, SIGNET_KEY_ADDR, 0, T0 + 30 * DAY) ==
		     NULL);
	T_OK("three keys left", kr->n == 3);

	for (size_t i = kr->n; i < kr->cap; i++) {
		const unsigned char *b = (const unsigned char *)&kr->keys[i];

		for (size_t j = 0; j < sizeof(kr->keys[i]); j++)
			ok &= b[j] == 0;
	}
	T_OK("destroyed key's slot is wiped", ok);

	/* ids cycle and skip ids in use; ten live ids: refuse */
	ok = 1;
	for (int i = 0; i < 8; i++)
		ok &= signet_keyring_add(kr, SIGNET_KEY_ADDR,
					 T0 + (84 + i) * DAY, sign, verify,
					 &id) == SIGNET_OK;
	T_OK("ids cycle 0..9", ok && id == 0);
	T_OK("all ten ids in use: add refused",
	     signet_keyring_add(kr, SIGNET_KEY_ADDR, T0 + 95 * DAY, sign,
				verify, &id) == SIGNET_E_CONFIG);
	T_OK("the other purpose still has room",
	     signet_keyring_add(kr, SIGNET_KEY_SEAL, T0 + 95 * DAY, sign,
				verify, &id) == SIGNET_OK &&
		     id == 1);
	signet_keyring_free(&kr);
}

/* A fleet's rotation: the new key starts signing two days later, so every
   host has it before any address signed with it arrives. */
static void
test_delayed_rotation(void)
{
	signet_keyring *kr;
	const struct signet_key *k;
	int id, destroyed;

	T_OK("delayed: new keyring", signet_keyring_new(&kr) == SIGNET_OK);
	T_OK("delayed: first key",
	     signet_keyring_add(kr, SIGNET_KEY_ADDR, T0, 90 * DAY, 150 * DAY,
				&id) == SIGNET_OK);
	T_OK("delayed: rotate with a two-day delay",
	     signet_keyring_rotate(kr, SIGNET_KEY_ADDR, T0 + DAY, 2 * DAY,
				   90 * DAY, 150 * DAY, &id,
				   &destroyed) == SIGNET_OK &&
		     id == 1);
	k = signet_keyring_signer(kr, SIGNET_KEY_ADDR, T0 + 2 * DAY);
	T_OK("delayed: old key signs until the new one starts",
	     k != NULL && k->id == 0 && k->signs_until == T0 + 3 * DAY);
	k = signet_keyring_signer(kr, SIGNET_KEY_ADDR, T0 + 3 * DAY);
	T_OK("delayed: new key signs from its start", k != NULL && k->id == 1);
	signet_keyring_free(&kr);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	static const char *const files[] = {"good.json", "r400.json",
					    "world.json", "group.json",
					    "gw.json"};

	t_suite = "unit-keyring";
	snprintf(dir, sizeof(dir), "%s/test-keyring.XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	test_load();
	test_load_errors();
	test_save_roundtrip();
	test_add_rotate();
	test_delayed_rotation();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(file_path(files[i]));
	rmdir(dir);
	return t_failed != 0;
}
