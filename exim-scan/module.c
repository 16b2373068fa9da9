/* signet.so entry points: the ABI version functions Debian's loader asks
   for, local_scan() at end of DATA, and the ${dlfunc} functions. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "exim.h"

SX_EXPORT int local_scan_version_major(void);
SX_EXPORT int local_scan_version_minor(void);
SX_EXPORT int signet_rcpt(uschar **yield, int argc, uschar *argv[]);
SX_EXPORT int signet_rcpt_wanted(uschar **yield, int argc, uschar *argv[]);
SX_EXPORT int signet_base(uschar **yield, int argc, uschar *argv[]);
SX_EXPORT int signet_preload(uschar **yield, int argc, uschar *argv[]);
SX_EXPORT int signet_seal(uschar **yield, int argc, uschar *argv[]);

int
local_scan_version_major(void)
{
	return LOCAL_SCAN_ABI_VERSION_MAJOR;
}

int
local_scan_version_minor(void)
{
	return LOCAL_SCAN_ABI_VERSION_MINOR;
}

void
sx_log(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* Addresses and header values come from the client: keep one line. */
	for (char *p = buf; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	log_write(0, LOG_MAIN, "signet: %s", buf);
}

const char *
sx_expand(const char *expr)
{
	const uschar *v = expand_string(US expr);

	return v == NULL ? "" : (const char *)v;
}

const char *
sx_acl(const char *name, const char **why_r)
{
	char expr[64];
	const uschar *v;

	snprintf(expr, sizeof(expr), "${acl{%s}}", name);
	v = expand_string(US expr);
	*why_r = expand_string_message != NULL && *expand_string_message
			 ? (const char *)expand_string_message
			 : "expansion failed";
	return (const char *)v;
}

int
sx_expand_vars(const char *const *names, const char **vals_r, size_t n)
{
	char expr[512];
	size_t i, k, len = 0, last = n;
	char *p, *nl;

	for (i = 0; i < n; i++) {
		vals_r[i] = "";
		if (names[i] == NULL)
			continue;
		k = strlen(names[i]);
		if (len + k + 2 > sizeof(expr))
			return 0;
		if (len > 0)
			expr[len++] = '\n';
		memcpy(expr + len, names[i], k);
		len += k;
		last = i;
	}
	if (last == n)
		return 1;
	expr[len] = '\0';
	p = (char *)expand_string(US expr);
	if (p == NULL) {
		sx_log("cannot read Exim's variables: %s",
		       expand_string_message != NULL
			       ? (const char *)expand_string_message
			       : "expansion failed");
		return 0;
	}
	for (i = 0; i <= last; i++) {
		if (names[i] == NULL)
			continue;
		vals_r[i] = p;
		if (i == last)
			break;
		nl = strchr(p, '\n');
		if (nl == NULL) { /* each name gives a line */
			sx_log("cannot read Exim's variables: %zu values "
			       "expected, fewer lines came",
			       last + 1);
			return 0;
		}
		*nl = '\0';
		p = nl + 1;
	}
	return 1;
}

/* by signet_class */
static const char *const action_names[] = {"accept", "defer", "reject"};

static void
rcpt_report(struct sx_state *s, const char *rcpt, const char *sender,
	    const struct signet_rcpt_answer *a, time_t now)
{
	char count[24] = "";
	const char *peer = sender_host_address != NULL
				   ? (const char *)sender_host_address
				   : "local";
	const char *kv[20];
	size_t n = 0;

	/* A plain address with a sender needs no check: nothing to say. */
	if (!a->is_signed && *sender != '\0')
		return;
	if (a->counted)
		snprintf(count, sizeof(count), "%llu", a->usage.count);
	sx_kv(kv, &n, SIGNET_EK_RCPT, rcpt);
	sx_kv(kv, &n, SIGNET_EK_SENDER, sender);
	sx_kv(kv, &n, SIGNET_EK_VERDICT, signet_rv_name(a->verdict));
	sx_kv(kv, &n, SIGNET_EK_REASON, signet_status_name(a->status));
	sx_kv(kv, &n, SIGNET_EK_OWNER, a->is_signed ? a->v.base : NULL);
	sx_kv(kv, &n, SIGNET_EK_PEER, peer);
	sx_kv(kv, &n, SIGNET_EK_USES, a->counted ? count : NULL);
	kv[n] = NULL;
	sx_log("rcpt <%s> from <%s> [%s]: %s %s (%s)%s%s", rcpt, sender, peer,
	       action_names[a->cls], signet_rv_name(a->verdict),
	       signet_status_name(a->status),
	       a->counted ? " uses=" : "", count);
	sx_event(s, now, signet_event_rcpt_kind(a->cls), kv);
}

/* Ordinary mail, a sender and a recipient that does not look signed,
   has nothing to check. */
SX_HOT static int
rcpt_is_ordinary(const char *rcpt, const char *sender)
{
	return *sender != '\0' && !signet_is_signed(rcpt);
}

/* ${dlfunc{signet.so}{signet_rcpt_wanted}{LOCAL_PART}}: "yes" when
   signet_rcpt has something to say about this local part from this
   message's envelope sender, "" for ordinary mail.  The first condition
   of the ACL snippet: a fraction of the cost of the verdict's statements,
   and nothing is loaded. */
SX_HOT int
signet_rcpt_wanted(uschar **yield, int argc, uschar *argv[])
{
	char addr[SIGNET_ADDR_BUFSZ];
	const char *sender =
		sender_address != NULL ? (const char *)sender_address : "";
	size_t n;

	*yield = US "yes";
	if (argc < 1)
		return OK;
	/* signet_is_signed() reads the local part up to the last '@'
	   (copied by hand: this runs for every RCPT) */
	n = strlen((const char *)argv[0]);
	if (n + 2 > sizeof(addr))
		return OK;
	memcpy(addr, argv[0], n);
	addr[n] = '@';
	addr[n + 1] = '\0';
	if (rcpt_is_ordinary(addr, sender))
		*yield = US "";
	return OK;
}

/* ${dlfunc{signet.so}{signet_rcpt}{RCPT}{SENDER}{CONFIG}}: always OK, with
   "accept TAG", "defer TAG CODE TEXT" or "reject TAG CODE TEXT" for the
   ACL to act on (a dlfunc failure would be a generic 451). */
int
signet_rcpt(uschar **yield, int argc, uschar *argv[])
{
	struct sx_rcpt_answer a;
	struct sx_state *s;
	time_t now = time(NULL);
	const char *rcpt, *sender;

	if (argc < 2) {
		sx_log("signet_rcpt needs the recipient and the sender as "
		       "arguments, got %d argument(s)",
		       argc);
		*yield = US "defer unverified 451 4.3.0 local configuration "
			    "error; please try again later";
		return OK;
	}
	rcpt = (const char *)argv[0];
	sender = (const char *)argv[1];
	/* Ordinary mail: nothing to check, so nothing to load (most
	   connections that never reach DATA end here). */
	if (rcpt_is_ordinary(rcpt, sender)) {
		*yield = US "accept none";
		return OK;
	}
	s = sx_state_get(argc > 2 ? (const char *)argv[2] : NULL);
	sx_rcpt_check(s, rcpt, sender, (const char *)sender_host_address, now,
		      &a);
	rcpt_report(s, rcpt, sender, &a.d, now);
	if (a.d.cls == SIGNET_CLASS_ACCEPT)
		*yield = string_sprintf("accept %s",
					signet_rv_name(a.d.verdict));
	else
		*yield = string_sprintf("%s %s %s", action_names[a.d.cls],
					signet_rv_name(a.d.verdict), a.text);
	return OK;
}

/* ${dlfunc{signet.so}{signet_base}{ADDR}}: the base address of a signed
   address whatever its verdict (for a verify_only router, so that the ACL
   gives the real answer), or "" for an unsigned one. */
int
signet_base(uschar **yield, int argc, uschar *argv[])
{
	char base[SIGNET_ADDR_BUFSZ];

	*yield = US "";
	if (argc >= 1 &&
	    signet_base_of((const char *)argv[0], base, sizeof(base)) ==
		    SIGNET_OK)
		*yield = string_copy(US base);
	return OK;
}

/* This module's local_scan: the name, looked up from here, is Exim's
   when Exim exports one */
extern SX_HOT int own_local_scan(int fd, uschar **return_text)
	__attribute__((alias("local_scan"), visibility("hidden")));

/* Debian's Exim loads local_scan_path in each process on its first
   message, and keeps the function it found.  In a connection's process
   that dlopen() walks the 40-odd libraries Exim has loaded, reading each
   one's name from pages the process has not touched since the fork:
   about 35 page faults and 10K instructions per connection.  Asked once
   here, through Exim's own exported local_scan() with no message (fd -1,
   which ours answers at once), the daemon loads it, and every connection
   inherits the function.  Where Exim has no such entry point the lookup
   finds ours, and nothing is done. */
static void
prime_exim_loader(void)
{
	static int done;
	int (*exim_local_scan)(int, uschar **);
	uschar *text = NULL;

	if (done)
		return;
	done = 1;
	*(void **)&exim_local_scan = dlsym(RTLD_DEFAULT, "local_scan");
	if (exim_local_scan != NULL && exim_local_scan != own_local_scan)
		(void)exim_local_scan(-1, &text);
}

/* ${dlfunc{signet.so}{signet_preload}{CONFIG}{VALUE}}: loads the module,
   its configuration and keys, and yields VALUE.  Placed in an option that
   the daemon expands before it forks each connection's process
   (smtp_accept_max_per_host), it lets every connection inherit them
   instead of loading them again.  The daemon looks at the files at most
   once a second (each connection's process looks again before it uses
   them), and never opens the state store or the event file: handles of
   those must not cross fork. */
int
signet_preload(uschar **yield, int argc, uschar *argv[])
{
	static time_t checked;
	time_t now = time(NULL);

	if (now != checked) {
		checked = now;
		sx_state_get(argc > 0 ? (const char *)argv[0] : NULL);
		(void)signet_crypto_prepare(); /* AES's fetch, before forks */
		prime_exim_loader();
	}
	*yield = argc > 1 ? argv[1] : US "";
	return OK;
}

/* ${dlfunc{signet.so}{signet_seal}{CONFIG}{RCPT}}, in a local transport's
   headers_add: this recipient's Signet-Provenance header, or "" (the copy
   goes out untagged, never held back). */
int
signet_seal(uschar **yield, int argc, uschar *argv[])
{
	if (argc < 2) {
		sx_log("signet_seal needs the configuration and the recipient "
		       "as arguments, got %d argument(s)",
		       argc);
		*yield = US "";
		return OK;
	}
	*yield = US sx_seal(sx_state_get((const char *)argv[0]),
			    (const char *)argv[1], time(NULL));
	return OK;
}

SX_HOT int
local_scan(int fd, uschar **return_text)
{
	struct sx_msg m;
	int rc;

	if (fd < 0) /* no message: the daemon priming Exim's loader */
		return LOCAL_SCAN_ACCEPT;
	memset(&m, 0, sizeof(m));
	m.now = time(NULL);
	m.fd = fd;
	rc = sx_msg_begin(&m, return_text);
	if (rc == LOCAL_SCAN_ACCEPT)
		rc = sx_sign_sender(&m, return_text);
	if (rc == LOCAL_SCAN_ACCEPT)
		rc = sx_scan_recipients(&m, return_text);
	return rc;
}
