// SPDX-License-Identifier: GPL-2.0
/*
 * UDP transport flows: learning on the master, conntrack entries on the
 * backups (see flow.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_acct.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_ecache.h>
#include <net/netfilter/nf_conntrack_timestamp.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/netlink.h>

#include "compat.h"
#include "droptrace.h"
#include "flow.h"
#include "hooks.h"
#include "main.h"
#include "netlink.h"
#include "peer.h"
#include "role.h"
#include "stats.h"

/* peer->flow_state: a learned flow of the peer is queued */
#define OVPNHA_FLOW_QUEUED	0

static void ovpnha_flow_tuple(const struct ovpnha_flow *f, bool reply,
			      struct nf_conntrack_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->src.l3num = f->family;
	t->dst.protonum = f->proto;
	t->dst.dir = reply ? IP_CT_DIR_REPLY : IP_CT_DIR_ORIGINAL;
	t->src.u3 = reply ? f->reply_src : f->orig_src;
	t->dst.u3 = reply ? f->reply_dst : f->orig_dst;
	t->src.u.udp.port = reply ? f->reply_sport : f->orig_sport;
	t->dst.u.udp.port = reply ? f->reply_dport : f->orig_dport;
}

static void ovpnha_flow_from_ct(struct ovpnha_flow *f, const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	const struct nf_conntrack_tuple *r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	s32 left;

	f->family = o->src.l3num;
	f->proto = o->dst.protonum;
	f->zone = nf_ct_zone_id(nf_ct_zone(ct), IP_CT_DIR_ORIGINAL);
	f->orig_src = o->src.u3;
	f->orig_dst = o->dst.u3;
	f->orig_sport = o->src.u.udp.port;
	f->orig_dport = o->dst.u.udp.port;
	f->reply_src = r->src.u3;
	f->reply_dst = r->dst.u3;
	f->reply_sport = r->src.u.udp.port;
	f->reply_dport = r->dst.u.udp.port;
	/* Before confirmation the timeout is relative. */
	left = nf_ct_is_confirmed(ct) ? nf_ct_expires(ct) : READ_ONCE(ct->timeout);
	f->timeout = clamp_t(s32, left / HZ, 1, OVPNHA_FLOW_TIMEOUT_MAX);
	f->stamp = jiffies;
}

bool ovpnha_flow_same(const struct ovpnha_flow *a, const struct ovpnha_flow *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       a->zone == b->zone &&
	       a->orig_sport == b->orig_sport && a->orig_dport == b->orig_dport &&
	       a->reply_sport == b->reply_sport &&
	       a->reply_dport == b->reply_dport &&
	       !memcmp(&a->orig_src, &b->orig_src, sizeof(a->orig_src)) &&
	       !memcmp(&a->orig_dst, &b->orig_dst, sizeof(a->orig_dst)) &&
	       !memcmp(&a->reply_src, &b->reply_src, sizeof(a->reply_src)) &&
	       !memcmp(&a->reply_dst, &b->reply_dst, sizeof(a->reply_dst));
}

/* --- learning (master) --- */

static void ovpnha_flow_learn(struct ovpnha_net *on, struct sk_buff *skb,
			      const struct ovpnha_endpoint *ep)
{
	enum ip_conntrack_info ctinfo;
	struct ovpnha_peer *peer;
	struct ovpnha_flow *f;
	const struct ovpnha_flow *cur;
	struct nf_conn *ct;
	u8 role;

	peer = ovpnha_peer_find_endpoint_rcu(on, ep);
	if (!peer)
		return;
	role = READ_ONCE(on->ha.role);
	if (role == OVPNHA_ROLE_BACKUP || role == OVPNHA_ROLE_FAULT) {
		/* Noticed, not dropped: the VIP should not be here. */
		ovpnha_count_drop(on, peer, OVPNHA_STAT_DROP_WRONG_ROLE, skb);
		return;
	}
	if (role != OVPNHA_ROLE_MASTER)
		return;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL)
		return;
	cur = rcu_dereference(peer->flow);
	if (cur && time_before(jiffies, cur->stamp + OVPNHA_FLOW_REFRESH) &&
	    cur->orig_dport == ct->tuplehash[0].tuple.dst.u.udp.port &&
	    cur->orig_sport == ct->tuplehash[0].tuple.src.u.udp.port)
		return;
	if (test_and_set_bit(OVPNHA_FLOW_QUEUED, &peer->flow_state))
		return;
	f = kzalloc(sizeof(*f), GFP_ATOMIC);
	if (!f || !ovpnha_peer_get_unless_zero(peer)) {
		kfree(f);
		clear_bit(OVPNHA_FLOW_QUEUED, &peer->flow_state);
		return;
	}
	ovpnha_flow_from_ct(f, ct);
	f->peer = peer;
	llist_add(&f->pending, &on->flow_queue);
	schedule_work(&on->flow_work);
}

static unsigned int ovpnha_flow_hook4(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct ovpnha_endpoint ep;
	const struct iphdr *iph = ip_hdr(skb);
	struct udphdr _uh;
	const struct udphdr *uh;

	if (iph->protocol != IPPROTO_UDP || ip_is_fragment(iph))
		return NF_ACCEPT;
	uh = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_uh), &_uh);
	if (!uh || !ovpnha_tunnel_port_rcu(state->net, IPPROTO_UDP, uh->dest))
		return NF_ACCEPT;
	memset(&ep, 0, sizeof(ep));
	ep.family = AF_INET;
	ep.proto = IPPROTO_UDP;
	ep.addr.ip4 = iph->saddr;
	ep.port = uh->source;
	ovpnha_flow_learn(ovpnha_pernet(state->net), skb, &ep);
	return NF_ACCEPT;
}

static unsigned int ovpnha_flow_hook6(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct ovpnha_endpoint ep;
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct udphdr _uh;
	const struct udphdr *uh;

	/* Extension headers in front of a tunnel's UDP: not learned. */
	if (ip6h->nexthdr != IPPROTO_UDP)
		return NF_ACCEPT;
	uh = skb_header_pointer(skb, skb_network_offset(skb) + sizeof(*ip6h),
				sizeof(_uh), &_uh);
	if (!uh || !ovpnha_tunnel_port_rcu(state->net, IPPROTO_UDP, uh->dest))
		return NF_ACCEPT;
	memset(&ep, 0, sizeof(ep));
	ep.family = AF_INET6;
	ep.proto = IPPROTO_UDP;
	ep.addr.ip6 = ip6h->saddr;
	ep.port = uh->source;
	ovpnha_flow_learn(ovpnha_pernet(state->net), skb, &ep);
	return NF_ACCEPT;
}

/* After conntrack has attached the entry, before filtering could drop. */
#define OVPNHA_FLOW_HOOK_PRI	(NF_IP_PRI_CONNTRACK + 1)

static const struct nf_hook_ops ovpnha_flow_ops[] = {
	{
		.hook		= ovpnha_flow_hook4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= OVPNHA_FLOW_HOOK_PRI,
	}, {
		.hook		= ovpnha_flow_hook6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= OVPNHA_FLOW_HOOK_PRI,
	},
};

static void ovpnha_flow_work(struct work_struct *work)
{
	struct ovpnha_net *on = container_of(work, struct ovpnha_net,
					     flow_work);
	struct llist_node *list = llist_del_all(&on->flow_queue);
	struct ovpnha_flow *f, *tmp;
	struct ovpnha_peer *peer;

	list = llist_reverse_order(list);
	mutex_lock(&on->lock);
	llist_for_each_entry_safe(f, tmp, list, pending) {
		peer = f->peer;
		f->peer = NULL;
		clear_bit(OVPNHA_FLOW_QUEUED, &peer->flow_state);
		if (xa_load(&on->peers, peer->id) == peer) {
			ovpnha_flow_set(on, peer, f);
			ovpnha_stat_inc(on, OVPNHA_STAT_FLOW_LEARNED);
			ovpnha_nl_flow_event(on, OVPNHA_CMD_FLOW_NEW, peer, false);
		} else {
			kfree(f);
		}
		ovpnha_peer_put(peer);
	}
	mutex_unlock(&on->lock);
}

/* --- conntrack entries (backup) --- */

static void ovpnha_flow_uninstall(struct ovpnha_net *on,
				  const struct ovpnha_flow *f)
{
	struct nf_conntrack_zone zone;
	struct nf_conntrack_tuple t;
	struct nf_conntrack_tuple_hash *h;
	struct nf_conn *ct;

	ovpnha_flow_tuple(f, false, &t);
	nf_ct_zone_init(&zone, f->zone, NF_CT_DEFAULT_ZONE_DIR, 0);
	h = nf_conntrack_find_get(on->net, &zone, &t);
	if (!h)
		return;
	ct = nf_ct_tuplehash_to_ctrack(h);
	nf_ct_delete(ct, 0, 0);
	nf_ct_put(ct);
	ovpnha_stat_inc(on, OVPNHA_STAT_FLOW_REMOVED);
}

/*
 * The entry exists: this node's own from an earlier report (@ours), or one
 * a live packet created first.  Keep it and extend its life.
 */
static int ovpnha_flow_refresh(struct ovpnha_net *on, struct ovpnha_flow *f,
			       const struct nf_conntrack_zone *zone,
			       const struct nf_conntrack_tuple *t, bool ours)
{
	struct nf_conntrack_tuple_hash *h;
	struct nf_conn *ct;
	u32 want = nfct_time_stamp + f->timeout * HZ;

	h = nf_conntrack_find_get(on->net, zone, t);
	if (!h)
		return -EAGAIN;
	ct = nf_ct_tuplehash_to_ctrack(h);
	if (nf_ct_is_confirmed(ct) && (s32)(want - READ_ONCE(ct->timeout)) > 0)
		WRITE_ONCE(ct->timeout, want);
	set_bit(IPS_ASSURED_BIT, &ct->status);
	nf_ct_put(ct);
	if (!ours)
		ovpnha_stat_inc(on, OVPNHA_STAT_FLOW_EXISTED);
	f->installed = ours;	/* else the entry is conntrack's own */
	return 0;
}

int ovpnha_flow_install(struct ovpnha_net *on, struct ovpnha_flow *f,
			bool ours, struct netlink_ext_ack *extack)
{
	struct nf_conntrack_tuple orig, reply, inv;
	struct nf_conntrack_zone zone;
	struct nf_conn *ct;
	int err, tries;

	ovpnha_flow_tuple(f, false, &orig);
	ovpnha_flow_tuple(f, true, &reply);
	nf_ct_zone_init(&zone, f->zone, NF_CT_DEFAULT_ZONE_DIR, 0);
	/* A repeat of the flow this node installed: only its lifetime. */
	if (ours && !ovpnha_flow_refresh(on, f, &zone, &orig, true))
		return 0;

	for (tries = 0; tries < 2; tries++) {
		ct = nf_conntrack_alloc(on->net, &zone, &orig, &reply,
					GFP_KERNEL);
		if (IS_ERR(ct)) {
			err = PTR_ERR(ct);
			break;
		}
		nf_ct_acct_ext_add(ct, GFP_KERNEL);
		nf_ct_tstamp_ext_add(ct, GFP_KERNEL);
		nf_ct_ecache_ext_add(ct, 0, 0, GFP_KERNEL);
		ct->status |= IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED;
		/* NAT on this node: the reply is not the inverted original. */
		inv = orig;
		inv.src.u3 = orig.dst.u3;
		inv.dst.u3 = orig.src.u3;
		inv.src.u.all = orig.dst.u.all;
		inv.dst.u.all = orig.src.u.all;
		inv.dst.dir = IP_CT_DIR_REPLY;
		if (!nf_inet_addr_cmp(&inv.src.u3, &reply.src.u3) ||
		    inv.src.u.all != reply.src.u.all)
			ct->status |= IPS_DST_NAT;
		if (!nf_inet_addr_cmp(&inv.dst.u3, &reply.dst.u3) ||
		    inv.dst.u.all != reply.dst.u.all)
			ct->status |= IPS_SRC_NAT;
		/*
		 * No *_NAT_DONE bits: nothing was set up in nf_nat (its
		 * bysource hash), and with a reply seen no packet of this
		 * entry is NEW, so nf_nat never tries to.
		 */
		WRITE_ONCE(ct->timeout, nfct_time_stamp + f->timeout * HZ);

		err = nf_conntrack_hash_check_insert(ct);
		if (!err) {
			nf_ct_put(ct);
			f->installed = 1;
			ovpnha_stat_inc(on, OVPNHA_STAT_FLOW_INSTALLED);
			return 0;
		}
		nf_conntrack_free(ct);
		if (err != -EEXIST)
			break;
		err = ovpnha_flow_refresh(on, f, &zone, &orig, false);
		if (err != -EAGAIN)
			return err;
		/* Gone between the two lookups, or a reply-tuple clash. */
		err = -EEXIST;
	}
	ovpnha_count_drop(on, NULL, OVPNHA_STAT_CT_INSERT_FAILED, NULL);
	if (err == -EEXIST)
		NL_SET_ERR_MSG(extack,
			       "another conntrack entry holds this flow's reply tuple");
	else if (err == -ENOMEM && nf_conntrack_max &&
		 nf_conntrack_count(on->net) >= nf_conntrack_max)
		NL_SET_ERR_MSG_FMT(extack,
				   "conntrack table full: %u entries (net.netfilter.nf_conntrack_max)",
				   nf_conntrack_max);
	else
		NL_SET_ERR_MSG_FMT(extack,
				   "conntrack refused the flow (error %d)", err);
	return err;
}

void ovpnha_flow_set(struct ovpnha_net *on, struct ovpnha_peer *peer,
		     struct ovpnha_flow *f)
{
	struct ovpnha_flow *old;

	lockdep_assert_held(&on->lock);
	old = rcu_dereference_protected(peer->flow,
					lockdep_is_held(&on->lock));
	if (old && old->installed && f && ovpnha_flow_same(old, f))
		f->installed = 1;	/* still this node's entry */
	rcu_assign_pointer(peer->flow, f);
	if (!old)
		return;
	if (old->installed && !(f && f->installed))
		ovpnha_flow_uninstall(on, old);
	kfree_rcu(old, rcu);
}

void ovpnha_flow_peer_gone(struct ovpnha_net *on, struct ovpnha_peer *peer)
{
	ovpnha_flow_set(on, peer, NULL);
}

int ovpnha_flow_hooks_on(struct ovpnha_net *on)
{
	int err;

	lockdep_assert_held(&on->lock);
	if (on->flow_hooks)
		return 0;
	/* Conntrack must run in the namespace for there to be flows. */
	err = nf_ct_netns_get(on->net, NFPROTO_INET);
	if (err)
		return err;
	err = nf_register_net_hooks(on->net, ovpnha_flow_ops,
				    ARRAY_SIZE(ovpnha_flow_ops));
	if (err) {
		nf_ct_netns_put(on->net, NFPROTO_INET);
		return err;
	}
	on->flow_hooks = true;
	return 0;
}

void ovpnha_flow_net_init(struct ovpnha_net *on)
{
	init_llist_head(&on->flow_queue);
	INIT_WORK(&on->flow_work, ovpnha_flow_work);
}

void ovpnha_flow_hooks_off(struct ovpnha_net *on)
{
	lockdep_assert_held(&on->lock);
	if (!on->flow_hooks)
		return;
	nf_unregister_net_hooks(on->net, ovpnha_flow_ops,
				ARRAY_SIZE(ovpnha_flow_ops));
	nf_ct_netns_put(on->net, NFPROTO_INET);
	on->flow_hooks = false;
}

void ovpnha_flow_net_exit(struct ovpnha_net *on)
{
	struct ovpnha_flow *f, *tmp;
	struct llist_node *list;

	mutex_lock(&on->lock);
	ovpnha_flow_hooks_off(on);
	mutex_unlock(&on->lock);
	cancel_work_sync(&on->flow_work);
	list = llist_del_all(&on->flow_queue);
	llist_for_each_entry_safe(f, tmp, list, pending) {
		ovpnha_peer_put(f->peer);
		kfree(f);
	}
}
