// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/lpm.c compiled unchanged for userspace: the shim comes first and
 * defines peer.h's include guard, then the real file.  Its cache pointers
 * are exported for the benchmark's node accounting.
 */
#include "kshim.h"
#include "../../kmod/lpm.c"

struct kmem_cache *lpm_host_cache(int bits)
{
	return bits == 32 ? lpm_cache4 : lpm_cache6;
}

/* Nodes a lookup of @addr visits (the loops of lookup4/lookup6, counted). */
unsigned int lpm_host_depth(struct ovpnha_lpm *t, int family, const void *addr)
{
	struct ovpnha_lpm_node *node;
	struct lpm_key key;
	unsigned int n = 0;

	key_from_bytes(&key, addr, family == AF_INET ? 32 : 128);
	node = family == AF_INET ? t->root4 : t->root6;
	if (family == AF_INET && t->jump4)	/* as lookup_jump4() */
		node = t->jump4->slot[key.hi >> (64 - LPM_JUMP_BITS)].start;
	while (node) {
		struct lpm_key nk;

		n++;
		node_key(node, &nk);
		if (key_common(&key, &nk) < node->cidr ||
		    node->cidr == node->bits)
			break;
		node = node->child[key_bit(&key, node->cidr)];
	}
	return n;
}

/* Bytes of the IPv4 first level, if the table has one. */
size_t lpm_host_jump_bytes(struct ovpnha_lpm *t, int family)
{
	return family == AF_INET && t->jump4 ? sizeof(*t->jump4) : 0;
}

size_t lpm_host_node_size(int family)
{
	return lpm_host_cache(family == AF_INET ? 32 : 128)->size;
}

long lpm_host_nodes(int family)
{
	return lpm_host_cache(family == AF_INET ? 32 : 128)->objs;
}
