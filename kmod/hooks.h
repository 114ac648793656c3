/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tunnel devices and the missing-iroute diagnosis.
 *
 * A namespace may declare up to OVPNHA_MAX_TUNNELS tunnel devices (by name:
 * the device need not exist yet; a netdevice notifier keeps the ifindex up
 * to date).  While at least one is declared, netfilter hooks at FORWARD and
 * LOCAL_OUT (IPv4 and IPv6) look at every packet routed into a tunnel
 * device: if neither a peer's virtual address nor an iroute covers its
 * destination, OpenVPN would drop it silently, so it is counted under
 * OVPNHA_STAT_DROP_NO_IROUTE and logged (rate-limited) with the likely fix.
 * In enforce mode the packet is dropped at once and the sender gets an ICMP
 * or ICMPv6 destination unreachable (net unreachable / no route).
 * Namespaces without tunnel devices have no hooks at all.
 *
 * Writers (netlink, notifier) hold the namespace's tunnel mutex; the hooks
 * read the published tunnel set under RCU.
 */
#ifndef _OVPNHA_HOOKS_H
#define _OVPNHA_HOOKS_H

#include <linux/if.h>
#include <linux/types.h>

struct net;
struct netlink_ext_ack;

#define OVPNHA_MAX_TUNNELS	16

struct ovpnha_tunnel {
	char ifname[IFNAMSIZ];
	int ifindex;		/* 0: no such device (yet) */
	__be16 port;		/* 0: not given */
	u8 proto;		/* IPPROTO_UDP, IPPROTO_TCP, 0: not given */
};

int ovpnha_hooks_init(void);
void ovpnha_hooks_exit(void);
/* Forgets the namespace's tunnels: its hooks are gone on return. */
void ovpnha_hooks_net_off(struct net *net);

/*
 * -EEXIST (same name declared), -ENOSPC (OVPNHA_MAX_TUNNELS reached),
 * -ENOMEM, or an error from registering the hooks; extack says which.
 * @t->ifindex is ignored and resolved here.
 */
int ovpnha_tunnel_add(struct net *net, const struct ovpnha_tunnel *t,
		      struct netlink_ext_ack *extack);
/* -ENOENT if @ifname is not declared. */
int ovpnha_tunnel_del(struct net *net, const char *ifname,
		      struct netlink_ext_ack *extack);
/* Copies the declared devices to @out (OVPNHA_MAX_TUNNELS slots). */
unsigned int ovpnha_tunnel_list(struct net *net, struct ovpnha_tunnel *out);

/* A declared tunnel's transport is @proto/@port; caller holds RCU. */
bool ovpnha_tunnel_port_rcu(struct net *net, u8 proto, __be16 port);

void ovpnha_hooks_set_enforce(struct net *net, bool enforce);
bool ovpnha_hooks_enforce(struct net *net);

#endif /* _OVPNHA_HOOKS_H */
