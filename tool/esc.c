/* Showing untrusted text on a terminal.  Addresses, Message-IDs, reasons
   and event-feed fields may come from a remote sender; printed raw, a CR
   or LF forges output lines and an ESC drives the terminal. */
#include <stdio.h>
#include <string.h>

#include "tool.h"

/* Length of the UTF-8 sequence at s (1-4), or 0 if it is not valid
   (overlong, surrogate, above U+10FFFF, or cut short); *cp_r gets the
   code point. */
static size_t
utf8_seq(const unsigned char *s, unsigned long *cp_r)
{
	unsigned long cp, min;
	size_t n;

	if (s[0] < 0x80) {
		*cp_r = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cp_r = cp;
	return n;
}

size_t
tool_utf8_invalid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	size_t n;

	for (size_t i = 0; p[i] != '\0'; i += n) {
		if ((n = utf8_seq(p + i, &cp)) == 0)
			return i + 1;
	}
	return 0;
}

int
tool_json_text(const char *cmd, const char *what, const char *s)
{
	size_t bad = s != NULL ? tool_utf8_invalid(s) : 0;

	if (bad == 0)
		return 0;
	fprintf(stderr,
		"signet %s: --json: %s \"%s\" is not valid UTF-8 (octet %zu "
		"is 0x%02x); JSON holds only UTF-8 text: give it in UTF-8 "
		"(RFC 6531), or leave out --json\n",
		cmd, what, tool_esc(s), bad, (unsigned char)s[bad - 1]);
	return TOOL_USAGE;
}

/* Code points that move or hide text: C1 controls, and the bidi
   embeddings, overrides and isolates (a forged address shown
   reversed). */
static int
hidden(unsigned long cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

#define ESC_RING 4
#define ESC_BUFSZ 2048

const char *
tool_esc(const char *s)
{
	static char ring[ESC_RING][ESC_BUFSZ];
	static unsigned next;
	static const char named[] = "\a\b\t\n\v\f\r\033", letter[] = "abtnvfre";
	char *out = ring[next++ % ESC_RING], *o = out;
	const unsigned char *p = (const unsigned char *)s;
	size_t n, room = ESC_BUFSZ - sizeof("...");

	if (s == NULL)
		return "?";
	for (; *p != '\0'; p += n) {
		unsigned long cp;
		const char *nm;
		char e[8];
		size_t el;

		n = utf8_seq(p, &cp);
		if (n == 0) {
			n = 1;
			el = (size_t)snprintf(e, sizeof(e), "\\x%02x", *p);
		} else if (*p == '\\') {
			el = (size_t)snprintf(e, sizeof(e), "\\\\");
		} else if (*p != '\0' && (nm = strchr(named, *p)) != NULL) {
			el = (size_t)snprintf(e, sizeof(e), "\\%c",
					      letter[nm - named]);
		} else if (cp < 0x20 || cp == 0x7f) {
			el = (size_t)snprintf(e, sizeof(e), "\\x%02lx", cp);
		} else if (hidden(cp)) {
			el = (size_t)snprintf(e, sizeof(e), "\\u%04lx", cp);
		} else {
			el = 0;
		}
		if ((el > 0 ? el : n) > room) {
			memcpy(o, "...", 3);
			o += 3;
			break;
		}
		if (el > 0)
			memcpy(o, e, el);
		else
			memcpy(o, p, n);
		o += el > 0 ? el : n;
		room -= el > 0 ? el : n;
	}
	*o = '\0';
	return out;
}
