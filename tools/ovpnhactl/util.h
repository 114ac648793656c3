/* SPDX-License-Identifier: GPL-2.0 */
/* Small pure helpers: strict number parsing, time and text formatting. */
#ifndef OVPNHACTL_UTIL_H
#define OVPNHACTL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Strict unsigned decimal: digits only (no sign, blanks, "0x"), no
 * overflow.  0, or -1.
 */
int parse_u64(const char *s, uint64_t *v);
int parse_u32(const char *s, uint32_t *v);

/* RFC 3339 UTC with second precision ("2026-11-22T02:30:00Z"). */
#define RFC3339_LEN 32
const char *fmt_rfc3339(uint64_t unix_ns, char *buf, size_t len);

/*
 * Print a string from the kernel on a plain-text line: bytes below 0x20,
 * 0x7f and the backslash are written as \xHH so one object stays on one
 * line; everything else (including UTF-8) is written as is.
 */
void fput_plain(FILE *f, const char *s);

/* malloc/realloc that end the program on failure (exit 1). */
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
