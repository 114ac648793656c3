// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink commands of the DNS guard: OVPNHA_CMD_DNSGUARD_NEW/DEL (admin,
 * multicast as events) and the OVPNHA_CMD_DNSGUARD_GET dump; and the
 * guard / drop-trace switches of OVPNHA_CMD_CONFIG_SET and INFO_GET.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
#include "dnsguard.h"
#include "droptrace.h"
#include "main.h"
#include "netlink.h"

const struct nla_policy ovpnha_dnsguard_policy[OVPNHA_A_DNSGUARD_MAX + 1] = {
	[OVPNHA_A_DNSGUARD_IPV4]	= NLA_POLICY_EXACT_LEN(4),
	[OVPNHA_A_DNSGUARD_IPV6]	= NLA_POLICY_EXACT_LEN(16),
	[OVPNHA_A_DNSGUARD_PREFIXLEN]	= NLA_POLICY_MAX(NLA_U8, 128),
	[OVPNHA_A_DNSGUARD_HITS]	= { .type = NLA_U64 },
};

static int ovpnha_nl_dg_put(struct sk_buff *skb,
			    const struct ovpnha_dnsguard_prefix *p)
{
	struct nlattr *nest = nla_nest_start(skb, OVPNHA_A_DNSGUARD);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, p->family == AF_INET ? OVPNHA_A_DNSGUARD_IPV4 :
		    OVPNHA_A_DNSGUARD_IPV6, p->family == AF_INET ? 4 : 16,
		    p->addr) ||
	    nla_put_u8(skb, OVPNHA_A_DNSGUARD_PREFIXLEN, p->plen) ||
	    nla_put_u64_64bit(skb, OVPNHA_A_DNSGUARD_HITS, p->hits,
			      OVPNHA_A_DNSGUARD_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int ovpnha_nl_dg_parse(struct genl_info *info,
			      struct ovpnha_dnsguard_prefix *p)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[OVPNHA_A_DNSGUARD_MAX + 1];
	struct nlattr *nest = info->attrs[OVPNHA_A_DNSGUARD];
	unsigned int max, i;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(extack, "missing attribute: dnsguard");
		NL_SET_ERR_ATTR_MISS(extack, NULL, OVPNHA_A_DNSGUARD);
		return -EINVAL;
	}
	err = nla_parse_nested(tb, OVPNHA_A_DNSGUARD_MAX, nest,
			       ovpnha_dnsguard_policy, extack);
	if (err)
		return err;
	if (tb[OVPNHA_A_DNSGUARD_IPV4] && tb[OVPNHA_A_DNSGUARD_IPV6]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[OVPNHA_A_DNSGUARD_IPV6],
				    "only one of ipv4 and ipv6");
		return -EINVAL;
	}
	if (!tb[OVPNHA_A_DNSGUARD_IPV4] && !tb[OVPNHA_A_DNSGUARD_IPV6]) {
		NL_SET_ERR_MSG(extack, "missing attribute: ipv4 or ipv6");
		NL_SET_ERR_ATTR_MISS(extack, nest, OVPNHA_A_DNSGUARD_IPV4);
		return -EINVAL;
	}
	if (!tb[OVPNHA_A_DNSGUARD_PREFIXLEN]) {
		NL_SET_ERR_MSG(extack, "missing attribute: prefix length");
		NL_SET_ERR_ATTR_MISS(extack, nest, OVPNHA_A_DNSGUARD_PREFIXLEN);
		return -EINVAL;
	}
	memset(p, 0, sizeof(*p));
	p->family = tb[OVPNHA_A_DNSGUARD_IPV4] ? AF_INET : AF_INET6;
	max = p->family == AF_INET ? 32 : 128;
	nla_memcpy(p->addr, tb[OVPNHA_A_DNSGUARD_IPV4] ?:
		   tb[OVPNHA_A_DNSGUARD_IPV6], max / 8);
	p->plen = nla_get_u8(tb[OVPNHA_A_DNSGUARD_PREFIXLEN]);
	if (p->plen > max) {
		NL_SET_ERR_MSG_FMT(extack,
				   "IPv%u prefix length %u out of range 0..%u",
				   max == 32 ? 4 : 6, p->plen, max);
		NL_SET_BAD_ATTR(extack, tb[OVPNHA_A_DNSGUARD_PREFIXLEN]);
		return -EINVAL;
	}
	for (i = 0; i < max / 8; i++) {
		if (i * 8 >= p->plen)
			p->addr[i] = 0;
		else if (i * 8 + 8 > p->plen)
			p->addr[i] &= 0xff << (8 - (p->plen - i * 8));
	}
	return 0;
}

static void ovpnha_nl_dg_event(struct ovpnha_net *on, u8 cmd,
			       const struct ovpnha_dnsguard_prefix *p)
{
	struct sk_buff *msg;
	void *hdr;
	u64 seq;

	lockdep_assert_held(&on->lock);
	seq = ++on->seq;
	if (!genl_has_listeners(&ovpnha_nl_family, on->net,
				OVPNHA_NL_MCGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &ovpnha_nl_family, 0, cmd);
	if (!hdr || ovpnha_nl_dg_put(msg, p) ||
	    nla_put_u64_64bit(msg, OVPNHA_A_SEQ, seq, OVPNHA_A_PAD)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&ovpnha_nl_family, on->net, msg, 0,
				OVPNHA_NL_MCGRP_EVENTS, GFP_KERNEL);
}

static int ovpnha_nl_dg_change(struct genl_info *info, bool add)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct ovpnha_dnsguard_prefix p;
	int err;

	err = ovpnha_nl_dg_parse(info, &p);
	if (err)
		return err;
	mutex_lock(&on->lock);
	err = add ? ovpnha_dnsguard_add(on, &p, info->extack) :
		    ovpnha_dnsguard_del(on, &p, info->extack);
	if (!err)
		ovpnha_nl_dg_event(on, add ? OVPNHA_CMD_DNSGUARD_NEW :
				   OVPNHA_CMD_DNSGUARD_DEL, &p);
	mutex_unlock(&on->lock);
	return err;
}

int ovpnha_nl_dnsguard_new(struct sk_buff *skb, struct genl_info *info)
{
	return ovpnha_nl_dg_change(info, true);
}

int ovpnha_nl_dnsguard_del(struct sk_buff *skb, struct genl_info *info)
{
	return ovpnha_nl_dg_change(info, false);
}

/* cb->args[0]: the next entry to emit */
int ovpnha_nl_dnsguard_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ovpnha_net *on = ovpnha_pernet(sock_net(skb->sk));
	struct ovpnha_dnsguard_prefix p;
	void *hdr;

	mutex_lock(&on->lock);
	while (ovpnha_dnsguard_get(on, cb->args[0], &p)) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &ovpnha_nl_family,
				  NLM_F_MULTI, OVPNHA_CMD_DNSGUARD_GET);
		if (!hdr)
			break;
		if (ovpnha_nl_dg_put(skb, &p) ||
		    nla_put_u64_64bit(skb, OVPNHA_A_SEQ, on->seq,
				      OVPNHA_A_PAD)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0]++;
	}
	mutex_unlock(&on->lock);
	return skb->len;
}

int ovpnha_nl_diag_config(struct ovpnha_net *on, struct nlattr **tb,
			  struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&on->lock);
	if (tb[OVPNHA_A_INFO_DNS_GUARD]) {
		err = ovpnha_dnsguard_set(on,
					  nla_get_u8(tb[OVPNHA_A_INFO_DNS_GUARD]),
					  extack);
		if (err)
			return err;
	}
	if (tb[OVPNHA_A_INFO_DROP_TRACE]) {
		err = ovpnha_droptrace_set(on,
					   nla_get_u8(tb[OVPNHA_A_INFO_DROP_TRACE]),
					   extack);
		if (err) {
			NL_SET_BAD_ATTR(extack, tb[OVPNHA_A_INFO_DROP_TRACE]);
			return err;
		}
	}
	return 0;
}

int ovpnha_nl_diag_info(struct sk_buff *msg, struct net *net)
{
	if (nla_put_u8(msg, OVPNHA_A_INFO_DNS_GUARD,
		       ovpnha_dnsguard_enabled(net)) ||
	    nla_put_u8(msg, OVPNHA_A_INFO_DROP_TRACE,
		       ovpnha_droptrace_enabled(net)) ||
	    nla_put_u8(msg, OVPNHA_A_INFO_DROP_TRACE_AVAIL,
		       ovpnha_droptrace_available()))
		return -EMSGSIZE;
	return 0;
}
