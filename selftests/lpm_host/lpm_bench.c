// SPDX-License-Identifier: GPL-2.0
/*
 * Host benchmark of the iroute LPM trie (kmod/lpm.c built by the shim).
 *
 *   lpm_bench [-n SIZES] [-f 4|6] [-I ICOUNT_FILE]   timing table (Markdown)
 *   lpm_bench -c SIZE -f 4|6                         instruction count mode
 *   lpm_bench -V COUNT [-n SIZES] [-f 4|6]           check the shim build
 *
 * For each size and family a random prefix set with realistic lengths is
 * inserted (IPv4 /16-/32 weighted toward /24-/32; IPv6 /32-/64 weighted
 * toward /48, /56, /64, plus /128s), owned by 64 peers round robin.  The
 * lookup addresses are random hosts inside random inserted prefixes (90 %)
 * and uniformly random addresses (10 %, mostly misses).  Lookups are timed
 * with clock_gettime() over batches of BATCH; the table gives the median and
 * 99th percentile of the per-lookup time of the batches.  Memory per prefix
 * is the node count times the node object size over the prefixes.
 *
 * In -c mode the same set is built, then LOOKUPS_IC lookups run between
 * callgrind's start/stop requests: `valgrind --tool=callgrind
 * --instr-atstart=no` gives the instructions of exactly those lookups.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS
#endif

#include "kshim.h"
#include "lpm.h"

unsigned int lpm_host_depth(struct ovpnha_lpm *t, int family,
			    const void *addr);
size_t lpm_host_node_size(int family);
size_t lpm_host_jump_bytes(struct ovpnha_lpm *t, int family);
long lpm_host_nodes(int family);

enum {
	PEERS = 64,
	NADDR = 1 << 20,	/* distinct lookup addresses */
	BATCH = 256,
	NBATCH = 8192,		/* 2M timed lookups per row */
	LOOKUPS_IC = 1 << 18,
};

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	/* xorshift64*: fast and repeatable (fixed seed). */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static unsigned int cidr4(void)
{
	unsigned int r = rnd() % 100;

	if (r < 15)
		return 16 + rnd() % 8;		/* /16-/23 */
	if (r < 50)
		return 24;
	if (r < 70)
		return 25 + rnd() % 7;		/* /25-/31 */
	return 32;
}

static unsigned int cidr6(void)
{
	unsigned int r = rnd() % 100;

	if (r < 10)
		return 32 + rnd() % 16;		/* /32-/47 */
	if (r < 35)
		return 48;
	if (r < 45)
		return 49 + rnd() % 15;		/* /49-/63 */
	if (r < 60)
		return 56;
	if (r < 90)
		return 64;
	return 128;
}

/* A random address (network order, 16 bytes) with the given top bits. */
static void rand_addr(int family, u8 *a)
{
	u64 w[2] = { rnd(), rnd() };

	memcpy(a, w, 16);
	if (family == AF_INET6)
		a[0] = 0x20 | (a[0] & 0x1f);	/* 2000::/3 */
}

/* Overwrite the first @cidr bits of @dst with those of @src. */
static void copy_prefix(u8 *dst, const u8 *src, unsigned int cidr)
{
	unsigned int i;

	for (i = 0; i < cidr / 8; i++)
		dst[i] = src[i];
	if (cidr % 8) {
		u8 m = 0xff << (8 - cidr % 8);

		dst[i] = (src[i] & m) | (dst[i] & ~m);
	}
}

struct prefix {
	u8 addr[16];
	u8 cidr;
};

struct set {
	int family;
	long n;
	struct ovpnha_lpm t;
	struct mutex lock;
	struct ovpnha_peer peers[PEERS];
	struct prefix *p;
	u8 *addrs;		/* NADDR lookup addresses, 16 bytes apart */
	double hits;		/* fraction of lookup addresses that match */
	double depth;		/* mean nodes visited per lookup */
	double insert_ns;	/* mean ns per insert */
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void set_build(struct set *s, int family, long n)
{
	struct ovpnha_lpm_match m;
	double t0;
	long i, tries = 0;
	int err;

	memset(s, 0, sizeof(*s));
	s->family = family;
	s->n = n;
	ovpnha_lpm_init(&s->t);
	for (i = 0; i < PEERS; i++)
		INIT_LIST_HEAD(&s->peers[i].lpm_list);
	s->p = calloc(n, sizeof(*s->p));
	s->addrs = malloc((size_t)NADDR * 16);
	if (!s->p || !s->addrs) {
		perror("malloc");
		exit(1);
	}
	t0 = now_ns();
	for (i = 0; i < n; ) {
		struct prefix *p = &s->p[i];

		rand_addr(family, p->addr);
		p->cidr = family == AF_INET ? cidr4() : cidr6();
		err = ovpnha_lpm_insert(&s->t, family, p->addr, p->cidr,
					&s->peers[i % PEERS], false, NULL,
					&s->lock);
		if (err == -EEXIST) {
			if (++tries > 10 * n) {
				fprintf(stderr, "too many duplicates\n");
				exit(1);
			}
			continue;
		}
		if (err) {
			fprintf(stderr, "insert: %d\n", err);
			exit(1);
		}
		i++;
	}
	s->insert_ns = (now_ns() - t0) / n;

	/* Lookup addresses: hosts inside inserted prefixes, some random. */
	for (i = 0; i < NADDR; i++) {
		u8 *a = s->addrs + i * 16;

		rand_addr(family, a);
		if (rnd() % 10) {
			struct prefix *p = &s->p[rnd() % n];

			copy_prefix(a, p->addr, p->cidr);
		}
	}
	for (i = 0; i < NADDR; i++) {
		const u8 *a = s->addrs + i * 16;

		s->hits += ovpnha_lpm_lookup(&s->t, family, a, &m);
		s->depth += lpm_host_depth(&s->t, family, a);
	}
	s->hits /= NADDR;
	s->depth /= NADDR;
}

static void set_free(struct set *s)
{
	ovpnha_lpm_free(&s->t, &s->lock);
	free(s->p);
	free(s->addrs);
}

static volatile unsigned long sink;

/* @count lookups from address @first on (wrapping). */
static __attribute__((noinline)) unsigned long
run_lookups(struct set *s, long first, long count)
{
	struct ovpnha_lpm_match m;
	unsigned long acc = 0;
	long i, j = first;

	for (i = 0; i < count; i++) {
		if (ovpnha_lpm_lookup(&s->t, s->family, s->addrs + j * 16, &m))
			acc += m.cidr + (unsigned long)m.peer;
		if (++j == NADDR)
			j = 0;
	}
	return acc;
}

/* Bits of @a and @b that agree from the top, up to @bits. */
static unsigned int common_bits(const u8 *a, const u8 *b, unsigned int bits)
{
	unsigned int i = 0;

	while (i < bits && !((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8))))
		i++;
	return i;
}

/*
 * -V: check the first @count lookups against a linear scan of the prefixes
 * (the shim, not the trie, is what is being checked: the trie has its own
 * self-test in the DEBUG module).
 */
static int verify(struct set *s, long count)
{
	unsigned int bits = s->family == AF_INET ? 32 : 128;
	struct ovpnha_lpm_match m;
	long i, k;

	for (i = 0; i < count; i++) {
		const u8 *a = s->addrs + i * 16;
		int best = -1;

		for (k = 0; k < s->n; k++)
			if (s->p[k].cidr > best &&
			    common_bits(a, s->p[k].addr, bits) >= s->p[k].cidr)
				best = s->p[k].cidr;
		if (ovpnha_lpm_lookup(&s->t, s->family, a, &m) ?
		    m.cidr != best : best >= 0) {
			fprintf(stderr, "mismatch at address %ld: %d vs %d\n",
				i, ovpnha_lpm_lookup(&s->t, s->family, a, &m) ?
				m.cidr : -1, best);
			return 1;
		}
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void time_set(struct set *s, double *median, double *p99)
{
	static double per[NBATCH];
	double t0;
	long b;

	run_lookups(s, 0, NADDR);	/* warm up */
	for (b = 0; b < NBATCH; b++) {
		long first = (long)(rnd() % (NADDR / BATCH)) * BATCH;

		t0 = now_ns();
		sink += run_lookups(s, first, BATCH);
		per[b] = (now_ns() - t0) / BATCH;
	}
	qsort(per, NBATCH, sizeof(per[0]), cmp_double);
	*median = per[NBATCH / 2];
	*p99 = per[NBATCH * 99 / 100];
}

static double clock_cost(void)
{
	double t0 = now_ns(), t1 = t0;
	int i;

	for (i = 0; i < 100000; i++)
		t1 = now_ns();
	return (t1 - t0) / 100000;
}

/* Instructions per lookup from a file of "SIZE FAMILY IR_PER_LOOKUP" lines. */
static double icount_of(const char *file, long n, int family)
{
	double ir, found = -1;
	long fn;
	int ff;
	FILE *f;

	f = file ? fopen(file, "r") : NULL;
	if (!f)
		return -1;
	while (fscanf(f, "%ld %d %lf", &fn, &ff, &ir) == 3)
		if (fn == n && ff == family)
			found = ir;
	fclose(f);
	return found;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: lpm_bench [-n SIZE]... [-f 4|6] [-I ICOUNT_FILE]\n"
		"       lpm_bench -c SIZE -f 4|6   (under callgrind)\n"
		"       lpm_bench -V COUNT [-n SIZE]... [-f 4|6]\n");
	return 2;
}

int main(int argc, char **argv)
{
	long sizes[8] = { 1000, 100000, 1000000 }, icount_size = 0;
	int nsizes = 0, fams[2] = { 4, 6 }, nfams = 2, opt, i, j;
	const char *icfile = NULL;
	long verify_n = 0;
	struct set s;

	while ((opt = getopt(argc, argv, "n:f:I:c:V:")) != -1) {
		switch (opt) {
		case 'n':
			if (nsizes == 8)
				return usage();
			sizes[nsizes++] = atol(optarg);
			break;
		case 'f':
			fams[0] = atoi(optarg);
			nfams = 1;
			break;
		case 'I':
			icfile = optarg;
			break;
		case 'c':
			icount_size = atol(optarg);
			break;
		case 'V':
			verify_n = atol(optarg);
			break;
		default:
			return usage();
		}
	}
	if (!nsizes)
		nsizes = 3;
	if (ovpnha_lpm_cache_init())
		return 1;

	if (verify_n) {
		for (i = 0; i < nsizes; i++) {
			for (j = 0; j < nfams; j++) {
				set_build(&s, fams[j] == 4 ? AF_INET : AF_INET6,
					  sizes[i]);
				if (verify(&s, verify_n))
					return 1;
				printf("ok %ld IPv%d: %ld lookups match a linear scan\n",
				       sizes[i], fams[j], verify_n);
				set_free(&s);
			}
		}
		return 0;
	}

	if (icount_size) {
		int family = fams[0] == 4 ? AF_INET : AF_INET6;

		set_build(&s, family, icount_size);
		CALLGRIND_ZERO_STATS;
		CALLGRIND_START_INSTRUMENTATION;
		sink += run_lookups(&s, 0, LOOKUPS_IC);
		CALLGRIND_STOP_INSTRUMENTATION;
		CALLGRIND_DUMP_STATS;
		printf("%ld %d lookups %d\n", icount_size, fams[0], LOOKUPS_IC);
		return 0;
	}

	printf("clock_gettime cost %.1f ns; batches of %d lookups, %d batches per row\n\n",
	       clock_cost(), BATCH, NBATCH);
	printf("| prefixes | family | median ns | p99 ns | instructions/lookup | nodes visited | hit %% | nodes/prefix | bytes/prefix | insert ns |\n");
	printf("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < nsizes; i++) {
		for (j = 0; j < nfams; j++) {
			int family = fams[j] == 4 ? AF_INET : AF_INET6;
			double med, p99, ic, nodes;
			char icbuf[32] = "-";

			set_build(&s, family, sizes[i]);
			time_set(&s, &med, &p99);
			ic = icount_of(icfile, sizes[i], fams[j]);
			if (ic >= 0)
				snprintf(icbuf, sizeof(icbuf), "%.1f", ic);
			nodes = lpm_host_nodes(family);
			printf("| %ld | IPv%d | %.1f | %.1f | %s | %.1f | %.0f | %.2f | %.1f | %.0f |\n",
			       sizes[i], fams[j], med, p99, icbuf, s.depth,
			       s.hits * 100, nodes / sizes[i],
			       (nodes * lpm_host_node_size(family) +
				lpm_host_jump_bytes(&s.t, family)) / sizes[i],
			       s.insert_ns);
			fflush(stdout);
			set_free(&s);
		}
	}
	ovpnha_lpm_cache_exit();
	return 0;
}
