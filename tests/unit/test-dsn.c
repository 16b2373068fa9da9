/* The bounce reader (shared/dsn.c): which Message-ID it finds in a
   bounce's body, that every truncation of a report is read without
   running past its end (the unit suite runs it under ASan and valgrind),
   and the binding check. */
#include <stdio.h>
#include <stdlib.h>
#include "signet.h"
#include "t.h"

static const char report[] =
	"--B\r\nContent-Type: text/plain\r\n\r\nMessage-ID: <not@this>\r\n"
	"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
	"Final-Recipient: rfc822; x@y\r\n\r\n"
	"--B\r\nContent-Type:  text/rfc822-headers\r\n\r\n"
	"From: a@b\r\nmessage-id:\r\n\t<orig@example.com>  \r\nSubject: s\r\n"
	"\r\n--B--\r\n";

/* The returned headers have no Message-ID; the returned body and a later
   part have "Message-ID:" lines, which are not the original's. */
static const char *const no_id_reports[] = {
	"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
	"Final-Recipient: rfc822; x@y\r\n\r\n"
	"--B\r\nContent-Type: message/rfc822\r\n\r\n"
	"From: a@b\r\nSubject: fwd\r\n\r\n"
	"Message-ID: <quoted@body>\r\n--B--\r\n",
	"--B\nContent-Type: message/rfc822\n\n"
	"From: a@b\nSubject: fwd\n\nMessage-ID: <quoted@body>\n--B--\n",
	/* text/rfc822-headers with no empty line before the boundary. */
	"--B\nContent-Type: text/rfc822-headers\n\nFrom: a@b\nSubject: s\n"
	"--B\nContent-Type: text/plain\n\nMessage-ID: <later@part>\n--B--\n",
	/* Folded Subject whose continuation looks like the header. */
	"--B\r\nContent-Type: message/rfc822\r\n\r\n"
	"Subject: a\r\n Message-ID: <in@subject>\r\n\r\nbody\r\n",
};

/* Plain-text bounces: prose, then the returned message. */
static const char plain_lf[] =
	"Sorry, we could not deliver it.\nReason: mailbox full\n\n"
	"<x@y>:\nNo such user.\n\n"
	"--- Below this line is a copy of the message.\n\n"
	"Return-Path: <a@b>\nFrom: a@b\nMessage-Id:\n <orig@plain>\n\n"
	"Message-ID: <quoted@body>\n";
static const char plain_no_id[] =
	"Reason: mailbox full\r\n\r\n------ This is a copy ------\r\n\r\n"
	"Received: from x\r\n\tby y\r\nFrom: a@b\r\n\r\n"
	"Message-ID: <quoted@body>\r\n";

static const char *
find(const char *body, size_t len, int is_report)
{
	static char out[256];

	return signet_dsn_message_id(body, len, is_report, out, sizeof(out)) ==
			       SIGNET_OK
		       ? out
		       : NULL;
}

/* A bounce to a closed address matches the message it was issued for, in
   any spelling of its Message-ID, and no other; prvs names no message. */
static void
binding(void)
{
	const time_t now = 1795332600;
	signet_keyring *kr = NULL;
	struct signet_verdict v, p;
	char closed[SIGNET_ADDR_BUFSZ], prvs[SIGNET_ADDR_BUFSZ];
	struct signet_lifetimes lt;
	int id;

	signet_lifetimes_default(&lt);
	lt.formats |= SIGNET_FORMAT_BIT(SIGNET_FMT_PRVS);
	if (signet_keyring_new(&kr) != SIGNET_OK ||
	    signet_keyring_add(kr, SIGNET_KEY_ADDR, now - 86400, 90 * 86400,
			       150 * 86400, &id) != SIGNET_OK ||
	    signet_sign(kr, &lt, SIGNET_FMT_SIGNET, "alice@isp.example",
			"<orig@example.com>", now, closed,
			sizeof(closed)) != SIGNET_OK ||
	    signet_sign(kr, &lt, SIGNET_FMT_PRVS, "alice@isp.example", NULL,
			now, prvs, sizeof(prvs)) != SIGNET_OK ||
	    signet_verify(kr, &lt, closed, now, &v) != SIGNET_OK ||
	    signet_verify(kr, &lt, prvs, now, &p) != SIGNET_OK) {
		T_OK("bind-setup", 0);
		signet_keyring_free(&kr);
		return;
	}
	T_OK("bind-match", signet_bind_check(&v, find(report, strlen(report),
						      1)) == SIGNET_BIND_MATCH);
	T_OK("bind-match-without-brackets",
	     signet_bind_check(&v, " orig@example.com ") == SIGNET_BIND_MATCH);
	T_OK("bind-mismatch", signet_bind_check(&v, "<other@example.com>") ==
				      SIGNET_BIND_MISMATCH);
	T_OK("bind-unknown-without-message-id",
	     signet_bind_check(&v, NULL) == SIGNET_BIND_UNKNOWN);
	T_OK("bind-none-for-prvs",
	     signet_bind_check(&p, "<orig@example.com>") == SIGNET_BIND_NONE);
	signet_keyring_free(&kr);
}

int
main(void)
{
	char small[8], name[64];
	size_t i;

	t_suite = "unit-dsn";
	T_STREQ("dsn-returned-part-folded", find(report, strlen(report), 1),
		"<orig@example.com>");
	T_STREQ("dsn-not-report-first-found", find(report, strlen(report), 0),
		"<not@this>");
	T_OK("dsn-none", find("no id here\n", 11, 1) == NULL);
	T_OK("dsn-empty-value", find("Message-ID:   \n\n", 16, 0) == NULL);
	T_OK("dsn-too-long-for-buffer",
	     signet_dsn_message_id("Message-ID: <0123456789>\n", 25, 0, small,
				   sizeof(small)) == SIGNET_E_BUFFER);
	for (i = 0; i < sizeof(no_id_reports) / sizeof(no_id_reports[0]); i++) {
		snprintf(name, sizeof(name), "dsn-only-returned-headers-%zu",
			 i);
		T_OK(name, find(no_id_reports[i], strlen(no_id_reports[i]),
				1) == NULL);
	}
	T_STREQ("dsn-plain-after-prose-folded",
		find(plain_lf, strlen(plain_lf), 0), "<orig@plain>");
	T_OK("dsn-plain-only-returned-headers",
	     find(plain_no_id, strlen(plain_no_id), 0) == NULL);
	/* A report whose returned part is not found: read as plain text. */
	T_OK("dsn-report-without-part-plain",
	     find(plain_no_id, strlen(plain_no_id), 1) == NULL);
	/* Every prefix, copied so that reading one byte too far is caught. */
	for (i = 0; i <= strlen(report); i++) {
		char *p = malloc(i ? i : 1);

		memcpy(p, report, i);
		(void)find(p, i, 1);
		free(p);
	}
	for (i = 0; i <= strlen(plain_lf); i++) {
		char *p = malloc(i ? i : 1);

		memcpy(p, plain_lf, i);
		(void)find(p, i, 0);
		free(p);
	}
	T_OK("dsn-every-truncation-read", 1);
	binding();
	return t_failed != 0;
}
