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

/* 5.11 renamed nla_strlcpy() to nla_strscpy() (Kbuild tests for it). */
#ifdef OVPNHA_NO_NLA_STRSCPY
#include <net/netlink.h>
#define nla_strscpy(dst, nla, size)	nla_strlcpy(dst, nla, size)
#endif

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

/* --- conntrack (flow.c) --- */

/* Before 5.19 the entry count was net->ct.count (Kbuild tests for it). */
#ifdef OVPNHA_NO_NF_CONNTRACK_COUNT
#include <net/net_namespace.h>

static inline u32 nf_conntrack_count(const struct net *net)
{
	return atomic_read(&net->ct.count);
}
#endif

/* --- end of conntrack --- */

/* --- drop attribution (droptrace.c) --- */

#include <linux/rcupdate.h>
#include <linux/skbuff.h>

/*
 * 6.0 named the skb drop reasons (DEFINE_DROP_REASON) that the
 * skb:kfree_skb tracepoint carries.  Earlier kernels (5.10) have neither:
 * drop-trace is reported unavailable there.  6.4 moved the names into
 * per-subsystem lists (the core's is subsystem 0).  6.11 added the
 * receiving socket to the tracepoint; Kbuild looks for it in the headers
 * and defines OVPNHA_KFREE_SKB_RX_SK.
 */
#ifdef DEFINE_DROP_REASON
#include <net/dropreason.h>
#define OVPNHA_HAVE_DROP_REASONS 1

#ifdef OVPNHA_KFREE_SKB_RX_SK
#define OVPNHA_KFREE_SKB_PROBE_ARGS	void *data, struct sk_buff *skb, \
	void *location, enum skb_drop_reason reason, struct sock *rx_sk
#else
#define OVPNHA_KFREE_SKB_PROBE_ARGS	void *data, struct sk_buff *skb, \
	void *location, enum skb_drop_reason reason
#endif

#ifdef SKB_DROP_REASON_SUBSYS_SHIFT
static inline const char *ovpnha_drop_reason_name(unsigned int reason)
{
	const struct drop_reason_list *l;
	const char *name = NULL;

	rcu_read_lock();
	l = rcu_dereference(drop_reasons_by_subsys[SKB_DROP_REASON_SUBSYS_CORE]);
	if (l && reason < l->n_reasons)
		name = l->reasons[reason];	/* static strings */
	rcu_read_unlock();
	return name;
}
#else
static inline const char *ovpnha_drop_reason_name(unsigned int reason)
{
	return reason < SKB_DROP_REASON_MAX ? drop_reasons[reason] : NULL;
}
#endif
#endif /* DEFINE_DROP_REASON */

/* --- end of drop attribution --- */

#endif /* _OVPNHA_COMPAT_H */
