/* Look-alike domains (Finch's dept.dam.ac.uk for dept.cam.ac.uk).  Each
   domain is reduced to a skeleton: punycode labels decoded, confusable
   characters folded to the Latin letter they imitate, then compared with
   ours exactly and within one edit. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "signet.h"

#define SKEL_MAX 512

/* Code points that render like a Latin letter or digit. */
static const struct {
	uint32_t cp;
	char to;
} confusables[] = {
	{0x0430, 'a'}, {0x0435, 'e'}, {0x043e, 'o'}, {0x0440, 'p'},
	{0x0441, 'c'}, {0x0443, 'y'}, {0x0445, 'x'}, {0x0456, 'l'},
	{0x0458, 'j'}, {0x0455, 's'}, {0x04bb, 'h'}, {0x0501, 'd'},
	{0x051b, 'q'}, {0x051d, 'w'}, {0x0261, 'g'}, {0x03bf, 'o'},
	{0x03b1, 'a'}, {0x03bd, 'v'}, {0x03c1, 'p'}, {0x03ba, 'k'},
	{0x03b9, 'l'}, {0x0131, 'l'}, {0x00e0, 'a'}, {0x00e1, 'a'},
	{0x00e2, 'a'}, {0x00e4, 'a'}, {0x00e5, 'a'}, {0x00e7, 'c'},
	{0x00e8, 'e'}, {0x00e9, 'e'}, {0x00ea, 'e'}, {0x00eb, 'e'},
	{0x00ec, 'l'}, {0x00ed, 'l'}, {0x00ee, 'l'}, {0x00ef, 'l'},
	{0x00f2, 'o'}, {0x00f3, 'o'}, {0x00f4, 'o'}, {0x00f6, 'o'},
	{0x00f8, 'o'}, {0x00f9, 'u'}, {0x00fa, 'u'}, {0x00fb, 'u'},
	{0x00fc, 'u'}, {0x00fd, 'y'}, {0x00ff, 'y'}, {0x0127, 'h'},
	{0x1e9b, 's'}, {0xff41, 'a'}, {0x2010, '-'}, {0x2011, '-'},
};

static char
fold_cp(uint32_t cp)
{
	if (cp < 0x80) {
		char c = (char)tolower((int)cp);

		/* Letters and digits that pass for one another. */
		switch (c) {
		case '0':
			return 'o';
		case '1':
		case 'i':
			return 'l';
		case '5':
			return 's';
		default:
			return c;
		}
	}
	for (size_t i = 0; i < sizeof(confusables) / sizeof(confusables[0]);
	     i++) {
		if (confusables[i].cp == cp)
			return confusables[i].to;
	}
	return '?';
}

/* RFC 3492 decoding of one label's payload (after "xn--").  Returns the
   number of code points, or -1. */
static int
punycode_decode(const char *in, size_t len, uint32_t *out, size_t max)
{
	uint32_t n = 128, i = 0, bias = 72;
	size_t b = 0, o = 0, p;

	for (p = 0; p < len; p++) {
		if (in[p] == '-')
			b = p;
	}
	for (p = 0; p < b; p++) {
		if (o >= max || (unsigned char)in[p] >= 0x80)
			return -1;
		out[o++] = (unsigned char)in[p];
	}
	for (p = b > 0 ? b + 1 : 0; p < len;) {
		uint32_t oldi = i, w = 1;

		for (uint32_t k = 36;; k += 36) {
			char c;
			uint32_t d, t;

			if (p >= len)
				return -1;
			c = (char)tolower((unsigned char)in[p++]);
			if (c >= 'a' && c <= 'z')
				d = (uint32_t)(c - 'a');
			else if (c >= '0' && c <= '9')
				d = (uint32_t)(c - '0' + 26);
			else
				return -1;
			if (d > (UINT32_MAX - i) / w)
				return -1;
			i += d * w;
			t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
			if (d < t)
				break;
			if (w > UINT32_MAX / (36 - t))
				return -1;
			w *= 36 - t;
		}
		/* adapt the bias */
		{
			uint32_t delta =
				oldi == 0 ? (i - oldi) / 700 : (i - oldi) / 2;
			uint32_t k = 0;

			delta += delta / (uint32_t)(o + 1);
			while (delta > 455) {
				delta /= 35;
				k += 36;
			}
			bias = k + 36 * delta / (delta + 38);
		}
		if (i / (o + 1) > UINT32_MAX - n || o >= max)
			return -1;
		n += i / (uint32_t)(o + 1);
		i %= (uint32_t)(o + 1);
		memmove(out + i + 1, out + i, (o - i) * sizeof(*out));
		out[i++] = n;
		o++;
	}
	return (int)o;
}

/* Decodes one UTF-8 sequence; returns its length, or 1 for a bad byte. */
static size_t
utf8_cp(const unsigned char *s, size_t len, uint32_t *cp_r)
{
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;

	if (n == 1 || n > len) {
		*cp_r = s[0] < 0x80 ? s[0] : 0xfffd;
		return 1;
	}
	*cp_r = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++)
		*cp_r = (*cp_r << 6) | (s[i] & 0x3f);
	return n;
}

static size_t
skeleton(const char *d, char *out)
{
	size_t o = 0, len = strlen(d);

	if (len > 0 && d[len - 1] == '.')
		len--;
	for (size_t s = 0; s < len && o < SKEL_MAX - 64;) {
		size_t e = s;

		while (e < len && d[e] != '.')
			e++;
		if (e - s > 4 && strncasecmp(d + s, "xn--", 4) == 0) {
			uint32_t cps[64];
			int n = punycode_decode(d + s + 4, e - s - 4, cps, 64);

			for (int i = 0; i < n && o < SKEL_MAX - 2; i++)
				out[o++] = fold_cp(cps[i]);
			if (n < 0)
				out[o++] = '?';
		} else {
			for (size_t i = s; i < e && o < SKEL_MAX - 2;) {
				uint32_t cp;

				i += utf8_cp((const unsigned char *)d + i,
					     e - i, &cp);
				out[o++] = fold_cp(cp);
			}
		}
		if (e < len)
			out[o++] = '.';
		s = e + 1;
	}
	out[o] = '\0';
	/* Pairs of letters that pass for one: rn/m, vv/w, cl/d. */
	for (size_t i = 0, j = 0;; i++) {
		if (out[i] == 'r' && out[i + 1] == 'n') {
			out[j++] = 'm';
			i++;
		} else if (out[i] == 'v' && out[i + 1] == 'v') {
			out[j++] = 'w';
			i++;
		} else if (out[i] == 'c' && out[i + 1] == 'l') {
			out[j++] = 'd';
			i++;
		} else {
			out[j++] = out[i];
		}
		if (out[i] == '\0')
			return j - 1;
	}
}

/* Non-zero when a and b are within one insertion, deletion, substitution
   or transposition of each other. */
static int
one_edit(const char *a, size_t la, const char *b, size_t lb)
{
	size_t i = 0;

	if (la > lb)
		return one_edit(b, lb, a, la);
	if (lb - la > 1)
		return 0;
	while (i < la && a[i] == b[i])
		i++;
	if (i == la)
		return 1;
	if (la == lb) {
		if (strcmp(a + i + 1, b + i + 1) == 0)
			return 1;
		return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		       strcmp(a + i + 2, b + i + 2) == 0;
	}
	return strcmp(a + i, b + i + 1) == 0;
}

int
signet_lookalike(const char *const *ours, size_t n, const char *domain,
		 const char **like_r)
{
	char sd[SKEL_MAX], so[SKEL_MAX];
	size_t ld, lo, dlen;

	if (domain == NULL || *domain == '\0')
		return 0;
	dlen = strlen(domain);
	if (dlen > 0 && domain[dlen - 1] == '.')
		dlen--;
	for (size_t i = 0; i < n; i++) {
		if (strlen(ours[i]) == dlen &&
		    strncasecmp(ours[i], domain, dlen) == 0)
			return 0;
	}
	ld = skeleton(domain, sd);
	for (size_t i = 0; i < n; i++) {
		lo = skeleton(ours[i], so);
		/* Short names are one edit from too much to say anything. */
		if (strcmp(sd, so) == 0 ||
		    (lo >= 6 && one_edit(sd, ld, so, lo)) ||
		    (ld > lo && strncmp(sd, so, lo) == 0 && sd[lo] == '.')) {
			if (like_r != NULL)
				*like_r = ours[i];
			return 1;
		}
	}
	return 0;
}
