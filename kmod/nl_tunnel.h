/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OVPNHA_CMD_TUNNEL_NEW/DEL/GET and the enforce setting of
 * OVPNHA_CMD_CONFIG_SET: the handlers netlink.c lists in its ops table.
 */
#ifndef _OVPNHA_NL_TUNNEL_H
#define _OVPNHA_NL_TUNNEL_H

#include <net/genetlink.h>
#include <linux/ovpnha.h>

extern const struct nla_policy ovpnha_tunnel_policy[OVPNHA_A_TUNNEL_MAX + 1];

int ovpnha_nl_tunnel_new(struct sk_buff *skb, struct genl_info *info);
int ovpnha_nl_tunnel_del(struct sk_buff *skb, struct genl_info *info);
int ovpnha_nl_tunnel_dump(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _OVPNHA_NL_TUNNEL_H */
