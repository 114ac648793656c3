/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the benchmark programs that work across network
 * namespaces from one process (sync_lag, ct_lag).
 */
#ifndef OVPNHA_PROGS_H
#define OVPNHA_PROGS_H

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define ALIGN4(x) (((x) + 3) & ~3u)

/* Move this process into the named network namespace (ip netns add). */
static inline void enter(const char *ns)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "/run/netns/%s", ns);
	fd = open(p, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		perror(p);
		exit(1);
	}
	close(fd);
}

/* Monotonic seconds. */
static inline double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Prints "cpu_us N": the CPU time this process has used (user + system). */
static inline void print_cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	printf("cpu_us %.0f\n", t.tv_sec * 1e6 + t.tv_nsec / 1e3);
}

/* Sorts doubles ascending (qsort). */
static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#endif
