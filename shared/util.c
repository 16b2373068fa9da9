/* Small helpers shared by the core's files. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"

void
signet_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

void
signet_hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

int
signet_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
signet_hex_decode(const char *in, size_t hexlen, unsigned char *out)
{
	if (hexlen % 2 != 0)
		return -1;
	for (size_t i = 0; i < hexlen / 2; i++) {
		int hi = signet_hexval(in[2 * i]),
		    lo = signet_hexval(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int
signet_ct_compare(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;

	for (size_t i = 0; i < len; i++)
		d |= x[i] ^ y[i];
	return d != 0;
}

void
signet_wipe(void *p, size_t len)
{
	if (p == NULL)
		return;
	memset(p, 0, len);
	/* Tell the compiler the zeroed memory is used, so it keeps the
	   memset even when p is freed right after. */
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

void
signet_time_format(time_t t, char buf[32])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "@%lld", (long long)t);
}

/* Reads n decimal digits; -1 unless all are digits. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* By hand rather than strptime() and timegm(): keyrings are read on every
   connection, and those two cost ten times as much. */
time_t
signet_time_parse(const char *s)
{
	static const char mdays[] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, sec, leap;
	long long days;

	if (s == NULL || strlen(s) != 20 || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] + (mo == 2 && leap))
		return -1;
	/* days since 1970-01-01 of the proleptic Gregorian calendar */
	days = 365LL * (y - 1970) + (y - 1969) / 4 - (y - 1901) / 100 +
	       (y - 1601) / 400;
	for (int m = 1; m < mo; m++)
		days += mdays[m - 1] + (m == 2 && leap);
	days += d - 1;
	return (time_t)(days * 86400 + h * 3600 + mi * 60 + sec);
}

static void
stamp_of(const struct stat *st, struct signet_file_stamp *s_r)
{
	memset(s_r, 0, sizeof(*s_r));
	s_r->dev = (uint64_t)st->st_dev;
	s_r->ino = (uint64_t)st->st_ino;
	s_r->size = (uint64_t)st->st_size;
	s_r->mode = (uint64_t)st->st_mode;
	s_r->uid = (uint64_t)st->st_uid;
	s_r->mtime_sec = (int64_t)st->st_mtim.tv_sec;
	s_r->mtime_nsec = (int64_t)st->st_mtim.tv_nsec;
	s_r->seen = 1;
}

void
signet_file_stamp(const char *path, struct signet_file_stamp *s_r)
{
	struct stat st;

	memset(s_r, 0, sizeof(*s_r));
	if (path != NULL && stat(path, &st) == 0)
		stamp_of(&st, s_r);
}

SIGNET_HOT int
signet_file_changed(const char *path, const struct signet_file_stamp *s)
{
	struct signet_file_stamp now;
	struct stat st;

	if (path == NULL || stat(path, &st) != 0)
		return s->seen;
	if (!s->seen)
		return 1;
	stamp_of(&st, &now);
	return now.dev != s->dev || now.ino != s->ino || now.size != s->size ||
	       now.mode != s->mode || now.uid != s->uid ||
	       now.mtime_sec != s->mtime_sec ||
	       now.mtime_nsec != s->mtime_nsec;
}
