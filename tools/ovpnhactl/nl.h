/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink session with the ovpnha module (libnl-genl-3).
 *
 * ovnl_open() enters the -n network namespace, opens the socket with
 * extended ACKs, resolves the family and warns once if its version differs
 * from the header the tool was built with.  Failures are printed there; the
 * caller just returns its result as exit status.
 *
 * ovnl_request() sends one request and reads every reply (all parts of a
 * dump) into @fn, then the ACK or error.  It returns 0 or a negative errno
 * from the kernel; the kernel's extended ACK message, if any, is kept for
 * ovnl_report(), which prints "Error: ..." and returns the exit status 1.
 */
#ifndef OVPNHACTL_NL_H
#define OVPNHACTL_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <linux/ovpnha.h>

/* Called for each reply message; 0 to go on, or a negative errno to stop. */
typedef int (*ovnl_reply_fn)(struct nl_msg *msg, void *arg);

int ovnl_open(void);
void ovnl_close(void);
/* Warn once per process if the module's family version is not ours. */
bool ovnl_check_version(int kernel_version);

/* A request for @cmd; flags 0 (do) or NLM_F_DUMP.  Never NULL. */
struct nl_msg *ovnl_new(uint8_t cmd, int flags);
int ovnl_request(struct nl_msg *req, ovnl_reply_fn fn, void *arg);
/* Print the error of a failed request (or a local -errno); returns 1. */
int ovnl_report(int err);
/* The extended ACK message of the last failed request, or NULL. */
const char *ovnl_extack(void);

/* Parse the top-level attributes of a reply (policy-checked). */
int ovnl_parse(struct nl_msg *msg, struct nlattr **tb);

/*
 * Extended ACK of an NLMSG_ERROR or NLMSG_DONE message, parsed from the
 * raw message (pure; exposed for the unit tests).
 */
struct ovnl_err {
	int error;			/* positive errno, 0 for an ACK */
	char msg[256];			/* NLMSGERR_ATTR_MSG, "" if none */
	int64_t offs;			/* NLMSGERR_ATTR_OFFS, -1 if none */
	int64_t miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, -1 */
	int64_t miss_nest;		/* NLMSGERR_ATTR_MISS_NEST, -1 */
};
int ovnl_parse_err(const struct nlmsghdr *nlh, size_t len, struct ovnl_err *e);
/*
 * Name of the attribute at byte @offs of request @req ("peer cn"), for
 * error messages; NULL if @offs is not the start of an attribute.
 */
const char *ovnl_attr_at(const struct nlmsghdr *req, uint32_t offs,
			 char *buf, size_t len);

/*
 * Test seam: replace the kernel by @fn, which sees each request (with
 * family id 0x42) and may call @reply on messages it builds.  It returns
 * 0 or a negative errno, which ovnl_request() returns; a failure then
 * carries the extended ACK set with ovnl_set_test_err() (NULL: none).
 */
typedef int (*ovnl_transport_fn)(struct nl_msg *req, ovnl_reply_fn reply,
				 void *arg);
void ovnl_set_transport(ovnl_transport_fn fn);
void ovnl_set_test_err(const struct ovnl_err *e);
/* Test seam: talk to another generic netlink family (e.g. "nlctrl"). */
void ovnl_set_test_family(const char *name);
/* The resolved family id (after ovnl_open()). */
int ovnl_family(void);

#endif
