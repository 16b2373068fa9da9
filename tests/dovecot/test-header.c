/* The plugin's header scanner (dovecot-plugin/signet-header.c) against
   Dovecot's own header parser, which it replaces in the delivery path:
   on hand-made and generated headers both must find the same end of the
   header, the same fields, names, colons and full values. */
#include "lib.h"
#include "str.h"
#include "istream.h"
#include "message-header-parser.h"
#include "message-size.h"

#include <stdlib.h>

#include "../unit/t.h"
#include "signet-header.h"

static unsigned int rnd_state = 12345;

static unsigned int
rnd(unsigned int n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) % n;
}

/* NULL when both agree, or what differs. */
static const char *
compare(const unsigned char *msg, size_t size)
{
	struct message_header_parser_ctx *parser;
	struct message_header_line *hdr;
	struct message_size hsize;
	struct istream *input;
	struct sh_field f;
	size_t line = 0, got, pos = 0, step, n;
	bool has_nuls, have = FALSE;
	const char *err = NULL;
	char *v;
	int ret;

	/* the end of the header, in one go and fed in pieces */
	input = i_stream_create_from_data(msg, size);
	if (message_get_header_size(input, &hsize, &has_nuls) < 0)
		return "message_get_header_size failed";
	i_stream_unref(&input);
	got = sh_header_size(msg, size, &line);
	if (got == 0)
		got = size;
	if (got != hsize.physical_size)
		return t_strdup_printf("header size %zu, Dovecot %llu", got,
			(unsigned long long)hsize.physical_size);
	line = 0;
	got = 0;
	for (n = 0; n < size && got == 0; n += step) {
		step = 1 + rnd(7);
		if (n + step > size)
			step = size - n;
		got = sh_header_size(msg, n + step, &line);
	}
	if (got == 0)
		got = size;
	if (got != hsize.physical_size)
		return t_strdup_printf("header size in pieces %zu", got);

	input = i_stream_create_from_data(msg, size);
	parser = message_parse_header_init(input, NULL,
					   MESSAGE_HEADER_PARSER_FLAG_DROP_CR);
	while (err == NULL &&
	       (ret = message_parse_header_next(parser, &hdr)) > 0) {
		if (hdr->eoh) {
			if (sh_next_field(msg, hsize.physical_size, &pos, &f))
				err = "a field where Dovecot ends the header";
			break;
		}
		if (hdr->continues)
			hdr->use_full_value = TRUE;
		if (hdr->continued) {
			if (hdr->continues)
				continue;
		} else {
			have = sh_next_field(msg, hsize.physical_size, &pos,
					     &f);
			if (!have) {
				err = t_strdup_printf("no field for %s",
						      hdr->name);
				break;
			}
			if (f.name_len != hdr->name_len ||
			    memcmp(msg + f.start, hdr->name, f.name_len) != 0)
				err = t_strdup_printf("name '%.*s', Dovecot "
					"'%s'", (int)f.name_len,
					msg + f.start, hdr->name);
			else if (f.colon_next != (hdr->middle_len > 0 &&
						  hdr->middle[0] == ':'))
				err = t_strdup_printf("colon of %s",
						      hdr->name);
			if (hdr->continues)
				continue;
		}
		v = t_malloc0(f.end - f.value + 1);
		n = sh_field_value(msg, &f, v);
		if (err == NULL && (n != hdr->full_value_len ||
		    memcmp(v, hdr->full_value, n) != 0))
			err = t_strdup_printf("value of %s: '%s', Dovecot "
				"'%.*s'", hdr->name, v,
				(int)hdr->full_value_len, hdr->full_value);
	}
	if (err == NULL && !have && hsize.physical_size > 0 &&
	    msg[0] != '\n' && msg[0] != '\r')
		err = "Dovecot found no field";
	if (err == NULL && input->stream_errno != 0)
		err = "Dovecot's parser failed";
	message_parse_header_deinit(&parser);
	i_stream_unref(&input);
	return err;
}

static const char *const names[] = {
	"Subject", "subject ", "From", "Signet-Provenance", "Message-ID",
	"Message-ID\t", "X-A", "Date", "signet-result", "To"
};
static const char *const values[] = {
	"", " ", "  two spaces", "\tx", " plain", " a: colon", " =?utf-8?q?x?=",
	" trailing ", " v=1; rcpt=ab; seal=cd", " lone\rcr"
};
static const char *const ends[] = { "\n", "\r\n" };

/* A header of 0 to 7 fields, some folded, some lines without a colon,
   LF or CRLF, then a body or not. */
static string_t *
generate(void)
{
	string_t *s = t_str_new(512);
	unsigned int i, nfields = rnd(8), folds;

	for (i = 0; i < nfields; i++) {
		if (rnd(10) == 0)
			str_append(s, "no colon here");
		else
			str_printfa(s, "%s:%s", names[rnd(N_ELEMENTS(names))],
				    values[rnd(N_ELEMENTS(values))]);
		str_append(s, ends[rnd(2)]);
		for (folds = rnd(4) == 0 ? 1 + rnd(3) : 0; folds > 0;
		     folds--) {
			str_printfa(s, "%s%s", rnd(2) ? " " : "\t",
				    values[rnd(N_ELEMENTS(values))]);
			str_append(s, ends[rnd(2)]);
		}
	}
	switch (rnd(4)) {
	case 0:
		/* no body: the last line may lack its line end */
		if (str_len(s) > 0 && rnd(2) == 0)
			str_truncate(s, str_len(s) - 1);
		break;
	case 1:
		str_append(s, "\r\nbody\r\n");
		break;
	default:
		str_append(s, "\nbody line\n\nmore: not a header\n");
	}
	return s;
}

static const char *
escaped(const string_t *s)
{
	string_t *e = t_str_new(str_len(s) * 2);
	size_t i;

	for (i = 0; i < str_len(s); i++) {
		unsigned char c = str_data(s)[i];

		if (c == '\n')
			str_append(e, "\\n");
		else if (c == '\r')
			str_append(e, "\\r");
		else if (c == '\t')
			str_append(e, "\\t");
		else
			str_append_c(e, c);
	}
	return str_c(e);
}

int
main(void)
{
	static const char *const cases[] = {
		"Subject: hi\n\nbody\n",
		"Subject: hi\r\n\r\nbody\r\n",
		"Subject:hi\n\n",
		"Subject :hi\nSubject\t: two\n\n",
		"Subject: a\n b\n\tc\nFrom: x@y\n\nbody",
		"Subject: no body",
		"Subject: no body\n",
		"\nbody only\n",
		"\r\nbody only\n",
		"",
		"no colon\nSubject: x\n\n",
		"Subject:\n\n",
		"Subject: \n\n",
		"Subject:  \t\n\n",
		"Signet-Provenance: v=1;\n rcpt=ab;\r\n seal=cd\n\nb\n",
		"X: a\rb\n\n",
		"Subject: x\r",
	};
	unsigned int i, bad = 0;
	const char *err;

	lib_init();
	t_suite = "dovecot";
	for (i = 0; i < N_ELEMENTS(cases); i++) T_BEGIN {
		err = compare((const unsigned char *)cases[i],
			      strlen(cases[i]));
		if (err != NULL)
			printf("FAIL: dovecot: header-case-%u: %s\n", i, err);
		else
			printf("PASS: dovecot: header-case-%u\n", i);
		if (err != NULL)
			t_failed++;
	} T_END;
	for (i = 0; i < 20000 && bad < 5; i++) T_BEGIN {
		string_t *s = generate();

		err = compare(str_data(s), str_len(s));
		if (err != NULL) {
			printf("FAIL: dovecot: header-generated: %s in "
			       "\"%s\"\n", err, escaped(s));
			bad++;
		}
	} T_END;
	T_OK("header-generated-20000-agree-with-dovecot", bad == 0);
	lib_deinit();
	return t_failed == 0 ? 0 : 1;
}
