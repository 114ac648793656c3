/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The peer table: one entry per connected OpenVPN client or remote gateway.
 *
 * Peers are keyed by a u32 id (0 is invalid) in a per-netns xarray, which
 * keeps them in id order so that dumps resume by "next id".  A second index,
 * an rhashtable keyed by the remote endpoint (family, address, port,
 * protocol), makes the endpoint unique: the common name alone is not (OpenVPN
 * duplicate-cn).  The peer's virtual addresses live in the LPM table as /32
 * and /128 entries flagged vpn_addr, beside its iroutes.
 *
 * Every function here that changes or walks a table runs with the per-netns
 * table mutex held (checked with lockdep).  Readers outside the mutex find
 * peers under rcu_read_lock() (xa_load, LPM lookup) and must take a
 * reference with ovpnha_peer_get_unless_zero() to keep one.  The tables own
 * one reference; the memory is freed after an RCU grace period once the last
 * reference is gone.
 */
#ifndef _OVPNHA_PEER_H
#define _OVPNHA_PEER_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/in6.h>
#include <linux/ovpnha.h>

struct ovpnha_net;
struct ovpnha_peer_drops;
struct ovpnha_flow;
struct netlink_ext_ack;

/* The remote endpoint; the whole struct is the endpoint index key. */
struct ovpnha_endpoint {
	union {
		__be32 ip4;
		struct in6_addr ip6;
	} addr;
	__be16 port;
	u8 family;		/* AF_INET, AF_INET6, or AF_UNSPEC: none */
	u8 proto;		/* IPPROTO_UDP or IPPROTO_TCP */
};

#define OVPNHA_PEER_VPN4	BIT(0)
#define OVPNHA_PEER_VPN6	BIT(1)

struct ovpnha_peer {
	struct rhash_head ep_node;	/* endpoint index, if remote.family */
	struct ovpnha_endpoint remote;
	u32 id;
	__be32 vpn4;
	struct in6_addr vpn6;
	u8 flags;			/* OVPNHA_PEER_VPN4, OVPNHA_PEER_VPN6 */
	u8 origin;			/* node id that created the peer */
	char cn[OVPNHA_CN_MAXLEN + 1];
	u64 created;			/* ns, CLOCK_REALTIME */
	u64 updated;
	u64 rx_bytes;
	u64 tx_bytes;
	/* droptrace.c: drop counters, allocated on the first drop */
	struct ovpnha_peer_drops *drops;
	/* flow.c: the transport flow, and its learning state */
	struct ovpnha_flow __rcu *flow;
	unsigned long flow_state;
	u64 seen;			/* ns, CLOCK_REALTIME: last local write */

	/* lpm.c links the peer's trie entries here; protected by the
	 * per-netns table mutex.
	 */
	struct list_head lpm_list;
	u32 n_iroutes;		/* entries in lpm_list that are not vpn_addr */

	struct kref refcount;
	struct rcu_head rcu;
};

/*
 * What a PEER_NEW or PEER_SET request asks for.  For PEER_SET only the
 * fields whose has_* flag is set change; an all-zero address clears a
 * virtual address or the remote endpoint.
 */
struct ovpnha_peer_cfg {
	u32 id;				/* 0: allocate (PEER_NEW only) */
	const char *cn;			/* NULL: unchanged */
	struct ovpnha_endpoint remote;
	bool has_remote_addr;
	bool has_remote_port;
	bool has_remote_proto;
	bool has_vpn4;
	bool has_vpn6;
	bool has_origin;
	bool has_created;
	bool has_rx_bytes;
	bool has_tx_bytes;
	__be32 vpn4;			/* 0: none */
	struct in6_addr vpn6;		/* ::, none */
	u8 origin;
	u64 created;
	u64 rx_bytes;
	u64 tx_bytes;
};

int ovpnha_peer_table_init(struct ovpnha_net *on);
/* Deletes every peer, then frees the indexes (netns exit). */
void ovpnha_peer_table_free(struct ovpnha_net *on);

struct ovpnha_peer *ovpnha_peer_find(struct ovpnha_net *on, u32 id);
/*
 * The peer with remote endpoint @ep, for the packet path: caller holds
 * rcu_read_lock(); a peer being re-keyed may be missed.
 */
struct ovpnha_peer *
ovpnha_peer_find_endpoint_rcu(struct ovpnha_net *on,
			      const struct ovpnha_endpoint *ep);

/* Creates and links a peer; *out points to it (no extra reference). */
int ovpnha_peer_new(struct ovpnha_net *on, const struct ovpnha_peer_cfg *cfg,
		    struct ovpnha_peer **out, struct netlink_ext_ack *extack);
/* Changes the given fields, all or none. */
int ovpnha_peer_set(struct ovpnha_net *on, struct ovpnha_peer *peer,
		    const struct ovpnha_peer_cfg *cfg,
		    struct netlink_ext_ack *extack);
/*
 * First phase of a delete: unlinks the peer from every table.  The tables'
 * reference passes to the caller, who drops it with ovpnha_peer_put() after
 * releasing the mutex (and after notifying).
 */
void ovpnha_peer_unlink(struct ovpnha_net *on, struct ovpnha_peer *peer);
/* Deletes every peer, rescheduling as it goes; returns how many. */
u32 ovpnha_peer_flush(struct ovpnha_net *on);

int ovpnha_iroute_add(struct ovpnha_net *on, struct ovpnha_peer *peer,
		      int family, const void *addr, u8 cidr,
		      struct netlink_ext_ack *extack);
/*
 * @addr has its host bits clear.  @peer_id 0: any owner; otherwise the
 * iroute must belong to that peer.  *@owner: the peer it belonged to.
 */
int ovpnha_iroute_del(struct ovpnha_net *on, int family, const void *addr,
		      u8 cidr, u32 peer_id, struct ovpnha_peer **owner,
		      struct netlink_ext_ack *extack);

void ovpnha_peer_release(struct kref *kref);

static inline bool ovpnha_peer_get_unless_zero(struct ovpnha_peer *peer)
{
	return kref_get_unless_zero(&peer->refcount);
}

static inline void ovpnha_peer_put(struct ovpnha_peer *peer)
{
	kref_put(&peer->refcount, ovpnha_peer_release);
}

/* Module-wide object counters. */
u64 ovpnha_peers_allocated(void);
u64 ovpnha_peers_freed(void);

int ovpnha_peer_cache_init(void);
void ovpnha_peer_cache_exit(void);

#endif /* _OVPNHA_PEER_H */
