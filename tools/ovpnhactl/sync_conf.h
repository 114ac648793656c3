/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /etc/ovpnha/sync.conf: INI-like, "key = value" lines, '#' or ';'
 * comments, a [sync] section for this node and one [peer NAME] section per
 * other node.  Documentation/sync.rst and contrib/sync.conf.example.
 */
#ifndef OVPNHACTL_SYNC_CONF_H
#define OVPNHACTL_SYNC_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#define SYNC_CONF_DEFAULT	"/etc/ovpnha/sync.conf"
#define SYNC_STATUS_DEFAULT	"/run/ovpnha-sync.sock"
#define SYNC_MAX_PEERS		32
#define SYNC_NAME_MAX		64

struct sync_peer_conf {
	char name[SYNC_NAME_MAX + 1];	/* certificate CN or DNS SAN */
	char host[256];			/* address as written */
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

struct sync_conf {
	char name[SYNC_NAME_MAX + 1];
	uint32_t node_id;		/* 0: keep the kernel's */
	struct sockaddr_storage listen;
	socklen_t listenlen;
	char ca[256], cert[256], key[256], crl[256];
	char status_socket[108];
	uint64_t queue_max;		/* bytes of deltas per peer */
	unsigned int keepalive_ms;
	unsigned int timeout_ms;
	unsigned int reconnect_ms;	/* first retry; doubles up to 8x */
	int npeers;
	struct sync_peer_conf peers[SYNC_MAX_PEERS];
};

/*
 * Parse @f (named @path in messages).  0, or -1 with "PATH:LINE: reason"
 * in @err.
 */
int sync_conf_parse(FILE *f, const char *path, struct sync_conf *c,
		    char *err, size_t errlen);
int sync_conf_load(const char *path, struct sync_conf *c, char *err,
		   size_t errlen);
/* "A.B.C.D:PORT", "[X::Y]:PORT", or an address alone (default port). */
int sync_parse_sockaddr(const char *s, int default_port,
			struct sockaddr_storage *ss, socklen_t *len);

/*
 * The running daemon's status (sync_status.c): its text or JSON report in
 * *body (malloc'ed), *in_sync 0/1.  0, or -errno when it does not answer.
 */
int sync_status_query(const char *sock_path, bool json, char **body,
		      int *in_sync);
/* The status socket named by the default configuration file, if any. */
const char *sync_default_socket(void);

#endif
