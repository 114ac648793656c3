// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz - throw random, malformed and mutated generic netlink requests at
 * the "ovpnha" family as fast as the kernel takes them.
 *
 *   nlfuzz [-n COUNT] [-s SEED] [-N NETNS_PATH]
 *
 * Messages: valid-looking requests of every command (a small corpus of
 * peer, iroute, flow, role, VIP, tunnel, DNS guard and config writes whose
 * ids and addresses come from small pools, so that sets and deletes hit
 * real objects), the same requests mutated (bit flips, truncation, bad
 * nla_len, retyped or appended attributes), random attribute trees under
 * any command number (also out of range), garbage payloads and dump
 * requests, some of which are abandoned midway by closing the socket.
 * BATCH messages go out in one sendmsg(); replies are drained without
 * blocking, and ENOBUFS (acks the kernel had to drop) is counted.
 *
 * The sent stream is a function of the seed alone; what the kernel answers
 * may change which dumps get abandoned (a second generator decides that).
 * One summary line at the end.  Exit 0 unless the setup fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/ovpnha.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define BATCH		64		/* messages per sendmsg() */
#define MSG_MAX		4096		/* largest message built */
#define BUF_MAX		(128 * 1024)	/* largest sendmsg() */
#define SEQ_RING	4096		/* seq -> what was sent, for acks */
#define ERR_SLOTS	512		/* acks counted per errno below this */
#define ID_POOL		256		/* peer ids 1..ID_POOL */
#define GHDR		(NLMSG_HDRLEN + GENL_HDRLEN)
#define NO_NEST		((size_t)-1)	/* nest_start() found no room */

struct msg {
	uint8_t *b;		/* the nlmsghdr */
	size_t len, cap;
};

struct meta {
	bool write;		/* a write command the kernel will parse */
	bool ack;		/* NLM_F_ACK set */
};

static struct {
	uint64_t sent, batches, send_err, acks, replies, enobufs;
	uint64_t dumps, dumps_done, dump_msgs, abandoned, sockets;
	uint64_t write_acks, write_ok, write_eperm;
	uint64_t err[ERR_SLOTS], werr[ERR_SLOTS];
} st;

static uint64_t gen_state, rx_state;
static int fd = -1, family;
static uint32_t seq;
static struct meta meta[SEQ_RING];
static uint8_t sbuf[BUF_MAX + MSG_MAX] __attribute__((aligned(8)));
static uint8_t rbuf[256 * 1024] __attribute__((aligned(8)));
static size_t blen;
static int nbatch;
static bool batch_dump, batch_cut, dump_open;

/* splitmix64: tiny, good enough, reproducible everywhere */
static uint64_t next64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(next64(&gen_state) % n) : 0;
}

static bool chance(uint32_t pct)
{
	return rnd(100) < pct;
}

static bool rx_chance(uint32_t one_in)
{
	return next64(&rx_state) % one_in == 0;
}

/* --- building messages --- */

static void fill(uint8_t *p, size_t n)
{
	size_t i;

	switch (rnd(4)) {
	case 0:
		memset(p, 0, n);
		break;
	case 1:		/* a small number, host order: plausible ids */
		memset(p, 0, n);
		if (n)
			p[0] = (uint8_t)rnd(8);
		break;
	case 2:		/* a NUL-terminated name */
		for (i = 0; i < n; i++)
			p[i] = (uint8_t)('a' + rnd(4));
		if (n)
			p[n - 1] = 0;
		break;
	default:
		for (i = 0; i < n; i++)
			p[i] = (uint8_t)next64(&gen_state);
	}
}

/* Appends one attribute; random payload when @d is NULL. */
static void put(struct msg *m, uint16_t type, const void *d, size_t n)
{
	struct nlattr *a;

	if (NLA_ALIGN(m->len) + NLA_HDRLEN + NLA_ALIGN(n) > m->cap || n > 0xfff0)
		return;
	/* after a truncation: pad back to where attributes may start */
	memset(m->b + m->len, 0, NLA_ALIGN(m->len) - m->len);
	m->len = NLA_ALIGN(m->len);
	a = (struct nlattr *)(m->b + m->len);
	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	a->nla_type = type;
	if (d)
		memcpy(m->b + m->len + NLA_HDRLEN, d, n);
	else
		fill(m->b + m->len + NLA_HDRLEN, n);
	memset(m->b + m->len + NLA_HDRLEN + n, 0, NLA_ALIGN(n) - n);
	m->len += NLA_HDRLEN + NLA_ALIGN(n);
}

static void put_u8(struct msg *m, uint16_t t, uint8_t v) { put(m, t, &v, 1); }
static void put_u16(struct msg *m, uint16_t t, uint16_t v) { put(m, t, &v, 2); }
static void put_u32(struct msg *m, uint16_t t, uint32_t v) { put(m, t, &v, 4); }
static void put_u64(struct msg *m, uint16_t t, uint64_t v) { put(m, t, &v, 8); }
static void put_str(struct msg *m, uint16_t t, const char *s)
{
	put(m, t, s, strlen(s) + 1);
}

static size_t nest_start(struct msg *m, uint16_t type)
{
	size_t before = m->len;

	put(m, type | NLA_F_NESTED, "", 0);
	return m->len > before ? m->len - NLA_HDRLEN : NO_NEST;
}

static void nest_end(struct msg *m, size_t off)
{
	if (off != NO_NEST)
		((struct nlattr *)(m->b + off))->nla_len = (uint16_t)(m->len - off);
}

static void msg_init(struct msg *m, uint8_t cmd)
{
	struct genlmsghdr *g = (struct genlmsghdr *)(m->b + NLMSG_HDRLEN);

	memset(m->b, 0, GHDR);
	g->cmd = cmd;
	g->version = OVPNHA_FAMILY_VERSION;
	m->len = GHDR;
}

/* Addresses and names from small pools, so requests collide and match. */
static void put_addr(struct msg *m, uint16_t t4, uint16_t t6, uint8_t net,
		     bool v6)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, net };

	if (!v6) {
		a[0] = 10;
		a[1] = net;
		a[2] = (uint8_t)rnd(4);
		a[3] = (uint8_t)rnd(256);
		put(m, t4, a, 4);
		return;
	}
	a[15] = (uint8_t)rnd(256);
	put(m, t6, a, 16);
}

static void put_name(struct msg *m, uint16_t t, const char *stem, int n)
{
	char s[IFNAMSIZ];

	snprintf(s, sizeof(s), "%s%u", stem, rnd((uint32_t)n));
	put_str(m, t, s);
}

static void c_peer(struct msg *m, uint8_t cmd)
{
	size_t n = nest_start(m, OVPNHA_A_PEER);
	bool v6 = chance(30);

	put_u32(m, OVPNHA_A_PEER_ID, 1 + rnd(ID_POOL));
	if (cmd == OVPNHA_CMD_PEER_NEW || cmd == OVPNHA_CMD_PEER_SET) {
		if (cmd == OVPNHA_CMD_PEER_NEW || chance(40))
			put_name(m, OVPNHA_A_PEER_CN, "fz", 32);
		put_addr(m, OVPNHA_A_PEER_REMOTE_IPV4,
			 OVPNHA_A_PEER_REMOTE_IPV6, 1, v6);
		put_u16(m, OVPNHA_A_PEER_REMOTE_PORT, htons(1194 + rnd(8)));
		if (chance(30))
			put_u8(m, OVPNHA_A_PEER_PROTO,
			       chance(50) ? IPPROTO_UDP : IPPROTO_TCP);
		if (chance(60))
			put_addr(m, OVPNHA_A_PEER_VPN_IPV4,
				 OVPNHA_A_PEER_VPN_IPV6, 8, false);
		if (chance(30))
			put_addr(m, OVPNHA_A_PEER_VPN_IPV4,
				 OVPNHA_A_PEER_VPN_IPV6, 8, true);
		if (chance(20))
			put_u32(m, OVPNHA_A_PEER_ORIGIN, 1 + rnd(255));
		if (chance(20))
			put_u64(m, OVPNHA_A_PEER_CREATED, next64(&gen_state));
		if (chance(30))
			put_u64(m, OVPNHA_A_PEER_RX_BYTES, rnd(1 << 30));
	}
	nest_end(m, n);
}

static void c_iroute(struct msg *m, uint8_t cmd)
{
	size_t n = nest_start(m, OVPNHA_A_IROUTE);
	bool v6 = chance(30);

	if (cmd != OVPNHA_CMD_IROUTE_DEL || chance(30))
		put_u32(m, OVPNHA_A_IROUTE_PEER_ID, 1 + rnd(ID_POOL));
	put_addr(m, OVPNHA_A_IROUTE_IPV4, OVPNHA_A_IROUTE_IPV6, 100, v6);
	if (cmd != OVPNHA_CMD_IROUTE_GET)
		put_u8(m, OVPNHA_A_IROUTE_PREFIXLEN,
		       (uint8_t)(v6 ? 100 + rnd(29) : 16 + rnd(17)));
	nest_end(m, n);
}

static void c_flow(struct msg *m, uint8_t cmd)
{
	size_t n = nest_start(m, OVPNHA_A_FLOW);
	bool v6 = chance(20);

	put_u32(m, OVPNHA_A_FLOW_PEER_ID, 1 + rnd(ID_POOL));
	if (cmd == OVPNHA_CMD_FLOW_NEW) {
		put_u8(m, OVPNHA_A_FLOW_PROTO, IPPROTO_UDP);
		put_addr(m, OVPNHA_A_FLOW_ORIG_SRC, OVPNHA_A_FLOW_ORIG_SRC, 1, v6);
		put_addr(m, OVPNHA_A_FLOW_ORIG_DST, OVPNHA_A_FLOW_ORIG_DST, 2, v6);
		put_u16(m, OVPNHA_A_FLOW_ORIG_SPORT, htons(1024 + rnd(64)));
		put_u16(m, OVPNHA_A_FLOW_ORIG_DPORT, htons(1194));
		if (chance(30)) {
			put_addr(m, OVPNHA_A_FLOW_REPLY_SRC,
				 OVPNHA_A_FLOW_REPLY_SRC, 3, v6);
			put_addr(m, OVPNHA_A_FLOW_REPLY_DST,
				 OVPNHA_A_FLOW_REPLY_DST, 1, v6);
			put_u16(m, OVPNHA_A_FLOW_REPLY_SPORT, htons(1194));
			put_u16(m, OVPNHA_A_FLOW_REPLY_DPORT,
				htons(1024 + rnd(64)));
		}
		put_u32(m, OVPNHA_A_FLOW_TIMEOUT, rnd(400));
		if (chance(10))
			put_u16(m, OVPNHA_A_FLOW_ZONE, (uint16_t)rnd(3));
	}
	nest_end(m, n);
}

static void c_role(struct msg *m)
{
	size_t n = nest_start(m, OVPNHA_A_ROLE);

	if (chance(70))
		put_u8(m, OVPNHA_A_ROLE_ROLE, (uint8_t)(1 + rnd(OVPNHA_ROLE_MAX)));
	if (chance(40))
		put_u32(m, OVPNHA_A_ROLE_EPOCH, 1 + rnd(6));
	if (chance(30))
		put_u32(m, OVPNHA_A_ROLE_GARP_COUNT, 1 + rnd(3));
	if (chance(30))
		put_u32(m, OVPNHA_A_ROLE_GARP_INTERVAL, 100 + rnd(1000));
	if (chance(20))
		put_u32(m, OVPNHA_A_ROLE_GARP_REFRESH, rnd(3) * 30);
	if (chance(20))
		put_str(m, OVPNHA_A_ROLE_ANNOUNCE_IFNAME, chance(50) ? "" : "lo");
	nest_end(m, n);
}

static void c_vip(struct msg *m, uint8_t cmd)
{
	size_t n = nest_start(m, OVPNHA_A_VIP);

	put_addr(m, OVPNHA_A_VIP_IPV4, OVPNHA_A_VIP_IPV6, 200, chance(30));
	if (cmd == OVPNHA_CMD_VIP_NEW)
		put_name(m, OVPNHA_A_VIP_IFNAME, chance(50) ? "lo" : "eth", 2);
	nest_end(m, n);
}

static void c_tunnel(struct msg *m, uint8_t cmd)
{
	size_t n = nest_start(m, OVPNHA_A_TUNNEL);

	put_name(m, OVPNHA_A_TUNNEL_IFNAME, "tun", 4);
	if (cmd == OVPNHA_CMD_TUNNEL_NEW && chance(70)) {
		put_u16(m, OVPNHA_A_TUNNEL_PORT, htons(1194 + rnd(2)));
		put_u8(m, OVPNHA_A_TUNNEL_PROTO,
		       chance(50) ? IPPROTO_UDP : IPPROTO_TCP);
	}
	nest_end(m, n);
}

static void c_dnsguard(struct msg *m)
{
	size_t n = nest_start(m, OVPNHA_A_DNSGUARD);
	bool v6 = chance(30);

	put_addr(m, OVPNHA_A_DNSGUARD_IPV4, OVPNHA_A_DNSGUARD_IPV6, 8, v6);
	put_u8(m, OVPNHA_A_DNSGUARD_PREFIXLEN,
	       (uint8_t)(v6 ? 64 + rnd(65) : 16 + rnd(17)));
	nest_end(m, n);
}

static void c_config(struct msg *m)
{
	size_t n = nest_start(m, OVPNHA_A_INFO);

	if (chance(20))
		put_u32(m, OVPNHA_A_INFO_NODE_ID, 1 + rnd(4));
	if (chance(50))
		put_u8(m, OVPNHA_A_INFO_ENFORCE, (uint8_t)rnd(2));
	if (chance(30))
		put_u8(m, OVPNHA_A_INFO_DNS_GUARD, (uint8_t)rnd(2));
	if (chance(20))
		put_u8(m, OVPNHA_A_INFO_DROP_TRACE, (uint8_t)rnd(2));
	nest_end(m, n);
}

/* A well-formed request of a random command (a rare flush included). */
static void corpus(struct msg *m)
{
	uint8_t cmd = (uint8_t)(1 + rnd(OVPNHA_CMD_MAX));

	if (cmd == OVPNHA_CMD_FLUSH && rnd(50))
		cmd = OVPNHA_CMD_PEER_NEW;
	msg_init(m, cmd);
	switch (cmd) {
	case OVPNHA_CMD_PEER_NEW: case OVPNHA_CMD_PEER_SET:
	case OVPNHA_CMD_PEER_DEL: case OVPNHA_CMD_PEER_GET:
		c_peer(m, cmd);
		break;
	case OVPNHA_CMD_IROUTE_NEW: case OVPNHA_CMD_IROUTE_DEL:
	case OVPNHA_CMD_IROUTE_GET:
		c_iroute(m, cmd);
		break;
	case OVPNHA_CMD_FLOW_NEW: case OVPNHA_CMD_FLOW_DEL:
		c_flow(m, cmd);
		break;
	case OVPNHA_CMD_ROLE_SET:
		c_role(m);
		break;
	case OVPNHA_CMD_VIP_NEW: case OVPNHA_CMD_VIP_DEL:
		c_vip(m, cmd);
		break;
	case OVPNHA_CMD_TUNNEL_NEW: case OVPNHA_CMD_TUNNEL_DEL:
		c_tunnel(m, cmd);
		break;
	case OVPNHA_CMD_DNSGUARD_NEW: case OVPNHA_CMD_DNSGUARD_DEL:
		c_dnsguard(m);
		break;
	case OVPNHA_CMD_CONFIG_SET:
		c_config(m);
		break;
	default:		/* gets without arguments, flush, DROP_SAMPLE */
		break;
	}
	/* Replicated writes: the epoch check. */
	if (chance(5))
		put_u32(m, OVPNHA_A_EPOCH, rnd(8));
	if (chance(3))
		put_u64(m, OVPNHA_A_SEQ, next64(&gen_state));
}

static uint8_t random_cmd(void)
{
	static const uint8_t odd[] = { OVPNHA_CMD_MAX + 1, OVPNHA_CMD_MAX + 2,
				       64, 127, 128, 200, 255 };
	uint8_t cmd;

	if (chance(10))
		return odd[rnd(sizeof(odd))];
	cmd = (uint8_t)rnd(OVPNHA_CMD_MAX + 1);
	return cmd == OVPNHA_CMD_FLUSH && rnd(50) ? OVPNHA_CMD_PEER_DEL : cmd;
}

static size_t random_len(void)
{
	static const uint16_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15,
					 16, 17, 20, 32, 63, 64, 65, 66, 128 };

	if (chance(3))
		return 200 + rnd(MSG_MAX - 300);
	if (chance(15))
		return rnd(300);
	return lens[rnd(sizeof(lens) / sizeof(lens[0]))];
}

/* A random tree: plausible types mostly, nests up to three deep. */
static void rand_attrs(struct msg *m, int depth, int max)
{
	int i, n = (int)rnd((uint32_t)max + 1);

	for (i = 0; i < n && m->len + 64 < m->cap; i++) {
		uint16_t type = (uint16_t)(chance(85) ? rnd(depth ? 24 : OVPNHA_A_MAX + 3)
						      : next64(&gen_state));

		if (depth < 3 && chance(35)) {
			size_t off = nest_start(m, chance(80) ? type : type & 0x3fff);

			if (!chance(80) && off != NO_NEST)	/* nest flag off again */
				((struct nlattr *)(m->b + off))->nla_type &= ~NLA_F_NESTED;
			rand_attrs(m, depth + 1, 6);
			nest_end(m, off);
			continue;
		}
		put(m, type, NULL, random_len());
	}
}

/* Offsets of up to 32 attributes, top level and one level down. */
static int attr_offsets(const struct msg *m, size_t *out)
{
	size_t off = GHDR, end = m->len;
	int n = 0;

	while (off + NLA_HDRLEN <= end && n < 32) {
		const struct nlattr *a = (const struct nlattr *)(m->b + off);
		size_t l = a->nla_len;

		if (l < NLA_HDRLEN || off + l > end)
			break;
		out[n++] = off;
		if (a->nla_type & NLA_F_NESTED) {
			size_t in = off + NLA_HDRLEN;

			while (in + NLA_HDRLEN <= off + l && n < 32) {
				const struct nlattr *c = (const struct nlattr *)(m->b + in);

				if (c->nla_len < NLA_HDRLEN || in + c->nla_len > off + l)
					break;
				out[n++] = in;
				in += NLA_ALIGN(c->nla_len);
			}
		}
		off += NLA_ALIGN(l);
	}
	return n;
}

static void mutate(struct msg *m)
{
	static const uint16_t bad_len[] = { 0, 1, 3, 4, 5, 8, 0xffff, 0x8000 };
	size_t offs[32];
	int k, rounds = 1 + (int)rnd(3);

	for (k = 0; k < rounds; k++) {
		int na = attr_offsets(m, offs);
		struct nlattr *a = na ? (struct nlattr *)(m->b + offs[rnd((uint32_t)na)]) : NULL;

		switch (rnd(6)) {
		case 0:		/* bit flips anywhere after the nlmsghdr */
			if (m->len > NLMSG_HDRLEN)
				m->b[NLMSG_HDRLEN + rnd((uint32_t)(m->len - NLMSG_HDRLEN))] ^=
					(uint8_t)(1u << rnd(8));
			break;
		case 1:		/* truncation: attributes now end past the message */
			if (m->len <= GHDR)
				break;
			m->len = (chance(10) ? NLMSG_HDRLEN : GHDR) +
				 rnd((uint32_t)(m->len - GHDR + 1));
			break;
		case 2:		/* nla_len lies */
			if (a)
				a->nla_len = chance(50) ? bad_len[rnd(8)] :
					     (uint16_t)(a->nla_len + 1 + rnd(64));
			break;
		case 3:		/* retype, or toggle the nest flag */
			if (a)
				a->nla_type = chance(50) ? (uint16_t)rnd(24) :
					      a->nla_type ^ NLA_F_NESTED;
			break;
		case 4:		/* append garbage, sometimes inside the first nest */
			rand_attrs(m, 1, 2);
			if (na && chance(50))
				((struct nlattr *)(m->b + offs[0]))->nla_len =
					(uint16_t)(m->len - offs[0]);
			break;
		default:	/* another command for the same attributes */
			((struct genlmsghdr *)(m->b + NLMSG_HDRLEN))->cmd = random_cmd();
		}
	}
}

static bool is_write(uint8_t cmd)
{
	switch (cmd) {
	case OVPNHA_CMD_PEER_NEW: case OVPNHA_CMD_PEER_SET:
	case OVPNHA_CMD_PEER_DEL: case OVPNHA_CMD_IROUTE_NEW:
	case OVPNHA_CMD_IROUTE_DEL: case OVPNHA_CMD_CONFIG_SET:
	case OVPNHA_CMD_FLUSH: case OVPNHA_CMD_TUNNEL_NEW:
	case OVPNHA_CMD_TUNNEL_DEL: case OVPNHA_CMD_DNSGUARD_NEW:
	case OVPNHA_CMD_DNSGUARD_DEL: case OVPNHA_CMD_ROLE_SET:
	case OVPNHA_CMD_VIP_NEW: case OVPNHA_CMD_VIP_DEL:
	case OVPNHA_CMD_FLOW_NEW: case OVPNHA_CMD_FLOW_DEL:
		return true;
	}
	return false;
}

static const uint8_t dump_cmds[] = {
	OVPNHA_CMD_PEER_GET, OVPNHA_CMD_IROUTE_GET, OVPNHA_CMD_TUNNEL_GET,
	OVPNHA_CMD_DNSGUARD_GET, OVPNHA_CMD_VIP_GET, OVPNHA_CMD_FLOW_GET,
};

/* One message at sbuf + blen; it is framed and queued in the batch. */
static void gen_one(void)
{
	struct msg m = { .b = sbuf + blen, .cap = MSG_MAX };
	struct nlmsghdr *h = (struct nlmsghdr *)m.b;
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	uint32_t r = rnd(100);
	uint8_t cmd;

	if (r < 30) {
		corpus(&m);
	} else if (r < 60) {
		corpus(&m);
		mutate(&m);
	} else if (r < 85) {
		msg_init(&m, random_cmd());
		rand_attrs(&m, 0, 5);
	} else if (r < 90) {
		msg_init(&m, random_cmd());
		put(&m, (uint16_t)rnd(OVPNHA_A_MAX + 2), NULL, rnd(200));
		if (chance(50))		/* raw bytes, not even attributes */
			m.len -= NLA_HDRLEN - rnd(NLA_HDRLEN);
	} else {
		cmd = chance(85) ? dump_cmds[rnd(sizeof(dump_cmds))] : random_cmd();
		msg_init(&m, cmd);
		if (chance(30))
			c_peer(&m, OVPNHA_CMD_PEER_GET);	/* filters */
		if (chance(20))
			rand_attrs(&m, 0, 2);
		flags |= NLM_F_DUMP;
	}
	if (chance(10))
		flags &= (uint16_t)~NLM_F_ACK;
	if (chance(4))
		flags = NLM_F_REQUEST | (uint16_t)rnd(0x10000);
	h->nlmsg_len = (uint32_t)m.len;
	h->nlmsg_type = (uint16_t)family;
	if (!rnd(500))		/* control types: skipped (or acked) by netlink */
		h->nlmsg_type = (uint16_t)rnd(NLMSG_MIN_TYPE);
	h->nlmsg_flags = flags;
	h->nlmsg_seq = ++seq;
	h->nlmsg_pid = chance(2) ? (uint32_t)next64(&gen_state) : 0;
	/* A lying nlmsg_len stops the kernel parsing the rest of the skb:
	 * only ever the last of a batch.
	 */
	if (!rnd(1000)) {
		h->nlmsg_len = chance(50) ? (uint32_t)rnd(NLMSG_HDRLEN) :
			       (uint32_t)(m.len + 4 + rnd(1 << 20));
		batch_cut = true;
	}
	/* A write the kernel will check permissions of: genetlink first
	 * refuses a bad header (reserved field, unknown flags) with EINVAL.
	 */
	meta[seq % SEQ_RING] = (struct meta) {
		.write = h->nlmsg_type == family && m.len >= GHDR &&
			 !(flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO)) &&
			 !((struct genlmsghdr *)(m.b + NLMSG_HDRLEN))->reserved &&
			 is_write(((struct genlmsghdr *)(m.b + NLMSG_HDRLEN))->cmd),
		.ack = flags & NLM_F_ACK,
	};
	if ((flags & NLM_F_DUMP) == NLM_F_DUMP) {
		st.dumps++;
		batch_dump = true;
	}
	memset(m.b + m.len, 0, NLMSG_ALIGN(m.len) - m.len);
	blen += NLMSG_ALIGN(m.len);
	nbatch++;
	st.sent++;
}

/* --- the socket --- */

static int open_sock(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int big = 4 << 20, on = 1, s;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("nlfuzz: netlink socket");
		exit(1);
	}
	/* FORCE needs CAP_NET_ADMIN in the init namespace: else capped. */
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)))
		setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	/* Extended acks (with offsets into our garbage) on most sockets. */
	if (!rx_chance(4))
		setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof(on));
	if (!rx_chance(2))
		setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof(on));
	st.sockets++;
	return s;
}

/* Close with whatever is queued and a dump maybe half done. */
static void abandon(void)
{
	close(fd);
	fd = open_sock();
	dump_open = false;
	st.abandoned++;
}

static void count_ack(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const struct meta *mt = &meta[h->nlmsg_seq % SEQ_RING];
	int err = -e->error;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(int)))
		return;
	err = err >= 0 && err < ERR_SLOTS ? err : ERR_SLOTS - 1;
	st.acks++;
	st.err[err]++;
	if (mt->write) {
		st.werr[err]++;
		st.write_acks++;
		st.write_ok += !err;
		st.write_eperm += err == EPERM;
	}
}

/* Read until the queue is empty; each read lets a running dump go on. */
static void drain(void)
{
	bool quit = false;

	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		struct nlmsghdr *h;
		size_t rem;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				st.enobufs++;
				continue;
			}
			return;		/* EAGAIN: all read */
		}
		rem = (size_t)n;
		for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, rem);
		     h = NLMSG_NEXT(h, rem)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				count_ack(h);
			} else if (h->nlmsg_type == NLMSG_DONE) {
				st.dumps_done++;
				dump_open = false;
			} else if (h->nlmsg_flags & NLM_F_MULTI) {
				st.dump_msgs++;
				/* one dump in ten is left unfinished */
				if (!dump_open)
					quit = rx_chance(10);
				dump_open = true;
			} else {
				st.replies++;
			}
		}
		if (dump_open && quit) {
			abandon();
			return;
		}
	}
}

static void send_batch(void)
{
	if (!nbatch)
		return;
	if (send(fd, sbuf, blen, 0) < 0)
		st.send_err++;
	st.batches++;
	if (batch_dump && rx_chance(64))
		abandon();		/* not a single reply read */
	else
		drain();
	blen = 0;
	nbatch = 0;
	batch_dump = batch_cut = false;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* " [ENAME=n ...]": the @k most frequent errnos of @c */
static void print_top(const uint64_t *c, int k)
{
	bool done[ERR_SLOTS] = { false };
	int i, j, best;

	printf(" [");
	for (j = 0; j < k; j++) {
		best = -1;
		for (i = 0; i < ERR_SLOTS; i++)
			if (!done[i] && c[i] && (best < 0 || c[i] > c[best]))
				best = i;
		if (best < 0)
			break;
		done[best] = true;
		printf("%s%s=%llu", j ? " " : "",
		       best ? strerrorname_np(best) ?: "E?" : "OK",
		       (unsigned long long)c[best]);
	}
	printf("]");
}

static void summary(double secs)
{
	printf("nlfuzz: messages=%llu batches=%llu seconds=%.1f rate=%.0f/s acks=%llu",
	       (unsigned long long)st.sent, (unsigned long long)st.batches,
	       secs, secs > 0 ? (double)st.sent / secs : 0.0,
	       (unsigned long long)st.acks);
	print_top(st.err, 6);
	printf(" replies=%llu dumps=%llu dumps_done=%llu dump_msgs=%llu abandoned=%llu sockets=%llu enobufs=%llu send_err=%llu write_acks=%llu write_ok=%llu write_eperm=%llu writes",
	       (unsigned long long)st.replies, (unsigned long long)st.dumps,
	       (unsigned long long)st.dumps_done,
	       (unsigned long long)st.dump_msgs,
	       (unsigned long long)st.abandoned,
	       (unsigned long long)st.sockets,
	       (unsigned long long)st.enobufs,
	       (unsigned long long)st.send_err,
	       (unsigned long long)st.write_acks,
	       (unsigned long long)st.write_ok,
	       (unsigned long long)st.write_eperm);
	print_top(st.werr, 4);
	printf("\n");
}

int main(int argc, char **argv)
{
	unsigned long long count = 1000000, seed = 0x6f76706e6861ull;
	const char *netns = NULL;
	struct nl_sock *sk;
	double t0;
	int c;

	while ((c = getopt(argc, argv, "n:s:N:")) != -1) {
		switch (c) {
		case 'n':
			count = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'N':
			netns = optarg;
			break;
		default:
			fputs("usage: nlfuzz [-n COUNT] [-s SEED] [-N NETNS_PATH]\n",
			      stderr);
			return 2;
		}
	}
	if (netns) {
		int nfd = open(netns, O_RDONLY | O_CLOEXEC);

		if (nfd < 0 || setns(nfd, CLONE_NEWNET)) {
			perror(netns);
			return 1;
		}
		close(nfd);
	}
	gen_state = seed;
	rx_state = seed ^ 0x5555aaaa5555aaaaull;
	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk) ||
	    (family = genl_ctrl_resolve(sk, OVPNHA_FAMILY_NAME)) < 0) {
		fputs("nlfuzz: module ovpnha not loaded\n", stderr);
		return 1;
	}
	nl_socket_free(sk);
	printf("nlfuzz: seed=%#llx count=%llu family=%d\n", seed, count, family);
	fflush(stdout);
	fd = open_sock();
	t0 = now();
	while (st.sent < count) {
		gen_one();
		if (nbatch == BATCH || blen + MSG_MAX > BUF_MAX || batch_cut)
			send_batch();
	}
	send_batch();
	summary(now() - t0);
	close(fd);
	return 0;
}
