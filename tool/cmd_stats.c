/* signet stats: what the event feed and the state store say, as text,
   JSON, or a self-contained HTML/SVG report with plots over time. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "store-cmds.h"

#define STATS_DAYS_MAX 3660
#define TOP_MAX 10

static const char stats_help[] =
	"usage: signet stats [--days N] [--html FILE | --svg FILE] [--purge]\n"
	"\n"
	"Summarises the last N days (default 30) of the event feed and the\n"
	"state store: addresses issued, verified, refused, fading and\n"
	"revoked, per day, and the most abused base addresses.  --json\n"
	"prints one object.  --html writes a self-contained report with\n"
	"plots (no scripts, no external files); --svg writes the plot\n"
	"alone.  --purge first drops expired records from the store.\n";

/* The series counted per day, in plot order. */
enum series { S_ISSUED, S_VERIFIED, S_REFUSED, S_FADING, S_REVOKED, S_N };
static const char *const series_name[S_N] = {"issued", "verified", "refused",
					     "fading", "revoked"};
static const char *const series_color[S_N] = {"#1f77b4", "#2ca02c", "#d62728",
					      "#ff7f0e", "#9467bd"};

struct counter {
	char *key;
	unsigned long long n;
};

/* A small open-addressing count table (base addresses, reasons). */
struct tally {
	struct counter *slot;
	size_t cap, used;
};

struct top {
	size_t n;
	struct {
		char key[SIGNET_ADDR_BUFSZ];
		unsigned long long n;
	} e[TOP_MAX];
};

struct stats {
	time_t from, to;
	int days;
	unsigned long long (*per_day)[S_N];
	unsigned long long total[S_N];
	unsigned long long deferred_other, sealed, unknown, bad;
	unsigned long long abuse; /* answers held back from a guesser (450) */
	unsigned long long out_of_range;
	struct tally abused;  /* base -> refused or deferred */
	struct tally reasons; /* verdict of refusals */
	/* store */
	int store_ok;
	const char *store_type;
	unsigned long long addrs, bases, revoked, bases_revoked, over_uses;
	unsigned long long purged;
	long long max_uses;
	struct top top_store;
	/* guessing, from the store's counts: per base and per network */
	struct top top_forged, top_forged_nets;
};

static unsigned long
hash_str(const char *s)
{
	unsigned long h = 5381;

	for (; *s != '\0'; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static int
tally_add(struct tally *t, const char *key, unsigned long long n)
{
	size_t i;

	if (t->used * 2 >= t->cap) {
		struct tally bigger = {NULL, t->cap ? t->cap * 2 : 64, 0};

		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		if (bigger.slot == NULL)
			return -1;
		for (i = 0; i < t->cap; i++) {
			struct counter *c = &t->slot[i];
			size_t j;

			if (c->key == NULL)
				continue;
			j = hash_str(c->key) & (bigger.cap - 1);
			while (bigger.slot[j].key != NULL)
				j = (j + 1) & (bigger.cap - 1);
			bigger.slot[j] = *c;
			bigger.used++;
		}
		free(t->slot);
		*t = bigger;
	}
	i = hash_str(key) & (t->cap - 1);
	while (t->slot[i].key != NULL && strcmp(t->slot[i].key, key) != 0)
		i = (i + 1) & (t->cap - 1);
	if (t->slot[i].key == NULL) {
		if ((t->slot[i].key = strdup(key)) == NULL)
			return -1;
		t->used++;
	}
	t->slot[i].n += n;
	return 0;
}

static void
tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slot[i].key);
	free(t->slot);
	t->slot = NULL;
	t->cap = t->used = 0;
}

/* Keeps the TOP_MAX largest counts, largest first. */
static void
top_add(struct top *t, const char *key, unsigned long long n)
{
	size_t i;

	if (t->n == TOP_MAX && n <= t->e[TOP_MAX - 1].n)
		return;
	i = t->n < TOP_MAX ? t->n++ : TOP_MAX - 1;
	while (i > 0 && t->e[i - 1].n < n) {
		t->e[i] = t->e[i - 1];
		i--;
	}
	snprintf(t->e[i].key, sizeof(t->e[i].key), "%s", key);
	t->e[i].n = n;
}

static void
tally_top(const struct tally *t, struct top *top_r)
{
	memset(top_r, 0, sizeof(*top_r));
	for (size_t i = 0; i < t->cap; i++) {
		if (t->slot[i].key != NULL)
			top_add(top_r, t->slot[i].key, t->slot[i].n);
	}
}

static void
lower(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < len; i++)
		out[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] + 32
							     : in[i]);
	out[i] = '\0';
}

/* The base address an RCPT event concerns: its owner when signed, else
   the recipient itself. */
static const char *
event_base(json_t *ev)
{
	const char *b = tool_event_str(ev, SIGNET_EK_OWNER);

	if (b == NULL)
		b = tool_event_str(ev, SIGNET_EK_BASE);
	if (b == NULL)
		b = tool_event_str(ev, SIGNET_EK_RCPT);
	return b;
}

static int
count_event(json_t *ev, void *ctx)
{
	struct stats *s = ctx;
	const char *kind = tool_event_str(ev, SIGNET_EK_EVENT);
	const char *ts = tool_event_str(ev, SIGNET_EK_TS);
	const char *verdict = tool_event_str(ev, SIGNET_EK_VERDICT);
	enum signet_rv rv = signet_rv_parse(verdict);
	const char *base = event_base(ev);
	char low[SIGNET_ADDR_BUFSZ];
	enum series k;
	time_t t;
	int day;

	t = ts != NULL ? signet_time_parse(ts) : (time_t)-1;
	if (t == (time_t)-1) {
		s->bad++;
		return 0;
	}
	if (t < s->from || t >= s->to) {
		s->out_of_range++;
		return 0;
	}
	day = (int)((t - s->from) / 86400);
	if (strcmp(kind, SIGNET_EV_ISSUED) == 0) {
		k = S_ISSUED;
	} else if (strcmp(kind, SIGNET_EV_VERIFIED) == 0) {
		k = S_VERIFIED;
	} else if (strcmp(kind, SIGNET_EV_REJECTED) == 0) {
		k = S_REFUSED;
	} else if (strcmp(kind, SIGNET_EV_DEFERRED) == 0) {
		if (rv == SIGNET_RV_ABUSE) {
			s->abuse++;
			return 0;
		}
		if (rv != SIGNET_RV_FADING) {
			s->deferred_other++;
			return 0;
		}
		k = S_FADING;
	} else if (strcmp(kind, SIGNET_EV_REVOKED) == 0) {
		k = S_REVOKED;
	} else {
		if (strcmp(kind, SIGNET_EV_SEALED) == 0)
			s->sealed++;
		else
			s->unknown++;
		return 0;
	}
	s->per_day[day][k]++;
	s->total[k]++;
	if ((k == S_REFUSED || k == S_FADING) && base != NULL) {
		lower(base, low, sizeof(low));
		if (tally_add(&s->abused, low, 1) < 0)
			return 1;
	}
	if (k == S_REFUSED &&
	    tally_add(&s->reasons, verdict != NULL ? verdict : "?", 1) < 0)
		return 1;
	return 0;
}

static int
count_store(const struct signet_store_entry *e, void *ctx)
{
	struct stats *s = ctx;

	/* the counts of forged attempts (signet_guess_check) */
	if (strncmp(e->addr, "forged ", 7) == 0) {
		top_add(&s->top_forged, e->addr + 7, e->count);
		return 0;
	}
	if (strncmp(e->addr, "forged-from ", 12) == 0) {
		if (e->kind == SIGNET_STORE_BASE)
			top_add(&s->top_forged_nets, e->addr + 12, e->count);
		return 0;
	}
	if ((e->kind == SIGNET_STORE_ADDR || e->kind == SIGNET_STORE_BASE) &&
	    e->count == 0)
		return 0; /* issued with a grant, never presented */
	switch (e->kind) {
	case SIGNET_STORE_ADDR:
		s->addrs++;
		if (s->max_uses > 0 &&
		    e->count > (unsigned long long)s->max_uses + e->granted)
			s->over_uses++;
		break;
	case SIGNET_STORE_BASE:
		s->bases++;
		top_add(&s->top_store, e->addr, e->count);
		break;
	case SIGNET_STORE_REV:
		s->revoked++;
		break;
	case SIGNET_STORE_BASE_REV:
		s->bases_revoked++;
		break;
	}
	return 0;
}

static void
day_label(const struct stats *s, int day, char buf[11])
{
	char ts[32];

	signet_time_format(s->from + (time_t)day * 86400, ts);
	memcpy(buf, ts, 10);
	buf[10] = '\0';
}

/* ---- text and JSON ---- */

static void
print_top(const char *title, const struct top *t)
{
	if (t->n == 0)
		return;
	printf("%s\n", title);
	for (size_t i = 0; i < t->n; i++) {
		printf("  %8llu  ", t->e[i].n);
		fputs(tool_esc(t->e[i].key), stdout);
		printf("\n");
	}
}

static void
print_text(const struct stats *s, const struct top *abused, const char *feed)
{
	char d1[11], d2[11];

	day_label(s, 0, d1);
	day_label(s, s->days - 1, d2);
	printf("signet stats %s .. %s (%d days), event feed %s\n", d1, d2,
	       s->days, feed != NULL ? tool_esc(feed) : "(none)");
	printf("  issued      %llu\n", s->total[S_ISSUED]);
	printf("  verified    %llu\n", s->total[S_VERIFIED]);
	printf("  refused     %llu", s->total[S_REFUSED]);
	for (size_t i = 0, n = 0; i < s->reasons.cap; i++) {
		if (s->reasons.slot[i].key == NULL)
			continue;
		printf("%s", n++ ? ", " : " (");
		fputs(tool_esc(s->reasons.slot[i].key), stdout);
		printf(" %llu", s->reasons.slot[i].n);
		if (n == s->reasons.used)
			printf(")");
	}
	printf("\n");
	printf("  fading      %llu\n", s->total[S_FADING]);
	printf("  deferred    %llu (cannot check now)\n", s->deferred_other);
	printf("  revoked     %llu (by the postmaster)\n", s->total[S_REVOKED]);
	if (s->bad > 0)
		printf("  (%llu lines of the feed are not events)\n", s->bad);
	print_top("most abused base addresses (refused or fading):", abused);
	if (s->abuse > 0)
		printf("guessing: %llu answers held back (450) from guessers\n",
		       s->abuse);
	print_top("forged attempts per mailbox (store):", &s->top_forged);
	print_top("forged attempts per client network (store):",
		  &s->top_forged_nets);
	if (!s->store_ok) {
		printf("store: unreachable\n");
	} else {
		printf("store (%s): %llu signed addresses, %llu base "
		       "addresses, %llu addresses revoked, %llu bases "
		       "revoked, %llu past max_uses",
		       s->store_type, s->addrs, s->bases, s->revoked,
		       s->bases_revoked, s->over_uses);
		if (s->purged > 0)
			printf(", %llu expired records purged", s->purged);
		printf("\n");
		if (s->top_store.n > 0)
			printf("most used base addresses (store):\n");
		for (size_t i = 0; i < s->top_store.n; i++) {
			printf("  %8llu  ", s->top_store.e[i].n);
			fputs(tool_esc(s->top_store.e[i].key), stdout);
			printf("\n");
		}
	}
	printf("per day:\n  %-10s", "date");
	for (int k = 0; k < S_N; k++)
		printf(" %9s", series_name[k]);
	printf("\n");
	for (int d = 0; d < s->days; d++) {
		day_label(s, d, d1);
		printf("  %-10s", d1);
		for (int k = 0; k < S_N; k++)
			printf(" %9llu", s->per_day[d][k]);
		printf("\n");
	}
}

static json_t *
top_json(const struct top *t)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < t->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I}", "base",
						   t->e[i].key, "count",
						   (json_int_t)t->e[i].n));
	return a;
}

static json_t *
stats_json(const struct stats *s, const struct top *abused)
{
	char d1[11], d2[11];
	json_t *o, *tot, *days, *reasons;

	day_label(s, 0, d1);
	day_label(s, s->days - 1, d2);
	tot = json_object();
	for (int k = 0; k < S_N; k++)
		json_object_set_new(tot, series_name[k],
				    json_integer((json_int_t)s->total[k]));
	json_object_set_new(tot, "deferred",
			    json_integer((json_int_t)s->deferred_other));
	json_object_set_new(tot, "sealed", json_integer((json_int_t)s->sealed));
	json_object_set_new(tot, "abuse", json_integer((json_int_t)s->abuse));
	reasons = json_object();
	for (size_t i = 0; i < s->reasons.cap; i++) {
		if (s->reasons.slot[i].key != NULL)
			json_object_set_new(
				reasons, s->reasons.slot[i].key,
				json_integer((json_int_t)s->reasons.slot[i].n));
	}
	days = json_array();
	for (int d = 0; d < s->days; d++) {
		json_t *day;

		day_label(s, d, d1);
		day = json_pack("{s:s}", "date", d1);
		for (int k = 0; k < S_N; k++)
			json_object_set_new(
				day, series_name[k],
				json_integer((json_int_t)s->per_day[d][k]));
		json_array_append_new(days, day);
	}
	day_label(s, 0, d1);
	o = json_pack("{s:s, s:s, s:i, s:o, s:o, s:o, s:I}", "from", d1, "to",
		      d2, "days", s->days, "totals", tot, "refused_by", reasons,
		      "top_abused", top_json(abused), "bad_lines",
		      (json_int_t)s->bad);
	json_object_set_new(o, "top_forged_bases", top_json(&s->top_forged));
	json_object_set_new(o, "top_forged_networks",
			    top_json(&s->top_forged_nets));
	if (s->store_ok)
		json_object_set_new(
			o, "store",
			json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
				  "type", s->store_type, "addresses",
				  (json_int_t)s->addrs, "bases",
				  (json_int_t)s->bases, "revoked",
				  (json_int_t)s->revoked, "bases_revoked",
				  (json_int_t)s->bases_revoked, "past_max_uses",
				  (json_int_t)s->over_uses, "purged",
				  (json_int_t)s->purged, "top_bases",
				  top_json(&s->top_store)));
	else
		json_object_set_new(o, "store", json_null());
	json_object_set_new(o, "per_day", days);
	return o;
}

/* ---- SVG and HTML ---- */

static void
html_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* A round axis maximum: 1, 2 or 5 times a power of ten. */
static unsigned long long
nice_max(unsigned long long v)
{
	unsigned long long p = 1;

	while (p * 10 <= v)
		p *= 10;
	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

/* One line per series over the days, with axes and a legend. */
static void
write_svg(FILE *f, const struct stats *s)
{
	const int w = 760, h = 300, ml = 60, mr = 120, mt = 20, mb = 40;
	const int pw = w - ml - mr, ph = h - mt - mb;
	unsigned long long max = 0;
	char d[11];
	int step;

	for (int i = 0; i < s->days; i++)
		for (int k = 0; k < S_N; k++)
			if (s->per_day[i][k] > max)
				max = s->per_day[i][k];
	max = nice_max(max > 0 ? max : 1);
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"sans-serif\" "
		"font-size=\"11\" role=\"img\" aria-label=\"signet events per "
		"day\">\n",
		w, h, w, h);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", w, h);
	for (int g = 0; g <= 4; g++) {
		int y = mt + ph - ph * g / 4;

		fprintf(f,
			"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			"stroke=\"#ddd\"/><text x=\"%d\" y=\"%d\" "
			"text-anchor=\"end\">%llu</text>\n",
			ml, y, ml + pw, y, ml - 6, y + 4, max * g / 4);
	}
	step = s->days <= 10 ? 1 : (s->days + 6) / 7;
	for (int i = 0; i < s->days; i += step) {
		int x = ml + (s->days > 1 ? pw * i / (s->days - 1) : pw / 2);

		day_label(s, i, d);
		fprintf(f,
			"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s"
			"</text>\n",
			x, mt + ph + 16, d + 5);
	}
	fprintf(f,
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		"stroke=\"#333\"/>\n",
		ml, mt + ph, ml + pw, mt + ph);
	for (int k = 0; k < S_N; k++) {
		fprintf(f,
			"<polyline fill=\"none\" stroke=\"%s\" "
			"stroke-width=\"2\" points=\"",
			series_color[k]);
		for (int i = 0; i < s->days; i++) {
			int x = ml +
				(s->days > 1 ? pw * i / (s->days - 1) : pw / 2);
			int y = mt + ph -
				(int)((double)ph * (double)s->per_day[i][k] /
				      (double)max);

			fprintf(f, "%s%d,%d", i ? " " : "", x, y);
		}
		fprintf(f, "\"><title>%s</title></polyline>\n", series_name[k]);
		fprintf(f,
			"<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
			"fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s (%llu)"
			"</text>\n",
			ml + pw + 12, mt + 10 + k * 20, series_color[k],
			ml + pw + 30, mt + 20 + k * 20, series_name[k],
			s->total[k]);
	}
	fprintf(f, "</svg>\n");
}

static void
html_top(FILE *f, const char *title, const struct top *t)
{
	fprintf(f, "<h2>%s</h2>\n", title);
	if (t->n == 0) {
		fprintf(f, "<p>none</p>\n");
		return;
	}
	fprintf(f, "<table><tr><th>count</th><th>base address</th></tr>\n");
	for (size_t i = 0; i < t->n; i++) {
		fprintf(f, "<tr><td class=\"n\">%llu</td><td>", t->e[i].n);
		html_escape(f, t->e[i].key);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n");
}

static void
write_html(FILE *f, const struct stats *s, const struct top *abused,
	   const char *feed)
{
	char d1[11], d2[11];

	day_label(s, 0, d1);
	day_label(s, s->days - 1, d2);
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
		"charset=\"utf-8\">\n<title>signet: %s to %s</title>\n"
		"<style>body{font-family:sans-serif;margin:2em;color:#222}"
		"table{border-collapse:collapse}td,th{border:1px solid #ccc;"
		"padding:2px 8px}td.n{text-align:right}"
		"th{background:#f4f4f4}</style>\n</head><body>\n"
		"<h1>signet: %s to %s (%d days)</h1>\n<p>Event feed: ",
		d1, d2, d1, d2, s->days);
	html_escape(f, feed != NULL ? feed : "(none)");
	fprintf(f, "</p>\n<h2>Events per day</h2>\n");
	write_svg(f, s);
	fprintf(f, "<h2>Totals</h2>\n<table>\n");
	for (int k = 0; k < S_N; k++)
		fprintf(f, "<tr><th>%s</th><td class=\"n\">%llu</td></tr>\n",
			series_name[k], s->total[k]);
	fprintf(f,
		"<tr><th>deferred (cannot check now)</th><td class=\"n\">"
		"%llu</td></tr>\n</table>\n",
		s->deferred_other);
	html_top(f, "Most abused base addresses (refused or fading)", abused);
	html_top(f, "Forged attempts per mailbox (store)", &s->top_forged);
	html_top(f, "Forged attempts per client network (store)",
		 &s->top_forged_nets);
	if (s->store_ok) {
		fprintf(f,
			"<h2>State store (%s)</h2>\n<table>\n"
			"<tr><th>signed addresses</th><td class=\"n\">%llu"
			"</td></tr>\n<tr><th>base addresses</th>"
			"<td class=\"n\">%llu</td></tr>\n<tr><th>addresses "
			"revoked</th><td class=\"n\">%llu</td></tr>\n"
			"<tr><th>bases revoked</th><td class=\"n\">%llu</td>"
			"</tr>\n<tr><th>past max_uses</th><td class=\"n\">"
			"%llu</td></tr>\n</table>\n",
			s->store_type, s->addrs, s->bases, s->revoked,
			s->bases_revoked, s->over_uses);
		html_top(f, "Most used base addresses (store)", &s->top_store);
	} else {
		fprintf(f, "<h2>State store</h2>\n<p>unreachable</p>\n");
	}
	fprintf(f, "<h2>Per day</h2>\n<table><tr><th>date</th>");
	for (int k = 0; k < S_N; k++)
		fprintf(f, "<th>%s</th>", series_name[k]);
	fprintf(f, "</tr>\n");
	for (int d = 0; d < s->days; d++) {
		day_label(s, d, d1);
		fprintf(f, "<tr><td>%s</td>", d1);
		for (int k = 0; k < S_N; k++)
			fprintf(f, "<td class=\"n\">%llu</td>",
				s->per_day[d][k]);
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table>\n</body></html>\n");
}

/* Writes through a temporary file and a rename, so a reader never sees
   half a report. */
static int
write_report(const char *path, int html, const struct stats *s,
	     const struct top *abused, const char *feed)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "we");
	if (f == NULL)
		return -1;
	if (html)
		write_html(f, s, abused, feed);
	else
		write_svg(f, s);
	if (ferror(f) != 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

int
cmd_stats(struct tool *t, int argc, char **argv)
{
	const char *html = NULL, *svg = NULL, *feed;
	struct stats s;
	struct top abused;
	signet_store *st;
	int purge = 0, rc = TOOL_VALID;
	unsigned long bad = 0;
	char *end;

	if (tool_help(argc, argv, stats_help))
		return TOOL_VALID;
	memset(&s, 0, sizeof(s));
	s.days = 30;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--days") == 0 && i + 1 < argc) {
			long v = strtol(argv[++i], &end, 10);

			if (*end != '\0' || v < 1 || v > STATS_DAYS_MAX)
				return tool_usage_error(
					argv[0], stats_help,
					"--days: expected 1 to %d, got \"%s\"",
					STATS_DAYS_MAX, argv[i]);
			s.days = (int)v;
		} else if (strcmp(argv[i], "--html") == 0 && i + 1 < argc) {
			html = argv[++i];
		} else if (strcmp(argv[i], "--svg") == 0 && i + 1 < argc) {
			svg = argv[++i];
		} else if (strcmp(argv[i], "--purge") == 0) {
			purge = 1;
		} else {
			return tool_usage_error(argv[0], stats_help,
						"unexpected \"%s\"", argv[i]);
		}
	}
	if (html != NULL && svg != NULL)
		return tool_usage_error(argv[0], stats_help,
					"--html or --svg, not both");
	/* whole UTC days, the last one being today */
	s.to = t->now - t->now % 86400 + 86400;
	s.from = s.to - (time_t)s.days * 86400;
	s.per_day = calloc((size_t)s.days, sizeof(*s.per_day));
	if (s.per_day == NULL)
		return TOOL_TEMPORARY;
	feed = signet_config_event_log_path(tool_config(t));
	if (tool_events_read(feed, count_event, &s, &bad) != 0) {
		fprintf(stderr,
			"signet stats: cannot read the event feed %s: "
			"%s\n",
			tool_esc(feed), strerror(errno));
		rc = TOOL_TEMPORARY;
	}
	s.bad += bad;
	s.max_uses = signet_config_settings(tool_config(t))->fade.max_uses;
	if ((st = tool_store_open(t, argv[0])) != NULL) {
		signet_status r = SIGNET_OK;

		s.store_type = signet_store_type(st);
		if (purge)
			r = signet_store_purge(st, t->now, &s.purged);
		if (r == SIGNET_OK)
			r = signet_store_foreach(st, t->now, count_store, &s);
		s.store_ok = r == SIGNET_OK;
		if (!s.store_ok) {
			const char *f = signet_store_fault(st, t->now);

			fprintf(stderr, "signet stats: %s\n",
				f != NULL ? f : signet_strerror(r));
			rc = TOOL_TEMPORARY;
		}
		signet_store_close(&st);
	} else {
		rc = TOOL_TEMPORARY;
	}
	tally_top(&s.abused, &abused);
	if (html != NULL || svg != NULL) {
		const char *path = html != NULL ? html : svg;

		if (write_report(path, html != NULL, &s, &abused, feed) != 0) {
			fprintf(stderr, "signet stats: cannot write %s: %s\n",
				tool_esc(path), strerror(errno));
			rc = TOOL_USAGE;
		}
	}
	if (t->json)
		tool_json_out(stats_json(&s, &abused));
	else
		print_text(&s, &abused, feed);
	tally_free(&s.abused);
	tally_free(&s.reasons);
	free(s.per_day);
	return rc;
}
