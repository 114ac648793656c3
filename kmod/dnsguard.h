/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DNS guard: keeps DNS between tunnel peers (or configured source
 * prefixes) and resolvers on this host out of conntrack, which removes the
 * parallel A/AAAA conntrack insert race for them; for the other DNS of
 * those sources (forwarded, NATed) it checks the kernel's clash resolution
 * and attributes the clash_resolve / insert_failed deltas to the peer.
 *
 * Netfilter hooks exist only while a namespace has the guard on.  Writers
 * hold the namespace's table mutex; the hooks read the prefix table under
 * RCU.  The per-namespace prefix table holds at most OVPNHA_DNSGUARD_MAX
 * entries.
 */
#ifndef _OVPNHA_DNSGUARD_H
#define _OVPNHA_DNSGUARD_H

#include <linux/netlink.h>
#include <linux/types.h>

struct ovpnha_net;

#define OVPNHA_DNSGUARD_MAX	64

struct ovpnha_dnsguard_prefix {
	u8 family;
	u8 plen;
	u8 addr[16];		/* network order, host bits clear */
	u64 hits;		/* packets of this prefix kept out of conntrack */
};

bool ovpnha_dnsguard_enabled(struct net *net);
int ovpnha_dnsguard_set(struct ovpnha_net *on, bool enable,
			struct netlink_ext_ack *extack);
int ovpnha_dnsguard_add(struct ovpnha_net *on,
			const struct ovpnha_dnsguard_prefix *p,
			struct netlink_ext_ack *extack);
int ovpnha_dnsguard_del(struct ovpnha_net *on,
			const struct ovpnha_dnsguard_prefix *p,
			struct netlink_ext_ack *extack);
/*
 * Copies entry @idx into @p; false past the end.  Caller holds the table
 * mutex.
 */
bool ovpnha_dnsguard_get(struct ovpnha_net *on, unsigned int idx,
			 struct ovpnha_dnsguard_prefix *p);

int ovpnha_dnsguard_init(void);
void ovpnha_dnsguard_exit(void);
/* Turns the guard off in @net: its hooks are gone on return. */
void ovpnha_dnsguard_net_off(struct net *net);

#endif /* _OVPNHA_DNSGUARD_H */
