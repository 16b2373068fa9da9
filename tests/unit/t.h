/* Minimal unit-test helpers: each check prints PASS/FAIL lines that
   tests/run counts. */
#ifndef T_H
#define T_H
#include <stdio.h>
#include <string.h>

static int t_failed;
static const char *t_suite = "unit";

#define T_OK(name, cond)                                                   \
	do {                                                                \
		if (cond)                                                   \
			printf("PASS: %s: %s\n", t_suite, (name));          \
		else {                                                      \
			printf("FAIL: %s: %s: %s (%s:%d)\n", t_suite, (name), \
			       #cond, __FILE__, __LINE__);                  \
			t_failed++;                                         \
		}                                                           \
	} while (0)

#define T_STREQ(name, got, want)                                           \
	do {                                                                \
		const char *t_g_ = (got), *t_w_ = (want);                   \
		if (t_g_ != NULL && strcmp(t_g_, t_w_) == 0)                \
			printf("PASS: %s: %s\n", t_suite, (name));          \
		else {                                                      \
			printf("FAIL: %s: %s: got '%s', want '%s' (%s:%d)\n", \
			       t_suite, (name), t_g_ ? t_g_ : "(null)", t_w_, \
			       __FILE__, __LINE__);                         \
			t_failed++;                                         \
		}                                                           \
	} while (0)

#endif
