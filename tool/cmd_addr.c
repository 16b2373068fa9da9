/* signet sign and signet verify: the core's answer, in plain words. */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static const char sign_usage[] =
	"usage: signet sign ADDRESS [--format signet|prvs] "
	"[--message-id ID]\n"
	"\n"
	"Prints ADDRESS signed with the newest address key, in the "
	"configured format\n"
	"unless --format says otherwise (a base too long for the signet "
	"format is\n"
	"signed as prvs).  --message-id binds a signet-format address to "
	"that message.\n"
	"Exit 0 signed; 1 not signable (not one of our domains, exempt, "
	"already\n"
	"signed, too long, not an address); 3 configuration, keyring or no "
	"key.\n";

static const char verify_usage[] =
	"usage: signet verify ADDRESS [--message-id ID]\n"
	"\n"
	"Says whose address ADDRESS is, in which format, when it was issued "
	"and with\n"
	"which key, how long it stays valid, and whether it was issued for "
	"the\n"
	"message --message-id names; or exactly why it is not valid.  Use "
	"counts and\n"
	"revocations come from the state store when one is configured.\n"
	"Exit 0 valid or a plain address; 1 invalid (forged, expired, "
	"revoked,\n"
	"malformed, or bound to another message than --message-id); 2 "
	"fading or\n"
	"cannot check now; 3 usage or configuration error.\n";

struct addr_opts {
	const char *format, *message_id;
};

static int
parse_opts(const char *cmd, const char *text, int argc, char **argv,
	   struct addr_opts *o, int allow_format)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"message-id", required_argument, NULL, 'm'},
		{NULL, 0, NULL, 0}};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (c == 'f' && allow_format)
			o->format = optarg;
		else if (c == 'm')
			o->message_id = optarg;
		else if (c == ':')
			return tool_usage_error(cmd, text, "%s needs a value",
						argv[optind - 1]);
		else
			return tool_usage_error(cmd, text,
						"unknown option \"%s\"",
						argv[optind - 1]);
	}
	if (argc - optind != 1)
		return tool_usage_error(cmd, text, "expected one ADDRESS");
	return 0;
}

static const char *
format_name(enum signet_format f)
{
	return f == SIGNET_FMT_PRVS ? "prvs" : "signet";
}

/* ---- sign ---- */

static int
refuse(const char *addr, const char *why)
{
	fprintf(stderr, "signet sign: %s: %s\n", tool_esc(addr), why);
	return TOOL_INVALID;
}

int
cmd_sign(struct tool *t, int argc, char **argv)
{
	char out[SIGNET_ADDR_BUFSZ], when[32];
	struct signet_lifetimes lt;
	struct signet_verdict v;
	struct signet_addr a;
	struct addr_opts o;
	enum signet_format fmt;
	signet_config *cfg;
	signet_keyring *kr;
	signet_status st;
	const char *addr;

	if (tool_help(argc, argv, sign_usage))
		return TOOL_VALID;
	if (parse_opts("sign", sign_usage, argc, argv, &o, 1) != 0)
		return TOOL_USAGE;
	addr = argv[optind];
	if (t->json &&
	    (tool_json_text("sign", "ADDRESS", addr) != 0 ||
	     tool_json_text("sign", "--message-id", o.message_id) != 0))
		return TOOL_USAGE;
	cfg = tool_config(t);
	fmt = signet_config_format(cfg);
	if (o.format != NULL && strcmp(o.format, "signet") == 0)
		fmt = SIGNET_FMT_SIGNET;
	else if (o.format != NULL && strcmp(o.format, "prvs") == 0)
		fmt = SIGNET_FMT_PRVS;
	else if (o.format != NULL)
		return tool_usage_error("sign", sign_usage,
					"--format: expected signet or prvs, "
					"got \"%s\"",
					o.format);
	if (signet_addr_parse(addr, &a) != SIGNET_OK)
		return refuse(addr,
			      "not an address; expected local-part@domain "
			      "(RFC 5321, without angle brackets)");
	if (!signet_config_is_local_domain(cfg, a.domain, a.domain_len))
		return refuse(addr, "not at one of our domains; only our own "
				    "addresses are signed");
	if (signet_config_is_exempt(cfg, addr))
		return refuse(addr, "exempt from signing by the configuration "
				    "(\"exempt\": lists, postmaster)");
	kr = tool_keyring(t);
	signet_config_lifetimes(cfg, &lt);
	st = signet_sign(kr, &lt, fmt, addr, o.message_id, t->now, out,
			 sizeof(out));
	switch (st) {
	case SIGNET_OK:
		break;
	case SIGNET_SKIPPED:
		return refuse(addr, "left unsigned: quoted, non-ASCII or "
				    "already signed");
	case SIGNET_E_TOO_LONG:
		return refuse(addr, "too long to sign: the signed local part "
				    "would exceed 64 octets");
	case SIGNET_E_NO_KEY:
		signet_time_format(t->now, when);
		fprintf(stderr,
			"signet sign: no address key signs at %s; run "
			"'signet keys rotate'\n",
			when);
		return TOOL_USAGE;
	default:
		if (signet_status_class(st) == SIGNET_CLASS_REJECT)
			return refuse(addr, signet_strerror(st));
		fprintf(stderr, "signet sign: %s: %s\n", tool_esc(addr),
			signet_strerror(st));
		return TOOL_USAGE;
	}
	/* read it back: the format may have fallen back to prvs */
	if (signet_verify(kr, &lt, out, t->now, &v) != SIGNET_OK) {
		fprintf(stderr,
			"signet sign: %s: the signed form %s does not "
			"verify (%s); please report this\n",
			tool_esc(addr), tool_esc(out),
			signet_status_name(v.status));
		return TOOL_USAGE;
	}
	if (t->json) {
		char b[16];

		snprintf(b, sizeof(b), "%08" PRIx32, v.binding);
		tool_json_out(json_pack("{s:s, s:s, s:s, s:i, s:s?, s:s?}",
					"address", addr, "signed", out,
					"format", format_name(v.format), "key",
					v.key_id, "message_id", o.message_id,
					"binding", v.has_binding ? b : NULL));
		return TOOL_VALID;
	}
	if (v.format != fmt)
		fprintf(stderr,
			"signet sign: note: %s is too long for the "
			"signet format (at most %d octets before the @); "
			"signed as prvs\n",
			tool_esc(addr), SIGNET_CLOSED_BASE_MAX);
	printf("%s\n", tool_esc(out));
	return TOOL_VALID;
}

/* ---- verify ---- */

struct check {
	const char *addr, *message_id;
	struct signet_verdict v; /* v.status: after use counts, revocation */
	struct signet_rcpt_answer a;
	int bind_match;	  /* -1 not checked, 0 no, 1 yes */
	char store_err[SIGNET_ERR_BUFSZ];
};

/* The answer Exim's RCPT would give now (signet_rcpt_decide), without
   counting it: the store is read, never written. */
static void
decide(struct tool *t, struct check *c)
{
	signet_config *cfg = tool_config(t);
	struct signet_lifetimes lt;
	struct signet_rcpt_in in = {
		.cfg = cfg,
		.kr = tool_keyring(t),
		.lt = &lt,
		.mode = SIGNET_RCPT_LOOK,
	};
	signet_store *store = NULL;

	signet_config_lifetimes(cfg, &lt);
	if (signet_is_signed(c->addr) &&
	    strcmp(signet_config_settings(cfg)->store.type, "none") != 0 &&
	    signet_store_open(cfg, &store, c->store_err,
			      sizeof(c->store_err)) == SIGNET_OK)
		in.store = store;
	signet_rcpt_decide(&in, c->addr, t->now, &c->a);
	if (c->a.store_fault) {
		const char *f = signet_store_fault(store, t->now);

		snprintf(c->store_err, sizeof(c->store_err), "%s",
			 f != NULL ? f : "lookup failed");
	}
	signet_store_close(&store);
	c->v = c->a.v;
}

/* The first line: the verdict in plain words.  Text output shows the
   address escaped (tool_esc); JSON escapes it itself. */
static void
summary(const struct check *c, int raw, char *buf, size_t len)
{
	const struct signet_verdict *v = &c->v;
	const char *a = raw ? c->addr : tool_esc(c->addr);
	const char *b = raw ? v->base : tool_esc(v->base);
	char dies[32];

	signet_time_format(v->dies, dies);
	if (c->a.verdict == SIGNET_RV_FOREIGN) {
		snprintf(buf, len,
			 "%s is not in one of our domains: we neither sign "
			 "nor check it",
			 a);
		return;
	}
	if (c->a.verdict == SIGNET_RV_ABUSE) {
		snprintf(buf, len,
			 "too many forged return addresses of %s have been "
			 "tried: every signed address of it, %s too, is "
			 "answered 450 (try later) for now",
			 raw ? c->a.guess.mailbox
			     : tool_esc(c->a.guess.mailbox),
			 a);
		return;
	}
	switch (c->a.status) {
	case SIGNET_OK:
		snprintf(buf, len, "%s is a valid signed address of %s%s", a, b,
			 c->bind_match == 0 ? ", but it was issued for "
					      "another message"
					    : "");
		break;
	case SIGNET_NOT_SIGNED:
		snprintf(buf, len,
			 "%s is a plain address: it carries no "
			 "signature",
			 a);
		break;
	case SIGNET_E_FADING:
		if (c->a.have_usage && v->status == SIGNET_OK)
			snprintf(buf, len,
				 "%s was issued for %s, but it has "
				 "been used more often than allowed: answered "
				 "450 (try later)",
				 a, b);
		else
			snprintf(buf, len,
				 "%s was issued for %s and is past "
				 "its lifetime: answered 450 (try later) until "
				 "%s, refused after",
				 a, b, dies);
		break;
	case SIGNET_E_EXPIRED:
		snprintf(buf, len,
			 "%s was issued for %s, but it expired: its "
			 "grace ended %s; refused",
			 a, b, dies);
		break;
	case SIGNET_E_REVOKED:
		snprintf(buf, len,
			 "%s was issued for %s, but the postmaster "
			 "revoked it%s%s",
			 a, b, c->a.usage.reason[0] ? ": " : "",
			 raw ? c->a.usage.reason : tool_esc(c->a.usage.reason));
		break;
	case SIGNET_E_FORGED:
		snprintf(buf, len,
			 "%s is forged: it claims to be a signed "
			 "address of %s, but the signature does not match; "
			 "we never issued it",
			 a, b);
		break;
	case SIGNET_E_UNKNOWN_KEY:
		snprintf(buf, len,
			 "%s names address key %d, which was never "
			 "issued or has been destroyed: it cannot be ours",
			 a, v->key_id);
		break;
	case SIGNET_E_FUTURE:
		snprintf(buf, len,
			 "%s claims to be issued in the future: "
			 "clock skew or forgery",
			 a);
		break;
	case SIGNET_E_SYNTAX:
		snprintf(buf, len,
			 "\"%s\" is malformed: not an address, or a "
			 "damaged signed address",
			 a);
		break;
	default:
		snprintf(buf, len, "%s cannot be checked now: %s", a,
			 signet_strerror(c->a.status));
		break;
	}
}

static void
binding_text(const struct check *c, char *buf, size_t len)
{
	if (!c->v.has_binding)
		snprintf(buf, len, "none (not bound to a message)");
	else if (c->bind_match < 0)
		snprintf(buf, len,
			 "%08" PRIx32 " (give --message-id to "
			 "check a message)",
			 c->v.binding);
	else if (c->bind_match)
		snprintf(buf, len, "%08" PRIx32 ", matches %s", c->v.binding,
			 tool_esc(c->message_id));
	else
		snprintf(buf, len,
			 "%08" PRIx32 ", does NOT match %s: issued "
			 "for another message",
			 c->v.binding, tool_esc(c->message_id));
}

static const char *const class_names[] = {"accept", "defer", "reject"};

/* Did the signature check succeed?  Otherwise the tag's base, dates and
   binding are only what the address claims. */
static int
authentic(const struct signet_verdict *v)
{
	return v->status == SIGNET_OK || v->status == SIGNET_E_FADING ||
	       v->status == SIGNET_E_EXPIRED || v->status == SIGNET_E_FUTURE;
}

static void
print_json(const struct check *c, const char *text)
{
	const struct signet_verdict *v = &c->v;
	char issued[32], expires[32], dies[32], b[16];
	int signed_ = c->v.status != SIGNET_NOT_SIGNED &&
		      c->v.status != SIGNET_E_SYNTAX;
	int real = authentic(v);
	json_t *o;

	signet_time_format(v->issued, issued);
	signet_time_format(v->expires, expires);
	signet_time_format(v->dies, dies);
	snprintf(b, sizeof(b), "%08" PRIx32, v->binding);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?}", "address",
		      c->addr, "status", signet_status_name(c->a.status), "class",
		      class_names[c->a.cls], "verdict", text,
		      "owner", signed_ && real ? v->base : NULL,
		      "claimed_owner", signed_ && !real ? v->base : NULL,
		      "format", signed_ ? format_name(v->format) : NULL);
	if (o == NULL) {
		fprintf(stderr, "signet verify: out of memory\n");
		exit(TOOL_USAGE);
	}
	json_object_set_new(o, "key",
			    v->key_id >= 0 && signed_ ? json_integer(v->key_id)
						      : json_null());
	json_object_set_new(o, "issued",
			    real && v->issued > 0 ? json_string(issued)
						  : json_null());
	json_object_set_new(o, "expires",
			    real && v->expires > 0 ? json_string(expires)
						   : json_null());
	json_object_set_new(o, "dies",
			    real && v->dies > 0 ? json_string(dies)
						: json_null());
	json_object_set_new(o, "binding",
			    real && v->has_binding ? json_string(b)
						   : json_null());
	json_object_set_new(o, "message_id",
			    c->message_id != NULL ? json_string(c->message_id)
						  : json_null());
	json_object_set_new(o, "binding_matches",
			    c->bind_match < 0 ? json_null()
					      : json_boolean(c->bind_match));
	if (c->a.have_usage)
		json_object_set_new(
			o, "usage",
			json_pack("{s:I, s:I, s:b, s:s}", "uses",
				  (json_int_t)c->a.usage.count, "base_uses",
				  (json_int_t)c->a.usage.base_count, "revoked",
				  c->a.usage.revoked, "reason", c->a.usage.reason));
	if (c->store_err[0] != '\0')
		json_object_set_new(o, "store_error",
				    json_string(c->store_err));
	tool_json_out(o);
}

static void
print_text(const struct check *c, const char *text)
{
	const struct signet_verdict *v = &c->v;
	char when[32], bind[200];
	int signed_ =
		v->status != SIGNET_NOT_SIGNED && v->status != SIGNET_E_SYNTAX;

	printf("%s: %s.\n", signet_status_name(c->a.status), text);
	if (!signed_)
		return;
	printf("  %s   %s\n",
	       authentic(v) ? "owner: " : "claims:", tool_esc(v->base));
	printf("  format:   %s\n", format_name(v->format));
	if (v->key_id >= 0)
		printf("  key:      address key %d\n", v->key_id);
	if (!authentic(v))
		return;
	if (v->issued > 0) {
		signet_time_format(v->issued, when);
		printf("  issued:   %s\n", when);
	}
	if (v->expires > 0) {
		signet_time_format(v->expires, when);
		printf("  expires:  %s (then answered 450 for a grace "
		       "period)\n",
		       when);
	}
	if (v->dies > 0) {
		signet_time_format(v->dies, when);
		printf("  dies:     %s (refused with 550 after)\n", when);
	}
	if (v->format == SIGNET_FMT_SIGNET && v->issued > 0) {
		binding_text(c, bind, sizeof(bind));
		printf("  message:  %s\n", bind);
	}
	if (c->a.have_usage)
		printf("  uses:     %llu of this address, %llu of all "
		       "addresses of %s%s\n",
		       c->a.usage.count, c->a.usage.base_count, tool_esc(v->base),
		       c->a.usage.revoked ? "; revoked" : "");
	if (c->store_err[0] != '\0')
		printf("  store:    not reachable (%s): the verdict is from "
		       "the signature alone\n",
		       c->store_err);
}

int
cmd_verify(struct tool *t, int argc, char **argv)
{
	struct addr_opts o;
	struct check c;
	char text[SIGNET_ERR_BUFSZ];
	int rc;

	if (tool_help(argc, argv, verify_usage))
		return TOOL_VALID;
	if (parse_opts("verify", verify_usage, argc, argv, &o, 0) != 0)
		return TOOL_USAGE;
	memset(&c, 0, sizeof(c));
	c.addr = argv[optind];
	c.message_id = o.message_id;
	/* JSON holds only UTF-8: say so rather than print nothing. */
	if (t->json &&
	    (tool_json_text("verify", "ADDRESS", c.addr) != 0 ||
	     tool_json_text("verify", "--message-id", c.message_id) != 0))
		return TOOL_USAGE;
	decide(t, &c);
	c.bind_match = -1;
	if (c.v.has_binding && c.message_id != NULL)
		c.bind_match =
			signet_message_binding(c.message_id) == c.v.binding;
	summary(&c, t->json, text, sizeof(text));
	if (t->json)
		print_json(&c, text);
	else
		print_text(&c, text);
	switch (c.a.cls) {
	case SIGNET_CLASS_ACCEPT:
		rc = TOOL_VALID;
		break;
	case SIGNET_CLASS_DEFER:
		rc = TOOL_TEMPORARY;
		break;
	default:
		rc = TOOL_INVALID;
		break;
	}
	if (rc == TOOL_VALID && c.bind_match == 0)
		rc = TOOL_INVALID;
	return rc;
}
