// SPDX-License-Identifier: GPL-2.0
/*
 * The DNS guard (see dnsguard.h).
 *
 * Hooks at the raw-table position (NF_IP_PRI_RAW, before conntrack):
 *
 * PRE_ROUTING and LOCAL_OUT, a UDP query to port 53 from a guarded source
 * (a configured prefix, a peer's virtual address or iroute) to an address
 * of this host where a UDP socket listens: marked untracked, like nft
 * "notrack".  Queries that will be forwarded or NATed are left to
 * conntrack; the CPU's conntrack clash counters are noted instead and the
 * deltas are settled (attributed to the peer) on the next guarded DNS
 * packet on that CPU and by a periodic work item.
 *
 * LOCAL_OUT, a UDP reply from port 53 of this host to a guarded
 * destination: untracked unless conntrack holds an entry for it (the query
 * was tracked, perhaps NATed: the reply must follow it).
 *
 * The attribution is approximate under mixed load: a clash of other
 * traffic on the same CPU between a query and the settle is attributed to
 * that query's peer.  No conntrack event notifier is used.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/udp.h>
#include <linux/workqueue.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_tuple.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/netns/generic.h>
#include <net/route.h>
#include <net/udp.h>

#include "compat.h"
#include "dnsguard.h"
#include "droptrace.h"
#include "lpm.h"
#include "main.h"
#include "peer.h"
#include "stats.h"

#define OVPNHA_DNS_PORT		htons(53)
#define OVPNHA_SETTLE_PERIOD	(HZ / 2)

struct ovpnha_dg_table {
	struct rcu_head rcu;
	unsigned int n;
	struct ovpnha_dnsguard_prefix p[];
};

/* This CPU's conntrack clash counters when a checked query passed. */
struct ovpnha_dg_cpu {
	spinlock_t lock;	/* the fields below; the settle work reads them */
	bool armed;
	u32 peer_id;		/* 0: a configured prefix, no peer */
	unsigned int clash_resolve;
	unsigned int insert_failed;
};

struct ovpnha_dg_net {
	struct net *net;
	bool enabled;		/* written under the table mutex */
	struct ovpnha_dg_table __rcu *table;
	struct ovpnha_dg_cpu __percpu *cpu;
	struct delayed_work settle;
};

static unsigned int ovpnha_dg_net_id __read_mostly;

static inline struct ovpnha_dg_net *ovpnha_dg_pernet(const struct net *net)
{
	return net_generic(net, ovpnha_dg_net_id);
}

static bool ovpnha_prefix_match(const struct ovpnha_dnsguard_prefix *p,
				const u8 *addr)
{
	unsigned int bytes = p->plen / 8, bits = p->plen % 8;

	if (memcmp(p->addr, addr, bytes))
		return false;
	return !bits || !((p->addr[bytes] ^ addr[bytes]) & (0xff << (8 - bits)));
}

/*
 * Is @addr a guarded source?  *@peer: the peer covering it, if any (valid
 * under RCU).  *@hit: the matching configured prefix, if any.
 */
static bool ovpnha_dg_source(struct ovpnha_net *on, struct ovpnha_dg_net *dg,
			     int family, const u8 *addr,
			     struct ovpnha_peer **peer,
			     struct ovpnha_dnsguard_prefix **hit)
{
	struct ovpnha_dg_table *t = rcu_dereference(dg->table);
	struct ovpnha_lpm_match m;
	unsigned int i;

	*peer = NULL;
	*hit = NULL;
	if (READ_ONCE(on->n_peers) &&
	    ovpnha_lpm_lookup(&on->lpm, family, addr, &m))
		*peer = m.peer;
	for (i = 0; t && i < t->n; i++) {
		if (t->p[i].family == family &&
		    ovpnha_prefix_match(&t->p[i], addr)) {
			*hit = &t->p[i];
			break;
		}
	}
	return *peer || *hit;
}

/* --- clash accounting --- */

static void ovpnha_dg_settle_cpu(struct ovpnha_net *on,
				 struct ovpnha_dg_cpu *c,
				 const struct ip_conntrack_stat *st)
{
	unsigned int resolved, lost;
	struct ovpnha_peer *peer;

	if (!c->armed)
		return;
	resolved = READ_ONCE(st->clash_resolve) - c->clash_resolve;
	lost = READ_ONCE(st->insert_failed) - c->insert_failed;
	c->armed = false;
	if (!resolved && !lost)
		return;
	rcu_read_lock();
	peer = c->peer_id ? xa_load(&on->peers, c->peer_id) : NULL;
	ovpnha_count_drops(on, peer, OVPNHA_STAT_DNS_CLASH_RESOLVED, resolved);
	ovpnha_count_drops(on, peer, OVPNHA_STAT_DNS_CLASH_LOST, lost);
	rcu_read_unlock();
}

/* Settle this CPU's snapshot, then (if @arm) take a new one for @peer. */
static void ovpnha_dg_check(struct ovpnha_net *on, struct ovpnha_dg_net *dg,
			    const struct ovpnha_peer *peer, bool arm)
{
	struct ip_conntrack_stat *st;
	struct ovpnha_dg_cpu *c;

	if (!on->net->ct.stat)
		return;
	local_bh_disable();
	c = this_cpu_ptr(dg->cpu);
	st = this_cpu_ptr(on->net->ct.stat);
	spin_lock(&c->lock);
	ovpnha_dg_settle_cpu(on, c, st);
	if (arm) {
		c->armed = true;
		c->peer_id = peer ? peer->id : 0;
		c->clash_resolve = READ_ONCE(st->clash_resolve);
		c->insert_failed = READ_ONCE(st->insert_failed);
		ovpnha_stat_inc(on, OVPNHA_STAT_DNS_CHECKED);
	}
	spin_unlock(&c->lock);
	local_bh_enable();
}

static void ovpnha_dg_settle_all(struct ovpnha_net *on,
				 struct ovpnha_dg_net *dg)
{
	int cpu;

	if (!on->net->ct.stat)
		return;
	for_each_possible_cpu(cpu) {
		struct ovpnha_dg_cpu *c = per_cpu_ptr(dg->cpu, cpu);

		spin_lock_bh(&c->lock);
		ovpnha_dg_settle_cpu(on, c, per_cpu_ptr(on->net->ct.stat, cpu));
		spin_unlock_bh(&c->lock);
	}
}

static void ovpnha_dg_settle_work(struct work_struct *work)
{
	struct ovpnha_dg_net *dg = container_of(to_delayed_work(work),
						struct ovpnha_dg_net, settle);

	ovpnha_dg_settle_all(ovpnha_pernet(dg->net), dg);
	if (READ_ONCE(dg->enabled))
		schedule_delayed_work(&dg->settle, OVPNHA_SETTLE_PERIOD);
}

/* --- the hooks --- */

struct ovpnha_dg_pkt {
	int family;
	const u8 *saddr;
	const u8 *daddr;
	__be16 sport;
	__be16 dport;
};

static bool ovpnha_dg_parse(struct sk_buff *skb, int family,
			    struct ovpnha_dg_pkt *k)
{
	const struct udphdr *uh;
	struct udphdr _uh;
	unsigned int thoff;

	if (family == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_UDP || ip_is_fragment(iph))
			return false;
		thoff = ip_hdrlen(skb);
		k->family = AF_INET;
		k->saddr = (const u8 *)&iph->saddr;
		k->daddr = (const u8 *)&iph->daddr;
	} else {
		const struct ipv6hdr *ip6 = ipv6_hdr(skb);

		if (ip6->nexthdr != IPPROTO_UDP)
			return false;
		thoff = sizeof(*ip6);
		k->family = AF_INET6;
		k->saddr = (const u8 *)&ip6->saddr;
		k->daddr = (const u8 *)&ip6->daddr;
	}
	uh = skb_header_pointer(skb, skb_network_offset(skb) + thoff,
				sizeof(_uh), &_uh);
	if (!uh)
		return false;
	k->sport = uh->source;
	k->dport = uh->dest;
	return k->sport == OVPNHA_DNS_PORT || k->dport == OVPNHA_DNS_PORT;
}

/* A query to an address of this host where a UDP socket listens? */
static bool ovpnha_dg_local_resolver(struct net *net, struct sk_buff *skb,
				     const struct ovpnha_dg_pkt *k)
{
	int dif = skb->dev ? skb->dev->ifindex : 0;
	struct sock *sk;

	if (k->family == AF_INET) {
		__be32 saddr, daddr;

		memcpy(&saddr, k->saddr, 4);
		memcpy(&daddr, k->daddr, 4);
		if (inet_addr_type(net, daddr) != RTN_LOCAL)
			return false;
		sk = udp4_lib_lookup(net, saddr, k->sport, daddr, k->dport,
				     dif);
	} else {
#if IS_ENABLED(CONFIG_IPV6)
		const struct in6_addr *saddr = (const void *)k->saddr;
		const struct in6_addr *daddr = (const void *)k->daddr;

		if (!ipv6_chk_addr(net, daddr, NULL, 0))
			return false;
		sk = udp6_lib_lookup(net, saddr, k->sport, daddr, k->dport,
				     dif);
#else
		return false;
#endif
	}
	if (!sk)
		return false;
	sock_put(sk);
	return true;
}

/* Does conntrack hold an entry for this packet (either direction)? */
static bool ovpnha_dg_tracked(struct net *net, const struct ovpnha_dg_pkt *k)
{
	struct nf_conntrack_tuple t = {};
	struct nf_conntrack_tuple_hash *h;

	t.src.l3num = k->family;
	memcpy(&t.src.u3, k->saddr, k->family == AF_INET ? 4 : 16);
	memcpy(&t.dst.u3, k->daddr, k->family == AF_INET ? 4 : 16);
	t.src.u.udp.port = k->sport;
	t.dst.u.udp.port = k->dport;
	t.dst.protonum = IPPROTO_UDP;
	t.dst.dir = IP_CT_DIR_ORIGINAL;
	h = nf_conntrack_find_get(net, &nf_ct_zone_dflt, &t);
	if (!h)
		return false;
	nf_ct_put(nf_ct_tuplehash_to_ctrack(h));
	return true;
}

static void ovpnha_dg_untrack(struct ovpnha_net *on, struct sk_buff *skb,
			      struct ovpnha_dnsguard_prefix *hit)
{
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	ovpnha_stat_inc(on, OVPNHA_STAT_DNS_GUARDED);
	if (hit)
		WRITE_ONCE(hit->hits, READ_ONCE(hit->hits) + 1);
}

static unsigned int ovpnha_dg_hook(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct ovpnha_dnsguard_prefix *hit;
	struct ovpnha_dg_net *dg;
	struct ovpnha_peer *peer;
	struct ovpnha_net *on;
	struct ovpnha_dg_pkt k;

	if (skb_nfct(skb) || !ovpnha_dg_parse(skb, state->pf, &k))
		return NF_ACCEPT;

	on = ovpnha_pernet(state->net);
	dg = ovpnha_dg_pernet(state->net);
	rcu_read_lock();
	if (k.dport == OVPNHA_DNS_PORT &&
	    ovpnha_dg_source(on, dg, k.family, k.saddr, &peer, &hit)) {
		/* a query from a guarded source */
		if (ovpnha_dg_local_resolver(state->net, skb, &k))
			ovpnha_dg_untrack(on, skb, hit);
		else
			ovpnha_dg_check(on, dg, peer, true);
	} else if (k.sport == OVPNHA_DNS_PORT &&
		   ovpnha_dg_source(on, dg, k.family, k.daddr, &peer, &hit)) {
		/* a reply to a guarded source */
		if (state->hook == NF_INET_LOCAL_OUT &&
		    !ovpnha_dg_tracked(state->net, &k))
			ovpnha_dg_untrack(on, skb, hit);
		else
			ovpnha_dg_check(on, dg, NULL, false);
	}
	rcu_read_unlock();
	return NF_ACCEPT;
}

static const struct nf_hook_ops ovpnha_dg_ops[] = {
	{
		.hook		= ovpnha_dg_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_RAW,
	},
	{
		.hook		= ovpnha_dg_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP_PRI_RAW,
	},
	{
		.hook		= ovpnha_dg_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_RAW,
	},
	{
		.hook		= ovpnha_dg_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP6_PRI_RAW,
	},
};

/* --- configuration --- */

bool ovpnha_dnsguard_enabled(struct net *net)
{
	return READ_ONCE(ovpnha_dg_pernet(net)->enabled);
}

int ovpnha_dnsguard_set(struct ovpnha_net *on, bool enable,
			struct netlink_ext_ack *extack)
{
	struct ovpnha_dg_net *dg = ovpnha_dg_pernet(on->net);
	int err;

	lockdep_assert_held(&on->lock);
	if (enable == dg->enabled)
		return 0;
	if (enable) {
		err = nf_register_net_hooks(on->net, ovpnha_dg_ops,
					    ARRAY_SIZE(ovpnha_dg_ops));
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "cannot register the DNS guard's netfilter hooks");
			return err;
		}
		WRITE_ONCE(dg->enabled, true);
		schedule_delayed_work(&dg->settle, OVPNHA_SETTLE_PERIOD);
	} else {
		WRITE_ONCE(dg->enabled, false);
		nf_unregister_net_hooks(on->net, ovpnha_dg_ops,
					ARRAY_SIZE(ovpnha_dg_ops));
		cancel_delayed_work_sync(&dg->settle);
		ovpnha_dg_settle_all(on, dg);
	}
	return 0;
}

static struct ovpnha_dg_table *ovpnha_dg_table(struct ovpnha_net *on,
					       struct ovpnha_dg_net *dg)
{
	return rcu_dereference_protected(dg->table, lockdep_is_held(&on->lock));
}

static int ovpnha_dg_find(const struct ovpnha_dg_table *t,
			  const struct ovpnha_dnsguard_prefix *p)
{
	unsigned int i;

	for (i = 0; t && i < t->n; i++)
		if (t->p[i].family == p->family && t->p[i].plen == p->plen &&
		    !memcmp(t->p[i].addr, p->addr, 16))
			return i;
	return -1;
}

/* Copy of @old with entry @skip left out (-1: none) and @add appended. */
static struct ovpnha_dg_table *
ovpnha_dg_copy(const struct ovpnha_dg_table *old, int skip,
	       const struct ovpnha_dnsguard_prefix *add)
{
	unsigned int n = old ? old->n : 0, i, j = 0;
	struct ovpnha_dg_table *t;

	t = kzalloc(struct_size(t, p, n + 1), GFP_KERNEL);
	if (!t)
		return NULL;
	for (i = 0; i < n; i++)
		if ((int)i != skip)
			t->p[j++] = old->p[i];
	if (add)
		t->p[j++] = *add;
	t->n = j;
	return t;
}

static void ovpnha_dg_replace(struct ovpnha_dg_net *dg,
			      struct ovpnha_dg_table *old,
			      struct ovpnha_dg_table *t)
{
	rcu_assign_pointer(dg->table, t);
	if (old)
		kfree_rcu(old, rcu);
}

int ovpnha_dnsguard_add(struct ovpnha_net *on,
			const struct ovpnha_dnsguard_prefix *p,
			struct netlink_ext_ack *extack)
{
	struct ovpnha_dg_net *dg = ovpnha_dg_pernet(on->net);
	struct ovpnha_dg_table *old, *t;

	lockdep_assert_held(&on->lock);
	old = ovpnha_dg_table(on, dg);
	if (ovpnha_dg_find(old, p) >= 0) {
		ovpnha_stat_inc(on, OVPNHA_STAT_CONFLICT);
		NL_SET_ERR_MSG(extack, "prefix already guarded");
		return -EEXIST;
	}
	if (old && old->n >= OVPNHA_DNSGUARD_MAX) {
		ovpnha_stat_inc(on, OVPNHA_STAT_LIMIT);
		NL_SET_ERR_MSG_FMT(extack, "DNS guard table full (max %u)",
				   OVPNHA_DNSGUARD_MAX);
		return -ENOSPC;
	}
	t = ovpnha_dg_copy(old, -1, p);
	if (!t) {
		ovpnha_stat_inc(on, OVPNHA_STAT_NOMEM);
		return -ENOMEM;
	}
	t->p[t->n - 1].hits = 0;
	ovpnha_dg_replace(dg, old, t);
	return 0;
}

int ovpnha_dnsguard_del(struct ovpnha_net *on,
			const struct ovpnha_dnsguard_prefix *p,
			struct netlink_ext_ack *extack)
{
	struct ovpnha_dg_net *dg = ovpnha_dg_pernet(on->net);
	struct ovpnha_dg_table *old, *t;
	int idx;

	lockdep_assert_held(&on->lock);
	old = ovpnha_dg_table(on, dg);
	idx = ovpnha_dg_find(old, p);
	if (idx < 0) {
		NL_SET_ERR_MSG(extack, "prefix is not guarded");
		return -ENOENT;
	}
	t = ovpnha_dg_copy(old, idx, NULL);
	if (!t) {
		ovpnha_stat_inc(on, OVPNHA_STAT_NOMEM);
		return -ENOMEM;
	}
	ovpnha_dg_replace(dg, old, t);
	return 0;
}

bool ovpnha_dnsguard_get(struct ovpnha_net *on, unsigned int idx,
			 struct ovpnha_dnsguard_prefix *p)
{
	struct ovpnha_dg_table *t;

	lockdep_assert_held(&on->lock);
	t = ovpnha_dg_table(on, ovpnha_dg_pernet(on->net));
	if (!t || idx >= t->n)
		return false;
	*p = t->p[idx];
	p->hits = READ_ONCE(t->p[idx].hits);
	return true;
}

static int __net_init ovpnha_dg_net_init(struct net *net)
{
	struct ovpnha_dg_net *dg = ovpnha_dg_pernet(net);
	int cpu;

	dg->net = net;
	dg->cpu = alloc_percpu(struct ovpnha_dg_cpu);
	if (!dg->cpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		spin_lock_init(&per_cpu_ptr(dg->cpu, cpu)->lock);
	INIT_DELAYED_WORK(&dg->settle, ovpnha_dg_settle_work);
	return 0;
}

void ovpnha_dnsguard_net_off(struct net *net)
{
	struct ovpnha_net *on = ovpnha_pernet(net);

	mutex_lock(&on->lock);
	ovpnha_dnsguard_set(on, false, NULL);
	mutex_unlock(&on->lock);
}

static void __net_exit ovpnha_dg_net_exit(struct net *net)
{
	struct ovpnha_dg_net *dg = ovpnha_dg_pernet(net);
	struct ovpnha_net *on = ovpnha_pernet(net);
	struct ovpnha_dg_table *t;

	mutex_lock(&on->lock);
	ovpnha_dnsguard_set(on, false, NULL);
	t = ovpnha_dg_table(on, dg);
	RCU_INIT_POINTER(dg->table, NULL);
	mutex_unlock(&on->lock);
	/* No hook runs any more: unregistering waited for them. */
	kfree(t);
	free_percpu(dg->cpu);
}

static struct pernet_operations ovpnha_dg_net_ops = {
	.init	= ovpnha_dg_net_init,
	.exit	= ovpnha_dg_net_exit,
	.id	= &ovpnha_dg_net_id,
	.size	= sizeof(struct ovpnha_dg_net),
};

int __init ovpnha_dnsguard_init(void)
{
	return register_pernet_subsys(&ovpnha_dg_net_ops);
}

void ovpnha_dnsguard_exit(void)
{
	unregister_pernet_subsys(&ovpnha_dg_net_ops);
}
