// SPDX-License-Identifier: GPL-2.0
/*
 * Drop accounting by reason and peer, rate-limited drop samples on the
 * "events" group, and the optional skb:kfree_skb attribution of kernel
 * drops to peers.
 *
 * Samples are built in any context into a small per-namespace ring under
 * a spinlock (interrupts off: kfree_skb may run with them off) and sent
 * from a work item, so the packet path never enters netlink.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "compat.h"
#include "droptrace.h"
#include "lpm.h"
#include "main.h"
#include "netlink.h"
#include "peer.h"
#include "stats.h"

#ifdef OVPNHA_HAVE_DROP_REASONS
#include <trace/events/skb.h>

#define OVPNHA_KDROP_MAX	SKB_DROP_REASON_MAX
#else
#define OVPNHA_KDROP_MAX	0
#endif

#define OVPNHA_SAMPLE_RING	16
#define OVPNHA_SAMPLE_RATE	(HZ)
#define OVPNHA_SAMPLE_BURST	10

struct ovpnha_peer_drops {
	atomic64_t cnt[__OVPNHA_STAT_MAX];
#ifdef OVPNHA_HAVE_DROP_REASONS
	atomic64_t kcnt[OVPNHA_KDROP_MAX];
#endif
};

struct ovpnha_drop_sample {
	u32 reason;
	u32 kreason;
	u32 peer_id;
	u32 ifindex;
	u32 count;
	bool has_kreason;
	u8 family;
	u8 proto;
	__be16 sport;
	__be16 dport;
	u8 src[16];
	u8 dst[16];
};

struct ovpnha_dt_net {
	struct net *net;
	bool enabled;			/* drop-trace; written under the mutex */
	bool dying;
	spinlock_t lock;		/* the ring */
	unsigned int head, len;
	struct ovpnha_drop_sample ring[OVPNHA_SAMPLE_RING];
	atomic_t folded;		/* drops not sampled since the last one */
	struct ratelimit_state rs;
	struct work_struct work;
};

static unsigned int ovpnha_dt_net_id __read_mostly;

static inline struct ovpnha_dt_net *ovpnha_dt_pernet(const struct net *net)
{
	return net_generic(net, ovpnha_dt_net_id);
}

/* --- per-peer blocks --- */

/*
 * The block is published with a release cmpxchg and read with acquire, so a
 * reader that sees the pointer sees the zeroed counters behind it.
 */
static struct ovpnha_peer_drops *ovpnha_peer_drops(struct ovpnha_peer *peer)
{
	struct ovpnha_peer_drops *d;

	/* pairs with cmpxchg_release() below */
	d = smp_load_acquire(&peer->drops);
	if (likely(d))
		return d;
	d = kzalloc(sizeof(*d), GFP_ATOMIC | __GFP_NOWARN);
	if (!d)
		return NULL;
	if (cmpxchg_release(&peer->drops, NULL, d)) {
		kfree(d);
		/* pairs with the winner's cmpxchg_release() */
		d = smp_load_acquire(&peer->drops);
	}
	return d;
}

void ovpnha_peer_drops_free(struct ovpnha_peer *peer)
{
	kfree(peer->drops);
	peer->drops = NULL;
}

int ovpnha_peer_drops_put(struct sk_buff *skb, const struct ovpnha_peer *peer)
{
	/* pairs with cmpxchg_release() in ovpnha_peer_drops() */
	struct ovpnha_peer_drops *d = smp_load_acquire(&peer->drops);
	struct nlattr *nest;
	int i;

	if (!d)
		return 0;
	nest = nla_nest_start(skb, OVPNHA_A_PEER_DROPS);
	if (!nest)
		return -EMSGSIZE;
	/* Type = counter index + 1; the nest has no pad type, 0 serves. */
	for (i = 0; i < __OVPNHA_STAT_MAX; i++) {
		u64 v = atomic64_read(&d->cnt[i]);

		if (v && nla_put_u64_64bit(skb, i + 1, v, 0))
			goto cancel;
	}
	nla_nest_end(skb, nest);

#ifdef OVPNHA_HAVE_DROP_REASONS
	nest = nla_nest_start(skb, OVPNHA_A_PEER_KDROPS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < OVPNHA_KDROP_MAX; i++) {
		u64 v = atomic64_read(&d->kcnt[i]);
		struct nlattr *e;

		if (!v)
			continue;
		e = nla_nest_start(skb, OVPNHA_A_KDROP_ENTRY);
		if (!e || nla_put_u32(skb, OVPNHA_A_KDROP_REASON, i) ||
		    nla_put_string(skb, OVPNHA_A_KDROP_NAME,
				   ovpnha_drop_reason_name(i) ?: "?") ||
		    nla_put_u64_64bit(skb, OVPNHA_A_KDROP_COUNT, v,
				      OVPNHA_A_KDROP_PAD))
			goto cancel;
		nla_nest_end(skb, e);
	}
	nla_nest_end(skb, nest);
#endif
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* --- samples --- */

/* Addresses and ports of @skb's IP header, if it has a linear one. */
static bool ovpnha_skb_addrs(const struct sk_buff *skb,
			     struct ovpnha_drop_sample *s)
{
	const u8 *nh = skb_network_header(skb);
	const u8 *tail = skb_tail_pointer(skb);
	const u8 *th = NULL;

	if (nh < skb->head || nh + sizeof(struct iphdr) > tail)
		return false;
	if ((nh[0] >> 4) == 4) {
		const struct iphdr *iph = (const void *)nh;

		if (iph->ihl < 5)
			return false;
		s->family = AF_INET;
		s->proto = iph->protocol;
		memcpy(s->src, &iph->saddr, 4);
		memcpy(s->dst, &iph->daddr, 4);
		if (!(iph->frag_off & htons(IP_OFFSET)))
			th = nh + iph->ihl * 4;
	} else if ((nh[0] >> 4) == 6 && nh + sizeof(struct ipv6hdr) <= tail) {
		const struct ipv6hdr *ip6 = (const void *)nh;

		s->family = AF_INET6;
		s->proto = ip6->nexthdr;
		memcpy(s->src, &ip6->saddr, 16);
		memcpy(s->dst, &ip6->daddr, 16);
		th = nh + sizeof(*ip6);
	} else {
		return false;
	}
	if (th && (s->proto == IPPROTO_UDP || s->proto == IPPROTO_TCP) &&
	    th + 4 <= tail) {
		memcpy(&s->sport, th, 2);
		memcpy(&s->dport, th + 2, 2);
	}
	return true;
}

static void ovpnha_sample(struct ovpnha_dt_net *dn,
			  struct ovpnha_drop_sample *s,
			  const struct sk_buff *skb)
{
	unsigned long flags;

	if (!genl_has_listeners(&ovpnha_nl_family, dn->net,
				OVPNHA_NL_MCGRP_EVENTS))
		return;
	if (!__ratelimit(&dn->rs)) {
		atomic_inc(&dn->folded);
		return;
	}
	s->count = atomic_xchg(&dn->folded, 0) + 1;
	if (skb && !s->family) {
		s->ifindex = skb->dev ? skb->dev->ifindex : 0;
		ovpnha_skb_addrs(skb, s);
	}

	spin_lock_irqsave(&dn->lock, flags);
	if (dn->dying) {
		spin_unlock_irqrestore(&dn->lock, flags);
		return;
	}
	dn->ring[(dn->head + dn->len) % OVPNHA_SAMPLE_RING] = *s;
	if (dn->len < OVPNHA_SAMPLE_RING)
		dn->len++;
	else
		dn->head = (dn->head + 1) % OVPNHA_SAMPLE_RING;
	spin_unlock_irqrestore(&dn->lock, flags);
	schedule_work(&dn->work);
}

static int ovpnha_sample_fill(struct sk_buff *msg,
			      const struct ovpnha_drop_sample *s)
{
	struct nlattr *nest = nla_nest_start(msg, OVPNHA_A_DROP);

	if (!nest || nla_put_u32(msg, OVPNHA_A_DROP_REASON, s->reason) ||
	    nla_put_u32(msg, OVPNHA_A_DROP_COUNT, s->count))
		return -EMSGSIZE;
	if (s->peer_id && nla_put_u32(msg, OVPNHA_A_DROP_PEER_ID, s->peer_id))
		return -EMSGSIZE;
	if (s->ifindex && nla_put_u32(msg, OVPNHA_A_DROP_IFINDEX, s->ifindex))
		return -EMSGSIZE;
#ifdef OVPNHA_HAVE_DROP_REASONS
	if (s->has_kreason &&
	    (nla_put_u32(msg, OVPNHA_A_DROP_KERNEL_REASON, s->kreason) ||
	     nla_put_string(msg, OVPNHA_A_DROP_KERNEL_REASON_NAME,
			    ovpnha_drop_reason_name(s->kreason) ?: "?")))
		return -EMSGSIZE;
#endif
	if (s->family == AF_INET &&
	    (nla_put(msg, OVPNHA_A_DROP_SRC_IPV4, 4, s->src) ||
	     nla_put(msg, OVPNHA_A_DROP_DST_IPV4, 4, s->dst)))
		return -EMSGSIZE;
	if (s->family == AF_INET6 &&
	    (nla_put(msg, OVPNHA_A_DROP_SRC_IPV6, 16, s->src) ||
	     nla_put(msg, OVPNHA_A_DROP_DST_IPV6, 16, s->dst)))
		return -EMSGSIZE;
	if (s->family && nla_put_u8(msg, OVPNHA_A_DROP_PROTO, s->proto))
		return -EMSGSIZE;
	if ((s->sport || s->dport) &&
	    (nla_put_be16(msg, OVPNHA_A_DROP_SPORT, s->sport) ||
	     nla_put_be16(msg, OVPNHA_A_DROP_DPORT, s->dport)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static void ovpnha_sample_work(struct work_struct *work)
{
	struct ovpnha_dt_net *dn = container_of(work, struct ovpnha_dt_net,
						work);
	struct ovpnha_drop_sample s;
	struct sk_buff *msg;
	void *hdr;

	for (;;) {
		spin_lock_irq(&dn->lock);
		if (!dn->len) {
			spin_unlock_irq(&dn->lock);
			return;
		}
		s = dn->ring[dn->head];
		dn->head = (dn->head + 1) % OVPNHA_SAMPLE_RING;
		dn->len--;
		spin_unlock_irq(&dn->lock);

		msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!msg)
			continue;
		hdr = genlmsg_put(msg, 0, 0, &ovpnha_nl_family, 0,
				  OVPNHA_CMD_DROP_SAMPLE);
		if (!hdr || ovpnha_sample_fill(msg, &s)) {
			nlmsg_free(msg);
			continue;
		}
		genlmsg_end(msg, hdr);
		genlmsg_multicast_netns(&ovpnha_nl_family, dn->net, msg, 0,
					OVPNHA_NL_MCGRP_EVENTS, GFP_KERNEL);
	}
}

/* --- counting --- */

void ovpnha_count_drops(struct ovpnha_net *on, struct ovpnha_peer *peer,
			enum ovpnha_stat reason, unsigned int n)
{
	struct ovpnha_peer_drops *d;

	if (WARN_ON_ONCE(reason >= __OVPNHA_STAT_MAX) || !n)
		return;
	ovpnha_stat_add(on, reason, n);
	if (peer) {
		d = ovpnha_peer_drops(peer);
		if (d)
			atomic64_add(n, &d->cnt[reason]);
	}
}

void ovpnha_count_drop(struct ovpnha_net *on, struct ovpnha_peer *peer,
		       enum ovpnha_stat reason, const struct sk_buff *skb)
{
	struct ovpnha_drop_sample s = {
		.reason = reason, .peer_id = peer ? peer->id : 0,
	};

	ovpnha_count_drops(on, peer, reason, 1);
	ovpnha_sample(ovpnha_dt_pernet(on->net), &s, skb);
}

/* --- skb:kfree_skb --- */

#ifdef OVPNHA_HAVE_DROP_REASONS

static DEFINE_MUTEX(ovpnha_dt_mutex);
static unsigned int ovpnha_dt_users;	/* namespaces with drop-trace on */

/* The peer a packet belongs to: transport endpoint, then inner addresses. */
static struct ovpnha_peer *ovpnha_dt_peer(struct ovpnha_net *on,
					  const struct ovpnha_drop_sample *s)
{
	size_t alen = s->family == AF_INET ? 4 : 16;
	struct ovpnha_lpm_match m;
	struct ovpnha_endpoint ep;
	struct ovpnha_peer *peer;

	memset(&ep, 0, sizeof(ep));
	ep.family = s->family;
	ep.proto = s->proto;
	if ((s->proto == IPPROTO_UDP || s->proto == IPPROTO_TCP) &&
	    READ_ONCE(on->n_peers)) {
		memcpy(&ep.addr, s->src, alen);
		ep.port = s->sport;
		peer = ovpnha_peer_find_endpoint_rcu(on, &ep);
		if (peer)
			return peer;
		memset(&ep.addr, 0, sizeof(ep.addr));
		memcpy(&ep.addr, s->dst, alen);
		ep.port = s->dport;
		peer = ovpnha_peer_find_endpoint_rcu(on, &ep);
		if (peer)
			return peer;
	}
	if (ovpnha_lpm_lookup(&on->lpm, s->family, s->src, &m) ||
	    ovpnha_lpm_lookup(&on->lpm, s->family, s->dst, &m))
		return m.peer;
	return NULL;
}

static void ovpnha_kfree_skb_probe(OVPNHA_KFREE_SKB_PROBE_ARGS)
{
	struct net_device *dev = READ_ONCE(skb->dev);
	struct ovpnha_drop_sample s = {};
	struct ovpnha_peer_drops *d;
	struct ovpnha_peer *peer;
	struct ovpnha_dt_net *dn;
	struct ovpnha_net *on;
	struct net *net;

	if (skb->protocol != htons(ETH_P_IP) &&
	    skb->protocol != htons(ETH_P_IPV6))
		return;
	if (dev)
		net = dev_net(dev);
	else if (skb->sk)
		net = sock_net(skb->sk);
	else
		return;
	dn = ovpnha_dt_pernet(net);
	if (!READ_ONCE(dn->enabled))
		return;
	if (!ovpnha_skb_addrs(skb, &s))
		return;

	on = ovpnha_pernet(net);
	rcu_read_lock();
	peer = ovpnha_dt_peer(on, &s);
	if (peer) {
		ovpnha_stat_inc(on, OVPNHA_STAT_KDROP_PEER);
		d = ovpnha_peer_drops(peer);
		if (d && (unsigned int)reason < OVPNHA_KDROP_MAX)
			atomic64_inc(&d->kcnt[reason]);
		s.reason = OVPNHA_STAT_KDROP_PEER;
		s.kreason = reason;
		s.has_kreason = true;
		s.peer_id = peer->id;
		s.ifindex = dev ? dev->ifindex : 0;
		ovpnha_sample(dn, &s, NULL);
	}
	rcu_read_unlock();
}

bool ovpnha_droptrace_available(void)
{
	return true;
}

static int ovpnha_dt_get(void)
{
	int err = 0;

	mutex_lock(&ovpnha_dt_mutex);
	if (!ovpnha_dt_users)
		err = register_trace_kfree_skb(ovpnha_kfree_skb_probe, NULL);
	if (!err)
		ovpnha_dt_users++;
	mutex_unlock(&ovpnha_dt_mutex);
	return err;
}

static void ovpnha_dt_put(void)
{
	mutex_lock(&ovpnha_dt_mutex);
	if (!--ovpnha_dt_users) {
		unregister_trace_kfree_skb(ovpnha_kfree_skb_probe, NULL);
		tracepoint_synchronize_unregister();
	}
	mutex_unlock(&ovpnha_dt_mutex);
}

#else /* !OVPNHA_HAVE_DROP_REASONS */

bool ovpnha_droptrace_available(void)
{
	return false;
}

static int ovpnha_dt_get(void)
{
	return -EOPNOTSUPP;
}

static void ovpnha_dt_put(void)
{
}

#endif

bool ovpnha_droptrace_enabled(struct net *net)
{
	return READ_ONCE(ovpnha_dt_pernet(net)->enabled);
}

int ovpnha_droptrace_set(struct ovpnha_net *on, bool enable,
			 struct netlink_ext_ack *extack)
{
	struct ovpnha_dt_net *dn = ovpnha_dt_pernet(on->net);
	int err;

	lockdep_assert_held(&on->lock);
	if (enable == dn->enabled)
		return 0;
	if (enable) {
		if (!ovpnha_droptrace_available()) {
			NL_SET_ERR_MSG(extack,
				       "this kernel does not offer the skb:kfree_skb tracepoint with drop reasons");
			return -EOPNOTSUPP;
		}
		err = ovpnha_dt_get();
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "cannot attach to skb:kfree_skb");
			return err;
		}
		WRITE_ONCE(dn->enabled, true);
	} else {
		WRITE_ONCE(dn->enabled, false);
		ovpnha_dt_put();
	}
	return 0;
}

static int __net_init ovpnha_dt_net_init(struct net *net)
{
	struct ovpnha_dt_net *dn = ovpnha_dt_pernet(net);

	dn->net = net;
	spin_lock_init(&dn->lock);
	ratelimit_state_init(&dn->rs, OVPNHA_SAMPLE_RATE, OVPNHA_SAMPLE_BURST);
	ratelimit_set_flags(&dn->rs, RATELIMIT_MSG_ON_RELEASE);
	INIT_WORK(&dn->work, ovpnha_sample_work);
	return 0;
}

void ovpnha_droptrace_net_off(struct net *net)
{
	struct ovpnha_net *on = ovpnha_pernet(net);

	mutex_lock(&on->lock);
	ovpnha_droptrace_set(on, false, NULL);
	mutex_unlock(&on->lock);
}

static void __net_exit ovpnha_dt_net_exit(struct net *net)
{
	struct ovpnha_dt_net *dn = ovpnha_dt_pernet(net);

	ovpnha_droptrace_net_off(net);
	spin_lock_irq(&dn->lock);
	dn->dying = true;
	spin_unlock_irq(&dn->lock);
	cancel_work_sync(&dn->work);
}

static struct pernet_operations ovpnha_dt_net_ops = {
	.init	= ovpnha_dt_net_init,
	.exit	= ovpnha_dt_net_exit,
	.id	= &ovpnha_dt_net_id,
	.size	= sizeof(struct ovpnha_dt_net),
};

int __init ovpnha_droptrace_init(void)
{
	/* The memory budget of a peer; its drop counters live outside. */
	BUILD_BUG_ON(sizeof(struct ovpnha_peer) > 256);
	return register_pernet_subsys(&ovpnha_dt_net_ops);
}

void ovpnha_droptrace_exit(void)
{
	unregister_pernet_subsys(&ovpnha_dt_net_ops);
}
