/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-network-namespace state of ovpnha and the module parameters.
 */
#ifndef _OVPNHA_MAIN_H
#define _OVPNHA_MAIN_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include <linux/llist.h>
#include <linux/workqueue.h>

#include "lpm.h"
#include "role.h"

struct ovpnha_stats;

/*
 * The table mutex serialises every change and every netlink request of
 * the namespace; lookups may instead run under RCU.  The counts are
 * written under the mutex and read with READ_ONCE() by /proc.
 */
struct ovpnha_net {
	struct net *net;
	struct mutex lock;		/* the tables, counts, node id, seq */
	struct xarray peers;		/* id -> struct ovpnha_peer */
	struct rhashtable endpoints;	/* remote endpoint -> peer */
	struct ovpnha_lpm lpm;		/* iroutes and virtual addresses */
	u32 n_peers;
	u32 n_iroutes;
	u32 next_id;			/* cursor of the cyclic id allocator */
	u8 node_id;
	u64 seq;			/* last event sequence number */
	struct ovpnha_stats __percpu *stats;
	struct ovpnha_ha ha;		/* role.h */
	struct llist_head flow_queue;	/* flow.c: learned, to publish */
	struct work_struct flow_work;
	bool flow_hooks;		/* flow learning hooks registered */
};

extern unsigned int ovpnha_net_id;
extern unsigned int ovpnha_max_peers;
extern unsigned int ovpnha_max_iroutes;

static inline struct ovpnha_net *ovpnha_pernet(const struct net *net)
{
	return net_generic(net, ovpnha_net_id);
}

/* Module-wide: namespaces set up and torn down. */
u64 ovpnha_netns_inits(void);
u64 ovpnha_netns_exits(void);

#endif /* _OVPNHA_MAIN_H */
