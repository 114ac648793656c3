// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_bench - control-plane timings for selftests/bench_ctl.sh, measured
 * inside one long-lived process so that no program start is counted.
 *
 *   ctl_bench [-n NETNS] single N   N PEER_NEW requests, one per message,
 *                                   each acknowledged before the next
 *   ctl_bench [-n NETNS] batch N    the same requests, 256 per sendmsg()
 *   ctl_bench [-n NETNS] dump       one PEER_GET dump of every peer
 *
 * Peer i (1..N) is built in memory, without parsing text, exactly as
 * bench_ctl.sh writes it for the tool and sync_load:
 *   peer add cn c<i> remote 10.<i/65536>.<i/256%256>.<i%256> port 40000
 *            id <i> vpn-ip 100.<64+i/65536>.<i/256%256>.<i%256>
 * so that the difference to those programs is their own cost.
 *
 * Prints one line: "requests R seconds S messages M bytes B errors E".
 * Exit status 0 when no request failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/ovpnha.h>

#include "progs.h"

#define BATCH	256
#define MSGMAX	256	/* one PEER_NEW request is about 120 bytes */

static int fd, family;
static uint32_t seq;
static char sbuf[BATCH * MSGMAX];
static size_t slen;
static int pending;
static unsigned long nmsg, nbytes, nerr;
static char rbuf[1 << 17];

static void put_attr(char *m, size_t *len, uint16_t type, const void *d,
		     size_t n)
{
	struct nlattr *a = (struct nlattr *)(m + *len);

	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	a->nla_type = type;
	if (n)
		memcpy(m + *len + NLA_HDRLEN, d, n);
	memset(m + *len + NLA_HDRLEN + n, 0, ALIGN4(n) - n);
	*len += NLA_HDRLEN + ALIGN4(n);
}

/* Append a PEER_NEW request for peer i to sbuf. */
static void add_peer(uint32_t i)
{
	char *m = sbuf + slen, cn[16];
	struct nlmsghdr *h = (struct nlmsghdr *)m;
	struct genlmsghdr *g = (struct genlmsghdr *)(m + NLMSG_HDRLEN);
	uint8_t rem[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
	uint8_t vpn[4] = { 100, (uint8_t)(64 + (i >> 16)), (uint8_t)(i >> 8),
			   (uint8_t)i };
	uint16_t port = htons(40000);
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN, nest;

	memset(m, 0, len);
	h->nlmsg_type = (uint16_t)family;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = ++seq;
	g->cmd = OVPNHA_CMD_PEER_NEW;
	g->version = OVPNHA_FAMILY_VERSION;
	nest = len;
	put_attr(m, &len, OVPNHA_A_PEER | NLA_F_NESTED, NULL, 0);
	put_attr(m, &len, OVPNHA_A_PEER_ID, &i, 4);
	snprintf(cn, sizeof(cn), "c%u", i);
	put_attr(m, &len, OVPNHA_A_PEER_CN, cn, strlen(cn) + 1);
	put_attr(m, &len, OVPNHA_A_PEER_REMOTE_IPV4, rem, 4);
	put_attr(m, &len, OVPNHA_A_PEER_REMOTE_PORT, &port, 2);
	put_attr(m, &len, OVPNHA_A_PEER_VPN_IPV4, vpn, 4);
	((struct nlattr *)(m + nest))->nla_len = (uint16_t)(len - nest);
	h->nlmsg_len = (uint32_t)len;
	slen += len;
	pending++;
}

/*
 * Send what sbuf holds and read until every request is acknowledged (the
 * replies carrying the new peers come first and are only counted).  For a
 * dump, read until NLMSG_DONE.
 */
static void flush(int dump)
{
	if (!slen)
		return;
	if (send(fd, sbuf, slen, 0) < 0) {
		perror("ctl_bench: send");
		exit(1);
	}
	slen = 0;
	while (pending > 0) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);
		struct nlmsghdr *h;
		size_t rem;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("ctl_bench: recv");
			exit(1);
		}
		nbytes += (unsigned long)n;
		rem = (size_t)n;
		for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, rem);
		     h = NLMSG_NEXT(h, rem)) {
			nmsg++;
			if (h->nlmsg_type == NLMSG_DONE && dump) {
				pending--;
			} else if (h->nlmsg_type == NLMSG_ERROR) {
				int e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;

				pending--;
				if (e && nerr++ < 5)
					fprintf(stderr, "ctl_bench: request %u: %s\n",
						h->nlmsg_seq, strerror(-e));
			}
		}
	}
}

static void dump(void)
{
	struct nlmsghdr *h = (struct nlmsghdr *)sbuf;
	struct genlmsghdr *g = (struct genlmsghdr *)(sbuf + NLMSG_HDRLEN);

	memset(sbuf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	h->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	h->nlmsg_type = (uint16_t)family;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	h->nlmsg_seq = ++seq;
	g->cmd = OVPNHA_CMD_PEER_GET;
	g->version = OVPNHA_FAMILY_VERSION;
	slen = h->nlmsg_len;
	pending = 1;
	flush(1);
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nl_sock *sk;
	unsigned long n = 0, i;
	int rcv = 8 << 20, single;
	double t0, t1;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		enter(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc == 3 && (!strcmp(argv[1], "single") ||
			  !strcmp(argv[1], "batch")))
		n = strtoul(argv[2], NULL, 10);
	else if (argc != 2 || strcmp(argv[1], "dump"))
		argc = 0;
	if (!argc || (argc == 3 && (!n || n >= 1UL << 24))) {
		fputs("usage: ctl_bench [-n NETNS] single|batch N | dump\n", stderr);
		return 2;
	}
	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk) ||
	    (family = genl_ctrl_resolve(sk, OVPNHA_FAMILY_NAME)) < 0) {
		fputs("ctl_bench: ovpnha not loaded\n", stderr);
		return 1;
	}
	nl_socket_free(sk);
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("ctl_bench: netlink");
		return 1;
	}
	/* A batch's 256 replies (a few hundred bytes each) must all fit. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));

	t0 = now();
	if (argc == 2) {
		dump();
		n = 1;
	} else {
		single = !strcmp(argv[1], "single");
		for (i = 1; i <= n; i++) {
			add_peer((uint32_t)i);
			if (single || pending == BATCH)
				flush(0);
		}
		flush(0);
	}
	t1 = now();
	printf("requests %lu seconds %.6f messages %lu bytes %lu errors %lu\n",
	       n, t1 - t0, nmsg, nbytes, nerr);
	return nerr ? 1 : 0;
}
