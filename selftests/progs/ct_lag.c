// SPDX-License-Identifier: GPL-2.0
/*
 * ct_lag - conntrackd's replication lag and rate between two nodes, the
 * baseline beside sync_lag (same method, one long-lived process): a
 * ctnetlink request socket in network namespace A, the conntrack "new"
 * event group of namespace B, where conntrackd (FTFW, DisableExternalCache
 * on) injects what A's conntrackd sends.
 *
 *   ct_lag A B SAMPLES BURST
 *
 * SAMPLES times: one UDP entry created in A's table, timed until B's
 * kernel announces it.  Then BURST entries created back to back: entries
 * per second until B has announced all of them.  Prints the same lines as
 * sync_lag: "lag_us p50 P p99 P max P (...)", "burst N updates in S s: R/s",
 * "cpu_us N".
 * Entries: 198.18.0.1:PORT -> 198.19.0.1:9 (samples), 198.20.X.Y:7 ->
 * 198.19.0.1:9 (burst), timeout 600 s.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <netinet/in.h>

#include "progs.h"

/* Attribute walking (the uapi headers have no nlattr iterators). */
#define A_OK(a, rem) ((rem) >= (int)sizeof(*(a)) && (a)->nla_len >= sizeof(*(a)) && \
		      (a)->nla_len <= (rem))
#define A_NEXT(a, rem) ((rem) -= (int)ALIGN4((a)->nla_len), \
			(struct nlattr *)((char *)(a) + ALIGN4((a)->nla_len)))
#define A_DATA(a) ((void *)((char *)(a) + NLA_HDRLEN))
#define A_LEN(a) ((int)(a)->nla_len - NLA_HDRLEN)

static int ctsock(unsigned int groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER), rcv = 64 << 20;

	if (fd < 0)
		exit(1);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("bind");
		exit(1);
	}
	return fd;
}

static size_t put(char *m, size_t l, uint16_t type, const void *d, size_t n)
{
	struct nlattr *a = (struct nlattr *)(m + l);

	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	a->nla_type = type;
	if (n)
		memcpy(m + l + NLA_HDRLEN, d, n);
	return l + NLA_HDRLEN + ALIGN4(n);
}

static size_t nest_end(char *m, size_t start, size_t l)
{
	((struct nlattr *)(m + start))->nla_len = (uint16_t)(l - start);
	return l;
}

/* A UDP tuple nest of type @type: @src:@sport -> @dst:@dport (host order). */
static size_t put_tuple(char *m, size_t l, uint16_t type, uint32_t src,
			uint16_t sport, uint32_t dst, uint16_t dport)
{
	size_t t = l, s;
	uint32_t a = htonl(src), b = htonl(dst);
	uint16_t sp = htons(sport), dp = htons(dport);
	uint8_t proto = IPPROTO_UDP;

	l = put(m, l, type | NLA_F_NESTED, NULL, 0);
	s = l;
	l = put(m, l, CTA_TUPLE_IP | NLA_F_NESTED, NULL, 0);
	l = put(m, l, CTA_IP_V4_SRC, &a, 4);
	l = put(m, l, CTA_IP_V4_DST, &b, 4);
	l = nest_end(m, s, l);
	s = l;
	l = put(m, l, CTA_TUPLE_PROTO | NLA_F_NESTED, NULL, 0);
	l = put(m, l, CTA_PROTO_NUM, &proto, 1);
	l = put(m, l, CTA_PROTO_SRC_PORT, &sp, 2);
	l = put(m, l, CTA_PROTO_DST_PORT, &dp, 2);
	l = nest_end(m, s, l);
	return nest_end(m, t, l);
}

/*
 * Create the UDP entry src:sport -> 198.19.0.1:9 in the table behind @fd
 * (ctnetlink creates only with both directions given).
 */
static void ct_new(int fd, uint32_t src, uint16_t sport)
{
	static uint32_t seq;
	char m[512];
	size_t l = NLMSG_HDRLEN + sizeof(struct nfgenmsg);
	struct nlmsghdr *h = (struct nlmsghdr *)m;
	struct nfgenmsg *g = (struct nfgenmsg *)(m + NLMSG_HDRLEN);
	const uint32_t dst = 0xc6130001;	/* 198.19.0.1 */
	uint32_t tmo = htonl(600);

	memset(m, 0, sizeof(m));
	h->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
	h->nlmsg_seq = ++seq;
	g->nfgen_family = AF_INET;
	g->version = NFNETLINK_V0;
	l = put_tuple(m, l, CTA_TUPLE_ORIG, src, sport, dst, 9);
	l = put_tuple(m, l, CTA_TUPLE_REPLY, dst, 9, src, sport);
	l = put(m, l, CTA_TIMEOUT, &tmo, 4);
	h->nlmsg_len = (uint32_t)l;
	if (send(fd, m, l, 0) < 0) {
		perror("send");
		exit(1);
	}
}

/* The original source address and port of a conntrack event, or 0. */
static uint64_t ev_key(struct nlmsghdr *h)
{
	struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + sizeof(struct nfgenmsg));
	int rem = (int)(h->nlmsg_len - NLMSG_HDRLEN - sizeof(struct nfgenmsg));
	uint32_t src = 0;
	uint16_t sport = 0;

	for (; A_OK(a, rem); a = A_NEXT(a, rem)) {
		struct nlattr *b = A_DATA(a);
		int r2 = A_LEN(a);

		if ((a->nla_type & NLA_TYPE_MASK) != CTA_TUPLE_ORIG)
			continue;
		for (; A_OK(b, r2); b = A_NEXT(b, r2)) {
			struct nlattr *c = A_DATA(b);
			int r3 = A_LEN(b);

			for (; A_OK(c, r3); c = A_NEXT(c, r3)) {
				uint16_t ty = c->nla_type & NLA_TYPE_MASK;

				if ((b->nla_type & NLA_TYPE_MASK) == CTA_TUPLE_IP &&
				    ty == CTA_IP_V4_SRC)
					memcpy(&src, A_DATA(c), 4);
				if ((b->nla_type & NLA_TYPE_MASK) == CTA_TUPLE_PROTO &&
				    ty == CTA_PROTO_SRC_PORT)
					memcpy(&sport, A_DATA(c), 2);
			}
		}
	}
	return (uint64_t)ntohl(src) << 16 | ntohs(sport);
}

static long overruns;

/*
 * Read B's events until @want announcements of entries from sources
 * [lo, hi] and port @sport have been seen (each source counted once when
 * @seen is given); -1 on timeout.
 */
static int wait_events(int fd, uint32_t lo, uint32_t hi, uint16_t sport,
		       long want, unsigned char *seen, double deadline)
{
	static char buf[1 << 16];
	long got = 0;

	while (got < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ms = (int)((deadline - now()) * 1000);
		ssize_t n;

		if (ms <= 0 || poll(&p, 1, ms) <= 0)
			return -1;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == ENOBUFS) {
				overruns++;
				continue;
			}
			return -1;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf;
		     NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			uint64_t k = ev_key(h);
			uint32_t src = (uint32_t)(k >> 16);

			if ((uint16_t)k != sport || src < lo || src > hi)
				continue;
			if (seen) {
				if (seen[src - lo])
					continue;
				seen[src - lo] = 1;
			}
			got++;
		}
	}
	return 0;
}

static long create_errors;

/* Drain answers of A's request socket without blocking; count errors. */
static void drain(int fd)
{
	char buf[8192];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf;
		     NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_type != NLMSG_ERROR || !e->error)
				continue;
			if (!create_errors++)
				fprintf(stderr, "ct_lag: creating an entry on A: %s\n",
					strerror(-e->error));
		}
	}
}

int main(int argc, char **argv)
{
	int req, ev, samples, burst, lost = 0;
	const uint32_t probe = 0xc6120001;	/* 198.18.0.1 */
	const uint32_t bbase = 0xc6140000;	/* 198.20.0.0 */
	unsigned char *seen;
	double *lag, t0;

	if (argc != 5)
		return 2;
	samples = atoi(argv[3]);
	burst = atoi(argv[4]);
	if (samples < 1 || samples > 50000 || burst < 0 || burst > 65000)
		return 2;
	lag = calloc((size_t)samples, sizeof(*lag));
	seen = calloc((size_t)burst + 1, 1);
	enter(argv[2]);
	ev = ctsock(NF_NETLINK_CONNTRACK_NEW);
	enter(argv[1]);
	req = ctsock(0);

	for (int i = 0; i < samples; i++) {
		uint16_t port = (uint16_t)(10000 + i);

		t0 = now();
		ct_new(req, probe, port);
		if (wait_events(ev, probe, probe, port, 1, NULL, t0 + 5)) {
			drain(req);
			lag[i] = 5;
			if (++lost == 3) {
				fprintf(stderr, "ct_lag: 3 entries never reached B: giving up\n");
				return 1;
			}
			continue;
		}
		lag[i] = now() - t0;
		drain(req);
		usleep(2000);
	}
	qsort(lag, (size_t)samples, sizeof(*lag), cmp_double);
	printf("lag_us p50 %.0f p99 %.0f max %.0f (%d samples, %d lost)\n",
	       lag[samples / 2] * 1e6, lag[samples * 99 / 100] * 1e6,
	       lag[samples - 1] * 1e6, samples, lost);
	if (!burst) {
		print_cpu();
		return lost ? 1 : 0;
	}
	t0 = now();
	for (int i = 1; i <= burst; i++) {
		ct_new(req, bbase + (uint32_t)i, 7);
		if (i % 64 == 0) {	/* keep A's socket from overflowing */
			drain(req);
			usleep(100);
		}
	}
	if (wait_events(ev, bbase, bbase + (uint32_t)burst, 7, burst, seen,
			now() + 120))
		printf("burst: not all %d entries arrived within 120 s\n", burst);
	else
		printf("burst %d updates in %.3f s: %.0f updates/s%s\n", burst,
		       now() - t0, burst / (now() - t0),
		       overruns ? " (event socket overran: count is a lower bound)" : "");
	drain(req);
	print_cpu();
	if (create_errors)
		printf("%ld entries could not be created on A\n", create_errors);
	return lost || create_errors ? 1 : 0;
}
