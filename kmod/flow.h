/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UDP transport flows of the peers, replicated into the standby's conntrack.
 *
 * On the master a LOCAL_IN hook (registered once the namespace has a role)
 * looks at UDP packets to a declared tunnel's transport port: the sender's
 * endpoint names the peer, conntrack names the flow.  A new flow, or one
 * not reported for OVPNHA_FLOW_REFRESH, is queued from the packet path
 * (GFP_ATOMIC, one per peer at a time) and a work item publishes it in the
 * peer and multicasts OVPNHA_CMD_FLOW_NEW with the remaining lifetime.
 * The sync daemon carries it to the backups, whose OVPNHA_CMD_FLOW_NEW
 * installs the entry in conntrack (nf_conntrack_alloc() and
 * nf_conntrack_hash_check_insert(), no event notifier), so a takeover needs
 * no commit step.  Installed entries go again with the peer or on
 * OVPNHA_CMD_FLOW_DEL; otherwise they simply time out.
 */
#ifndef _OVPNHA_FLOW_H
#define _OVPNHA_FLOW_H

#include <linux/llist.h>
#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

struct ovpnha_net;
struct ovpnha_peer;
struct netlink_ext_ack;
struct sk_buff;

/* A flow is reported again after this long if traffic goes on. */
#define OVPNHA_FLOW_REFRESH	(10 * HZ)
#define OVPNHA_FLOW_TIMEOUT_MAX	86400	/* s */

struct ovpnha_flow {
	struct rcu_head rcu;
	struct llist_node pending;	/* learning queue */
	struct ovpnha_peer *peer;	/* held while queued */
	u8 family;
	u8 proto;
	u8 installed;			/* this node put it into conntrack */
	u16 zone;
	__be16 orig_sport, orig_dport, reply_sport, reply_dport;
	union nf_inet_addr orig_src, orig_dst, reply_src, reply_dst;
	u32 timeout;			/* s, remaining when reported */
	unsigned long stamp;		/* jiffies when reported */
};

void ovpnha_flow_net_init(struct ovpnha_net *on);
/* Stops learning and drains the queue (netns exit, before the peers go). */
void ovpnha_flow_net_exit(struct ovpnha_net *on);
/* Registers the learning hooks of the namespace (table mutex held). */
int ovpnha_flow_hooks_on(struct ovpnha_net *on);
/* Unregisters them (table mutex held); no hook runs on return. */
void ovpnha_flow_hooks_off(struct ovpnha_net *on);

/*
 * Replaces @peer's flow with @f (taken over; NULL: none).  An installed
 * predecessor with other tuples leaves conntrack.  Table mutex held.
 */
void ovpnha_flow_set(struct ovpnha_net *on, struct ovpnha_peer *peer,
		     struct ovpnha_flow *f);
/*
 * Puts @f into conntrack, or refreshes the entry a live packet created, or
 * (@ours: a repeat of the flow this node installed) its own entry;
 * @f->installed says whether this node owns the entry now.
 */
int ovpnha_flow_install(struct ovpnha_net *on, struct ovpnha_flow *f,
			bool ours, struct netlink_ext_ack *extack);
/* @a and @b name the same conntrack entry. */
bool ovpnha_flow_same(const struct ovpnha_flow *a, const struct ovpnha_flow *b);
/* The peer is going: its installed flow leaves conntrack. */
void ovpnha_flow_peer_gone(struct ovpnha_net *on, struct ovpnha_peer *peer);

/* Lets the netlink code emit the learned flows (netlink.c, nl_flow.c). */
int ovpnha_nl_put_flow(struct sk_buff *skb, u32 peer_id,
		       const struct ovpnha_flow *f);

#endif /* _OVPNHA_FLOW_H */
