// SPDX-License-Identifier: GPL-2.0
/* The configuration file of the replication daemon. */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "sync_conf.h"
#include "sync_wire.h"
#include "util.h"

int sync_parse_sockaddr(const char *s, int default_port,
			struct sockaddr_storage *ss, socklen_t *len)
{
	char host[128];
	const char *port = NULL, *end;
	uint32_t p = (uint32_t)default_port;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end)
			return -1;
		n = (size_t)(end - s - 1);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1])
			return -1;
		s++;
	} else {
		end = strrchr(s, ':');
		if (end && strchr(s, ':') == end) {
			n = (size_t)(end - s);
			port = end + 1;
		} else {
			n = strlen(s);
		}
	}
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	if (port && (parse_u32(port, &p) || p == 0 || p > 65535))
		return -1;
	if (p == 0)
		return -1;
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)p);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)p);
		*len = sizeof(*a);
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* A duration in seconds, decimals allowed ("0.5"), or "NNNms". */
static int parse_ms(const char *v, unsigned int *ms)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || d < 0 || d > 86400)
		return -1;
	if (!strcmp(end, "ms"))
		d /= 1000;
	else if (*end && strcmp(end, "s"))
		return -1;
	*ms = (unsigned int)(d * 1000 + 0.5);
	return 0;
}

static int parse_size(const char *v, uint64_t *out)
{
	char num[32];
	size_t n = strspn(v, "0123456789");
	uint64_t x, mul = 1;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, v, n);
	num[n] = '\0';
	if (parse_u64(num, &x))
		return -1;
	if (!strcmp(v + n, "K") || !strcmp(v + n, "k"))
		mul = 1024;
	else if (!strcmp(v + n, "M"))
		mul = 1024 * 1024;
	else if (!strcmp(v + n, "G"))
		mul = 1024 * 1024 * 1024;
	else if (v[n])
		return -1;
	*out = x * mul;
	return 0;
}

static int copy(char *dst, size_t n, const char *v)
{
	size_t len = strlen(v);

	if (len >= n || !len)
		return -1;
	memcpy(dst, v, len + 1);
	return 0;
}

static int valid_name(const char *s)
{
	if (!s[0] || strlen(s) > SYNC_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.@", *s))
			return 0;
	return 1;
}

#define ERR(...) do {							\
	int o_ = snprintf(err, errlen, "%s:%d: ", path, line);		\
	snprintf(err + o_, errlen - (size_t)o_, __VA_ARGS__);		\
	return -1;							\
} while (0)

int sync_conf_parse(FILE *f, const char *path, struct sync_conf *c,
		    char *err, size_t errlen)
{
	char buf[1024], *s, *eq, *k, *v;
	struct sync_peer_conf *peer = NULL;
	bool in_sync = false, seen_listen = false;
	int line = 0, i;

	memset(c, 0, sizeof(*c));
	snprintf(c->status_socket, sizeof(c->status_socket), "%s",
		 SYNC_STATUS_DEFAULT);
	c->queue_max = 64 << 20;
	c->keepalive_ms = 1000;
	c->timeout_ms = 5000;
	c->reconnect_ms = 250;
	sync_parse_sockaddr("0.0.0.0", SYNC_DEFAULT_PORT, &c->listen,
			    &c->listenlen);

	while (fgets(buf, sizeof(buf), f)) {
		line++;
		if (!strchr(buf, '\n') && !feof(f))
			ERR("line too long");
		s = trim(buf);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');

			if (!e || e[1])
				ERR("bad section header");
			*e = '\0';
			s = trim(s + 1);
			if (!strcmp(s, "sync")) {
				in_sync = true;
				peer = NULL;
				continue;
			}
			if (strncmp(s, "peer", 4) || !isspace((unsigned char)s[4]))
				ERR("unknown section [%s] (want [sync] or [peer NAME])",
				    s);
			s = trim(s + 4);
			if (!valid_name(s))
				ERR("bad peer name \"%s\"", s);
			for (i = 0; i < c->npeers; i++)
				if (!strcmp(c->peers[i].name, s))
					ERR("peer \"%s\" given twice", s);
			if (c->npeers == SYNC_MAX_PEERS)
				ERR("more than %d peers", SYNC_MAX_PEERS);
			peer = &c->peers[c->npeers++];
			snprintf(peer->name, sizeof(peer->name), "%s", s);
			in_sync = false;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq)
			ERR("expected key = value");
		*eq = '\0';
		k = trim(s);
		v = trim(eq + 1);
		if (!*v)
			ERR("%s: empty value", k);
		if (peer) {
			if (!strcmp(k, "address")) {
				if (copy(peer->host, sizeof(peer->host), v) ||
				    sync_parse_sockaddr(v, SYNC_DEFAULT_PORT,
							&peer->addr,
							&peer->addrlen))
					ERR("address: want ADDRESS[:PORT], got \"%s\"",
					    v);
			} else {
				ERR("unknown key \"%s\" in [peer %s]", k,
				    peer->name);
			}
			continue;
		}
		if (!in_sync)
			ERR("\"%s\" outside a section", k);
		if (!strcmp(k, "name")) {
			if (!valid_name(v))
				ERR("bad name \"%s\"", v);
			snprintf(c->name, sizeof(c->name), "%s", v);
		} else if (!strcmp(k, "node-id")) {
			if (parse_u32(v, &c->node_id) || !c->node_id ||
			    c->node_id > 255)
				ERR("node-id: want 1..255");
		} else if (!strcmp(k, "listen")) {
			if (sync_parse_sockaddr(v, SYNC_DEFAULT_PORT, &c->listen,
						&c->listenlen))
				ERR("listen: want ADDRESS[:PORT]");
			seen_listen = true;
		} else if (!strcmp(k, "ca")) {
			if (copy(c->ca, sizeof(c->ca), v))
				ERR("ca: path too long");
		} else if (!strcmp(k, "cert")) {
			if (copy(c->cert, sizeof(c->cert), v))
				ERR("cert: path too long");
		} else if (!strcmp(k, "key")) {
			if (copy(c->key, sizeof(c->key), v))
				ERR("key: path too long");
		} else if (!strcmp(k, "crl")) {
			if (copy(c->crl, sizeof(c->crl), v))
				ERR("crl: path too long");
		} else if (!strcmp(k, "status-socket")) {
			if (copy(c->status_socket, sizeof(c->status_socket), v))
				ERR("status-socket: path too long");
		} else if (!strcmp(k, "queue-max")) {
			if (parse_size(v, &c->queue_max) || c->queue_max < 4096)
				ERR("queue-max: want a size >= 4096 (K, M, G)");
		} else if (!strcmp(k, "keepalive")) {
			if (parse_ms(v, &c->keepalive_ms) || !c->keepalive_ms)
				ERR("keepalive: want seconds > 0");
		} else if (!strcmp(k, "timeout")) {
			if (parse_ms(v, &c->timeout_ms) || !c->timeout_ms)
				ERR("timeout: want seconds > 0");
		} else if (!strcmp(k, "reconnect")) {
			if (parse_ms(v, &c->reconnect_ms) || !c->reconnect_ms)
				ERR("reconnect: want seconds > 0");
		} else {
			ERR("unknown key \"%s\" in [sync]", k);
		}
	}
	(void)seen_listen;
	line = 0;
	if (!c->name[0])
		ERR("[sync] name is required");
	if (!c->ca[0] || !c->cert[0] || !c->key[0])
		ERR("[sync] ca, cert and key are required (TLS is mandatory)");
	if (c->timeout_ms <= c->keepalive_ms)
		ERR("timeout must be longer than keepalive");
	for (i = 0; i < c->npeers; i++) {
		if (!c->peers[i].host[0])
			ERR("[peer %s] has no address", c->peers[i].name);
		if (!strcmp(c->peers[i].name, c->name))
			ERR("[peer %s] is this node's own name", c->name);
	}
	return 0;
}

int sync_conf_load(const char *path, struct sync_conf *c, char *err,
		   size_t errlen)
{
	FILE *f = fopen(path, "r");
	int r;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	r = sync_conf_parse(f, path, c, err, errlen);
	fclose(f);
	return r;
}
