/* The Exim side of the module: the only files that include Exim's
   local_scan.h include this. */
#ifndef SIGNET_EXIM_GLUE_H
#define SIGNET_EXIM_GLUE_H

#define LOCAL_SCAN
#define DLFUNC_IMPL
#include <local_scan.h>
#include "module.h"

/* One message at end of DATA. */
struct sx_msg {
	struct sx_state *s;
	time_t now;
	int fd;
	int bounce;
	const char *msgid; /* Message-ID header value, or NULL */
	char msg_binding[SIGNET_PROV_MSG_BUFSZ]; /* msg= of its records */
	/* hop, and what the ACL snippet said */
	const char *tls, *cipher, *auth, *peer, *helo, *host, *relay;
	int pfs;	/* forward secrecy */
	int hub_report; /* a bounce Exim itself made (see read_vars) */
	/* a bounce's returned Message-ID, read on first need */
	int dsn_read;
	int dsn_found;
	char orig_msgid[256];
};

/* The spooled facts of the Signet-Provenance headers (incoming.c), made
   into one sealed header per delivery by sx_seal (seal.c). */
#define SX_FACTS_HEADER "Signet-Facts"
#define SX_FACTS_RCPT_HEADER "Signet-Facts-Rcpt"

/* The value of a header, unfolded and trimmed, in Exim's store; NULL
   when empty. */
const char *sx_header_value(const header_line *h);

/* This recipient's Signet-Provenance header line for headers_add, or "". */
const char *sx_seal(struct sx_state *s, const char *rcpt, time_t now);

/* Expands an Exim expression; "" when unset or on failure. */
const char *sx_expand(const char *expr);

/* Reads the Message-ID and the hop, loads the state from the configuration
   the ACL snippet names, notes a bounce, drops incoming Signet-* headers. */
void sx_msg_begin(struct sx_msg *m);
/* Outgoing: signs the envelope sender when this message is our user's.
   Returns a LOCAL_SCAN_ code; text_r gets the reply for a refusal. */
int sx_sign_sender(struct sx_msg *m, uschar **text_r);
/* Incoming: removes Signet-* headers, rewrites signed recipients to their
   base, adds one sealed Signet-Provenance header per local recipient. */
int sx_scan_recipients(struct sx_msg *m, uschar **text_r);

#endif
