/* The module's bounce reader (exim-scan/dsn.c) on its own: which
   Message-ID it finds in a bounce's body, and that every truncation of a
   report is read without running past its end (built with ASan by the
   exim suite's make rule). */
#include <stdlib.h>
#include "../unit/t.h"
#include "../../exim-scan/module.h"

static const char report[] =
	"--B\r\nContent-Type: text/plain\r\n\r\nMessage-ID: <not@this>\r\n"
	"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
	"Final-Recipient: rfc822; x@y\r\n\r\n"
	"--B\r\nContent-Type:  text/rfc822-headers\r\n\r\n"
	"From: a@b\r\nmessage-id:\r\n\t<orig@example.com>  \r\nSubject: s\r\n"
	"\r\n--B--\r\n";

static const char *
find(const char *body, size_t len, int is_report)
{
	static char out[256];

	return sx_dsn_message_id(body, len, is_report, out, sizeof(out)) == 0 ?
		       out :
		       NULL;
}

int
main(void)
{
	char small[8];
	size_t i;

	t_suite = "exim";
	T_STREQ("dsn-returned-part-folded", find(report, strlen(report), 1),
		"<orig@example.com>");
	T_STREQ("dsn-not-report-first-found", find(report, strlen(report), 0),
		"<not@this>");
	T_OK("dsn-none", find("no id here\n", 11, 1) == NULL);
	T_OK("dsn-empty-value", find("Message-ID:   \n\n", 16, 0) == NULL);
	T_OK("dsn-too-long-for-buffer",
	     sx_dsn_message_id("Message-ID: <0123456789>\n", 25, 0, small,
			       sizeof(small)) != 0);
	/* Every prefix, copied so that reading one byte too far is caught. */
	for (i = 0; i <= strlen(report); i++) {
		char *p = malloc(i ? i : 1);

		memcpy(p, report, i);
		(void)find(p, i, 1);
		free(p);
	}
	T_OK("dsn-every-truncation-read", 1);
	return t_failed != 0;
}
