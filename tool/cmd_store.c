/* signet revoke | unrevoke | show: the postmaster's abuse response. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store-cmds.h"

/* The tool waits longer for Redis than Exim does (store.timeout_ms). */
#define TOOL_STORE_TIMEOUT_MS 2000
/* Most recent matching events that `show` prints. */
#define SHOW_EVENTS_MAX 100

static const char revoke_help[] =
	"usage: signet revoke ADDRESS [--reason TEXT] [--before TIME]\n"
	"\n"
	"Ends a signed address at once: from now on it is refused (550).\n"
	"Given a base address (user@domain), ends every address of it\n"
	"issued before TIME (RFC 3339 UTC or seconds; default: now).\n"
	"The revocation and its reason go to the event feed.\n";

static const char unrevoke_help[] =
	"usage: signet unrevoke ADDRESS\n"
	"\n"
	"Removes the revocation of a signed address, or of a base "
	"address.\n";

static const char show_help[] =
	"usage: signet show ADDRESS\n"
	"\n"
	"Prints what the state store knows of a signed or base address\n"
	"(uses, first and last seen, revocation) and its events from the\n"
	"event feed, most recent last.\n";

signet_store *
tool_store_open(struct tool *t, const char *cmd)
{
	char err[SIGNET_ERR_BUFSZ] = "";
	signet_store *st = NULL;
	signet_status s;

	s = signet_store_open(tool_config(t), &st, err, sizeof(err));
	if (s != SIGNET_OK) {
		fprintf(stderr, "signet %s: %s\n", cmd,
			err[0] != '\0' ? tool_esc(err) : signet_strerror(s));
		return NULL;
	}
	signet_store_set_timeout(st, TOOL_STORE_TIMEOUT_MS);
	return st;
}

const char *
tool_event_str(json_t *ev, const char *key)
{
	return json_string_value(json_object_get(ev, key));
}

int
tool_events_read(const char *path, tool_event_cb *cb, void *ctx,
		 unsigned long *bad_r)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	*bad_r = 0;
	if (path == NULL)
		return 0;
	f = fopen(path, "re");
	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((len = getline(&line, &cap, f)) >= 0) {
		json_t *ev;
		int stop;

		if (len <= 1)
			continue;
		ev = json_loadb(line, (size_t)len, JSON_DISABLE_EOF_CHECK,
				NULL);
		if (!json_is_object(ev) ||
		    tool_event_str(ev, SIGNET_EK_EVENT) == NULL) {
			(*bad_r)++;
			json_decref(ev);
			continue;
		}
		stop = cb(ev, ctx);
		json_decref(ev);
		if (stop)
			break;
	}
	free(line);
	fclose(f);
	return 0;
}

/* Checks ADDRESS: a mailbox, signed or not. */
static int
check_addr(const char *cmd, const char *help, const char *addr)
{
	struct signet_addr a;

	if (strlen(addr) >= SIGNET_ADDR_BUFSZ ||
	    signet_addr_parse(addr, &a) != SIGNET_OK)
		return tool_usage_error(cmd, help,
					"\"%s\" is not an address; expected "
					"local@domain, signed or not",
					addr);
	return 0;
}

/* The base and issue time of a signed address, from the keyring when it
   can be read; without it only the base is known (it is in clear). */
static void
signed_base(struct tool *t, const char *addr, char *base, size_t len,
	    struct signet_verdict *v_r)
{
	char err[SIGNET_ERR_BUFSZ];
	signet_keyring *kr = NULL;
	struct signet_lifetimes lt;
	signet_status s;

	memset(v_r, 0, sizeof(*v_r));
	v_r->status = SIGNET_E_KEYRING;
	signet_config_lifetimes(tool_config(t), &lt);
	if (signet_keyring_load(signet_config_keyring_path(tool_config(t)), &kr,
				err, sizeof(err)) != SIGNET_OK &&
	    signet_keyring_new(&kr) != SIGNET_OK)
		kr = NULL;
	if (kr != NULL) {
		s = signet_verify(kr, &lt, addr, t->now, v_r);
		v_r->status = s;
		signet_keyring_free(&kr);
	}
	snprintf(base, len, "%s", v_r->base);
}

static void
write_event(struct tool *t, const char *kind, const char *const *kv)
{
	const char *path = signet_config_event_log_path(tool_config(t));

	if (signet_event_write(path, t->now, kind, kv) != SIGNET_OK)
		fprintf(stderr,
			"signet %s: cannot append to the event feed "
			"%s (the change itself is done)\n",
			kind, tool_esc(path));
}

int
cmd_revoke(struct tool *t, int argc, char **argv)
{
	const char *addr = NULL, *reason = "", *before_s = NULL;
	char base[SIGNET_ADDR_BUFSZ], ts[32];
	struct signet_verdict v;
	time_t before = 0;
	signet_store *st;
	signet_status s;
	int is_signed, rc;

	if (tool_help(argc, argv, revoke_help))
		return TOOL_VALID;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
			reason = argv[++i];
		else if (strcmp(argv[i], "--before") == 0 && i + 1 < argc)
			before_s = argv[++i];
		else if (argv[i][0] == '-' && strcmp(argv[i], "--") != 0)
			return tool_usage_error(argv[0], revoke_help,
						"unknown option \"%s\"",
						argv[i]);
		else if (addr == NULL && strcmp(argv[i], "--") != 0)
			addr = argv[i];
		else if (strcmp(argv[i], "--") != 0)
			return tool_usage_error(argv[0], revoke_help,
						"one address only");
	}
	if (addr == NULL)
		return tool_usage_error(argv[0], revoke_help, "which address?");
	if ((rc = check_addr(argv[0], revoke_help, addr)) != 0)
		return rc;
	is_signed = signet_is_signed(addr);
	if (before_s != NULL) {
		if (is_signed)
			return tool_usage_error(argv[0], revoke_help,
						"--before applies to a base "
						"address, not to the signed "
						"address \"%s\"",
						addr);
		before = tool_parse_time(before_s);
		if (before == (time_t)-1)
			return tool_usage_error(argv[0], revoke_help,
						"--before: expected an RFC "
						"3339 UTC time or seconds, got "
						"\"%s\"",
						before_s);
	}
	if (!is_signed && before == 0)
		before = t->now;
	if ((st = tool_store_open(t, argv[0])) == NULL)
		return TOOL_TEMPORARY;
	s = signet_store_revoke(st, addr, before, reason, t->now);
	if (s != SIGNET_OK) {
		const char *f = signet_store_fault(st, t->now);

		fprintf(stderr, "signet revoke: %s: not revoked: %s\n",
			tool_esc(addr), f != NULL ? f : signet_strerror(s));
		signet_store_close(&st);
		return s == SIGNET_E_SYNTAX ? TOOL_USAGE : TOOL_TEMPORARY;
	}
	signet_store_close(&st);
	signet_time_format(before, ts);
	if (is_signed) {
		signed_base(t, addr, base, sizeof(base), &v);
		const char *kv[] = {SIGNET_EK_ADDR,   addr,
				    SIGNET_EK_BASE,   base,
				    SIGNET_EK_REASON, reason,
				    NULL};

		write_event(t, SIGNET_EV_REVOKED, kv);
	} else {
		const char *kv[] = {SIGNET_EK_BASE,   addr,
				    SIGNET_EK_BEFORE, ts,
				    SIGNET_EK_REASON, reason,
				    NULL};

		write_event(t, SIGNET_EV_REVOKED, kv);
	}
	if (t->json) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "revoked", addr,
				      "kind", is_signed ? "signed" : "base",
				      "reason", reason);

		if (o != NULL && !is_signed)
			json_object_set_new(o, "before", json_string(ts));
		tool_json_out(o);
	} else if (is_signed) {
		printf("revoked %s%s%s\n", tool_esc(addr),
		       reason[0] ? ": " : "", tool_esc(reason));
	} else {
		printf("revoked every address of %s issued before %s%s%s\n",
		       tool_esc(addr), ts, reason[0] ? ": " : "",
		       tool_esc(reason));
	}
	return TOOL_VALID;
}

int
cmd_unrevoke(struct tool *t, int argc, char **argv)
{
	struct signet_store_record rec;
	signet_store *st;
	signet_status s;
	const char *addr;
	int rc, was;

	if (tool_help(argc, argv, unrevoke_help))
		return TOOL_VALID;
	if (argc != 2 || argv[1][0] == '-')
		return tool_usage_error(argv[0], unrevoke_help,
					"expected one address");
	addr = argv[1];
	if ((rc = check_addr(argv[0], unrevoke_help, addr)) != 0)
		return rc;
	if ((st = tool_store_open(t, argv[0])) == NULL)
		return TOOL_TEMPORARY;
	s = signet_store_record(st, addr, NULL, t->now, &rec);
	if (s == SIGNET_OK)
		s = signet_store_unrevoke(st, addr);
	if (s != SIGNET_OK) {
		const char *f = signet_store_fault(st, t->now);

		fprintf(stderr, "signet unrevoke: %s: %s\n", tool_esc(addr),
			f != NULL ? f : signet_strerror(s));
		signet_store_close(&st);
		return TOOL_TEMPORARY;
	}
	signet_store_close(&st);
	was = signet_is_signed(addr) ? rec.have_rev : rec.have_base_rev;
	if (was) {
		const char *kv[] = {signet_is_signed(addr) ? SIGNET_EK_ADDR
							    : SIGNET_EK_BASE,
				    addr, NULL};

		write_event(t, SIGNET_EV_UNREVOKED, kv);
	}
	if (t->json)
		tool_json_out(json_pack("{s:s, s:b}", "unrevoked", addr,
					"was_revoked", was));
	else
		printf("%s %s\n",
		       was ? "unrevoked" : "was not revoked:", tool_esc(addr));
	return TOOL_VALID;
}

struct show_ctx {
	const char *addr, *base;
	json_t *events;
};

static int
key_is(json_t *ev, const char *key, const char *want)
{
	const char *v = tool_event_str(ev, key);

	return v != NULL && strcasecmp(v, want) == 0;
}

/* Events name a signed address as addr (issued, revoked, sealed) or rcpt
   (RCPT checks), and its base as owner or base. */
static int
show_match(json_t *ev, void *ctx)
{
	struct show_ctx *c = ctx;
	const char *w = c->base != NULL ? c->base : c->addr;
	int match = key_is(ev, SIGNET_EK_ADDR, w) || key_is(ev, SIGNET_EK_RCPT, w);

	if (c->base != NULL) /* a base address: all of its events */
		match = match || key_is(ev, SIGNET_EK_OWNER, w) ||
			key_is(ev, SIGNET_EK_BASE, w);
	if (!match)
		return 0;
	json_array_append(c->events, ev);
	if (json_array_size(c->events) > SHOW_EVENTS_MAX)
		json_array_remove(c->events, 0);
	return 0;
}

static json_t *
jtime(time_t t)
{
	char ts[32];

	if (t <= 0)
		return json_null();
	signet_time_format(t, ts);
	return json_string(ts);
}

static const char *
ptime(time_t t, char buf[32])
{
	if (t <= 0)
		return "-";
	signet_time_format(t, buf);
	return buf;
}

static const char *
why(const char *reason)
{
	return reason[0] != '\0' ? reason : "(no reason given)";
}

static void
show_text(const char *addr, int is_signed, const char *base,
	  const struct signet_verdict *v, const struct signet_store_record *r,
	  int store_ok, json_t *events, unsigned long bad)
{
	char t1[32], t2[32];
	size_t i;
	json_t *ev;

	printf("address:     %s\n", tool_esc(addr));
	if (is_signed) {
		printf("base:        %s\n", base[0] ? tool_esc(base) : "-");
		printf("signature:   %s", signet_status_name(v->status));
		if (v->issued > 0)
			printf(", issued %s", ptime(v->issued, t1));
		if (v->expires > 0)
			printf(", expires %s", ptime(v->expires, t2));
		printf("\n");
	}
	if (!store_ok) {
		printf("store:       unreachable\n");
	} else {
		if (is_signed)
			printf("uses:        %llu (first %s, last %s)\n",
			       r->have_addr ? r->addr.count : 0,
			       ptime(r->addr.first, t1),
			       ptime(r->addr.last, t2));
		printf("base uses:   %llu\n", r->have_base ? r->base.count : 0);
		if (is_signed && r->have_addr && r->addr.granted > 0)
			printf("granted:     %llu uses beyond fade.max_uses, "
			       "for the recipients of its mail\n",
			       r->addr.granted);
		if (r->have_rev)
			printf("revoked:     yes, at %s: %s\n",
			       ptime(r->rev.time, t1),
			       tool_esc(why(r->reason)));
		else if (is_signed)
			printf("revoked:     no\n");
		if (r->have_base_rev)
			printf("base revoked: addresses issued before %s, at "
			       "%s: %s\n",
			       ptime(r->base_rev.before, t1),
			       ptime(r->base_rev.time, t2),
			       tool_esc(why(r->base_reason)));
		else if (!is_signed)
			printf("revoked:     no\n");
	}
	printf("events:      %zu%s\n", json_array_size(events),
	       json_array_size(events) == SHOW_EVENTS_MAX ? " (most recent)"
							  : "");
	json_array_foreach(events, i, ev)
	{
		const char *key;
		json_t *val;

		printf("  ");
		fputs(tool_esc(tool_event_str(ev, SIGNET_EK_TS)), stdout);
		printf(" ");
		fputs(tool_esc(tool_event_str(ev, SIGNET_EK_EVENT)), stdout);
		json_object_foreach(ev, key, val)
		{
			if (strcmp(key, SIGNET_EK_TS) == 0 ||
			    strcmp(key, SIGNET_EK_EVENT) == 0 || !json_is_string(val))
				continue;
			printf(" ");
			fputs(tool_esc(key), stdout);
			printf("=");
			fputs(tool_esc(json_string_value(val)), stdout);
		}
		printf("\n");
	}
	if (bad > 0)
		printf("(%lu lines of the event feed are not JSON objects)\n",
		       bad);
}

static json_t *
show_json(const char *addr, int is_signed, const char *base,
	  const struct signet_verdict *v, const struct signet_store_record *r,
	  int store_ok, json_t *events)
{
	json_t *o =
		json_pack("{s:s, s:b}", "address", addr, "signed", is_signed);

	if (o == NULL)
		return NULL;
	if (is_signed) {
		json_object_set_new(o, "base", json_string(base));
		json_object_set_new(o, "signature",
				    json_string(signet_status_name(v->status)));
		json_object_set_new(o, "issued", jtime(v->issued));
		json_object_set_new(o, "expires", jtime(v->expires));
	}
	json_object_set_new(o, "store", json_boolean(store_ok));
	if (store_ok) {
		json_object_set_new(
			o, "uses",
			json_integer(r->have_addr ? (json_int_t)r->addr.count
						  : 0));
		json_object_set_new(
			o, "granted",
			json_integer(r->have_addr ? (json_int_t)r->addr.granted
						  : 0));
		json_object_set_new(o, "first_seen", jtime(r->addr.first));
		json_object_set_new(o, "last_seen", jtime(r->addr.last));
		json_object_set_new(
			o, "base_uses",
			json_integer(r->have_base ? (json_int_t)r->base.count
						  : 0));
		json_object_set_new(o, "revoked",
				    r->have_rev ? json_pack("{s:o, s:s}", "at",
							    jtime(r->rev.time),
							    "reason", r->reason)
						: json_null());
		json_object_set_new(
			o, "base_revoked",
			r->have_base_rev
				? json_pack("{s:o, s:o, s:s}", "before",
					    jtime(r->base_rev.before), "at",
					    jtime(r->base_rev.time), "reason",
					    r->base_reason)
				: json_null());
	}
	json_object_set(o, "events", events);
	return o;
}

int
cmd_show(struct tool *t, int argc, char **argv)
{
	char base[SIGNET_ADDR_BUFSZ] = "";
	struct signet_verdict v;
	struct signet_store_record rec;
	struct show_ctx c;
	unsigned long bad = 0;
	signet_store *st;
	const char *addr, *path;
	int rc, is_signed, store_ok = 0;

	if (tool_help(argc, argv, show_help))
		return TOOL_VALID;
	if (argc != 2 || argv[1][0] == '-')
		return tool_usage_error(argv[0], show_help,
					"expected one address");
	addr = argv[1];
	if ((rc = check_addr(argv[0], show_help, addr)) != 0)
		return rc;
	is_signed = signet_is_signed(addr);
	memset(&v, 0, sizeof(v));
	memset(&rec, 0, sizeof(rec));
	if (is_signed)
		signed_base(t, addr, base, sizeof(base), &v);
	if ((st = tool_store_open(t, argv[0])) != NULL) {
		signet_status s = signet_store_record(
			st, addr, is_signed && base[0] ? base : NULL, t->now,
			&rec);
		const char *f = signet_store_fault(st, t->now);

		store_ok = s == SIGNET_OK;
		if (!store_ok)
			fprintf(stderr, "signet show: %s\n",
				f != NULL ? f : signet_strerror(s));
		signet_store_close(&st);
	}
	c.addr = addr;
	c.base = is_signed ? NULL : addr;
	c.events = json_array();
	path = signet_config_event_log_path(tool_config(t));
	if (c.events == NULL)
		return TOOL_TEMPORARY;
	if (tool_events_read(path, show_match, &c, &bad) != 0)
		fprintf(stderr,
			"signet show: cannot read the event feed %s: "
			"%s\n",
			tool_esc(path), strerror(errno));
	if (t->json)
		tool_json_out(show_json(addr, is_signed, base, &v, &rec,
					store_ok, c.events));
	else
		show_text(addr, is_signed, base, &v, &rec, store_ok, c.events,
			  bad);
	json_decref(c.events);
	return store_ok ? TOOL_VALID : TOOL_TEMPORARY;
}
