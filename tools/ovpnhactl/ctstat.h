/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/net/stat/nf_conntrack: a header line of column names, then one line
 * of hex counters per possible CPU.  Counters are summed over CPUs, except
 * the gauge "entries" (the same global value on every line), which is taken
 * from the first line.  The column names are whatever the header says, so
 * every kernel's set ("searched" on 5.10, "clashres"/"chaintoolong" on 6.x)
 * is shown as is.
 */
#ifndef OVPNHACTL_CTSTAT_H
#define OVPNHACTL_CTSTAT_H

#include <stdint.h>

#define CTSTAT_PATH	"/proc/net/stat/nf_conntrack"
#define CTSTAT_MAX_COLS	64
#define CTSTAT_NAME_LEN	32

struct ctstat {
	int ncols;
	int ncpus;		/* data lines seen */
	char name[CTSTAT_MAX_COLS][CTSTAT_NAME_LEN];
	uint64_t val[CTSTAT_MAX_COLS];
};

/*
 * Parse the whole file's text.  0, or -1 if it is malformed (no header, a
 * non-hex field, more fields on a line than names, no data line).
 */
int ctstat_parse(const char *text, struct ctstat *st);

/* Read and parse @path: 0, -ENOENT if absent, -EINVAL if malformed. */
int ctstat_read(const char *path, struct ctstat *st);

#endif
