/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's side of the ovpnha generic netlink family: one socket that
 * listens to the "events" group, one for requests.  Requests are batched:
 * many messages in one sendmsg(), the kernel processes them in order and
 * acknowledges each, so applying a burst of replicated changes costs one
 * system call per batch instead of one round trip per change.
 */
#ifndef OVPNHACTL_SYNC_KERN_H
#define OVPNHACTL_SYNC_KERN_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "sync_wire.h"

#define KBATCH_MAX	256

struct kern {
	int req_fd, ev_fd;
	int family;
	bool gone;		/* the module was unloaded (controller said so) */
	uint32_t seq;
	struct sbuf batch;
	int nbatch;
	uint32_t batch_seq0;
	uint8_t *rbuf;
	size_t rbuf_len;
};

/* In the current network namespace.  0, or -1 with a message printed. */
int kern_open(struct kern *k);
void kern_close(struct kern *k);

int kern_info(struct kern *k, uint32_t *node_id, uint64_t *seq);
int kern_set_node_id(struct kern *k, uint32_t id);
/* Role (enum ovpnha_role) and cluster epoch of this node's module. */
int kern_role(struct kern *k, uint8_t *role, uint32_t *epoch);
/* ROLE_SET master: the role the cluster manager set, taken back. */
int kern_role_master(struct kern *k);
/* An epoch seen on another node: the module raises its own to it. */
int kern_epoch_observe(struct kern *k, uint32_t epoch);
/* Role and epoch of an OVPNHA_A_ROLE nest (event or reply); -1 if bad. */
int role_nest(const struct sync_attr *nest, uint8_t *role, uint32_t *epoch,
	      uint8_t *wanted);

/* A dump of @cmd; @fn sees each message.  0 or -errno. */
typedef int (*kern_msg_fn)(const struct nlmsghdr *nlh, void *arg);
int kern_dump(struct kern *k, uint8_t cmd, kern_msg_fn fn, void *arg);

/*
 * Queue a request: @cmd with top-level attributes @attrs (already encoded).
 * Returns its index in the batch.
 */
int kern_batch_add(struct kern *k, uint8_t cmd, const void *attrs,
		   size_t len);
static inline int kern_batch_len(const struct kern *k)
{
	return k->nbatch;
}
/* Send the batch and collect every verdict: @fn(index, -errno or 0, msg). */
typedef void (*kern_result_fn)(int idx, int err, const char *msg, void *arg);
int kern_batch_flush(struct kern *k, kern_result_fn fn, void *arg);

/*
 * Read what the events socket holds without blocking, @fn per message,
 * at most @max reads (0: no limit).  0 when drained, 1 when the limit was
 * reached first, -ENOBUFS when the kernel dropped events (overrun),
 * KERN_GONE when the module was unloaded, KERN_BACK when it was loaded
 * again (family and group looked up and joined anew), or what @fn
 * returned if negative.
 */
#define KERN_GONE	(-ENODEV)
#define KERN_BACK	2
int kern_events(struct kern *k, kern_msg_fn fn, void *arg, unsigned int max);

/* Top-level attributes of a genl message of the family. */
const uint8_t *kern_attrs(const struct nlmsghdr *nlh, size_t *len,
			  uint8_t *cmd);

#endif
