// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the replication daemon's pure parts: frame building
 * and splitting (partial reads, corrupt lengths), the attribute walker,
 * stripping read-only peer attributes, the configuration parser, the
 * mirror and the key set.  No kernel, no network.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/ovpnha.h>

#include "sync_conf.h"
#include "sync_table.h"
#include "sync_wire.h"
#include "test.h"

static void t_frame_roundtrip(void)
{
	struct sbuf b = { 0 };
	struct sync_hdr h;
	struct sync_attr tb[SYNC_A_MAX + 1];
	size_t s;
	uint32_t v;

	s = sync_frame_begin(&b, SYNC_T_HELLO, 7, 0x1122334455667788ULL);
	sync_put_str(&b, SYNC_A_NAME, "gw-a");
	sync_put_u32(&b, SYNC_A_NODE_ID, 3);
	sync_frame_end(&b, s);
	CHECK_INT(b.len, SYNC_HDR_LEN + 12 + 8);
	/* every prefix is "need more" */
	for (size_t n = 0; n < b.len; n++)
		CHECK_INT(sync_frame_peek(b.p, n, &h), 0);
	CHECK_INT(sync_frame_peek(b.p, b.len, &h), 1);
	CHECK_INT(h.len, b.len);
	CHECK_INT(h.type, SYNC_T_HELLO);
	CHECK_INT(h.epoch, 7);
	CHECK(h.seq == 0x1122334455667788ULL);
	/* little-endian on the wire whatever the host */
	CHECK_INT(b.p[0], b.len);
	CHECK_INT(b.p[12], 0x88);
	CHECK_INT(sync_attr_parse(b.p + SYNC_HDR_LEN, b.len - SYNC_HDR_LEN, tb,
				  SYNC_A_MAX), 0);
	CHECK_STR((const char *)tb[SYNC_A_NAME].data, "gw-a");
	memcpy(&v, tb[SYNC_A_NODE_ID].data, 4);
	CHECK_INT(v, 3);
	sbuf_free(&b);
}

static void t_frame_bad(void)
{
	uint8_t f[SYNC_HDR_LEN] = { 0 };
	struct sync_hdr h;

	f[5] = SYNC_PROTO_VERSION;
	f[0] = 8;			/* shorter than a header */
	CHECK_INT(sync_frame_peek(f, sizeof(f), &h), -1);
	f[0] = 0; f[2] = 2;		/* 128 KiB: too long */
	CHECK_INT(sync_frame_peek(f, sizeof(f), &h), -1);
	f[2] = 0; f[0] = 22;		/* not 4-aligned */
	CHECK_INT(sync_frame_peek(f, sizeof(f), &h), -1);
	f[0] = 20; f[5] = 9;		/* unknown version */
	CHECK_INT(sync_frame_peek(f, sizeof(f), &h), -1);
	f[5] = SYNC_PROTO_VERSION;
	CHECK_INT(sync_frame_peek(f, sizeof(f), &h), 1);
}

static void t_stream_split(void)
{
	struct sbuf b = { 0 }, in = { 0 };
	struct sync_hdr h;
	int frames = 0;

	for (int i = 0; i < 1000; i++) {
		size_t s = sync_frame_begin(&b, OVPNHA_CMD_PEER_NEW, 0, (uint64_t)i);

		sync_put_u32(&b, OVPNHA_A_PEER_ID, (uint32_t)i + 1);
		sync_frame_end(&b, s);
	}
	/* Feed in odd-sized chunks, consuming whole frames as they complete. */
	for (size_t off = 0; off < b.len;) {
		size_t n = 1 + (off * 7) % 37;

		if (n > b.len - off)
			n = b.len - off;
		sbuf_put(&in, b.p + off, n);
		off += n;
		while (sync_frame_peek(in.p + in.off, sbuf_avail(&in), &h) == 1) {
			CHECK(h.seq == (uint64_t)frames);
			frames++;
			sbuf_consume(&in, h.len);
		}
	}
	CHECK_INT(frames, 1000);
	CHECK_INT(sbuf_avail(&in), 0);
	sbuf_free(&b);
	sbuf_free(&in);
}

static void t_attr_malformed(void)
{
	uint8_t p[12] = { 0 };
	struct sync_attr a;
	size_t pos = 0;

	((struct nlattr *)p)->nla_len = 40;	/* beyond the buffer */
	CHECK_INT(sync_attr_next(p, sizeof(p), &pos, &a), -1);
	((struct nlattr *)p)->nla_len = 2;	/* shorter than a header */
	pos = 0;
	CHECK_INT(sync_attr_next(p, sizeof(p), &pos, &a), -1);
	pos = 0;
	CHECK_INT(sync_attr_next(p, 3, &pos, &a), -1);
}

/* A peer nest as the kernel sends it: replicated + read-only attrs. */
static size_t kernel_peer(struct sbuf *b)
{
	uint32_t id = 42, origin = 1, cnt = 3;
	uint64_t t = 1000;
	uint8_t ip[4] = { 10, 8, 0, 2 };
	uint16_t port = htons(1194);

	sync_put_u32(b, OVPNHA_A_PEER_ID, id);
	sync_put_str(b, OVPNHA_A_PEER_CN, "alice");
	sync_put_u32(b, OVPNHA_A_PEER_ORIGIN, origin);
	sync_put_u64(b, OVPNHA_A_PEER_CREATED, t);
	sync_put_u64(b, OVPNHA_A_PEER_UPDATED, t);
	sync_put_u64(b, OVPNHA_A_PEER_RX_BYTES, t);
	sync_put_u64(b, OVPNHA_A_PEER_TX_BYTES, t);
	sync_put_u32(b, OVPNHA_A_PEER_IROUTE_COUNT, cnt);
	sync_put_attr(b, OVPNHA_A_PEER_REMOTE_IPV4, ip, 4);
	sync_put_attr(b, OVPNHA_A_PEER_REMOTE_PORT, &port, 2);
	sync_put_attr(b, OVPNHA_A_PEER_PROTO, "\x11", 1);
	sync_put_attr(b, OVPNHA_A_PEER_VPN_IPV4, ip, 4);
	sync_put_attr(b, 99, ip, 4);		/* a future attribute */
	return b->len;
}

static void t_peer_strip_size(void)
{
	struct sbuf k = { 0 }, f = { 0 };
	struct sync_attr tb[OVPNHA_A_PEER_MAX + 1];
	uint8_t out[512];
	size_t s, nest;
	int n;

	kernel_peer(&k);
	n = sync_peer_strip(k.p, k.len, out, sizeof(out));
	CHECK(n > 0);
	CHECK_INT(sync_attr_parse(out, (size_t)n, tb, OVPNHA_A_PEER_MAX), 0);
	CHECK(!tb[OVPNHA_A_PEER_UPDATED].data);
	CHECK(!tb[OVPNHA_A_PEER_IROUTE_COUNT].data);
	CHECK(tb[OVPNHA_A_PEER_CN].data && tb[OVPNHA_A_PEER_VPN_IPV4].data);
	CHECK_INT(k.len - (size_t)n, 12 + 8 + 8);
	/* The frame of a typical peer update fits the 160-byte budget. */
	s = sync_frame_begin(&f, OVPNHA_CMD_PEER_NEW, 0, 1);
	nest = sync_nest_begin(&f, OVPNHA_A_PEER);
	sbuf_put(&f, out, (size_t)n);
	sync_nest_end(&f, nest);
	sync_frame_end(&f, s);
	printf("    # peer update frame: %zu bytes\n", f.len);
	CHECK(f.len <= 130);
	/* A bad CN (no NUL) is refused. */
	k.p[NLA_HDRLEN + 4 + NLA_HDRLEN + 5] = 'x';
	CHECK_INT(sync_peer_strip(k.p, k.len, out, sizeof(out)), -1);
	sbuf_free(&k);
	sbuf_free(&f);
}

static void t_iroute_decode(void)
{
	struct sbuf b = { 0 };
	struct sync_prefix p;
	uint8_t a[4] = { 10, 1, 2, 3 }, len = 16;
	uint32_t id = 5, got;

	sync_put_u32(&b, OVPNHA_A_IROUTE_PEER_ID, id);
	sync_put_attr(&b, OVPNHA_A_IROUTE_IPV4, a, 4);
	sync_put_attr(&b, OVPNHA_A_IROUTE_PREFIXLEN, &len, 1);
	CHECK_INT(sync_iroute_decode(b.p, b.len, &got, &p), 0);
	CHECK_INT(got, 5);
	CHECK_INT(p.family, 4);
	CHECK_INT(p.plen, 16);
	CHECK(p.addr[0] == 10 && p.addr[1] == 1 && p.addr[2] == 0 &&
	      p.addr[3] == 0);
	len = 33;
	b.len = 0;
	sync_put_u32(&b, OVPNHA_A_IROUTE_PEER_ID, id);
	sync_put_attr(&b, OVPNHA_A_IROUTE_IPV4, a, 4);
	sync_put_attr(&b, OVPNHA_A_IROUTE_PREFIXLEN, &len, 1);
	CHECK_INT(sync_iroute_decode(b.p, b.len, &got, &p), -1);
	sbuf_free(&b);
}

static int conf_str(const char *text, struct sync_conf *c, char *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r = sync_conf_parse(f, "t.conf", c, err, 256);

	fclose(f);
	return r;
}

static void t_conf(void)
{
	static struct sync_conf c;
	char err[256];

	CHECK_INT(conf_str("# x\n[sync]\nname = gw-a\nnode-id = 3\n"
			   "listen = [::1]:7000\nca = /ca\ncert = /c\nkey = /k\n"
			   "queue-max = 1M\ntimeout = 2.5\nkeepalive = 500ms\n\n"
			   "[peer gw-b]\naddress = 192.0.2.2\n"
			   "[peer gw-c]\naddress = 192.0.2.3:7411\n", &c, err), 0);
	CHECK_STR(c.name, "gw-a");
	CHECK_INT(c.node_id, 3);
	CHECK_INT(c.listen.ss_family, AF_INET6);
	CHECK_INT(c.queue_max, 1 << 20);
	CHECK_INT(c.timeout_ms, 2500);
	CHECK_INT(c.keepalive_ms, 500);
	CHECK_INT(c.npeers, 2);
	CHECK_STR(c.peers[1].name, "gw-c");
	CHECK_INT(ntohs(((struct sockaddr_in *)&c.peers[0].addr)->sin_port),
		  SYNC_DEFAULT_PORT);
	CHECK_INT(ntohs(((struct sockaddr_in *)&c.peers[1].addr)->sin_port), 7411);

	CHECK_INT(conf_str("[sync]\nname = a\ncert = /c\nkey = /k\n", &c, err), -1);
	CHECK_CONTAINS(err, "TLS is mandatory");
	CHECK_INT(conf_str("[sync]\nname = a\nbogus = 1\n", &c, err), -1);
	CHECK_CONTAINS(err, "t.conf:3: unknown key \"bogus\"");
	CHECK_INT(conf_str("[sync]\nnode-id = 256\n", &c, err), -1);
	CHECK_CONTAINS(err, "node-id");
	CHECK_INT(conf_str("[peer x]\naddress = 300.1.1.1\n", &c, err), -1);
	CHECK_CONTAINS(err, "address");
	CHECK_INT(conf_str("[sync]\nname=a\nca=/a\ncert=/c\nkey=/k\n[peer a]\naddress=1.2.3.4\n",
			   &c, err), -1);
	CHECK_CONTAINS(err, "own name");
	CHECK_INT(conf_str("[peer b]\naddress=1.2.3.4\n[peer b]\n", &c, err), -1);
	CHECK_CONTAINS(err, "given twice");
}

static void t_mirror(void)
{
	struct mirror m;
	struct sync_prefix p = { .family = 4, .plen = 24 };
	uint8_t a[4] = { 1, 2, 3, 4 };

	mirror_init(&m);
	/* Enough to force several rehashes of both tables. */
	for (uint32_t i = 1; i <= 5000; i++) {
		mirror_peer_set(&m, i, (uint8_t)(i % 3 + 1), a, sizeof(a));
		p.addr[0] = 10;
		p.addr[1] = (uint8_t)(i >> 8);
		p.addr[2] = (uint8_t)i;
		CHECK_INT(mirror_route_set(&m, &p, i), 0);
	}
	CHECK_INT(m.npeers, 5000);
	CHECK_INT(m.nroutes, 5000);
	CHECK(mirror_peer(&m, 4321) && mirror_peer(&m, 4321)->nroutes == 1);
	/* Move a prefix to another peer. */
	p.addr[1] = 0; p.addr[2] = 7;
	CHECK_INT(mirror_route_set(&m, &p, 9), 0);
	CHECK_INT(mirror_peer(&m, 7)->nroutes, 0);
	CHECK_INT(mirror_peer(&m, 9)->nroutes, 2);
	CHECK_INT(m.nroutes, 5000);
	/* Deleting a peer takes its routes. */
	CHECK_INT(mirror_peer_del(&m, 9), 0);
	CHECK_INT(m.nroutes, 4998);
	CHECK(!mirror_route(&m, &p));
	CHECK_INT(mirror_peer_del(&m, 9), -1);
	CHECK_INT(mirror_route_set(&m, &p, 999999), -1);
	CHECK_INT(mirror_route_del(&m, &p), -1);
	mirror_clear(&m);
	CHECK_INT(m.npeers, 0);
	CHECK_INT(m.nroutes, 0);
	free(m.pb);
	free(m.rb);
}

static void t_kset(void)
{
	struct kset s;
	uint32_t k;

	kset_init(&s);
	CHECK(!kset_has(&s, "x", 1));
	for (k = 0; k < 20000; k++)
		CHECK_INT(kset_add(&s, &k, sizeof(k)), 1);
	for (k = 0; k < 20000; k += 7)
		CHECK_INT(kset_add(&s, &k, sizeof(k)), 0);
	CHECK_INT(s.n, 20000);
	k = 20000;
	CHECK(!kset_has(&s, &k, sizeof(k)));
	k = 19999;
	CHECK(kset_has(&s, &k, sizeof(k)));
	kset_free(&s);
}

int main(void)
{
	static const struct test tests[] = {
		TEST(t_frame_roundtrip),
		TEST(t_frame_bad),
		TEST(t_stream_split),
		TEST(t_attr_malformed),
		TEST(t_peer_strip_size),
		TEST(t_iroute_decode),
		TEST(t_conf),
		TEST(t_mirror),
		TEST(t_kset),
	};

	return run_tests(tests, (int)(sizeof(tests) / sizeof(tests[0])));
}
