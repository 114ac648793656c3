// SPDX-License-Identifier: GPL-2.0
/*
 * OVPNHA_CMD_ROLE_SET/GET and OVPNHA_CMD_VIP_NEW/DEL/GET.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
#include "flow.h"
#include "main.h"
#include "netlink.h"
#include "role.h"

const struct nla_policy ovpnha_role_policy[OVPNHA_A_ROLE_MAX + 1] = {
	[OVPNHA_A_ROLE_ROLE]		= NLA_POLICY_RANGE(NLA_U8,
							   OVPNHA_ROLE_MASTER,
							   OVPNHA_ROLE_MAX),
	[OVPNHA_A_ROLE_EPOCH]		= NLA_POLICY_MIN(NLA_U32, 1),
	[OVPNHA_A_ROLE_SINCE]		= { .type = NLA_REJECT,
					    .reject_message = "read-only" },
	[OVPNHA_A_ROLE_TAKEOVER]	= { .type = NLA_REJECT,
					    .reject_message = "read-only" },
	[OVPNHA_A_ROLE_GARP_COUNT]	= NLA_POLICY_RANGE(NLA_U32, 1, 100),
	/* ranges beyond s16: checked by ovpnha_nl_role_range() */
	[OVPNHA_A_ROLE_GARP_INTERVAL]	= { .type = NLA_U32 },
	[OVPNHA_A_ROLE_GARP_REFRESH]	= { .type = NLA_U32 },
	[OVPNHA_A_ROLE_ANNOUNCE_IFNAME]	= { .type = NLA_NUL_STRING,
					    .len = IFNAMSIZ - 1 },
	[OVPNHA_A_ROLE_WANTED]		= { .type = NLA_REJECT,
					    .reject_message = "read-only: set ROLE" },
};

const struct nla_policy ovpnha_vip_policy[OVPNHA_A_VIP_MAX + 1] = {
	[OVPNHA_A_VIP_IPV4]	= NLA_POLICY_EXACT_LEN(4),
	[OVPNHA_A_VIP_IPV6]	= NLA_POLICY_EXACT_LEN(16),
	[OVPNHA_A_VIP_IFNAME]	= { .type = NLA_NUL_STRING,
				    .len = IFNAMSIZ - 1 },
	[OVPNHA_A_VIP_SENT]	= { .type = NLA_U64 },
	[OVPNHA_A_VIP_FAILED]	= { .type = NLA_U64 },
};

/* --- role --- */

static int ovpnha_nl_role_range(struct nlattr **tb,
				struct netlink_ext_ack *extack)
{
	struct nlattr *a = tb[OVPNHA_A_ROLE_GARP_INTERVAL];

	if (a && (nla_get_u32(a) < 10 || nla_get_u32(a) > 60000)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "GARP interval must be 10..60000 ms");
		return -ERANGE;
	}
	a = tb[OVPNHA_A_ROLE_GARP_REFRESH];
	if (a && nla_get_u32(a) > 86400) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "GARP refresh must be 0..86400 s");
		return -ERANGE;
	}
	return 0;
}

static int ovpnha_nl_put_role(struct sk_buff *skb, const void *ctx)
{
	struct ovpnha_net *on = (struct ovpnha_net *)ctx;
	const struct ovpnha_ha *ha = &on->ha;
	u32 peers, returned;
	struct nlattr *nest;
	u64 last;

	ovpnha_role_returns(on, &peers, &returned, &last);
	nest = nla_nest_start(skb, OVPNHA_A_ROLE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, OVPNHA_A_ROLE_ROLE, ha->role) ||
	    nla_put_u32(skb, OVPNHA_A_ROLE_EPOCH, ha->epoch) ||
	    nla_put_u64_64bit(skb, OVPNHA_A_ROLE_SINCE, ha->since,
			      OVPNHA_A_ROLE_PAD) ||
	    nla_put_u64_64bit(skb, OVPNHA_A_ROLE_TAKEOVER, ha->takeover,
			      OVPNHA_A_ROLE_PAD) ||
	    nla_put_u32(skb, OVPNHA_A_ROLE_GARP_COUNT, ha->garp_count) ||
	    nla_put_u32(skb, OVPNHA_A_ROLE_GARP_INTERVAL, ha->garp_interval) ||
	    nla_put_u32(skb, OVPNHA_A_ROLE_GARP_REFRESH, ha->garp_refresh) ||
	    nla_put_string(skb, OVPNHA_A_ROLE_ANNOUNCE_IFNAME, ha->announce) ||
	    nla_put_u32(skb, OVPNHA_A_ROLE_STEPDOWNS, ha->stepdowns) ||
	    nla_put_string(skb, OVPNHA_A_ROLE_REASON, ha->reason) ||
	    nla_put_u32(skb, OVPNHA_A_ROLE_PEERS, peers) ||
	    nla_put_u32(skb, OVPNHA_A_ROLE_RETURNED, returned) ||
	    nla_put_u64_64bit(skb, OVPNHA_A_ROLE_LAST_RETURN, last,
			      OVPNHA_A_ROLE_PAD) ||
	    nla_put_u64_64bit(skb, OVPNHA_A_ROLE_FIRST_GARP,
			      READ_ONCE(ha->first_garp), OVPNHA_A_ROLE_PAD) ||
	    nla_put_u8(skb, OVPNHA_A_ROLE_WANTED, ha->wanted)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

void ovpnha_nl_role_event(struct ovpnha_net *on)
{
	ovpnha_nl_notify(on, OVPNHA_CMD_ROLE_SET, ovpnha_nl_put_role, on,
			 false);
}

int ovpnha_nl_role_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct nlattr *nest = info->attrs[OVPNHA_A_ROLE];
	struct nlattr *tb[OVPNHA_A_ROLE_MAX + 1];
	struct ovpnha_ha *ha = &on->ha;
	bool changed = false, garp = false;
	u32 epoch = 0;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "missing attribute: role");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, OVPNHA_A_ROLE);
		return -EINVAL;
	}
	err = nla_parse_nested(tb, OVPNHA_A_ROLE_MAX, nest, ovpnha_role_policy,
			       info->extack);
	if (!err)
		err = ovpnha_nl_role_range(tb, info->extack);
	if (err)
		return err;
	if (tb[OVPNHA_A_ROLE_EPOCH])
		epoch = nla_get_u32(tb[OVPNHA_A_ROLE_EPOCH]);

	mutex_lock(&on->lock);
	if (tb[OVPNHA_A_ROLE_ROLE]) {
		/* The packet path learns flows once there is a role. */
		err = ovpnha_flow_hooks_on(on);
		if (err) {
			NL_SET_ERR_MSG(info->extack,
				       "cannot register the flow hooks");
			goto out;
		}
	}
	if (tb[OVPNHA_A_ROLE_GARP_COUNT]) {
		ha->garp_count = nla_get_u32(tb[OVPNHA_A_ROLE_GARP_COUNT]);
		garp = true;
	}
	if (tb[OVPNHA_A_ROLE_GARP_INTERVAL]) {
		ha->garp_interval =
			nla_get_u32(tb[OVPNHA_A_ROLE_GARP_INTERVAL]);
		garp = true;
	}
	if (tb[OVPNHA_A_ROLE_GARP_REFRESH]) {
		ha->garp_refresh = nla_get_u32(tb[OVPNHA_A_ROLE_GARP_REFRESH]);
		garp = true;
	}
	if (tb[OVPNHA_A_ROLE_ANNOUNCE_IFNAME]) {
		nla_strscpy(ha->announce, tb[OVPNHA_A_ROLE_ANNOUNCE_IFNAME],
			    sizeof(ha->announce));
		garp = true;
	}
	if (tb[OVPNHA_A_ROLE_ROLE])
		changed = ovpnha_role_set(on,
					  nla_get_u8(tb[OVPNHA_A_ROLE_ROLE]),
					  epoch, "set by the cluster manager");
	else if (epoch)
		changed = ovpnha_epoch_observe(on, epoch, "a peer node");
	/* New settings on a master take effect now, as a fresh burst. */
	if (garp && !changed && ha->role == OVPNHA_ROLE_MASTER)
		ovpnha_garp_kick(on);
	ovpnha_nl_role_event(on);
out:
	mutex_unlock(&on->lock);
	return err;
}

int ovpnha_nl_role_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ovpnha_nl_family, 0,
				OVPNHA_CMD_ROLE_GET);
	if (!hdr)
		goto nospace;
	mutex_lock(&on->lock);
	if (ovpnha_nl_put_role(msg, on) ||
	    nla_put_u64_64bit(msg, OVPNHA_A_SEQ, on->seq, OVPNHA_A_PAD)) {
		mutex_unlock(&on->lock);
		goto nospace;
	}
	mutex_unlock(&on->lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* --- VIPs --- */

struct ovpnha_nl_vip {
	int family;
	u8 addr[16];
	char ifname[IFNAMSIZ];
	u64 sent, failed;
	bool counters;
};

static int ovpnha_nl_put_vip(struct sk_buff *skb, const void *ctx)
{
	const struct ovpnha_nl_vip *v = ctx;
	struct nlattr *nest = nla_nest_start(skb, OVPNHA_A_VIP);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, v->family == AF_INET ? OVPNHA_A_VIP_IPV4 :
		    OVPNHA_A_VIP_IPV6, v->family == AF_INET ? 4 : 16, v->addr) ||
	    (v->ifname[0] &&
	     nla_put_string(skb, OVPNHA_A_VIP_IFNAME, v->ifname)) ||
	    (v->counters &&
	     (nla_put_u64_64bit(skb, OVPNHA_A_VIP_SENT, v->sent,
				OVPNHA_A_VIP_PAD) ||
	      nla_put_u64_64bit(skb, OVPNHA_A_VIP_FAILED, v->failed,
				OVPNHA_A_VIP_PAD)))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int ovpnha_nl_vip_parse(struct genl_info *info, bool need_dev,
			       struct ovpnha_nl_vip *v)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[OVPNHA_A_VIP];
	struct nlattr *tb[OVPNHA_A_VIP_MAX + 1];
	int err;

	memset(v, 0, sizeof(*v));
	if (!nest) {
		NL_SET_ERR_MSG(extack, "missing attribute: vip");
		NL_SET_ERR_ATTR_MISS(extack, NULL, OVPNHA_A_VIP);
		return -EINVAL;
	}
	err = nla_parse_nested(tb, OVPNHA_A_VIP_MAX, nest, ovpnha_vip_policy,
			       extack);
	if (err)
		return err;
	if (!!tb[OVPNHA_A_VIP_IPV4] == !!tb[OVPNHA_A_VIP_IPV6]) {
		NL_SET_ERR_MSG(extack, "exactly one of ipv4 and ipv6 is needed");
		NL_SET_ERR_ATTR_MISS(extack, nest, OVPNHA_A_VIP_IPV4);
		return -EINVAL;
	}
	if (tb[OVPNHA_A_VIP_IPV4]) {
		v->family = AF_INET;
		nla_memcpy(v->addr, tb[OVPNHA_A_VIP_IPV4], 4);
		if (ipv4_is_multicast(*(__be32 *)v->addr) ||
		    ipv4_is_zeronet(*(__be32 *)v->addr) ||
		    ipv4_is_lbcast(*(__be32 *)v->addr)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[OVPNHA_A_VIP_IPV4],
					    "a VIP must be a unicast address");
			return -EINVAL;
		}
	} else {
		v->family = AF_INET6;
		nla_memcpy(v->addr, tb[OVPNHA_A_VIP_IPV6], 16);
		if (ipv6_addr_type((struct in6_addr *)v->addr) &
		    (IPV6_ADDR_MULTICAST | IPV6_ADDR_ANY | IPV6_ADDR_LOOPBACK)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[OVPNHA_A_VIP_IPV6],
					    "a VIP must be a unicast address");
			return -EINVAL;
		}
	}
	if (tb[OVPNHA_A_VIP_IFNAME])
		nla_strscpy(v->ifname, tb[OVPNHA_A_VIP_IFNAME],
			    sizeof(v->ifname));
	if (need_dev && !v->ifname[0]) {
		NL_SET_ERR_MSG(extack, "missing attribute: device");
		NL_SET_ERR_ATTR_MISS(extack, nest, OVPNHA_A_VIP_IFNAME);
		return -EINVAL;
	}
	return 0;
}

int ovpnha_nl_vip_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct ovpnha_nl_vip v;
	int err;

	err = ovpnha_nl_vip_parse(info, true, &v);
	if (err)
		return err;
	mutex_lock(&on->lock);
	err = ovpnha_vip_add(on, v.family, v.addr, v.ifname, info->extack);
	if (!err)
		ovpnha_nl_notify(on, OVPNHA_CMD_VIP_NEW, ovpnha_nl_put_vip, &v,
				 false);
	mutex_unlock(&on->lock);
	return err;
}

int ovpnha_nl_vip_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpnha_net *on = ovpnha_pernet(genl_info_net(info));
	struct ovpnha_nl_vip v;
	int err;

	err = ovpnha_nl_vip_parse(info, false, &v);
	if (err)
		return err;
	mutex_lock(&on->lock);
	err = ovpnha_vip_del(on, v.family, v.addr, info->extack);
	if (!err)
		ovpnha_nl_notify(on, OVPNHA_CMD_VIP_DEL, ovpnha_nl_put_vip, &v,
				 false);
	mutex_unlock(&on->lock);
	return err;
}

/* cb->args[0]: VIPs already emitted (the list is short and ordered) */
int ovpnha_nl_vip_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ovpnha_net *on = ovpnha_pernet(sock_net(skb->sk));
	const struct ovpnha_vip *vip;
	struct ovpnha_nl_vip v;
	unsigned long i = 0;
	void *hdr;

	mutex_lock(&on->lock);
	list_for_each_entry(vip, &on->ha.vips, list) {
		if (i++ < cb->args[0])
			continue;
		memset(&v, 0, sizeof(v));
		v.family = vip->family;
		memcpy(v.addr, &vip->addr, sizeof(v.addr));
		memcpy(v.ifname, vip->ifname, sizeof(v.ifname));
		v.sent = atomic64_read(&vip->sent);
		v.failed = atomic64_read(&vip->failed);
		v.counters = true;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &ovpnha_nl_family,
				  NLM_F_MULTI, OVPNHA_CMD_VIP_GET);
		if (!hdr)
			break;
		if (ovpnha_nl_put_vip(skb, &v) ||
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
