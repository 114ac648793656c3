/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ovpnha - high availability and diagnostics for OpenVPN gateways
 *
 * Generic netlink contract between the ovpnha kernel module and userspace.
 * The human-readable specification is Documentation/netlink/ovpnha.yaml;
 * keep both in step.
 *
 * Objects are carried in one nested attribute per object (OVPNHA_A_PEER,
 * OVPNHA_A_IROUTE, OVPNHA_A_INFO, OVPNHA_A_STATS).  Every change to a table
 * is also multicast on the "events" group, using the same command number as
 * the request that caused it, with OVPNHA_A_SEQ set to the per-netns event
 * sequence number the change was given.
 */
#ifndef _UAPI_LINUX_OVPNHA_H
#define _UAPI_LINUX_OVPNHA_H

#define OVPNHA_FAMILY_NAME	"ovpnha"
#define OVPNHA_FAMILY_VERSION	1
#define OVPNHA_MCGRP_EVENTS	"events"

/* Longest common name accepted, without the terminating NUL (as OpenVPN). */
#define OVPNHA_CN_MAXLEN	64

/*
 * Peer ids are cluster-unique without coordination: when userspace does not
 * pick one, the kernel allocates it from the block of the node that created
 * the peer, i.e. (node_id << OVPNHA_PEER_ID_NODE_SHIFT) | n, n >= 1.
 */
#define OVPNHA_PEER_ID_NODE_SHIFT	24
#define OVPNHA_NODE_ID_MAX		255

enum ovpnha_cmd {
	OVPNHA_CMD_UNSPEC,
	OVPNHA_CMD_PEER_NEW,	/* admin; replies with the new peer */
	OVPNHA_CMD_PEER_SET,	/* admin; by OVPNHA_A_PEER_ID */
	OVPNHA_CMD_PEER_DEL,	/* admin; by OVPNHA_A_PEER_ID */
	OVPNHA_CMD_PEER_GET,	/* do: by id; dump: all, or filtered by CN */
	OVPNHA_CMD_IROUTE_NEW,	/* admin; prefix + owning peer id */
	OVPNHA_CMD_IROUTE_DEL,	/* admin; prefix (+ optional peer id check) */
	OVPNHA_CMD_IROUTE_GET,	/* do: longest-prefix lookup of an address;
				 * dump: every iroute, optionally of one peer
				 */
	OVPNHA_CMD_INFO_GET,	/* do: node id, limits, counts, object counters */
	OVPNHA_CMD_STATS_GET,	/* do: counters summed over CPUs */
	OVPNHA_CMD_CONFIG_SET,	/* admin; node id */
	OVPNHA_CMD_FLUSH,	/* admin; delete every peer (and their iroutes) */
	OVPNHA_CMD_TUNNEL_NEW,	/* admin; declare a tunnel device (+ transport) */
	OVPNHA_CMD_TUNNEL_DEL,	/* admin */
	OVPNHA_CMD_TUNNEL_GET,	/* dump: the tunnel devices */
	OVPNHA_CMD_DROP_SAMPLE,	/* notification only: a rate-limited sample
				 * of a drop, OVPNHA_A_DROP nest
				 */
	OVPNHA_CMD_DNSGUARD_NEW, /* admin; a source prefix whose DNS to local
				  * resolvers is kept out of conntrack
				  */
	OVPNHA_CMD_DNSGUARD_DEL, /* admin */
	OVPNHA_CMD_DNSGUARD_GET, /* dump */
	OVPNHA_CMD_ROLE_SET,	/* admin; role, GARP schedule, announce
				 * device, or an epoch seen elsewhere;
				 * also the event of a role change
				 */
	OVPNHA_CMD_ROLE_GET,	/* do: role, epoch, return tracking */
	OVPNHA_CMD_VIP_NEW,	/* admin; an address announced by GARP/NA */
	OVPNHA_CMD_VIP_DEL,	/* admin */
	OVPNHA_CMD_VIP_GET,	/* dump */
	OVPNHA_CMD_FLOW_NEW,	/* admin; a peer's transport flow (replica:
				 * installed into conntrack); also the event
				 * of a learned or refreshed flow
				 */
	OVPNHA_CMD_FLOW_DEL,	/* admin; by peer id */
	OVPNHA_CMD_FLOW_GET,	/* dump */

	__OVPNHA_CMD_MAX,
	OVPNHA_CMD_MAX = __OVPNHA_CMD_MAX - 1
};

enum ovpnha_a {
	OVPNHA_A_UNSPEC,
	OVPNHA_A_PEER,		/* nest, enum ovpnha_a_peer */
	OVPNHA_A_IROUTE,	/* nest, enum ovpnha_a_iroute */
	OVPNHA_A_INFO,		/* nest, enum ovpnha_a_info */
	OVPNHA_A_STATS,		/* nest, enum ovpnha_a_stats */
	OVPNHA_A_SEQ,		/* u64: event sequence of a change, or the
				 * sequence a dump message is consistent with
				 */
	OVPNHA_A_PAD,
	OVPNHA_A_TUNNEL,	/* nest, enum ovpnha_a_tunnel */
	OVPNHA_A_DROP,		/* nest, enum ovpnha_a_drop */
	OVPNHA_A_DNSGUARD,	/* nest, enum ovpnha_a_dnsguard */
	OVPNHA_A_ROLE,		/* nest, enum ovpnha_a_role */
	OVPNHA_A_VIP,		/* nest, enum ovpnha_a_vip */
	OVPNHA_A_EPOCH,		/* u32: on a write, marks it replicated
				 * from a node at this cluster epoch; a
				 * write from a lower epoch than this
				 * node's is refused (-ESTALE)
				 */
	OVPNHA_A_FLOW,		/* nest, enum ovpnha_a_flow */

	__OVPNHA_A_MAX,
	OVPNHA_A_MAX = __OVPNHA_A_MAX - 1
};

enum ovpnha_a_peer {
	OVPNHA_A_PEER_UNSPEC,
	OVPNHA_A_PEER_ID,		/* u32, 0 is invalid */
	OVPNHA_A_PEER_CN,		/* string, 1..OVPNHA_CN_MAXLEN bytes */
	OVPNHA_A_PEER_REMOTE_IPV4,	/* binary, 4 bytes, network order */
	OVPNHA_A_PEER_REMOTE_IPV6,	/* binary, 16 bytes */
	OVPNHA_A_PEER_REMOTE_PORT,	/* u16, network order (NLA_BE16) */
	OVPNHA_A_PEER_PROTO,		/* u8, IPPROTO_UDP (default) or
					 * IPPROTO_TCP
					 */
	OVPNHA_A_PEER_VPN_IPV4,		/* binary, 4 bytes */
	OVPNHA_A_PEER_VPN_IPV6,		/* binary, 16 bytes */
	OVPNHA_A_PEER_ORIGIN,		/* u32 node id that created the peer;
					 * defaults to this node's id
					 */
	OVPNHA_A_PEER_CREATED,		/* u64 ns since the Unix epoch
					 * (CLOCK_REALTIME); settable so a
					 * replica keeps "connected since"
					 */
	OVPNHA_A_PEER_UPDATED,		/* u64 ns since the Unix epoch, read-only */
	OVPNHA_A_PEER_RX_BYTES,		/* u64, as reported by OpenVPN */
	OVPNHA_A_PEER_TX_BYTES,		/* u64 */
	OVPNHA_A_PEER_IROUTE_COUNT,	/* u32, read-only */
	OVPNHA_A_PEER_PAD,
	OVPNHA_A_PEER_DROPS,		/* nest, read-only: this peer's drops,
					 * one u64 per enum ovpnha_stat
					 * (type = index + 1), only non-zero
					 */
	OVPNHA_A_PEER_KDROPS,		/* nest, read-only: kernel drops of
					 * this peer's traffic (skb:kfree_skb),
					 * one OVPNHA_A_KDROP_ENTRY nest per
					 * kernel drop reason seen
					 */
	OVPNHA_A_PEER_SEEN,		/* u64 ns since the Unix epoch, read-
					 * only: last change made on this node
					 * (not replicated), i.e. the client
					 * was last seen by this node's OpenVPN;
					 * 0: only known through replication
					 */

	__OVPNHA_A_PEER_MAX,
	OVPNHA_A_PEER_MAX = __OVPNHA_A_PEER_MAX - 1
};

enum ovpnha_a_iroute {
	OVPNHA_A_IROUTE_UNSPEC,
	OVPNHA_A_IROUTE_PEER_ID,	/* u32 owning peer */
	OVPNHA_A_IROUTE_IPV4,		/* binary, 4 bytes */
	OVPNHA_A_IROUTE_IPV6,		/* binary, 16 bytes */
	OVPNHA_A_IROUTE_PREFIXLEN,	/* u8, <= 32 (IPv4) or <= 128 (IPv6);
					 * absent in a lookup request
					 */
	OVPNHA_A_IROUTE_VPN_ADDR,	/* flag: entry is the peer's own virtual
					 * address (implicit /32 or /128), not
					 * an iroute; only in lookup replies
					 */

	__OVPNHA_A_IROUTE_MAX,
	OVPNHA_A_IROUTE_MAX = __OVPNHA_A_IROUTE_MAX - 1
};

enum ovpnha_a_info {
	OVPNHA_A_INFO_UNSPEC,
	OVPNHA_A_INFO_VERSION,		/* string, module version */
	OVPNHA_A_INFO_NODE_ID,		/* u32, 1..OVPNHA_NODE_ID_MAX */
	OVPNHA_A_INFO_PEERS,		/* u32, peers in this netns */
	OVPNHA_A_INFO_IROUTES,		/* u32, iroutes in this netns */
	OVPNHA_A_INFO_MAX_PEERS,	/* u32, per-netns limit */
	OVPNHA_A_INFO_MAX_IROUTES,	/* u32, per-netns limit */
	OVPNHA_A_INFO_SEQ,		/* u64, last event sequence number */
	OVPNHA_A_INFO_OBJ_PEERS_ALLOC,	/* u64, module-wide object counters: */
	OVPNHA_A_INFO_OBJ_PEERS_FREE,	/*   created == freed once all tables */
	OVPNHA_A_INFO_OBJ_NODES_ALLOC,	/*   are empty and RCU has run       */
	OVPNHA_A_INFO_OBJ_NODES_FREE,
	OVPNHA_A_INFO_OBJ_NETNS_INIT,
	OVPNHA_A_INFO_OBJ_NETNS_EXIT,
	OVPNHA_A_INFO_PAD,
	OVPNHA_A_INFO_ENFORCE,		/* u8 0/1: drop packets into a tunnel
					 * that no peer covers and answer ICMP
					 * unreachable (default 0: count, log)
					 */
	OVPNHA_A_INFO_DNS_GUARD,	/* u8 0/1: DNS guard on */
	OVPNHA_A_INFO_DROP_TRACE,	/* u8 0/1: attribute kernel drops of
					 * peer traffic (skb:kfree_skb)
					 */
	OVPNHA_A_INFO_DROP_TRACE_AVAIL,	/* u8, read-only: the running kernel
					 * offers the tracepoint with reasons
					 */

	__OVPNHA_A_INFO_MAX,
	OVPNHA_A_INFO_MAX = __OVPNHA_A_INFO_MAX - 1
};

enum ovpnha_a_tunnel {
	OVPNHA_A_TUNNEL_UNSPEC,
	OVPNHA_A_TUNNEL_IFNAME,		/* string, < IFNAMSIZ */
	OVPNHA_A_TUNNEL_IFINDEX,	/* u32, read-only (0: device absent) */
	OVPNHA_A_TUNNEL_PORT,		/* u16 network order: local transport
					 * port of the OpenVPN server
					 */
	OVPNHA_A_TUNNEL_PROTO,		/* u8, IPPROTO_UDP or IPPROTO_TCP */

	__OVPNHA_A_TUNNEL_MAX,
	OVPNHA_A_TUNNEL_MAX = __OVPNHA_A_TUNNEL_MAX - 1
};

enum ovpnha_a_drop {
	OVPNHA_A_DROP_UNSPEC,
	OVPNHA_A_DROP_REASON,		/* u32, enum ovpnha_stat */
	OVPNHA_A_DROP_KERNEL_REASON,	/* u32, kernel skb drop reason */
	OVPNHA_A_DROP_PEER_ID,		/* u32, when attributed */
	OVPNHA_A_DROP_SRC_IPV4,		/* binary 4 */
	OVPNHA_A_DROP_DST_IPV4,		/* binary 4 */
	OVPNHA_A_DROP_SRC_IPV6,		/* binary 16 */
	OVPNHA_A_DROP_DST_IPV6,		/* binary 16 */
	OVPNHA_A_DROP_IFINDEX,		/* u32 */
	OVPNHA_A_DROP_COUNT,		/* u32: drops folded into this sample */
	OVPNHA_A_DROP_KERNEL_REASON_NAME, /* string: the kernel's name of
					   * OVPNHA_A_DROP_KERNEL_REASON
					   * ("NETFILTER_DROP")
					   */
	OVPNHA_A_DROP_PROTO,		/* u8, IP protocol of the packet */
	OVPNHA_A_DROP_SPORT,		/* u16 network order (NLA_BE16) */
	OVPNHA_A_DROP_DPORT,		/* u16 network order (NLA_BE16) */

	__OVPNHA_A_DROP_MAX,
	OVPNHA_A_DROP_MAX = __OVPNHA_A_DROP_MAX - 1
};

/* Role of the node in the cluster (OVPNHA_A_ROLE_ROLE). */
enum ovpnha_role {
	OVPNHA_ROLE_NONE,	/* never set: standalone */
	OVPNHA_ROLE_MASTER,
	OVPNHA_ROLE_BACKUP,
	OVPNHA_ROLE_FAULT,
	__OVPNHA_ROLE_MAX,
	OVPNHA_ROLE_MAX = __OVPNHA_ROLE_MAX - 1
};

enum ovpnha_a_role {
	OVPNHA_A_ROLE_UNSPEC,
	OVPNHA_A_ROLE_ROLE,		/* u8, enum ovpnha_role */
	OVPNHA_A_ROLE_EPOCH,		/* u32: the cluster epoch.  Written
					 * alone: an epoch seen elsewhere (the
					 * node steps down if master and it is
					 * higher); with ROLE master: at least
					 * this epoch
					 */
	OVPNHA_A_ROLE_SINCE,		/* u64 ns (CLOCK_REALTIME), read-only:
					 * last role change
					 */
	OVPNHA_A_ROLE_TAKEOVER,		/* u64 ns, read-only: last change to
					 * master (0: never)
					 */
	OVPNHA_A_ROLE_GARP_COUNT,	/* u32 1..100: GARP/NA rounds sent on
					 * becoming master (default 3)
					 */
	OVPNHA_A_ROLE_GARP_INTERVAL,	/* u32 ms 10..60000 between them
					 * (default 200)
					 */
	OVPNHA_A_ROLE_GARP_REFRESH,	/* u32 s, 0..86400: one more round every
					 * this many seconds while master
					 * (default 0: off)
					 */
	OVPNHA_A_ROLE_ANNOUNCE_IFNAME,	/* string: also announce every peer's
					 * virtual address on this device
					 * ("": off)
					 */
	OVPNHA_A_ROLE_STEPDOWNS,	/* u32, read-only: times a higher epoch
					 * made this master step down
					 */
	OVPNHA_A_ROLE_REASON,		/* string, read-only: why the role last
					 * changed
					 */
	OVPNHA_A_ROLE_PEERS,		/* u32, read-only: peers in the table */
	OVPNHA_A_ROLE_RETURNED,		/* u32, read-only: of those, seen by
					 * this node since the takeover
					 */
	OVPNHA_A_ROLE_LAST_RETURN,	/* u64 ns, read-only: takeover to the
					 * last peer's return
					 */
	OVPNHA_A_ROLE_FIRST_GARP,	/* u64 ns, read-only: role change to the
					 * first GARP/NA sent
					 */
	OVPNHA_A_ROLE_WANTED,		/* u8, read-only: the role last set by
					 * the cluster manager; differs from
					 * OVPNHA_A_ROLE_ROLE after a step-down
					 */
	OVPNHA_A_ROLE_PAD,

	__OVPNHA_A_ROLE_MAX,
	OVPNHA_A_ROLE_MAX = __OVPNHA_A_ROLE_MAX - 1
};

enum ovpnha_a_vip {
	OVPNHA_A_VIP_UNSPEC,
	OVPNHA_A_VIP_IPV4,		/* binary 4 */
	OVPNHA_A_VIP_IPV6,		/* binary 16 */
	OVPNHA_A_VIP_IFNAME,		/* string, < IFNAMSIZ: device to announce
					 * on (it need not exist yet)
					 */
	OVPNHA_A_VIP_SENT,		/* u64, read-only: GARPs/NAs sent */
	OVPNHA_A_VIP_FAILED,		/* u64, read-only: not sent (device
					 * absent, down or NOARP)
					 */
	OVPNHA_A_VIP_PAD,

	__OVPNHA_A_VIP_MAX,
	OVPNHA_A_VIP_MAX = __OVPNHA_A_VIP_MAX - 1
};

/*
 * A peer's transport flow as conntrack holds it: the original direction
 * (client endpoint -> server address and port) and the reply direction,
 * which differs from the inverted original when NAT is applied on the
 * server itself.
 */
enum ovpnha_a_flow {
	OVPNHA_A_FLOW_UNSPEC,
	OVPNHA_A_FLOW_PEER_ID,		/* u32 */
	OVPNHA_A_FLOW_PROTO,		/* u8, IPPROTO_UDP */
	OVPNHA_A_FLOW_ORIG_SRC,		/* binary 4 or 16 */
	OVPNHA_A_FLOW_ORIG_DST,		/* binary, same length */
	OVPNHA_A_FLOW_ORIG_SPORT,	/* u16 network order */
	OVPNHA_A_FLOW_ORIG_DPORT,	/* u16 network order */
	OVPNHA_A_FLOW_REPLY_SRC,	/* binary, same length */
	OVPNHA_A_FLOW_REPLY_DST,
	OVPNHA_A_FLOW_REPLY_SPORT,
	OVPNHA_A_FLOW_REPLY_DPORT,
	OVPNHA_A_FLOW_TIMEOUT,		/* u32 s: remaining lifetime */
	OVPNHA_A_FLOW_INSTALLED,	/* u8, read-only: 1 if this node put the
					 * entry into its conntrack table
					 */
	OVPNHA_A_FLOW_ZONE,		/* u16 conntrack zone id (default 0) */

	__OVPNHA_A_FLOW_MAX,
	OVPNHA_A_FLOW_MAX = __OVPNHA_A_FLOW_MAX - 1
};

/* One kernel drop reason of a peer, inside OVPNHA_A_PEER_KDROPS. */
enum ovpnha_a_kdrop {
	OVPNHA_A_KDROP_UNSPEC,
	OVPNHA_A_KDROP_ENTRY,		/* nest of the attributes below */
	OVPNHA_A_KDROP_REASON,		/* u32, the running kernel's enum
					 * skb_drop_reason value
					 */
	OVPNHA_A_KDROP_NAME,		/* string, "NO_SOCKET" */
	OVPNHA_A_KDROP_COUNT,		/* u64 */
	OVPNHA_A_KDROP_PAD,

	__OVPNHA_A_KDROP_MAX,
	OVPNHA_A_KDROP_MAX = __OVPNHA_A_KDROP_MAX - 1
};

enum ovpnha_a_dnsguard {
	OVPNHA_A_DNSGUARD_UNSPEC,
	OVPNHA_A_DNSGUARD_IPV4,		/* binary 4 */
	OVPNHA_A_DNSGUARD_IPV6,		/* binary 16 */
	OVPNHA_A_DNSGUARD_PREFIXLEN,	/* u8 */
	OVPNHA_A_DNSGUARD_HITS,		/* u64, read-only: DNS packets of
					 * this prefix kept out of conntrack
					 */
	OVPNHA_A_DNSGUARD_PAD,

	__OVPNHA_A_DNSGUARD_MAX,
	OVPNHA_A_DNSGUARD_MAX = __OVPNHA_A_DNSGUARD_MAX - 1
};

/*
 * Per-CPU counters.  The order is stable uapi: it is the column order of
 * /proc/net/stat/ovpnha after its two leading gauges ("peers", "iroutes").
 * New counters are only ever appended.  OVPNHA_A_STATS carries one u64
 * attribute per counter, with attribute type = counter index + 1.
 */
enum ovpnha_stat {
	OVPNHA_STAT_PEER_NEW,		/* peers created */
	OVPNHA_STAT_PEER_DEL,		/* peers deleted */
	OVPNHA_STAT_IROUTE_NEW,		/* iroutes added */
	OVPNHA_STAT_IROUTE_DEL,		/* iroutes removed */
	OVPNHA_STAT_LIMIT,		/* refused: a table limit was reached */
	OVPNHA_STAT_CONFLICT,		/* refused: id, endpoint or prefix
					 * already owned
					 */
	OVPNHA_STAT_NOMEM,		/* refused: allocation failed */
	OVPNHA_STAT_LOOKUP,		/* LPM lookups done */
	OVPNHA_STAT_LOOKUP_MISS,	/* LPM lookups that matched nothing */
	OVPNHA_STAT_DROP_NO_IROUTE,	/* into tunnel, no peer covers dst */
	OVPNHA_STAT_DROP_WRONG_ROLE,	/* transport packet in wrong role */
	OVPNHA_STAT_DROP_EPOCH,		/* replicated write, lower epoch */
	OVPNHA_STAT_DROP_REPL,		/* replicated write refused */
	OVPNHA_STAT_GARP_FAIL,		/* gratuitous ARP/NA not sent */
	OVPNHA_STAT_DNS_CLASH_RESOLVED,	/* DNS clash resolved by the kernel */
	OVPNHA_STAT_DNS_CLASH_LOST,	/* DNS clash the kernel dropped */
	OVPNHA_STAT_CT_INSERT_FAILED,	/* replicated flow not inserted */
	OVPNHA_STAT_DNS_GUARDED,	/* DNS packets the guard kept out of
					 * conntrack (queries and replies)
					 */
	OVPNHA_STAT_DNS_CHECKED,	/* forwarded/NATed DNS queries of
					 * guarded sources whose clash
					 * resolution was checked
					 */
	OVPNHA_STAT_KDROP_PEER,		/* kernel drops of peer traffic
					 * (skb:kfree_skb, drop-trace on)
					 */
	OVPNHA_STAT_ROLE_CHANGE,	/* role changes */
	OVPNHA_STAT_STEPDOWN,		/* master stepped down: higher epoch */
	OVPNHA_STAT_GARP_SENT,		/* gratuitous ARPs sent */
	OVPNHA_STAT_NA_SENT,		/* unsolicited neighbour adverts sent */
	OVPNHA_STAT_FLOW_LEARNED,	/* transport flows learned/refreshed */
	OVPNHA_STAT_FLOW_INSTALLED,	/* replicated flows put into conntrack */
	OVPNHA_STAT_FLOW_EXISTED,	/* replicated flow already in conntrack
					 * (a live packet won): refreshed
					 */
	OVPNHA_STAT_FLOW_REMOVED,	/* installed flows taken out again */

	__OVPNHA_STAT_MAX,
	OVPNHA_STAT_MAX = __OVPNHA_STAT_MAX - 1
};

#endif /* _UAPI_LINUX_OVPNHA_H */
