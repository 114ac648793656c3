// SPDX-License-Identifier: GPL-2.0
/*
 * Debug self-test of the LPM trie, #included at the end of lpm.c when DEBUG
 * is defined.  The trie is checked against a deliberately naive model (an
 * array of prefixes, linear scan for the longest match) on random inserts,
 * removals and lookups of both families, after a few hand-written cases.
 * Its structure is also checked (prefix nesting, child slots, glue nodes
 * with two children, host bits zero), and so is node accounting.
 */

#include <linux/random.h>
#include <linux/vmalloc.h>

enum {
	ST_PEERS = 8,
	ST_MAX = 4096,		/* model capacity */
	ST_OPS = 12000,
	ST_CHECK_EVERY = 1000,
};

struct st_entry {
	struct ovpnha_peer *peer;
	int family;
	u8 addr[16];		/* network order, host bits zero */
	u8 cidr;
	bool vpn_addr;
};

struct st_ctx {
	struct ovpnha_lpm t;
	struct mutex lock;	/* the table mutex of the test table */
	struct ovpnha_peer *peers[ST_PEERS];
	struct st_entry *e;
	unsigned int n;
	unsigned int lookups;
	bool ok;
};

#define st_fail(c, fmt, ...) do {					\
		pr_err("ovpnha: lpm self-test: %s:%d: " fmt "\n",	\
		       __func__, __LINE__, ##__VA_ARGS__);		\
		(c)->ok = false;					\
	} while (0)

static u32 st_rand(u32 n)
{
	return n ? get_random_u32() % n : 0;
}

static unsigned int st_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static void st_mask(u8 *addr, unsigned int len, unsigned int cidr)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		if (cidr >= 8 * (i + 1))
			continue;
		if (cidr <= 8 * i)
			addr[i] = 0;
		else
			addr[i] &= 0xff << (8 - (cidr - 8 * i));
	}
}

/* Naive prefix test: whole bytes, then the bits of a partial byte. */
static bool st_covers(const u8 *prefix, u8 cidr, const u8 *addr)
{
	unsigned int full = cidr / 8, rest = cidr % 8;

	if (memcmp(prefix, addr, full))
		return false;
	return !rest || !((prefix[full] ^ addr[full]) & (0xff << (8 - rest)));
}

static int st_find(struct st_ctx *c, int family, const u8 *addr, u8 cidr)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (c->e[i].family == family && c->e[i].cidr == cidr &&
		    !memcmp(c->e[i].addr, addr, st_len(family)))
			return i;
	return -1;
}

static struct st_entry *st_longest(struct st_ctx *c, int family, const u8 *addr)
{
	struct st_entry *best = NULL;
	unsigned int i;

	for (i = 0; i < c->n; i++) {
		if (c->e[i].family != family ||
		    !st_covers(c->e[i].addr, c->e[i].cidr, addr))
			continue;
		if (!best || c->e[i].cidr > best->cidr)
			best = &c->e[i];
	}
	return best;
}

static void st_drop(struct st_ctx *c, unsigned int i)
{
	c->e[i] = c->e[--c->n];
}

/* Insert into both, compare the outcome. */
static void st_insert(struct st_ctx *c, int family, const u8 *raw, u8 cidr,
		      struct ovpnha_peer *peer, bool vpn_addr)
{
	struct ovpnha_peer *owner = NULL;
	u8 addr[16] = {};
	int idx, ret, want;

	memcpy(addr, raw, st_len(family));
	st_mask(addr, st_len(family), cidr);
	idx = st_find(c, family, addr, cidr);
	want = idx >= 0 ? -EEXIST : 0;
	if (idx < 0 && c->n == ST_MAX)
		return;
	mutex_lock(&c->lock);
	ret = ovpnha_lpm_insert(&c->t, family, raw, cidr, peer, vpn_addr,
				&owner, &c->lock);
	mutex_unlock(&c->lock);
	if (ret != want) {
		st_fail(c, "insert af %d /%u: %d, want %d", family, cidr, ret,
			want);
		return;
	}
	if (ret == -EEXIST && owner != c->e[idx].peer)
		st_fail(c, "insert -EEXIST names the wrong owner");
	if (ret)
		return;
	c->e[c->n].peer = peer;
	c->e[c->n].family = family;
	memcpy(c->e[c->n].addr, addr, 16);
	c->e[c->n].cidr = cidr;
	c->e[c->n].vpn_addr = vpn_addr;
	c->n++;
}

static void st_remove(struct st_ctx *c, int family, const u8 *raw, u8 cidr,
		      struct ovpnha_peer *peer, bool vpn_addr)
{
	u8 addr[16] = {};
	int idx, ret, want;

	memcpy(addr, raw, st_len(family));
	st_mask(addr, st_len(family), cidr);
	idx = st_find(c, family, addr, cidr);
	if (idx < 0 || c->e[idx].vpn_addr != vpn_addr)
		want = -ENOENT;
	else if (peer && c->e[idx].peer != peer)
		want = -EPERM;
	else
		want = 0;
	mutex_lock(&c->lock);
	ret = ovpnha_lpm_remove(&c->t, family, raw, cidr, peer, vpn_addr,
				&c->lock);
	mutex_unlock(&c->lock);
	if (ret != want)
		st_fail(c, "remove af %d /%u: %d, want %d", family, cidr, ret,
			want);
	else if (!ret)
		st_drop(c, idx);
}

static void st_remove_peer(struct st_ctx *c, struct ovpnha_peer *peer)
{
	unsigned int i;

	mutex_lock(&c->lock);
	ovpnha_lpm_remove_by_peer(&c->t, peer, &c->lock);
	mutex_unlock(&c->lock);
	for (i = 0; i < c->n;) {
		if (c->e[i].peer == peer)
			st_drop(c, i);
		else
			i++;
	}
	if (!list_empty(&peer->lpm_list) || peer->n_iroutes)
		st_fail(c, "remove_by_peer left entries (%u iroutes)",
			peer->n_iroutes);
}

static void st_lookup(struct st_ctx *c, int family, const u8 *addr)
{
	struct ovpnha_lpm_match m;
	struct st_entry *want;
	bool found;

	want = st_longest(c, family, addr);
	memset(&m, 0xa5, sizeof(m));
	rcu_read_lock();
	found = ovpnha_lpm_lookup(&c->t, family, addr, &m);
	rcu_read_unlock();
	c->lookups++;
	if (found != !!want) {
		st_fail(c, "lookup af %d %*phN: found %d, want %d", family,
			st_len(family), addr, found, !!want);
		return;
	}
	if (!found)
		return;
	if (m.peer != want->peer || m.cidr != want->cidr ||
	    m.vpn_addr != want->vpn_addr ||
	    memcmp(m.addr, want->addr, 16))
		st_fail(c, "lookup af %d %*phN: got %*phN/%u vpn %d, want %*phN/%u vpn %d",
			family, st_len(family), addr, st_len(family), m.addr,
			m.cidr, m.vpn_addr, st_len(family), want->addr,
			want->cidr, want->vpn_addr);
}

/* Expected lookup result given by hand (NULL: no match). */
static void st_expect(struct st_ctx *c, int family, const void *addr,
		      struct ovpnha_peer *peer, u8 cidr, bool vpn_addr)
{
	struct ovpnha_lpm_match m;
	bool found;

	rcu_read_lock();
	found = ovpnha_lpm_lookup(&c->t, family, addr, &m);
	rcu_read_unlock();
	if (found != !!peer)
		st_fail(c, "af %d %*phN: found %d, want %d", family,
			st_len(family), addr, found, !!peer);
	else if (found && (m.peer != peer || m.cidr != cidr ||
			   m.vpn_addr != vpn_addr))
		st_fail(c, "af %d %*phN: got /%u vpn %d, want /%u vpn %d",
			family, st_len(family), addr, m.cidr, m.vpn_addr, cidr,
			vpn_addr);
}

struct st_walk {
	struct st_ctx *c;
	struct ovpnha_peer *peer;
	unsigned int seen;
	unsigned int stop_at;	/* refuse the entry with this index */
};

static int st_walk_fn(void *ctx, int family, const u8 *addr, u8 cidr,
		      bool vpn_addr)
{
	struct st_walk *w = ctx;
	int idx;

	if (w->seen == w->stop_at)
		return 1;
	w->seen++;
	idx = st_find(w->c, family, addr, cidr);
	if (idx < 0 || w->c->e[idx].peer != w->peer ||
	    w->c->e[idx].vpn_addr != vpn_addr)
		st_fail(w->c, "walk: af %d %*phN/%u not the peer's", family,
			st_len(family), addr, cidr);
	return 0;
}

/* Per peer: the walk matches the model, n_iroutes too. */
static void st_check_peers(struct st_ctx *c)
{
	unsigned int p, i, n, iroutes;
	struct st_walk w;
	int ret;

	for (p = 0; p < ST_PEERS; p++) {
		n = 0;
		iroutes = 0;
		for (i = 0; i < c->n; i++) {
			if (c->e[i].peer != c->peers[p])
				continue;
			n++;
			iroutes += !c->e[i].vpn_addr;
		}
		w = (struct st_walk){ c, c->peers[p], 0, UINT_MAX };
		mutex_lock(&c->lock);
		ret = ovpnha_lpm_walk_peer(c->peers[p], 0, st_walk_fn, &w);
		mutex_unlock(&c->lock);
		if (ret != n || w.seen != n)
			st_fail(c, "peer %u: walked %d/%u entries, want %u", p,
				ret, w.seen, n);
		if (c->peers[p]->n_iroutes != iroutes)
			st_fail(c, "peer %u: n_iroutes %u, want %u", p,
				c->peers[p]->n_iroutes, iroutes);
	}
}

/*
 * Structure of one trie, iteratively (pending nodes chained through their
 * rcu_head, which is unused while a node is in the trie).  Returns the
 * number of entries.
 */
static unsigned int st_check_trie(struct st_ctx *c,
				  struct ovpnha_lpm_node __rcu **root, u8 bits)
{
	struct ovpnha_lpm_node *node, *child;
	struct lpm_key k, ck, mk;
	struct rcu_head *todo;
	unsigned int entries = 0, i;

	node = lpm_deref(*root, &c->lock);
	if (!node)
		return 0;
	node->rcu.next = NULL;
	todo = &node->rcu;
	while (todo) {
		node = container_of(todo, struct ovpnha_lpm_node, rcu);
		todo = todo->next;
		node->rcu.next = NULL;
		node_key(node, &k);
		mk = k;
		key_mask(&mk, node->cidr);
		if (node->bits != bits || node->cidr > bits ||
		    mk.hi != k.hi || mk.lo != k.lo) {
			st_fail(c, "bad node /%u bits %u", node->cidr,
				node->bits);
			return entries;
		}
		if (rcu_access_pointer(node->peer))
			entries++;
		else if (!rcu_access_pointer(node->child[0]) ||
			 !rcu_access_pointer(node->child[1]))
			st_fail(c, "glue node /%u with < 2 children",
				node->cidr);
		for (i = 0; i < 2; i++) {
			child = lpm_deref(node->child[i], &c->lock);
			if (!child)
				continue;
			node_key(child, &ck);
			if (child->cidr <= node->cidr ||
			    key_common(&k, &ck) < node->cidr ||
			    key_bit(&ck, node->cidr) != i) {
				st_fail(c, "child /%u misplaced under /%u",
					child->cidr, node->cidr);
				return entries;
			}
			child->rcu.next = todo;
			todo = &child->rcu;
		}
	}
	return entries;
}

/* Slot @b of the IPv4 first level, the slow way: a walk from the root. */
static void st_jump_slot(struct st_ctx *c, u32 b, struct ovpnha_lpm_node **start,
			 struct ovpnha_lpm_node **best)
{
	struct ovpnha_lpm_node *node = lpm_deref(c->t.root4, &c->lock);
	u32 key = b << (32 - LPM_JUMP_BITS);

	*best = NULL;
	while (node && node->cidr < LPM_JUMP_BITS) {
		if ((u64)(key ^ node->key4) >> (32 - node->cidr)) {
			node = NULL;
			break;
		}
		if (rcu_access_pointer(node->peer))
			*best = node;
		node = lpm_deref(node->child[(key << node->cidr >> 31) & 1],
				 &c->lock);
	}
	if (node && (key ^ node->key4) >> (32 - LPM_JUMP_BITS))
		node = NULL;
	*start = node;
}

/* Every slot of the IPv4 first level as a walk from the root finds it. */
static void st_check_jump(struct st_ctx *c, unsigned int n4)
{
	struct ovpnha_lpm_jump *j = lpm_deref(c->t.jump4, &c->lock);
	struct ovpnha_lpm_node *start, *best;
	u32 b;

	if (c->t.n4 != n4)
		st_fail(c, "n4 %u, model %u", c->t.n4, n4);
	if (!j) {
		if (n4 && n4 >= c->t.jump_min)
			st_fail(c, "%u IPv4 entries and no first level", n4);
		return;
	}
	for (b = 0; b < 1U << LPM_JUMP_BITS; b++) {
		st_jump_slot(c, b, &start, &best);
		if (rcu_access_pointer(j->slot[b].start) != start ||
		    rcu_access_pointer(j->slot[b].best) != best) {
			st_fail(c, "first level slot %u stale", b);
			break;
		}
	}
}

static void st_check_all(struct st_ctx *c)
{
	unsigned int i, n4 = 0, n6 = 0, got4, got6;

	for (i = 0; i < c->n; i++) {
		if (c->e[i].family == AF_INET)
			n4++;
		else
			n6++;
	}
	mutex_lock(&c->lock);
	got4 = st_check_trie(c, &c->t.root4, 32);
	got6 = st_check_trie(c, &c->t.root6, 128);
	st_check_jump(c, n4);
	mutex_unlock(&c->lock);
	if (got4 != n4 || got6 != n6)
		st_fail(c, "trie holds %u+%u entries, model %u+%u", got4, got6,
			n4, n6);
	st_check_peers(c);
}

/* A random address; often sharing a leading part with a model entry. */
static void st_rand_addr(struct st_ctx *c, int family, u8 *addr)
{
	unsigned int len = st_len(family), i, keep;
	const struct st_entry *e;

	get_random_bytes(addr, 16);
	if (!c->n || st_rand(4) == 0)
		return;
	e = &c->e[st_rand(c->n)];
	if (e->family != family)
		return;
	keep = st_rand(8 * len + 1);
	if (st_rand(2))
		keep = max_t(unsigned int, keep, e->cidr);
	for (i = 0; i < keep; i++) {
		u8 bit = 0x80 >> (i % 8);

		addr[i / 8] = (addr[i / 8] & ~bit) | (e->addr[i / 8] & bit);
	}
}

static u8 st_rand_cidr(int family)
{
	u32 r = st_rand(100);

	if (family == AF_INET) {
		if (r < 5)
			return st_rand(8);
		if (r < 20)
			return 32;
		return 8 + st_rand(25);
	}
	if (r < 5)
		return st_rand(16);
	if (r < 20)
		return 128;
	if (r < 70)
		return 16 + st_rand(49);
	return 64 + st_rand(65);
}

static void st_random(struct st_ctx *c)
{
	struct ovpnha_peer *peer;
	unsigned int op, i;
	u8 addr[16], cidr;
	int family, idx;
	bool vpn;

	for (op = 0; op < ST_OPS && c->ok; op++) {
		family = st_rand(2) ? AF_INET : AF_INET6;
		peer = c->peers[st_rand(ST_PEERS)];
		i = st_rand(1000);
		if (i < 500) {
			st_rand_addr(c, family, addr);
			cidr = st_rand_cidr(family);
			vpn = cidr == 8 * st_len(family) && st_rand(3) == 0;
			st_insert(c, family, addr, cidr, peer, vpn);
		} else if (i < 620 && c->n) {
			/* An existing entry, owner and flag sometimes wrong. */
			idx = st_rand(c->n);
			family = c->e[idx].family;
			memcpy(addr, c->e[idx].addr, 16);
			if (st_rand(2))	/* host bits must not matter */
				addr[st_len(family) - 1] ^= st_rand(256);
			cidr = c->e[idx].cidr;
			vpn = c->e[idx].vpn_addr ^ (st_rand(8) == 0);
			if (st_rand(3) == 0)
				peer = NULL;
			else if (st_rand(2))
				peer = c->e[idx].peer;
			st_remove(c, family, addr, cidr, peer, vpn);
		} else if (i < 660) {
			st_rand_addr(c, family, addr);
			st_remove(c, family, addr, st_rand_cidr(family),
				  st_rand(2) ? peer : NULL, st_rand(4) == 0);
		} else if (i < 663) {
			st_remove_peer(c, peer);
		} else {
			for (i = 0; i < 4; i++) {
				st_rand_addr(c, family, addr);
				st_lookup(c, family, addr);
			}
		}
		if (op % ST_CHECK_EVERY == 0)
			st_check_all(c);
	}
	st_check_all(c);
}

/* w0:w1::w7 */
static u8 *st_ip6(u8 *v6, u16 w0, u16 w1, u16 w7)
{
	memset(v6, 0, 16);
	v6[0] = w0 >> 8;
	v6[1] = w0 & 0xff;
	v6[2] = w1 >> 8;
	v6[3] = w1 & 0xff;
	v6[14] = w7 >> 8;
	v6[15] = w7 & 0xff;
	return v6;
}

static void st_handwritten(struct st_ctx *c)
{
	struct ovpnha_peer *a = c->peers[0], *b = c->peers[1];
	struct ovpnha_peer *p = c->peers[2], *d = c->peers[3];
	struct ovpnha_peer *owner = NULL;
	u8 v4[4], v6[16];

#define IP4(x, y, z, w) ({ v4[0] = x; v4[1] = y; v4[2] = z; v4[3] = w; v4; })
#define IP6(w0, w1, w7) st_ip6(v6, w0, w1, w7)
#define INS(af, ad, cidr, peer, vpn) \
	ovpnha_lpm_insert(&c->t, af, ad, cidr, peer, vpn, &owner, &c->lock)
#define DEL(af, ad, cidr, peer, vpn) \
	ovpnha_lpm_remove(&c->t, af, ad, cidr, peer, vpn, &c->lock)
#define CHECK(cond) do {					\
		if (!(cond))					\
			st_fail(c, "failed: %s", #cond);	\
	} while (0)

	mutex_lock(&c->lock);
	st_expect(c, AF_INET, IP4(1, 2, 3, 4), NULL, 0, false);
	CHECK(INS(AF_INET, IP4(0, 0, 0, 0), 0, a, false) == 0);
	CHECK(INS(AF_INET, IP4(10, 0, 0, 0), 8, b, false) == 0);
	CHECK(INS(AF_INET, IP4(10, 1, 0, 0), 16, p, false) == 0);
	CHECK(INS(AF_INET, IP4(10, 1, 2, 3), 32, d, true) == 0);
	st_expect(c, AF_INET, IP4(1, 2, 3, 4), a, 0, false);
	st_expect(c, AF_INET, IP4(10, 1, 2, 3), d, 32, true);
	st_expect(c, AF_INET, IP4(10, 1, 2, 4), p, 16, false);
	st_expect(c, AF_INET, IP4(10, 2, 0, 0), b, 8, false);
	st_expect(c, AF_INET, IP4(11, 0, 0, 0), a, 0, false);
	CHECK(INS(AF_INET, IP4(10, 1, 99, 99), 16, b, false) == -EEXIST);
	CHECK(owner == p);
	CHECK(INS(AF_INET, IP4(10, 1, 0, 0), 33, b, false) == -EINVAL);
	CHECK(INS(AF_INET, IP4(10, 1, 0, 0), 24, NULL, false) == -EINVAL);
	CHECK(INS(AF_UNSPEC, IP4(10, 1, 0, 0), 24, b, false) == -EAFNOSUPPORT);
	CHECK(a->n_iroutes == 1 && d->n_iroutes == 0);

	/* Delete the middle of 10/8 > 10.1/16 > 10.1.2.3/32. */
	CHECK(DEL(AF_INET, IP4(10, 1, 0, 0), 16, b, false) == -EPERM);
	CHECK(DEL(AF_INET, IP4(10, 1, 0, 0), 16, p, true) == -ENOENT);
	CHECK(DEL(AF_INET, IP4(10, 1, 0, 0), 16, p, false) == 0);
	CHECK(DEL(AF_INET, IP4(10, 1, 0, 0), 16, p, false) == -ENOENT);
	CHECK(DEL(AF_INET, IP4(10, 1, 0, 0), 17, NULL, false) == -ENOENT);
	st_expect(c, AF_INET, IP4(10, 1, 2, 4), b, 8, false);
	st_expect(c, AF_INET, IP4(10, 1, 2, 3), d, 32, true);
	/* An iroute delete cannot remove a virtual address. */
	CHECK(DEL(AF_INET, IP4(10, 1, 2, 3), 32, d, false) == -ENOENT);
	CHECK(DEL(AF_INET, IP4(10, 1, 2, 3), 32, NULL, true) == 0);
	st_expect(c, AF_INET, IP4(10, 1, 2, 3), b, 8, false);
	CHECK(DEL(AF_INET, IP4(0, 0, 0, 0), 0, a, false) == 0);
	st_expect(c, AF_INET, IP4(11, 0, 0, 0), NULL, 0, false);

	/* Two /24s make a glue /23; then the /23 itself is inserted. */
	CHECK(INS(AF_INET, IP4(192, 168, 0, 0), 24, a, false) == 0);
	CHECK(INS(AF_INET, IP4(192, 168, 1, 0), 24, b, false) == 0);
	st_expect(c, AF_INET, IP4(192, 168, 2, 1), NULL, 0, false);
	CHECK(DEL(AF_INET, IP4(192, 168, 0, 0), 23, NULL, false) == -ENOENT);
	CHECK(INS(AF_INET, IP4(192, 168, 1, 1), 23, p, false) == 0);
	st_expect(c, AF_INET, IP4(192, 168, 1, 7), b, 24, false);
	CHECK(DEL(AF_INET, IP4(192, 168, 1, 0), 24, b, false) == 0);
	st_expect(c, AF_INET, IP4(192, 168, 1, 7), p, 23, false);
	st_expect(c, AF_INET, IP4(192, 168, 0, 7), a, 24, false);
	st_expect(c, AF_INET, IP4(192, 168, 2, 7), NULL, 0, false);

	/* IPv6: ::/0, 2001:db8::/32, 2001:db8::1/128, host bits ignored. */
	CHECK(INS(AF_INET6, IP6(0, 0, 0), 0, a, false) == 0);
	CHECK(INS(AF_INET6, IP6(0x2001, 0xdb8, 0x77), 32, b, false) == 0);
	CHECK(INS(AF_INET6, IP6(0x2001, 0xdb8, 1), 128, d, true) == 0);
	CHECK(INS(AF_INET6, IP6(0x2001, 0xdb8, 1), 129, d, true) == -EINVAL);
	CHECK(INS(AF_INET6, IP6(0x2001, 0xdb8, 0), 32, p, false) == -EEXIST);
	CHECK(owner == b);
	st_expect(c, AF_INET6, IP6(0x2001, 0xdb8, 1), d, 128, true);
	st_expect(c, AF_INET6, IP6(0x2001, 0xdb8, 2), b, 32, false);
	st_expect(c, AF_INET6, IP6(0x2001, 0xdb9, 1), a, 0, false);
	/* The families do not see each other. */
	st_expect(c, AF_INET, IP4(0x20, 0x01, 0x0d, 0xb8), NULL, 0, false);
	CHECK(DEL(AF_INET6, IP6(0x2001, 0xdb8, 1), 128, NULL, false) == -ENOENT);
	CHECK(DEL(AF_INET6, IP6(0x2001, 0xdb8, 1), 128, b, true) == -EPERM);
	CHECK(DEL(AF_INET6, IP6(0x2001, 0xdb8, 0), 32, b, false) == 0);
	st_expect(c, AF_INET6, IP6(0x2001, 0xdb8, 2), a, 0, false);
	st_expect(c, AF_INET6, IP6(0x2001, 0xdb8, 1), d, 128, true);

	/* Everything goes with remove_by_peer; the tries end up empty. */
	ovpnha_lpm_remove_by_peer(&c->t, a, &c->lock);
	ovpnha_lpm_remove_by_peer(&c->t, b, &c->lock);
	ovpnha_lpm_remove_by_peer(&c->t, p, &c->lock);
	ovpnha_lpm_remove_by_peer(&c->t, d, &c->lock);
	CHECK(!rcu_access_pointer(c->t.root4));
	CHECK(!rcu_access_pointer(c->t.root6));
	CHECK(list_empty(&a->lpm_list) && !a->n_iroutes);
	CHECK(list_empty(&p->lpm_list) && !p->n_iroutes);
	mutex_unlock(&c->lock);

#undef IP4
#undef IP6
#undef INS
#undef DEL
#undef CHECK
}

/* walk_peer: skip and resume semantics. */
static void st_walk_resume(struct st_ctx *c)
{
	struct ovpnha_peer *peer = c->peers[4];
	struct st_walk w;
	unsigned int i;
	u8 addr[16] = {};
	int ret;

	for (i = 0; i < 5; i++) {
		addr[0] = 10;
		addr[1] = i;
		st_insert(c, AF_INET, addr, 16, peer, false);
	}
	mutex_lock(&c->lock);
	w = (struct st_walk){ c, peer, 0, 2 };
	ret = ovpnha_lpm_walk_peer(peer, 0, st_walk_fn, &w);
	if (ret != 2 || w.seen != 2)
		st_fail(c, "walk stopped at %d (%u seen), want 2", ret, w.seen);
	w = (struct st_walk){ c, peer, 0, UINT_MAX };
	ret = ovpnha_lpm_walk_peer(peer, ret, st_walk_fn, &w);
	if (ret != 5 || w.seen != 3)
		st_fail(c, "resumed walk ended at %d (%u seen), want 5", ret,
			w.seen);
	mutex_unlock(&c->lock);
	st_remove_peer(c, peer);
}

bool ovpnha_lpm_selftest(void)
{
	u64 alloc0 = ovpnha_lpm_nodes_alloc(), freed0 = ovpnha_lpm_nodes_freed();
	struct st_ctx *c;
	unsigned int i;
	u64 alloc, freed;
	bool ok;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		goto nomem;
	c->e = vzalloc(ST_MAX * sizeof(*c->e));
	if (!c->e)
		goto nomem;
	for (i = 0; i < ST_PEERS; i++) {
		c->peers[i] = kzalloc(sizeof(*c->peers[i]), GFP_KERNEL);
		if (!c->peers[i])
			goto nomem;
		INIT_LIST_HEAD(&c->peers[i]->lpm_list);
	}
	c->ok = true;
	mutex_init(&c->lock);
	ovpnha_lpm_init(&c->t);

	st_handwritten(c);
	st_walk_resume(c);
	st_check_all(c);
	/* The random part with the IPv4 first level from the first entry. */
	c->t.jump_min = 0;
	if (c->ok)
		st_random(c);

	/* Leave a full table to ovpnha_lpm_free(). */
	mutex_lock(&c->lock);
	ovpnha_lpm_free(&c->t, &c->lock);
	if (rcu_access_pointer(c->t.root4) || rcu_access_pointer(c->t.root6))
		st_fail(c, "free left a root");
	mutex_unlock(&c->lock);
	for (i = 0; i < ST_PEERS; i++)
		if (!list_empty(&c->peers[i]->lpm_list) ||
		    c->peers[i]->n_iroutes)
			st_fail(c, "free left peer %u's list", i);

	rcu_barrier();
	alloc = ovpnha_lpm_nodes_alloc() - alloc0;
	freed = ovpnha_lpm_nodes_freed() - freed0;
	if (alloc != freed || !alloc)
		st_fail(c, "nodes: %llu allocated, %llu freed", alloc, freed);

	ok = c->ok;
	if (ok)
		pr_info("ovpnha: lpm self-tests: pass (%llu nodes, %u lookups)\n",
			alloc, c->lookups);
	mutex_destroy(&c->lock);
	for (i = 0; i < ST_PEERS; i++)
		kfree(c->peers[i]);
	vfree(c->e);
	kfree(c);
	return ok;

nomem:
	pr_err("ovpnha: lpm self-test: out of memory\n");
	if (c) {
		for (i = 0; i < ST_PEERS; i++)
			kfree(c->peers[i]);
		vfree(c->e);
		kfree(c);
	}
	return false;
}
