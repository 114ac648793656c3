/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The peer table: one entry per connected OpenVPN client or remote gateway.
 * (Initial contract; the peer-table implementer owns and extends this file.)
 */
#ifndef _OVPNHA_PEER_H
#define _OVPNHA_PEER_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/in6.h>
#include <linux/ovpnha.h>

struct ovpnha_peer {
	/* ... fields owned by peer.c ... */

	/* lpm.c links the peer's trie entries here; protected by the
	 * per-netns table mutex.
	 */
	struct list_head lpm_list;
	u32 n_iroutes;		/* entries in lpm_list that are not vpn_addr */

	struct kref refcount;
	struct rcu_head rcu;
};

#endif /* _OVPNHA_PEER_H */
