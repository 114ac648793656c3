// SPDX-License-Identifier: GPL-2.0
/* Frames of the replication stream: building, splitting, attributes. */
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/ovpnha.h>

#include "sync_wire.h"
#include "util.h"

#define ALIGN4(x)	(((x) + 3) & ~(size_t)3)

void sbuf_reserve(struct sbuf *b, size_t more)
{
	size_t cap;

	if (b->len + more <= b->cap)
		return;
	/* Reclaim consumed space before growing. */
	if (b->off && b->off == b->len) {
		b->off = b->len = 0;
		if (more <= b->cap)
			return;
	} else if (b->off > b->cap / 2) {
		memmove(b->p, b->p + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (b->len + more <= b->cap)
			return;
	}
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void sbuf_put(struct sbuf *b, const void *data, size_t n)
{
	sbuf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

void sbuf_consume(struct sbuf *b, size_t n)
{
	b->off += n;
	if (b->off >= b->len)
		b->off = b->len = 0;
}

void sbuf_free(struct sbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

size_t sync_frame_begin(struct sbuf *b, uint8_t type, uint32_t epoch,
			uint64_t seq)
{
	uint8_t h[SYNC_HDR_LEN] = { 0 };
	size_t start = b->len;

	h[4] = type;
	h[5] = SYNC_PROTO_VERSION;
	put_le32(h + 8, epoch);
	put_le64(h + 12, seq);
	sbuf_put(b, h, sizeof(h));
	return start;
}

void sync_frame_end(struct sbuf *b, size_t start)
{
	put_le32(b->p + start, (uint32_t)(b->len - start));
}

void sync_put_attr(struct sbuf *b, uint16_t type, const void *data,
		   size_t len)
{
	struct nlattr nla = {
		.nla_len = (uint16_t)(NLA_HDRLEN + len),
		.nla_type = type,
	};
	static const uint8_t zero[4];

	sbuf_put(b, &nla, sizeof(nla));
	sbuf_put(b, data, len);
	sbuf_put(b, zero, ALIGN4(len) - len);
}

void sync_put_u32(struct sbuf *b, uint16_t type, uint32_t v)
{
	sync_put_attr(b, type, &v, sizeof(v));
}

void sync_put_u64(struct sbuf *b, uint16_t type, uint64_t v)
{
	sync_put_attr(b, type, &v, sizeof(v));
}

void sync_put_str(struct sbuf *b, uint16_t type, const char *s)
{
	sync_put_attr(b, type, s, strlen(s) + 1);
}

size_t sync_nest_begin(struct sbuf *b, uint16_t type)
{
	size_t start = b->len;

	sync_put_attr(b, type | NLA_F_NESTED, NULL, 0);
	return start;
}

void sync_nest_end(struct sbuf *b, size_t start)
{
	struct nlattr *nla = (struct nlattr *)(b->p + start);

	nla->nla_len = (uint16_t)(b->len - start);
}

int sync_frame_peek(const uint8_t *data, size_t n, struct sync_hdr *h)
{
	if (n < SYNC_HDR_LEN)
		return 0;
	h->len = get_le32(data);
	h->type = data[4];
	h->version = data[5];
	h->flags = (uint16_t)(data[6] | data[7] << 8);
	h->epoch = get_le32(data + 8);
	h->seq = get_le64(data + 12);
	if (h->len < SYNC_HDR_LEN || h->len > SYNC_FRAME_MAX || h->len % 4 ||
	    h->version != SYNC_PROTO_VERSION)
		return -1;
	return n >= h->len ? 1 : 0;
}

int sync_attr_next(const uint8_t *p, size_t len, size_t *pos,
		   struct sync_attr *a)
{
	struct nlattr nla;

	if (*pos >= len)
		return 0;
	if (len - *pos < NLA_HDRLEN)
		return -1;
	memcpy(&nla, p + *pos, sizeof(nla));
	if (nla.nla_len < NLA_HDRLEN || nla.nla_len > len - *pos)
		return -1;
	a->type = nla.nla_type & NLA_TYPE_MASK;
	a->len = (uint16_t)(nla.nla_len - NLA_HDRLEN);
	a->data = p + *pos + NLA_HDRLEN;
	*pos += ALIGN4(nla.nla_len);
	if (*pos > len)
		*pos = len;
	return 1;
}

int sync_attr_parse(const uint8_t *p, size_t len, struct sync_attr *tb,
		    int maxtype)
{
	struct sync_attr a;
	size_t pos = 0;
	int r;

	memset(tb, 0, sizeof(*tb) * (size_t)(maxtype + 1));
	while ((r = sync_attr_next(p, len, &pos, &a)) > 0)
		if (a.type <= maxtype)
			tb[a.type] = a;
	return r;
}

/* Expected payload length of a replicated peer attribute; -1: dropped. */
static int peer_attr_len(uint16_t type)
{
	switch (type) {
	case OVPNHA_A_PEER_ID:
	case OVPNHA_A_PEER_ORIGIN:
	case OVPNHA_A_PEER_REMOTE_IPV4:
	case OVPNHA_A_PEER_VPN_IPV4:
		return 4;
	case OVPNHA_A_PEER_REMOTE_IPV6:
	case OVPNHA_A_PEER_VPN_IPV6:
		return 16;
	case OVPNHA_A_PEER_REMOTE_PORT:
		return 2;
	case OVPNHA_A_PEER_PROTO:
		return 1;
	case OVPNHA_A_PEER_CREATED:
	case OVPNHA_A_PEER_RX_BYTES:
	case OVPNHA_A_PEER_TX_BYTES:
		return 8;
	case OVPNHA_A_PEER_CN:
		return 0;	/* variable: checked by the caller */
	default:
		return -1;
	}
}

int sync_peer_strip(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	struct sync_attr a;
	size_t pos = 0, w = 0, n;
	int r, want;

	while ((r = sync_attr_next(in, len, &pos, &a)) > 0) {
		want = peer_attr_len(a.type);
		if (want < 0)
			continue;
		if (want == 0 &&
		    (a.len < 2 || a.len > OVPNHA_CN_MAXLEN + 1 ||
		     a.data[a.len - 1] || memchr(a.data, 0, a.len) !=
		     a.data + a.len - 1))
			return -1;
		if (want > 0 && a.len != want)
			return -1;
		n = ALIGN4(NLA_HDRLEN + a.len);
		if (w + n > cap)
			return -1;
		memset(out + w, 0, n);
		((struct nlattr *)(out + w))->nla_len =
			(uint16_t)(NLA_HDRLEN + a.len);
		((struct nlattr *)(out + w))->nla_type = a.type;
		memcpy(out + w + NLA_HDRLEN, a.data, a.len);
		w += n;
	}
	return r < 0 ? -1 : (int)w;
}

/* Copies the attributes of [in, in + len) that @keep accepts. */
static int copy_attrs(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
		      bool (*keep)(uint16_t type))
{
	struct sync_attr a;
	size_t pos = 0, w = 0, n;
	int r;

	while ((r = sync_attr_next(in, len, &pos, &a)) > 0) {
		if (!keep(a.type))
			continue;
		n = ALIGN4(NLA_HDRLEN + a.len);
		if (w + n > cap)
			return -1;
		memset(out + w, 0, n);
		((struct nlattr *)(out + w))->nla_len =
			(uint16_t)(NLA_HDRLEN + a.len);
		((struct nlattr *)(out + w))->nla_type = a.type;
		memcpy(out + w + NLA_HDRLEN, a.data, a.len);
		w += n;
	}
	return r < 0 ? -1 : (int)w;
}

static bool iroute_keep(uint16_t type)
{
	return type == OVPNHA_A_IROUTE_PEER_ID || type == OVPNHA_A_IROUTE_IPV4 ||
	       type == OVPNHA_A_IROUTE_IPV6 || type == OVPNHA_A_IROUTE_PREFIXLEN;
}

int sync_iroute_strip(const uint8_t *in, size_t len, uint8_t *out,
		      size_t cap)
{
	return copy_attrs(in, len, out, cap, iroute_keep);
}

static bool flow_keep(uint16_t type)
{
	return type >= OVPNHA_A_FLOW_PEER_ID && type <= OVPNHA_A_FLOW_ZONE &&
	       type != OVPNHA_A_FLOW_INSTALLED;
}

int sync_flow_strip(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	return copy_attrs(in, len, out, cap, flow_keep);
}

int sync_iroute_decode(const uint8_t *p, size_t len, uint32_t *peer_id,
		       struct sync_prefix *pfx)
{
	struct sync_attr tb[OVPNHA_A_IROUTE_MAX + 1];
	const struct sync_attr *a4, *a6, *pl, *id;
	unsigned int max, i;

	if (sync_attr_parse(p, len, tb, OVPNHA_A_IROUTE_MAX) < 0)
		return -1;
	a4 = &tb[OVPNHA_A_IROUTE_IPV4];
	a6 = &tb[OVPNHA_A_IROUTE_IPV6];
	pl = &tb[OVPNHA_A_IROUTE_PREFIXLEN];
	id = &tb[OVPNHA_A_IROUTE_PEER_ID];
	if (!id->data || id->len != 4 || !pl->data || pl->len != 1 ||
	    !!a4->data == !!a6->data)
		return -1;
	if ((a4->data && a4->len != 4) || (a6->data && a6->len != 16))
		return -1;
	memcpy(peer_id, id->data, 4);
	memset(pfx, 0, sizeof(*pfx));
	pfx->family = a4->data ? 4 : 6;
	max = a4->data ? 32 : 128;
	pfx->plen = pl->data[0];
	if (pfx->plen > max || !*peer_id)
		return -1;
	memcpy(pfx->addr, a4->data ? a4->data : a6->data, max / 8);
	for (i = 0; i < max / 8; i++) {
		if (i * 8 >= pfx->plen)
			pfx->addr[i] = 0;
		else if (i * 8 + 8 > pfx->plen)
			pfx->addr[i] &= (uint8_t)(0xff << (8 - (pfx->plen - i * 8)));
	}
	return 0;
}
