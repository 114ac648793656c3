// SPDX-License-Identifier: GPL-2.0
/*
 * ovpnha: longest-prefix-match table of iroutes and virtual addresses.
 *
 * One path-compressed binary trie per family.  Every node holds a prefix
 * (key with the host bits cleared, and its length); a child always holds a
 * strictly longer prefix that extends its parent's, and sits in the parent's
 * child slot selected by the first bit after the parent's prefix.  A node is
 * either an entry (peer != NULL, linked in peer->lpm_list) or a glue node
 * (peer == NULL) created where two prefixes diverge; a glue node always has
 * exactly two children, so the trie never holds more than 2n - 1 nodes for
 * n entries and a lookup visits at most 33 (IPv4) or 129 (IPv6) nodes,
 * whatever the number of peers.
 *
 * IPv4 lookups of a large table start one level down: a table of 65536
 * slots, one per value of an address's top 16 bits, holds the node the
 * walk reaches after those bits and the longest entry above it (see
 * struct ovpnha_lpm_jump).  At 100k prefixes that skips about half of the
 * nodes a walk visits; the FIB's level-compressed trie does the same.
 *
 * Keys are kept in host byte order (a u32 for IPv4, two u64 for IPv6), so
 * the prefix test of a lookup step is one xor and one shift.  Writers work
 * on a 128-bit form of the key (IPv4 in the top 32 bits).
 *
 * Concurrency: writers hold the table mutex.  Readers walk under RCU; a new
 * node is fully built before it is published with rcu_assign_pointer(), and
 * unlinked nodes are freed after a grace period.  A node's prefix and
 * vpn_addr flag never change once published; its peer may only go from a
 * peer to NULL (the entry becomes a glue node).  A glue node that becomes an
 * entry again is replaced by a fresh node, so a reader that saw a peer in a
 * node also sees that entry's vpn_addr flag.
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "lpm.h"
#include "peer.h"

/*
 * 64 bytes for IPv4 (one cache line; the fields a lookup reads are in its
 * first 32 bytes), 80 bytes for IPv6 (key6 follows).
 */
struct ovpnha_lpm_node {
	struct ovpnha_lpm_node __rcu *child[2];
	struct ovpnha_peer __rcu *peer;		/* NULL: glue node */
	u32 key4;		/* IPv4 prefix, host order, host bits zero */
	u8 cidr;
	u8 bits;		/* 32 (IPv4) or 128 (IPv6) */
	bool vpn_addr;
	struct list_head peer_list;	/* in peer->lpm_list if peer != NULL */
	struct rcu_head rcu;
	u64 key6[];		/* IPv6 nodes only: prefix, host order */
};

/*
 * The IPv4 first level.  Slot b (the top LPM_JUMP_BITS bits of an address)
 * holds @start, the first node of /16 or longer on the walk to any address
 * of b, if its own top 16 bits are b (else NULL: such a walk ends above
 * it), and @best, the longest entry shorter than /16 on that walk.  A
 * lookup starts at @start with @best as its match so far.  Writers refill
 * every slot a change covers before a node it unlinked is handed to RCU,
 * so no slot points to a freed node.  The two pointers of a slot are not
 * updated together: a reader may pair an old @start with a new @best or
 * the reverse, which only mixes the tables of just before and just after
 * the change; an old @best whose entry was removed meanwhile (peer NULL)
 * sends the reader to the root instead.
 */
#define LPM_JUMP_BITS	16
#define LPM_JUMP_MIN	1024	/* IPv4 entries before the first level is built */

struct lpm_jump_slot {
	struct ovpnha_lpm_node __rcu *start;
	struct ovpnha_lpm_node __rcu *best;
};

/* Exactly 1 MiB, so that kvzalloc() does not round it up to 2 MiB. */
struct ovpnha_lpm_jump {
	struct lpm_jump_slot slot[1 << LPM_JUMP_BITS];
};

/* A key in writer form: IPv4 uses the top 32 bits of hi. */
struct lpm_key {
	u64 hi;
	u64 lo;
};

/* Where a node hangs, as found by a walk from the root. */
struct lpm_pos {
	struct ovpnha_lpm_node __rcu **slot;	/* points to the node */
	struct ovpnha_lpm_node __rcu **pslot;	/* points to the parent */
	struct ovpnha_lpm_node *parent;
};

static struct kmem_cache *lpm_cache4;
static struct kmem_cache *lpm_cache6;
static atomic64_t lpm_nodes_alloc = ATOMIC64_INIT(0);
static atomic64_t lpm_nodes_freed = ATOMIC64_INIT(0);

#define lpm_deref(p, lock) rcu_dereference_protected(p, lockdep_is_held(lock))

static u8 family_bits(int family)
{
	if (family == AF_INET)
		return 32;
	if (family == AF_INET6)
		return 128;
	return 0;
}

static void key_from_bytes(struct lpm_key *k, const void *addr, u8 bits)
{
	__be64 a6[2];
	__be32 a4;

	if (bits == 32) {
		memcpy(&a4, addr, sizeof(a4));
		k->hi = (u64)be32_to_cpu(a4) << 32;
		k->lo = 0;
	} else {
		memcpy(a6, addr, sizeof(a6));
		k->hi = be64_to_cpu(a6[0]);
		k->lo = be64_to_cpu(a6[1]);
	}
}

/* Clear every bit from position @cidr (0 = most significant) on. */
static void key_mask(struct lpm_key *k, unsigned int cidr)
{
	if (cidr < 64) {
		k->hi &= cidr ? ~0ULL << (64 - cidr) : 0;
		k->lo = 0;
	} else if (cidr < 128) {
		k->lo &= cidr > 64 ? ~0ULL << (128 - cidr) : 0;
	}
}

/* Bit at position @pos (< 128), 0 being the most significant. */
static unsigned int key_bit(const struct lpm_key *k, unsigned int pos)
{
	if (pos < 64)
		return (k->hi >> (63 - pos)) & 1;
	return (k->lo >> (127 - pos)) & 1;
}

/* Number of leading bits two keys share (128 when equal). */
static unsigned int key_common(const struct lpm_key *a, const struct lpm_key *b)
{
	u64 x = a->hi ^ b->hi;

	if (x)
		return 64 - fls64(x);
	return 128 - fls64(a->lo ^ b->lo);
}

static void node_key(const struct ovpnha_lpm_node *node, struct lpm_key *k)
{
	if (node->bits == 32) {
		k->hi = (u64)node->key4 << 32;
		k->lo = 0;
	} else {
		k->hi = node->key6[0];
		k->lo = node->key6[1];
	}
}

/* The node's prefix in network byte order, 16 bytes, host bits zero. */
static void node_addr(const struct ovpnha_lpm_node *node, u8 *addr)
{
	__be64 a6[2];
	__be32 a4;

	if (node->bits == 32) {
		a4 = cpu_to_be32(node->key4);
		memcpy(addr, &a4, sizeof(a4));
		memset(addr + sizeof(a4), 0, 16 - sizeof(a4));
	} else {
		a6[0] = cpu_to_be64(node->key6[0]);
		a6[1] = cpu_to_be64(node->key6[1]);
		memcpy(addr, a6, sizeof(a6));
	}
}

static struct ovpnha_lpm_node *node_alloc(u8 bits, const struct lpm_key *key,
					  u8 cidr, struct ovpnha_peer *peer,
					  bool vpn_addr)
{
	struct ovpnha_lpm_node *node;
	struct lpm_key k = *key;

	node = kmem_cache_zalloc(bits == 32 ? lpm_cache4 : lpm_cache6,
				 GFP_KERNEL);
	if (!node)
		return NULL;
	key_mask(&k, cidr);
	if (bits == 32) {
		node->key4 = k.hi >> 32;
	} else {
		node->key6[0] = k.hi;
		node->key6[1] = k.lo;
	}
	node->cidr = cidr;
	node->bits = bits;
	node->vpn_addr = vpn_addr;
	RCU_INIT_POINTER(node->peer, peer);
	atomic64_inc(&lpm_nodes_alloc);
	return node;
}

static void node_free_now(struct ovpnha_lpm_node *node)
{
	kmem_cache_free(node->bits == 32 ? lpm_cache4 : lpm_cache6, node);
	atomic64_inc(&lpm_nodes_freed);
}

static void node_free_cb(struct rcu_head *rcu)
{
	node_free_now(container_of(rcu, struct ovpnha_lpm_node, rcu));
}

static void node_free_rcu(struct ovpnha_lpm_node *node)
{
	call_rcu(&node->rcu, node_free_cb);
}

static struct ovpnha_lpm_node __rcu **lpm_root(struct ovpnha_lpm *t, u8 bits)
{
	return bits == 32 ? &t->root4 : &t->root6;
}

/* Link a new entry into its peer's list; writer side. */
static void entry_link(struct ovpnha_lpm_node *node, struct ovpnha_peer *peer)
{
	list_add_tail_rcu(&node->peer_list, &peer->lpm_list);
	if (!node->vpn_addr)
		peer->n_iroutes++;
}

static void entry_unlink(struct ovpnha_lpm_node *node, struct ovpnha_peer *peer)
{
	list_del_rcu(&node->peer_list);
	if (!node->vpn_addr)
		peer->n_iroutes--;
}

void ovpnha_lpm_init(struct ovpnha_lpm *t)
{
	RCU_INIT_POINTER(t->root4, NULL);
	RCU_INIT_POINTER(t->root6, NULL);
	RCU_INIT_POINTER(t->jump4, NULL);
	t->n4 = 0;
	t->jump_min = LPM_JUMP_MIN;
}

/* Slot @b of @j: where its walk goes on from, its longest entry so far. */
static void jump_set(struct ovpnha_lpm_jump *j, u32 lo, u32 hi,
		     struct ovpnha_lpm_node *start, struct ovpnha_lpm_node *best)
{
	u32 b;

	for (b = lo; b <= hi; b++) {
		rcu_assign_pointer(j->slot[b].start,
				   start && start->key4 >> (32 - LPM_JUMP_BITS) == b ?
				   start : NULL);
		rcu_assign_pointer(j->slot[b].best, best);
	}
}

/*
 * Refill slots @lo..@hi of @j, whose walks all reach @node next (NULL: they
 * end) with @best as their match so far.  One pass over the part of the
 * trie above /16 that covers them; the recursion is at most 16 deep.
 */
static void jump_fill_from(struct ovpnha_lpm_jump *j,
			   struct ovpnha_lpm_node *node,
			   struct ovpnha_lpm_node *best, u32 lo, u32 hi,
			   struct mutex *lock)
{
	u32 nlo, nhi, mid;

	if (!node || node->cidr >= LPM_JUMP_BITS) {
		jump_set(j, lo, hi, node, best);
		return;
	}
	nlo = node->key4 >> (32 - LPM_JUMP_BITS);
	nhi = nlo + (1U << (LPM_JUMP_BITS - node->cidr)) - 1;
	/* Slots outside the node's prefix end their walk here. */
	if (lo < nlo)
		jump_set(j, lo, min(hi, nlo - 1), NULL, best);
	if (hi > nhi)
		jump_set(j, max(lo, nhi + 1), hi, NULL, best);
	lo = max(lo, nlo);
	hi = min(hi, nhi);
	if (lo > hi)
		return;
	if (rcu_access_pointer(node->peer))
		best = node;
	mid = nlo + (1U << (LPM_JUMP_BITS - 1 - node->cidr));
	if (lo < mid)
		jump_fill_from(j, lpm_deref(node->child[0], lock), best, lo,
			       min(hi, mid - 1), lock);
	if (hi >= mid)
		jump_fill_from(j, lpm_deref(node->child[1], lock), best,
			       max(lo, mid), hi, lock);
}

static void jump_fill(struct ovpnha_lpm *t, struct ovpnha_lpm_jump *j,
		      u32 first, u32 last, struct mutex *lock)
{
	jump_fill_from(j, lpm_deref(t->root4, lock), NULL, first, last, lock);
}

/*
 * The IPv4 trie changed at or below prefix @k/@cidr: refill the slots that
 * prefix covers, or build the first level once the table is large enough.
 * Called before any node the change unlinked goes to RCU.
 */
static void jump_changed(struct ovpnha_lpm *t, const struct lpm_key *k,
			 unsigned int cidr, struct mutex *lock)
{
	struct ovpnha_lpm_jump *j = lpm_deref(t->jump4, lock);
	u32 first, span;

	if (!j) {
		if (t->n4 < t->jump_min)
			return;
		/* Failing is harmless: lookups keep starting at the root. */
		j = kvzalloc(sizeof(*j), GFP_KERNEL);
		if (!j)
			return;
		jump_fill(t, j, 0, (1U << LPM_JUMP_BITS) - 1, lock);
		rcu_assign_pointer(t->jump4, j);
		return;
	}
	span = cidr < LPM_JUMP_BITS ? 1U << (LPM_JUMP_BITS - cidr) : 1;
	first = (u32)(k->hi >> (64 - LPM_JUMP_BITS)) & ~(span - 1);
	jump_fill(t, j, first, first + span - 1, lock);
}

/*
 * Hand every node of a trie to RCU.  The pending nodes are chained through
 * their (still unused) rcu_head, so no stack array is needed; readers only
 * follow child pointers, which stay intact until the grace period ends.
 */
static void trie_free(struct ovpnha_lpm_node __rcu **root, struct mutex *lock)
{
	struct ovpnha_lpm_node *node, *child;
	struct ovpnha_peer *peer;
	struct rcu_head *todo;
	int i;

	node = lpm_deref(*root, lock);
	if (!node)
		return;
	RCU_INIT_POINTER(*root, NULL);
	node->rcu.next = NULL;
	todo = &node->rcu;
	while (todo) {
		node = container_of(todo, struct ovpnha_lpm_node, rcu);
		todo = todo->next;
		for (i = 0; i < 2; i++) {
			child = lpm_deref(node->child[i], lock);
			if (child) {
				child->rcu.next = todo;
				todo = &child->rcu;
			}
		}
		peer = lpm_deref(node->peer, lock);
		if (peer)
			entry_unlink(node, peer);
		node_free_rcu(node);
	}
}

void ovpnha_lpm_free(struct ovpnha_lpm *t, struct mutex *lock)
{
	struct ovpnha_lpm_jump *j = lpm_deref(t->jump4, lock);

	lockdep_assert_held(lock);
	/*
	 * Unpublished before the nodes it points to go to RCU.  It has no
	 * rcu_head (that would make it 1 MiB + 16 B): wait for the readers
	 * here, which only tables that grew one (1024 IPv4 entries) pay.
	 */
	RCU_INIT_POINTER(t->jump4, NULL);
	if (j) {
		synchronize_rcu();
		kvfree(j);
	}
	t->n4 = 0;
	trie_free(&t->root4, lock);
	trie_free(&t->root6, lock);
}

int ovpnha_lpm_insert(struct ovpnha_lpm *t, int family, const void *addr,
		      u8 cidr, struct ovpnha_peer *peer, bool vpn_addr,
		      struct ovpnha_peer **owner, struct mutex *lock)
{
	struct ovpnha_lpm_node *node, *newn, *glue;
	struct ovpnha_lpm_node __rcu **slot;
	struct ovpnha_peer *cur;
	u8 bits = family_bits(family);
	struct lpm_key key, nk;
	unsigned int m = 0, top;
	int i;

	lockdep_assert_held(lock);
	if (!bits)
		return -EAFNOSUPPORT;
	if (cidr > bits || !peer)
		return -EINVAL;
	key_from_bytes(&key, addr, bits);
	key_mask(&key, cidr);

	/* Descend while the node's prefix is a proper prefix of ours. */
	slot = lpm_root(t, bits);
	for (;;) {
		node = lpm_deref(*slot, lock);
		if (!node)
			break;
		node_key(node, &nk);
		m = min_t(unsigned int, key_common(&key, &nk), cidr);
		if (node->cidr > m)
			break;
		if (node->cidr == cidr) {
			cur = lpm_deref(node->peer, lock);
			if (cur) {
				if (owner)
					*owner = cur;
				return -EEXIST;
			}
			/* A glue node at this prefix: replace it. */
			newn = node_alloc(bits, &key, cidr, peer, vpn_addr);
			if (!newn)
				return -ENOMEM;
			for (i = 0; i < 2; i++)
				RCU_INIT_POINTER(newn->child[i],
						 lpm_deref(node->child[i], lock));
			rcu_assign_pointer(*slot, newn);
			entry_link(newn, peer);
			if (bits == 32) {
				t->n4++;
				jump_changed(t, &key, cidr, lock);
			}
			node_free_rcu(node);
			return 0;
		}
		slot = &node->child[key_bit(&key, node->cidr)];
	}

	newn = node_alloc(bits, &key, cidr, peer, vpn_addr);
	if (!newn)
		return -ENOMEM;
	top = cidr;
	if (!node) {
		/* Free slot: a new leaf. */
		rcu_assign_pointer(*slot, newn);
	} else if (m == cidr) {
		/* Our prefix covers the node's: slot it in above it. */
		RCU_INIT_POINTER(newn->child[key_bit(&nk, cidr)], node);
		rcu_assign_pointer(*slot, newn);
	} else {
		/* The prefixes diverge at bit m: join them with a glue node. */
		glue = node_alloc(bits, &key, m, NULL, false);
		if (!glue) {
			node_free_now(newn);
			return -ENOMEM;
		}
		RCU_INIT_POINTER(glue->child[key_bit(&key, m)], newn);
		RCU_INIT_POINTER(glue->child[key_bit(&nk, m)], node);
		rcu_assign_pointer(*slot, glue);
		top = m;
	}
	entry_link(newn, peer);
	if (bits == 32) {
		t->n4++;
		jump_changed(t, &key, top, lock);
	}
	return 0;
}

/* Find the node holding exactly @key/@cidr (glue or entry). */
static struct ovpnha_lpm_node *find_exact(struct ovpnha_lpm_node __rcu **root,
					  const struct lpm_key *key, u8 cidr,
					  struct lpm_pos *pos,
					  struct mutex *lock)
{
	struct ovpnha_lpm_node *node;
	struct lpm_key nk;

	pos->slot = root;
	pos->pslot = NULL;
	pos->parent = NULL;
	while ((node = lpm_deref(*pos->slot, lock))) {
		if (node->cidr > cidr)
			return NULL;
		node_key(node, &nk);
		if (key_common(key, &nk) < node->cidr)
			return NULL;
		if (node->cidr == cidr)
			return node;
		pos->pslot = pos->slot;
		pos->parent = node;
		pos->slot = &node->child[key_bit(key, node->cidr)];
	}
	return NULL;
}

/*
 * Take the entry @node (at @pos) out of the trie and of its peer's list.
 * The IPv4 first level is refilled before an unlinked node goes to RCU.
 */
static void entry_remove(struct ovpnha_lpm *t, struct ovpnha_lpm_node *node,
			 const struct lpm_pos *pos, struct mutex *lock)
{
	struct ovpnha_lpm_node *c0 = lpm_deref(node->child[0], lock);
	struct ovpnha_lpm_node *c1 = lpm_deref(node->child[1], lock);
	struct ovpnha_lpm_node *parent = pos->parent, *other, *gone = NULL;
	struct ovpnha_lpm_node *top = node;
	struct lpm_key k;

	entry_unlink(node, lpm_deref(node->peer, lock));
	if (node->bits == 32)
		t->n4--;
	if (c0 && c1) {
		/* Still needed as a branch point: turn it into glue. */
		RCU_INIT_POINTER(node->peer, NULL);
	} else {
		rcu_assign_pointer(*pos->slot, c0 ? c0 : c1);
		/* A glue parent left with one child is no longer needed. */
		if (!c0 && !c1 && parent && !rcu_access_pointer(parent->peer)) {
			other = lpm_deref(parent->child[0], lock);
			if (!other)
				other = lpm_deref(parent->child[1], lock);
			rcu_assign_pointer(*pos->pslot, other);
			gone = parent;
			top = parent;
		}
	}
	if (node->bits == 32) {
		node_key(top, &k);
		jump_changed(t, &k, top->cidr, lock);
	}
	if (!c0 || !c1)
		node_free_rcu(node);
	if (gone)
		node_free_rcu(gone);
}

int ovpnha_lpm_remove(struct ovpnha_lpm *t, int family, const void *addr,
		      u8 cidr, struct ovpnha_peer *peer, bool vpn_addr,
		      struct mutex *lock)
{
	u8 bits = family_bits(family);
	struct ovpnha_lpm_node *node;
	struct ovpnha_peer *cur;
	struct lpm_pos pos;
	struct lpm_key key;

	lockdep_assert_held(lock);
	if (!bits)
		return -EAFNOSUPPORT;
	if (cidr > bits)
		return -EINVAL;
	key_from_bytes(&key, addr, bits);
	key_mask(&key, cidr);

	node = find_exact(lpm_root(t, bits), &key, cidr, &pos, lock);
	cur = node ? lpm_deref(node->peer, lock) : NULL;
	if (!cur || node->vpn_addr != vpn_addr)
		return -ENOENT;
	if (peer && cur != peer)
		return -EPERM;
	entry_remove(t, node, &pos, lock);
	return 0;
}

void ovpnha_lpm_remove_by_peer(struct ovpnha_lpm *t, struct ovpnha_peer *peer,
			       struct mutex *lock)
{
	struct ovpnha_lpm_node *node, *tmp, *found;
	struct lpm_pos pos;
	struct lpm_key key;

	lockdep_assert_held(lock);
	list_for_each_entry_safe(node, tmp, &peer->lpm_list, peer_list) {
		node_key(node, &key);
		found = find_exact(lpm_root(t, node->bits), &key, node->cidr,
				   &pos, lock);
		if (WARN_ON_ONCE(found != node)) {
			/* Not in this table: at least keep the list sane. */
			entry_unlink(node, peer);
			continue;
		}
		entry_remove(t, node, &pos, lock);
	}
}

/*
 * IPv4 step: the node matches when no bit differs within its prefix, i.e.
 * (key ^ node key) >> (32 - cidr) is zero (a shift by 32 is fine in u64).
 * The child index is the bit after the prefix; for a /32 node that reads 0
 * and child[0] is NULL, which ends the walk.  @found (with *@peer) is the
 * match so far.
 */
static struct ovpnha_lpm_node *lookup4(struct ovpnha_lpm_node *node, u32 key,
				       struct ovpnha_lpm_node *found,
				       struct ovpnha_peer **peer)
{
	struct ovpnha_peer *p;

	while (node) {
		if ((u64)(key ^ node->key4) >> (32 - node->cidr))
			break;
		p = rcu_dereference(node->peer);
		if (p) {
			found = node;
			*peer = p;
		}
		node = rcu_dereference(node->child[((u64)key << node->cidr >>
						    31) & 1]);
	}
	return found;
}

static struct ovpnha_lpm_node *lookup6(struct ovpnha_lpm_node *node,
				       const struct lpm_key *key,
				       struct ovpnha_peer **peer)
{
	struct ovpnha_lpm_node *found = NULL;
	struct ovpnha_peer *p;
	u64 xh, xl;
	unsigned int common;

	while (node) {
		xh = key->hi ^ node->key6[0];
		xl = key->lo ^ node->key6[1];
		common = xh ? 64 - fls64(xh) : 128 - fls64(xl);
		if (common < node->cidr)
			break;
		p = rcu_dereference(node->peer);
		if (p) {
			found = node;
			*peer = p;
		}
		if (node->cidr == 128)
			break;
		node = rcu_dereference(node->child[key_bit(key, node->cidr)]);
	}
	return found;
}

/* IPv4 from the first level's slot, or from the root without one. */
static struct ovpnha_lpm_node *lookup_jump4(struct ovpnha_lpm *t, u32 key,
					    struct ovpnha_peer **peer)
{
	struct ovpnha_lpm_jump *j = rcu_dereference(t->jump4);
	const struct lpm_jump_slot *slot;
	struct ovpnha_lpm_node *best;

	if (j) {
		slot = &j->slot[key >> (32 - LPM_JUMP_BITS)];
		best = rcu_dereference(slot->best);
		if (best)
			*peer = rcu_dereference(best->peer);
		if (!best || *peer)
			return lookup4(rcu_dereference(slot->start), key, best,
				       peer);
	}
	return lookup4(rcu_dereference(t->root4), key, NULL, peer);
}

bool ovpnha_lpm_lookup(struct ovpnha_lpm *t, int family, const void *addr,
		       struct ovpnha_lpm_match *m)
{
	struct ovpnha_peer *peer = NULL;
	struct ovpnha_lpm_node *node;
	struct lpm_key key;
	__be32 a4;

	if (family == AF_INET) {
		memcpy(&a4, addr, sizeof(a4));
		node = lookup_jump4(t, be32_to_cpu(a4), &peer);
	} else if (family == AF_INET6) {
		key_from_bytes(&key, addr, 128);
		node = lookup6(rcu_dereference(t->root6), &key, &peer);
	} else {
		return false;
	}
	if (!node)
		return false;
	m->peer = peer;
	m->cidr = node->cidr;
	m->vpn_addr = node->vpn_addr;
	node_addr(node, m->addr);
	return true;
}

int ovpnha_lpm_walk_peer(struct ovpnha_peer *peer, unsigned long skip,
			 int (*fn)(void *ctx, int family, const u8 *addr,
				   u8 cidr, bool vpn_addr),
			 void *ctx)
{
	struct ovpnha_lpm_node *node;
	unsigned long done = 0;
	u8 addr[16];

	/* The caller holds the table mutex or rcu_read_lock(); there is no
	 * lock to name here, hence the unconditional lockdep condition.
	 */
	list_for_each_entry_rcu(node, &peer->lpm_list, peer_list, true) {
		if (done >= skip) {
			node_addr(node, addr);
			if (fn(ctx, node->bits == 32 ? AF_INET : AF_INET6,
			       addr, node->cidr, node->vpn_addr))
				break;
		}
		done++;
	}
	return done;
}

u64 ovpnha_lpm_nodes_alloc(void)
{
	return atomic64_read(&lpm_nodes_alloc);
}

u64 ovpnha_lpm_nodes_freed(void)
{
	return atomic64_read(&lpm_nodes_freed);
}

int ovpnha_lpm_cache_init(void)
{
	lpm_cache4 = kmem_cache_create("ovpnha_lpm_node",
				       sizeof(struct ovpnha_lpm_node), 0,
				       SLAB_HWCACHE_ALIGN, NULL);
	if (!lpm_cache4)
		return -ENOMEM;
	lpm_cache6 = kmem_cache_create("ovpnha_lpm_node6",
				       sizeof(struct ovpnha_lpm_node) +
				       2 * sizeof(u64), 0, 0, NULL);
	if (!lpm_cache6) {
		kmem_cache_destroy(lpm_cache4);
		lpm_cache4 = NULL;
		return -ENOMEM;
	}
	return 0;
}

void ovpnha_lpm_cache_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(lpm_cache6);
	kmem_cache_destroy(lpm_cache4);
	lpm_cache6 = NULL;
	lpm_cache4 = NULL;
}

#ifdef DEBUG
#include "selftest/lpm.c"
#endif
