/* The event feed: line format, file mode, and concurrent writers whose
   lines must never mix. */
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
	test_concurrent();
	rmdir(dir);
	return t_failed != 0;
}
