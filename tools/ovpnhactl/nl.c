// SPDX-License-Identifier: GPL-2.0
/* Generic netlink session, requests, extended ACK error reporting. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>

#include "nl.h"
#include "ovpnhactl.h"
#include "util.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

/*
 * Requests are built in one buffer, allocated zeroed per request: small,
 * so that batches (-b) do not spend their time clearing memory (at 8 KiB
 * the clearing was 30 % of `ovpnhactl -b`'s samples in the guest).  The
 * longest request (a peer with every attribute) is a few hundred bytes;
 * one that does not fit fails with "message too long".
 */
#define OVNL_MSG_SIZE	1024
#define OVNL_RCVBUF	(8 << 20)
/*
 * The receive buffer of one recvmsg().  The kernel builds dump datagrams of
 * at most 32 KiB, so with 64 KiB nothing is truncated and there is no need
 * to peek at each datagram's size first (a second system call per reply).
 */
#define OVNL_RECV_SIZE	65536
#define TEST_FAMILY	0x42

static struct {
	struct nl_sock *sk;
	int family;
	ovnl_transport_fn transport;
	struct ovnl_err test_err;
	const char *family_name;	/* tests only: another family */
	char extack[256];		/* message of the last failed request */
	char where[128];			/* " (attribute peer cn)" or "" */
} S;

static int enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ovpnhactl: cannot open network namespace \"%s\": %s\n",
			name, strerror(errno));
		return EXIT_FAIL;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "ovpnhactl: cannot enter network namespace \"%s\": %s\n",
			name, strerror(errno));
		close(fd);
		return EXIT_FAIL;
	}
	close(fd);
	return 0;
}

struct family {
	bool found;
	int id;
	int version;
};

static int family_reply(struct nl_msg *msg, void *arg)
{
	static struct nla_policy pol[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID] = { .type = NLA_U16 },
		[CTRL_ATTR_VERSION] = { .type = NLA_U32 },
	};
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct family *f = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, pol) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_ID])
		return -EBADMSG;
	f->found = true;
	f->id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	f->version = tb[CTRL_ATTR_VERSION] ? (int)nla_get_u32(tb[CTRL_ATTR_VERSION]) : -1;
	return 0;
}

/*
 * The family version the module registered (CTRL_ATTR_VERSION) against the
 * uapi header this tool was built with: a warning on stderr, once per
 * process however often the socket is reopened.  True if it warned now.
 */
bool ovnl_check_version(int kernel_version)
{
	static bool warned;

	if (kernel_version == OVPNHA_FAMILY_VERSION || warned)
		return false;
	warned = true;
	fprintf(stderr, "ovpnhactl: warning: module ovpnha speaks netlink version %d, this tool version %d\n",
		kernel_version, OVPNHA_FAMILY_VERSION);
	return true;
}

/* One CTRL_CMD_GETFAMILY request by name (not a dump of every family). */
static int resolve_family(void)
{
	const char *name = S.family_name ? S.family_name : OVPNHA_FAMILY_NAME;
	struct family f = { 0 };
	struct nl_msg *m = nlmsg_alloc();
	int err;

	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, 0,
			       CTRL_CMD_GETFAMILY, 1) ||
	    nla_put_string(m, CTRL_ATTR_FAMILY_NAME, name) < 0) {
		nlmsg_free(m);
		return ovnl_report(-ENOMEM);
	}
	err = ovnl_request(m, family_reply, &f);
	nlmsg_free(m);
	if (err == -ENOENT) {
		fprintf(stderr, "ovpnhactl: module ovpnha not loaded: run modprobe ovpnha\n");
		return EXIT_FAIL;
	}
	if (!err && !f.found)
		err = -EBADMSG;
	if (err) {
		fprintf(stderr, "ovpnhactl: cannot look up the generic netlink family %s: %s\n",
			name, ovnl_extack() ? ovnl_extack() : strerror(-err));
		return EXIT_FAIL;
	}
	S.family = f.id;
	ovnl_check_version(f.version);
	return 0;
}

int ovnl_open(void)
{
	int fd, one = 1, rcv = OVNL_RCVBUF, err;

	if (S.sk || S.transport)
		return 0;
	if (g_opts.netns && enter_netns(g_opts.netns))
		return EXIT_FAIL;
	S.sk = nl_socket_alloc();
	if (!S.sk)
		return ovnl_report(-ENOMEM);
	err = genl_connect(S.sk);
	if (err < 0) {
		fprintf(stderr, "ovpnhactl: cannot open a generic netlink socket: %s\n",
			nl_geterror(err));
		ovnl_close();
		return EXIT_FAIL;
	}
	fd = nl_socket_get_fd(S.sk);
	/* Kernels before 4.12 lack extended ACKs; then plain errors. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Big dumps: ask for a large buffer, beyond rmem_max when root. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	nl_socket_disable_msg_peek(S.sk);
	nl_socket_set_msg_buf_size(S.sk, OVNL_RECV_SIZE);
	if (resolve_family()) {
		ovnl_close();
		return EXIT_FAIL;
	}
	return 0;
}

void ovnl_close(void)
{
	if (S.sk)
		nl_socket_free(S.sk);
	S.sk = NULL;
}

struct nl_msg *ovnl_new(uint8_t cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc_size(OVNL_MSG_SIZE);

	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ,
			       S.transport ? TEST_FAMILY : S.family, 0, flags,
			       cmd, OVPNHA_FAMILY_VERSION)) {
		fputs("ovpnhactl: out of memory\n", stderr);
		exit(EXIT_FAIL);
	}
	return m;
}

/* ---- attribute names, for error messages ---- */

static const char *const top_names[] = {
	[OVPNHA_A_PEER] = "peer", [OVPNHA_A_IROUTE] = "iroute",
	[OVPNHA_A_INFO] = "info", [OVPNHA_A_STATS] = "stats",
	[OVPNHA_A_SEQ] = "seq", [OVPNHA_A_ROLE] = "role", [OVPNHA_A_VIP] = "vip",
	[OVPNHA_A_EPOCH] = "epoch", [OVPNHA_A_FLOW] = "flow",
};
static const char *const peer_names[] = {
	[OVPNHA_A_PEER_ID] = "id", [OVPNHA_A_PEER_CN] = "cn",
	[OVPNHA_A_PEER_REMOTE_IPV4] = "remote (IPv4)",
	[OVPNHA_A_PEER_REMOTE_IPV6] = "remote (IPv6)",
	[OVPNHA_A_PEER_REMOTE_PORT] = "port",
	[OVPNHA_A_PEER_PROTO] = "proto",
	[OVPNHA_A_PEER_VPN_IPV4] = "vpn-ip", [OVPNHA_A_PEER_VPN_IPV6] = "vpn-ip6",
	[OVPNHA_A_PEER_ORIGIN] = "origin", [OVPNHA_A_PEER_CREATED] = "created",
	[OVPNHA_A_PEER_UPDATED] = "updated",
	[OVPNHA_A_PEER_RX_BYTES] = "rx-bytes", [OVPNHA_A_PEER_TX_BYTES] = "tx-bytes",
	[OVPNHA_A_PEER_IROUTE_COUNT] = "iroute-count",
};
static const char *const iroute_names[] = {
	[OVPNHA_A_IROUTE_PEER_ID] = "peer", [OVPNHA_A_IROUTE_IPV4] = "IPv4 prefix",
	[OVPNHA_A_IROUTE_IPV6] = "IPv6 prefix",
	[OVPNHA_A_IROUTE_PREFIXLEN] = "prefix length",
	[OVPNHA_A_IROUTE_VPN_ADDR] = "vpn-addr",
};
static const char *const info_names[] = {
	[OVPNHA_A_INFO_NODE_ID] = "node-id",
};

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static const char *attr_name(int nest, int type)
{
	const char *const *t = top_names;
	int n = N(top_names);

	switch (nest) {
	case OVPNHA_A_PEER:   t = peer_names;   n = N(peer_names);   break;
	case OVPNHA_A_IROUTE: t = iroute_names; n = N(iroute_names); break;
	case OVPNHA_A_INFO:   t = info_names;   n = N(info_names);   break;
	case 0: break;
	default: return NULL;
	}
	return type > 0 && type < n ? t[type] : NULL;
}

static void describe(char *buf, size_t len, int nest, int type)
{
	const char *outer = nest ? attr_name(0, nest) : NULL;
	const char *name = attr_name(nest, type);

	if (name)
		snprintf(buf, len, "%s%s%s", outer ? outer : "", outer ? " " : "",
			 name);
	else
		snprintf(buf, len, "%s%stype %d", outer ? outer : "",
			 outer ? " " : "", type);
}

/* Top-level and nested attribute at @offs: types, or -1. */
static int find_attr(const struct nlmsghdr *req, uint32_t offs, int *nest,
		     int *type)
{
	const char *base = (const char *)req;
	const struct nlattr *a;
	int rem, r2;
	const struct nlattr *na;

	if (req->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -1;
	rem = (int)(req->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
	a = (const struct nlattr *)(base + NLMSG_HDRLEN + GENL_HDRLEN);
	nla_for_each_attr(a, (struct nlattr *)a, rem, rem) {
		uint32_t pos = (uint32_t)((const char *)a - base);

		if (offs == pos) {
			*nest = 0;
			*type = nla_type(a);
			return 0;
		}
		if (offs <= pos || offs >= pos + nla_len(a) + NLA_HDRLEN)
			continue;
		nla_for_each_nested(na, a, r2) {
			if ((uint32_t)((const char *)na - base) == offs) {
				*nest = nla_type(a);
				*type = nla_type(na);
				return 0;
			}
		}
	}
	return -1;
}

const char *ovnl_attr_at(const struct nlmsghdr *req, uint32_t offs,
			 char *buf, size_t len)
{
	int nest, type;

	if (find_attr(req, offs, &nest, &type))
		return NULL;
	describe(buf, len, nest, type);
	return buf;
}

/* ---- extended ACK ---- */

int ovnl_parse_err(const struct nlmsghdr *nlh, size_t len, struct ovnl_err *e)
{
	static struct nla_policy pol[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
		[NLMSGERR_ATTR_OFFS] = { .type = NLA_U32 },
		[NLMSGERR_ATTR_MISS_TYPE] = { .type = NLA_U32 },
		[NLMSGERR_ATTR_MISS_NEST] = { .type = NLA_U32 },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const char *data = (const char *)nlh + NLMSG_HDRLEN;
	size_t payload, off;

	memset(e, 0, sizeof(*e));
	e->offs = e->miss_type = e->miss_nest = -1;
	if (len < NLMSG_HDRLEN || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < NLMSG_HDRLEN)
		return -1;
	payload = nlh->nlmsg_len - NLMSG_HDRLEN;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr err;

		if (payload < sizeof(err))
			return -1;
		memcpy(&err, data, sizeof(err));
		e->error = -err.error;
		off = sizeof(err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
		    err.msg.nlmsg_len >= NLMSG_HDRLEN)
			off += err.msg.nlmsg_len - NLMSG_HDRLEN;
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		int v;

		if (payload < sizeof(v))
			return -1;
		memcpy(&v, data, sizeof(v));
		e->error = v < 0 ? -v : 0;
		off = sizeof(v);
	} else {
		return -1;
	}
	off = NLMSG_ALIGN(off);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= payload)
		return 0;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)(data + off),
		      (int)(payload - off), pol) < 0)
		return 0;	/* keep the errno, drop garbled TLVs */
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(e->msg, sizeof(e->msg), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS])
		e->offs = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		e->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	if (tb[NLMSGERR_ATTR_MISS_NEST])
		e->miss_nest = nla_get_u32(tb[NLMSGERR_ATTR_MISS_NEST]);
	return 0;
}

/* ---- one request ---- */

struct req_ctx {
	ovnl_reply_fn fn;
	void *arg;
	const struct nlmsghdr *req;
	int err;		/* positive errno */
	bool done;
	bool intr;
	unsigned long msgs;
};

/* Keep the extended ACK of a failure for ovnl_report(). */
static void keep_err(struct req_ctx *c, const struct ovnl_err *e)
{
	char name[80];
	int nest, type;

	c->err = e->error ? e->error : EIO;
	snprintf(S.extack, sizeof(S.extack), "%s", e->msg);
	S.where[0] = '\0';
	if (e->offs >= 0 && !find_attr(c->req, (uint32_t)e->offs, &nest, &type)) {
		describe(name, sizeof(name), nest, type);
		snprintf(S.where, sizeof(S.where), " (attribute %s)", name);
	} else if (e->miss_type >= 0 && !e->msg[0]) {
		int outer = 0;

		/* MISS_NEST is the offset of the nest attribute itself. */
		if (e->miss_nest >= 0 &&
		    !find_attr(c->req, (uint32_t)e->miss_nest, &nest, &type))
			outer = type;
		describe(name, sizeof(name), outer, (int)e->miss_type);
		snprintf(S.where, sizeof(S.where), " (missing attribute %s)", name);
	}
}

static int err_cb(struct sockaddr_nl *nla, struct nlmsgerr *nlerr, void *arg)
{
	struct req_ctx *c = arg;
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((const char *)nlerr - NLMSG_HDRLEN);
	struct ovnl_err e;

	(void)nla;
	c->msgs++;
	if (ovnl_parse_err(nlh, nlh->nlmsg_len, &e))
		e.error = -nlerr->error;
	if (!c->err)
		keep_err(c, &e);
	c->done = true;
	return NL_STOP;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct req_ctx *c = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct ovnl_err e;

	c->msgs++;
	/* A success may still carry a message: a warning. */
	if (!ovnl_parse_err(nlh, nlh->nlmsg_len, &e) && e.msg[0])
		fprintf(stderr, "Warning: %s\n", e.msg);
	c->done = true;
	return NL_STOP;
}

static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct req_ctx *c = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct ovnl_err e;

	c->msgs++;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		c->intr = true;
	/* A dump that fails part-way ends with a negative errno in DONE. */
	if (!ovnl_parse_err(nlh, nlh->nlmsg_len, &e) && e.error && !c->err)
		keep_err(c, &e);
	c->done = true;
	return NL_STOP;
}

static int intr_cb(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct req_ctx *)arg)->intr = true;
	return NL_OK;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct req_ctx *c = arg;
	int r;

	c->msgs++;
	if (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP_INTR)
		c->intr = true;
	if (!c->fn || c->err)
		return NL_OK;
	r = c->fn(msg, c->arg);
	if (r < 0)
		c->err = -r;	/* read on to the end, so the socket stays in step */
	return NL_OK;
}

int ovnl_request(struct nl_msg *req, ovnl_reply_fn fn, void *arg)
{
	struct req_ctx c = { .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int ret;

	S.extack[0] = S.where[0] = '\0';
	if (g_opts.epoch && !(nlmsg_hdr(req)->nlmsg_flags & NLM_F_DUMP) &&
	    nla_put_u32(req, OVPNHA_A_EPOCH, g_opts.epoch))
		return -EMSGSIZE;
	if (S.transport) {
		/* as nl_send_auto() would complete it */
		nlmsg_hdr(req)->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
		ret = S.transport(req, fn, arg);
		if (ret < 0) {
			struct ovnl_err e = S.test_err;

			c.req = nlmsg_hdr(req);
			e.error = -ret;
			keep_err(&c, &e);
		}
		return ret;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, &c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, &c);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, intr_cb, &c);
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, &c);

	ret = nl_send_auto(S.sk, req);
	if (ret < 0) {
		snprintf(S.extack, sizeof(S.extack), "sending the request: %s",
			 nl_geterror(ret));
		nl_cb_put(cb);
		return -EIO;
	}
	c.req = nlmsg_hdr(req);
	while (!c.done) {
		unsigned long before = c.msgs;

		ret = nl_recvmsgs(S.sk, cb);
		if (c.done)
			break;
		if (ret < 0 || c.msgs == before) {
			snprintf(S.extack, sizeof(S.extack), "receiving the reply: %s",
				 ret < 0 ? nl_geterror(ret) : "no answer");
			c.err = EIO;
			break;
		}
	}
	nl_cb_put(cb);
	if (c.intr && !c.err)
		fputs("Warning: the table changed during the dump; the listing may be inconsistent\n",
		      stderr);
	return c.err ? -c.err : 0;
}

int ovnl_report(int err)
{
	if (S.extack[0])
		fprintf(stderr, "Error: %s%s\n", S.extack, S.where);
	else
		fprintf(stderr, "Error: %s%s\n", strerror(err < 0 ? -err : err),
			S.where);
	return EXIT_FAIL;
}

int ovnl_family(void)
{
	return S.family;
}

const char *ovnl_extack(void)
{
	return S.extack[0] ? S.extack : NULL;
}

int ovnl_parse(struct nl_msg *msg, struct nlattr **tb)
{
	static struct nla_policy pol[OVPNHA_A_MAX + 1] = {
		[OVPNHA_A_PEER] = { .type = NLA_NESTED },
		[OVPNHA_A_IROUTE] = { .type = NLA_NESTED },
		[OVPNHA_A_INFO] = { .type = NLA_NESTED },
		[OVPNHA_A_STATS] = { .type = NLA_NESTED },
		[OVPNHA_A_SEQ] = { .type = NLA_U64 },
	};

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, OVPNHA_A_MAX, pol) < 0)
		return -EBADMSG;
	return 0;
}

void ovnl_set_transport(ovnl_transport_fn fn)
{
	ovnl_close();
	S.transport = fn;
	ovnl_set_test_err(NULL);
}

void ovnl_set_test_family(const char *name)
{
	ovnl_close();
	S.family_name = name;
}

void ovnl_set_test_err(const struct ovnl_err *e)
{
	if (e) {
		S.test_err = *e;
	} else {
		memset(&S.test_err, 0, sizeof(S.test_err));
		S.test_err.offs = S.test_err.miss_type = S.test_err.miss_nest = -1;
	}
}
