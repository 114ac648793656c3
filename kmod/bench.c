// SPDX-License-Identifier: GPL-2.0
/*
 * Debug builds only: the iroute lookup timed in the kernel, beside the
 * kernel's own FIB lookup of the same addresses in the same namespace.
 *
 * A process in the namespace to measure writes "FAMILY PREFIX/LEN COUNT"
 * (e.g. "4 10.0.0.0/8 200000") to /sys/kernel/debug/ovpnha/lpm_bench: COUNT
 * random addresses inside PREFIX/LEN (or, with "table" for the prefix,
 * each inside one of the namespace's iroutes of that family, drawn at
 * random: traffic that the tunnels carry) are looked up in batches of
 * OVPNHA_BENCH_BATCH, first in the namespace's iroute table, then in its
 * FIB (fib_lookup(), or the IPv6 stub's fib6_lookup()), batch after batch,
 * each batch timed with ktime_get_ns().  The median and 99th percentile per
 * lookup, less the cost of an empty batch, and the number of addresses
 * each table matched, are read back from the same file.
 */
#include <linux/debugfs.h>
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <net/ip_fib.h>
#include <net/ip6_fib.h>
#include <net/ipv6_stubs.h>

#include "bench.h"
#include "main.h"
#include "peer.h"

#define OVPNHA_BENCH_BATCH	16
#define OVPNHA_BENCH_MAX	(4U << 20)

static struct dentry *ovpnha_bench_dir;
static DEFINE_MUTEX(ovpnha_bench_lock);	/* one run at a time; the result */
static char ovpnha_bench_result[512] = "no run yet\n";

struct ovpnha_bench_pfx {
	u8 addr[16];
	u8 cidr;
};

struct ovpnha_bench {
	struct net *net;
	int family;
	bool table;		/* addresses inside the iroutes */
	struct ovpnha_bench_pfx *pfx;
	u32 npfx, maxpfx;
	u8 (*addr)[16];
	u32 n, batches;
	u64 *t_lpm, *t_fib, *t_nop;
	u32 hit_lpm, hit_fib;
	u32 sink;		/* what the empty batches read */
};

static bool ovpnha_bench_fib(struct net *net, int family, const u8 *a)
{
	if (family == AF_INET) {
		struct flowi4 fl4 = { };
		struct fib_result res;

		memcpy(&fl4.daddr, a, 4);
		return !fib_lookup(net, &fl4, &res, 0);
	}
	if (ipv6_stub && ipv6_stub->fib6_lookup) {
		struct flowi6 fl6 = { };
		struct fib6_result res = { };

		memcpy(&fl6.daddr, a, 16);
		return !ipv6_stub->fib6_lookup(net, 0, &fl6, &res, 0) &&
		       res.f6i && res.f6i != net->ipv6.fib6_null_entry;
	}
	return false;
}

static void ovpnha_bench_run(struct ovpnha_bench *b)
{
	struct ovpnha_net *on = ovpnha_pernet(b->net);
	struct ovpnha_lpm_match m;
	u32 i, j;
	u64 t0;

	for (i = 0; i < b->batches; i++) {
		const u8 (*a)[16] = &b->addr[i * OVPNHA_BENCH_BATCH];
		u32 hits = 0;

		rcu_read_lock();
		t0 = ktime_get_ns();
		for (j = 0; j < OVPNHA_BENCH_BATCH; j++)
			hits += READ_ONCE(a[j][0]) != 0xff;
		b->t_nop[i] = ktime_get_ns() - t0;

		t0 = ktime_get_ns();
		for (j = 0; j < OVPNHA_BENCH_BATCH; j++)
			b->hit_lpm += ovpnha_lpm_lookup(&on->lpm, b->family,
							a[j], &m);
		b->t_lpm[i] = ktime_get_ns() - t0;

		t0 = ktime_get_ns();
		for (j = 0; j < OVPNHA_BENCH_BATCH; j++)
			b->hit_fib += ovpnha_bench_fib(b->net, b->family, a[j]);
		b->t_fib[i] = ktime_get_ns() - t0;
		rcu_read_unlock();
		b->sink += hits;
		cond_resched();
	}
}

static int ovpnha_bench_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Median and p99 of @t (sorted here), per lookup, in tenths of ns. */
static void ovpnha_bench_stat(u64 *t, u32 n, u64 nop, u64 *med, u64 *p99)
{
	u64 a, b;

	sort(t, n, sizeof(*t), ovpnha_bench_cmp, NULL);
	a = t[n / 2];
	b = t[min_t(u32, n - 1, (u64)n * 99 / 100)];
	*med = (a > nop ? a - nop : 0) * 10 / OVPNHA_BENCH_BATCH;
	*p99 = (b > nop ? b - nop : 0) * 10 / OVPNHA_BENCH_BATCH;
}

static int ovpnha_bench_parse(const char *buf, struct ovpnha_bench *b,
			      u8 *base, u8 *plen)
{
	char pfx[64], *slash;
	unsigned int len, fam, n;
	const char *end;

	if (sscanf(buf, "%u %63s %u", &fam, pfx, &n) != 3)
		return -EINVAL;
	if (!strcmp(pfx, "table") && (fam == 4 || fam == 6)) {
		b->table = true;
		b->family = fam == 4 ? AF_INET : AF_INET6;
		len = 0;
		goto count;
	}
	slash = strchr(pfx, '/');
	if (!slash || kstrtouint(slash + 1, 10, &len))
		return -EINVAL;
	*slash = '\0';
	if (fam == 4 && len <= 32 && in4_pton(pfx, -1, base, -1, &end))
		b->family = AF_INET;
	else if (fam == 6 && len <= 128 && in6_pton(pfx, -1, base, -1, &end))
		b->family = AF_INET6;
	else
		return -EINVAL;
count:
	if (n < OVPNHA_BENCH_BATCH || n > OVPNHA_BENCH_MAX)
		return -ERANGE;
	*plen = len;
	b->batches = n / OVPNHA_BENCH_BATCH;
	b->n = b->batches * OVPNHA_BENCH_BATCH;
	return 0;
}

static int ovpnha_bench_collect(void *ctx, int family, const u8 *addr,
				u8 cidr, bool vpn_addr)
{
	struct ovpnha_bench *b = ctx;

	if (family != b->family || vpn_addr)
		return 0;
	if (b->npfx == b->maxpfx)
		return 1;
	memcpy(b->pfx[b->npfx].addr, addr, family == AF_INET ? 4 : 16);
	b->pfx[b->npfx++].cidr = cidr;
	return 0;
}

/* The iroutes of the family, at most b->maxpfx of them. */
static int ovpnha_bench_table(struct ovpnha_bench *b)
{
	struct ovpnha_net *on = ovpnha_pernet(b->net);
	struct ovpnha_peer *peer;
	unsigned long id;

	b->maxpfx = min_t(u32, OVPNHA_BENCH_MAX, READ_ONCE(on->n_iroutes));
	if (!b->maxpfx)
		return -ENOENT;
	b->pfx = vmalloc(array_size(b->maxpfx, sizeof(*b->pfx)));
	if (!b->pfx)
		return -ENOMEM;
	mutex_lock(&on->lock);
	xa_for_each(&on->peers, id, peer)
		if (b->npfx < b->maxpfx)
			ovpnha_lpm_walk_peer(peer, 0, ovpnha_bench_collect, b);
	mutex_unlock(&on->lock);
	return b->npfx ? 0 : -ENOENT;
}

/* Random addresses inside @base/@plen, or inside random iroutes. */
static void ovpnha_bench_addrs(struct ovpnha_bench *b, const u8 *base, u8 plen)
{
	unsigned int alen = b->family == AF_INET ? 4 : 16;
	u32 i, k;

	for (i = 0; i < b->n; i++) {
		u8 *a = b->addr[i];

		if (b->table) {
			const struct ovpnha_bench_pfx *p;

			p = &b->pfx[get_random_u32() % b->npfx];
			base = p->addr;
			plen = p->cidr;
		}
		get_random_bytes(a, alen);
		for (k = 0; k < alen; k++) {
			unsigned int bits = clamp_t(int, plen - 8 * k, 0, 8);
			u8 mask = bits ? (u8)(0xff << (8 - bits)) : 0;

			a[k] = (base[k] & mask) | (a[k] & ~mask);
		}
	}
}

static ssize_t ovpnha_bench_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct ovpnha_bench b = { .net = current->nsproxy->net_ns };
	u64 nop, lm, lp, fm, fp;
	u8 base[16] = { }, plen;
	char buf[128];
	int err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	err = ovpnha_bench_parse(buf, &b, base, &plen);
	if (err)
		return err;
	b.addr = vmalloc(array_size(b.n, sizeof(*b.addr)));
	b.t_lpm = vmalloc(array_size(b.batches, sizeof(u64)));
	b.t_fib = vmalloc(array_size(b.batches, sizeof(u64)));
	b.t_nop = vmalloc(array_size(b.batches, sizeof(u64)));
	err = -ENOMEM;
	if (!b.addr || !b.t_lpm || !b.t_fib || !b.t_nop)
		goto out;
	if (b.table) {
		err = ovpnha_bench_table(&b);
		if (err)
			goto out;
	}
	ovpnha_bench_addrs(&b, base, plen);

	mutex_lock(&ovpnha_bench_lock);
	ovpnha_bench_run(&b);
	sort(b.t_nop, b.batches, sizeof(u64), ovpnha_bench_cmp, NULL);
	nop = b.t_nop[b.batches / 2];
	ovpnha_bench_stat(b.t_lpm, b.batches, nop, &lm, &lp);
	ovpnha_bench_stat(b.t_fib, b.batches, nop, &fm, &fp);
	snprintf(ovpnha_bench_result, sizeof(ovpnha_bench_result),
		 "family %d lookups %u batch %u empty_batch_ns %llu\n"
		 "ovpnha median_ns %llu.%llu p99_ns %llu.%llu matched %u\n"
		 "fib median_ns %llu.%llu p99_ns %llu.%llu matched %u\n",
		 b.family == AF_INET ? 4 : 6, b.n, OVPNHA_BENCH_BATCH, nop,
		 lm / 10, lm % 10, lp / 10, lp % 10, b.hit_lpm,
		 fm / 10, fm % 10, fp / 10, fp % 10, b.hit_fib);
	mutex_unlock(&ovpnha_bench_lock);
	err = len;
out:
	vfree(b.pfx);
	vfree(b.addr);
	vfree(b.t_lpm);
	vfree(b.t_fib);
	vfree(b.t_nop);
	return err;
}

static ssize_t ovpnha_bench_read(struct file *file, char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&ovpnha_bench_lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, ovpnha_bench_result,
				      strlen(ovpnha_bench_result));
	mutex_unlock(&ovpnha_bench_lock);
	return ret;
}

static const struct file_operations ovpnha_bench_fops = {
	.owner	= THIS_MODULE,
	.read	= ovpnha_bench_read,
	.write	= ovpnha_bench_write,
	.llseek	= default_llseek,
};

void ovpnha_bench_init(void)
{
	ovpnha_bench_dir = debugfs_create_dir("ovpnha", NULL);
	debugfs_create_file("lpm_bench", 0600, ovpnha_bench_dir, NULL,
			    &ovpnha_bench_fops);
}

void ovpnha_bench_exit(void)
{
	debugfs_remove_recursive(ovpnha_bench_dir);
}
