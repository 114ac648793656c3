/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drop accounting by reason and by peer.
 *
 * ovpnha_count_drop() is what every place that drops, refuses or notices a
 * problem calls: it bumps the namespace's per-CPU counter of the reason,
 * the peer's counter when the packet belongs to a peer, and queues a
 * rate-limited OVPNHA_CMD_DROP_SAMPLE notification.  It may be called from
 * any context (packet path, process context, with or without RCU).
 *
 * Per-peer counters live in a block that is allocated on the peer's first
 * drop (GFP_ATOMIC) and freed with the peer, so a peer that never drops costs
 * one pointer.  A block, once published, is never replaced.
 *
 * Kernel drops (the skb:kfree_skb tracepoint with a drop reason) of packets
 * that belong to a peer - by endpoint, virtual address or iroute - are
 * counted per peer and per kernel drop reason when a namespace turns
 * "drop-trace" on.  Where the kernel does not offer the tracepoint with
 * reasons (before 6.0), ovpnha_droptrace_available() is false and turning
 * it on fails with -EOPNOTSUPP.
 */
#ifndef _OVPNHA_DROPTRACE_H
#define _OVPNHA_DROPTRACE_H

#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <linux/ovpnha.h>

struct ovpnha_net;
struct ovpnha_peer;

/*
 * Count one drop of @reason.  @peer (may be NULL) needs no reference beyond
 * the caller's RCU read section or table mutex.  @skb (may be NULL) gives
 * the addresses of the sample.
 */
void ovpnha_count_drop(struct ovpnha_net *on, struct ovpnha_peer *peer,
		       enum ovpnha_stat reason, const struct sk_buff *skb);
/* The same for @n events at once, without a sample. */
void ovpnha_count_drops(struct ovpnha_net *on, struct ovpnha_peer *peer,
			enum ovpnha_stat reason, unsigned int n);

/* Frees the peer's drop block; called when the peer's memory is freed. */
void ovpnha_peer_drops_free(struct ovpnha_peer *peer);
/*
 * OVPNHA_A_PEER_DROPS and OVPNHA_A_PEER_KDROPS of @peer (nothing when it
 * never dropped).
 */
int ovpnha_peer_drops_put(struct sk_buff *skb, const struct ovpnha_peer *peer);

bool ovpnha_droptrace_available(void);
bool ovpnha_droptrace_enabled(struct net *net);
/* Caller holds the namespace's table mutex. */
int ovpnha_droptrace_set(struct ovpnha_net *on, bool enable,
			 struct netlink_ext_ack *extack);

int ovpnha_droptrace_init(void);
void ovpnha_droptrace_exit(void);
/* Stops attributing drops in @net (the probe may stay for others). */
void ovpnha_droptrace_net_off(struct net *net);

#endif /* _OVPNHA_DROPTRACE_H */
