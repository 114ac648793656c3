/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Addresses, prefixes and endpoints as typed on the command line and as
 * printed.  Pure functions, no netlink.
 *
 * Syntax only: a prefix length is any decimal number 0..255 whatever the
 * family ("10.0.0.0/33" parses); the kernel decides what is in range, so its
 * error message reaches the user.  A bare address means /32 or /128.
 */
#ifndef OVPNHACTL_ADDR_H
#define OVPNHACTL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

struct addr {
	int family;		/* AF_INET or AF_INET6; 0 = unset */
	uint8_t a[16];		/* network order; IPv4 uses a[0..3] */
};

struct prefix {
	struct addr addr;
	unsigned int len;	/* 0..255, not checked against the family */
};

/* Longest "[xxxx:...:xxxx]:65535/255" plus NUL, with room to spare. */
#define ADDR_STRLEN 64

static inline size_t addr_len(const struct addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

/* An IPv4 (dotted quad) or IPv6 address; 0, or -1 if it is neither. */
static inline bool addr_eq(const struct addr *a, const struct addr *b)
{
	return a->family == b->family && !memcmp(a->a, b->a, addr_len(a));
}

int addr_parse(const char *s, struct addr *a);
/* Same, restricted to one family (AF_INET or AF_INET6). */
int addr_parse_family(const char *s, int family, struct addr *a);

/*
 * ADDR[/LEN].  0, or -1 with *why set to a short reason.  LEN must be
 * 1..3 decimal digits with a value of at most 255.
 */
int prefix_parse(const char *s, struct prefix *p, const char **why);

/*
 * A peer's endpoint: ADDR, V4ADDR:PORT, [V6ADDR] or [V6ADDR]:PORT.  *port is
 * set to -1 when the string holds no port.  0, or -1 with *why set.
 */
int endpoint_parse(const char *s, struct addr *a, int *port, const char **why);

/* Formatting into a caller buffer of at least ADDR_STRLEN bytes. */
const char *addr_fmt(const struct addr *a, char *buf);
const char *prefix_fmt(const struct prefix *p, char *buf);
/* port < 0: address only; IPv6 with a port is bracketed. */
const char *endpoint_fmt(const struct addr *a, int port, char *buf);

void addr_from_bytes(struct addr *a, int family, const void *bytes);

#endif
