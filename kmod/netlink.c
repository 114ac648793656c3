// SPDX-License-Identifier: GPL-2.0
/*
 * The "ovpnha" generic netlink family.
 *
 * The core validates every request strictly against the policies below
 * before a handler runs; handlers check which attributes their command
 * needs.  Each handler works on the caller's namespace with its table mutex
 * held, so a change, its event sequence number and its multicast event are
 * one step: listeners see events in sequence order.  Dumps emit one object
 * per message, each with the sequence number it is consistent with, and
 * resume by peer id (and, for iroutes, by position in the peer's list).
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
#include "droptrace.h"
#include "flow.h"
#include "hooks.h"
#include "lpm.h"
#include "main.h"
#include "netlink.h"
#include "nl_tunnel.h"
#include "peer.h"
#include "role.h"
#include "stats.h"

static const struct genl_multicast_group ovpnha_nl_mcgrps[] = {
	[OVPNHA_NL_MCGRP_EVENTS] = { .name = OVPNHA_MCGRP_EVENTS },
};

/*
 * Attributes that only appear in replies (updated, iroute count, the
 * vpn-addr flag, the info counters) are accepted and ignored in requests,
 * so that a replica can send back what it received.
 */
static const struct nla_policy ovpnha_peer_policy[OVPNHA_A_PEER_MAX + 1] = {
	[OVPNHA_A_PEER_ID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[OVPNHA_A_PEER_CN]		= { .type = NLA_NUL_STRING,
					    .len = OVPNHA_CN_MAXLEN },
	[OVPNHA_A_PEER_REMOTE_IPV4]	= NLA_POLICY_EXACT_LEN(4),
	[OVPNHA_A_PEER_REMOTE_IPV6]	= NLA_POLICY_EXACT_LEN(16),
	[OVPNHA_A_PEER_REMOTE_PORT]	= { .type = NLA_U16 },	/* big endian */
	[OVPNHA_A_PEER_PROTO]		= { .type = NLA_U8 },
	[OVPNHA_A_PEER_VPN_IPV4]	= NLA_POLICY_EXACT_LEN(4),
	[OVPNHA_A_PEER_VPN_IPV6]	= NLA_POLICY_EXACT_LEN(16),
	[OVPNHA_A_PEER_ORIGIN]		= NLA_POLICY_RANGE(NLA_U32, 1,
							   OVPNHA_NODE_ID_MAX),
	[OVPNHA_A_PEER_CREATED]		= { .type = NLA_U64 },
	[OVPNHA_A_PEER_UPDATED]		= { .type = NLA_U64 },
	[OVPNHA_A_PEER_RX_BYTES]	= { .type = NLA_U64 },
	[OVPNHA_A_PEER_TX_BYTES]	= { .type = NLA_U64 },
	[OVPNHA_A_PEER_IROUTE_COUNT]	= { .type = NLA_U32 },
	[OVPNHA_A_PEER_DROPS]		= { .type = NLA_NESTED },
	[OVPNHA_A_PEER_KDROPS]		= { .type = NLA_NESTED },
	[OVPNHA_A_PEER_SEEN]		= { .type = NLA_U64 },
};

static const struct nla_policy ovpnha_iroute_policy[OVPNHA_A_IROUTE_MAX + 1] = {
	[OVPNHA_A_IROUTE_PEER_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[OVPNHA_A_IROUTE_IPV4]		= NLA_POLICY_EXACT_LEN(4),
	[OVPNHA_A_IROUTE_IPV6]		= NLA_POLICY_EXACT_LEN(16),
	[OVPNHA_A_IROUTE_PREFIXLEN]	= NLA_POLICY_RANGE(NLA_U8, 0, 128),
	[OVPNHA_A_IROUTE_VPN_ADDR]	= { .type = NLA_FLAG },
};

static const struct nla_policy ovpnha_info_policy[OVPNHA_A_INFO_MAX + 1] = {
	[OVPNHA_A_INFO_VERSION]		= { .type = NLA_NUL_STRING },
	[OVPNHA_A_INFO_NODE_ID]		= NLA_POLICY_RANGE(NLA_U32, 1,
							   OVPNHA_NODE_ID_MAX),
	[OVPNHA_A_INFO_PEERS]		= { .type = NLA_U32 },
	[OVPNHA_A_INFO_IROUTES]		= { .type = NLA_U32 },
	[OVPNHA_A_INFO_MAX_PEERS]	= { .type = NLA_U32 },
	[OVPNHA_A_INFO_MAX_IROUTES]	= { .type = NLA_U32 },
	[OVPNHA_A_INFO_SEQ]		= { .type = NLA_U64 },
	[OVPNHA_A_INFO_OBJ_PEERS_ALLOC]	= { .type = NLA_U64 },
	[OVPNHA_A_INFO_OBJ_PEERS_FREE]	= { .type = NLA_U64 },
	[OVPNHA_A_INFO_OBJ_NODES_ALLOC]	= { .type = NLA_U64 },
	[OVPNHA_A_INFO_OBJ_NODES_FREE]	= { .type = NLA_U64 },
	[OVPNHA_A_INFO_OBJ_NETNS_INIT]	= { .type = NLA_U64 },
	[OVPNHA_A_INFO_OBJ_NETNS_EXIT]	= { .type = NLA_U64 },
	[OVPNHA_A_INFO_ENFORCE]		= NLA_POLICY_MAX(NLA_U8, 1),
	[OVPNHA_A_INFO_DNS_GUARD]	= NLA_POLICY_MAX(NLA_U8, 1),
	[OVPNHA_A_INFO_DROP_TRACE]	= NLA_POLICY_MAX(NLA_U8, 1),
	[OVPNHA_A_INFO_DROP_TRACE_AVAIL] = { .type = NLA_U8 },
};

static const struct nla_policy ovpnha_policy[OVPNHA_A_MAX + 1] = {
	[OVPNHA_A_PEER]		= NLA_POLICY_NESTED(ovpnha_peer_policy),
	[OVPNHA_A_IROUTE]	= NLA_POLICY_NESTED(ovpnha_iroute_policy),
	[OVPNHA_A_INFO]		= NLA_POLICY_NESTED(ovpnha_info_policy),
	[OVPNHA_A_STATS]	= { .type = NLA_REJECT,
				    .reject_message = "counters are read-only" },
	[OVPNHA_A_SEQ]		= { .type = NLA_U64 },
	[OVPNHA_A_DNSGUARD]	= NLA_POLICY_NESTED(ovpnha_dnsguard_policy),
	[OVPNHA_A_TUNNEL]	= NLA_POLICY_NESTED(ovpnha_tunnel_policy),
	[OVPNHA_A_ROLE]		= NLA_POLICY_NESTED(ovpnha_role_policy),
	[OVPNHA_A_VIP]		= NLA_POLICY_NESTED(ovpnha_vip_policy),
	[OVPNHA_A_EPOCH]	= { .type = NLA_U32 },
	[OVPNHA_A_FLOW]		= NLA_POLICY_NESTED(ovpnha_flow_policy),
};

/* true (and the extack says which) if attribute @type of @tb is absent */
#define ovpnha_nl_missing(extack, nest, tb, type, name) ({		\
	struct netlink_ext_ack *__ext = (extack);			\
	int __type = (type);						\
	bool __miss = !(tb)[__type];					\
									\
	if (__miss) {							\
		NL_SET_ERR_MSG(__ext, "missing attribute: " name);	\
		NL_SET_ERR_ATTR_MISS(__ext, nest, __type);		\
	}								\
	__miss;								\
})

/* Sequence number as the dump consistency check wants it: never 0 */
static unsigned int ovpnha_nl_dump_gen(const struct ovpnha_net *on)
{
	return (unsigned int)on->seq | 1U << 31;
}

static int ovpnha_nl_parse_nest(struct genl_info *info, int type, int maxtype,
				const struct nla_policy *policy,
				struct nlattr **tb)
{
	struct nlattr *nest = info->attrs[type];

	if (!nest) {
		/* NL_SET_ERR_MSG wants a literal */
		switch (type) {
		case OVPNHA_A_PEER:
			NL_SET_ERR_MSG(info->extack, "missing attribute: peer");
			break;
		case OVPNHA_A_IROUTE:
			NL_SET_ERR_MSG(info->extack,
				       "missing attribute: iroute");
			break;
		default:
			NL_SET_ERR_MSG(info->extack, "missing attribute: info");
			break;
		}
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, type);
		return -EINVAL;
	}
	return nla_parse_nested(tb, maxtype, nest, policy, info->extack);
}

static int ovpnha_nl_put_peer(struct sk_buff *skb,
			      const struct ovpnha_peer *peer)
{
	const struct ovpnha_endpoint *ep = &peer->remote;
	struct nlattr *nest;

	nest = nla_nest_start(skb, OVPNHA_A_PEER);
	if (!nest)
		return -EMSGSIZE;

	if (nla_put_u32(skb, OVPNHA_A_PEER_ID, peer->id) ||
	    nla_put_string(skb, OVPNHA_A_PEER_CN, peer->cn) ||
	    nla_put_u32(skb, OVPNHA_A_PEER_ORIGIN, peer->origin) ||
	    nla_put_u64_64bit(skb, OVPNHA_A_PEER_CREATED, peer->created,
			      OVPNHA_A_PEER_PAD) ||
	    nla_put_u64_64bit(skb, OVPNHA_A_PEER_UPDATED, peer->updated,
			      OVPNHA_A_PEER_PAD) ||
	    nla_put_u64_64bit(skb, OVPNHA_A_PEER_RX_BYTES, peer->rx_bytes,
			      OVPNHA_A_PEER_PAD) ||
	    nla_put_u64_64bit(skb, OVPNHA_A_PEER_TX_BYTES, peer->tx_bytes,
			      OVPNHA_A_PEER_PAD) ||
	    nla_put_u32(skb, OVPNHA_A_PEER_IROUTE_COUNT, peer->n_iroutes))
		goto cancel;

	if (ep->family == AF_INET &&
	    nla_put_in_addr(skb, OVPNHA_A_PEER_REMOTE_IPV4, ep->addr.ip4))
		goto cancel;
	if (ep->family == AF_INET6 &&
	    nla_put_in6_addr(skb, OVPNHA_A_PEER_REMOTE_IPV6, &ep->addr.ip6))
		goto cancel;
	if (ep->family &&
	    (nla_put_be16(skb, OVPNHA_A_PEER_REMOTE_PORT, ep->port) ||
	     nla_put_u8(skb, OVPNHA_A_PEER_PROTO, ep->proto)))
		goto cancel;

	if ((peer->flags & OVPNHA_PEER_VPN4) &&
	    nla_put_in_addr(skb, OVPNHA_A_PEER_VPN_IPV4, peer->vpn4))
		goto cancel;
	if ((peer->flags & OVPNHA_PEER_VPN6) &&
	    nla_put_in6_addr(skb, OVPNHA_A_PEER_VPN_IPV6, &peer->vpn6))
		goto cancel;
	if (peer->seen &&
	    nla_put_u64_64bit(skb, OVPNHA_A_PEER_SEEN, peer->seen,
			      OVPNHA_A_PEER_PAD))
		goto cancel;
	if (ovpnha_peer_drops_put(skb, peer))
		goto cancel;

	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

struct ovpnha_nl_iroute {
	u32 peer_id;
	int family;
	const void *addr;
	u8 cidr;
	bool vpn_addr;
};

static int ovpnha_nl_put_iroute(struct sk_buff *skb,
				const struct ovpnha_nl_iroute *r)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, OVPNHA_A_IROUTE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, OVPNHA_A_IROUTE_PEER_ID, r->peer_id) ||
	    nla_put(skb, r->family == AF_INET ? OVPNHA_A_IROUTE_IPV4 :
		    OVPNHA_A_IROUTE_IPV6, r->family == AF_INET ? 4 : 16,
		    r->addr) ||
	    nla_put_u8(skb, OVPNHA_A_IROUTE_PREFIXLEN, r->cidr) ||
	    (r->vpn_addr && nla_put_flag(skb, OVPNHA_A_IROUTE_VPN_ADDR))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int ovpnha_nl_put_seq(struct sk_buff *skb, u64 seq)
{
	return nla_put_u64_64bit(skb, OVPNHA_A_SEQ, seq, OVPNHA_A_PAD);
}

/* What an event or a reply carries besides the sequence number. */
struct ovpnha_nl_obj {
	const struct ovpnha_peer *peer;
	const struct ovpnha_nl_iroute *iroute;
	const struct ovpnha_net *node;		/* OVPNHA_A_INFO: node id */
	ovpnha_nl_fill_t fill;			/* anything else */
	const void *ctx;
	u32 epoch;				/* replicated write: its epoch */
	bool replicated;
};

static int ovpnha_nl_put_obj(struct sk_buff *skb,
			     const struct ovpnha_nl_obj *obj)
{
	struct nlattr *nest;

	if (obj->iroute && ovpnha_nl_put_iroute(skb, obj->iroute))
		return -EMSGSIZE;
	if (obj->peer && ovpnha_nl_put_peer(skb, obj->peer))
		return -EMSGSIZE;
	if (obj->node) {
		nest = nla_nest_start(skb, OVPNHA_A_INFO);
		if (!nest ||
		    nla_put_u32(skb, OVPNHA_A_INFO_NODE_ID, obj->node->node_id) ||
		    ovpnha_nl_diag_info(skb, obj->node->net))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	if (obj->fill && obj->fill(skb, obj->ctx))
		return -EMSGSIZE;
	if (obj->replicated && nla_put_u32(skb, OVPNHA_A_EPOCH, obj->epoch))
		return -EMSGSIZE;
	return 0;
}

/*
 * Every write sends an event (and often a reply) of a few hundred bytes.
 * They are built in a small buffer first and only rebuilt in a full page
 * when they do not fit: with init_on_alloc (Debian's default) every
 * buffer is zeroed, and zeroing a page per event was the largest single
 * cost of a peer insert (bench_profile.sh).
 */
#define OVPNHA_NL_MSG_SMALL	512

static struct sk_buff *ovpnha_nl_msg(u32 portid, u32 seq, u8 cmd,
				     const struct ovpnha_nl_obj *obj,
				     u64 ev_seq)
{
	size_t size = OVPNHA_NL_MSG_SMALL;
	struct sk_buff *msg;
	void *hdr;

	for (;;) {
		msg = genlmsg_new(size, GFP_KERNEL);
		if (!msg)
			return NULL;
		hdr = genlmsg_put(msg, portid, seq, &ovpnha_nl_family, 0, cmd);
		if (hdr && !ovpnha_nl_put_obj(msg, obj) &&
		    !ovpnha_nl_put_seq(msg, ev_seq))
			break;
		nlmsg_free(msg);
		if (size == NLMSG_GOODSIZE)
			return NULL;
		size = NLMSG_GOODSIZE;
	}
	genlmsg_end(msg, hdr);
	return msg;
}

/*
 * Takes the change's sequence number and multicasts the event; called with
 * the table mutex held right after the change, so events go out in order.
 */
static u64 ovpnha_nl_event(struct ovpnha_net *on, u8 cmd,
			   const struct ovpnha_nl_obj *obj)
{
	struct sk_buff *msg;
	u64 seq;

	lockdep_assert_held(&on->lock);
	seq = ++on->seq;

	if (!genl_has_listeners(&ovpnha_nl_family, on->net,
				OVPNHA_NL_MCGRP_EVENTS))
		return seq;
	msg = ovpnha_nl_msg(0, 0, cmd, obj, seq);
	if (msg)
		genlmsg_multicast_netns(&ovpnha_nl_family, on->net, msg, 0,
					OVPNHA_NL_MCGRP_EVENTS, GFP_KERNEL);
	return seq;
}

u64 ovpnha_nl_notify(struct ovpnha_net *on, u8 cmd, ovpnha_nl_fill_t fill,
		     const void *ctx, bool replicated)
{
	struct ovpnha_nl_obj obj = {
		.fill = fill, .ctx = ctx, .replicated = replicated,
		.epoch = on->ha.epoch,
	};

	return ovpnha_nl_event(on, cmd, &obj);
}

static int ovpnha_nl_reply(struct genl_info *info,
			   const struct ovpnha_nl_obj *obj, u64 seq)
{
	struct sk_buff *msg;

	msg = ovpnha_nl_msg(info->snd_portid, info->snd_seq,
			    info->genlhdr->cmd, obj, seq);
	if (!msg)
		return -ENOMEM;
	return genlmsg_reply(msg, info);
}

static struct ovpnha_peer *ovpnha_nl_find_peer(struct ovpnha_net *on, u32 id,
					       const struct nlattr *attr,
					       struct netlink_ext_ack *extack)
{
	struct ovpnha_peer *peer = ovpnha_peer_find(on, id);

	if (!peer) {
		NL_SET_ERR_MSG_FMT(extack, "no peer with id %u", id);
		NL_SET_BAD_ATTR(extack, attr);
	}
	return peer;
}

/* --- peers --- */

static int ovpnha_nl_peer_cfg(struct genl_info *info, struct nlattr **tb,
			      bool new, struct ovpnha_peer_cfg *cfg)
{
	const struct nlattr *nest = info->attrs[OVPNHA_A_PEER];
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *a;

	memset(cfg, 0, sizeof(*cfg));

	if (tb[OVPNHA_A_PEER_ID])
		cfg->id = nla_get_u32(tb[OVPNHA_A_PEER_ID]);
	else if (!new &&
		 ovpnha_nl_missing(extack, nest, tb, OVPNHA_A_PEER_ID,
				   "peer id"))
		return -EINVAL;

	a = tb[OVPNHA_A_PEER_CN];
	if (a) {
		cfg->cn = nla_data(a);
		if (!cfg->cn[0]) {
			NL_SET_ERR_MSG_ATTR(extack, a, "common name is empty");
			return -EINVAL;
		}
	} else if (new &&
		   ovpnha_nl_missing(extack, nest, tb, OVPNHA_A_PEER_CN,
				     "common name")) {
		return -EINVAL;
	}

	if (tb[OVPNHA_A_PEER_REMOTE_IPV4] && tb[OVPNHA_A_PEER_REMOTE_IPV6]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[OVPNHA_A_PEER_REMOTE_IPV6],
				    "only one of remote ipv4 and remote ipv6");
		return -EINVAL;
	}
	a = tb[OVPNHA_A_PEER_REMOTE_IPV4];
	if (a) {
		cfg->has_remote_addr = true;
		cfg->remote.addr.ip4 = nla_get_in_addr(a);
		if (cfg->remote.addr.ip4)
			cfg->remote.family = AF_INET;
	}
	a = tb[OVPNHA_A_PEER_REMOTE_IPV6];
	if (a) {
		cfg->has_remote_addr = true;
		cfg->remote.addr.ip6 = nla_get_in6_addr(a);
		if (!ipv6_addr_any(&cfg->remote.addr.ip6))
			cfg->remote.family = AF_INET6;
	}
	if (cfg->remote.family == AF_UNSPEC)
		memset(&cfg->remote.addr, 0, sizeof(cfg->remote.addr));
	if (new && cfg->remote.family &&
	    ovpnha_nl_missing(extack, nest, tb, OVPNHA_A_PEER_REMOTE_PORT,
			      "remote port"))
		return -EINVAL;
	a = tb[OVPNHA_A_PEER_REMOTE_PORT];
	if (a) {
		cfg->has_remote_port = true;
		cfg->remote.port = nla_get_be16(a);
		if (!cfg->remote.port && cfg->remote.family) {
			NL_SET_ERR_MSG_ATTR(extack, a, "remote port 0");
			return -EINVAL;
		}
	}
	a = tb[OVPNHA_A_PEER_PROTO];
	if (a) {
		cfg->has_remote_proto = true;
		cfg->remote.proto = nla_get_u8(a);
		if (cfg->remote.proto != IPPROTO_UDP &&
		    cfg->remote.proto != IPPROTO_TCP) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "protocol must be UDP (17) or TCP (6)");
			return -EINVAL;
		}
	}

	a = tb[OVPNHA_A_PEER_VPN_IPV4];
	if (a) {
		cfg->has_vpn4 = true;
		cfg->vpn4 = nla_get_in_addr(a);
	}
	a = tb[OVPNHA_A_PEER_VPN_IPV6];
	if (a) {
		cfg->has_vpn6 = true;
		cfg->vpn6 = nla_get_in6_addr(a);
	}
	a = tb[OVPNHA_A_PEER_ORIGIN];
	if (a) {
		cfg->has_origin = true;
		cfg->origin = nla_get_u32(a);
	}
	a = tb[OVPNHA_A_PEER_CREATED];
	if (a) {
		cfg->has_created = true;
		cfg->created = nla_get_u64(a);
	}
	a = tb[OVPNHA_A_PEER_RX_BYTES];
	if (a) {
		cfg->has_rx_bytes = true;
		cfg->rx_bytes = nla_get_u64(a);
	}
	a = tb[OVPNHA_A_PEER_TX_BYTES];
	if (a) {
		cfg->has_tx_bytes = true;
		cfg->tx_bytes = nla_get_u64(a);
	}
	return 0;
}

static int ovpnha_nl_peer_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct nlattr *tb[OVPNHA_A_PEER_MAX + 1];
	struct ovpnha_peer_cfg cfg;
	struct ovpnha_nl_obj obj = {};
	struct ovpnha_peer *peer;
	struct sk_buff *reply;
	u64 seq;
	int err;

	err = ovpnha_nl_parse_nest(info, OVPNHA_A_PEER, OVPNHA_A_PEER_MAX,
				   ovpnha_peer_policy, tb);
	if (err)
		return err;
	err = ovpnha_nl_peer_cfg(info, tb, true, &cfg);
	if (err)
		return err;

	mutex_lock(&on->lock);
	err = ovpnha_epoch_check(on, info, &obj.replicated);
	if (!err)
		err = ovpnha_peer_new(on, &cfg, &peer, info->extack);
	if (err) {
		mutex_unlock(&on->lock);
		return err;
	}
	if (!obj.replicated)
		peer->seen = ktime_get_real_ns();
	obj.epoch = on->ha.epoch;
	obj.peer = peer;
	seq = ovpnha_nl_event(on, OVPNHA_CMD_PEER_NEW, &obj);
	reply = ovpnha_nl_msg(info->snd_portid, info->snd_seq,
			      OVPNHA_CMD_PEER_NEW, &obj, seq);
	mutex_unlock(&on->lock);

	/* The peer exists either way; only the reply is lost. */
	if (!reply)
		return -ENOMEM;
	return genlmsg_reply(reply, info);
}

static int ovpnha_nl_peer_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct nlattr *tb[OVPNHA_A_PEER_MAX + 1];
	struct ovpnha_peer_cfg cfg;
	struct ovpnha_nl_obj obj = {};
	struct ovpnha_peer *peer;
	int err;

	err = ovpnha_nl_parse_nest(info, OVPNHA_A_PEER, OVPNHA_A_PEER_MAX,
				   ovpnha_peer_policy, tb);
	if (err)
		return err;
	err = ovpnha_nl_peer_cfg(info, tb, false, &cfg);
	if (err)
		return err;

	mutex_lock(&on->lock);
	err = ovpnha_epoch_check(on, info, &obj.replicated);
	if (err)
		goto out;
	peer = ovpnha_nl_find_peer(on, cfg.id, tb[OVPNHA_A_PEER_ID],
				   info->extack);
	if (!peer) {
		err = -ENOENT;
		goto out;
	}
	err = ovpnha_peer_set(on, peer, &cfg, info->extack);
	if (err)
		goto out;
	if (!obj.replicated)
		peer->seen = ktime_get_real_ns();
	obj.epoch = on->ha.epoch;
	obj.peer = peer;
	ovpnha_nl_event(on, OVPNHA_CMD_PEER_SET, &obj);
out:
	mutex_unlock(&on->lock);
	return err;
}

static int ovpnha_nl_peer_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct nlattr *tb[OVPNHA_A_PEER_MAX + 1];
	struct ovpnha_nl_obj obj = {};
	struct ovpnha_peer *peer;
	int err;

	err = ovpnha_nl_parse_nest(info, OVPNHA_A_PEER, OVPNHA_A_PEER_MAX,
				   ovpnha_peer_policy, tb);
	if (err)
		return err;
	if (ovpnha_nl_missing(info->extack, info->attrs[OVPNHA_A_PEER], tb,
			      OVPNHA_A_PEER_ID, "peer id"))
		return -EINVAL;

	mutex_lock(&on->lock);
	err = ovpnha_epoch_check(on, info, &obj.replicated);
	if (err) {
		mutex_unlock(&on->lock);
		return err;
	}
	obj.epoch = on->ha.epoch;
	peer = ovpnha_nl_find_peer(on, nla_get_u32(tb[OVPNHA_A_PEER_ID]),
				   tb[OVPNHA_A_PEER_ID], info->extack);
	if (!peer) {
		mutex_unlock(&on->lock);
		return -ENOENT;
	}
	/* Unlinked, it keeps the tables' reference until the put below. */
	ovpnha_peer_unlink(on, peer);
	obj.peer = peer;
	ovpnha_nl_event(on, OVPNHA_CMD_PEER_DEL, &obj);
	mutex_unlock(&on->lock);

	ovpnha_peer_put(peer);
	return 0;
}

static int ovpnha_nl_peer_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct nlattr *tb[OVPNHA_A_PEER_MAX + 1];
	struct ovpnha_nl_obj obj = {};
	int err;

	err = ovpnha_nl_parse_nest(info, OVPNHA_A_PEER, OVPNHA_A_PEER_MAX,
				   ovpnha_peer_policy, tb);
	if (err)
		return err;
	if (ovpnha_nl_missing(info->extack, info->attrs[OVPNHA_A_PEER], tb,
			      OVPNHA_A_PEER_ID, "peer id"))
		return -EINVAL;

	mutex_lock(&on->lock);
	obj.peer = ovpnha_nl_find_peer(on, nla_get_u32(tb[OVPNHA_A_PEER_ID]),
				       tb[OVPNHA_A_PEER_ID], info->extack);
	err = obj.peer ? ovpnha_nl_reply(info, &obj, on->seq) : -ENOENT;
	mutex_unlock(&on->lock);
	return err;
}

/* One dump message: the object and the sequence it is consistent with. */
static int ovpnha_nl_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			      const struct ovpnha_nl_obj *obj, u64 seq)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &ovpnha_nl_family, NLM_F_MULTI,
			  ((struct genlmsghdr *)nlmsg_data(cb->nlh))->cmd);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (ovpnha_nl_put_obj(skb, obj) || ovpnha_nl_put_seq(skb, seq)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Dump filters come from the request's nest.  The core validated the
 * request already; parsing it again here works the same on every kernel
 * (where the core keeps its parsed copy changed in 6.6).
 */
static int ovpnha_nl_dump_filter(struct netlink_callback *cb, int type,
				 int maxtype, const struct nla_policy *policy,
				 struct nlattr **tb)
{
	struct nlattr *attrs[OVPNHA_A_MAX + 1];
	int err;

	memset(tb, 0, (maxtype + 1) * sizeof(*tb));
	err = nlmsg_parse(cb->nlh, GENL_HDRLEN, attrs, OVPNHA_A_MAX,
			  ovpnha_policy, cb->extack);
	if (err || !attrs[type])
		return err;
	return nla_parse_nested(tb, maxtype, attrs[type], policy, cb->extack);
}

/* cb->args[0]: the next peer id to emit */
static int ovpnha_nl_peer_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ovpnha_net *on = ovpnha_pernet(sock_net(skb->sk));
	struct nlattr *tb[OVPNHA_A_PEER_MAX + 1];
	struct ovpnha_nl_obj obj = {};
	struct ovpnha_peer *peer;
	unsigned long id = cb->args[0];
	const char *cn = NULL;
	int err;

	err = ovpnha_nl_dump_filter(cb, OVPNHA_A_PEER, OVPNHA_A_PEER_MAX,
				    ovpnha_peer_policy, tb);
	if (err)
		return err;
	if (tb[OVPNHA_A_PEER_CN])
		cn = nla_data(tb[OVPNHA_A_PEER_CN]);

	mutex_lock(&on->lock);
	cb->seq = ovpnha_nl_dump_gen(on);
	for (peer = xa_find(&on->peers, &id, ULONG_MAX, XA_PRESENT); peer;
	     peer = xa_find_after(&on->peers, &id, ULONG_MAX, XA_PRESENT)) {
		if (cn && strcmp(cn, peer->cn)) {
			cb->args[0] = id + 1;
			continue;
		}
		obj.peer = peer;
		if (ovpnha_nl_dump_one(skb, cb, &obj, on->seq))
			break;
		cb->args[0] = id + 1;
	}
	mutex_unlock(&on->lock);
	return skb->len;
}

/* --- iroutes --- */

static int ovpnha_nl_prefix(struct genl_info *info, struct nlattr **tb,
			    bool lookup, int *family, u8 *addr, u8 *cidr)
{
	const struct nlattr *nest = info->attrs[OVPNHA_A_IROUTE];
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *a4 = tb[OVPNHA_A_IROUTE_IPV4];
	struct nlattr *a6 = tb[OVPNHA_A_IROUTE_IPV6];
	struct nlattr *plen = tb[OVPNHA_A_IROUTE_PREFIXLEN];
	unsigned int max, i;

	if (a4 && a6) {
		NL_SET_ERR_MSG_ATTR(extack, a6, "only one of ipv4 and ipv6");
		return -EINVAL;
	}
	if (!a4 && !a6) {
		NL_SET_ERR_MSG(extack, "missing attribute: ipv4 or ipv6");
		NL_SET_ERR_ATTR_MISS(extack, nest, OVPNHA_A_IROUTE_IPV4);
		return -EINVAL;
	}
	*family = a4 ? AF_INET : AF_INET6;
	max = a4 ? 32 : 128;
	memset(addr, 0, 16);
	nla_memcpy(addr, a4 ?: a6, max / 8);

	if (lookup) {
		if (plen) {
			NL_SET_ERR_MSG_ATTR(extack, plen,
					    "a lookup takes an address, not a prefix");
			return -EINVAL;
		}
		return 0;
	}
	if (ovpnha_nl_missing(extack, nest, tb, OVPNHA_A_IROUTE_PREFIXLEN,
			      "prefix length"))
		return -EINVAL;
	*cidr = nla_get_u8(plen);
	if (*cidr > max) {
		NL_SET_ERR_MSG_FMT(extack,
				   "IPv%u prefix length %u out of range 0..%u",
				   a4 ? 4 : 6, *cidr, max);
		NL_SET_BAD_ATTR(extack, plen);
		return -EINVAL;
	}
	/* Host bits set: the prefix is meant, silently. */
	for (i = 0; i < max / 8; i++) {
		if (i * 8 >= *cidr)
			addr[i] = 0;
		else if (i * 8 + 8 > *cidr)
			addr[i] &= 0xff << (8 - (*cidr - i * 8));
	}
	return 0;
}

static int ovpnha_nl_iroute_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct nlattr *tb[OVPNHA_A_IROUTE_MAX + 1];
	struct ovpnha_nl_iroute r = {};
	struct ovpnha_nl_obj obj = { .iroute = &r };
	struct ovpnha_peer *peer;
	u8 addr[16];
	int err;

	err = ovpnha_nl_parse_nest(info, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_MAX,
				   ovpnha_iroute_policy, tb);
	if (err)
		return err;
	if (ovpnha_nl_missing(info->extack, info->attrs[OVPNHA_A_IROUTE], tb,
			      OVPNHA_A_IROUTE_PEER_ID, "peer id"))
		return -EINVAL;
	err = ovpnha_nl_prefix(info, tb, false, &r.family, addr, &r.cidr);
	if (err)
		return err;
	r.addr = addr;
	r.peer_id = nla_get_u32(tb[OVPNHA_A_IROUTE_PEER_ID]);

	mutex_lock(&on->lock);
	err = ovpnha_epoch_check(on, info, &obj.replicated);
	if (err)
		goto out;
	obj.epoch = on->ha.epoch;
	peer = ovpnha_nl_find_peer(on, r.peer_id, tb[OVPNHA_A_IROUTE_PEER_ID],
				   info->extack);
	if (!peer) {
		err = -ENOENT;
		goto out;
	}
	err = ovpnha_iroute_add(on, peer, r.family, addr, r.cidr,
				info->extack);
	if (!err)
		ovpnha_nl_event(on, OVPNHA_CMD_IROUTE_NEW, &obj);
out:
	mutex_unlock(&on->lock);
	return err;
}

static int ovpnha_nl_iroute_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct nlattr *tb[OVPNHA_A_IROUTE_MAX + 1];
	struct ovpnha_nl_iroute r = {};
	struct ovpnha_nl_obj obj = { .iroute = &r };
	struct ovpnha_peer *owner;
	u8 addr[16];
	int err;

	err = ovpnha_nl_parse_nest(info, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_MAX,
				   ovpnha_iroute_policy, tb);
	if (err)
		return err;
	err = ovpnha_nl_prefix(info, tb, false, &r.family, addr, &r.cidr);
	if (err)
		return err;
	r.addr = addr;
	if (tb[OVPNHA_A_IROUTE_PEER_ID])
		r.peer_id = nla_get_u32(tb[OVPNHA_A_IROUTE_PEER_ID]);

	mutex_lock(&on->lock);
	err = ovpnha_epoch_check(on, info, &obj.replicated);
	obj.epoch = on->ha.epoch;
	if (!err)
		err = ovpnha_iroute_del(on, r.family, addr, r.cidr, r.peer_id,
					&owner, info->extack);
	if (!err) {
		r.peer_id = owner->id;
		ovpnha_nl_event(on, OVPNHA_CMD_IROUTE_DEL, &obj);
	}
	mutex_unlock(&on->lock);
	return err;
}

static int ovpnha_nl_iroute_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct nlattr *tb[OVPNHA_A_IROUTE_MAX + 1];
	struct ovpnha_nl_iroute r = {};
	struct ovpnha_nl_obj obj = { .iroute = &r };
	struct ovpnha_lpm_match m;
	struct sk_buff *msg;
	u8 addr[16];
	bool found;
	int err;

	err = ovpnha_nl_parse_nest(info, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_MAX,
				   ovpnha_iroute_policy, tb);
	if (err)
		return err;
	err = ovpnha_nl_prefix(info, tb, true, &r.family, addr, NULL);
	if (err)
		return err;

	/* The mutex keeps the peer's fields still while they are copied. */
	mutex_lock(&on->lock);
	ovpnha_stat_inc(on, OVPNHA_STAT_LOOKUP);
	rcu_read_lock();
	found = ovpnha_lpm_lookup(&on->lpm, r.family, addr, &m);
	rcu_read_unlock();
	if (!found) {
		ovpnha_stat_inc(on, OVPNHA_STAT_LOOKUP_MISS);
		mutex_unlock(&on->lock);
		if (r.family == AF_INET)
			NL_SET_ERR_MSG_FMT(info->extack, "no peer covers %pI4",
					   addr);
		else
			NL_SET_ERR_MSG_FMT(info->extack, "no peer covers %pI6c",
					   addr);
		return -ENOENT;
	}
	r.peer_id = m.peer->id;
	r.addr = m.addr;
	r.cidr = m.cidr;
	r.vpn_addr = m.vpn_addr;
	obj.peer = m.peer;
	msg = ovpnha_nl_msg(info->snd_portid, info->snd_seq,
			    OVPNHA_CMD_IROUTE_GET, &obj, on->seq);
	mutex_unlock(&on->lock);
	if (!msg)
		return -ENOMEM;
	return genlmsg_reply(msg, info);
}

struct ovpnha_nl_iroute_walk {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	const struct ovpnha_peer *peer;
	u64 seq;
	unsigned long done;	/* entries of the peer emitted or passed */
	bool full;
};

static int ovpnha_nl_iroute_walk_fn(void *ctx, int family, const u8 *addr,
				    u8 cidr, bool vpn_addr)
{
	struct ovpnha_nl_iroute_walk *w = ctx;
	struct ovpnha_nl_iroute r = {
		.peer_id = w->peer->id, .family = family, .addr = addr,
		.cidr = cidr,
	};
	struct ovpnha_nl_obj obj = { .iroute = &r };

	if (!vpn_addr &&
	    ovpnha_nl_dump_one(w->skb, w->cb, &obj, w->seq)) {
		w->full = true;
		return 1;
	}
	w->done++;
	return 0;
}

/*
 * cb->args[0]: the peer id to resume at; cb->args[1]: how many entries of
 * that peer's list were already dealt with.
 */
static int ovpnha_nl_iroute_dump(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct ovpnha_net *on = ovpnha_pernet(sock_net(skb->sk));
	struct nlattr *tb[OVPNHA_A_IROUTE_MAX + 1];
	struct ovpnha_nl_iroute_walk w = { .skb = skb, .cb = cb };
	unsigned long id = cb->args[0], last;
	struct ovpnha_peer *peer;
	u32 only = 0;
	int err;

	err = ovpnha_nl_dump_filter(cb, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_MAX,
				    ovpnha_iroute_policy, tb);
	if (err)
		return err;
	if (tb[OVPNHA_A_IROUTE_PEER_ID]) {
		only = nla_get_u32(tb[OVPNHA_A_IROUTE_PEER_ID]);
		if (id < only)
			id = only;
	}
	last = only ?: ULONG_MAX;

	mutex_lock(&on->lock);
	cb->seq = ovpnha_nl_dump_gen(on);
	w.seq = on->seq;
	for (peer = xa_find(&on->peers, &id, last, XA_PRESENT); peer;
	     peer = xa_find_after(&on->peers, &id, last, XA_PRESENT)) {
		unsigned long skip = id == cb->args[0] ? cb->args[1] : 0;

		w.peer = peer;
		w.done = 0;
		if (peer->n_iroutes)
			ovpnha_lpm_walk_peer(peer, skip,
					     ovpnha_nl_iroute_walk_fn, &w);
		if (w.full) {
			cb->args[0] = id;
			cb->args[1] = skip + w.done;
			break;
		}
		cb->args[0] = id + 1;
		cb->args[1] = 0;
	}
	mutex_unlock(&on->lock);
	return skb->len;
}

/* --- node --- */

static int ovpnha_nl_info_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ovpnha_nl_family, 0,
				OVPNHA_CMD_INFO_GET);
	if (!hdr)
		goto nospace;
	nest = nla_nest_start(msg, OVPNHA_A_INFO);
	if (!nest)
		goto nospace;

	mutex_lock(&on->lock);
	if (nla_put_string(msg, OVPNHA_A_INFO_VERSION, OVPNHA_VERSION) ||
	    nla_put_u32(msg, OVPNHA_A_INFO_NODE_ID, on->node_id) ||
	    nla_put_u32(msg, OVPNHA_A_INFO_PEERS, on->n_peers) ||
	    nla_put_u32(msg, OVPNHA_A_INFO_IROUTES, on->n_iroutes) ||
	    nla_put_u32(msg, OVPNHA_A_INFO_MAX_PEERS, ovpnha_max_peers) ||
	    nla_put_u32(msg, OVPNHA_A_INFO_MAX_IROUTES, ovpnha_max_iroutes) ||
	    nla_put_u64_64bit(msg, OVPNHA_A_INFO_SEQ, on->seq,
			      OVPNHA_A_INFO_PAD) ||
	    nla_put_u8(msg, OVPNHA_A_INFO_ENFORCE,
		       ovpnha_hooks_enforce(on->net)) ||
	    ovpnha_nl_diag_info(msg, on->net)) {
		mutex_unlock(&on->lock);
		goto nospace;
	}
	mutex_unlock(&on->lock);

	if (nla_put_u64_64bit(msg, OVPNHA_A_INFO_OBJ_PEERS_ALLOC,
			      ovpnha_peers_allocated(), OVPNHA_A_INFO_PAD) ||
	    nla_put_u64_64bit(msg, OVPNHA_A_INFO_OBJ_PEERS_FREE,
			      ovpnha_peers_freed(), OVPNHA_A_INFO_PAD) ||
	    nla_put_u64_64bit(msg, OVPNHA_A_INFO_OBJ_NODES_ALLOC,
			      ovpnha_lpm_nodes_alloc(), OVPNHA_A_INFO_PAD) ||
	    nla_put_u64_64bit(msg, OVPNHA_A_INFO_OBJ_NODES_FREE,
			      ovpnha_lpm_nodes_freed(), OVPNHA_A_INFO_PAD) ||
	    nla_put_u64_64bit(msg, OVPNHA_A_INFO_OBJ_NETNS_INIT,
			      ovpnha_netns_inits(), OVPNHA_A_INFO_PAD) ||
	    nla_put_u64_64bit(msg, OVPNHA_A_INFO_OBJ_NETNS_EXIT,
			      ovpnha_netns_exits(), OVPNHA_A_INFO_PAD))
		goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int ovpnha_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;
	int i;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ovpnha_nl_family, 0,
				OVPNHA_CMD_STATS_GET);
	if (!hdr)
		goto nospace;
	nest = nla_nest_start(msg, OVPNHA_A_STATS);
	if (!nest)
		goto nospace;
	/* Type = counter index + 1; the nest has no pad type, 0 serves. */
	for (i = 0; i <= OVPNHA_STAT_MAX; i++)
		if (nla_put_u64_64bit(msg, i + 1, ovpnha_stat_sum(on, i), 0))
			goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int ovpnha_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct nlattr *tb[OVPNHA_A_INFO_MAX + 1];
	struct ovpnha_nl_obj obj = { .node = on };
	int err;

	err = ovpnha_nl_parse_nest(info, OVPNHA_A_INFO, OVPNHA_A_INFO_MAX,
				   ovpnha_info_policy, tb);
	if (err)
		return err;
	/* Each setting is optional, but one must be given. */
	if (!tb[OVPNHA_A_INFO_ENFORCE] && !tb[OVPNHA_A_INFO_DNS_GUARD] &&
	    !tb[OVPNHA_A_INFO_DROP_TRACE] &&
	    ovpnha_nl_missing(info->extack, info->attrs[OVPNHA_A_INFO], tb,
			      OVPNHA_A_INFO_NODE_ID, "node id"))
		return -EINVAL;

	mutex_lock(&on->lock);
	err = ovpnha_nl_diag_config(on, tb, info->extack);
	if (err) {
		mutex_unlock(&on->lock);
		return err;
	}
	if (tb[OVPNHA_A_INFO_NODE_ID])
		on->node_id = nla_get_u32(tb[OVPNHA_A_INFO_NODE_ID]);
	if (tb[OVPNHA_A_INFO_ENFORCE])
		ovpnha_hooks_set_enforce(on->net,
					 nla_get_u8(tb[OVPNHA_A_INFO_ENFORCE]));
	ovpnha_nl_event(on, OVPNHA_CMD_CONFIG_SET, &obj);
	mutex_unlock(&on->lock);
	return 0;
}

static int ovpnha_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct ovpnha_nl_obj obj = {};

	mutex_lock(&on->lock);
	ovpnha_peer_flush(on);
	ovpnha_nl_event(on, OVPNHA_CMD_FLUSH, &obj);
	mutex_unlock(&on->lock);
	return 0;
}

static const struct genl_ops ovpnha_nl_ops[] = {
	{
		.cmd	= OVPNHA_CMD_PEER_NEW,
		.doit	= ovpnha_nl_peer_new,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_PEER_SET,
		.doit	= ovpnha_nl_peer_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_PEER_DEL,
		.doit	= ovpnha_nl_peer_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_PEER_GET,
		.doit	= ovpnha_nl_peer_get,
		.dumpit	= ovpnha_nl_peer_dump,
	},
	{
		.cmd	= OVPNHA_CMD_IROUTE_NEW,
		.doit	= ovpnha_nl_iroute_new,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_IROUTE_DEL,
		.doit	= ovpnha_nl_iroute_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_IROUTE_GET,
		.doit	= ovpnha_nl_iroute_get,
		.dumpit	= ovpnha_nl_iroute_dump,
	},
	{
		.cmd	= OVPNHA_CMD_INFO_GET,
		.doit	= ovpnha_nl_info_get,
	},
	{
		.cmd	= OVPNHA_CMD_STATS_GET,
		.doit	= ovpnha_nl_stats_get,
	},
	{
		.cmd	= OVPNHA_CMD_CONFIG_SET,
		.doit	= ovpnha_nl_config_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_FLUSH,
		.doit	= ovpnha_nl_flush,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_TUNNEL_NEW,
		.doit	= ovpnha_nl_tunnel_new,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_TUNNEL_DEL,
		.doit	= ovpnha_nl_tunnel_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_TUNNEL_GET,
		.dumpit	= ovpnha_nl_tunnel_dump,
	},
	{
		.cmd	= OVPNHA_CMD_DNSGUARD_NEW,
		.doit	= ovpnha_nl_dnsguard_new,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_DNSGUARD_DEL,
		.doit	= ovpnha_nl_dnsguard_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_DNSGUARD_GET,
		.dumpit	= ovpnha_nl_dnsguard_dump,
	},
	{
		.cmd	= OVPNHA_CMD_ROLE_SET,
		.doit	= ovpnha_nl_role_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_ROLE_GET,
		.doit	= ovpnha_nl_role_get,
	},
	{
		.cmd	= OVPNHA_CMD_VIP_NEW,
		.doit	= ovpnha_nl_vip_new,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_VIP_DEL,
		.doit	= ovpnha_nl_vip_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_VIP_GET,
		.dumpit	= ovpnha_nl_vip_dump,
	},
	{
		.cmd	= OVPNHA_CMD_FLOW_NEW,
		.doit	= ovpnha_nl_flow_new,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_FLOW_DEL,
		.doit	= ovpnha_nl_flow_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= OVPNHA_CMD_FLOW_GET,
		.dumpit	= ovpnha_nl_flow_dump,
	},
};

struct genl_family ovpnha_nl_family __ro_after_init = {
	.name		= OVPNHA_FAMILY_NAME,
	.version	= OVPNHA_FAMILY_VERSION,
	.maxattr	= OVPNHA_A_MAX,
	.policy		= ovpnha_policy,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= ovpnha_nl_ops,
	.n_ops		= ARRAY_SIZE(ovpnha_nl_ops),
	.mcgrps		= ovpnha_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ovpnha_nl_mcgrps),
};

int __init ovpnha_nl_register(void)
{
	return genl_register_family(&ovpnha_nl_family);
}

void ovpnha_nl_unregister(void)
{
	genl_unregister_family(&ovpnha_nl_family);
}
