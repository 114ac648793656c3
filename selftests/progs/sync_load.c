// SPDX-License-Identifier: GPL-2.0
/*
 * sync_load - load many peer/iroute changes into one node fast: lines of
 * FILE are sent as ovpnha requests, 256 per sendmsg(), every one
 * acknowledged.  Used by the replication selftests (the tool's own batch
 * mode may not exist yet).  Exit 0 when every request succeeded.
 *
 *   sync_load [-n NETNS] FILE
 *
 *   peer add cn CN [remote A.B.C.D port P] [id N] [vpn-ip A.B.C.D]
 *   peer set id N [cn CN] [vpn-ip A.B.C.D] [rx-bytes N]
 *   peer del id N
 *   iroute add A.B.C.D/LEN peer N
 *   iroute del A.B.C.D/LEN
 *   flow add peer N src A.B.C.D:PORT dst A.B.C.D:PORT [timeout S]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/ovpnha.h>

#define BATCH	256
#define ALIGN4(x) (((x) + 3) & ~3u)

static int fd, family;
static uint32_t seq;
static char buf[BATCH * 512];
static size_t blen;
static int nbatch, nerr, nreq;

static void put_attr(char *msg, size_t *len, uint16_t type, const void *d,
		     size_t n)
{
	struct nlattr *a = (struct nlattr *)(msg + *len);

	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	a->nla_type = type;
	if (n)
		memcpy(msg + *len + NLA_HDRLEN, d, n);
	memset(msg + *len + NLA_HDRLEN + n, 0, ALIGN4(n) - n);
	*len += NLA_HDRLEN + ALIGN4(n);
}

static void flush(void)
{
	char r[65536];
	int pending = nbatch;

	if (!nbatch)
		return;
	if (send(fd, buf, blen, 0) < 0) {
		perror("send");
		exit(1);
	}
	while (pending > 0) {
		ssize_t n = recv(fd, r, sizeof(r), 0);
		struct nlmsghdr *h;
		size_t rem;

		if (n < 0) {
			perror("recv");
			exit(1);
		}
		rem = (size_t)n;
		for (h = (struct nlmsghdr *)r; NLMSG_OK(h, rem);
		     h = NLMSG_NEXT(h, rem)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			pending--;
			if (((struct nlmsgerr *)NLMSG_DATA(h))->error) {
				if (nerr++ < 5)
					fprintf(stderr, "sync_load: request %u: %s\n",
						h->nlmsg_seq,
						strerror(-((struct nlmsgerr *)NLMSG_DATA(h))->error));
			}
		}
	}
	blen = 0;
	nbatch = 0;
}

/* Start a message, return the offset of its nest payload start. */
static char *msg_begin(uint8_t cmd, size_t *len)
{
	struct nlmsghdr *h;
	struct genlmsghdr *g;

	if (nbatch == BATCH)
		flush();
	h = (struct nlmsghdr *)(buf + blen);
	memset(h, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	h->nlmsg_type = (uint16_t)family;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = ++seq;
	g = (struct genlmsghdr *)(buf + blen + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = OVPNHA_FAMILY_VERSION;
	*len = NLMSG_HDRLEN + GENL_HDRLEN;
	return buf + blen;
}

static void msg_end(char *msg, size_t len)
{
	((struct nlmsghdr *)msg)->nlmsg_len = (uint32_t)len;
	blen += len;
	nbatch++;
	nreq++;
}

static void die(int line, const char *what)
{
	fprintf(stderr, "sync_load: line %d: %s\n", line, what);
	exit(2);
}

static void parse_prefix(int line, const char *s, int *fam, uint8_t *a,
			 uint8_t *plen)
{
	char tmp[64], *sl;

	snprintf(tmp, sizeof(tmp), "%s", s);
	sl = strchr(tmp, '/');
	if (!sl)
		die(line, "prefix without /LEN");
	*sl = '\0';
	*plen = (uint8_t)atoi(sl + 1);
	if (inet_pton(AF_INET, tmp, a) == 1)
		*fam = 4;
	else if (inet_pton(AF_INET6, tmp, a) == 1)
		*fam = 6;
	else
		die(line, "bad prefix");
}

/* "A.B.C.D:PORT" as a flow's original source or destination. */
static void put_flow_ep(int ln, char *msg, size_t *len, bool src,
			const char *v)
{
	char ad[32], *colon;
	uint8_t a[4];
	uint16_t port;

	snprintf(ad, sizeof(ad), "%s", v);
	colon = strrchr(ad, ':');
	if (!colon)
		die(ln, "flow endpoint needs ADDR:PORT");
	*colon = '\0';
	if (inet_pton(AF_INET, ad, a) != 1)
		die(ln, "bad IPv4 address");
	port = htons((uint16_t)atoi(strrchr(v, ':') + 1));
	put_attr(msg, len, src ? OVPNHA_A_FLOW_ORIG_SRC : OVPNHA_A_FLOW_ORIG_DST,
		 a, 4);
	put_attr(msg, len, src ? OVPNHA_A_FLOW_ORIG_SPORT :
		 OVPNHA_A_FLOW_ORIG_DPORT, &port, 2);
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nl_sock *sk;
	char line[512], *tok[32];
	int ln = 0, i, rcv = 8 << 20;
	FILE *f;

	if (argc == 4 && !strcmp(argv[1], "-n")) {
		char p[256];
		int nfd;

		snprintf(p, sizeof(p), "/run/netns/%s", argv[2]);
		nfd = open(p, O_RDONLY);
		if (nfd < 0 || setns(nfd, CLONE_NEWNET)) {
			perror(p);
			return 1;
		}
		close(nfd);
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fputs("usage: sync_load [-n NETNS] FILE\n", stderr);
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk) ||
	    (family = genl_ctrl_resolve(sk, OVPNHA_FAMILY_NAME)) < 0) {
		fputs("sync_load: ovpnha not loaded\n", stderr);
		fclose(f);
		return 1;
	}
	nl_socket_free(sk);
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("netlink");
		fclose(f);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		int n = 0;
		char *s = strtok(line, " \t\n");
		char *msg, *nest;
		size_t len, nstart;
		uint8_t cmd = 0, a[16];
		int obj;

		ln++;
		while (s && n < 32) {
			tok[n++] = s;
			s = strtok(NULL, " \t\n");
		}
		if (!n || tok[0][0] == '#')
			continue;
		if (n < 2)
			die(ln, "short line");
		obj = !strcmp(tok[0], "peer") ? OVPNHA_A_PEER :
		      !strcmp(tok[0], "iroute") ? OVPNHA_A_IROUTE :
		      !strcmp(tok[0], "flow") ? OVPNHA_A_FLOW : 0;
		if (!obj)
			die(ln, "unknown object");
		if (obj == OVPNHA_A_FLOW)
			cmd = !strcmp(tok[1], "add") ? OVPNHA_CMD_FLOW_NEW : 0;
		else if (obj == OVPNHA_A_PEER)
			cmd = !strcmp(tok[1], "add") ? OVPNHA_CMD_PEER_NEW :
			      !strcmp(tok[1], "set") ? OVPNHA_CMD_PEER_SET :
			      !strcmp(tok[1], "del") ? OVPNHA_CMD_PEER_DEL : 0;
		else
			cmd = !strcmp(tok[1], "add") ? OVPNHA_CMD_IROUTE_NEW :
			      !strcmp(tok[1], "del") ? OVPNHA_CMD_IROUTE_DEL : 0;
		if (!cmd)
			die(ln, "unknown command");
		msg = msg_begin(cmd, &len);
		nstart = len;
		put_attr(msg, &len, (uint16_t)(obj | NLA_F_NESTED), NULL, 0);
		i = 2;
		if (obj == OVPNHA_A_IROUTE) {
			int fam;
			uint8_t plen;

			if (n < 3)
				die(ln, "iroute needs a prefix");
			parse_prefix(ln, tok[2], &fam, a, &plen);
			put_attr(msg, &len, fam == 4 ? OVPNHA_A_IROUTE_IPV4 :
				 OVPNHA_A_IROUTE_IPV6, a, fam == 4 ? 4 : 16);
			put_attr(msg, &len, OVPNHA_A_IROUTE_PREFIXLEN, &plen, 1);
			i = 3;
		}
		for (; i + 1 < n; i += 2) {
			const char *k = tok[i], *v = tok[i + 1];
			uint32_t u;

			if (!strcmp(k, "cn")) {
				put_attr(msg, &len, OVPNHA_A_PEER_CN, v,
					 strlen(v) + 1);
			} else if (!strcmp(k, "id") || (!strcmp(k, "peer") &&
							obj != OVPNHA_A_PEER)) {
				u = (uint32_t)strtoul(v, NULL, 10);
				put_attr(msg, &len, obj == OVPNHA_A_PEER ?
					 OVPNHA_A_PEER_ID : obj == OVPNHA_A_FLOW ?
					 OVPNHA_A_FLOW_PEER_ID :
					 OVPNHA_A_IROUTE_PEER_ID, &u, 4);
			} else if (obj == OVPNHA_A_FLOW &&
				   (!strcmp(k, "src") || !strcmp(k, "dst"))) {
				put_flow_ep(ln, msg, &len, !strcmp(k, "src"), v);
			} else if (obj == OVPNHA_A_FLOW && !strcmp(k, "timeout")) {
				u = (uint32_t)strtoul(v, NULL, 10);
				put_attr(msg, &len, OVPNHA_A_FLOW_TIMEOUT, &u, 4);
			} else if (!strcmp(k, "remote") || !strcmp(k, "vpn-ip")) {
				if (inet_pton(AF_INET, v, a) != 1)
					die(ln, "bad IPv4 address");
				put_attr(msg, &len, !strcmp(k, "remote") ?
					 OVPNHA_A_PEER_REMOTE_IPV4 :
					 OVPNHA_A_PEER_VPN_IPV4, a, 4);
			} else if (!strcmp(k, "port")) {
				uint16_t p = htons((uint16_t)atoi(v));

				put_attr(msg, &len, OVPNHA_A_PEER_REMOTE_PORT,
					 &p, 2);
			} else if (!strcmp(k, "rx-bytes")) {
				uint64_t x = strtoull(v, NULL, 10);

				put_attr(msg, &len, OVPNHA_A_PEER_RX_BYTES, &x, 8);
			} else {
				die(ln, "unknown keyword");
			}
		}
		if (i != n)
			die(ln, "keyword without value");
		nest = msg + nstart;
		((struct nlattr *)nest)->nla_len = (uint16_t)(len - nstart);
		msg_end(msg, len);
	}
	flush();
	fclose(f);
	if (nerr) {
		fprintf(stderr, "sync_load: %d of %d requests failed\n", nerr,
			nreq);
		return 1;
	}
	return 0;
}
