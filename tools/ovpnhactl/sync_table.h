/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's mirror of the local kernel table, fed by a dump and then by
 * the event stream: every peer (any origin) with its replicated attributes
 * and its iroutes.  It answers "whose origin is this change" and is the
 * source of the snapshots sent to other nodes.
 *
 * Also a small set of fixed-size keys (the "seen" set of a resync).
 */
#ifndef OVPNHACTL_SYNC_TABLE_H
#define OVPNHACTL_SYNC_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "sync_wire.h"

struct mroute;

struct mpeer {
	uint32_t id;
	uint8_t origin;
	uint16_t alen;
	uint8_t *attrs;		/* stripped OVPNHA_A_PEER contents */
	struct mroute *routes;	/* this peer's iroutes */
	uint32_t nroutes;
	struct mpeer *hnext;
};

struct mroute {
	struct sync_prefix pfx;
	uint32_t peer_id;
	struct mroute *hnext;			/* prefix hash chain */
	struct mroute *pnext, **pprev;		/* the peer's list */
};

struct mirror {
	struct mpeer **pb;
	size_t npb, npeers;
	struct mroute **rb;
	size_t nrb, nroutes;
};

void mirror_init(struct mirror *m);
void mirror_clear(struct mirror *m);

struct mpeer *mirror_peer(const struct mirror *m, uint32_t id);
/* Insert or replace; returns the entry (its routes are kept). */
struct mpeer *mirror_peer_set(struct mirror *m, uint32_t id, uint8_t origin,
			      const uint8_t *attrs, size_t alen);
/* Removes the peer and its routes; 0, or -1 if absent. */
int mirror_peer_del(struct mirror *m, uint32_t id);

struct mroute *mirror_route(const struct mirror *m,
			    const struct sync_prefix *p);
/* Insert or move to @peer_id; -1 if the peer is unknown. */
int mirror_route_set(struct mirror *m, const struct sync_prefix *p,
		     uint32_t peer_id);
int mirror_route_del(struct mirror *m, const struct sync_prefix *p);

/* Call @fn for every peer; stop when it returns non-zero. */
int mirror_each_peer(const struct mirror *m,
		     int (*fn)(struct mpeer *p, void *arg), void *arg);

/* A set of keys of up to KSET_KEY bytes (zero padded). */
#define KSET_KEY 24
struct kset {
	uint8_t *keys;		/* cap * (KSET_KEY + 1), byte 0: used */
	size_t cap, n;
};
void kset_init(struct kset *s);
void kset_free(struct kset *s);
/* 1 if added, 0 if present. */
int kset_add(struct kset *s, const void *key, size_t len);
int kset_has(const struct kset *s, const void *key, size_t len);

#endif
