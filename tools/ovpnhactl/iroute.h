/* SPDX-License-Identifier: GPL-2.0 */
/* Iroute dumps, shared by `iroute show` and `peer show`. */
#ifndef OVPNHACTL_IROUTE_H
#define OVPNHACTL_IROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct iroute {
	uint32_t peer;
	uint32_t order;		/* position in the dump, keeps sorting stable */
	struct prefix pfx;
};

struct iroute_list {
	struct iroute *v;
	size_t n, cap;
	bool filter;		/* only the iroutes of .peer */
	uint32_t peer;
};

/* One IROUTE_GET dump (of one peer if @peer), appended; 0 or -errno. */
int iroute_dump(const uint32_t *peer, struct iroute_list *l);
/* Sort by peer, keeping dump order within a peer. */
void iroute_list_sort(struct iroute_list *l);
/* The sorted list's entries of @peer: first one, count in *n (or NULL). */
const struct iroute *iroute_list_find(const struct iroute_list *l,
				      uint32_t peer, size_t *n);
void iroute_list_free(struct iroute_list *l);

#endif
