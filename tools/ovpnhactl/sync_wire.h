/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The replication wire format of `ovpnhactl sync` (Documentation/sync.rst).
 *
 * A TLS 1.3 stream carries frames:
 *
 *	u32 len      whole frame, header included (20 .. SYNC_FRAME_MAX)
 *	u8  type     OVPNHA_CMD_* for data, SYNC_T_* (>= 128) for control
 *	u8  version  SYNC_PROTO_VERSION
 *	u16 flags    SYNC_F_*
 *	u32 epoch    the sender's cluster epoch (0 until failover exists)
 *	u64 seq      the sender's replication sequence number
 *	payload      netlink attributes (struct nlattr, 4-byte aligned):
 *	             data frames carry the OVPNHA_A_PEER or OVPNHA_A_IROUTE
 *	             nest exactly as the kernel announced it, minus the
 *	             read-only attributes; control frames carry SYNC_A_*.
 *
 * Header integers are little-endian; netlink attributes are in the byte
 * order of netlink on the host, so the format is defined for
 * little-endian hosts only (the build refuses others).
 */
#ifndef OVPNHACTL_SYNC_WIRE_H
#define OVPNHACTL_SYNC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the ovpnha sync wire format is defined for little-endian hosts"
#endif

#define SYNC_PROTO_VERSION	1
#define SYNC_HDR_LEN		20
#define SYNC_FRAME_MAX		65536
#define SYNC_DEFAULT_PORT	7410

/* Header flags */
#define SYNC_F_MASTER		0x0001	/* the sender's module is master */

enum sync_type {
	/* data: the kernel command of the change (uapi/linux/ovpnha.h) */
	SYNC_T_HELLO = 128,	/* first frame each way: who I am */
	SYNC_T_RESYNC_BEGIN,	/* a snapshot of the sender's origin follows */
	SYNC_T_RESYNC_END,	/* snapshot complete: counts for checking */
	SYNC_T_ACK,		/* receiver -> sender: seq applied */
	SYNC_T_RESYNC_REQ,	/* receiver -> sender: send a snapshot */
	SYNC_T_PING,		/* keepalive; answered by an ACK */
};

enum sync_a {
	SYNC_A_UNSPEC,
	SYNC_A_NAME,		/* string: the node's name (its certificate) */
	SYNC_A_NODE_ID,		/* u32: the node id of its kernel table */
	SYNC_A_INSTANCE,	/* u64: random per daemon start */
	SYNC_A_PEERS,		/* u32: peers in the snapshot */
	SYNC_A_IROUTES,		/* u32: iroutes in the snapshot */
	__SYNC_A_MAX,
	SYNC_A_MAX = __SYNC_A_MAX - 1
};

struct sync_hdr {
	uint32_t len;
	uint8_t type;
	uint8_t version;
	uint16_t flags;
	uint32_t epoch;
	uint64_t seq;
};

/* A growable byte buffer, consumed from off. */
struct sbuf {
	uint8_t *p;
	size_t off, len, cap;
};

void sbuf_reserve(struct sbuf *b, size_t more);
void sbuf_put(struct sbuf *b, const void *data, size_t n);
void sbuf_consume(struct sbuf *b, size_t n);
static inline size_t sbuf_avail(const struct sbuf *b)
{
	return b->len - b->off;
}
void sbuf_free(struct sbuf *b);

/* Frame building: begin, add attributes, end (fills in the length). */
size_t sync_frame_begin(struct sbuf *b, uint8_t type, uint32_t epoch,
			uint64_t seq);
void sync_put_attr(struct sbuf *b, uint16_t type, const void *data,
		   size_t len);
void sync_put_u32(struct sbuf *b, uint16_t type, uint32_t v);
void sync_put_u64(struct sbuf *b, uint16_t type, uint64_t v);
void sync_put_str(struct sbuf *b, uint16_t type, const char *s);
/* Opens a nest; close it with sync_nest_end(b, start). */
size_t sync_nest_begin(struct sbuf *b, uint16_t type);
void sync_nest_end(struct sbuf *b, size_t start);
void sync_frame_end(struct sbuf *b, size_t start);

/*
 * The next complete frame at @data (@n bytes available): 1 and *h filled
 * (payload at data + SYNC_HDR_LEN, h->len - SYNC_HDR_LEN bytes), 0 when
 * more bytes are needed, -1 when the stream is not a valid frame stream.
 */
int sync_frame_peek(const uint8_t *data, size_t n, struct sync_hdr *h);

/*
 * Walk netlink attributes: the attribute at *pos in [p, p + len), 1 and
 * *pos advanced; 0 at the end; -1 if malformed (length out of bounds).
 */
struct sync_attr {
	uint16_t type;
	uint16_t len;		/* payload length */
	const uint8_t *data;
};
int sync_attr_next(const uint8_t *p, size_t len, size_t *pos,
		   struct sync_attr *a);
/* Index the attributes of [p, p + len) by type (last wins); -1 if bad. */
int sync_attr_parse(const uint8_t *p, size_t len, struct sync_attr *tb,
		    int maxtype);

/*
 * Copies a peer nest (its contents) from a kernel event, leaving out the
 * read-only attributes (updated, iroute count, pad, per-peer drops) and
 * anything this build does not know: the replicated form of a peer.
 * Returns bytes written at @out (which has @cap bytes), or -1.
 */
int sync_peer_strip(const uint8_t *in, size_t len, uint8_t *out, size_t cap);
/* Same for an iroute nest (drops the vpn-addr flag). */
int sync_iroute_strip(const uint8_t *in, size_t len, uint8_t *out,
		      size_t cap);

/* Same for a flow nest (drops the installed flag). */
int sync_flow_strip(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* A prefix as the mirror keys it. */
struct sync_prefix {
	uint8_t family;		/* 4 or 6 */
	uint8_t plen;
	uint8_t addr[16];	/* host bits clear, rest zero */
};

/* Decode an iroute nest's contents: 0, or -1 if incomplete/invalid. */
int sync_iroute_decode(const uint8_t *p, size_t len, uint32_t *peer_id,
		       struct sync_prefix *pfx);

#endif
