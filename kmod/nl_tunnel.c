// SPDX-License-Identifier: GPL-2.0
/*
 * Tunnel devices over generic netlink: OVPNHA_CMD_TUNNEL_NEW, _DEL (admin)
 * and the OVPNHA_CMD_TUNNEL_GET dump.  The core has validated the request
 * against ovpnha_tunnel_policy before a handler runs.  Tunnel devices are
 * local configuration of a node (like the node id), not replicated state:
 * no event is multicast for them.
 */
#include <linux/in.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
#include "hooks.h"
#include "nl_tunnel.h"

const struct nla_policy ovpnha_tunnel_policy[OVPNHA_A_TUNNEL_MAX + 1] = {
	[OVPNHA_A_TUNNEL_IFNAME]	= { .type = NLA_NUL_STRING,
					    .len = IFNAMSIZ - 1 },
	[OVPNHA_A_TUNNEL_IFINDEX]	= { .type = NLA_U32 },	/* ignored */
	[OVPNHA_A_TUNNEL_PORT]		= { .type = NLA_U16 },	/* big endian */
	[OVPNHA_A_TUNNEL_PROTO]		= NLA_POLICY_RANGE(NLA_U8, IPPROTO_TCP,
							   IPPROTO_UDP),
};

/* Parses the OVPNHA_A_TUNNEL nest; the interface name is required. */
static int ovpnha_nl_tunnel_parse(struct genl_info *info, struct nlattr **tb)
{
	struct nlattr *nest = info->attrs[OVPNHA_A_TUNNEL];
	const char *name;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "missing attribute: tunnel");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, OVPNHA_A_TUNNEL);
		return -EINVAL;
	}
	err = nla_parse_nested(tb, OVPNHA_A_TUNNEL_MAX, nest,
			       ovpnha_tunnel_policy, info->extack);
	if (err)
		return err;
	if (!tb[OVPNHA_A_TUNNEL_IFNAME]) {
		NL_SET_ERR_MSG(info->extack,
			       "missing attribute: tunnel interface name");
		NL_SET_ERR_ATTR_MISS(info->extack, nest,
				     OVPNHA_A_TUNNEL_IFNAME);
		return -EINVAL;
	}
	name = nla_data(tb[OVPNHA_A_TUNNEL_IFNAME]);
	if (!dev_valid_name(name)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[OVPNHA_A_TUNNEL_IFNAME],
				    "invalid interface name");
		return -EINVAL;
	}
	return 0;
}

int ovpnha_nl_tunnel_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPNHA_A_TUNNEL_MAX + 1];
	struct ovpnha_tunnel t = {};
	struct nlattr *a;
	int err;

	err = ovpnha_nl_tunnel_parse(info, tb);
	if (err)
		return err;
	strscpy(t.ifname, nla_data(tb[OVPNHA_A_TUNNEL_IFNAME]),
		sizeof(t.ifname));
	a = tb[OVPNHA_A_TUNNEL_PROTO];
	if (a) {
		t.proto = nla_get_u8(a);
		if (t.proto != IPPROTO_UDP && t.proto != IPPROTO_TCP) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "transport must be UDP or TCP");
			return -EINVAL;
		}
	}
	a = tb[OVPNHA_A_TUNNEL_PORT];
	if (a) {
		t.port = nla_get_be16(a);
		if (!t.port) {
			NL_SET_ERR_MSG_ATTR(info->extack, a, "port 0");
			return -EINVAL;
		}
	}
	return ovpnha_tunnel_add(genl_info_net(info), &t, info->extack);
}

int ovpnha_nl_tunnel_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPNHA_A_TUNNEL_MAX + 1];
	int err;

	err = ovpnha_nl_tunnel_parse(info, tb);
	if (err)
		return err;
	return ovpnha_tunnel_del(genl_info_net(info),
				 nla_data(tb[OVPNHA_A_TUNNEL_IFNAME]),
				 info->extack);
}

static int ovpnha_nl_tunnel_put(struct sk_buff *skb,
				const struct ovpnha_tunnel *t)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, OVPNHA_A_TUNNEL);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, OVPNHA_A_TUNNEL_IFNAME, t->ifname) ||
	    nla_put_u32(skb, OVPNHA_A_TUNNEL_IFINDEX, t->ifindex) ||
	    (t->port && nla_put_be16(skb, OVPNHA_A_TUNNEL_PORT, t->port)) ||
	    (t->proto && nla_put_u8(skb, OVPNHA_A_TUNNEL_PROTO, t->proto))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * The header of one dump message.  The family id is the request's message
 * type, which spares this file the family (and its layout in the dump info,
 * which differs between kernels).
 */
static struct nlmsghdr *ovpnha_nl_tunnel_hdr(struct sk_buff *skb,
					     struct netlink_callback *cb)
{
	struct genlmsghdr *hdr;
	struct nlmsghdr *nlh;

	nlh = nlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			cb->nlh->nlmsg_type, GENL_HDRLEN, NLM_F_MULTI);
	if (!nlh)
		return NULL;
	hdr = nlmsg_data(nlh);
	hdr->cmd = OVPNHA_CMD_TUNNEL_GET;
	hdr->version = OVPNHA_FAMILY_VERSION;
	hdr->reserved = 0;
	return nlh;
}

/* cb->args[0]: the next entry; the whole set fits one message anyway. */
int ovpnha_nl_tunnel_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ovpnha_tunnel *t;
	struct nlmsghdr *nlh;
	unsigned int n, i;

	t = kcalloc(OVPNHA_MAX_TUNNELS, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	n = ovpnha_tunnel_list(sock_net(skb->sk), t);
	for (i = cb->args[0]; i < n; i++) {
		nlh = ovpnha_nl_tunnel_hdr(skb, cb);
		if (!nlh)
			break;
		if (ovpnha_nl_tunnel_put(skb, &t[i])) {
			nlmsg_cancel(skb, nlh);
			break;
		}
		nlmsg_end(skb, nlh);
		cb->args[0] = i + 1;
	}
	kfree(t);
	return skb->len;
}
