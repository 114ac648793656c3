// SPDX-License-Identifier: GPL-2.0
/* Raw generic netlink for the replication daemon. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/ovpnha.h>

#include "sync_kern.h"
#include "util.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define RBUF_LEN	(1 << 20)
#define HDRS		(NLMSG_HDRLEN + GENL_HDRLEN)

static int nl_socket_raw(int rcvbuf)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	int one = 1;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The family's id and its events group, looked up again each time: a
 * module loaded anew may get other numbers.  0, or -1 if it is not there.
 */
static int resolve(int *family, int *grp, int *ctrl_grp)
{
	struct nl_sock *sk = nl_socket_alloc();
	int r = -1;

	if (!sk || genl_connect(sk)) {
		fputs("ovpnhactl sync: cannot open a generic netlink socket\n",
		      stderr);
		goto out;
	}
	if (ctrl_grp)
		*ctrl_grp = genl_ctrl_resolve_grp(sk, "nlctrl", "notify");
	*family = genl_ctrl_resolve(sk, OVPNHA_FAMILY_NAME);
	*grp = genl_ctrl_resolve_grp(sk, OVPNHA_FAMILY_NAME,
				     OVPNHA_MCGRP_EVENTS);
	if (*family >= 0 && *grp >= 0)
		r = 0;
out:
	if (sk)
		nl_socket_free(sk);
	return r;
}

int kern_open(struct kern *k)
{
	int grp, ctrl_grp = -1;

	memset(k, 0, sizeof(*k));
	k->req_fd = k->ev_fd = -1;
	if (resolve(&k->family, &grp, &ctrl_grp)) {
		fputs("ovpnhactl sync: module ovpnha not loaded: run modprobe ovpnha\n",
		      stderr);
		goto err;
	}
	k->req_fd = nl_socket_raw(8 << 20);
	k->ev_fd = nl_socket_raw(64 << 20);
	if (k->req_fd < 0 || k->ev_fd < 0 ||
	    setsockopt(k->ev_fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp))) {
		perror("ovpnhactl sync: netlink socket");
		goto err;
	}
	/*
	 * The controller's notifications tell when the module is unloaded
	 * and loaded again (its groups are gone then, and may come back
	 * under another number).  Without them the daemon would go deaf.
	 */
	if (ctrl_grp < 0 ||
	    setsockopt(k->ev_fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &ctrl_grp, sizeof(ctrl_grp)))
		fputs("ovpnhactl sync: warning: no genetlink controller notifications: a module reload will go unnoticed\n",
		      stderr);
	k->rbuf_len = RBUF_LEN;
	k->rbuf = xrealloc(NULL, k->rbuf_len);
	k->seq = (uint32_t)getpid() << 8;
	return 0;
err:
	kern_close(k);
	return -1;
}

/* After the controller announced the family: its id, and the group again. */
static int rejoin(struct kern *k)
{
	int family, grp;

	if (resolve(&family, &grp, NULL))
		return -1;
	if (setsockopt(k->ev_fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp)))
		return -1;
	k->family = family;
	k->gone = false;
	return 0;
}

void kern_close(struct kern *k)
{
	if (k->req_fd >= 0)
		close(k->req_fd);
	if (k->ev_fd >= 0)
		close(k->ev_fd);
	k->req_fd = k->ev_fd = -1;
	free(k->rbuf);
	k->rbuf = NULL;
	sbuf_free(&k->batch);
}

const uint8_t *kern_attrs(const struct nlmsghdr *nlh, size_t *len,
			  uint8_t *cmd)
{
	const struct genlmsghdr *g;

	if (nlh->nlmsg_len < HDRS)
		return NULL;
	g = (const struct genlmsghdr *)((const uint8_t *)nlh + NLMSG_HDRLEN);
	*cmd = g->cmd;
	*len = nlh->nlmsg_len - HDRS;
	return (const uint8_t *)nlh + HDRS;
}

static void put_msg(struct kern *k, struct sbuf *b, uint8_t cmd, int flags,
		    const void *attrs, size_t len)
{
	struct nlmsghdr nlh = {
		.nlmsg_len = (uint32_t)(HDRS + len),
		.nlmsg_type = (uint16_t)k->family,
		.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags),
		.nlmsg_seq = ++k->seq,
	};
	struct genlmsghdr g = { .cmd = cmd, .version = OVPNHA_FAMILY_VERSION };

	sbuf_put(b, &nlh, sizeof(nlh));
	sbuf_put(b, &g, sizeof(g));
	sbuf_put(b, attrs, len);
}

/* Extended ACK message of an NLMSG_ERROR, or "". */
static const char *err_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	struct sync_attr a;
	size_t pos = 0;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (off >= nlh->nlmsg_len)
		return "";
	while (sync_attr_next((const uint8_t *)nlh + off, nlh->nlmsg_len - off,
			      &pos, &a) > 0)
		if (a.type == NLMSGERR_ATTR_MSG && a.len &&
		    !a.data[a.len - 1])
			return (const char *)a.data;
	return "";
}

/*
 * Read replies on the request socket until the requests with sequence
 * numbers first..last are all answered.  @fn: data messages; @res: verdicts.
 */
static int collect(struct kern *k, uint32_t first, uint32_t last,
		   kern_msg_fn fn, void *arg, kern_result_fn res, void *rarg)
{
	uint32_t pending = last - first + 1;
	int ret = 0;

	while (pending) {
		ssize_t n = recv(k->req_fd, k->rbuf, k->rbuf_len, 0);
		struct nlmsghdr *nlh;
		size_t rem;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		rem = (size_t)n;
		for (nlh = (struct nlmsghdr *)k->rbuf; NLMSG_OK(nlh, rem);
		     nlh = NLMSG_NEXT(nlh, rem)) {
			uint32_t s = nlh->nlmsg_seq;

			if (s - first > last - first)
				continue;	/* a stale answer */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);

				if (res)
					res((int)(s - first), e->error,
					    err_msg(nlh), rarg);
				else if (e->error && !ret)
					ret = e->error;
				pending--;
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				int v;

				memcpy(&v, NLMSG_DATA(nlh), sizeof(v));
				if (v < 0 && !ret)
					ret = v;
				/* the ACK of a dump is its DONE */
				pending--;
			} else if (fn && nlh->nlmsg_type == k->family) {
				int r = fn(nlh, arg);

				if (r < 0 && !ret)
					ret = r;
			}
		}
	}
	return ret;
}

static int simple(struct kern *k, uint8_t cmd, int flags, const void *attrs,
		  size_t len, kern_msg_fn fn, void *arg)
{
	struct sbuf b = { 0 };
	uint32_t first = k->seq + 1;
	ssize_t n;
	int r;

	put_msg(k, &b, cmd, flags, attrs, len);
	n = send(k->req_fd, b.p, b.len, 0);
	sbuf_free(&b);
	if (n < 0)
		return -errno;
	r = collect(k, first, first, fn, arg, NULL, NULL);
	return r;
}

struct info_ctx {
	uint32_t node_id;
	uint64_t seq;
};

static int info_fn(const struct nlmsghdr *nlh, void *arg)
{
	struct sync_attr tb[OVPNHA_A_MAX + 1], it[OVPNHA_A_INFO_MAX + 1];
	struct info_ctx *c = arg;
	const uint8_t *p;
	size_t len;
	uint8_t cmd;

	p = kern_attrs(nlh, &len, &cmd);
	if (!p || sync_attr_parse(p, len, tb, OVPNHA_A_MAX) < 0 ||
	    !tb[OVPNHA_A_INFO].data ||
	    sync_attr_parse(tb[OVPNHA_A_INFO].data, tb[OVPNHA_A_INFO].len, it,
			    OVPNHA_A_INFO_MAX) < 0)
		return -EBADMSG;
	if (it[OVPNHA_A_INFO_NODE_ID].len == 4)
		memcpy(&c->node_id, it[OVPNHA_A_INFO_NODE_ID].data, 4);
	if (it[OVPNHA_A_INFO_SEQ].len == 8)
		memcpy(&c->seq, it[OVPNHA_A_INFO_SEQ].data, 8);
	return 0;
}

int kern_info(struct kern *k, uint32_t *node_id, uint64_t *seq)
{
	struct info_ctx c = { 0 };
	int r = simple(k, OVPNHA_CMD_INFO_GET, 0, NULL, 0, info_fn, &c);

	*node_id = c.node_id;
	*seq = c.seq;
	return r;
}

int kern_set_node_id(struct kern *k, uint32_t id)
{
	struct sbuf b = { 0 };
	size_t nest;
	int r;

	nest = sync_nest_begin(&b, OVPNHA_A_INFO);
	sync_put_u32(&b, OVPNHA_A_INFO_NODE_ID, id);
	sync_nest_end(&b, nest);
	r = simple(k, OVPNHA_CMD_CONFIG_SET, 0, b.p, b.len, NULL, NULL);
	sbuf_free(&b);
	return r;
}

int role_nest(const struct sync_attr *nest, uint8_t *role, uint32_t *epoch,
	      uint8_t *wanted)
{
	struct sync_attr rt[OVPNHA_A_ROLE_MAX + 1];

	if (!nest->data ||
	    sync_attr_parse(nest->data, nest->len, rt, OVPNHA_A_ROLE_MAX) < 0 ||
	    rt[OVPNHA_A_ROLE_EPOCH].len != 4 || rt[OVPNHA_A_ROLE_ROLE].len != 1)
		return -1;
	memcpy(epoch, rt[OVPNHA_A_ROLE_EPOCH].data, 4);
	*role = rt[OVPNHA_A_ROLE_ROLE].data[0];
	if (wanted)
		*wanted = rt[OVPNHA_A_ROLE_WANTED].len == 1 ?
			  rt[OVPNHA_A_ROLE_WANTED].data[0] : *role;
	return 0;
}

struct role_ctx {
	uint8_t role;
	uint32_t epoch;
};

static int role_fn(const struct nlmsghdr *nlh, void *arg)
{
	struct sync_attr tb[OVPNHA_A_MAX + 1];
	const uint8_t *p;
	size_t len;
	uint8_t cmd;

	struct role_ctx *c = arg;

	p = kern_attrs(nlh, &len, &cmd);
	if (!p || sync_attr_parse(p, len, tb, OVPNHA_A_MAX) < 0 ||
	    role_nest(&tb[OVPNHA_A_ROLE], &c->role, &c->epoch, NULL))
		return -EBADMSG;
	return 0;
}

int kern_role(struct kern *k, uint8_t *role, uint32_t *epoch)
{
	struct role_ctx c = { 0 };
	int r = simple(k, OVPNHA_CMD_ROLE_GET, 0, NULL, 0, role_fn, &c);

	*role = c.role;
	*epoch = c.epoch;
	return r;
}

int kern_epoch_observe(struct kern *k, uint32_t epoch)
{
	struct sbuf b = { 0 };
	size_t nest;
	int r;

	nest = sync_nest_begin(&b, OVPNHA_A_ROLE);
	sync_put_u32(&b, OVPNHA_A_ROLE_EPOCH, epoch);
	sync_nest_end(&b, nest);
	r = simple(k, OVPNHA_CMD_ROLE_SET, 0, b.p, b.len, NULL, NULL);
	sbuf_free(&b);
	return r;
}

int kern_role_master(struct kern *k)
{
	struct sbuf b = { 0 };
	size_t nest;
	int r;

	nest = sync_nest_begin(&b, OVPNHA_A_ROLE);
	sync_put_attr(&b, OVPNHA_A_ROLE_ROLE, &(uint8_t){ OVPNHA_ROLE_MASTER }, 1);
	sync_nest_end(&b, nest);
	r = simple(k, OVPNHA_CMD_ROLE_SET, 0, b.p, b.len, NULL, NULL);
	sbuf_free(&b);
	return r;
}

int kern_dump(struct kern *k, uint8_t cmd, kern_msg_fn fn, void *arg)
{
	return simple(k, cmd, NLM_F_DUMP, NULL, 0, fn, arg);
}

int kern_batch_add(struct kern *k, uint8_t cmd, const void *attrs,
		   size_t len)
{
	if (!k->nbatch)
		k->batch_seq0 = k->seq + 1;
	put_msg(k, &k->batch, cmd, 0, attrs, len);
	return k->nbatch++;
}

int kern_batch_flush(struct kern *k, kern_result_fn fn, void *arg)
{
	uint32_t first = k->batch_seq0, last = k->seq;
	ssize_t n;

	if (!k->nbatch)
		return 0;
	k->nbatch = 0;
	do {
		n = send(k->req_fd, k->batch.p, k->batch.len, 0);
	} while (n < 0 && errno == EINTR);
	k->batch.off = k->batch.len = 0;
	if (n < 0)
		return -errno;
	return collect(k, first, last, NULL, NULL, fn, arg);
}

/*
 * A controller notification: KERN_GONE when our family was unregistered,
 * KERN_BACK when it was registered again (and the events group joined
 * anew), else 0.
 */
static int ctrl_event(struct kern *k, const struct nlmsghdr *nlh)
{
	struct sync_attr a;
	const uint8_t *p;
	size_t len, pos = 0;
	uint8_t cmd;

	p = kern_attrs(nlh, &len, &cmd);
	if (!p || (cmd != CTRL_CMD_DELFAMILY && cmd != CTRL_CMD_NEWFAMILY))
		return 0;
	while (sync_attr_next(p, len, &pos, &a) > 0) {
		if (a.type != CTRL_ATTR_FAMILY_NAME)
			continue;
		if (a.len != sizeof(OVPNHA_FAMILY_NAME) ||
		    memcmp(a.data, OVPNHA_FAMILY_NAME, a.len))
			return 0;
		if (cmd == CTRL_CMD_DELFAMILY) {
			k->gone = true;
			return KERN_GONE;
		}
		if (rejoin(k))
			return 0;	/* gone again already: a DEL follows */
		return KERN_BACK;
	}
	return 0;
}

int kern_events(struct kern *k, kern_msg_fn fn, void *arg, unsigned int max)
{
	int ctrl = 0;	/* the last word on the module: it wins */

	for (unsigned int reads = 0;; reads++) {
		ssize_t n;
		struct nlmsghdr *nlh;
		size_t rem;

		if (max && reads >= max)
			return ctrl ? ctrl : 1;
		n = recv(k->ev_fd, k->rbuf, k->rbuf_len, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return ctrl;
			return -errno;
		}
		rem = (size_t)n;
		for (nlh = (struct nlmsghdr *)k->rbuf; NLMSG_OK(nlh, rem);
		     nlh = NLMSG_NEXT(nlh, rem)) {
			int r;

			if (nlh->nlmsg_type == GENL_ID_CTRL) {
				r = ctrl_event(k, nlh);
				if (r)
					ctrl = r;
				continue;
			}
			if (k->gone || nlh->nlmsg_type != k->family)
				continue;
			r = fn(nlh, arg);
			if (r < 0)
				return r;
		}
	}
}
