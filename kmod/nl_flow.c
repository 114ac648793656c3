// SPDX-License-Identifier: GPL-2.0
/*
 * OVPNHA_CMD_FLOW_NEW/DEL/GET: the peers' transport flows (see flow.h).
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
#include "flow.h"
#include "main.h"
#include "netlink.h"
#include "peer.h"
#include "role.h"

const struct nla_policy ovpnha_flow_policy[OVPNHA_A_FLOW_MAX + 1] = {
	[OVPNHA_A_FLOW_PEER_ID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[OVPNHA_A_FLOW_PROTO]		= NLA_POLICY_RANGE(NLA_U8, IPPROTO_UDP,
							   IPPROTO_UDP),
	[OVPNHA_A_FLOW_ORIG_SRC]	= { .type = NLA_BINARY, .len = 16 },
	[OVPNHA_A_FLOW_ORIG_DST]	= { .type = NLA_BINARY, .len = 16 },
	[OVPNHA_A_FLOW_ORIG_SPORT]	= { .type = NLA_U16 },	/* be16, not 0 */
	[OVPNHA_A_FLOW_ORIG_DPORT]	= { .type = NLA_U16 },	/* be16, not 0 */
	[OVPNHA_A_FLOW_REPLY_SRC]	= { .type = NLA_BINARY, .len = 16 },
	[OVPNHA_A_FLOW_REPLY_DST]	= { .type = NLA_BINARY, .len = 16 },
	[OVPNHA_A_FLOW_REPLY_SPORT]	= { .type = NLA_U16 },	/* be16, not 0 */
	[OVPNHA_A_FLOW_REPLY_DPORT]	= { .type = NLA_U16 },	/* be16, not 0 */
	[OVPNHA_A_FLOW_TIMEOUT]		= { .type = NLA_U32 },	/* checked */
	[OVPNHA_A_FLOW_INSTALLED]	= { .type = NLA_U8 },
	[OVPNHA_A_FLOW_ZONE]		= { .type = NLA_U16 },
};

int ovpnha_nl_put_flow(struct sk_buff *skb, u32 peer_id,
		       const struct ovpnha_flow *f)
{
	int alen = f->family == AF_INET ? 4 : 16;
	struct nlattr *nest;
	s32 left;

	/* The remaining lifetime now, not when the flow was reported. */
	left = (s32)(f->stamp + f->timeout * HZ - jiffies) / HZ;
	nest = nla_nest_start(skb, OVPNHA_A_FLOW);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, OVPNHA_A_FLOW_PEER_ID, peer_id) ||
	    nla_put_u8(skb, OVPNHA_A_FLOW_PROTO, f->proto) ||
	    nla_put(skb, OVPNHA_A_FLOW_ORIG_SRC, alen, &f->orig_src) ||
	    nla_put(skb, OVPNHA_A_FLOW_ORIG_DST, alen, &f->orig_dst) ||
	    nla_put_be16(skb, OVPNHA_A_FLOW_ORIG_SPORT, f->orig_sport) ||
	    nla_put_be16(skb, OVPNHA_A_FLOW_ORIG_DPORT, f->orig_dport) ||
	    nla_put(skb, OVPNHA_A_FLOW_REPLY_SRC, alen, &f->reply_src) ||
	    nla_put(skb, OVPNHA_A_FLOW_REPLY_DST, alen, &f->reply_dst) ||
	    nla_put_be16(skb, OVPNHA_A_FLOW_REPLY_SPORT, f->reply_sport) ||
	    nla_put_be16(skb, OVPNHA_A_FLOW_REPLY_DPORT, f->reply_dport) ||
	    nla_put_u32(skb, OVPNHA_A_FLOW_TIMEOUT, max(left, 1)) ||
	    nla_put_u8(skb, OVPNHA_A_FLOW_INSTALLED, f->installed) ||
	    (f->zone && nla_put_u16(skb, OVPNHA_A_FLOW_ZONE, f->zone))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

struct ovpnha_nl_flow_ctx {
	u32 peer_id;
	const struct ovpnha_flow *flow;		/* NULL: a delete */
};

static int ovpnha_nl_fill_flow(struct sk_buff *skb, const void *arg)
{
	const struct ovpnha_nl_flow_ctx *c = arg;
	struct nlattr *nest;

	if (c->flow)
		return ovpnha_nl_put_flow(skb, c->peer_id, c->flow);
	nest = nla_nest_start(skb, OVPNHA_A_FLOW);
	if (!nest || nla_put_u32(skb, OVPNHA_A_FLOW_PEER_ID, c->peer_id))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

void ovpnha_nl_flow_event(struct ovpnha_net *on, u8 cmd,
			  const struct ovpnha_peer *peer, bool replicated)
{
	struct ovpnha_nl_flow_ctx c = { .peer_id = peer->id };

	lockdep_assert_held(&on->lock);
	if (cmd == OVPNHA_CMD_FLOW_NEW)
		c.flow = rcu_dereference_protected(peer->flow,
						   lockdep_is_held(&on->lock));
	ovpnha_nl_notify(on, cmd, ovpnha_nl_fill_flow, &c, replicated);
}

static int ovpnha_nl_flow_addr(struct netlink_ext_ack *extack,
			       struct nlattr *a, int *alen,
			       union nf_inet_addr *out)
{
	int len = nla_len(a);

	if (len != 4 && len != 16) {
		NL_SET_ERR_MSG_ATTR(extack, a, "address must be 4 or 16 bytes");
		return -EINVAL;
	}
	if (*alen && len != *alen) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "addresses of one flow must be of one family");
		return -EINVAL;
	}
	*alen = len;
	memcpy(out, nla_data(a), len);
	return 0;
}

static int ovpnha_nl_flow_parse(struct genl_info *info, struct nlattr **tb,
				struct ovpnha_flow *f)
{
	static const int need[] = {
		OVPNHA_A_FLOW_PEER_ID, OVPNHA_A_FLOW_ORIG_SRC,
		OVPNHA_A_FLOW_ORIG_DST, OVPNHA_A_FLOW_ORIG_SPORT,
		OVPNHA_A_FLOW_ORIG_DPORT, OVPNHA_A_FLOW_TIMEOUT,
	};
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[OVPNHA_A_FLOW];
	int alen = 0, err, i;

	for (i = 0; i < ARRAY_SIZE(need); i++) {
		if (!tb[need[i]]) {
			NL_SET_ERR_MSG(extack,
				       "a flow needs peer id, original addresses and ports, and a timeout");
			NL_SET_ERR_ATTR_MISS(extack, nest, need[i]);
			return -EINVAL;
		}
	}
	f->proto = IPPROTO_UDP;
	err = ovpnha_nl_flow_addr(extack, tb[OVPNHA_A_FLOW_ORIG_SRC], &alen,
				  &f->orig_src);
	if (!err)
		err = ovpnha_nl_flow_addr(extack, tb[OVPNHA_A_FLOW_ORIG_DST],
					  &alen, &f->orig_dst);
	if (err)
		return err;
	f->family = alen == 4 ? AF_INET : AF_INET6;
	for (i = OVPNHA_A_FLOW_ORIG_SPORT; i <= OVPNHA_A_FLOW_REPLY_DPORT; i++) {
		if (i == OVPNHA_A_FLOW_REPLY_SRC || i == OVPNHA_A_FLOW_REPLY_DST ||
		    !tb[i] || nla_get_be16(tb[i]))
			continue;
		NL_SET_ERR_MSG_ATTR(extack, tb[i], "port 0 is not a flow's port");
		return -EINVAL;
	}
	f->orig_sport = nla_get_be16(tb[OVPNHA_A_FLOW_ORIG_SPORT]);
	f->orig_dport = nla_get_be16(tb[OVPNHA_A_FLOW_ORIG_DPORT]);
	/* Without NAT the reply is the original turned around. */
	f->reply_src = f->orig_dst;
	f->reply_dst = f->orig_src;
	f->reply_sport = f->orig_dport;
	f->reply_dport = f->orig_sport;
	if (tb[OVPNHA_A_FLOW_REPLY_SRC])
		err = ovpnha_nl_flow_addr(extack, tb[OVPNHA_A_FLOW_REPLY_SRC],
					  &alen, &f->reply_src);
	if (!err && tb[OVPNHA_A_FLOW_REPLY_DST])
		err = ovpnha_nl_flow_addr(extack, tb[OVPNHA_A_FLOW_REPLY_DST],
					  &alen, &f->reply_dst);
	if (err)
		return err;
	if (tb[OVPNHA_A_FLOW_REPLY_SPORT])
		f->reply_sport = nla_get_be16(tb[OVPNHA_A_FLOW_REPLY_SPORT]);
	if (tb[OVPNHA_A_FLOW_REPLY_DPORT])
		f->reply_dport = nla_get_be16(tb[OVPNHA_A_FLOW_REPLY_DPORT]);
	if (tb[OVPNHA_A_FLOW_ZONE])
		f->zone = nla_get_u16(tb[OVPNHA_A_FLOW_ZONE]);
	f->timeout = nla_get_u32(tb[OVPNHA_A_FLOW_TIMEOUT]);
	if (!f->timeout || f->timeout > OVPNHA_FLOW_TIMEOUT_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[OVPNHA_A_FLOW_TIMEOUT],
				    "flow timeout must be 1..86400 s");
		return -ERANGE;
	}
	f->stamp = jiffies;
	return 0;
}

int ovpnha_nl_flow_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct nlattr *tb[OVPNHA_A_FLOW_MAX + 1];
	const struct ovpnha_flow *old;
	struct ovpnha_peer *peer;
	struct ovpnha_flow *f;
	bool replicated;
	int err;

	if (!info->attrs[OVPNHA_A_FLOW]) {
		NL_SET_ERR_MSG(info->extack, "missing attribute: flow");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, OVPNHA_A_FLOW);
		return -EINVAL;
	}
	err = nla_parse_nested(tb, OVPNHA_A_FLOW_MAX, info->attrs[OVPNHA_A_FLOW],
			       ovpnha_flow_policy, info->extack);
	if (err)
		return err;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	err = ovpnha_nl_flow_parse(info, tb, f);
	if (err)
		goto free;

	mutex_lock(&on->lock);
	err = ovpnha_epoch_check(on, info, &replicated);
	if (err)
		goto unlock;
	peer = ovpnha_peer_find(on, nla_get_u32(tb[OVPNHA_A_FLOW_PEER_ID]));
	if (!peer) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[OVPNHA_A_FLOW_PEER_ID],
				    "no such peer");
		err = -ENOENT;
		goto unlock;
	}
	old = rcu_dereference_protected(peer->flow, lockdep_is_held(&on->lock));
	err = ovpnha_flow_install(on, f, old && old->installed &&
				  ovpnha_flow_same(old, f), info->extack);
	if (err)
		goto unlock;
	ovpnha_flow_set(on, peer, f);
	ovpnha_nl_flow_event(on, OVPNHA_CMD_FLOW_NEW, peer, replicated);
	mutex_unlock(&on->lock);
	return 0;

unlock:
	mutex_unlock(&on->lock);
free:
	kfree(f);
	return err;
}

int ovpnha_nl_flow_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct nlattr *tb[OVPNHA_A_FLOW_MAX + 1];
	struct ovpnha_peer *peer;
	bool replicated;
	int err;

	if (!info->attrs[OVPNHA_A_FLOW]) {
		NL_SET_ERR_MSG(info->extack, "missing attribute: flow");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, OVPNHA_A_FLOW);
		return -EINVAL;
	}
	err = nla_parse_nested(tb, OVPNHA_A_FLOW_MAX, info->attrs[OVPNHA_A_FLOW],
			       ovpnha_flow_policy, info->extack);
	if (err)
		return err;
	if (!tb[OVPNHA_A_FLOW_PEER_ID]) {
		NL_SET_ERR_MSG(info->extack, "missing attribute: peer id");
		NL_SET_ERR_ATTR_MISS(info->extack, info->attrs[OVPNHA_A_FLOW],
				     OVPNHA_A_FLOW_PEER_ID);
		return -EINVAL;
	}
	mutex_lock(&on->lock);
	err = ovpnha_epoch_check(on, info, &replicated);
	if (err)
		goto out;
	peer = ovpnha_peer_find(on, nla_get_u32(tb[OVPNHA_A_FLOW_PEER_ID]));
	if (!peer || !rcu_access_pointer(peer->flow)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[OVPNHA_A_FLOW_PEER_ID],
				    "this peer has no flow");
		err = -ENOENT;
		goto out;
	}
	ovpnha_flow_set(on, peer, NULL);
	ovpnha_nl_flow_event(on, OVPNHA_CMD_FLOW_DEL, peer, replicated);
out:
	mutex_unlock(&on->lock);
	return err;
}

/* cb->args[0]: the next peer id to look at */
int ovpnha_nl_flow_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ovpnha_net *on = ovpnha_pernet(sock_net(skb->sk));
	const struct ovpnha_flow *f;
	struct ovpnha_peer *peer;
	unsigned long id = cb->args[0];
	void *hdr;

	mutex_lock(&on->lock);
	xa_for_each_start(&on->peers, id, peer, cb->args[0]) {
		f = rcu_dereference_protected(peer->flow,
					      lockdep_is_held(&on->lock));
		if (!f)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &ovpnha_nl_family,
				  NLM_F_MULTI, OVPNHA_CMD_FLOW_GET);
		if (!hdr)
			goto full;
		if (ovpnha_nl_put_flow(skb, peer->id, f) ||
		    nla_put_u64_64bit(skb, OVPNHA_A_SEQ, on->seq,
				      OVPNHA_A_PAD)) {
			genlmsg_cancel(skb, hdr);
			goto full;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = ULONG_MAX;
	mutex_unlock(&on->lock);
	return skb->len;
full:
	cb->args[0] = id;
	mutex_unlock(&on->lock);
	return skb->len;
}
