/* The configuration file: defaults, every check, error positions and the
   queries the hosts use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json-internal.h"
#include "t.h"

static char dir[256];

static const char *
write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	return path;
}

/* Parses text from memory as "t.json"; returns the error text or "". */
static const char *
parse_err(const char *text)
{
	static char err[SIGNET_ERR_BUFSZ];
	signet_config *cfg = NULL;
	signet_status st;

	err[0] = '\0';
	st = signet_config_parse(text, strlen(text), "t.json", &cfg, err,
				 sizeof(err));
	if (st == SIGNET_OK) {
		signet_config_free(&cfg);
		return "";
	}
	if (st != SIGNET_E_CONFIG)
		return "wrong status";
	return cfg == NULL ? err : "cfg set on error";
}

static void
test_defaults(void)
{
	const char *text =
		"{\"domains\": [\"isp.example\", \"mail.isp.example\"]}";
	struct signet_lifetimes lt;
	signet_config *cfg = NULL;
	char err[SIGNET_ERR_BUFSZ] = "";

	T_OK("minimal file loads",
	     signet_config_parse(text, strlen(text), "/etc/x/signet.json", &cfg,
				 err, sizeof(err)) == SIGNET_OK);
	if (cfg == NULL)
		return;
	T_OK("default format signet",
	     signet_config_format(cfg) == SIGNET_FMT_SIGNET);
	T_OK("default null policy tag",
	     signet_config_null_policy(cfg) == SIGNET_NULL_TAG);
	signet_config_lifetimes(cfg, &lt);
	T_OK("default lifetimes",
	     lt.lifetime == 45 * 86400 && lt.grace == 7 * 86400 &&
		     lt.prvs_lifetime == 7 * 86400 && lt.max_skew == 300);
	T_STREQ("default keyring", signet_config_keyring_path(cfg),
		"/etc/signet/keyring.json");
	T_STREQ("seal keyring defaults to keyring",
		signet_config_seal_keyring_path(cfg),
		"/etc/signet/keyring.json");
	T_STREQ("default event log", signet_config_event_log_path(cfg),
		"/var/log/signet/events.jsonl");
	T_STREQ("path kept", signet_config_path(cfg), "/etc/x/signet.json");
	T_OK("default exempt postmaster",
	     signet_config_is_exempt(cfg, "PostMaster@isp.example"));
	T_OK("default exempt list -request",
	     signet_config_is_exempt(cfg, "users-request@isp.example"));
	T_OK("default exempt owner-",
	     signet_config_is_exempt(cfg, "owner-users@isp.example"));
	T_OK("alice not exempt",
	     !signet_config_is_exempt(cfg, "alice@isp.example"));
	T_OK("local domain, any case",
	     signet_config_is_local_domain(cfg, "ISP.Example", 11));
	T_OK("local domain by length",
	     signet_config_is_local_domain(cfg, "isp.example.org", 11));
	T_OK("foreign domain",
	     !signet_config_is_local_domain(cfg, "isp.example.org", 15));
	T_OK("subdomain only if listed",
	     !signet_config_is_local_domain(cfg, "x.isp.example", 13));
	T_STREQ("get_string default for absent",
		signet_config_get_string(cfg, "store.type", "lmdb"), "lmdb");
	T_OK("get_int default for absent",
	     signet_config_get_int(cfg, "store.port", 6379) == 6379);
	T_OK("settings: the defaults",
	     strcmp(signet_config_settings(cfg)->store.type, "lmdb") == 0 &&
		     strcmp(signet_config_settings(cfg)->store.path,
			    "/var/lib/signet/state.mdb") == 0 &&
		     signet_config_settings(cfg)->store.port == 6379 &&
		     signet_config_settings(cfg)->store.user == NULL &&
		     signet_config_settings(cfg)->fade.max_uses == 50 &&
		     signet_config_settings(cfg)->fade.max_base_uses == 5000 &&
		     signet_config_settings(cfg)->fade.uses_per_recipient == 3 &&
		     signet_config_settings(cfg)->fade.max_forged == 20 &&
		     signet_config_settings(cfg)->fade.forged_window_hours ==
			     24 &&
		     signet_config_settings(cfg)->unauthorised ==
			     SIGNET_UNAUTH_OWN &&
		     !signet_config_settings(cfg)->relay_hosts_sign);
	signet_config_free(&cfg);
	T_OK("free NULLs the pointer", cfg == NULL);
	signet_config_free(&cfg);

	T_OK("new has defaults",
	     signet_config_new(&cfg) == SIGNET_OK &&
		     signet_config_path(cfg) == NULL &&
		     signet_config_is_exempt(cfg, "postmaster@a.example"));
	signet_config_free(&cfg);
}

static const char full[] =
	"{\n"
	"  \"domains\": [\"isp.example\", \"isp2.example\"],\n"
	"  \"format\": \"prvs\",\n"
	"  \"lifetime_days\": 60,\n"
	"  \"grace_days\": 0,\n"
	"  \"prvs_lifetime_days\": 10,\n"
	"  \"max_skew_seconds\": 60,\n"
	"  \"null_sender_policy\": \"tag\",\n"
	"  \"exempt\": [\"list-*@isp.example\"],\n"
	"  \"sub_address_separator\": \"-\",\n"
	"  \"keyring\": \"keys/keyring.json\",\n"
	"  \"seal_keyring\": \"/etc/signet/seal.json\",\n"
	"  \"event_log\": \"\",\n"
	"  \"senders\": { \"alice\": [\"sales@isp.example\"],\n"
	"               \"web@isp2.example\": [\"news@isp2.example\"] },\n"
	"  \"unauthorised_sender\": \"reject\",\n"
	"  \"relay_hosts_sign\": true,\n"
	"  \"fade\": { \"max_uses\": 0, \"max_base_uses\": 10 },\n"
	"  \"store\": { \"type\": \"redis\", \"path\": \"state.mdb\",\n"
	"             \"map_size_mb\": 16, \"host\": \"127.0.0.1\",\n"
	"             \"port\": 2580, \"timeout_ms\": 5,\n"
	"             \"prefix\": \"t:\" }\n"
	"}\n";

static void
test_full(void)
{
	struct signet_lifetimes lt;
	signet_config *cfg = NULL;
	char err[SIGNET_ERR_BUFSZ] = "", want[600];
	const char *path = write_file("full.json", full);

	T_OK("full file loads",
	     signet_config_load(path, &cfg, err, sizeof(err)) == SIGNET_OK);
	if (cfg == NULL) {
		printf("  %s\n", err);
		return;
	}
	T_OK("format prvs", signet_config_format(cfg) == SIGNET_FMT_PRVS);
	T_OK("null policy tag",
	     signet_config_null_policy(cfg) == SIGNET_NULL_TAG);
	signet_config_lifetimes(cfg, &lt);
	T_OK("lifetimes in seconds",
	     lt.lifetime == 60 * 86400 && lt.grace == 0 &&
		     lt.prvs_lifetime == 10 * 86400 && lt.max_skew == 60);
	snprintf(want, sizeof(want), "%s/keys/keyring.json", dir);
	T_STREQ("relative keyring is beside the file",
		signet_config_keyring_path(cfg), want);
	snprintf(want, sizeof(want), "%s/state.mdb", dir);
	T_STREQ("relative store path is beside the file",
		signet_config_get_string(cfg, "store.path", NULL), want);
	T_STREQ("absolute seal keyring kept",
		signet_config_seal_keyring_path(cfg), "/etc/signet/seal.json");
	T_OK("empty event log means none",
	     signet_config_event_log_path(cfg) == NULL);
	T_STREQ("get_string nested",
		signet_config_get_string(cfg, "store.type", "lmdb"), "redis");
	T_OK("get_int nested",
	     signet_config_get_int(cfg, "store.port", 6379) == 2580);
	T_OK("get_int zero",
	     signet_config_get_int(cfg, "fade.max_uses", 50) == 0);
	T_OK("get_int boolean",
	     signet_config_get_int(cfg, "relay_hosts_sign", 0) == 1);
	T_STREQ("get_string top",
		signet_config_get_string(cfg, "unauthorised_sender", "x"),
		"reject");
	T_OK("settings: the file's values, paths resolved",
	     strcmp(signet_config_settings(cfg)->store.type, "redis") == 0 &&
		     strcmp(signet_config_settings(cfg)->store.path, want) ==
			     0 &&
		     signet_config_settings(cfg)->store.port == 2580 &&
		     signet_config_settings(cfg)->fade.max_uses == 0 &&
		     signet_config_settings(cfg)->relay_hosts_sign &&
		     signet_config_settings(cfg)->unauthorised ==
			     SIGNET_UNAUTH_REJECT);
	T_OK("get_string of a non-string gives default",
	     signet_config_get_string(cfg, "store.port", NULL) == NULL);
	T_OK("get_int through a non-object gives default",
	     signet_config_get_int(cfg, "format.x", 7) == 7);
	T_OK("own exempt list replaces defaults",
	     signet_config_is_exempt(cfg, "LIST-users@isp.example") &&
		     !signet_config_is_exempt(cfg, "postmaster@isp.example"));

	/* may_send_as */
	T_OK("own address",
	     signet_config_may_send_as(cfg, "alice", "alice@isp.example"));
	T_OK("own address, other case and domain",
	     signet_config_may_send_as(cfg, "Alice", "ALICE@isp2.example"));
	T_OK("own sub-address with configured separator",
	     signet_config_may_send_as(cfg, "alice", "alice-news@isp.example"));
	T_OK("not with another separator",
	     !signet_config_may_send_as(cfg, "alice",
					"alice+news@isp.example"));
	T_OK("not a longer name",
	     !signet_config_may_send_as(cfg, "alice", "alicea@isp.example"));
	T_OK("not someone else",
	     !signet_config_may_send_as(cfg, "alice", "bob@isp.example"));
	T_OK("not a foreign domain",
	     !signet_config_may_send_as(cfg, "alice", "alice@other.example"));
	T_OK("listed in senders",
	     signet_config_may_send_as(cfg, "alice", "Sales@isp.example"));
	T_OK("listed address's sub-address",
	     signet_config_may_send_as(cfg, "alice", "sales-x@isp.example"));
	T_OK("senders are per submitter",
	     !signet_config_may_send_as(cfg, "bob", "sales@isp.example"));
	T_OK("user@ourdomain counts as the user at that domain",
	     signet_config_may_send_as(cfg, "alice@isp2.example",
				       "alice@isp2.example"));
	T_OK("user@ourdomain is not the same name at our other domain",
	     !signet_config_may_send_as(cfg, "alice@isp2.example",
					"alice@isp.example"));
	T_OK("user@ourdomain uses the user's senders",
	     signet_config_may_send_as(cfg, "alice@isp.example",
				       "sales@isp.example"));
	T_OK("user@foreign is not the user",
	     !signet_config_may_send_as(cfg, "alice@other.example",
					"alice@isp.example"));
	T_OK("full submitter name in senders",
	     signet_config_may_send_as(cfg, "web@isp2.example",
				       "news@isp2.example"));
	T_OK("empty submitter",
	     !signet_config_may_send_as(cfg, "", "alice@isp.example"));
	T_OK("bad address",
	     !signet_config_may_send_as(cfg, "alice", "alice@@isp.example"));
	signet_config_free(&cfg);

	{
		const char *text = "{\"domains\": [\"isp.example\"], "
				   "\"keyring\": \"k.json\"}";
		char *cwd = getcwd(NULL, 0);

		snprintf(want, sizeof(want), "%s/sub/k.json", cwd);
		T_OK("relative file name parses",
		     signet_config_parse(text, strlen(text), "sub/t.json", &cfg,
					 err, sizeof(err)) == SIGNET_OK);
		T_STREQ("relative paths become absolute",
			cfg != NULL ? signet_config_keyring_path(cfg) : NULL,
			want);
		signet_config_free(&cfg);
		free(cwd);
	}

	setenv("SIGNET_CONFIG", path, 1);
	T_STREQ("SIGNET_CONFIG names the default", signet_config_default_path(),
		path);
	T_OK("load(NULL) uses it",
	     signet_config_load(NULL, &cfg, err, sizeof(err)) == SIGNET_OK);
	signet_config_free(&cfg);
	unsetenv("SIGNET_CONFIG");
	T_STREQ("built-in default", signet_config_default_path(),
		"/etc/signet/signet.json");
}

/* The shipped example must stay loadable (tests run from the top). */
static void
test_example(void)
{
	char err[SIGNET_ERR_BUFSZ] = "";
	struct signet_lifetimes lt;
	signet_config *cfg = NULL;

	T_OK("conf/signet.json loads",
	     signet_config_load("conf/signet.json", &cfg, err, sizeof(err)) ==
		     SIGNET_OK);
	if (cfg == NULL) {
		printf("  %s\n", err);
		return;
	}
	signet_config_lifetimes(cfg, &lt);
	T_OK("conf/signet.json states the defaults",
	     lt.lifetime == 45 * 86400 && lt.grace == 7 * 86400 &&
		     signet_config_get_int(cfg, "store.timeout_ms", 0) == 5 &&
		     signet_config_is_exempt(cfg, "list-bounces@isp.example") &&
		     signet_config_null_policy(cfg) == SIGNET_NULL_TAG);
	signet_config_free(&cfg);
	/* Read receipts (RFC 8098) come with a null sender to the user's
	   unsigned header address: strict would refuse them, so it is a
	   choice, not the default. */
	T_OK("default null-sender policy is tag",
	     signet_config_parse("{\"domains\": [\"isp.example\"]}", 28, "t",
				 &cfg, err, sizeof(err)) == SIGNET_OK &&
		     signet_config_null_policy(cfg) == SIGNET_NULL_TAG);
	signet_config_free(&cfg);
}

static void
test_errors(void)
{
	char err[SIGNET_ERR_BUFSZ];
	signet_config *cfg = NULL;

	T_STREQ("wrong type names line, column, field and what was expected",
		parse_err("{\n  \"domains\": [\"isp.example\"],\n"
			  "  \"lifetime_days\": \"45\"\n}\n"),
		"t.json:3:3: \"lifetime_days\": expected a whole number of "
		"days from 1 to 3650, got \"45\"");
	T_STREQ("out of range",
		parse_err("{\"domains\": [\"isp.example\"], \"grace_days\": "
			  "-1}"),
		"t.json:1:30: \"grace_days\": expected a whole number of days "
		"from 0 to 365, got -1");
	T_STREQ("unknown key",
		parse_err("{\"domains\": [\"isp.example\"],\n\"lifetime\": "
			  "45}"),
		"t.json:2:1: \"lifetime\": unknown setting; expected one of "
		"domains, format, verify_formats, lifetime_days, grace_days, "
		"prvs_lifetime_days, max_skew_seconds, null_sender_policy, "
		"exempt, sub_address_separator, keyring, seal_keyring, "
		"event_log, senders, unauthorised_sender, relay_hosts_sign, "
		"fade, store");
	T_STREQ("verify_formats: a bad name",
		parse_err("{\"domains\": [\"isp.example\"],\n"
			  "\"verify_formats\": [\"signet\", \"batv\"]}"),
		"t.json:2:30: \"verify_formats[1]\": expected a list of the "
		"formats to accept, from \"signet\" and \"prvs\", such as "
		"[\"signet\"], got \"batv\"");
	T_STREQ("verify_formats: empty",
		parse_err("{\"domains\": [\"isp.example\"],\n"
			  "\"verify_formats\": []}"),
		"t.json:2:1: \"verify_formats\": expected a list of the "
		"formats to accept, from \"signet\" and \"prvs\", such as "
		"[\"signet\"], got a list");
	T_STREQ("nested field path and position",
		parse_err("{\"domains\": [\"isp.example\"],\n"
			  " \"store\": {\"type\": \"lmdb\",\n"
			  "    \"timeout_ms\": 5.5}}"),
		"t.json:3:5: \"store.timeout_ms\": expected a timeout in "
		"milliseconds from 1 to 60000, got 5.5");
	T_STREQ("same key name elsewhere does not mislead the position",
		parse_err("{\"domains\": [\"isp.example\"],\n"
			  " \"fade\": {\"max_uses\": 1},\n"
			  " \"store\": {\"port\": 1, \"type\": \"x\"}}"),
		"t.json:3:23: \"store.type\": expected \"lmdb\", \"redis\" or "
		"\"none\", got \"x\"");
	T_STREQ("unknown nested key",
		parse_err("{\"domains\": [\"isp.example\"], \"fade\": "
			  "{\"uses\": 1}}"),
		"t.json:1:39: \"fade.uses\": unknown setting; expected "
		"\"max_uses\", \"max_base_uses\", \"uses_per_recipient\", "
		"\"max_forged\" or \"forged_window_hours\"");
	T_STREQ("bad JSON gives jansson's line and column",
		parse_err("{\n  \"domains\": [\"isp.example\",]\n}"),
		"t.json:2:29: invalid JSON: unexpected token near ']'");
	T_STREQ("duplicate key",
		parse_err("{\"domains\": [\"a.example\"], \"domains\": "
			  "[\"b.example\"]}"),
		"t.json:1:36: invalid JSON: duplicate object key near "
		"'\"domains\"'");
	T_STREQ("top level must be an object", parse_err("[1]"),
		"t.json:1:1: expected a JSON object { ... } at the top level, "
		"got a list");
	T_STREQ("missing domains", parse_err("{\"format\": \"prvs\"}"),
		"t.json:1:1: \"domains\" is missing; expected a list of our "
		"mail domains, such as \"domains\": [\"isp.example\"]");
	T_STREQ("empty domains", parse_err("{\"domains\": []}"),
		"t.json:1:2: \"domains\": expected a non-empty list of our "
		"mail domains, such as [\"isp.example\"], got a list");
	T_STREQ("upper-case domain points at the element",
		parse_err("{\"domains\": [\"isp.example\",\n"
			  "   \"ISP2.example\"]}"),
		"t.json:2:4: \"domains[1]\": expected a lower-case domain name "
		"such as \"isp.example\", got \"ISP2.example\"");
	T_STREQ("bad domain label",
		parse_err("{\"domains\": [\"-isp.example\"]}"),
		"t.json:1:14: \"domains[0]\": expected a lower-case domain "
		"name such as \"isp.example\", got \"-isp.example\"");
	T_STREQ("bad format",
		parse_err("{\"domains\": [\"isp.example\"], \"format\": "
			  "\"PRVS\"}"),
		"t.json:1:30: \"format\": expected \"signet\" or \"prvs\", got "
		"\"PRVS\"");
	T_STREQ("bad boolean",
		parse_err("{\"domains\": [\"isp.example\"], "
			  "\"relay_hosts_sign\": 1}"),
		"t.json:1:30: \"relay_hosts_sign\": expected true or false, "
		"got 1");
	T_STREQ("sender at a foreign domain",
		parse_err(
			"{\"domains\": [\"isp.example\"], \"senders\": "
			"{\"al.ice\": [\"a@isp.example\", \"b@x.example\"]}}"),
		"t.json:1:70: \"senders.al.ice[1]\": expected an address at "
		"one of our domains, such as \"sales@isp.example\", got "
		"\"b@x.example\"");
	T_STREQ("exempt pattern needs an @",
		parse_err("{\"domains\": [\"isp.example\"], \"exempt\": "
			  "[\"postmaster\"]}"),
		"t.json:1:41: \"exempt[0]\": expected a glob pattern for a "
		"whole address, such as \"postmaster@*\", got \"postmaster\"");
	T_STREQ("separator",
		parse_err("{\"domains\": [\"isp.example\"], "
			  "\"sub_address_separator\": \"++\"}"),
		"t.json:1:30: \"sub_address_separator\": expected one of "
		"\"+\", \"-\", \"_\", or \"\" for none, got \"++\"");
	T_STREQ("empty keyring path",
		parse_err("{\"domains\": [\"isp.example\"], \"keyring\": "
			  "\"\"}"),
		"t.json:1:30: \"keyring\": expected a file name such as "
		"\"/etc/signet/keyring.json\", got \"\"");
	T_STREQ("long values are shortened in messages",
		parse_err(
			"{\"domains\": [\"isp.example\"], \"format\": "
			"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			"\"}"),
		"t.json:1:30: \"format\": expected \"signet\" or \"prvs\", got "
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...");

	err[0] = '\0';
	T_OK("missing file",
	     signet_config_load("/nonexistent/signet.json", &cfg, err,
				sizeof(err)) == SIGNET_E_CONFIG &&
		     cfg == NULL);
	T_STREQ("missing file message", err,
		"/nonexistent/signet.json: cannot open: No such file or "
		"directory");
	T_OK("directory refused",
	     signet_config_load(dir, &cfg, err, sizeof(err)) ==
			     SIGNET_E_CONFIG &&
		     strstr(err, "not a regular file") != NULL);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	t_suite = "unit-config";
	snprintf(dir, sizeof(dir), "%s/test-config.XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	test_defaults();
	test_full();
	test_example();
	test_errors();
	unlink(write_file("full.json", ""));
	rmdir(dir);
	return t_failed != 0;
}
