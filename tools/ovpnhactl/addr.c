// SPDX-License-Identifier: GPL-2.0
/* Address, prefix and endpoint parsing and formatting. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "util.h"

void addr_from_bytes(struct addr *a, int family, const void *bytes)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->a, bytes, family == AF_INET ? 4 : 16);
}

int addr_parse_family(const char *s, int family, struct addr *a)
{
	struct addr tmp = { .family = family };

	if (inet_pton(family, s, tmp.a) != 1)
		return -1;
	*a = tmp;
	return 0;
}

int addr_parse(const char *s, struct addr *a)
{
	if (!addr_parse_family(s, AF_INET, a))
		return 0;
	return addr_parse_family(s, AF_INET6, a);
}

int prefix_parse(const char *s, struct prefix *p, const char **why)
{
	char buf[ADDR_STRLEN];
	const char *slash = strrchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t len;

	if (alen == 0 || alen >= sizeof(buf)) {
		*why = "not an IPv4 or IPv6 address";
		return -1;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (addr_parse(buf, &p->addr)) {
		*why = "not an IPv4 or IPv6 address";
		return -1;
	}
	if (!slash) {
		p->len = p->addr.family == AF_INET ? 32 : 128;
		return 0;
	}
	if (!slash[1]) {
		*why = "missing prefix length after '/'";
		return -1;
	}
	if (strlen(slash + 1) > 3 || parse_u32(slash + 1, &len) || len > 255) {
		*why = "prefix length is not a number 0..255";
		return -1;
	}
	p->len = len;
	return 0;
}

int endpoint_parse(const char *s, struct addr *a, int *port, const char **why)
{
	char buf[ADDR_STRLEN];
	const char *host = s, *colon = NULL;
	size_t hlen;
	uint32_t v;

	*port = -1;
	if (!addr_parse(s, a))
		return 0;		/* a bare address (also a bare IPv6) */
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end) {
			*why = "missing ']'";
			return -1;
		}
		host = s + 1;
		hlen = (size_t)(end - host);
		if (end[1] == ':')
			colon = end + 1;
		else if (end[1]) {
			*why = "junk after ']'";
			return -1;
		}
	} else {
		colon = strchr(s, ':');
		if (!colon || strchr(colon + 1, ':')) {
			*why = "not an IPv4 or IPv6 address";
			return -1;
		}
		hlen = (size_t)(colon - s);
	}
	if (hlen >= sizeof(buf)) {
		*why = "not an IPv4 or IPv6 address";
		return -1;
	}
	memcpy(buf, host, hlen);
	buf[hlen] = '\0';
	if (addr_parse_family(buf, s[0] == '[' ? AF_INET6 : AF_INET, a)) {
		*why = s[0] == '[' ? "not an IPv6 address inside [...]"
				   : "not an IPv4 address";
		return -1;
	}
	if (colon) {
		if (parse_u32(colon + 1, &v) || v > 65535) {
			*why = "port is not a number 0..65535";
			return -1;
		}
		*port = (int)v;
	}
	return 0;
}

const char *addr_fmt(const struct addr *a, char *buf)
{
	if (!inet_ntop(a->family, a->a, buf, ADDR_STRLEN))
		snprintf(buf, ADDR_STRLEN, "?");
	return buf;
}

const char *prefix_fmt(const struct prefix *p, char *buf)
{
	size_t n;

	addr_fmt(&p->addr, buf);
	n = strlen(buf);
	snprintf(buf + n, ADDR_STRLEN - n, "/%u", p->len);
	return buf;
}

const char *endpoint_fmt(const struct addr *a, int port, char *buf)
{
	char tmp[INET6_ADDRSTRLEN];
	unsigned int p = (uint16_t)port;

	if (!inet_ntop(a->family, a->a, tmp, sizeof(tmp)))
		snprintf(tmp, sizeof(tmp), "?");
	if (port < 0)
		snprintf(buf, ADDR_STRLEN, "%s", tmp);
	else if (a->family == AF_INET6)
		snprintf(buf, ADDR_STRLEN, "[%s]:%u", tmp, p);
	else
		snprintf(buf, ADDR_STRLEN, "%s:%u", tmp, p);
	return buf;
}
