/* The keyring file: keys with their purpose, id, secret and dates. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json-internal.h"

/* A key created a little in the future still verifies (clock skew
   between hubs that share a keyring). */
#define KEY_SKEW 300

static const char *const purpose_names[] = {"addr", "seal"};

/* jansson copies the secret's text into buffers it frees itself; while
   we parse or write a keyring, make its free wipe them first.  Only when
   the process uses jansson's default allocator (malloc/free).  The
   setting is process-wide: Exim and Dovecot processes are single-threaded
   where they load keys. */
static json_malloc_t saved_malloc;
static json_free_t saved_free;

static void
wiping_free(void *p)
{
	if (p != NULL)
		signet_wipe(p, malloc_usable_size(p));
	free(p);
}

static void
wipe_begin(void)
{
	json_get_alloc_funcs(&saved_malloc, &saved_free);
	if (saved_malloc == malloc && saved_free == free)
		json_set_alloc_funcs(malloc, wiping_free);
}

static void
wipe_end(void)
{
	json_set_alloc_funcs(saved_malloc, saved_free);
}

signet_status
signet_keyring_new(signet_keyring **kr_r)
{
	*kr_r = calloc(1, sizeof(**kr_r));
	return *kr_r != NULL ? SIGNET_OK : SIGNET_E_NOMEM;
}

void
signet_keyring_free(signet_keyring **kr)
{
	if (*kr == NULL)
		return;
	if ((*kr)->keys != NULL) {
		signet_wipe((*kr)->keys, (*kr)->cap * sizeof((*kr)->keys[0]));
		free((*kr)->keys);
	}
	signet_wipe(*kr, sizeof(**kr));
	free(*kr);
	*kr = NULL;
}

/* Room for want keys.  A new array rather than realloc(), so that no copy
   of the secrets is left behind unwiped. */
static int
keyring_reserve(signet_keyring *kr, size_t want)
{
	struct signet_key *keys;
	size_t cap = kr->cap > 0 ? kr->cap : 2;

	if (want <= kr->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	if (cap > SIGNET_KEYS_MAX)
		cap = SIGNET_KEYS_MAX;
	if (want > cap)
		return -1;
	keys = calloc(cap, sizeof(*keys));
	if (keys == NULL)
		return -1;
	if (kr->keys != NULL) {
		memcpy(keys, kr->keys, kr->n * sizeof(*keys));
		signet_wipe(kr->keys, kr->cap * sizeof(*keys));
		free(kr->keys);
	}
	kr->keys = keys;
	kr->cap = cap;
	return 0;
}

/* ---- loading ---- */

static int
kbad(const struct signet_jctx *c, const struct signet_jpath *p, const json_t *v,
     const char *expected)
{
	char got[64];

	signet_jdescribe(v, got, sizeof(got));
	signet_jerr(c, p, "expected %s, got %s", expected, got);
	return -1;
}

static int
load_time(const struct signet_jctx *c, const struct signet_jpath *p,
	  const json_t *v, time_t *t_r)
{
	*t_r = signet_time_parse(json_string_value(v));
	if (*t_r == (time_t)-1)
		return kbad(c, p, v,
			    "an RFC 3339 UTC time such as "
			    "\"2026-11-22T07:30:00Z\"");
	return 0;
}

/* Checks the secret without ever quoting it in a message. */
static int
load_secret(const struct signet_jctx *c, const struct signet_jpath *p,
	    const json_t *v, struct signet_key *k)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);

	if (s == NULL) {
		signet_jerr(c, p,
			    "expected 64 lower-case hex digits, got a "
			    "value that is not a string");
		return -1;
	}
	if (len != 2 * SIGNET_KEY_BYTES) {
		signet_jerr(c, p,
			    "expected 64 lower-case hex digits, got %zu "
			    "characters",
			    len);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f'))) {
			signet_jerr(c, p,
				    "expected 64 lower-case hex digits, "
				    "got another character at position %zu",
				    i + 1);
			return -1;
		}
	}
	if (signet_hex_decode(s, len, k->secret) < 0)
		return -1;
	memcpy(k->secret_hex, s, len);
	k->secret_hex[len] = '\0';
	return 0;
}

static int
load_key(const struct signet_jctx *c, const struct signet_jpath *p, json_t *obj,
	 struct signet_key *k)
{
	static const char *const fields[] = {"id",	    "purpose",
					     "secret",	    "created",
					     "signs_until", "verifies_until"};
	const char *key;
	json_t *v;
	int seen = 0;

	if (!json_is_object(obj))
		return kbad(c, p, obj,
			    "an object with id, purpose, secret, "
			    "created, signs_until and verifies_until");
	json_object_foreach(obj, key, v)
	{
		struct signet_jpath f = {p, key, 0};
		size_t i;
		int r = 0;

		for (i = 0; i < 6 && strcmp(key, fields[i]) != 0; i++)
			;
		if (i == 6) {
			signet_jerr(c, &f,
				    "unknown field; expected id, "
				    "purpose, secret, created, signs_until "
				    "or verifies_until");
			return -1;
		}
		seen |= 1 << i;
		switch (i) {
		case 0:
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) >= SIGNET_KEY_IDS)
				r = kbad(c, &f, v, "a key id from 0 to 9");
			else
				k->id = (int)json_integer_value(v);
			break;
		case 1:
			if (json_is_string(v) &&
			    strcmp(json_string_value(v), "addr") == 0)
				k->purpose = SIGNET_KEY_ADDR;
			else if (json_is_string(v) &&
				 strcmp(json_string_value(v), "seal") == 0)
				k->purpose = SIGNET_KEY_SEAL;
			else
				r = kbad(c, &f, v, "\"addr\" or \"seal\"");
			break;
		case 2:
			r = load_secret(c, &f, v, k);
			break;
		case 3:
			r = load_time(c, &f, v, &k->created);
			break;
		case 4:
			r = load_time(c, &f, v, &k->signs_until);
			break;
		default:
			r = load_time(c, &f, v, &k->verifies_until);
			break;
		}
		if (r < 0)
			return -1;
	}
	for (size_t i = 0; i < 6; i++) {
		if ((seen & (1 << i)) == 0) {
			signet_jerr(c, p, "\"%s\" is missing", fields[i]);
			return -1;
		}
	}
	if (k->created > k->signs_until || k->signs_until > k->verifies_until) {
		signet_jerr(c, p,
			    "expected created <= signs_until <= "
			    "verifies_until");
		return -1;
	}
	return 0;
}

static int
load_keys(const struct signet_jctx *c, const struct signet_jpath *p,
	  json_t *keys, signet_keyring *kr)
{
	size_t i;
	json_t *obj;

	if (!json_is_array(keys))
		return kbad(c, p, keys, "a list of keys");
	if (json_array_size(keys) > SIGNET_KEYS_MAX) {
		signet_jerr(c, p,
			    "expected at most %d keys (ids 0-9 for each "
			    "purpose), got %zu",
			    SIGNET_KEYS_MAX, json_array_size(keys));
		return -1;
	}
	if (keyring_reserve(kr, json_array_size(keys)) < 0) {
		signet_jerr(c, p, "out of memory for %zu keys",
			    json_array_size(keys));
		return -1;
	}
	json_array_foreach(keys, i, obj)
	{
		struct signet_jpath e = {p, NULL, i};
		struct signet_key *k = &kr->keys[i];

		if (load_key(c, &e, obj, k) < 0)
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (kr->keys[j].purpose == k->purpose &&
			    kr->keys[j].id == k->id) {
				signet_jerr(c, &e,
					    "%s key id %d is used "
					    "twice (also keys[%zu]); expected "
					    "ids unique for each purpose",
					    purpose_names[k->purpose], k->id,
					    j);
				return -1;
			}
		}
		signet_key_prepare(k);
		kr->n = i + 1;
	}
	return 0;
}

static signet_status
keyring_parse(const struct signet_jctx *c, signet_keyring *kr)
{
	struct signet_jpath top = {NULL, NULL, 0};
	const char *key;
	json_t *root, *v;
	int r = 0;

	root = signet_jload(c);
	if (root == NULL)
		return SIGNET_E_KEYRING;
	json_object_foreach(root, key, v)
	{
		struct signet_jpath f = {&top, key, 0};

		if (strcmp(key, "version") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) != 1)
				r = kbad(c, &f, v, "1");
		} else if (strcmp(key, "keys") == 0) {
			r = load_keys(c, &f, v, kr);
		} else {
			signet_jerr(c, &f,
				    "unknown field; expected "
				    "\"version\" or \"keys\"");
			r = -1;
		}
		if (r < 0)
			break;
	}
	if (r == 0 && json_object_get(root, "version") == NULL) {
		signet_jerr(c, &top,
			    "\"version\" is missing; expected "
			    "\"version\": 1");
		r = -1;
	}
	if (r == 0 && json_object_get(root, "keys") == NULL) {
		signet_jerr(c, &top,
			    "\"keys\" is missing; expected "
			    "\"keys\": [ ... ]");
		r = -1;
	}
	json_decref(root);
	return r == 0 ? SIGNET_OK : SIGNET_E_KEYRING;
}

signet_status
signet_keyring_parse(const char *text, size_t len, const char *name,
		     signet_keyring **kr_r, char *errbuf, size_t errlen)
{
	struct signet_jctx c = {name, text, len, errbuf, errlen};
	signet_keyring *kr;
	signet_status st;

	*kr_r = NULL;
	st = signet_keyring_new(&kr);
	if (st != SIGNET_OK)
		return st;
	wipe_begin();
	st = keyring_parse(&c, kr);
	wipe_end();
	if (st != SIGNET_OK)
		signet_keyring_free(&kr);
	*kr_r = kr;
	return st;
}

signet_status
signet_keyring_load(const char *path, signet_keyring **kr_r, char *errbuf,
		    size_t errlen)
{
	signet_status st;
	char *text;
	size_t len;

	*kr_r = NULL;
	st = signet_jread_file(path, SIGNET_KEYRING_FILE_MAX, "the keys", &text,
			       &len, errbuf, errlen);
	if (st == SIGNET_E_IO)
		st = SIGNET_E_KEYRING;
	if (st != SIGNET_OK)
		return st;
	st = signet_keyring_parse(text, len, path, kr_r, errbuf, errlen);
	signet_wipe(text, len);
	free(text);
	return st;
}

/* ---- queries ---- */

/* Each query takes a NULL keyring (none could be loaded) as an empty one,
   so that a caller that missed the failure gets "no key", never a crash
   of the process it runs in. */

size_t
signet_keyring_count(const signet_keyring *kr)
{
	return kr != NULL ? kr->n : 0;
}

signet_status
signet_keyring_info(const signet_keyring *kr, size_t idx,
		    struct signet_key_info *info_r)
{
	const struct signet_key *k;

	if (kr == NULL || idx >= kr->n)
		return SIGNET_E_NO_KEY;
	k = &kr->keys[idx];
	info_r->id = k->id;
	info_r->purpose = k->purpose;
	info_r->created = k->created;
	info_r->signs_until = k->signs_until;
	info_r->verifies_until = k->verifies_until;
	return SIGNET_OK;
}

const struct signet_key *
signet_keyring_find(const signet_keyring *kr, enum signet_key_purpose p, int id,
		    time_t now)
{
	for (size_t i = 0; kr != NULL && i < kr->n; i++) {
		const struct signet_key *k = &kr->keys[i];

		if (k->purpose == p && k->id == id &&
		    now <= k->verifies_until && k->created <= now + KEY_SKEW)
			return k;
	}
	return NULL;
}

int
signet_keyring_has(const signet_keyring *kr, enum signet_key_purpose p,
		   time_t now)
{
	for (size_t i = 0; kr != NULL && i < kr->n; i++)
		if (kr->keys[i].purpose == p &&
		    now <= kr->keys[i].verifies_until)
			return 1;
	return 0;
}

const struct signet_key *
signet_keyring_signer(const signet_keyring *kr, enum signet_key_purpose p,
		      time_t now)
{
	const struct signet_key *best = NULL;

	for (size_t i = 0; kr != NULL && i < kr->n; i++) {
		const struct signet_key *k = &kr->keys[i];

		if (k->purpose == p && k->created <= now &&
		    now < k->signs_until &&
		    (best == NULL || k->created >= best->created))
			best = k;
	}
	return best;
}

signet_status
signet_keyring_signing_id(const signet_keyring *kr, enum signet_key_purpose p,
			  time_t now, int *id_r)
{
	const struct signet_key *k = signet_keyring_signer(kr, p, now);

	if (k == NULL)
		return SIGNET_E_NO_KEY;
	*id_r = k->id;
	return SIGNET_OK;
}

/* ---- adding, rotating ---- */

/* The id after the newest key's, skipping ids still present. */
static int
next_id(const signet_keyring *kr, enum signet_key_purpose p)
{
	const struct signet_key *newest = NULL;
	int used[SIGNET_KEY_IDS] = {0}, start;

	for (size_t i = 0; i < kr->n; i++) {
		const struct signet_key *k = &kr->keys[i];

		if (k->purpose != p)
			continue;
		used[k->id] = 1;
		if (newest == NULL || k->created >= newest->created)
			newest = k;
	}
	start = newest != NULL ? newest->id + 1 : 0;
	for (int j = 0; j < SIGNET_KEY_IDS; j++) {
		int id = (start + j) % SIGNET_KEY_IDS;

		if (!used[id])
			return id;
	}
	return -1;
}

signet_status
signet_keyring_add(signet_keyring *kr, enum signet_key_purpose purpose,
		   time_t now, long long sign_for, long long verify_for,
		   int *id_r)
{
	struct signet_key *k;
	int id;

	if ((purpose != SIGNET_KEY_ADDR && purpose != SIGNET_KEY_SEAL) ||
	    sign_for < 0 || verify_for < sign_for ||
	    verify_for > 100LL * 366 * 86400)
		return SIGNET_E_CONFIG;
	/* all ten ids of this purpose still verify: refuse rather than
	   destroy a key that valid addresses may still use */
	id = next_id(kr, purpose);
	if (id < 0 || kr->n >= SIGNET_KEYS_MAX)
		return SIGNET_E_CONFIG;
	if (keyring_reserve(kr, kr->n + 1) < 0)
		return SIGNET_E_NOMEM;
	k = &kr->keys[kr->n];
	memset(k, 0, sizeof(*k));
	if (signet_random(k->secret, sizeof(k->secret)) != 0) {
		signet_wipe(k, sizeof(*k));
		return SIGNET_E_INTERNAL;
	}
	signet_hex_encode(k->secret, sizeof(k->secret), k->secret_hex);
	k->id = id;
	k->purpose = purpose;
	k->created = now;
	k->signs_until = now + (time_t)sign_for;
	k->verifies_until = now + (time_t)verify_for;
	signet_key_prepare(k);
	kr->n++;
	if (id_r != NULL)
		*id_r = id;
	return SIGNET_OK;
}

static int
destroy_dead(signet_keyring *kr, enum signet_key_purpose p, time_t now)
{
	size_t j = 0;
	int destroyed = 0;

	for (size_t i = 0; i < kr->n; i++) {
		struct signet_key *k = &kr->keys[i];

		if (k->purpose == p && k->verifies_until < now) {
			destroyed++;
			continue;
		}
		if (j != i)
			kr->keys[j] = *k;
		j++;
	}
	if (j < kr->n)
		signet_wipe(&kr->keys[j], (kr->n - j) * sizeof(kr->keys[0]));
	kr->n = j;
	return destroyed;
}

signet_status
signet_keyring_rotate(signet_keyring *kr, enum signet_key_purpose purpose,
		      time_t now, long long delay, long long sign_for,
		      long long verify_for, int *id_r, int *destroyed_r)
{
	time_t start = now + (time_t)(delay > 0 ? delay : 0);
	size_t newest;
	signet_status st;
	int destroyed, id;

	destroyed = destroy_dead(kr, purpose, now);
	if (destroyed_r != NULL)
		*destroyed_r = destroyed;
	st = signet_keyring_add(kr, purpose, start, sign_for, verify_for, &id);
	if (st != SIGNET_OK)
		return st;
	newest = kr->n - 1;
	/* An older key's last signature is made at start, so it need verify
	   only as long after that as a new key verifies after its last. */
	for (size_t i = 0; i < newest; i++) {
		struct signet_key *k = &kr->keys[i];
		time_t last = start + (time_t)(verify_for - sign_for);

		if (k->purpose != purpose)
			continue;
		if (k->signs_until > start)
			k->signs_until = start < k->created ? k->created : start;
		if (k->verifies_until > last)
			k->verifies_until = last;
	}
	if (id_r != NULL)
		*id_r = id;
	return SIGNET_OK;
}

/* ---- saving ---- */

static json_t *
key_json(const struct signet_key *k)
{
	char created[32], signs[32], verifies[32];

	signet_time_format(k->created, created);
	signet_time_format(k->signs_until, signs);
	signet_time_format(k->verifies_until, verifies);
	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:s}", "id", k->id,
			 "purpose", purpose_names[k->purpose], "secret",
			 k->secret_hex, "created", created, "signs_until",
			 signs, "verifies_until", verifies);
}

static char *
keyring_text(const signet_keyring *kr, int seal_only)
{
	json_t *root, *keys;
	char *text = NULL;

	root = json_pack("{s:i, s:[]}", "version", 1, "keys");
	if (root == NULL)
		return NULL;
	keys = json_object_get(root, "keys");
	for (size_t i = 0; i < kr->n; i++) {
		const struct signet_key *k = &kr->keys[i];

		if (seal_only && k->purpose != SIGNET_KEY_SEAL)
			continue;
		if (json_array_append_new(keys, key_json(k)) < 0)
			goto out;
	}
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
out:
	json_decref(root);
	return text;
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static void
sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* A rotated keyring keeps the owner and group of the file it replaces
   (say Debian-exim), or the daemons that read it would be locked out. */
static int
keep_owner(int fd, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (st.st_uid == geteuid() && st.st_gid == getegid())
		return 0;
	return fchown(fd, st.st_uid, st.st_gid);
}

signet_status
signet_keyring_save(const signet_keyring *kr, const char *path, int seal_only,
		    char *errbuf, size_t errlen)
{
	char tmp[PATH_MAX], *text;
	size_t len;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >=
	    (int)sizeof(tmp)) {
		signet_err(errbuf, errlen, "%s: file name too long", path);
		return SIGNET_E_IO;
	}
	wipe_begin();
	text = keyring_text(kr, seal_only);
	wipe_end();
	if (text == NULL)
		return SIGNET_E_NOMEM;
	len = strlen(text);
	/* mkstemp creates the file with mode 0600 */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		signet_err(errbuf, errlen,
			   "%s: cannot create a temporary "
			   "file beside it: %s",
			   path, strerror(errno));
		signet_wipe(text, len);
		free(text);
		return SIGNET_E_IO;
	}
	if (keep_owner(fd, path) < 0) {
		err = errno;
		signet_err(errbuf, errlen,
			   "%s: cannot give the new file the "
			   "owner and group of the old one: %s",
			   path, strerror(err));
		close(fd);
		unlink(tmp);
		signet_wipe(text, len);
		free(text);
		return SIGNET_E_IO;
	}
	if (fchmod(fd, 0600) < 0 || write_all(fd, text, len) < 0 ||
	    write_all(fd, "\n", 1) < 0 || fsync(fd) < 0)
		err = errno;
	signet_wipe(text, len);
	free(text);
	if (close(fd) < 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) < 0)
		err = errno;
	if (err != 0) {
		signet_err(errbuf, errlen, "%s: cannot write: %s", path,
			   strerror(err));
		unlink(tmp);
		return SIGNET_E_IO;
	}
	sync_dir(path);
	return SIGNET_OK;
}
