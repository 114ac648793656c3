// SPDX-License-Identifier: GPL-2.0
/*
 * The announced addresses and the gratuitous ARP / unsolicited neighbour
 * advertisement sender (see role.h).
 *
 * A round sends one GARP (IPv4: an ARP request with sender and target
 * address both the VIP, to the broadcast address) or one unsolicited NA
 * (IPv6: to all-nodes, override set, through the IPv6 stub so that the
 * module does not depend on ipv6.ko) per VIP, and per virtual address of
 * every peer when an announce device is set.  Rounds run from a delayed
 * work that never takes the table mutex, so the mutex holder may cancel it
 * synchronously.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/addrconf.h>
#include <net/arp.h>
#include <net/ipv6_stubs.h>
#include <net/netlink.h>

#include "compat.h"
#include "droptrace.h"
#include "main.h"
#include "peer.h"
#include "role.h"
#include "stats.h"

/* true if sent */
static bool ovpnha_announce(struct ovpnha_net *on, int family,
			    const void *addr, const char *ifname)
{
	struct net_device *dev;
	struct sk_buff *skb;
	__be32 ip4;
	bool ok = false;

	dev = dev_get_by_name(on->net, ifname);
	if (!dev)
		goto out;
	if (!netif_running(dev) || (dev->flags & IFF_NOARP) || !dev->addr_len)
		goto out_put;
	if (family == AF_INET) {
		memcpy(&ip4, addr, sizeof(ip4));
		skb = arp_create(ARPOP_REQUEST, ETH_P_ARP, ip4, dev, ip4, NULL,
				 dev->dev_addr, NULL);
		if (skb) {
			arp_xmit(skb);
			ovpnha_stat_inc(on, OVPNHA_STAT_GARP_SENT);
			ok = true;
		}
	} else if (ipv6_stub && ipv6_stub->ndisc_send_na) {
		ipv6_stub->ndisc_send_na(dev, &in6addr_linklocal_allnodes,
					 addr, false, false, true, true);
		ovpnha_stat_inc(on, OVPNHA_STAT_NA_SENT);
		ok = true;
	}
out_put:
	dev_put(dev);
out:
	if (!ok)
		ovpnha_count_drop(on, NULL, OVPNHA_STAT_GARP_FAIL, NULL);
	else if (!READ_ONCE(on->ha.first_garp))
		WRITE_ONCE(on->ha.first_garp,
			   max_t(u64, ktime_get_ns() - on->ha.takeover_mono, 1));
	return ok;
}

/* No table mutex here: each peer is read under RCU, then announced. */
static void ovpnha_garp_peers(struct ovpnha_net *on, const char *ifname)
{
	struct ovpnha_peer *peer;
	struct in6_addr vpn6;
	unsigned long id = 0;
	__be32 vpn4;
	u8 flags;

	for (;; id++) {
		rcu_read_lock();
		peer = xa_find(&on->peers, &id, ULONG_MAX, XA_PRESENT);
		if (peer) {
			flags = READ_ONCE(peer->flags);
			vpn4 = READ_ONCE(peer->vpn4);
			vpn6 = peer->vpn6;
		}
		rcu_read_unlock();
		if (!peer)
			break;
		if (flags & OVPNHA_PEER_VPN4)
			ovpnha_announce(on, AF_INET, &vpn4, ifname);
		if (flags & OVPNHA_PEER_VPN6)
			ovpnha_announce(on, AF_INET6, &vpn6, ifname);
		cond_resched();
	}
}

static void ovpnha_garp_round(struct ovpnha_net *on)
{
	struct ovpnha_ha *ha = &on->ha;
	char announce[IFNAMSIZ];
	struct ovpnha_vip *vip;

	rcu_read_lock();
	list_for_each_entry_rcu(vip, &ha->vips, list) {
		char ifname[IFNAMSIZ];

		/* dev_get_by_name() may not sleep, but keep RCU short. */
		memcpy(ifname, vip->ifname, sizeof(ifname));
		if (ovpnha_announce(on, vip->family, &vip->addr, ifname))
			atomic64_inc(&vip->sent);
		else
			atomic64_inc(&vip->failed);
	}
	rcu_read_unlock();

	memcpy(announce, ha->announce, sizeof(announce));
	if (announce[0])
		ovpnha_garp_peers(on, announce);
}

static void ovpnha_garp_schedule(struct ovpnha_ha *ha)
{
	if (READ_ONCE(ha->rounds_left))
		schedule_delayed_work(&ha->garp_work,
				      msecs_to_jiffies(ha->garp_interval));
	else if (ha->garp_refresh)
		schedule_delayed_work(&ha->garp_work,
				      (unsigned long)ha->garp_refresh * HZ);
}

static void ovpnha_garp_work(struct work_struct *work)
{
	struct ovpnha_ha *ha = container_of(to_delayed_work(work),
					    struct ovpnha_ha, garp_work);
	struct ovpnha_net *on = container_of(ha, struct ovpnha_net, ha);

	if (READ_ONCE(ha->role) != OVPNHA_ROLE_MASTER)
		return;
	ovpnha_garp_round(on);
	if (ha->rounds_left)
		WRITE_ONCE(ha->rounds_left, ha->rounds_left - 1);
	ovpnha_garp_schedule(ha);
}

void ovpnha_garp_kick(struct ovpnha_net *on)
{
	struct ovpnha_ha *ha = &on->ha;

	lockdep_assert_held(&on->lock);
	cancel_delayed_work_sync(&ha->garp_work);
	if (ha->role != OVPNHA_ROLE_MASTER)
		return;
	/* The first round now, from the caller: no scheduling delay. */
	ovpnha_garp_round(on);
	WRITE_ONCE(ha->rounds_left, ha->garp_count - 1);
	ovpnha_garp_schedule(ha);
}

static struct ovpnha_vip *ovpnha_vip_find(struct ovpnha_net *on, int family,
					  const void *addr)
{
	struct ovpnha_vip *vip;

	list_for_each_entry(vip, &on->ha.vips, list)
		if (vip->family == family &&
		    !memcmp(&vip->addr, addr, family == AF_INET ? 4 : 16))
			return vip;
	return NULL;
}

int ovpnha_vip_add(struct ovpnha_net *on, int family, const void *addr,
		   const char *ifname, struct netlink_ext_ack *extack)
{
	struct ovpnha_vip *vip;

	lockdep_assert_held(&on->lock);
	if (ovpnha_vip_find(on, family, addr)) {
		NL_SET_ERR_MSG(extack, "this VIP is already configured");
		return -EEXIST;
	}
	if (on->ha.n_vips >= OVPNHA_MAX_VIPS) {
		NL_SET_ERR_MSG_FMT(extack, "VIP limit (%u) reached",
				   OVPNHA_MAX_VIPS);
		ovpnha_stat_inc(on, OVPNHA_STAT_LIMIT);
		return -ENOSPC;
	}
	vip = kzalloc(sizeof(*vip), GFP_KERNEL);
	if (!vip)
		return -ENOMEM;
	vip->family = family;
	memcpy(&vip->addr, addr, family == AF_INET ? 4 : 16);
	strscpy(vip->ifname, ifname, sizeof(vip->ifname));
	list_add_tail_rcu(&vip->list, &on->ha.vips);
	on->ha.n_vips++;
	/* A VIP added on a master is announced at once. */
	if (on->ha.role == OVPNHA_ROLE_MASTER &&
	    ovpnha_announce(on, family, addr, ifname))
		atomic64_inc(&vip->sent);
	return 0;
}

int ovpnha_vip_del(struct ovpnha_net *on, int family, const void *addr,
		   struct netlink_ext_ack *extack)
{
	struct ovpnha_vip *vip;

	lockdep_assert_held(&on->lock);
	vip = ovpnha_vip_find(on, family, addr);
	if (!vip) {
		NL_SET_ERR_MSG(extack, "no such VIP");
		return -ENOENT;
	}
	list_del_rcu(&vip->list);
	on->ha.n_vips--;
	kfree_rcu(vip, rcu);
	return 0;
}

void ovpnha_ha_init(struct ovpnha_net *on)
{
	struct ovpnha_ha *ha = &on->ha;

	INIT_LIST_HEAD(&ha->vips);
	INIT_DELAYED_WORK(&ha->garp_work, ovpnha_garp_work);
	ha->garp_count = OVPNHA_GARP_COUNT_DEFAULT;
	ha->garp_interval = OVPNHA_GARP_INTERVAL_DEFAULT;
	strscpy(ha->reason, "initial", sizeof(ha->reason));
}

void ovpnha_ha_exit(struct ovpnha_net *on)
{
	struct ovpnha_vip *vip, *tmp;

	WRITE_ONCE(on->ha.role, OVPNHA_ROLE_NONE);
	cancel_delayed_work_sync(&on->ha.garp_work);
	list_for_each_entry_safe(vip, tmp, &on->ha.vips, list) {
		list_del_rcu(&vip->list);
		kfree_rcu(vip, rcu);
	}
}
