/* What the sealed provenance of one delivered message says to its
   recipient (signet_evaluate): the result and one line of plain words.
   The words are made here, from the record's enums, and nowhere else. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "signet.h"

const char *
signet_result_name(enum signet_result r)
{
	switch (r) {
	case SIGNET_RESULT_NONE:
		return "none";
	case SIGNET_RESULT_VERIFIED:
		return "verified";
	case SIGNET_RESULT_FORGED:
		return "forged";
	case SIGNET_RESULT_UNSIGNED_BOUNCE:
		return "unsigned-bounce";
	case SIGNET_RESULT_UNVERIFIED:
		return "unverified";
	case SIGNET_RESULT_UNBOUND:
		return "unbound-reply";
	}
	return "unknown";
}

/* Header values are decoded from %XX: anything could be in them.  Only
   printable ASCII goes into the line we write. */
static void
clean(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	if (in == NULL)
		in = "";
	for (; *in != '\0' && n + 1 < outlen && n < 80; in++) {
		unsigned char c = (unsigned char)*in;

		out[n++] = c > 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[n] = '\0';
}

static void add_text(struct signet_eval *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
add_text(struct signet_eval *out, const char *fmt, ...)
{
	size_t len = strlen(out->line);
	va_list ap;

	if (len > 0 && len + 2 < sizeof(out->line)) {
		memcpy(out->line + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(out->line + len, sizeof(out->line) - len, fmt, ap);
	va_end(ap);
}

/* "20 Nov 14:03 UTC", without locale; "" for 0 (not known). */
static void
short_time(time_t t, char buf[32])
{
	static const char mon[12][4] = {"Jan", "Feb", "Mar", "Apr",
					"May", "Jun", "Jul", "Aug",
					"Sep", "Oct", "Nov", "Dec"};
	struct tm tm;

	buf[0] = '\0';
	if (t == 0 || gmtime_r(&t, &tm) == NULL)
		return;
	snprintf(buf, 32, "%d %s %02d:%02d UTC", tm.tm_mday, mon[tm.tm_mon],
		 tm.tm_hour, tm.tm_min);
}

static const char *
domain_of(const char *addr)
{
	const char *at = addr == NULL ? NULL : strrchr(addr, '@');

	return at == NULL || at[1] == '\0' ? NULL : at + 1;
}

/* The verdict of a header whose seal is good. */
static void
map_verdict(const struct signet_record *r, const char *isp,
	    struct signet_eval *out)
{
	char owner[96], when[32];
	const char *on;

	clean(r->owner, owner, sizeof(owner));
	if (owner[0] == '\0')
		clean(out->rcpt, owner, sizeof(owner));
	short_time(r->issued, when);
	on = when[0] != '\0' ? " on " : "";

	switch (r->verdict) {
	case SIGNET_RV_VALID:
		if (r->bind == SIGNET_BIND_MISMATCH) {
			/* A genuine address, but quoted by a bounce of some
			   other message: a leaked address being replayed. */
			out->result = SIGNET_RESULT_FORGED;
			add_text(out,
				 "FORGED: not a reply to your message; it "
				 "reuses the address %s was given%s%s",
				 owner, on, when);
		} else if (r->bind == SIGNET_BIND_UNKNOWN) {
			/* Our address, but nothing ties the bounce to the
			   message it was issued for: a replay of a leaked
			   address looks the same, so this is not
			   "genuine". */
			out->result = SIGNET_RESULT_UNBOUND;
			add_text(out,
				 "UNCONFIRMED REPLY: to an address issued "
				 "to %s%s%s, but the bounce does not say "
				 "for which message",
				 owner, on, when);
		} else {
			out->result = SIGNET_RESULT_VERIFIED;
			if (when[0] != '\0')
				add_text(out,
					 "genuine reply to your message "
					 "of %s sent as %s",
					 when, owner);
			else
				add_text(out,
					 "genuine reply to a message sent "
					 "as %s",
					 owner);
		}
		break;
	case SIGNET_RV_FORGED:
		out->result = SIGNET_RESULT_FORGED;
		add_text(out, "FORGED: %s never issued this address", isp);
		break;
	case SIGNET_RV_REVOKED:
		out->result = SIGNET_RESULT_FORGED;
		add_text(out, "FORGED: %s withdrew this address of %s", isp,
			 owner);
		break;
	case SIGNET_RV_EXPIRED:
		out->result = SIGNET_RESULT_UNVERIFIED;
		add_text(out,
			 "EXPIRED: the address %s was given%s%s is no "
			 "longer valid",
			 owner, on, when);
		break;
	case SIGNET_RV_FADING:
		out->result = SIGNET_RESULT_UNVERIFIED;
		add_text(out,
			 "UNVERIFIED: the address %s was given%s%s is "
			 "too old or too often used",
			 owner, on, when);
		break;
	case SIGNET_RV_UNSIGNED_BOUNCE:
		out->result = SIGNET_RESULT_UNSIGNED_BOUNCE;
		add_text(out,
			 "UNSIGNED BOUNCE: %s did not sign this address, "
			 "so this is not a reply to mail you sent",
			 isp);
		break;
	case SIGNET_RV_NONE:
		out->result = SIGNET_RESULT_NONE;
		break;
	case SIGNET_RV_ABUSE:
	case SIGNET_RV_FOREIGN:
	case SIGNET_RV_UNVERIFIED:
		out->result = SIGNET_RESULT_UNVERIFIED;
		add_text(out, "UNVERIFIED: %s could not check this message",
			 isp);
		break;
	}
}

/* How the message reached the hub (Gutmann: what protected the hop the
   user cannot see). */
static void
describe_link(const struct signet_record *r, const char *isp,
	      struct signet_eval *out)
{
	char v[80], auth[80], peer[80], helo[80];

	clean(r->tls, v, sizeof(v));
	clean(r->auth, auth, sizeof(auth));
	clean(r->peer, peer, sizeof(peer));
	clean(r->helo, helo, sizeof(helo));
	if (r->hub_report) {
		/* made on the hub: no link to describe */
		add_text(out, "a delivery report made by %s itself", isp);
		return;
	}
	if (r->tls == NULL || v[0] == '\0') {
		out->insecure = 1;
		add_text(out, "arrived at %s over an unencrypted link", isp);
	} else {
		add_text(out, "arrived at %s over %s%s", isp, v,
			 r->pfs ? "" : " without forward secrecy");
	}
	if (auth[0] != '\0')
		add_text(out, "sent by authenticated user %s", auth);
	if (r->local)
		add_text(out, "submitted on the hub itself");
	else if (peer[0] != '\0' && helo[0] != '\0')
		add_text(out, "from %s [%s]", helo, peer);
	else if (peer[0] != '\0')
		add_text(out, "from [%s]", peer);
}

/* Which of this delivery's addresses the header's rcpt= tag is for: 1 and
 *r_r, 0 none (another recipient's), -1 cannot tell (no such key). */
static int
rcpt_matches(const struct signet_eval_in *in, const struct signet_prov *p,
	     const char **r_r)
{
	for (size_t i = 0; i < SIGNET_EVAL_RCPTS; i++) {
		int m;

		if (in->rcpt[i] == NULL)
			continue;
		m = signet_prov_is_for(in->kr, p, in->rcpt[i], in->now);
		if (m != 0) {
			*r_r = in->rcpt[i];
			return m;
		}
	}
	return 0;
}

/* Was a header with a good seal made for this message (see
   signet_prov_same_message)?  1 yes, 0 another's, -1 it does not say. */
static int
same_message(const struct signet_eval_in *in, const struct signet_prov *p)
{
	return signet_prov_same_message(p, in->message_id, in->date, in->from,
					in->subject);
}

/* What the headers for other recipients are: OTHER_HUB, one was sealed by
   our hub for this message; OTHER_MOVED, one was sealed by our hub for
   another message; OTHER_FORGED, none was sealed by our hub.  Their rcpt=
   tags do not say whom they name, so their seals are all there is. */
enum other_kind { OTHER_FORGED, OTHER_MOVED, OTHER_HUB };

static enum other_kind
other_header(const struct signet_eval_in *in, const struct signet_prov *p)
{
	if (signet_prov_verify(in->kr, p, NULL, in->now) != SIGNET_OK)
		return OTHER_FORGED;
	/* one that does not say its message is the hub's all the same:
	   unverified, never forged */
	return same_message(in, p) != 0 ? OTHER_HUB : OTHER_MOVED;
}

/* Was the record sealed within the window (its t=, which the seal
   covers)?  A record much older, or from the future, is a replay. */
static int
fresh(const struct signet_eval_in *in, const struct signet_prov *p)
{
	long long when = signet_prov_sealed_at(p);

	if (in->seal_max_age <= 0)
		return 1;
	if (when < 0)
		return 0;
	return when <= (long long)in->now + 300 &&
	       (long long)in->now - when <= in->seal_max_age;
}

/* Finds and checks this recipient's header.  Returns the verdict class
   when none is usable. */
static void
check_seal(const struct signet_eval_in *in, const char *isp,
	   struct signet_prov *p, struct signet_eval *out)
{
	size_t other_rcpt = 0, bad_seal = 0, no_key = 0, moved = 0, stale = 0;
	size_t unbound = 0;
	enum other_kind other = OTHER_FORGED, k;

	/* parsed into p directly: the struct is large, so no copies */
	for (size_t i = 0; i < in->prov_count; i++) {
		const char *rcpt = NULL;
		signet_status st;
		int m, same;

		if (signet_prov_parse(in->prov[i], p) != SIGNET_OK ||
		    signet_prov_sealed_at(p) < 0)
			continue;
		m = rcpt_matches(in, p, &rcpt);
		if (m < 0) {
			no_key++;
			out->status = SIGNET_E_NO_KEY;
			continue;
		}
		if (m == 0) {
			/* judged now, while it is parsed: needed only when
			   no header is this recipient's */
			other_rcpt++;
			if (other != OTHER_HUB &&
			    (k = other_header(in, p)) > other)
				other = k;
			continue;
		}
		/* the tag is this recipient's: what is left is the seal */
		st = signet_prov_verify(in->kr, p, NULL, in->now);
		same = st == SIGNET_OK ? same_message(in, p) : 1;
		if (same == 0) {
			/* genuine, but the record of another message */
			moved++;
			out->status = SIGNET_E_BAD_SEAL;
			continue;
		}
		if (same < 0) {
			/* genuine, but it would fit any message */
			unbound++;
			out->status = SIGNET_E_BAD_HEADER;
			continue;
		}
		if (st == SIGNET_OK && !fresh(in, p)) {
			stale++;
			out->status = SIGNET_E_EXPIRED;
			continue;
		}
		if (st == SIGNET_OK) {
			out->prov_idx = (int)i;
			out->status = st;
			out->rcpt = rcpt;
			return;
		}
		if (st == SIGNET_E_NO_KEY || st == SIGNET_E_UNKNOWN_KEY)
			no_key++;
		else if (st != SIGNET_E_BAD_HEADER)
			bad_seal++;
		out->status = st;
	}
	if (bad_seal > 0) {
		out->result = SIGNET_RESULT_FORGED;
		add_text(out,
			 "FORGED: the provenance record on this message "
			 "was not made by %s",
			 isp);
	} else if (moved > 0) {
		out->result = SIGNET_RESULT_FORGED;
		add_text(out, "FORGED: the provenance record on this message "
			      "was copied from another message");
	} else if (stale > 0) {
		out->result = SIGNET_RESULT_UNVERIFIED;
		add_text(out, "UNVERIFIED: the provenance record on this "
			      "message was made too long ago to vouch for it "
			      "now");
	} else if (unbound > 0) {
		out->result = SIGNET_RESULT_UNVERIFIED;
		add_text(out, "UNVERIFIED: the provenance record on this "
			      "message does not say which message it was made "
			      "for");
	} else if (no_key > 0) {
		/* Our keyring may lag a rotation: do not cry forgery. */
		out->result = SIGNET_RESULT_UNVERIFIED;
		add_text(out, "UNVERIFIED: sealed with a key this server does "
			      "not have");
	} else if (other_rcpt > 0 && other == OTHER_HUB) {
		/* The hub strips incoming records, so a good one for another
		   address is its own: mail to an alias or forward of this
		   user, which the hub recorded under the address it got. */
		out->result = SIGNET_RESULT_UNVERIFIED;
		out->status = SIGNET_E_BAD_SEAL;
		add_text(out,
			 "UNVERIFIED: %s recorded this message for "
			 "another address (an alias or forward?)",
			 isp);
	} else if (other_rcpt > 0) {
		/* records, but none for us and none the hub sealed for this
		   message */
		out->result = SIGNET_RESULT_FORGED;
		out->status = SIGNET_E_BAD_SEAL;
		if (other == OTHER_MOVED)
			add_text(out, "FORGED: the provenance record on this "
				      "message was copied from another "
				      "message");
		else
			add_text(out,
				 "FORGED: the provenance record on this "
				 "message was not made by %s",
				 isp);
	} else {
		/* only unreadable headers */
		out->result = SIGNET_RESULT_UNVERIFIED;
		out->status = SIGNET_E_BAD_HEADER;
		add_text(out, "UNVERIFIED: the provenance record on this "
			      "message is unreadable");
	}
}

static void
check_lookalike(const struct signet_eval_in *in, const struct signet_record *r,
		struct signet_eval *out)
{
	const char *env = r == NULL ? NULL : domain_of(r->from);
	const char *cand[2], *like = NULL;
	char d[96], l[96];

	cand[0] = in->from_domain;
	cand[1] = env != NULL ? env : in->env_domain;
	for (size_t i = 0; i < 2; i++) {
		if (cand[i] == NULL || in->domain_count == 0)
			continue;
		/* mostly the From: and envelope domains are one */
		if (i == 1 && cand[0] != NULL &&
		    strcasecmp(cand[0], cand[1]) == 0)
			break;
		if (signet_lookalike(in->domains, in->domain_count, cand[i],
				     &like)) {
			clean(cand[i], d, sizeof(d));
			clean(like, l, sizeof(l));
			out->lookalike = 1;
			add_text(out,
				 "LOOK-ALIKE: the sender's domain %s "
				 "imitates %s",
				 d, l);
			return;
		}
	}
}

void
signet_evaluate(const struct signet_eval_in *in, struct signet_eval *out)
{
	struct signet_prov p;
	struct signet_record rec;
	const char *rd =
		domain_of(in->rcpt[0] != NULL ? in->rcpt[0] : in->rcpt[1]);
	char isp[96];

	memset(out, 0, sizeof(*out));
	out->prov_idx = -1;
	out->verdict = "";
	out->status = SIGNET_OK;
	clean(rd != NULL ? rd : "this mail system", isp, sizeof(isp));

	if (in->prov_count == 0) {
		out->result = SIGNET_RESULT_UNVERIFIED;
		out->status = SIGNET_E_BAD_HEADER;
		add_text(out, "UNVERIFIED: no provenance record from %s", isp);
	} else if (in->rcpt[0] == NULL && in->rcpt[1] == NULL) {
		out->result = SIGNET_RESULT_UNVERIFIED;
		out->status = SIGNET_E_CONFIG;
		add_text(out, "UNVERIFIED: the recipient is not known here");
	} else if (in->kr == NULL) {
		out->result = SIGNET_RESULT_UNVERIFIED;
		out->status = SIGNET_E_KEYRING;
		add_text(out,
			 "UNVERIFIED: %s could not check this message "
			 "(server fault)",
			 isp);
	} else {
		check_seal(in, isp, &p, out);
	}
	if (out->prov_idx >= 0) {
		signet_record_read(&p, &rec);
		out->verdict = signet_rv_name(rec.verdict);
		map_verdict(&rec, isp, out);
	}
	check_lookalike(in, out->prov_idx >= 0 ? &rec : NULL, out);
	if (out->prov_idx >= 0)
		describe_link(&rec, isp, out);
}
