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
	/* the submitter, and whether the client is a relay host */
	const char *auth, *peer, *relay;
	const char *tls; /* read on first need: NULL until then */
	/* a bounce's returned Message-ID, read on first need */
	int dsn_read;
	int dsn_found;
	char orig_msgid[256];
};

/* What end of DATA alone knows of a recipient (incoming.c): the RCPT
   decision on a signed or exempt address, spooled for its delivery, which
   seals it with the hop Exim restored from its own spool (seal.c).
   signet 0.1.0 also spooled a message-wide record in Signet-Facts; the
   hop in it is Exim's, so that record is not read. */
#define SX_FACTS_HEADER "Signet-Facts"
#define SX_FACTS_RCPT_HEADER "Signet-Facts-Rcpt"
/* Signet-Facts of a message whose recipients end of DATA could not check
   (no usable configuration): its copies get no header. */
#define SX_FACTS_UNCHECKED "unchecked"

/* The value of a header, unfolded and trimmed, in Exim's store; NULL
   when empty. */
const char *sx_header_value(const header_line *h);

/* This recipient's Signet-Provenance header line for headers_add, or "". */
const char *sx_seal(struct sx_state *s, const char *rcpt, time_t now);

/* Expands an Exim expression; "" when unset or on failure. */
const char *sx_expand(const char *expr);
/* The answer of one of signet's ACLs (${acl{NAME}}, conf/exim4/
   signet_acls), or NULL when Exim could not give it (e.g. a lookup in it
   failed, or the file is not included), with Exim's reason in why_r. */
const char *sx_acl(const char *name, const char **why_r);
/* The values of several Exim variables ("$name"), from one expansion:
   each variable costs Exim 4.96 about 1.5K instructions, and each
   expand_string() call a fixed cost on top.  A NULL name is not looked
   up and gets "".  Only the last variable may hold a newline.  Returns 0
   (values "") when the expansion failed. */
int sx_expand_vars(const char *const *names, const char **vals_r, size_t n);
/* The first header of this name ("Name:"), or NULL. */
const header_line *sx_find_header(const char *name);

/* Reads the submitter, loads the state, notes a bounce, drops incoming
   Signet-* headers.  Returns a LOCAL_SCAN_ code: TEMPREJECT, with
   text_r, when Exim could not say whether the client is a relay host. */
int sx_msg_begin(struct sx_msg *m, uschar **text_r);
/* Outgoing: signs the envelope sender when this message is our user's.
   Returns a LOCAL_SCAN_ code; text_r gets the reply for a refusal. */
int sx_sign_sender(struct sx_msg *m, uschar **text_r);
/* Incoming: rewrites signed recipients to their base, and spools the
   decision on each one (and on exempt recipients of a bounce). */
int sx_scan_recipients(struct sx_msg *m, uschar **text_r);

#endif
