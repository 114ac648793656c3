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

#endif /* _OVPNHA_NETLINK_H */
