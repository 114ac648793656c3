/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Role, cluster epoch and the addresses announced on failover.
 *
 * The cluster manager's notify hook sets the role (master, backup, fault).
 * Becoming master raises the epoch above every epoch this node has seen;
 * replicated writes carry the epoch of the node they come from, and one
 * from a lower epoch is refused.  A master that sees a higher epoch steps
 * down to backup.  On becoming master the node announces its VIPs (and,
 * optionally, every peer's virtual address on one device) with gratuitous
 * ARP and unsolicited neighbour advertisements: the first round at once,
 * then on the configured schedule until it leaves master.
 *
 * Role, epoch and the VIP list change under the namespace's table mutex;
 * the announcing work and the packet path read them with READ_ONCE() and
 * RCU.
 */
#ifndef _OVPNHA_ROLE_H
#define _OVPNHA_ROLE_H

#include <linux/if.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/workqueue.h>
#include <linux/ovpnha.h>

struct ovpnha_net;
struct genl_info;
struct netlink_ext_ack;

#define OVPNHA_MAX_VIPS			64
#define OVPNHA_GARP_COUNT_DEFAULT	3
#define OVPNHA_GARP_INTERVAL_DEFAULT	200	/* ms */
#define OVPNHA_REASON_LEN		80

struct ovpnha_vip {
	struct list_head list;		/* RCU list, written under the mutex */
	struct rcu_head rcu;
	u8 family;
	union {
		__be32 ip4;
		struct in6_addr ip6;
	} addr;
	char ifname[IFNAMSIZ];
	atomic64_t sent;
	atomic64_t failed;
};

struct ovpnha_ha {
	u8 role;			/* enum ovpnha_role */
	u8 wanted;			/* as the cluster manager set it */
	u32 epoch;
	u64 since;			/* ns, CLOCK_REALTIME */
	u64 takeover;			/* ns, last change to master */
	u64 takeover_mono;		/* ktime_get_ns() of the same */
	u64 first_garp;			/* ns from takeover to first GARP */
	u32 stepdowns;
	char reason[OVPNHA_REASON_LEN];

	u32 garp_count;
	u32 garp_interval;		/* ms */
	u32 garp_refresh;		/* s, 0: off */
	char announce[IFNAMSIZ];	/* "" : peers not announced */
	u32 rounds_left;		/* of the current burst */
	struct delayed_work garp_work;

	struct list_head vips;
	u32 n_vips;
};

void ovpnha_ha_init(struct ovpnha_net *on);
/* Stops the announcing and frees the VIPs (netns exit). */
void ovpnha_ha_exit(struct ovpnha_net *on);

/*
 * Sets the role; @epoch (0: none) is a floor for the new master's epoch.
 * Returns true if the role changed.  Caller holds the table mutex and
 * emits the event.
 */
bool ovpnha_role_set(struct ovpnha_net *on, u8 role, u32 epoch,
		     const char *reason);
/*
 * An epoch seen elsewhere: raises this node's epoch and makes a master step
 * down.  Returns true if the epoch rose (caller emits the event).
 */
bool ovpnha_epoch_observe(struct ovpnha_net *on, u32 epoch, const char *who);

/*
 * For writes: 0 if the request is local (no OVPNHA_A_EPOCH) or replicated
 * from an epoch at least this node's; -ESTALE (counted, extack) if lower.
 * *@replicated tells which.  Caller holds the table mutex.
 */
int ovpnha_epoch_check(struct ovpnha_net *on, struct genl_info *info,
		       bool *replicated);

/* Return tracking: peers in the table, and how many came back. */
void ovpnha_role_returns(struct ovpnha_net *on, u32 *peers, u32 *returned,
			 u64 *last);

int ovpnha_vip_add(struct ovpnha_net *on, int family, const void *addr,
		   const char *ifname, struct netlink_ext_ack *extack);
int ovpnha_vip_del(struct ovpnha_net *on, int family, const void *addr,
		   struct netlink_ext_ack *extack);

/* Restarts the announcement schedule (after a settings change). */
void ovpnha_garp_kick(struct ovpnha_net *on);

#endif /* _OVPNHA_ROLE_H */
