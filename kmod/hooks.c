// SPDX-License-Identifier: GPL-2.0
/*
 * Tunnel devices and the missing-iroute diagnosis (see hooks.h).
 *
 * The tunnel set of a namespace is a small array published with
 * rcu_assign_pointer() and replaced whole on every change: the hooks compare
 * the output device's ifindex against at most OVPNHA_MAX_TUNNELS integers,
 * then do one LPM lookup.  Everything else (broadcast and multicast checks,
 * counting, the log line, ICMP) happens only on a miss.
 *
 * Lock order: RTNL (netdevice notifier) -> tunnel mutex -> nf_hook_mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/addrconf.h>
#include <net/icmp.h>
#include <net/ip6_fib.h>
#include <net/ip_fib.h>
#include <net/netlink.h>
#include <net/netns/generic.h>
#include <net/route.h>

#include "compat.h"
#include "droptrace.h"
#include "hooks.h"
#include "lpm.h"
#include "main.h"
#include "stats.h"

/* At most this many log lines per namespace per interval. */
#define OVPNHA_LOG_INTERVAL	(5 * HZ)
#define OVPNHA_LOG_BURST	10

/* After filtering: only packets that really leave through the tunnel. */
#define OVPNHA_HOOK_PRI		(NF_IP_PRI_LAST - 1)

struct ovpnha_tun_set {
	struct rcu_head rcu;
	unsigned int n;
	int ifindex[OVPNHA_MAX_TUNNELS];	/* the hooks read only these */
	struct ovpnha_tunnel t[OVPNHA_MAX_TUNNELS];
};

struct ovpnha_tun_net {
	struct mutex lock;			/* set, hooks_on */
	struct ovpnha_tun_set __rcu *set;	/* NULL: no tunnel device */
	struct ovpnha_net *on;
	bool hooks_on;
	bool enforce;				/* READ_ONCE in the hooks */
	struct ratelimit_state log_rs;
};

static unsigned int ovpnha_tun_net_id __read_mostly;

static struct ovpnha_tun_net *ovpnha_tun_pernet(const struct net *net)
{
	return net_generic(net, ovpnha_tun_net_id);
}

static bool ovpnha_tunnel_out(const struct ovpnha_tun_set *set,
			      const struct net_device *out)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		if (set->ifindex[i] == out->ifindex)
			return true;
	return false;
}

/* --- the miss path: count, log, and in enforce mode refuse --- */

static void ovpnha_log4(struct net *net, struct net_device *dev,
			__be32 saddr, __be32 daddr)
{
	struct flowi4 fl4 = { .daddr = daddr };
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;
	struct fib_result res;
	__be32 mask;
	u8 plen = 32;

	in_dev = __in_dev_get_rcu(dev);
	if (in_dev) {
		in_dev_for_each_ifa_rcu(ifa, in_dev) {
			if (inet_ifa_match(daddr, ifa)) {
				pr_warn("%s: no peer has virtual address %pI4 (from %pI4); its client is not connected\n",
					dev->name, &daddr, &saddr);
				return;
			}
		}
	}
	/* Suggest the prefix of the route that sent the packet here. */
	if (!fib_lookup(net, &fl4, &res, 0) && res.prefixlen)
		plen = res.prefixlen;
	mask = inet_make_mask(plen);
	pr_warn("%s: no peer has an iroute covering %pI4/32 (from %pI4); add 'iroute %pI4 %pI4' to the ccd file of the peer that owns it\n",
		dev->name, &daddr, &saddr, &(__be32){ daddr & mask }, &mask);
}

static unsigned int ovpnha_miss4(struct ovpnha_tun_net *tn,
				 struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct rtable *rt = skb_rtable(skb);
	__be32 daddr = iph->daddr;

	if (ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr) ||
	    ipv4_is_zeronet(daddr) ||
	    (rt && (rt->rt_type == RTN_BROADCAST ||
		    rt->rt_type == RTN_MULTICAST)))
		return NF_ACCEPT;

	ovpnha_count_drop(tn->on, NULL, OVPNHA_STAT_DROP_NO_IROUTE, skb);
	if (__ratelimit(&tn->log_rs))
		ovpnha_log4(state->net, state->out, iph->saddr, daddr);
	if (!READ_ONCE(tn->enforce))
		return NF_ACCEPT;
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, 0);
	return NF_DROP;
}

static void ovpnha_log6(struct net_device *dev, const struct sk_buff *skb,
			const struct in6_addr *saddr,
			const struct in6_addr *daddr)
{
	const struct rt6_info *rt = (const struct rt6_info *)skb_dst(skb);
	struct in6_addr pfx;
	int plen = 128;

	if (ipv6_chk_prefix(daddr, dev)) {
		pr_warn("%s: no peer has virtual address %pI6c (from %pI6c); its client is not connected\n",
			dev->name, daddr, saddr);
		return;
	}
	if (rt && rt->rt6i_dst.plen && !(rt->rt6i_flags & RTF_CACHE))
		plen = rt->rt6i_dst.plen;
	ipv6_addr_prefix(&pfx, daddr, plen);
	pr_warn("%s: no peer has an iroute covering %pI6c/128 (from %pI6c); add 'iroute-ipv6 %pI6c/%d' to the ccd file of the peer that owns it\n",
		dev->name, daddr, saddr, &pfx, plen);
}

static unsigned int ovpnha_miss6(struct ovpnha_tun_net *tn,
				 struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);

	if (ipv6_addr_type(&ip6h->daddr) &
	    (IPV6_ADDR_MULTICAST | IPV6_ADDR_LINKLOCAL | IPV6_ADDR_LOOPBACK))
		return NF_ACCEPT;

	ovpnha_count_drop(tn->on, NULL, OVPNHA_STAT_DROP_NO_IROUTE, skb);
	if (__ratelimit(&tn->log_rs))
		ovpnha_log6(state->out, skb, &ip6h->saddr, &ip6h->daddr);
	if (!READ_ONCE(tn->enforce))
		return NF_ACCEPT;
	icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, 0);
	return NF_DROP;
}

/* --- the hooks (RCU held by the netfilter core) --- */

static unsigned int ovpnha_hook4(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct ovpnha_tun_net *tn = ovpnha_tun_pernet(state->net);
	const struct ovpnha_tun_set *set = rcu_dereference(tn->set);
	struct ovpnha_lpm_match m;

	if (!set || !ovpnha_tunnel_out(set, state->out))
		return NF_ACCEPT;
	if (ovpnha_lpm_lookup(&tn->on->lpm, AF_INET, &ip_hdr(skb)->daddr, &m))
		return NF_ACCEPT;
	return ovpnha_miss4(tn, skb, state);
}

static unsigned int ovpnha_hook6(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct ovpnha_tun_net *tn = ovpnha_tun_pernet(state->net);
	const struct ovpnha_tun_set *set = rcu_dereference(tn->set);
	struct ovpnha_lpm_match m;

	if (!set || !ovpnha_tunnel_out(set, state->out))
		return NF_ACCEPT;
	if (ovpnha_lpm_lookup(&tn->on->lpm, AF_INET6, &ipv6_hdr(skb)->daddr,
			      &m))
		return NF_ACCEPT;
	return ovpnha_miss6(tn, skb, state);
}

static const struct nf_hook_ops ovpnha_nf_ops[] = {
	{
		.hook		= ovpnha_hook4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_FORWARD,
		.priority	= OVPNHA_HOOK_PRI,
	},
	{
		.hook		= ovpnha_hook4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= OVPNHA_HOOK_PRI,
	},
	{
		.hook		= ovpnha_hook6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_FORWARD,
		.priority	= OVPNHA_HOOK_PRI,
	},
	{
		.hook		= ovpnha_hook6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= OVPNHA_HOOK_PRI,
	},
};

/* --- the tunnel set (writers hold tn->lock) --- */

static struct ovpnha_tun_set *ovpnha_set_get(struct ovpnha_tun_net *tn)
{
	return rcu_dereference_protected(tn->set, lockdep_is_held(&tn->lock));
}

/*
 * Publishes @set (NULL: empty) and registers or unregisters the hooks when
 * the namespace gains its first or loses its last tunnel device.
 */
static int ovpnha_set_publish(struct net *net, struct ovpnha_tun_net *tn,
			      struct ovpnha_tun_set *set)
{
	struct ovpnha_tun_set *old = ovpnha_set_get(tn);
	unsigned int i;
	int err;

	lockdep_assert_held(&tn->lock);
	if (set) {
		for (i = 0; i < set->n; i++)
			set->ifindex[i] = set->t[i].ifindex;
		if (!tn->hooks_on) {
			err = nf_register_net_hooks(net, ovpnha_nf_ops,
						    ARRAY_SIZE(ovpnha_nf_ops));
			if (err)
				return err;
			tn->hooks_on = true;
		}
	}
	rcu_assign_pointer(tn->set, set);
	if (!set && tn->hooks_on) {
		nf_unregister_net_hooks(net, ovpnha_nf_ops,
					ARRAY_SIZE(ovpnha_nf_ops));
		tn->hooks_on = false;
	}
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

static struct ovpnha_tun_set *ovpnha_set_copy(struct ovpnha_tun_net *tn)
{
	struct ovpnha_tun_set *old = ovpnha_set_get(tn);
	struct ovpnha_tun_set *set;

	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (set && old) {
		set->n = old->n;
		memcpy(set->t, old->t, sizeof(set->t));
	}
	return set;
}

static int ovpnha_set_find(const struct ovpnha_tun_set *set,
			   const char *ifname)
{
	unsigned int i;

	for (i = 0; set && i < set->n; i++)
		if (!strcmp(set->t[i].ifname, ifname))
			return i;
	return -1;
}

int ovpnha_tunnel_add(struct net *net, const struct ovpnha_tunnel *t,
		      struct netlink_ext_ack *extack)
{
	struct ovpnha_tun_net *tn = ovpnha_tun_pernet(net);
	struct ovpnha_tun_set *set;
	struct ovpnha_tunnel *nt;
	struct net_device *dev;
	int err;

	mutex_lock(&tn->lock);
	if (ovpnha_set_find(ovpnha_set_get(tn), t->ifname) >= 0) {
		NL_SET_ERR_MSG_FMT(extack, "%s is already a tunnel device",
				   t->ifname);
		err = -EEXIST;
		goto out;
	}
	set = ovpnha_set_copy(tn);
	if (!set) {
		ovpnha_stat_inc(tn->on, OVPNHA_STAT_NOMEM);
		err = -ENOMEM;
		goto out;
	}
	if (set->n >= OVPNHA_MAX_TUNNELS) {
		ovpnha_stat_inc(tn->on, OVPNHA_STAT_LIMIT);
		NL_SET_ERR_MSG_FMT(extack,
				   "limit of %u tunnel devices per namespace reached",
				   OVPNHA_MAX_TUNNELS);
		kfree(set);
		err = -ENOSPC;
		goto out;
	}
	nt = &set->t[set->n++];
	*nt = *t;
	/* Under the mutex: a device registered from now on is seen by the
	 * notifier, one registered before is found here.
	 */
	rcu_read_lock();
	dev = dev_get_by_name_rcu(net, nt->ifname);
	nt->ifindex = dev ? dev->ifindex : 0;
	rcu_read_unlock();

	err = ovpnha_set_publish(net, tn, set);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot register the netfilter hooks");
		kfree(set);
	}
out:
	mutex_unlock(&tn->lock);
	return err;
}

int ovpnha_tunnel_del(struct net *net, const char *ifname,
		      struct netlink_ext_ack *extack)
{
	struct ovpnha_tun_net *tn = ovpnha_tun_pernet(net);
	struct ovpnha_tun_set *set;
	int i, err = 0;

	mutex_lock(&tn->lock);
	i = ovpnha_set_find(ovpnha_set_get(tn), ifname);
	if (i < 0) {
		NL_SET_ERR_MSG_FMT(extack, "%s is not a tunnel device", ifname);
		err = -ENOENT;
		goto out;
	}
	if (ovpnha_set_get(tn)->n == 1) {
		ovpnha_set_publish(net, tn, NULL);	/* cannot fail */
		goto out;
	}
	set = ovpnha_set_copy(tn);
	if (!set) {
		ovpnha_stat_inc(tn->on, OVPNHA_STAT_NOMEM);
		err = -ENOMEM;
		goto out;
	}
	set->t[i] = set->t[--set->n];
	memset(&set->t[set->n], 0, sizeof(set->t[0]));
	ovpnha_set_publish(net, tn, set);	/* hooks stay: cannot fail */
out:
	mutex_unlock(&tn->lock);
	return err;
}

unsigned int ovpnha_tunnel_list(struct net *net, struct ovpnha_tunnel *out)
{
	struct ovpnha_tun_net *tn = ovpnha_tun_pernet(net);
	struct ovpnha_tun_set *set;
	unsigned int n = 0;

	mutex_lock(&tn->lock);
	set = ovpnha_set_get(tn);
	if (set) {
		n = set->n;
		memcpy(out, set->t, n * sizeof(*out));
	}
	mutex_unlock(&tn->lock);
	return n;
}

bool ovpnha_tunnel_port_rcu(struct net *net, u8 proto, __be16 port)
{
	const struct ovpnha_tun_set *set;
	unsigned int i;

	set = rcu_dereference(ovpnha_tun_pernet(net)->set);
	if (!set)
		return false;
	for (i = 0; i < set->n; i++)
		if (set->t[i].port == port && set->t[i].proto == proto)
			return true;
	return false;
}

void ovpnha_hooks_set_enforce(struct net *net, bool enforce)
{
	WRITE_ONCE(ovpnha_tun_pernet(net)->enforce, enforce);
}

bool ovpnha_hooks_enforce(struct net *net)
{
	return READ_ONCE(ovpnha_tun_pernet(net)->enforce);
}

/* --- device names to ifindex --- */

static void ovpnha_netdev_update(struct net_device *dev, unsigned long event)
{
	struct net *net = dev_net(dev);
	struct ovpnha_tun_net *tn = ovpnha_tun_pernet(net);
	struct ovpnha_tun_set *old, *set;
	bool changed = false;
	unsigned int i;

	mutex_lock(&tn->lock);
	old = ovpnha_set_get(tn);
	if (!old)
		goto out;
	set = ovpnha_set_copy(tn);
	if (!set) {
		/* The hooks keep the old ifindex; a re-add repairs it. */
		ovpnha_stat_inc(tn->on, OVPNHA_STAT_NOMEM);
		goto out;
	}
	for (i = 0; i < set->n; i++) {
		struct ovpnha_tunnel *t = &set->t[i];
		int want = t->ifindex;

		if (t->ifindex == dev->ifindex &&
		    (event == NETDEV_UNREGISTER || strcmp(t->ifname, dev->name)))
			want = 0;
		if (event != NETDEV_UNREGISTER && !strcmp(t->ifname, dev->name))
			want = dev->ifindex;
		if (want != t->ifindex) {
			t->ifindex = want;
			changed = true;
		}
	}
	if (changed)
		ovpnha_set_publish(net, tn, set);	/* hooks stay */
	else
		kfree(set);
out:
	mutex_unlock(&tn->lock);
}

static int ovpnha_netdev_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_UNREGISTER:
	case NETDEV_CHANGENAME:
		ovpnha_netdev_update(dev, event);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block ovpnha_netdev_nb = {
	.notifier_call = ovpnha_netdev_event,
};

/* --- per namespace --- */

static int __net_init ovpnha_tun_net_init(struct net *net)
{
	struct ovpnha_tun_net *tn = ovpnha_tun_pernet(net);

	mutex_init(&tn->lock);
	tn->on = ovpnha_pernet(net);
	ratelimit_state_init(&tn->log_rs, OVPNHA_LOG_INTERVAL,
			     OVPNHA_LOG_BURST);
	return 0;
}

void ovpnha_hooks_net_off(struct net *net)
{
	struct ovpnha_tun_net *tn = ovpnha_tun_pernet(net);

	mutex_lock(&tn->lock);
	if (ovpnha_set_get(tn))
		ovpnha_set_publish(net, tn, NULL);
	mutex_unlock(&tn->lock);
}

static void __net_exit ovpnha_tun_net_exit(struct net *net)
{
	ovpnha_hooks_net_off(net);
	mutex_destroy(&ovpnha_tun_pernet(net)->lock);
}

static struct pernet_operations ovpnha_tun_net_ops = {
	.init	= ovpnha_tun_net_init,
	.exit	= ovpnha_tun_net_exit,
	.id	= &ovpnha_tun_net_id,
	.size	= sizeof(struct ovpnha_tun_net),
};

int __init ovpnha_hooks_init(void)
{
	int err;

	err = register_pernet_subsys(&ovpnha_tun_net_ops);
	if (err)
		return err;
	err = register_netdevice_notifier(&ovpnha_netdev_nb);
	if (err)
		unregister_pernet_subsys(&ovpnha_tun_net_ops);
	return err;
}

void ovpnha_hooks_exit(void)
{
	unregister_netdevice_notifier(&ovpnha_netdev_nb);
	unregister_pernet_subsys(&ovpnha_tun_net_ops);
}
