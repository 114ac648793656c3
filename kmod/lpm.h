/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Longest-prefix-match table of the prefixes behind peers (OpenVPN
 * "iroute"/"iroute-ipv6") and of the peers' own virtual addresses (as /32 or
 * /128 entries flagged vpn_addr).  One compressed binary trie per family.
 *
 * Writers hold the table's mutex (passed in and checked with lockdep).
 * Lookups run under rcu_read_lock() and return a pointer that is valid until
 * rcu_read_unlock(); callers that keep the peer must take a reference with
 * ovpnha_peer_get_unless_zero().
 */
#ifndef _OVPNHA_LPM_H
#define _OVPNHA_LPM_H

#include <linux/types.h>
#include <linux/mutex.h>

struct ovpnha_peer;
struct ovpnha_lpm_node;

struct ovpnha_lpm_jump;

/*
 * Per-netns table.  @jump4 is the IPv4 lookup's first level (see lpm.c),
 * built once @n4 reaches @jump_min entries and kept until the table is
 * freed.
 */
struct ovpnha_lpm {
	struct ovpnha_lpm_node __rcu *root4;
	struct ovpnha_lpm_node __rcu *root6;
	struct ovpnha_lpm_jump __rcu *jump4;
	unsigned int n4;		/* IPv4 entries */
	unsigned int jump_min;
};

/* Result of a lookup, filled under RCU. */
struct ovpnha_lpm_match {
	struct ovpnha_peer *peer;
	u8 addr[16];		/* the matching prefix, host bits zero */
	u8 cidr;
	bool vpn_addr;
};

void ovpnha_lpm_init(struct ovpnha_lpm *t);
/* Frees every node; peers' lpm lists are left empty. */
void ovpnha_lpm_free(struct ovpnha_lpm *t, struct mutex *lock);

/*
 * Insert @addr/@cidr owned by @peer (linked into peer->lpm_list; peer's
 * n_iroutes counts the entries that are not @vpn_addr).  @addr is in network
 * byte order (struct in_addr / in6_addr, need not be aligned).
 * -EEXIST if the exact prefix is already present (any owner; *owner is set
 * to it when @owner is not NULL), -EINVAL for a bad cidr or a NULL @peer,
 * -EAFNOSUPPORT for a family other than AF_INET/AF_INET6, -ENOMEM.
 * Host bits of @addr are ignored (masked off).
 */
int ovpnha_lpm_insert(struct ovpnha_lpm *t, int family, const void *addr,
		      u8 cidr, struct ovpnha_peer *peer, bool vpn_addr,
		      struct ovpnha_peer **owner, struct mutex *lock);

/*
 * Remove the exact prefix.  If @peer is not NULL the prefix must belong to
 * it (-EPERM otherwise).  -ENOENT if absent.  @vpn_addr must match the
 * entry's flag (-ENOENT otherwise), so an iroute delete cannot remove a
 * virtual address.  The flag is checked before the owner: -ENOENT wins over
 * -EPERM.  -EINVAL for a bad cidr, -EAFNOSUPPORT for a bad family.
 */
int ovpnha_lpm_remove(struct ovpnha_lpm *t, int family, const void *addr,
		      u8 cidr, struct ovpnha_peer *peer,
		      bool vpn_addr, struct mutex *lock);

/* Remove every entry of @peer, in O(entries of the peer). */
void ovpnha_lpm_remove_by_peer(struct ovpnha_lpm *t,
			       struct ovpnha_peer *peer, struct mutex *lock);

/*
 * Longest-prefix match of @addr (network byte order, need not be aligned);
 * caller holds rcu_read_lock().  false if no match (or a bad family).
 */
bool ovpnha_lpm_lookup(struct ovpnha_lpm *t, int family, const void *addr,
		       struct ovpnha_lpm_match *m);

/*
 * Walk the entries of one peer (caller holds the table mutex or RCU):
 * used by dumps.  Calls @fn for each entry after skipping the first @skip;
 * stops and returns the number of entries visited so far if @fn returns
 * non-zero.  Precisely: the return value counts the skipped entries plus
 * those for which @fn returned 0 (the entry @fn refused is not counted), so
 * a dump resumes by passing it back as @skip.  @addr is in network byte
 * order (4 bytes used for AF_INET, 16 for AF_INET6), host bits zero.
 */
int ovpnha_lpm_walk_peer(struct ovpnha_peer *peer, unsigned long skip,
			 int (*fn)(void *ctx, int family, const u8 *addr,
				   u8 cidr, bool vpn_addr),
			 void *ctx);

/*
 * Module-wide node object counters (created / freed after RCU).  Nodes come
 * from the "ovpnha_lpm_node" (IPv4, 64 B) and "ovpnha_lpm_node6" (IPv6, 80 B)
 * slab caches; n entries need at most 2n - 1 nodes.
 */
u64 ovpnha_lpm_nodes_alloc(void);
u64 ovpnha_lpm_nodes_freed(void);

int ovpnha_lpm_cache_init(void);
void ovpnha_lpm_cache_exit(void);	/* calls rcu_barrier() first */

#ifdef DEBUG
bool ovpnha_lpm_selftest(void);
#else
static inline bool ovpnha_lpm_selftest(void)
{
	return true;
}
#endif

#endif /* _OVPNHA_LPM_H */
