/* SPDX-License-Identifier: GPL-2.0 */
/* Peers as decoded from OVPNHA_A_PEER, and how they are printed. */
#ifndef OVPNHACTL_PEER_H
#define OVPNHACTL_PEER_H

#include <stdint.h>

#include "addr.h"
#include "iroute.h"
#include "json.h"
#include "nl.h"

#define PEER_HAS(p, attr)	((p)->present & (1u << (attr)))

struct peer {
	uint32_t present;	/* 1u << OVPNHA_A_PEER_* */
	uint32_t id, origin, iroute_count;
	char *cn;
	struct addr remote;
	uint16_t port;		/* host order */
	uint8_t proto;
	struct addr vpn4, vpn6;
	uint64_t created, updated, rx, tx;
	uint64_t seen;		/* last change made on this node, 0: none */
	uint64_t takeover;	/* for printing: this node's last takeover */
};

/* Decode the peer of a reply: 0, -ENODATA (no peer nest), -EBADMSG. */
int peer_from_msg(struct nl_msg *msg, struct peer *p);
void peer_free(struct peer *p);

/* One line with its newline; the peer's @n iroutes may be NULL. */
void peer_print_plain(FILE *f, const struct peer *p,
		      const struct iroute *iroutes, size_t n);
/* One object; "iroutes" is always there (maybe empty). */
void peer_print_json(struct json *j, const struct peer *p,
		     const struct iroute *iroutes, size_t n);

/* PEER_GET do by id: 0 or -errno (error left for ovnl_report()). */
int peer_get(uint32_t id, struct peer *p);

#endif
