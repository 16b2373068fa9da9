/* The provenance record (signet_record_*): typed records against the
   fields tests/vectors/prov.py writes for them independently, read back
   to the same record, and the verdict and binding words. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "signet.h"
#include "t.h"

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int
num(const json_t *o, const char *key, int def)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : def;
}

static enum signet_bind
bind_of(const char *w)
{
	for (int b = SIGNET_BIND_NONE; b <= SIGNET_BIND_MISMATCH; b++) {
		if (w != NULL && strcmp(w, signet_bind_name(b)) == 0)
			return (enum signet_bind)b;
	}
	return SIGNET_BIND_ABSENT;
}

static void
record_of(const json_t *o, struct signet_record *r)
{
	const char *msg = str(o, "msg");

	signet_record_init(r);
	r->rcpt_id = str(o, "rcpt_id");
	if (msg != NULL)
		snprintf(r->msg, sizeof(r->msg), "%s", msg);
	r->addr = str(o, "addr");
	r->verdict = signet_rv_parse(str(o, "verdict"));
	/* the vectors' reasons are "ok" and "expired" */
	r->reason = str(o, "reason") != NULL &&
				    strcmp(str(o, "reason"), "expired") == 0
			    ? SIGNET_E_EXPIRED
			    : SIGNET_OK;
	r->owner = str(o, "owner");
	r->format = str(o, "format") != NULL &&
				    strcmp(str(o, "format"), "prvs") == 0
			    ? SIGNET_FMT_PRVS
			    : SIGNET_FMT_SIGNET;
	r->issued = num(o, "issued", 0);
	r->key_id = num(o, "key_id", -1);
	r->bounce = num(o, "bounce", 0);
	r->bind = bind_of(str(o, "bind"));
	r->orig_msgid = str(o, "orig_msgid");
	r->from = str(o, "from");
	r->tls = str(o, "tls");
	r->cipher = str(o, "cipher");
	r->pfs = num(o, "pfs", 0);
	r->auth = str(o, "auth");
	r->peer = str(o, "peer");
	r->local = num(o, "local", 0);
	r->hub_report = num(o, "hub_report", 0);
	r->helo = str(o, "helo");
	r->host = str(o, "host");
}

static int
fields_are(const struct signet_prov *p, const json_t *want)
{
	size_t i;
	json_t *f;

	if (p->nfields != json_array_size(want))
		return 0;
	json_array_foreach(want, i, f) {
		if (strcmp(p->field[i].key,
			   json_string_value(json_array_get(f, 0))) != 0 ||
		    strcmp(p->field[i].value,
			   json_string_value(json_array_get(f, 1))) != 0)
			return 0;
	}
	return 1;
}

static int
same_string(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
test_vectors(const json_t *cases)
{
	char out[SIGNET_HEADER_BUFSZ], name[64];
	struct signet_record r, back;
	struct signet_prov p, q, again;
	const char *omitted;
	size_t i;
	json_t *c;

	json_array_foreach(cases, i, c) {
		record_of(json_object_get(c, "record"), &r);
		signet_prov_init(&p);
		snprintf(name, sizeof(name), "record vector %zu: fields", i);
		T_OK(name,
		     signet_record_add(&p, &r, &omitted) == SIGNET_OK &&
			     fields_are(&p, json_object_get(c, "fields")));
		/* through the header text and back */
		snprintf(name, sizeof(name), "record vector %zu: read back", i);
		signet_prov_init(&again);
		T_OK(name,
		     signet_prov_format(&p, out, sizeof(out)) == SIGNET_OK &&
			     signet_prov_parse(out, &q) == SIGNET_OK &&
			     (signet_record_read(&q, &back), 1) &&
			     signet_record_add(&again, &back, &omitted) ==
				     SIGNET_OK &&
			     fields_are(&again, json_object_get(c, "fields")));
		snprintf(name, sizeof(name), "record vector %zu: typed", i);
		T_OK(name,
		     back.verdict == r.verdict && back.bounce == r.bounce &&
			     back.pfs == r.pfs &&
			     back.hub_report == (r.bounce && r.hub_report) &&
			     same_string(back.tls, r.tls) &&
			     same_string(back.peer, r.peer) &&
			     back.local == r.local &&
			     same_string(back.addr, r.addr) &&
			     strcmp(back.msg, r.msg) == 0);
	}
	T_OK("record vectors: cases", json_array_size(cases) >= 5);
}

static void
test_words(void)
{
	int all = 1;

	for (int v = SIGNET_RV_NONE; v <= SIGNET_RV_UNVERIFIED; v++)
		all &= (int)signet_rv_parse(signet_rv_name(v)) == v;
	T_OK("verdict words read back", all);
	T_OK("an unknown verdict word is unverified",
	     signet_rv_parse("valid-ish") == SIGNET_RV_UNVERIFIED &&
		     signet_rv_parse(NULL) == SIGNET_RV_UNVERIFIED &&
		     signet_rv_parse("") == SIGNET_RV_UNVERIFIED);
	T_OK("verdicts of statuses",
	     signet_rv_of_status(SIGNET_OK) == SIGNET_RV_VALID &&
		     signet_rv_of_status(SIGNET_E_FUTURE) == SIGNET_RV_FORGED &&
		     signet_rv_of_status(SIGNET_E_SYNTAX) == SIGNET_RV_FORGED &&
		     signet_rv_of_status(SIGNET_E_UNKNOWN_KEY) ==
			     SIGNET_RV_EXPIRED &&
		     signet_rv_of_status(SIGNET_E_REVOKED) ==
			     SIGNET_RV_REVOKED &&
		     signet_rv_of_status(SIGNET_E_FADING) ==
			     SIGNET_RV_FADING &&
		     signet_rv_of_status(SIGNET_NOT_SIGNED) ==
			     SIGNET_RV_NONE &&
		     signet_rv_of_status(SIGNET_E_IO) ==
			     SIGNET_RV_UNVERIFIED);
	T_OK("bind words",
	     signet_bind_name(SIGNET_BIND_ABSENT) == NULL &&
		     strcmp(signet_bind_name(SIGNET_BIND_MISMATCH),
			    "mismatch") == 0);
}

static void
test_reading(void)
{
	struct signet_prov p;
	struct signet_record r;

	T_OK("a record without a verdict vouches for nothing",
	     signet_prov_parse("v=1; owner=a@b; tls=TLS1.3", &p) ==
			     SIGNET_OK &&
		     (signet_record_read(&p, &r), 1) &&
		     r.verdict == SIGNET_RV_UNVERIFIED &&
		     strcmp(r.owner, "a@b") == 0);
	T_OK("unknown fields are skipped, a strange bind is unknown",
	     signet_prov_parse("verdict=valid; x-new=1; bounce=yes; "
			       "bind=sideways; key=nine; issued=soon",
			       &p) == SIGNET_OK &&
		     (signet_record_read(&p, &r), 1) &&
		     r.verdict == SIGNET_RV_VALID &&
		     r.bind == SIGNET_BIND_UNKNOWN && r.key_id == -1 &&
		     r.issued == 0 && r.bounce);
}

static void
test_is_for(void)
{
	char id[SIGNET_PROV_RCPT_ID_BUFSZ], other[SIGNET_PROV_RCPT_ID_BUFSZ];
	char v[128];

	signet_prov_rcpt_id("alice@isp.example", id);
	signet_prov_rcpt_id("bob@isp.example", other);
	snprintf(v, sizeof(v), "for=%s; v=1; verdict=valid", id);
	T_OK("facts for= this recipient",
	     signet_record_is_for(v, id) && !signet_record_is_for(v, other));
	snprintf(v, sizeof(v), "for=%s", id);
	T_OK("facts for= alone", signet_record_is_for(v, id));
	snprintf(v, sizeof(v), "for=%sx; v=1", id);
	T_OK("facts for= a longer id is not this one",
	     !signet_record_is_for(v, id));
	T_OK("facts without for=",
	     !signet_record_is_for("v=1; verdict=none", id) &&
		     !signet_record_is_for(NULL, id));
}

int
main(void)
{
	json_error_t err;
	json_t *v = json_load_file("tests/vectors/prov.json", 0, &err);

	t_suite = "unit-record";
	T_OK("record vectors read", v != NULL);
	if (v == NULL)
		return 1;
	test_vectors(json_object_get(v, "record"));
	test_words();
	test_reading();
	test_is_for();
	json_decref(v);
	return t_failed ? 1 : 0;
}
