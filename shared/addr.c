/* RFC 5321 Mailbox syntax (section 4.1.2) and size limits (4.5.3.1). */
#include <string.h>

#include "internal.h"

static int
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	/* RFC 6531 allows UTF-8 here; such addresses are parsed but the
	   signer leaves them alone. */
	if (c >= 0x80)
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static int
dot_string_ok(const char *s, size_t len)
{
	int prev_dot = 1;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (prev_dot)
				return 0;
			prev_dot = 1;
		} else if (is_atext(c)) {
			prev_dot = 0;
		} else {
			return 0;
		}
	}
	return !prev_dot;
}

static int
quoted_string_ok(const char *s, size_t len)
{
	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return 0;
	for (size_t i = 1; i < len - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			/* quoted-pairSMTP: %d92 %d32-126 */
			if (++i >= len - 1)
				return 0;
			c = (unsigned char)s[i];
			if (c < 32 || c > 126)
				return 0;
		} else if (c < 32 || c == '"' || c == 127) {
			return 0;
		}
	}
	return 1;
}

SIGNET_HOT int
signet_domain_ok(const char *s, size_t len)
{
	size_t label = 0;

	if (s == NULL || len == 0 || len > SIGNET_DOMAIN_MAX)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)s[i] : '.';

		if (c == '.') {
			/* sub-domain = Let-dig [Ldh-str]: no '-' at the ends */
			if (label == 0 || label > 63 || s[i - 1] == '-' ||
			    s[i - label] == '-')
				return 0;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-' || c >= 0x80) {
			label++;
		} else {
			return 0;
		}
	}
	return 1;
}

/* An address's domain: a name, or an address literal (checked only for
   its shape). */
static int
addr_domain_ok(const char *s, size_t len)
{
	if (len < 3 || s[0] != '[')
		return signet_domain_ok(s, len);
	if (s[len - 1] != ']')
		return 0;
	for (size_t i = 1; i < len - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 32 || c >= 127 || c == '[' || c == ']' || c == '\\')
			return 0;
	}
	return 1;
}

SIGNET_HOT signet_status
signet_addr_parse(const char *addr, struct signet_addr *addr_r)
{
	const char *at;
	size_t len, llen;

	memset(addr_r, 0, sizeof(*addr_r));
	if (addr == NULL)
		return SIGNET_E_SYNTAX;
	len = strlen(addr);
	/* The path limit counts the angle brackets. */
	if (len == 0 || len > SIGNET_PATH_MAX - 2)
		return SIGNET_E_SYNTAX;
	at = strrchr(addr, '@');
	if (at == NULL)
		return SIGNET_E_SYNTAX;
	llen = (size_t)(at - addr);
	if (llen == 0 || llen > SIGNET_LOCAL_MAX)
		return SIGNET_E_SYNTAX;
	if (addr[0] == '"') {
		if (!quoted_string_ok(addr, llen))
			return SIGNET_E_SYNTAX;
		addr_r->quoted = 1;
	} else if (!dot_string_ok(addr, llen)) {
		return SIGNET_E_SYNTAX;
	}
	if (!addr_domain_ok(at + 1, len - llen - 1))
		return SIGNET_E_SYNTAX;
	addr_r->local = addr;
	addr_r->local_len = llen;
	addr_r->domain = at + 1;
	addr_r->domain_len = len - llen - 1;
	return SIGNET_OK;
}
