/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel APIs kmod/lpm.c uses, for a single-threaded userspace
 * build of it (the host benchmark).  RCU accessors are plain loads and
 * stores, call_rcu() frees at once (no reader runs concurrently), locks and
 * lockdep are no-ops, and kmem_cache is a slab-like bump allocator so that
 * node packing (and so cache behaviour) resembles SLUB's: objects are laid
 * out back to back in large chunks, at the cache's alignment.
 */
#ifndef _LPM_HOST_KSHIM_H
#define _LPM_HOST_KSHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <endian.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint32_t __be32;
typedef uint64_t __be64;

#define __rcu

#define be32_to_cpu(x) be32toh(x)
#define be64_to_cpu(x) be64toh(x)
#define cpu_to_be32(x) htobe32(x)
#define cpu_to_be64(x) htobe64(x)

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define WARN_ON_ONCE(c) (c)

static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

typedef struct { long long counter; } atomic64_t;
#define ATOMIC64_INIT(i) { (i) }
#define atomic64_inc(a) ((a)->counter++)
#define atomic64_read(a) ((a)->counter)

struct mutex { int unused; };
#define lockdep_assert_held(l) ((void)(l))
#define lockdep_is_held(l) ((void)(l), 1)

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

#define rcu_dereference(p) (p)
#define rcu_dereference_protected(p, c) (p)
#define rcu_access_pointer(p) (p)
#define rcu_assign_pointer(p, v) ((p) = (v))
#define RCU_INIT_POINTER(p, v) ((p) = (v))
static inline void call_rcu(struct rcu_head *h, void (*f)(struct rcu_head *))
{
	f(h);
}

static inline void rcu_barrier(void) { }
static inline void synchronize_rcu(void) { }

struct list_head {
	struct list_head *next, *prev;
};

static inline void INIT_LIST_HEAD(struct list_head *l)
{
	l->next = l;
	l->prev = l;
}

static inline void list_add_tail_rcu(struct list_head *n, struct list_head *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static inline void list_del_rcu(struct list_head *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
}

#define list_entry(p, type, member) container_of(p, type, member)
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_entry((head)->next, typeof(*pos), member),	\
	     n = list_entry(pos->member.next, typeof(*pos), member);	\
	     &pos->member != (head);					\
	     pos = n, n = list_entry(n->member.next, typeof(*n), member))
#define list_for_each_entry_rcu(pos, head, member, cond)		\
	for (pos = list_entry((head)->next, typeof(*pos), member);	\
	     &pos->member != (head);					\
	     pos = list_entry(pos->member.next, typeof(*pos), member))

/* kmem_cache: fixed-size objects carved from 4 MiB chunks, with a free list. */
#define GFP_KERNEL 0
#define SLAB_HWCACHE_ALIGN 1UL

struct kmem_cache {
	const char *name;
	size_t size;		/* object size after alignment */
	char *chunk, *end;	/* current chunk */
	void *freelist;
	long objs;		/* live objects */
};

static inline struct kmem_cache *kmem_cache_create(const char *name,
						   size_t size, size_t align,
						   unsigned long flags,
						   void *ctor)
{
	struct kmem_cache *c = calloc(1, sizeof(*c));

	(void)ctor;
	if (!c)
		return NULL;
	if (flags & SLAB_HWCACHE_ALIGN)
		align = 64;
	if (align < 8)
		align = 8;
	c->name = name;
	c->size = (size + align - 1) / align * align;
	return c;
}

static inline void *kmem_cache_zalloc(struct kmem_cache *c, int gfp)
{
	enum { CHUNK = 4 << 20 };
	void *p;

	(void)gfp;
	if (c->freelist) {
		p = c->freelist;
		c->freelist = *(void **)p;
	} else {
		if (!c->chunk || c->chunk + c->size > c->end) {
			c->chunk = aligned_alloc(4096, CHUNK);
			if (!c->chunk)
				return NULL;
			c->end = c->chunk + CHUNK;
		}
		p = c->chunk;
		c->chunk += c->size;
	}
	memset(p, 0, c->size);
	c->objs++;
	return p;
}

static inline void *kvzalloc(size_t size, int gfp)
{
	return calloc(1, size);
}

static inline void kvfree(const void *p)
{
	free((void *)p);
}

static inline void kmem_cache_free(struct kmem_cache *c, void *p)
{
	*(void **)p = c->freelist;
	c->freelist = p;
	c->objs--;
}

/* Chunks are not returned: the benchmark process exits instead. */
static inline void kmem_cache_destroy(struct kmem_cache *c)
{
	free(c);
}

/* The part of struct ovpnha_peer (kmod/peer.h) that lpm.c touches. */
struct ovpnha_peer {
	struct list_head lpm_list;
	u32 n_iroutes;
};
#define _OVPNHA_PEER_H		/* keep kmod/peer.h out */

#endif /* _LPM_HOST_KSHIM_H */
