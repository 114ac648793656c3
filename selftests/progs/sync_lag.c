// SPDX-License-Identifier: GPL-2.0
/*
 * sync_lag - replication lag and rate between two nodes, from one
 * long-lived process (no exec per sample): a request socket in network
 * namespace A, the "events" group of namespace B.
 *
 *   sync_lag A B SAMPLES BURST
 *
 * SAMPLES times: PEER_SET of one peer on A (rx-bytes = i), timed until B
 * announces that peer with that value: the lag from A's kernel to B's.
 * Then BURST updates of that peer back to back: updates per second until
 * B has announced the last one.  The peer (id 0x01fffffe) is created on A
 * first and deleted at the end.  Prints "lag_us p50 P p99 P max P",
 * "burst N updates in S s: R/s" and its own CPU time, "cpu_us N".
 */
#define _GNU_SOURCE
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
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/ovpnha.h>

#include "progs.h"

#define PEER_ID 0x01fffffeu

static int family;

static int nlsock(int group)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC), rcv = 32 << 20;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		exit(1);
	if (group && setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
				sizeof(group)))
		exit(1);
	return fd;
}

static void put(char *m, size_t *l, uint16_t type, const void *d, size_t n)
{
	struct nlattr *a = (struct nlattr *)(m + *l);

	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	a->nla_type = type;
	if (n)
		memcpy(m + *l + NLA_HDRLEN, d, n);
	*l += NLA_HDRLEN + ALIGN4(n);
}

/* Send one peer request on @fd without waiting for its answer. */
static void peer_req(int fd, uint8_t cmd, uint64_t rx)
{
	static uint32_t seq;
	char m[256];
	size_t l = NLMSG_HDRLEN + GENL_HDRLEN, nest;
	struct nlmsghdr *h = (struct nlmsghdr *)m;
	struct genlmsghdr *g = (struct genlmsghdr *)(m + NLMSG_HDRLEN);
	uint32_t id = PEER_ID;

	memset(m, 0, sizeof(m));
	h->nlmsg_type = (uint16_t)family;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = ++seq;
	g->cmd = cmd;
	g->version = OVPNHA_FAMILY_VERSION;
	nest = l;
	put(m, &l, OVPNHA_A_PEER | NLA_F_NESTED, NULL, 0);
	put(m, &l, OVPNHA_A_PEER_ID, &id, 4);
	if (cmd == OVPNHA_CMD_PEER_NEW)
		put(m, &l, OVPNHA_A_PEER_CN, "lagprobe", 9);
	if (cmd != OVPNHA_CMD_PEER_DEL)
		put(m, &l, OVPNHA_A_PEER_RX_BYTES, &rx, 8);
	((struct nlattr *)(m + nest))->nla_len = (uint16_t)(l - nest);
	h->nlmsg_len = (uint32_t)l;
	if (send(fd, m, l, 0) < 0)
		exit(1);
}

/* Wait on B's events until our peer shows rx-bytes >= @want; -1: timeout. */
static int wait_event(int fd, uint64_t want, double deadline)
{
	static char buf[1 << 16];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ms = (int)((deadline - now()) * 1000);
		ssize_t n;

		if (ms <= 0 || poll(&p, 1, ms) <= 0)
			return -1;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == ENOBUFS)
				continue;
			return -1;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf;
		     NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct genlmsghdr *g = NLMSG_DATA(h);
			struct nlattr *a = (struct nlattr *)((char *)g + GENL_HDRLEN);
			int rem = (int)(h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
			uint32_t id = 0;
			uint64_t rx = 0;

			if (h->nlmsg_type != family ||
			    (g->cmd != OVPNHA_CMD_PEER_NEW && g->cmd != OVPNHA_CMD_PEER_SET))
				continue;
			for (; nla_ok(a, rem); a = nla_next(a, &rem)) {
				struct nlattr *b;
				int r2;

				if ((a->nla_type & 0x3fff) != OVPNHA_A_PEER)
					continue;
				b = (struct nlattr *)((char *)a + NLA_HDRLEN);
				r2 = a->nla_len - NLA_HDRLEN;
				for (; nla_ok(b, r2); b = nla_next(b, &r2)) {
					if (b->nla_type == OVPNHA_A_PEER_ID)
						memcpy(&id, (char *)b + NLA_HDRLEN, 4);
					if (b->nla_type == OVPNHA_A_PEER_RX_BYTES)
						memcpy(&rx, (char *)b + NLA_HDRLEN, 8);
				}
			}
			if (id == PEER_ID && rx >= want)
				return 0;
		}
	}
}

int main(int argc, char **argv)
{
	struct nl_sock *sk;
	int req, ev, grp, samples, burst, lost = 0;
	double *lag, t0;

	if (argc != 5)
		return 2;
	samples = atoi(argv[3]);
	burst = atoi(argv[4]);
	lag = calloc((size_t)samples, sizeof(*lag));
	enter(argv[2]);
	sk = nl_socket_alloc();
	genl_connect(sk);
	family = genl_ctrl_resolve(sk, OVPNHA_FAMILY_NAME);
	grp = genl_ctrl_resolve_grp(sk, OVPNHA_FAMILY_NAME, OVPNHA_MCGRP_EVENTS);
	nl_socket_free(sk);
	if (!lag || family < 0 || grp < 0) {
		free(lag);
		return 1;
	}
	ev = nlsock(grp);
	enter(argv[1]);
	req = nlsock(0);

	peer_req(req, OVPNHA_CMD_PEER_NEW, 0);
	if (wait_event(ev, 0, now() + 10)) {
		fputs("sync_lag: the probe peer never reached B\n", stderr);
		free(lag);
		return 1;
	}
	for (int i = 0; i < samples; i++) {
		t0 = now();
		peer_req(req, OVPNHA_CMD_PEER_SET, (uint64_t)i + 1);
		if (wait_event(ev, (uint64_t)i + 1, t0 + 5)) {
			lost++;
			lag[i] = 5;
			continue;
		}
		lag[i] = now() - t0;
		usleep(2000);
	}
	qsort(lag, (size_t)samples, sizeof(*lag), cmp_double);
	printf("lag_us p50 %.0f p99 %.0f max %.0f (%d samples, %d lost)\n",
	       lag[samples / 2] * 1e6, lag[samples * 99 / 100] * 1e6,
	       lag[samples - 1] * 1e6, samples, lost);
	t0 = now();
	for (int i = 0; i < burst; i++) {
		peer_req(req, OVPNHA_CMD_PEER_SET, (uint64_t)samples + 1 + i);
		if (i % 64 == 63)	/* keep A's socket from overflowing */
			usleep(100);
	}
	if (wait_event(ev, (uint64_t)samples + burst, now() + 60))
		puts("burst: not all updates arrived");
	else
		printf("burst %d updates in %.3f s: %.0f updates/s\n", burst,
		       now() - t0, burst / (now() - t0));
	print_cpu();
	peer_req(req, OVPNHA_CMD_PEER_DEL, 0);
	return lost ? 1 : 0;
}
