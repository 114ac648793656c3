/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel version shims for ovpnha.  Every difference between the kernels we
 * build against (5.10, 6.1, 6.12) is hidden here, gated on
 * LINUX_VERSION_CODE or on the feature itself, so that the other sources
 * read like in-tree code.
 */
#ifndef _OVPNHA_COMPAT_H
#define _OVPNHA_COMPAT_H

#include <linux/version.h>

/* --- core (netns, peer table, netlink, stats) --- */

/*
 * The core's shims test for the feature itself rather than for
 * LINUX_VERSION_CODE, so that distribution kernels with backports work too.
 */
#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/netlink.h>

/* 6.0 added the "missing attribute" report to extended acks. */
#ifndef NL_SET_ERR_ATTR_MISS
#define NL_SET_ERR_ATTR_MISS(extack, nest, type) do {	\
	(void)(extack);					\
	(void)(nest);					\
	(void)(type);					\
} while (0)
#endif

/*
 * 6.2 added formatted extack messages, kept in the extack itself.  Before
 * that the message must outlive the handler, so it is formatted into one of
 * a small ring of buffers: the ack is built right after the handler
 * returns, long before the ring comes round again.
 */
#ifndef NL_SET_ERR_MSG_FMT
#define OVPNHA_EXTACK_BUFS	32
#define OVPNHA_EXTACK_LEN	80

static inline char *ovpnha_extack_buf(void)
{
	static char bufs[OVPNHA_EXTACK_BUFS][OVPNHA_EXTACK_LEN];
	static atomic_t next = ATOMIC_INIT(0);

	return bufs[(unsigned int)atomic_inc_return(&next) % OVPNHA_EXTACK_BUFS];
}

#define NL_SET_ERR_MSG_FMT(extack, fmt, args...) do {			\
	struct netlink_ext_ack *__extack = (extack);			\
									\
	if (__extack) {							\
		char *__buf = ovpnha_extack_buf();			\
									\
		snprintf(__buf, OVPNHA_EXTACK_LEN, fmt, ##args);	\
		__extack->_msg = __buf;					\
	}								\
} while (0)
#endif

/* --- end of core --- */

#endif /* _OVPNHA_COMPAT_H */
