// SPDX-License-Identifier: GPL-2.0
/*
 * nlcheck - send hand-crafted ovpnha generic netlink requests and check the
 * kernel's verdict: error code and extended ACK message.  Covers what the
 * tool cannot send on purpose (missing and unknown attributes, wrong
 * lengths).  KTAP output; exit 0 when every case matched.
 *
 *   nlcheck            run every case
 *   nlcheck --eperm    expect every write to fail with EPERM (run inside an
 *                      unprivileged user namespace), reads to succeed
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <linux/ovpnha.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct verdict {
	int err;		/* 0 or negative errno */
	char msg[256];		/* extack message, "" if none */
	bool done;
};

static struct nl_sock *sk;
static int family;
static int ncase, nfail;

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct verdict *v = arg;
	size_t off;

	(void)nla;
	v->err = e->error;
	v->done = true;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && nlh->nlmsg_len > off &&
	    !nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		       nlh->nlmsg_len - off, NULL) &&
	    tb[NLMSGERR_ATTR_MSG])
		snprintf(v->msg, sizeof(v->msg), "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

static int on_ack(struct nl_msg *m, void *arg)
{
	struct verdict *v = arg;

	(void)m;
	v->err = 0;
	v->done = true;
	return NL_STOP;
}

static int on_valid(struct nl_msg *m, void *arg)
{
	(void)m;
	(void)arg;
	return NL_OK;
}

static struct nl_msg *req(int cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc();

	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			       NLM_F_ACK | flags, cmd, OVPNHA_FAMILY_VERSION)) {
		fprintf(stderr, "nlcheck: out of memory\n");
		exit(1);
	}
	return m;
}

static struct verdict send_req(struct nl_msg *m)
{
	struct verdict v = { 0 };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &v);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &v);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &v);
	if (nl_send_auto(sk, m) < 0) {
		v.err = -EIO;
		v.done = true;
	}
	while (!v.done)
		if (nl_recvmsgs(sk, cb) < 0 && !v.done) {
			v.err = -EIO;
			break;
		}
	nl_cb_put(cb);
	nlmsg_free(m);
	return v;
}

/* want_err: negative errno or 0; want_msg: substring of the extack or NULL */
static void expect(const char *name, struct nl_msg *m, int want_err,
		   const char *want_msg)
{
	struct verdict v = send_req(m);
	bool ok = v.err == want_err &&
		  (!want_msg || strstr(v.msg, want_msg));

	ncase++;
	printf("# %s: err=%d (%s) extack=\"%s\"\n", name, v.err,
	       v.err ? strerror(-v.err) : "ok", v.msg);
	if (!ok) {
		nfail++;
		printf("# want err=%d extack containing \"%s\"\n", want_err,
		       want_msg ? want_msg : "");
	}
	printf("%sok %d %s\n", ok ? "" : "not ", ncase, name);
}

static void put_peer_cn(struct nl_msg *m, const char *cn)
{
	struct nlattr *n = nla_nest_start(m, OVPNHA_A_PEER);

	nla_put_string(m, OVPNHA_A_PEER_CN, cn);
	nla_nest_end(m, n);
}

static void run_invalid(void)
{
	struct nlattr *n;
	struct nl_msg *m;
	char big[OVPNHA_CN_MAXLEN + 2];
	__be32 a4 = htonl(0x0a000000);
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint32_t id;

	/* A peer to hang iroutes on: the reply's id is not needed, use 4242. */
	m = req(OVPNHA_CMD_PEER_NEW, 0);
	n = nla_nest_start(m, OVPNHA_A_PEER);
	nla_put_u32(m, OVPNHA_A_PEER_ID, 4242);
	nla_put_string(m, OVPNHA_A_PEER_CN, "nlcheck");
	nla_nest_end(m, n);
	expect("peer with explicit id 4242 is created", m, 0, NULL);
	id = 4242;

	m = req(OVPNHA_CMD_PEER_NEW, 0);
	expect("PEER_NEW without a peer nest", m, -EINVAL, "missing attribute");

	m = req(OVPNHA_CMD_PEER_NEW, 0);
	n = nla_nest_start(m, OVPNHA_A_PEER);
	nla_put_u16(m, OVPNHA_A_PEER_PROTO, IPPROTO_UDP);
	nla_nest_end(m, n);
	expect("PEER_NEW with a u16 where a u8 belongs", m, -EINVAL, NULL);

	m = req(OVPNHA_CMD_PEER_NEW, 0);
	n = nla_nest_start(m, OVPNHA_A_PEER);
	nla_put_u32(m, OVPNHA_A_PEER_ORIGIN, 1);
	nla_nest_end(m, n);
	expect("PEER_NEW without a common name", m, -EINVAL, "common name");

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	m = req(OVPNHA_CMD_PEER_NEW, 0);
	put_peer_cn(m, big);
	expect("PEER_NEW with a 65-byte common name", m, -EINVAL,
	       "failed policy validation");

	m = req(OVPNHA_CMD_PEER_NEW, 0);
	put_peer_cn(m, "");
	expect("PEER_NEW with an empty common name", m, -EINVAL, "common name");

	m = req(OVPNHA_CMD_PEER_NEW, 0);
	n = nla_nest_start(m, OVPNHA_A_PEER);
	nla_put_string(m, OVPNHA_A_PEER_CN, "u");
	nla_put_u32(m, 200, 1);
	nla_nest_end(m, n);
	expect("PEER_NEW with an unknown attribute in the nest", m, -EINVAL,
	       "Unknown attribute");

	m = req(OVPNHA_CMD_PEER_NEW, 0);
	put_peer_cn(m, "u");
	nla_put_u32(m, 100, 1);
	expect("PEER_NEW with an unknown top-level attribute", m, -EINVAL,
	       "Unknown attribute");

	m = req(OVPNHA_CMD_PEER_NEW, 0);
	n = nla_nest_start(m, OVPNHA_A_PEER);
	nla_put_string(m, OVPNHA_A_PEER_CN, "short");
	nla_put(m, OVPNHA_A_PEER_REMOTE_IPV4, 3, &a4);
	nla_nest_end(m, n);
	expect("PEER_NEW with a 3-byte IPv4 endpoint", m, -ERANGE,
	       "size out of range");

	m = req(OVPNHA_CMD_PEER_NEW, 0);
	n = nla_nest_start(m, OVPNHA_A_PEER);
	nla_put_string(m, OVPNHA_A_PEER_CN, "dup");
	nla_put_u32(m, OVPNHA_A_PEER_ID, id);
	nla_nest_end(m, n);
	expect("PEER_NEW with an id in use", m, -EEXIST, "4242");

	m = req(OVPNHA_CMD_PEER_DEL, 0);
	n = nla_nest_start(m, OVPNHA_A_PEER);
	nla_put_string(m, OVPNHA_A_PEER_CN, "nlcheck");
	nla_nest_end(m, n);
	expect("PEER_DEL without an id", m, -EINVAL, "peer id");

	m = req(OVPNHA_CMD_PEER_DEL, 0);
	n = nla_nest_start(m, OVPNHA_A_PEER);
	nla_put_u32(m, OVPNHA_A_PEER_ID, 77777);
	nla_nest_end(m, n);
	expect("PEER_DEL of an unknown id", m, -ENOENT, "77777");

	m = req(OVPNHA_CMD_IROUTE_NEW, 0);
	n = nla_nest_start(m, OVPNHA_A_IROUTE);
	nla_put_u32(m, OVPNHA_A_IROUTE_PEER_ID, id);
	nla_put(m, OVPNHA_A_IROUTE_IPV4, 4, &a4);
	nla_put_u8(m, OVPNHA_A_IROUTE_PREFIXLEN, 33);
	nla_nest_end(m, n);
	expect("IROUTE_NEW IPv4 /33", m, -EINVAL, "out of range");

	m = req(OVPNHA_CMD_IROUTE_NEW, 0);
	n = nla_nest_start(m, OVPNHA_A_IROUTE);
	nla_put_u32(m, OVPNHA_A_IROUTE_PEER_ID, id);
	nla_put(m, OVPNHA_A_IROUTE_IPV6, 16, a6);
	nla_put_u8(m, OVPNHA_A_IROUTE_PREFIXLEN, 129);
	nla_nest_end(m, n);
	expect("IROUTE_NEW IPv6 /129", m, -ERANGE, NULL);

	m = req(OVPNHA_CMD_IROUTE_NEW, 0);
	n = nla_nest_start(m, OVPNHA_A_IROUTE);
	nla_put_u32(m, OVPNHA_A_IROUTE_PEER_ID, id);
	nla_put(m, OVPNHA_A_IROUTE_IPV4, 4, &a4);
	nla_put(m, OVPNHA_A_IROUTE_IPV6, 16, a6);
	nla_put_u8(m, OVPNHA_A_IROUTE_PREFIXLEN, 8);
	nla_nest_end(m, n);
	expect("IROUTE_NEW with both families", m, -EINVAL, NULL);

	m = req(OVPNHA_CMD_IROUTE_NEW, 0);
	n = nla_nest_start(m, OVPNHA_A_IROUTE);
	nla_put(m, OVPNHA_A_IROUTE_IPV4, 4, &a4);
	nla_put_u8(m, OVPNHA_A_IROUTE_PREFIXLEN, 8);
	nla_nest_end(m, n);
	expect("IROUTE_NEW without a peer id", m, -EINVAL, "peer id");

	m = req(OVPNHA_CMD_IROUTE_NEW, 0);
	n = nla_nest_start(m, OVPNHA_A_IROUTE);
	nla_put_u32(m, OVPNHA_A_IROUTE_PEER_ID, id);
	nla_put(m, OVPNHA_A_IROUTE_IPV4, 4, &a4);
	nla_nest_end(m, n);
	expect("IROUTE_NEW without a prefix length", m, -EINVAL, "prefix");

	m = req(OVPNHA_CMD_CONFIG_SET, 0);
	n = nla_nest_start(m, OVPNHA_A_INFO);
	nla_put_u32(m, OVPNHA_A_INFO_NODE_ID, 0);
	nla_nest_end(m, n);
	expect("CONFIG_SET node id 0", m, -ERANGE, NULL);

	m = req(OVPNHA_CMD_CONFIG_SET, 0);
	n = nla_nest_start(m, OVPNHA_A_INFO);
	nla_put_u32(m, OVPNHA_A_INFO_NODE_ID, 256);
	nla_nest_end(m, n);
	expect("CONFIG_SET node id 256", m, -ERANGE, NULL);

	m = req(OVPNHA_CMD_PEER_DEL, 0);
	n = nla_nest_start(m, OVPNHA_A_PEER);
	nla_put_u32(m, OVPNHA_A_PEER_ID, id);
	nla_nest_end(m, n);
	expect("PEER_DEL of peer 4242", m, 0, NULL);
}

/* Inside an unprivileged user namespace: writes refused, reads allowed. */
static void run_eperm(void)
{
	struct nl_msg *m;

	m = req(OVPNHA_CMD_PEER_NEW, 0);
	put_peer_cn(m, "intruder");
	expect("PEER_NEW without CAP_NET_ADMIN", m, -EPERM, NULL);
	m = req(OVPNHA_CMD_FLUSH, 0);
	expect("FLUSH without CAP_NET_ADMIN", m, -EPERM, NULL);
	m = req(OVPNHA_CMD_CONFIG_SET, 0);
	expect("CONFIG_SET without CAP_NET_ADMIN", m, -EPERM, NULL);
	m = req(OVPNHA_CMD_INFO_GET, 0);
	expect("INFO_GET is open to readers", m, 0, NULL);
	m = req(OVPNHA_CMD_STATS_GET, 0);
	expect("STATS_GET is open to readers", m, 0, NULL);
}

int main(int argc, char **argv)
{
	bool eperm = argc > 1 && !strcmp(argv[1], "--eperm");
	int one = 1;

	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "nlcheck: cannot open a generic netlink socket\n");
		return 1;
	}
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	family = genl_ctrl_resolve(sk, OVPNHA_FAMILY_NAME);
	if (family < 0) {
		fprintf(stderr, "nlcheck: module ovpnha not loaded\n");
		return 1;
	}
	printf("KTAP version 1\n");
	if (eperm)
		run_eperm();
	else
		run_invalid();
	printf("1..%d\n# %d passed, %d failed\n", ncase, ncase - nfail, nfail);
	nl_socket_free(sk);
	return nfail ? 1 : 0;
}
