/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "ovpnha" generic netlink family (uapi/linux/ovpnha.h).
 */
#ifndef _OVPNHA_NETLINK_H
#define _OVPNHA_NETLINK_H

#include <net/genetlink.h>
#include <linux/ovpnha.h>

struct ovpnha_net;

int ovpnha_nl_register(void);
void ovpnha_nl_unregister(void);

/* The family and its multicast groups, for files that notify. */
extern struct genl_family ovpnha_nl_family;

enum ovpnha_nl_mcgrp {
	OVPNHA_NL_MCGRP_EVENTS,
};

/* nl_dnsguard.c: the DNS guard's commands and settings. */
extern const struct nla_policy ovpnha_dnsguard_policy[OVPNHA_A_DNSGUARD_MAX + 1];
int ovpnha_nl_dnsguard_new(struct sk_buff *skb, struct genl_info *info);
int ovpnha_nl_dnsguard_del(struct sk_buff *skb, struct genl_info *info);
int ovpnha_nl_dnsguard_dump(struct sk_buff *skb, struct netlink_callback *cb);
/*
 * CONFIG_SET's dns-guard and drop-trace switches (@tb: the OVPNHA_A_INFO
 * nest); caller holds the table mutex.
 */
int ovpnha_nl_diag_config(struct ovpnha_net *on, struct nlattr **tb,
			  struct netlink_ext_ack *extack);
/* INFO_GET's dns-guard, drop-trace and drop-trace-avail. */
int ovpnha_nl_diag_info(struct sk_buff *msg, struct net *net);

/*
 * Events of other objects: @fill adds the object's nest.  @replicated
 * marks a change applied for another node (the event carries this node's
 * epoch in OVPNHA_A_EPOCH), which the sync daemon does not send back.
 * Returns the event's sequence number; table mutex held.
 */
typedef int (*ovpnha_nl_fill_t)(struct sk_buff *skb, const void *ctx);
u64 ovpnha_nl_notify(struct ovpnha_net *on, u8 cmd, ovpnha_nl_fill_t fill,
		     const void *ctx, bool replicated);

/* nl_role.c: role and VIPs */
extern const struct nla_policy ovpnha_role_policy[OVPNHA_A_ROLE_MAX + 1];
extern const struct nla_policy ovpnha_vip_policy[OVPNHA_A_VIP_MAX + 1];
int ovpnha_nl_role_set(struct sk_buff *skb, struct genl_info *info);
int ovpnha_nl_role_get(struct sk_buff *skb, struct genl_info *info);
int ovpnha_nl_vip_new(struct sk_buff *skb, struct genl_info *info);
int ovpnha_nl_vip_del(struct sk_buff *skb, struct genl_info *info);
int ovpnha_nl_vip_dump(struct sk_buff *skb, struct netlink_callback *cb);
/* The role changed: multicast OVPNHA_CMD_ROLE_SET (table mutex held). */
void ovpnha_nl_role_event(struct ovpnha_net *on);

/* nl_flow.c: transport flows */
struct ovpnha_peer;
extern const struct nla_policy ovpnha_flow_policy[OVPNHA_A_FLOW_MAX + 1];
int ovpnha_nl_flow_new(struct sk_buff *skb, struct genl_info *info);
int ovpnha_nl_flow_del(struct sk_buff *skb, struct genl_info *info);
int ovpnha_nl_flow_dump(struct sk_buff *skb, struct netlink_callback *cb);
void ovpnha_nl_flow_event(struct ovpnha_net *on, u8 cmd,
			  const struct ovpnha_peer *peer, bool replicated);

#endif /* _OVPNHA_NETLINK_H */
