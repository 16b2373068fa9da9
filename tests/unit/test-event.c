/* The event feed: line format, file mode, and concurrent writers whose
   lines must never mix. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signet.h"
#include "t.h"

#define T0 ((time_t)1795332600)
#define WRITERS 8
#define LINES 400

static char dir[256], path[512];

static char *
first_line(void)
{
	static char line[4096];
	FILE *f = fopen(path, "r");

	line[0] = '\0';
	if (f != NULL) {
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		fclose(f);
	}
	return line;
}

static void
test_format(void)
{
	const char *kv[] = {"addr",  "alice=sg0abc@isp.example",
			    "event", "forged",
			    "quote", "say \"hi\"\n",
			    "raw",   "caf\xe9",
			    "msgid", NULL,
			    "after", "x",
			    NULL};
	struct stat st;

	T_OK("NULL path writes nothing",
	     signet_event_write(NULL, T0, "issued", kv) == SIGNET_OK);
	T_OK("empty path writes nothing",
	     signet_event_write("", T0, "issued", kv) == SIGNET_OK);
	umask(022);
	T_OK("write", signet_event_write(path, T0, "issued", kv) == SIGNET_OK);
	T_STREQ("one compact line, ts and event first, ours not replaced, "
		"8-bit bytes made safe, NULL value ends the list",
		first_line(),
		"{\"ts\":\"2026-11-22T07:30:00Z\",\"event\":\"issued\","
		"\"addr\":\"alice=sg0abc@isp.example\","
		"\"quote\":\"say \\\"hi\\\"\\n\",\"raw\":\"caf?\"}\n");
	T_OK("created with mode 0640",
	     stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
	T_OK("no pairs",
	     signet_event_write(path, T0, "shown", NULL) == SIGNET_OK);
	T_OK("unwritable place gives SIGNET_E_IO",
	     signet_event_write("/nonexistent/dir/events.jsonl", T0, "issued",
				kv) == SIGNET_E_IO);
	T_OK("no kind is a caller's error",
	     signet_event_write(path, T0, NULL, kv) == SIGNET_E_INTERNAL);
	unlink(path);
}

static void
test_concurrent(void)
{
	char value[1200];
	FILE *f;
	char line[4096];
	int good = 0, bad = 0, failed = 0;

	/* long lines, so that a torn write would show */
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	for (int w = 0; w < WRITERS; w++) {
		pid_t pid = fork();

		if (pid == 0) {
			char who[16];
			const char *kv[] = {"writer", who, "pad", value, NULL};
			int errs = 0;

			snprintf(who, sizeof(who), "%d", w);
			for (int i = 0; i < LINES; i++)
				errs += signet_event_write(path, T0, "verified",
							   kv) != SIGNET_OK;
			_exit(errs != 0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed++;
	}
	T_OK("every writer succeeded", failed == 0);
	f = fopen(path, "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		json_t *o = json_loads(line, 0, NULL);

		if (o != NULL && strlen(line) > 1200 &&
		    line[strlen(line) - 1] == '\n')
			good++;
		else
			bad++;
		json_decref(o);
	}
	if (f != NULL)
		fclose(f);
	T_OK("every line of concurrent writers is whole", bad == 0);
	T_OK("no line lost", good == WRITERS * LINES);
	unlink(path);
}

/* What jansson writes for the same pairs: the hand-written line must be
   the same, byte for byte. */
static char *
jansson_line(time_t now, const char *kind, const char *const *kv)
{
	char ts[32], *line;
	json_t *obj;

	signet_time_format(now, ts);
	obj = json_pack("{s:s, s:s}", "ts", ts, "event", kind);
	for (size_t i = 0; kv[i] != NULL && kv[i + 1] != NULL; i += 2) {
		json_t *v;

		if (strcmp(kv[i], "ts") == 0 || strcmp(kv[i], "event") == 0)
			continue;
		v = json_string(kv[i + 1]);
		if (v == NULL) {
			char *c = strdup(kv[i + 1]);

			for (char *q = c; *q != '\0'; q++) {
				if ((unsigned char)*q >= 0x80)
					*q = '?';
			}
			v = json_string(c);
			free(c);
		}
		json_object_set_new(obj, kv[i], v);
	}
	line = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	return line;
}

static void
test_like_jansson(void)
{
	static const char *const keys[] = {"addr", "rcpt", "ts", "a\"b",
					   "caf\xc3\xa9", "addr"};
	static const unsigned char pool[] = {
		'a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', 1, 0x1f, 0x7f,
		0x80, 0xbf, 0xc0, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xed, 0xa0,
		0xf0, 0x9f, 0x98, 0x80, 0xf4, 0x90, 0xff, 0xe0};
	unsigned int seed = 12345;
	int same = 1;

	for (int round = 0; round < 3000 && same; round++) {
		char vals[4][24], want[4096];
		const char *kv[9];
		size_t n = 0;
		char *j;

		for (int k = 0; k < 4; k++) {
			size_t len;

			seed = seed * 1103515245 + 12345;
			len = (seed >> 16) % 20;
			for (size_t c = 0; c < len; c++) {
				seed = seed * 1103515245 + 12345;
				vals[k][c] = (char)pool[(seed >> 16) %
							sizeof(pool)];
			}
			vals[k][len] = '\0';
			seed = seed * 1103515245 + 12345;
			kv[n++] = keys[(seed >> 16) % 6];
			kv[n++] = vals[k];
		}
		kv[n] = NULL;
		unlink(path);
		if (signet_event_write(path, T0, "verified", kv) != SIGNET_OK) {
			same = 0;
			break;
		}
		j = jansson_line(T0, "verified", kv);
		snprintf(want, sizeof(want), "%s\n", j != NULL ? j : "");
		free(j);
		if (strcmp(first_line(), want) != 0) {
			printf("  got  %s  want %s", first_line(), want);
			same = 0;
		}
	}
	T_OK("3000 random lines are what jansson writes, byte for byte",
	     same);
	unlink(path);
}

/* A write that fails says why in errno: the hosts log it (a full disk
   must not read as "unreachable"). */
static void
test_errors(void)
{
	const char *kv[] = {"k", "v", NULL};
	char missing[sizeof(dir) + 32];

	errno = 0;
	T_OK("a full disk is SIGNET_E_IO with errno ENOSPC",
	     signet_event_write("/dev/full", 1, "issued", kv) ==
			     SIGNET_E_IO &&
		     errno == ENOSPC);
	snprintf(missing, sizeof(missing), "%s/no/such/dir", dir);
	errno = 0;
	T_OK("a missing directory is SIGNET_E_IO with errno ENOENT",
	     signet_event_write(missing, 1, "issued", kv) == SIGNET_E_IO &&
		     errno == ENOENT);
}

static int
count_lines(const char *file)
{
	char line[4096];
	FILE *f = fopen(file, "r");
	int n = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		n++;
	if (f != NULL)
		fclose(f);
	return n;
}

/* A kept log: opened once, followed to a new file only when a second of
   the caller's clock has passed (a rotation: the old file renamed). */
static void
test_kept_log(void)
{
	const char *kv[] = {"rcpt", "a@isp.example", NULL};
	char rotated[600];
	signet_event_log *log = NULL;

	snprintf(rotated, sizeof(rotated), "%s.1", path);
	T_OK("log: new", signet_event_log_new(path, &log) == SIGNET_OK &&
				 strcmp(signet_event_log_path(log), path) == 0);
	T_OK("log: first write",
	     signet_event_log_write(log, T0, "verified", kv) == SIGNET_OK);
	T_OK("log: renamed away", rename(path, rotated) == 0);
	T_OK("log: same second, same file (no reopen)",
	     signet_event_log_write(log, T0, "verified", kv) == SIGNET_OK &&
		     count_lines(rotated) == 2 && access(path, F_OK) != 0);
	T_OK("log: next second, the new file",
	     signet_event_log_write(log, T0 + 1, "verified", kv) ==
			     SIGNET_OK &&
		     count_lines(path) == 1 && count_lines(rotated) == 2);
	signet_event_log_free(&log);
	T_OK("log: free sets NULL", log == NULL);
	signet_event_log_free(&log);
	T_OK("log: NULL log writes nothing",
	     signet_event_log_write(NULL, T0, "verified", kv) == SIGNET_OK);
	unlink(rotated);
	unlink(path);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	t_suite = "unit-event";
	snprintf(dir, sizeof(dir), "%s/test-event.XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	test_format();
	test_like_jansson();
	test_concurrent();
	test_kept_log();
	test_errors();
	rmdir(dir);
	return t_failed != 0;
}
