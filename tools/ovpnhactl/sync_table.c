// SPDX-License-Identifier: GPL-2.0
/* Chained hash tables of the mirror; an open-addressing key set. */
#include <stdlib.h>
#include <string.h>

#include "sync_table.h"
#include "util.h"

static uint64_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static size_t peer_slot(uint32_t id, size_t n)
{
	return (size_t)(hash_bytes(&id, sizeof(id)) & (n - 1));
}

static size_t route_slot(const struct sync_prefix *p, size_t n)
{
	return (size_t)(hash_bytes(p, sizeof(*p)) & (n - 1));
}

void mirror_init(struct mirror *m)
{
	memset(m, 0, sizeof(*m));
	m->npb = m->nrb = 1024;
	m->pb = calloc(m->npb, sizeof(struct mpeer *));
	m->rb = calloc(m->nrb, sizeof(struct mroute *));
	if (!m->pb || !m->rb) {
		fputs("ovpnhactl: out of memory\n", stderr);
		exit(1);
	}
}

void mirror_clear(struct mirror *m)
{
	for (size_t i = 0; i < m->npb; i++) {
		struct mpeer *p = m->pb[i], *n;

		for (; p; p = n) {
			n = p->hnext;
			free(p->attrs);
			free(p);
		}
	}
	for (size_t i = 0; i < m->nrb; i++) {
		struct mroute *r = m->rb[i], *n;

		for (; r; r = n) {
			n = r->hnext;
			free(r);
		}
	}
	free(m->pb);
	free(m->rb);
	mirror_init(m);
}

static void grow_peers(struct mirror *m)
{
	size_t n = m->npb * 2;
	struct mpeer **nb = calloc(n, sizeof(struct mpeer *));

	if (!nb)
		return;		/* stays correct, only slower */
	for (size_t i = 0; i < m->npb; i++) {
		struct mpeer *p = m->pb[i], *next;

		for (; p; p = next) {
			size_t s = peer_slot(p->id, n);

			next = p->hnext;
			p->hnext = nb[s];
			nb[s] = p;
		}
	}
	free(m->pb);
	m->pb = nb;
	m->npb = n;
}

static void grow_routes(struct mirror *m)
{
	size_t n = m->nrb * 2;
	struct mroute **nb = calloc(n, sizeof(struct mroute *));

	if (!nb)
		return;
	for (size_t i = 0; i < m->nrb; i++) {
		struct mroute *r = m->rb[i], *next;

		for (; r; r = next) {
			size_t s = route_slot(&r->pfx, n);

			next = r->hnext;
			r->hnext = nb[s];
			nb[s] = r;
		}
	}
	free(m->rb);
	m->rb = nb;
	m->nrb = n;
}

struct mpeer *mirror_peer(const struct mirror *m, uint32_t id)
{
	struct mpeer *p = m->pb[peer_slot(id, m->npb)];

	while (p && p->id != id)
		p = p->hnext;
	return p;
}

struct mpeer *mirror_peer_set(struct mirror *m, uint32_t id, uint8_t origin,
			      const uint8_t *attrs, size_t alen)
{
	struct mpeer *p = mirror_peer(m, id);

	if (!p) {
		size_t s;

		if (m->npeers >= m->npb)
			grow_peers(m);
		p = xrealloc(NULL, sizeof(*p));
		memset(p, 0, sizeof(*p));
		p->id = id;
		s = peer_slot(id, m->npb);
		p->hnext = m->pb[s];
		m->pb[s] = p;
		m->npeers++;
	}
	p->origin = origin;
	p->attrs = xrealloc(p->attrs, alen);
	memcpy(p->attrs, attrs, alen);
	p->alen = (uint16_t)alen;
	return p;
}

static void route_unlink(struct mirror *m, struct mroute *r)
{
	struct mroute **pp = &m->rb[route_slot(&r->pfx, m->nrb)];
	struct mpeer *owner = mirror_peer(m, r->peer_id);

	while (*pp && *pp != r)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = r->hnext;
	*r->pprev = r->pnext;
	if (r->pnext)
		r->pnext->pprev = r->pprev;
	if (owner)
		owner->nroutes--;
	m->nroutes--;
}

int mirror_peer_del(struct mirror *m, uint32_t id)
{
	struct mpeer **pp = &m->pb[peer_slot(id, m->npb)], *p;

	while (*pp && (*pp)->id != id)
		pp = &(*pp)->hnext;
	p = *pp;
	if (!p)
		return -1;
	for (struct mroute *r = p->routes, *next; r; r = next) {
		next = r->pnext;
		route_unlink(m, r);
		free(r);
	}
	*pp = p->hnext;
	free(p->attrs);
	free(p);
	m->npeers--;
	return 0;
}

struct mroute *mirror_route(const struct mirror *m,
			    const struct sync_prefix *p)
{
	struct mroute *r = m->rb[route_slot(p, m->nrb)];

	while (r && memcmp(&r->pfx, p, sizeof(*p)))
		r = r->hnext;
	return r;
}

int mirror_route_set(struct mirror *m, const struct sync_prefix *p,
		     uint32_t peer_id)
{
	struct mpeer *owner = mirror_peer(m, peer_id);
	struct mroute *r;
	size_t s;

	if (!owner)
		return -1;
	r = mirror_route(m, p);
	if (r && r->peer_id == peer_id)
		return 0;
	if (r) {
		route_unlink(m, r);
	} else {
		if (m->nroutes >= m->nrb)
			grow_routes(m);
		r = xrealloc(NULL, sizeof(*r));
		memset(r, 0, sizeof(*r));
		r->pfx = *p;
	}
	s = route_slot(p, m->nrb);
	r->hnext = m->rb[s];
	m->rb[s] = r;
	r->peer_id = peer_id;
	r->pnext = owner->routes;
	if (r->pnext)
		r->pnext->pprev = &r->pnext;
	r->pprev = &owner->routes;
	owner->routes = r;
	owner->nroutes++;
	m->nroutes++;
	return 0;
}

int mirror_route_del(struct mirror *m, const struct sync_prefix *p)
{
	struct mroute *r = mirror_route(m, p);

	if (!r)
		return -1;
	route_unlink(m, r);
	free(r);
	return 0;
}

int mirror_each_peer(const struct mirror *m,
		     int (*fn)(struct mpeer *p, void *arg), void *arg)
{
	for (size_t i = 0; i < m->npb; i++) {
		struct mpeer *p = m->pb[i], *next;
		int r;

		for (; p; p = next) {
			next = p->hnext;
			r = fn(p, arg);
			if (r)
				return r;
		}
	}
	return 0;
}

/* ---- key set ---- */

#define KSLOT (KSET_KEY + 1)

void kset_init(struct kset *s)
{
	memset(s, 0, sizeof(*s));
}

void kset_free(struct kset *s)
{
	free(s->keys);
	kset_init(s);
}

static uint8_t *kset_find(const struct kset *s, const uint8_t *k)
{
	size_t i = (size_t)hash_bytes(k, KSET_KEY) & (s->cap - 1);

	for (;; i = (i + 1) & (s->cap - 1)) {
		uint8_t *e = s->keys + i * KSLOT;

		if (!e[0] || !memcmp(e + 1, k, KSET_KEY))
			return e;
	}
}

static void kset_grow(struct kset *s)
{
	struct kset n = { .cap = s->cap ? s->cap * 2 : 1024 };

	n.keys = calloc(n.cap, KSLOT);
	if (!n.keys) {
		fputs("ovpnhactl: out of memory\n", stderr);
		exit(1);
	}
	for (size_t i = 0; i < s->cap; i++) {
		uint8_t *e = s->keys + i * KSLOT;

		if (e[0])
			memcpy(kset_find(&n, e + 1), e, KSLOT);
	}
	n.n = s->n;
	free(s->keys);
	*s = n;
}

int kset_add(struct kset *s, const void *key, size_t len)
{
	uint8_t k[KSET_KEY] = { 0 }, *e;

	memcpy(k, key, len < KSET_KEY ? len : KSET_KEY);
	if ((s->n + 1) * 2 > s->cap)
		kset_grow(s);
	e = kset_find(s, k);
	if (e[0])
		return 0;
	e[0] = 1;
	memcpy(e + 1, k, KSET_KEY);
	s->n++;
	return 1;
}

int kset_has(const struct kset *s, const void *key, size_t len)
{
	uint8_t k[KSET_KEY] = { 0 };

	if (!s->cap)
		return 0;
	memcpy(k, key, len < KSET_KEY ? len : KSET_KEY);
	return kset_find(s, k)[0];
}
