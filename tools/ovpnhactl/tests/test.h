/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal KTAP-style harness for the host unit tests. */
#ifndef OVPNHACTL_TEST_H
#define OVPNHACTL_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool t_ok;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		t_ok = false;						\
		printf("    # %s:%d: CHECK(%s) failed\n",		\
		       __FILE__, __LINE__, #cond);			\
	}								\
} while (0)

#define CHECK_INT(got, want) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (g_ != w_) {							\
		t_ok = false;						\
		printf("    # %s:%d: %s = %lld, want %lld\n",		\
		       __FILE__, __LINE__, #got, g_, w_);		\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (!g_ || strcmp(g_, w_)) {					\
		t_ok = false;						\
		printf("    # %s:%d: %s =\n    # [%s]\n    # want\n    # [%s]\n", \
		       __FILE__, __LINE__, #got, g_ ? g_ : "(null)", w_); \
	}								\
} while (0)

#define CHECK_CONTAINS(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (!g_ || !strstr(g_, w_)) {					\
		t_ok = false;						\
		printf("    # %s:%d: %s = [%s] lacks [%s]\n",		\
		       __FILE__, __LINE__, #got, g_ ? g_ : "(null)", w_); \
	}								\
} while (0)

struct test {
	const char *name;
	void (*fn)(void);
};

#define TEST(f) { #f, f }

static int run_tests(const struct test *t, int n)
{
	int failed = 0;

	printf("KTAP version 1\n1..%d\n", n);
	for (int i = 0; i < n; i++) {
		t_ok = true;
		fflush(stdout);
		t[i].fn();
		printf("%s %d - %s\n", t_ok ? "ok" : "not ok", i + 1, t[i].name);
		failed += !t_ok;
	}
	printf("# %d passed, %d failed\n", n - failed, failed);
	return failed ? 1 : 0;
}

#endif
