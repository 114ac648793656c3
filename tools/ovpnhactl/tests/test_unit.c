// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of ovpnhactl: parsing, formatting, the JSON writer, the
 * nf_conntrack statistics parser, extended ACK decoding, and whole commands
 * run in-process against a fake kernel (nl.c's transport seam), which checks
 * the netlink encoding of every request against uapi/linux/ovpnha.h and the
 * output built from canned replies.  No kernel module needed.
 *
 * Usage: test_unit DATADIR
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/netlink.h>

#include "addr.h"
#include "ctstat.h"
#include "json.h"
#include "nl.h"
#include "ovpnhactl.h"
#include "role.h"
#include "stats.h"
#include "util.h"
#include "test.h"

static const char *datadir = ".";

/* ---------------------------------------------------------------- pure */

static void t_parse_numbers(void)
{
	uint32_t v32;
	uint64_t v64;

	CHECK(!parse_u32("0", &v32) && v32 == 0);
	CHECK(!parse_u32("4294967295", &v32) && v32 == UINT32_MAX);
	CHECK(parse_u32("4294967296", &v32));
	CHECK(parse_u32("", &v32));
	CHECK(parse_u32("-1", &v32));
	CHECK(parse_u32("+1", &v32));
	CHECK(parse_u32(" 1", &v32));
	CHECK(parse_u32("1 ", &v32));
	CHECK(parse_u32("0x10", &v32));
	CHECK(parse_u32("12a", &v32));
	CHECK(!parse_u64("18446744073709551615", &v64) && v64 == UINT64_MAX);
	CHECK(parse_u64("18446744073709551616", &v64));
	CHECK(parse_u64("99999999999999999999", &v64));
	CHECK(!parse_u64("007", &v64) && v64 == 7);
}

static void t_addr_parse(void)
{
	struct addr a;
	char buf[ADDR_STRLEN];

	CHECK(!addr_parse("192.0.2.10", &a) && a.family == AF_INET);
	CHECK(!memcmp(a.a, "\xc0\x00\x02\x0a", 4));
	CHECK_STR(addr_fmt(&a, buf), "192.0.2.10");
	CHECK(!addr_parse("fd00::2", &a) && a.family == AF_INET6);
	CHECK_STR(addr_fmt(&a, buf), "fd00::2");
	CHECK(!addr_parse("::ffff:1.2.3.4", &a) && a.family == AF_INET6);
	CHECK(addr_parse("10.1", &a));
	CHECK(addr_parse("1.2.3.256", &a));
	CHECK(addr_parse("1.2.3.4.5", &a));
	CHECK(addr_parse("", &a));
	CHECK(addr_parse("fd00:::1", &a));
	CHECK(addr_parse("example.com", &a));
	CHECK(addr_parse_family("fd00::1", AF_INET, &a));
	CHECK(addr_parse_family("10.0.0.1", AF_INET6, &a));
}

static void t_prefix_parse(void)
{
	struct prefix p;
	const char *why = NULL;
	char buf[ADDR_STRLEN];

	CHECK(!prefix_parse("10.0.0.0/8", &p, &why) && p.len == 8);
	CHECK_STR(prefix_fmt(&p, buf), "10.0.0.0/8");
	CHECK(!prefix_parse("10.0.0.1", &p, &why) && p.len == 32);
	CHECK(!prefix_parse("fd01::", &p, &why) && p.len == 128);
	CHECK(!prefix_parse("fd01::/64", &p, &why) && p.len == 64);
	CHECK_STR(prefix_fmt(&p, buf), "fd01::/64");
	CHECK(!prefix_parse("0.0.0.0/0", &p, &why) && p.len == 0);
	/* syntax only: range per family is the kernel's business */
	CHECK(!prefix_parse("10.0.0.0/33", &p, &why) && p.len == 33);
	CHECK(!prefix_parse("::1/129", &p, &why) && p.len == 129);
	CHECK(!prefix_parse("10.0.0.0/255", &p, &why) && p.len == 255);
	/* host bits are kept as typed (the kernel masks them) */
	CHECK(!prefix_parse("10.99.0.5/16", &p, &why));
	CHECK_STR(prefix_fmt(&p, buf), "10.99.0.5/16");

	why = NULL;
	CHECK(prefix_parse("10.0.0.1/", &p, &why));
	CHECK_CONTAINS(why, "missing prefix length");
	CHECK(prefix_parse("1.2.3.4/x", &p, &why));
	CHECK_CONTAINS(why, "0..255");
	CHECK(prefix_parse("10.0.0.0/256", &p, &why));
	CHECK(prefix_parse("10.0.0.0/0008", &p, &why));
	CHECK(prefix_parse("10.0.0.0/-1", &p, &why));
	CHECK(prefix_parse("10.0.0.0/+8", &p, &why));
	CHECK(prefix_parse("10.0.0.0/ 8", &p, &why));
	CHECK(prefix_parse("10.0.0.0/8/8", &p, &why));
	CHECK(prefix_parse("/8", &p, &why));
	CHECK(prefix_parse("", &p, &why));
	CHECK(prefix_parse("10.0.0/8", &p, &why));
	CHECK_CONTAINS(why, "not an IPv4 or IPv6 address");
}

static void t_endpoint_parse(void)
{
	struct addr a;
	const char *why;
	char buf[ADDR_STRLEN];
	int port;

	CHECK(!endpoint_parse("192.0.2.1", &a, &port, &why) && port == -1 &&
	      a.family == AF_INET);
	CHECK(!endpoint_parse("192.0.2.1:1194", &a, &port, &why) && port == 1194);
	CHECK_STR(endpoint_fmt(&a, port, buf), "192.0.2.1:1194");
	CHECK(!endpoint_parse("2001:db8::1", &a, &port, &why) && port == -1 &&
	      a.family == AF_INET6);
	CHECK(!endpoint_parse("[2001:db8::1]:443", &a, &port, &why) && port == 443 &&
	      a.family == AF_INET6);
	CHECK_STR(endpoint_fmt(&a, port, buf), "[2001:db8::1]:443");
	CHECK_STR(endpoint_fmt(&a, -1, buf), "2001:db8::1");
	CHECK(!endpoint_parse("[2001:db8::1]", &a, &port, &why) && port == -1);
	CHECK(!endpoint_parse("[::1]:0", &a, &port, &why) && port == 0);
	CHECK(!endpoint_parse("1.2.3.4:65535", &a, &port, &why) && port == 65535);

	CHECK(endpoint_parse("1.2.3.4:65536", &a, &port, &why));
	CHECK(endpoint_parse("1.2.3.4:", &a, &port, &why));
	CHECK(endpoint_parse("1.2.3.4:x", &a, &port, &why));
	CHECK(endpoint_parse("[192.0.2.1]:1", &a, &port, &why));
	CHECK(endpoint_parse("[::1", &a, &port, &why));
	CHECK(endpoint_parse("[::1]x", &a, &port, &why));
	CHECK(endpoint_parse("[::1]:", &a, &port, &why));
	CHECK(endpoint_parse("host:80", &a, &port, &why));
	CHECK(endpoint_parse("1.2.3:80", &a, &port, &why));
	CHECK(endpoint_parse("", &a, &port, &why));
}

static void t_rfc3339(void)
{
	char buf[RFC3339_LEN];

	CHECK_STR(fmt_rfc3339(0, buf, sizeof(buf)), "1970-01-01T00:00:00Z");
	CHECK_STR(fmt_rfc3339(1795314600ULL * 1000000000ULL, buf, sizeof(buf)),
		  "2026-11-22T02:30:00Z");
	/* sub-second part is truncated, not rounded */
	CHECK_STR(fmt_rfc3339(1795314600ULL * 1000000000ULL + 999999999ULL, buf,
			      sizeof(buf)), "2026-11-22T02:30:00Z");
	CHECK_STR(fmt_rfc3339(951782400ULL * 1000000000ULL, buf, sizeof(buf)),
		  "2000-02-29T00:00:00Z");
	/* the largest u64 is in year 2554 */
	CHECK_STR(fmt_rfc3339(UINT64_MAX, buf, sizeof(buf)), "2554-07-21T23:34:33Z");
}

static char *memstream_text(void (*fn)(FILE *, const void *), const void *arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	fn(f, arg);
	fclose(f);
	return text;
}

static void esc(FILE *f, const void *s)
{
	json_write_string(f, s, strlen(s));
}

static void plain(FILE *f, const void *s)
{
	fput_plain(f, s);
}

#define CHECK_ESC(in, want) do {					\
	char *t_ = memstream_text(esc, in);				\
	CHECK_STR(t_, want);						\
	free(t_);							\
} while (0)

static void t_json_escape(void)
{
	char *t;

	CHECK_ESC("alice", "\"alice\"");
	CHECK_ESC("", "\"\"");
	CHECK_ESC("say \"hi\"", "\"say \\\"hi\\\"\"");
	CHECK_ESC("a\\b", "\"a\\\\b\"");
	CHECK_ESC("/", "\"/\"");
	CHECK_ESC("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"");
	CHECK_ESC("\x01\x1f", "\"\\u0001\\u001f\"");
	CHECK_ESC("\x7f", "\"\x7f\"");
	/* UTF-8 passes through: 2, 3 and 4 byte sequences */
	CHECK_ESC("J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x94\x91",
		  "\"J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x94\x91\"");
	/* invalid UTF-8 becomes U+FFFD, byte by byte */
	CHECK_ESC("a\xff" "b", "\"a\\ufffdb\"");
	CHECK_ESC("\xc0\xaf", "\"\\ufffd\\ufffd\"");		/* overlong */
	CHECK_ESC("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	CHECK_ESC("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	CHECK_ESC("x\xe2\x82", "\"x\\ufffd\\ufffd\"");		/* truncated */

	/* a NUL inside an explicit length is escaped too */
	{
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		json_write_string(f, "a\0b", 3);
		fclose(f);
		CHECK_STR(text, "\"a\\u0000b\"");
		free(text);
	}

	t = memstream_text(plain, "a b\\c\n\x01\xc3\xbc");
	CHECK_STR(t, "a b\\x5cc\\x0a\\x01\xc3\xbc");
	free(t);
}

static void write_doc(FILE *f, const void *pretty)
{
	struct json j;

	json_init(&j, f, *(const bool *)pretty);
	json_open_array(&j);
	json_open_object(&j);
	json_kv_u64(&j, "id", 16777217);
	json_kv_str(&j, "cn", "a\"b");
	json_key(&j, "iroutes");
	json_open_array(&j);
	json_str(&j, "10.0.0.0/8");
	json_str(&j, "fd01::/64");
	json_close_array(&j);
	json_key(&j, "empty");
	json_open_array(&j);
	json_close_array(&j);
	json_kv_bool(&j, "vpn_addr", true);
	json_key(&j, "none");
	json_null(&j);
	json_close_object(&j);
	json_open_object(&j);
	json_close_object(&j);
	json_close_array(&j);
	json_finish(&j);
}

static void t_json_writer(void)
{
	bool compact = false, pretty = true;
	char *t;

	t = memstream_text(write_doc, &compact);
	CHECK_STR(t, "[{\"id\":16777217,\"cn\":\"a\\\"b\",\"iroutes\":[\"10.0.0.0/8\","
		  "\"fd01::/64\"],\"empty\":[],\"vpn_addr\":true,\"none\":null},{}]\n");
	free(t);
	t = memstream_text(write_doc, &pretty);
	CHECK_STR(t,
		  "[\n"
		  "    {\n"
		  "        \"id\": 16777217,\n"
		  "        \"cn\": \"a\\\"b\",\n"
		  "        \"iroutes\": [\n"
		  "            \"10.0.0.0/8\",\n"
		  "            \"fd01::/64\"\n"
		  "        ],\n"
		  "        \"empty\": [],\n"
		  "        \"vpn_addr\": true,\n"
		  "        \"none\": null\n"
		  "    },\n"
		  "    {}\n"
		  "]\n");
	free(t);
}

static int col(const struct ctstat *st, const char *name)
{
	for (int i = 0; i < st->ncols; i++)
		if (!strcmp(st->name[i], name))
			return i;
	return -1;
}

#define CT(st, name) ((col(st, name) < 0) ? (uint64_t)-1 : (st)->val[col(st, name)])

static void t_ctstat_2cpu_file(void)
{
	struct ctstat st;
	char path[4096];

	snprintf(path, sizeof(path), "%s/nf_conntrack-2cpu", datadir);
	CHECK_INT(ctstat_read(path, &st), 0);
	CHECK_INT(st.ncpus, 2);
	CHECK_INT(st.ncols, 17);
	CHECK_STR(st.name[0], "entries");
	CHECK_STR(st.name[16], "search_restart");
	CHECK_INT(CT(&st, "entries"), 42);	/* gauge: not 84 */
	CHECK_INT(CT(&st, "clashres"), 3);
	CHECK_INT(CT(&st, "invalid"), 16);
	CHECK_INT(CT(&st, "insert"), 256);
	CHECK_INT(CT(&st, "insert_failed"), 3);
	CHECK_INT(CT(&st, "drop"), 3);
	CHECK_INT(CT(&st, "early_drop"), 1);
	CHECK_INT(CT(&st, "search_restart"), 11);
	CHECK_INT(CT(&st, "found"), 0);
}

static void t_ctstat_parse(void)
{
	/* 5.10's names, 4 CPUs, upper-case hex, no trailing newline */
	static const char k510[] =
		"entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n"
		"00000010  00000000 00000001 00000002 00000000 00000000 00000000 00000000 00000002 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000\n"
		"00000010  00000000 00000001 00000002 00000000 00000000 00000000 00000000 00000002 FFFFFFFF 00000000 00000000 00000000  00000000 00000000 00000000 00000000\n"
		"00000010  00000000 00000001 00000002 00000000 00000000 00000000 00000000 00000002 FFFFFFFF 00000000 00000000 00000000  00000000 00000000 00000000 00000000\n"
		"00000010  00000000 00000001 00000002 00000000 00000000 00000000 00000000 00000002 00000001 00000000 00000000 00000000  00000000 00000000 00000000 00000000";
	struct ctstat st;

	CHECK_INT(ctstat_parse(k510, &st), 0);
	CHECK_INT(st.ncpus, 4);
	CHECK_INT(CT(&st, "entries"), 16);
	CHECK_INT(CT(&st, "found"), 4);
	CHECK_INT(CT(&st, "new"), 8);
	/* per-CPU u32 columns summed in 64 bits: no wrap */
	CHECK_INT(CT(&st, "insert_failed"), 2 * 0xffffffffULL + 1);
	CHECK_INT(CT(&st, "searched"), 0);

	/* fewer values than names: the rest count as 0 */
	CHECK_INT(ctstat_parse("entries a b\n00000001 00000002\n", &st), 0);
	CHECK_INT(CT(&st, "b"), 0);
	CHECK_INT(CT(&st, "a"), 2);

	/* malformed */
	CHECK(ctstat_parse("", &st));
	CHECK(ctstat_parse("entries insert\n", &st));			/* no CPU */
	CHECK(ctstat_parse("entries insert\n0000000g 00000001\n", &st));
	CHECK(ctstat_parse("entries insert\n00000001 00000001 00000001\n", &st));
	CHECK(ctstat_parse("\n00000001\n", &st));			/* no header */
	CHECK(ctstat_parse("a\n11111111111111111\n", &st));		/* > 64 bit */
}

static void t_ctstat_missing(void)
{
	struct ctstat st;

	CHECK_INT(ctstat_read("/nonexistent/nf_conntrack", &st), -ENOENT);
}

static void t_stats_names(void)
{
	char buf[16];

	CHECK_STR(stats_name(OVPNHA_STAT_PEER_NEW, buf, sizeof(buf)), "peer_new");
	CHECK_STR(stats_name(OVPNHA_STAT_LOOKUP_MISS, buf, sizeof(buf)), "lookup_miss");
	CHECK_STR(stats_name(OVPNHA_STAT_DNS_CLASH_RESOLVED, buf, sizeof(buf)),
		  "dns_clash_resolved");
	CHECK_STR(stats_name(OVPNHA_STAT_CT_INSERT_FAILED, buf, sizeof(buf)),
		  "ct_insert_failed");
	CHECK_STR(stats_name(OVPNHA_STAT_KDROP_PEER, buf, sizeof(buf)), "kdrop_peer");
	CHECK_STR(stats_name(OVPNHA_STAT_FLOW_REMOVED, buf, sizeof(buf)), "flow_removed");
	CHECK_STR(stats_name(__OVPNHA_STAT_MAX, buf, sizeof(buf)), "stat_28");
	CHECK_STR(stats_name(200, buf, sizeof(buf)), "stat_200");
}

struct cols_arg {
	const struct counter *l, *r;
	int nl, nr;
	const char *rtitle;
	bool rates;
};

static void cols(FILE *f, const void *a)
{
	const struct cols_arg *c = a;

	stats_print_columns(f, "ovpnha", c->l, c->nl, c->rtitle, c->r, c->nr,
			    c->rates);
}

static void t_stats_columns(void)
{
	static const struct counter l[] = {
		{ "peers", 3, true, 0 }, { "iroutes", 12345, true, 0 },
		{ "peer_new", 7, false, 0 },
	};
	static const struct counter r[] = {
		{ "entries", 42, true, 0 }, { "insert_failed", 3, false, 0 },
		{ "drop", 0, false, 0 }, { "early_drop", 1, false, 0 },
		{ "clashres", 100, false, 0 },
	};
	struct cols_arg a = { l, r, 3, 5, "nf_conntrack", false };
	char *t = memstream_text(cols, &a);

	CHECK_STR(t,
		  "ovpnha            nf_conntrack\n"
		  "peers        3    entries        42\n"
		  "iroutes  12345    insert_failed   3\n"
		  "peer_new     7    drop            0\n"
		  "                  early_drop      1\n"
		  "                  clashres      100\n");
	free(t);
	/* --watch: a rate column, empty for gauges */
	{
		static const struct counter wl[] = {
			{ "peers", 3, true, 0 }, { "peer_new", 70, false, 12 },
		};
		static const struct counter wr[] = {
			{ "entries", 42, true, 0 }, { "insert", 1000, false, 250 },
			{ "drop", 0, false, 0 },
		};
		struct cols_arg w = { wl, wr, 2, 3, "nf_conntrack", true };

		t = memstream_text(cols, &w);
		CHECK_STR(t,
			  "ovpnha              nf_conntrack\n"
			  "peers     3         entries   42\n"
			  "peer_new 70 12/s    insert  1000 250/s\n"
			  "                    drop       0   0/s\n");
		free(t);
	}
	a.nr = 0;
	a.rtitle = "nf_conntrack not loaded";
	t = memstream_text(cols, &a);
	CHECK_STR(t,
		  "ovpnha            nf_conntrack not loaded\n"
		  "peers        3\n"
		  "iroutes  12345\n"
		  "peer_new     7\n");
	free(t);
}

/* ------------------------------------------------------ extended ACK */

static struct nl_msg *sample_request(void)
{
	struct nl_msg *m = nlmsg_alloc();
	struct nlattr *n;

	genlmsg_put(m, 1234, 7, 0x42, 0, NLM_F_REQUEST | NLM_F_ACK,
		    OVPNHA_CMD_PEER_NEW, OVPNHA_FAMILY_VERSION);
	n = nla_nest_start(m, OVPNHA_A_PEER | NLA_F_NESTED);
	nla_put_u32(m, OVPNHA_A_PEER_ID, 5);
	nla_put_string(m, OVPNHA_A_PEER_CN, "alice");
	nla_nest_end(m, n);
	return m;
}

/* Byte offset of the nested attribute @type of the request's first nest. */
static uint32_t nested_offset(const struct nlmsghdr *h, int type)
{
	struct nlattr *nest = nlmsg_find_attr((struct nlmsghdr *)h, GENL_HDRLEN,
					      OVPNHA_A_PEER);
	struct nlattr *a = nest ? nla_find(nla_data(nest), nla_len(nest), type) : NULL;

	return a ? (uint32_t)((const char *)a - (const char *)h) : 0;
}

static void t_extack_parse(void)
{
	struct nl_msg *req = sample_request(), *m;
	struct nlmsghdr *rh = nlmsg_hdr(req);
	uint32_t cn_off = nested_offset(rh, OVPNHA_A_PEER_CN);
	struct ovnl_err e;
	struct nlmsgerr err = { .error = -EINVAL, .msg = *rh };
	int done_err = -ENOSPC;
	char buf[80];

	CHECK(cn_off > NLMSG_HDRLEN + GENL_HDRLEN);
	CHECK_STR(ovnl_attr_at(rh, cn_off, buf, sizeof(buf)), "peer cn");
	CHECK_STR(ovnl_attr_at(rh, NLMSG_HDRLEN + GENL_HDRLEN, buf, sizeof(buf)), "peer");
	CHECK(!ovnl_attr_at(rh, cn_off + 1, buf, sizeof(buf)));
	CHECK(!ovnl_attr_at(rh, 100000, buf, sizeof(buf)));

	/* capped: nlmsgerr with the request header only, then TLVs */
	m = nlmsg_alloc_simple(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	nlmsg_append(m, &err, sizeof(err), NLMSG_ALIGNTO);
	nla_put_string(m, NLMSGERR_ATTR_MSG, "common name too long");
	nla_put_u32(m, NLMSGERR_ATTR_OFFS, cn_off);
	CHECK_INT(ovnl_parse_err(nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len, &e), 0);
	CHECK_INT(e.error, EINVAL);
	CHECK_STR(e.msg, "common name too long");
	CHECK_INT(e.offs, cn_off);
	CHECK_INT(e.miss_type, -1);
	nlmsg_free(m);

	/* not capped: the whole request is echoed before the TLVs */
	m = nlmsg_alloc_simple(NLMSG_ERROR, NLM_F_ACK_TLVS);
	nlmsg_append(m, &err.error, sizeof(err.error), 1);
	nlmsg_append(m, rh, rh->nlmsg_len, NLMSG_ALIGNTO);
	nla_put_u32(m, NLMSGERR_ATTR_MISS_TYPE, OVPNHA_A_PEER_CN);
	nla_put_u32(m, NLMSGERR_ATTR_MISS_NEST, NLMSG_HDRLEN + GENL_HDRLEN);
	nla_put_string(m, NLMSGERR_ATTR_MSG, "Missing attribute");
	CHECK_INT(ovnl_parse_err(nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len, &e), 0);
	CHECK_INT(e.error, EINVAL);
	CHECK_STR(e.msg, "Missing attribute");
	CHECK_INT(e.miss_type, OVPNHA_A_PEER_CN);
	CHECK_INT(e.miss_nest, NLMSG_HDRLEN + GENL_HDRLEN);
	nlmsg_free(m);

	/* no TLVs: just the errno */
	m = nlmsg_alloc_simple(NLMSG_ERROR, NLM_F_CAPPED);
	nlmsg_append(m, &err, sizeof(err), NLMSG_ALIGNTO);
	CHECK_INT(ovnl_parse_err(nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len, &e), 0);
	CHECK_INT(e.error, EINVAL);
	CHECK_STR(e.msg, "");
	nlmsg_free(m);

	/* a dump that failed: NLMSG_DONE with -errno and a message */
	m = nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS);
	nlmsg_append(m, &done_err, sizeof(done_err), NLMSG_ALIGNTO);
	nla_put_string(m, NLMSGERR_ATTR_MSG, "dump failed");
	CHECK_INT(ovnl_parse_err(nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len, &e), 0);
	CHECK_INT(e.error, ENOSPC);
	CHECK_STR(e.msg, "dump failed");
	nlmsg_free(m);

	/* truncated */
	m = nlmsg_alloc_simple(NLMSG_ERROR, 0);
	nlmsg_append(m, &done_err, sizeof(done_err), NLMSG_ALIGNTO);
	CHECK(ovnl_parse_err(nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len, &e));
	nlmsg_free(m);
	nlmsg_free(req);
}

/* ------------------------------------------- commands vs. a fake kernel */

#define MAX_REQ 32

typedef int (*responder_fn)(const struct nlmsghdr *req, int idx,
			    ovnl_reply_fn reply, void *arg);

static struct nlmsghdr *reqs[MAX_REQ];
static int nreq;
static responder_fn responder;

static int fake_transport(struct nl_msg *req, ovnl_reply_fn reply, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(req);
	int idx = nreq;

	if (nreq < MAX_REQ) {
		reqs[nreq] = malloc(h->nlmsg_len);
		memcpy(reqs[nreq], h, h->nlmsg_len);
		nreq++;
	}
	return responder ? responder(h, idx, reply, arg) : 0;
}

static void fake_reset(responder_fn fn)
{
	for (int i = 0; i < nreq; i++)
		free(reqs[i]);
	nreq = 0;
	responder = fn;
	ovnl_set_transport(fake_transport);
}

struct run {
	int rc;
	char out[1 << 22];
	char err[1 << 14];
};
static struct run R;

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void run_cli(const char *const *args)
{
	char *argv[64];
	int argc = 0, so, se;
	FILE *fo = tmpfile(), *fe = tmpfile();

	while (argc < 63 && args[argc]) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	R.rc = cli_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(fo, R.out, sizeof(R.out));
	slurp(fe, R.err, sizeof(R.err));
}

#define CLI(...) do {							\
	const char *a_[] = { "ovpnhactl", __VA_ARGS__, NULL };		\
	run_cli(a_);							\
} while (0)

/* request inspection */
static const struct genlmsghdr *genl(int i)
{
	return nlmsg_data(reqs[i]);
}

static struct nlattr *top(int i, int type)
{
	return nlmsg_find_attr(reqs[i], GENL_HDRLEN, type);
}

static struct nlattr *sub(int i, int nest, int type)
{
	struct nlattr *n = top(i, nest);

	return n ? nla_find(nla_data(n), nla_len(n), type) : NULL;
}

/* number of attributes inside top-level nest @nest of request @i */
static int nsub(int i, int nest)
{
	struct nlattr *n = top(i, nest), *a;
	int rem, c = 0;

	if (!n)
		return -1;
	nla_for_each_nested(a, n, rem)
		c++;
	return c;
}

static int nested_flag(int i, int nest)
{
	struct nlattr *n = top(i, nest);

	return n && (n->nla_type & NLA_F_NESTED);
}

#define CHECK_REQ(i, cmd_, dump) do {					\
	CHECK(nreq > (i));						\
	if (nreq > (i)) {						\
		CHECK_INT(reqs[i]->nlmsg_type, 0x42);			\
		CHECK_INT(genl(i)->cmd, cmd_);				\
		CHECK_INT(genl(i)->version, OVPNHA_FAMILY_VERSION);	\
		CHECK_INT(!!(reqs[i]->nlmsg_flags & NLM_F_DUMP) &&	\
			  (reqs[i]->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP, dump); \
	}								\
} while (0)

/* reply builders */
struct fake_peer {
	uint32_t id;
	const char *cn;
	const char *remote;	/* IPv4 or IPv6 */
	int port;		/* -1: none */
	int proto;		/* -1: none */
	const char *vpn4, *vpn6;
	uint64_t rx, tx;
	int iroute_count;	/* -1: none */
};

#define T0 (1795314600ULL * 1000000000ULL)

static struct nl_msg *reply_new(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	genlmsg_put(m, 0, 0, 0x42, 0, NLM_F_MULTI, cmd, OVPNHA_FAMILY_VERSION);
	return m;
}

static int deliver(struct nl_msg *m, ovnl_reply_fn reply, void *arg)
{
	int r = reply(m, arg);

	nlmsg_free(m);
	return r;
}

static void put_addr(struct nl_msg *m, int t4, int t6, const char *s)
{
	struct addr a;

	if (addr_parse(s, &a))
		abort();
	nla_put(m, a.family == AF_INET ? t4 : t6, (int)addr_len(&a), a.a);
}

static int send_peer(const struct fake_peer *p, ovnl_reply_fn reply, void *arg)
{
	struct nl_msg *m = reply_new(OVPNHA_CMD_PEER_GET);
	struct nlattr *n = nla_nest_start(m, OVPNHA_A_PEER | NLA_F_NESTED);

	nla_put_u32(m, OVPNHA_A_PEER_ID, p->id);
	nla_put_string(m, OVPNHA_A_PEER_CN, p->cn);
	if (p->remote)
		put_addr(m, OVPNHA_A_PEER_REMOTE_IPV4, OVPNHA_A_PEER_REMOTE_IPV6, p->remote);
	if (p->port >= 0)
		nla_put_u16(m, OVPNHA_A_PEER_REMOTE_PORT, htons((uint16_t)p->port));
	if (p->proto >= 0)
		nla_put_u8(m, OVPNHA_A_PEER_PROTO, (uint8_t)p->proto);
	if (p->vpn4)
		put_addr(m, OVPNHA_A_PEER_VPN_IPV4, 0, p->vpn4);
	if (p->vpn6)
		put_addr(m, 0, OVPNHA_A_PEER_VPN_IPV6, p->vpn6);
	nla_put_u32(m, OVPNHA_A_PEER_ORIGIN, p->id >> OVPNHA_PEER_ID_NODE_SHIFT);
	nla_put_u64(m, OVPNHA_A_PEER_CREATED, T0);
	nla_put_u64(m, OVPNHA_A_PEER_UPDATED, T0 + 1000000000ULL);
	nla_put_u64(m, OVPNHA_A_PEER_RX_BYTES, p->rx);
	nla_put_u64(m, OVPNHA_A_PEER_TX_BYTES, p->tx);
	if (p->iroute_count >= 0)
		nla_put_u32(m, OVPNHA_A_PEER_IROUTE_COUNT, (uint32_t)p->iroute_count);
	nla_put_u32(m, 99, 1);		/* unknown attribute of a newer module */
	nla_nest_end(m, n);
	nla_put_u64(m, OVPNHA_A_SEQ, 77);
	return deliver(m, reply, arg);
}

static int send_iroute(uint32_t peer, const char *pfx, bool vpn_addr,
		       bool with_len, ovnl_reply_fn reply, void *arg)
{
	struct nl_msg *m = reply_new(OVPNHA_CMD_IROUTE_GET);
	struct nlattr *n = nla_nest_start(m, OVPNHA_A_IROUTE | NLA_F_NESTED);
	struct prefix p;
	const char *why;

	if (prefix_parse(pfx, &p, &why))
		abort();
	nla_put_u32(m, OVPNHA_A_IROUTE_PEER_ID, peer);
	nla_put(m, p.addr.family == AF_INET ? OVPNHA_A_IROUTE_IPV4 : OVPNHA_A_IROUTE_IPV6,
		(int)addr_len(&p.addr), p.addr.a);
	if (with_len)
		nla_put_u8(m, OVPNHA_A_IROUTE_PREFIXLEN, (uint8_t)p.len);
	if (vpn_addr)
		nla_put_flag(m, OVPNHA_A_IROUTE_VPN_ADDR);
	nla_nest_end(m, n);
	return deliver(m, reply, arg);
}

static const struct fake_peer alice = {
	16777217, "alice", "192.0.2.10", 1194, IPPROTO_UDP, "10.8.0.2", "fd00::2",
	0, 0, 2,
};
static const struct fake_peer bob = {
	16777218, "bob", "2001:db8::20", 443, IPPROTO_TCP, NULL, "fd00:8::3",
	10, 20, 0,
};

/* The request's filter: nest/attribute as u32, or 0. */
static uint32_t req_u32(const struct nlmsghdr *req, int nest, int type)
{
	struct nlattr *n = nlmsg_find_attr((struct nlmsghdr *)req, GENL_HDRLEN, nest);
	struct nlattr *a = n ? nla_find(nla_data(n), nla_len(n), type) : NULL;

	return a ? nla_get_u32(a) : 0;
}

/* Like the kernel: do by id, dump (the CN filter is left to the tool). */
static int show_kernel(const struct nlmsghdr *req, int idx, ovnl_reply_fn reply,
		       void *arg)
{
	const struct genlmsghdr *g = nlmsg_data(req);
	uint32_t id;

	(void)idx;
	if (g->cmd == OVPNHA_CMD_PEER_GET) {
		id = req_u32(req, OVPNHA_A_PEER, OVPNHA_A_PEER_ID);
		if (id == bob.id)
			return send_peer(&bob, reply, arg);
		send_peer(&alice, reply, arg);
		return id ? 0 : send_peer(&bob, reply, arg);
	}
	if (g->cmd == OVPNHA_CMD_IROUTE_GET) {
		id = req_u32(req, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_PEER_ID);
		if (id && id != alice.id)
			return 0;
		send_iroute(16777217, "10.1.0.0/24", false, true, reply, arg);
		if (!id)
			send_iroute(999, "10.9.0.0/16", false, true, reply, arg);
		return send_iroute(16777217, "fd01::/64", false, true, reply, arg);
	}
	return -EOPNOTSUPP;
}

static const char alice_line[] =
	"peer 16777217 cn alice remote 192.0.2.10:1194 udp vpn-ip 10.8.0.2 "
	"vpn-ip6 fd00::2 origin 1 since 2026-11-22T02:30:00Z rx 0 tx 0 "
	"iroutes 10.1.0.0/24,fd01::/64\n";
static const char bob_line[] =
	"peer 16777218 cn bob remote [2001:db8::20]:443 tcp vpn-ip6 fd00:8::3 "
	"origin 1 since 2026-11-22T02:30:00Z rx 10 tx 20\n";
static const char alice_json[] =
	"{\"id\":16777217,\"cn\":\"alice\",\"remote\":\"192.0.2.10\",\"port\":1194,"
	"\"proto\":\"udp\",\"vpn_ip\":\"10.8.0.2\",\"vpn_ip6\":\"fd00::2\","
	"\"origin\":1,\"created_ns\":1795314600000000000,"
	"\"updated_ns\":1795314601000000000,\"since\":\"2026-11-22T02:30:00Z\","
	"\"rx_bytes\":0,\"tx_bytes\":0,\"iroutes\":[\"10.1.0.0/24\",\"fd01::/64\"]}";
static const char bob_json[] =
	"{\"id\":16777218,\"cn\":\"bob\",\"remote\":\"2001:db8::20\",\"port\":443,"
	"\"proto\":\"tcp\",\"vpn_ip6\":\"fd00:8::3\","
	"\"origin\":1,\"created_ns\":1795314600000000000,"
	"\"updated_ns\":1795314601000000000,\"since\":\"2026-11-22T02:30:00Z\","
	"\"rx_bytes\":10,\"tx_bytes\":20,\"iroutes\":[]}";

static void t_cmd_peer_show(void)
{
	char want[2048];

	fake_reset(show_kernel);
	CLI("peer", "show");
	CHECK_INT(R.rc, 0);
	snprintf(want, sizeof(want), "%s%s", alice_line, bob_line);
	CHECK_STR(R.out, want);
	CHECK_STR(R.err, "");
	/* a peer dump; only alice has iroutes: the dump of hers; the role */
	CHECK_INT(nreq, 3);
	CHECK_REQ(2, OVPNHA_CMD_ROLE_GET, 0);
	CHECK_REQ(0, OVPNHA_CMD_PEER_GET, 1);
	CHECK(!top(0, OVPNHA_A_PEER));
	CHECK_REQ(1, OVPNHA_CMD_IROUTE_GET, 1);
	CHECK_INT(req_u32(reqs[1], OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_PEER_ID), alice.id);

	fake_reset(show_kernel);
	CLI("-j", "peer");		/* "peer" alone is "peer show" */
	CHECK_INT(R.rc, 0);
	snprintf(want, sizeof(want), "[%s,%s]\n", alice_json, bob_json);
	CHECK_STR(R.out, want);

	fake_reset(show_kernel);
	CLI("-j", "-p", "peer", "show");
	CHECK_INT(R.rc, 0);
	CHECK_CONTAINS(R.out, "[\n    {\n        \"id\": 16777217,\n        \"cn\": \"alice\",\n");
	CHECK_CONTAINS(R.out, "        \"iroutes\": [\n            \"10.1.0.0/24\",\n");
}

static void t_cmd_peer_show_filters(void)
{
	struct nlattr *a;

	/* by CN: filter sent to the kernel, and applied here too */
	fake_reset(show_kernel);
	CLI("-j", "peer", "show", "cn", "alice");
	CHECK_INT(R.rc, 0);
	CHECK_REQ(0, OVPNHA_CMD_PEER_GET, 1);
	CHECK(nested_flag(0, OVPNHA_A_PEER));
	CHECK_INT(nsub(0, OVPNHA_A_PEER), 1);
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_CN);
	CHECK(a && !strcmp(nla_get_string(a), "alice") && nla_len(a) == 6);
	CHECK(R.out[0] == '[' && strstr(R.out, "\"cn\":\"alice\"") &&
	      !strstr(R.out, "\"bob\""));

	/* by id: a do request, and the iroute dump of that peer */
	fake_reset(show_kernel);
	CLI("peer", "show", "id", "16777217");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.out, alice_line);
	CHECK_REQ(0, OVPNHA_CMD_PEER_GET, 0);
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_ID);
	CHECK(a && nla_len(a) == 4 && nla_get_u32(a) == 16777217);
	CHECK_INT(nsub(0, OVPNHA_A_PEER), 1);
	CHECK_INT(nreq, 3);
	CHECK_REQ(1, OVPNHA_CMD_IROUTE_GET, 1);
	a = sub(1, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_PEER_ID);
	CHECK(a && nla_get_u32(a) == 16777217);
	CHECK(nested_flag(1, OVPNHA_A_IROUTE));

	/* bob reports iroute_count 0: no iroute request at all */
	fake_reset(show_kernel);
	CLI("peer", "show", "id", "16777218");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.out, bob_line);
	CHECK_INT(nreq, 2);
	CHECK_REQ(1, OVPNHA_CMD_ROLE_GET, 0);
}

/* 20k peers with one iroute each: one dump per table, grouped locally. */
#define MANY 20000

static int many_kernel(const struct nlmsghdr *req, int idx, ovnl_reply_fn reply,
		       void *arg)
{
	const struct genlmsghdr *g = nlmsg_data(req);
	char pfx[32];

	(void)idx;
	for (uint32_t i = MANY; i >= 1; i--) {	/* iroutes in reverse order */
		if (g->cmd == OVPNHA_CMD_PEER_GET) {
			struct fake_peer p = { (1u << 24) | (MANY + 1 - i), "c", "10.0.0.1",
					       (int)i, IPPROTO_UDP, NULL, NULL, 0, 0, 1 };
			send_peer(&p, reply, arg);
		} else {
			snprintf(pfx, sizeof(pfx), "10.%u.%u.0/24", i >> 8, i & 255);
			send_iroute((1u << 24) | i, pfx, false, true, reply, arg);
		}
	}
	return 0;
}

static void t_cmd_peer_show_many(void)
{
	struct timespec t0, t1;
	int lines = 0;

	fake_reset(many_kernel);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CLI("peer", "show");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK_INT(R.rc, 0);
	/* two dumps, the iroute one unfiltered; the role */
	CHECK_INT(nreq, 3);
	CHECK_REQ(1, OVPNHA_CMD_IROUTE_GET, 1);
	CHECK(!top(1, OVPNHA_A_IROUTE));
	for (const char *p = R.out; (p = strchr(p, '\n')); p++)
		lines++;
	CHECK_INT(lines, MANY);
	CHECK_CONTAINS(R.out, "peer 16777217 cn c remote 10.0.0.1:20000 udp origin 1 "
		       "since 2026-11-22T02:30:00Z rx 0 tx 0 iroutes 10.0.1.0/24\n");
	CHECK_CONTAINS(R.out, "peer 16797216 cn c remote 10.0.0.1:1 udp origin 1 "
		       "since 2026-11-22T02:30:00Z rx 0 tx 0 iroutes 10.78.32.0/24\n");
	/* generous even for a sanitizer build */
	CHECK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 5000);
}

static int add_kernel(const struct nlmsghdr *req, int idx, ovnl_reply_fn reply,
		      void *arg)
{
	struct fake_peer p = { 7, "alice", "192.0.2.10", 1194, IPPROTO_UDP,
			       "10.8.0.2", NULL, 5, 6, -1 };

	(void)req;
	(void)idx;
	return send_peer(&p, reply, arg);
}

static void t_cmd_peer_add(void)
{
	struct nlattr *a;

	fake_reset(add_kernel);
	CLI("peer", "add", "cn", "alice", "remote", "192.0.2.10", "port", "1194",
	    "proto", "udp", "vpn-ip", "10.8.0.2", "vpn-ip6", "fd00::2", "id", "7",
	    "origin", "3", "created", "123", "rx-bytes", "5", "tx-bytes", "6");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.out, "id 7\n");
	CHECK_STR(R.err, "");
	CHECK_INT(nreq, 1);
	CHECK_REQ(0, OVPNHA_CMD_PEER_NEW, 0);
	CHECK(reqs[0]->nlmsg_flags & NLM_F_REQUEST);
	CHECK(nested_flag(0, OVPNHA_A_PEER));
	CHECK_INT(nsub(0, OVPNHA_A_PEER), 11);
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_ID);
	CHECK(a && nla_len(a) == 4 && nla_get_u32(a) == 7);
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_CN);
	CHECK(a && nla_len(a) == 6 && !memcmp(nla_data(a), "alice", 6));
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_REMOTE_IPV4);
	CHECK(a && nla_len(a) == 4 && !memcmp(nla_data(a), "\xc0\x00\x02\x0a", 4));
	CHECK(!sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_REMOTE_IPV6));
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_REMOTE_PORT);	/* be16 */
	CHECK(a && nla_len(a) == 2 && !memcmp(nla_data(a), "\x04\xaa", 2));
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_PROTO);
	CHECK(a && nla_len(a) == 1 && nla_get_u8(a) == IPPROTO_UDP);
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_VPN_IPV4);
	CHECK(a && nla_len(a) == 4 && !memcmp(nla_data(a), "\x0a\x08\x00\x02", 4));
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_VPN_IPV6);
	CHECK(a && nla_len(a) == 16 &&
	      !memcmp(nla_data(a), "\xfd\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02", 16));
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_ORIGIN);
	CHECK(a && nla_len(a) == 4 && nla_get_u32(a) == 3);
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_CREATED);
	CHECK(a && nla_len(a) == 8 && nla_get_u64(a) == 123);
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_RX_BYTES);
	CHECK(a && nla_len(a) == 8 && nla_get_u64(a) == 5);
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_TX_BYTES);
	CHECK(a && nla_len(a) == 8 && nla_get_u64(a) == 6);

	/* -j: the new peer in a one-element array */
	fake_reset(add_kernel);
	CLI("-j", "peer", "add", "cn", "alice");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.out, "[{\"id\":7,\"cn\":\"alice\",\"remote\":\"192.0.2.10\",\"port\":1194,"
		  "\"proto\":\"udp\",\"vpn_ip\":\"10.8.0.2\",\"origin\":0,"
		  "\"created_ns\":1795314600000000000,\"updated_ns\":1795314601000000000,"
		  "\"since\":\"2026-11-22T02:30:00Z\",\"rx_bytes\":5,\"tx_bytes\":6,"
		  "\"iroutes\":[]}]\n");
	CHECK_INT(nsub(0, OVPNHA_A_PEER), 1);

	/* IPv6 endpoint, inline port; TCP */
	fake_reset(add_kernel);
	CLI("peer", "add", "cn", "bob", "remote", "[2001:db8::20]:443", "proto", "tcp");
	CHECK_INT(R.rc, 0);
	CHECK(!sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_REMOTE_IPV4));
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_REMOTE_IPV6);
	CHECK(a && nla_len(a) == 16 && !memcmp(nla_data(a), "\x20\x01\x0d\xb8", 4));
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_REMOTE_PORT);
	CHECK(a && ntohs(nla_get_u16(a)) == 443);
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_PROTO);
	CHECK(a && nla_get_u8(a) == IPPROTO_TCP);

	/* the CN is not checked here: an oversize one goes to the kernel */
	{
		char cn[200];

		memset(cn, 'x', sizeof(cn) - 1);
		cn[sizeof(cn) - 1] = '\0';
		fake_reset(add_kernel);
		CLI("peer", "add", "cn", cn);
		a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_CN);
		CHECK(a && nla_len(a) == (int)sizeof(cn));
	}
}

static int no_reply_kernel(const struct nlmsghdr *req, int idx,
			   ovnl_reply_fn reply, void *arg)
{
	(void)req; (void)idx; (void)reply; (void)arg;
	return 0;
}

static void t_cmd_peer_set_del_flush(void)
{
	struct nlattr *a;

	fake_reset(no_reply_kernel);
	CLI("peer", "set", "id", "9", "rx-bytes", "1000", "tx-bytes", "2000",
	    "vpn-ip", "10.8.0.4");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.out, "");
	CHECK_REQ(0, OVPNHA_CMD_PEER_SET, 0);
	CHECK_INT(nsub(0, OVPNHA_A_PEER), 4);
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_ID);
	CHECK(a && nla_get_u32(a) == 9);
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_RX_BYTES);
	CHECK(a && nla_get_u64(a) == 1000);

	fake_reset(no_reply_kernel);
	CLI("peer", "del", "id", "9");
	CHECK_INT(R.rc, 0);
	CHECK_REQ(0, OVPNHA_CMD_PEER_DEL, 0);
	CHECK_INT(nsub(0, OVPNHA_A_PEER), 1);
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_ID);
	CHECK(a && nla_get_u32(a) == 9);

	fake_reset(no_reply_kernel);
	CLI("peer", "flush");
	CHECK_INT(R.rc, 0);
	CHECK_REQ(0, OVPNHA_CMD_FLUSH, 0);
	CHECK(!top(0, OVPNHA_A_PEER));
	CHECK_INT(nreq, 1);
}

static int del_cn_kernel(const struct nlmsghdr *req, int idx,
			 ovnl_reply_fn reply, void *arg)
{
	struct fake_peer x1 = alice, y = bob, x3 = alice;

	(void)req;
	if (idx == 0) {
		x1.id = 1;
		x1.cn = "x";
		y.id = 2;
		y.cn = "y";
		x3.id = 3;
		x3.cn = "x";
		send_peer(&x1, reply, arg);
		send_peer(&y, reply, arg);
		return send_peer(&x3, reply, arg);
	}
	return idx == 2 ? -ENOENT : 0;	/* the second is gone already */
}

static int del_cn_none_kernel(const struct nlmsghdr *req, int idx,
			      ovnl_reply_fn reply, void *arg)
{
	(void)req;
	return idx == 0 ? send_peer(&bob, reply, arg) : -EINVAL;
}

static void t_cmd_peer_del_cn(void)
{
	struct nlattr *a;

	fake_reset(del_cn_kernel);
	CLI("peer", "del", "cn", "x");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.err, "");
	CHECK_INT(nreq, 3);
	CHECK_REQ(0, OVPNHA_CMD_PEER_GET, 1);
	a = sub(0, OVPNHA_A_PEER, OVPNHA_A_PEER_CN);
	CHECK(a && !strcmp(nla_get_string(a), "x"));
	CHECK_REQ(1, OVPNHA_CMD_PEER_DEL, 0);
	a = sub(1, OVPNHA_A_PEER, OVPNHA_A_PEER_ID);
	CHECK(a && nla_get_u32(a) == 1);
	CHECK_REQ(2, OVPNHA_CMD_PEER_DEL, 0);
	a = sub(2, OVPNHA_A_PEER, OVPNHA_A_PEER_ID);
	CHECK(a && nla_get_u32(a) == 3);

	fake_reset(del_cn_none_kernel);
	CLI("peer", "del", "cn", "alice");
	CHECK_INT(R.rc, 1);
	CHECK_STR(R.err, "Error: no peer with common name alice\n");
	CHECK_INT(nreq, 1);
}

static void t_cmd_iroute_change(void)
{
	struct nlattr *a;

	/* syntax only: /33 is sent, the kernel refuses it */
	fake_reset(no_reply_kernel);
	CLI("iroute", "add", "10.0.0.0/33", "peer", "1");
	CHECK_INT(R.rc, 0);
	CHECK_REQ(0, OVPNHA_CMD_IROUTE_NEW, 0);
	CHECK(nested_flag(0, OVPNHA_A_IROUTE));
	CHECK_INT(nsub(0, OVPNHA_A_IROUTE), 3);
	a = sub(0, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_IPV4);
	CHECK(a && nla_len(a) == 4 && !memcmp(nla_data(a), "\x0a\0\0\0", 4));
	a = sub(0, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_PREFIXLEN);
	CHECK(a && nla_len(a) == 1 && nla_get_u8(a) == 33);
	a = sub(0, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_PEER_ID);
	CHECK(a && nla_len(a) == 4 && nla_get_u32(a) == 1);

	fake_reset(no_reply_kernel);
	CLI("iroute", "add", "fd01::/129", "peer", "2");
	a = sub(0, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_IPV6);
	CHECK(a && nla_len(a) == 16);
	a = sub(0, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_PREFIXLEN);
	CHECK(a && nla_get_u8(a) == 129);

	fake_reset(no_reply_kernel);
	CLI("iroute", "add", "172.16.5.77", "peer", "2");	/* bare = /32 */
	a = sub(0, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_PREFIXLEN);
	CHECK(a && nla_get_u8(a) == 32);

	fake_reset(no_reply_kernel);
	CLI("iroute", "del", "10.0.0.0/8");
	CHECK_INT(R.rc, 0);
	CHECK_REQ(0, OVPNHA_CMD_IROUTE_DEL, 0);
	CHECK_INT(nsub(0, OVPNHA_A_IROUTE), 2);
	CHECK(!sub(0, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_PEER_ID));

	fake_reset(no_reply_kernel);
	CLI("iroute", "del", "peer", "4", "10.0.0.0/8");	/* any order */
	CHECK_INT(R.rc, 0);
	a = sub(0, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_PEER_ID);
	CHECK(a && nla_get_u32(a) == 4);
}

static int iroute_show_kernel(const struct nlmsghdr *req, int idx,
			      ovnl_reply_fn reply, void *arg)
{
	(void)req;
	(void)idx;
	send_iroute(1, "10.0.0.0/8", false, true, reply, arg);
	return send_iroute(2, "fd01::/64", false, true, reply, arg);
}

static void t_cmd_iroute_show(void)
{
	struct nlattr *a;

	fake_reset(iroute_show_kernel);
	CLI("iroute", "show");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.out, "10.0.0.0/8 peer 1\nfd01::/64 peer 2\n");
	CHECK_REQ(0, OVPNHA_CMD_IROUTE_GET, 1);
	CHECK(!top(0, OVPNHA_A_IROUTE));

	fake_reset(iroute_show_kernel);
	CLI("-j", "iroute", "show", "peer", "1");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.out, "[{\"prefix\":\"10.0.0.0/8\",\"peer\":1}]\n");
	a = sub(0, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_PEER_ID);
	CHECK(a && nla_get_u32(a) == 1);

	fake_reset(no_reply_kernel);
	CLI("-j", "iroute");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.out, "[]\n");
}

static bool lookup_vpn_addr;

static int get_kernel(const struct nlmsghdr *req, int idx, ovnl_reply_fn reply,
		      void *arg)
{
	const struct genlmsghdr *g = nlmsg_data(req);

	(void)idx;
	if (g->cmd == OVPNHA_CMD_IROUTE_GET)
		return lookup_vpn_addr ?
			send_iroute(16777218, "fd00:8::3", true, true, reply, arg) :
			send_iroute(5, "10.20.0.0/16", false, true, reply, arg);
	if (g->cmd == OVPNHA_CMD_PEER_GET) {
		struct fake_peer p = bob;

		p.id = lookup_vpn_addr ? bob.id : 5;
		p.cn = lookup_vpn_addr ? "bob" : "site2";
		return send_peer(&p, reply, arg);
	}
	return -EOPNOTSUPP;
}

static int enoent_kernel(const struct nlmsghdr *req, int idx, ovnl_reply_fn reply,
			 void *arg)
{
	(void)req; (void)idx; (void)reply; (void)arg;
	return -ENOENT;
}

static void t_cmd_iroute_get(void)
{
	struct nlattr *a;

	lookup_vpn_addr = false;
	fake_reset(get_kernel);
	CLI("iroute", "get", "10.20.1.1");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.out, "10.20.0.0/16 peer 5 cn site2\n");
	CHECK_INT(nreq, 2);
	CHECK_REQ(0, OVPNHA_CMD_IROUTE_GET, 0);
	CHECK_INT(nsub(0, OVPNHA_A_IROUTE), 1);		/* address only */
	a = sub(0, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_IPV4);
	CHECK(a && !memcmp(nla_data(a), "\x0a\x14\x01\x01", 4));
	CHECK(!sub(0, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_PREFIXLEN));
	CHECK_REQ(1, OVPNHA_CMD_PEER_GET, 0);
	a = sub(1, OVPNHA_A_PEER, OVPNHA_A_PEER_ID);
	CHECK(a && nla_get_u32(a) == 5);

	fake_reset(get_kernel);
	CLI("-j", "iroute", "get", "10.20.1.1");
	CHECK_STR(R.out, "[{\"address\":\"10.20.1.1\",\"prefix\":\"10.20.0.0/16\","
		  "\"peer\":5,\"cn\":\"site2\",\"vpn_addr\":false}]\n");

	lookup_vpn_addr = true;
	fake_reset(get_kernel);
	CLI("-j", "iroute", "get", "fd00:8::3");
	CHECK_STR(R.out, "[{\"address\":\"fd00:8::3\",\"prefix\":\"fd00:8::3/128\","
		  "\"peer\":16777218,\"cn\":\"bob\",\"vpn_addr\":true}]\n");
	a = sub(0, OVPNHA_A_IROUTE, OVPNHA_A_IROUTE_IPV6);
	CHECK(a && nla_len(a) == 16);
	fake_reset(get_kernel);
	CLI("iroute", "get", "fd00:8::3");
	CHECK_STR(R.out, "fd00:8::3/128 peer 16777218 cn bob vpn-addr\n");

	/* no match: exit 2, message on stderr, nothing on stdout */
	fake_reset(enoent_kernel);
	CLI("-j", "iroute", "get", "10.9.9.9");
	CHECK_INT(R.rc, 2);
	CHECK_STR(R.out, "");
	CHECK_STR(R.err, "no match for 10.9.9.9\n");
}

static void t_cmd_kernel_errors(void)
{
	struct ovnl_err e = { .offs = -1, .miss_type = -1, .miss_nest = -1 };

	/* the extended ACK message is shown as is */
	fake_reset(enoent_kernel);
	snprintf(e.msg, sizeof(e.msg), "no peer with id 999");
	ovnl_set_test_err(&e);
	CLI("iroute", "add", "10.30.0.0/16", "peer", "999");
	CHECK_INT(R.rc, 1);
	CHECK_STR(R.out, "");
	CHECK_STR(R.err, "Error: no peer with id 999\n");

	/* without one, strerror */
	fake_reset(enoent_kernel);
	CLI("peer", "show", "id", "3");
	CHECK_INT(R.rc, 1);
	CHECK_STR(R.err, "Error: No such file or directory\n");

	/* the offending attribute, located by NLMSGERR_ATTR_OFFS */
	fake_reset(enoent_kernel);
	snprintf(e.msg, sizeof(e.msg), "common name too long");
	e.offs = NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN;	/* first in nest */
	ovnl_set_test_err(&e);
	CLI("peer", "add", "cn", "x");
	CHECK_INT(R.rc, 1);
	CHECK_STR(R.err, "Error: common name too long (attribute peer cn)\n");

	/* a missing attribute, by NLMSGERR_ATTR_MISS_TYPE/NEST */
	fake_reset(enoent_kernel);
	snprintf(e.msg, sizeof(e.msg), "Missing attribute");
	e.offs = -1;
	e.miss_type = OVPNHA_A_PEER_ID;
	e.miss_nest = NLMSG_HDRLEN + GENL_HDRLEN;
	ovnl_set_test_err(&e);
	CLI("peer", "set", "cn", "x");
	CHECK_INT(R.rc, 1);
	CHECK_STR(R.err, "Error: Missing attribute\n");
	/* the location is named when the kernel gives no message */
	fake_reset(enoent_kernel);
	e.msg[0] = '\0';
	ovnl_set_test_err(&e);
	CLI("peer", "set", "cn", "x");
	CHECK_STR(R.err, "Error: No such file or directory (missing attribute peer id)\n");
	ovnl_set_test_err(NULL);
}

static int info_kernel(const struct nlmsghdr *req, int idx, ovnl_reply_fn reply,
		       void *arg)
{
	const struct genlmsghdr *g = nlmsg_data(req);
	struct nl_msg *m;
	struct nlattr *n;

	(void)idx;
	if (g->cmd == OVPNHA_CMD_INFO_GET) {
		m = reply_new(OVPNHA_CMD_INFO_GET);
		n = nla_nest_start(m, OVPNHA_A_INFO | NLA_F_NESTED);
		nla_put_string(m, OVPNHA_A_INFO_VERSION, "0.1.0");
		nla_put_u32(m, OVPNHA_A_INFO_NODE_ID, 1);
		nla_put_u32(m, OVPNHA_A_INFO_PEERS, 3);
		nla_put_u32(m, OVPNHA_A_INFO_IROUTES, 5);
		nla_put_u32(m, OVPNHA_A_INFO_MAX_PEERS, 1048576);
		nla_put_u32(m, OVPNHA_A_INFO_MAX_IROUTES, 2097152);
		nla_put_u64(m, OVPNHA_A_INFO_SEQ, 42);
		for (int a = OVPNHA_A_INFO_OBJ_PEERS_ALLOC; a <= OVPNHA_A_INFO_OBJ_NETNS_EXIT; a++)
			nla_put_u64(m, a, (uint64_t)a * 10);
		nla_put(m, OVPNHA_A_INFO_PAD, 0, NULL);
		nla_put_u8(m, OVPNHA_A_INFO_ENFORCE, 1);
		nla_put_u8(m, OVPNHA_A_INFO_DROP_TRACE_AVAIL, 0);
		nla_put_u32(m, OVPNHA_A_INFO_MAX + 1, 7);	/* from a newer module */
		nla_nest_end(m, n);
		return deliver(m, reply, arg);
	}
	if (g->cmd == OVPNHA_CMD_STATS_GET) {
		m = reply_new(OVPNHA_CMD_STATS_GET);
		n = nla_nest_start(m, OVPNHA_A_STATS | NLA_F_NESTED);
		for (int i = 0; i < __OVPNHA_STAT_MAX + 1; i++) {
			nla_put(m, 200, 0, NULL);	/* padding-like, ignored */
			nla_put_u64(m, i + 1, (uint64_t)i * 100);
		}
		nla_nest_end(m, n);
		return deliver(m, reply, arg);
	}
	return -EOPNOTSUPP;
}

static void t_cmd_info(void)
{
	fake_reset(info_kernel);
	CLI("info");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.out,
		  "version 0.1.0 node-id 1\n"
		  "peers 3 max-peers 1048576 iroutes 5 max-iroutes 2097152\n"
		  "seq 42\n"
		  "objects peers-alloc 80 peers-free 90 nodes-alloc 100 nodes-free 110 "
		  "netns-init 120 netns-exit 130\n"
		  "enforce on drop-trace-avail off\n");
	CHECK_REQ(0, OVPNHA_CMD_INFO_GET, 0);
	CHECK_INT(nreq, 1);

	fake_reset(info_kernel);
	CLI("-j", "info");
	CHECK_STR(R.out,
		  "[{\"version\":\"0.1.0\",\"node_id\":1,\"peers\":3,\"max_peers\":1048576,"
		  "\"iroutes\":5,\"max_iroutes\":2097152,\"seq\":42,"
		  "\"obj_peers_alloc\":80,\"obj_peers_free\":90,\"obj_nodes_alloc\":100,"
		  "\"obj_nodes_free\":110,\"obj_netns_init\":120,\"obj_netns_exit\":130,"
		  "\"enforce\":true,\"drop_trace_avail\":false}]\n");
}

static void t_cmd_config(void)
{
	struct nlattr *a;

	fake_reset(no_reply_kernel);
	CLI("config", "set", "node-id", "3");
	CHECK_INT(R.rc, 0);
	CHECK_REQ(0, OVPNHA_CMD_CONFIG_SET, 0);
	CHECK(nested_flag(0, OVPNHA_A_INFO));
	CHECK_INT(nsub(0, OVPNHA_A_INFO), 1);
	a = sub(0, OVPNHA_A_INFO, OVPNHA_A_INFO_NODE_ID);
	CHECK(a && nla_len(a) == 4 && nla_get_u32(a) == 3);

	/* range is the kernel's call */
	fake_reset(no_reply_kernel);
	CLI("config", "set", "node-id", "300");
	CHECK_INT(R.rc, 0);
	a = sub(0, OVPNHA_A_INFO, OVPNHA_A_INFO_NODE_ID);
	CHECK(a && nla_get_u32(a) == 300);
}

static void t_cmd_stats(void)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/nf_conntrack-2cpu", datadir);
	stats_ct_path = path;
	fake_reset(info_kernel);
	CLI("-j", "stats");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.out,
		  "{\"ovpnha\":{\"peers\":3,\"iroutes\":5,\"peer_new\":0,\"peer_del\":100,"
		  "\"iroute_new\":200,\"iroute_del\":300,\"limit\":400,\"conflict\":500,"
		  "\"nomem\":600,\"lookup\":700,\"lookup_miss\":800,\"drop_no_iroute\":900,"
		  "\"drop_wrong_role\":1000,\"drop_epoch\":1100,\"drop_repl\":1200,"
		  "\"garp_fail\":1300,\"dns_clash_resolved\":1400,\"dns_clash_lost\":1500,"
		  "\"ct_insert_failed\":1600,\"dns_guarded\":1700,\"dns_checked\":1800,"
		  "\"role_change\":2000,\"stepdown\":2100,\"garp_sent\":2200,"
		  "\"na_sent\":2300,\"flow_learned\":2400,\"flow_installed\":2500,"
		  "\"flow_existed\":2600,\"flow_removed\":2700,\"stat_28\":2800},"
		  "\"nf_conntrack\":{\"entries\":42,\"clashres\":3,\"found\":0,\"new\":0,"
		  "\"invalid\":16,\"ignore\":0,\"removed\":0,\"chaintoolong\":0,"
		  "\"insert\":256,\"insert_failed\":3,\"drop\":3,\"early_drop\":1,"
		  "\"error\":0,\"expect_new\":0,\"expect_create\":0,\"expect_delete\":0,"
		  "\"search_restart\":11},"
		  "\"drop_trace\":{\"available\":false,\"enabled\":false}}\n");
	CHECK_INT(nreq, 2);
	CHECK_REQ(0, OVPNHA_CMD_INFO_GET, 0);
	CHECK_REQ(1, OVPNHA_CMD_STATS_GET, 0);

	fake_reset(info_kernel);
	CLI("stats");
	CHECK_INT(R.rc, 0);
	CHECK_CONTAINS(R.out, "ovpnha                     nf_conntrack\n"
		       "peers                 3    entries         42\n");
	CHECK_CONTAINS(R.out, "lookup_miss         800    drop             3\n");
	CHECK_CONTAINS(R.out, "dns_clash_resolved 1400    search_restart  11\n"
		       "dns_clash_lost     1500\n");
	CHECK_CONTAINS(R.out, "stat_28            2800\n");
	/* no drop reasons in this kernel: said so, kdrop_peer not shown as 0 */
	CHECK_CONTAINS(R.out, "kernel drops of peer traffic: not available");
	CHECK(!strstr(R.out, "kdrop_peer"));

	/* --watch: frames, then the rates of the counters (not gauges) */
	fake_reset(info_kernel);
	CLI("-j", "stats", "--watch", "0.01", "--count", "2");
	CHECK_INT(R.rc, 0);
	CHECK_INT(nreq, 4);
	{
		const char *second = strchr(R.out, '\n');
		static const char head[] = "{\"ovpnha\":{\"peers\":3,";

		CHECK(second && !strncmp(R.out, head, strlen(head)));
		CHECK(second && strstr(R.out, "\"rates\"") > second);
		CHECK(second && !strncmp(second + 1, head, strlen(head)));
		CHECK(second && strstr(second, ",\"rates\":{\"ovpnha\":{\"peer_new\":0,"));
		CHECK(second && strstr(second, "\"nf_conntrack\":{\"clashres\":0,"));
	}
	fake_reset(info_kernel);
	CLI("stats", "-w", "0", "-c", "2");
	CHECK_INT(R.rc, 0);
	CHECK_CONTAINS(R.out, "\n\novpnha");
	CHECK_CONTAINS(R.out, " 0/s");

	stats_ct_path = "/nonexistent/nf_conntrack";
	fake_reset(info_kernel);
	CLI("-j", "stats");
	CHECK_CONTAINS(R.out, "\"nf_conntrack\":null,\"drop_trace\":");
	fake_reset(info_kernel);
	CLI("stats");
	CHECK_CONTAINS(R.out, "nf_conntrack not loaded\n");
	CHECK(!strstr(R.out, "entries"));
	stats_ct_path = CTSTAT_PATH;
}

/* Every usage error exits 2 with a hint, before talking to the kernel. */
static void t_cli_usage_errors(void)
{
	static const struct {
		const char *args[12];
		const char *msg;
	} cases[] = {
		{ { NULL }, "missing object" },
		{ { "-j", NULL }, "missing object" },
		{ { "bogus" }, "unknown object \"bogus\"" },
		{ { "-x", "peer" }, "unknown option \"-x\"" },
		{ { "-n" }, "missing value after \"-n\"" },
		{ { "--netns=", "peer" }, "empty network namespace" },
		{ { "peer", "bogus" }, "unknown command \"peer bogus\"" },
		{ { "peer", "add", "cn" }, "missing value after \"cn\"" },
		{ { "peer", "add", "cn", "a", "port", "70000" }, "invalid port \"70000\"" },
		{ { "peer", "add", "cn", "a", "port", "0x10" }, "invalid port" },
		{ { "peer", "add", "cn", "a", "proto", "icmp" }, "not udp or tcp" },
		{ { "peer", "add", "cn", "a", "remote", "10.1" }, "invalid remote" },
		{ { "peer", "add", "cn", "a", "vpn-ip", "fd00::1" }, "not an IPv4 address" },
		{ { "peer", "add", "cn", "a", "vpn-ip6", "10.0.0.1" }, "not an IPv6 address" },
		{ { "peer", "add", "cn", "a", "remote", "192.0.2.1:1194", "port", "1" },
		  "\"port\" given twice" },
		{ { "peer", "add", "cn", "a", "cn", "b" }, "\"cn\" given twice" },
		{ { "peer", "add", "id", "-1" }, "invalid id" },
		{ { "peer", "add", "id", "4294967296" }, "invalid id" },
		{ { "peer", "add", "created", "1.5" }, "invalid created" },
		{ { "peer", "add", "rx-bytes", "18446744073709551616" }, "invalid rx-bytes" },
		{ { "peer", "add", "bogus", "1" }, "unknown argument \"bogus\"" },
		{ { "peer", "set", "id", "1", "origin", "1" }, "unknown argument \"origin\"" },
		{ { "peer", "del" }, "missing \"id ID\" or \"cn CN\"" },
		{ { "peer", "del", "id", "1", "cn", "x" }, "either id or cn" },
		{ { "peer", "del", "id", "x" }, "invalid id" },
		{ { "peer", "del", "port", "1" }, "unknown argument" },
		{ { "peer", "show", "id", "1", "cn", "x" }, "either id or cn" },
		{ { "peer", "flush", "now" }, "unexpected argument" },
		{ { "iroute", "bogus" }, "unknown command \"iroute bogus\"" },
		{ { "iroute", "add" }, "missing PREFIX" },
		{ { "iroute", "add", "peer", "1" }, "missing PREFIX" },
		{ { "iroute", "add", "10.0.0.1/", "peer", "1" }, "missing prefix length" },
		{ { "iroute", "add", "1.2.3.4/x", "peer", "1" }, "invalid prefix \"1.2.3.4/x\"" },
		{ { "iroute", "add", "10.0.0.0/256", "peer", "1" }, "0..255" },
		{ { "iroute", "add", "10.0.0.0/8", "peer", "-1" }, "invalid peer id" },
		{ { "iroute", "add", "10.0.0.0/8", "peer" }, "missing value after \"peer\"" },
		{ { "iroute", "add", "10.0.0.0/8", "10.1.0.0/16" }, "unexpected argument" },
		{ { "iroute", "add", "10.0.0.0/8", "peer", "1", "peer", "2" }, "given twice" },
		{ { "iroute", "show", "10.0.0.0/8" }, "unexpected argument" },
		{ { "iroute", "get" }, "missing ADDRESS" },
		{ { "iroute", "get", "10.0.0.0/8" }, "invalid address" },
		{ { "iroute", "get", "nonsense" }, "invalid address" },
		{ { "iroute", "get", "10.0.0.1", "x" }, "unexpected argument" },
		{ { "stats", "now" }, "unexpected argument" },
		{ { "stats", "--count", "0" }, "invalid count" },
		{ { "stats", "--count" }, "missing value" },
		{ { "stats", "--watch", "x" }, "unexpected argument \"x\"" },
		{ { "info", "x" }, "unexpected argument" },
		{ { "config" }, "missing command" },
		{ { "config", "get" }, "unknown command \"config get\"" },
		{ { "config", "set" }, "missing setting" },
		{ { "config", "set", "role" }, "unknown setting \"role\"" },
		{ { "config", "set", "node-id" }, "missing value" },
		{ { "config", "set", "node-id", "x" }, "invalid node-id" },
		{ { "config", "set", "node-id", "1", "2" }, "unexpected argument" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[16] = { "ovpnhactl" };
		size_t n = 1;

		for (; cases[i].args[n - 1]; n++)
			argv[n] = cases[i].args[n - 1];
		argv[n] = NULL;
		fake_reset(no_reply_kernel);
		run_cli(argv);
		if (R.rc != 2 || !strstr(R.err, cases[i].msg) ||
		    !strstr(R.err, "\nTry 'ovpnhactl help'.\n") ||
		    strncmp(R.err, "ovpnhactl: ", 11) || nreq || R.out[0]) {
			t_ok = false;
			printf("    # case %zu (%s ...): rc %d, %d requests, stderr [%s], want [%s]\n",
			       i, argv[1] ? argv[1] : "", R.rc, nreq, R.err, cases[i].msg);
		}
	}
}

static void t_cli_help(void)
{
	static const char *const synopses[] = {
		"peer add cn CN", "peer set id ID", "peer del id ID", "peer del cn CN",
		"peer show [id ID | cn CN]", "peer flush", "iroute add PREFIX peer ID",
		"iroute del PREFIX [peer ID]", "iroute show [peer ID]",
		"iroute get ADDRESS", "  stats [--watch [SECONDS]] [--count N] [--sync-socket PATH]\n", "  info\n",
		"config set node-id N",
		"-j, --json", "-p, --pretty", "-n, --netns NAME", "Exit status",
	};

	fake_reset(no_reply_kernel);
	CLI("help");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.err, "");
	for (size_t i = 0; i < sizeof(synopses) / sizeof(synopses[0]); i++)
		CHECK_CONTAINS(R.out, synopses[i]);
	CLI("-h");
	CHECK_INT(R.rc, 0);
	CHECK_CONTAINS(R.out, "Usage: ovpnhactl");
	CLI("--help");
	CHECK_INT(R.rc, 0);
	CLI("peer", "help");
	CHECK_INT(R.rc, 0);
	CHECK_CONTAINS(R.out, "peer del cn CN");
	CHECK(!strstr(R.out, "iroute add"));
	CLI("iroute", "help");
	CHECK_INT(R.rc, 0);
	CHECK_CONTAINS(R.out, "iroute get ADDRESS");
	CLI("stats", "help");
	CHECK_INT(R.rc, 0);
	CLI("info", "--help");
	CHECK_INT(R.rc, 0);
	CLI("config", "help");
	CHECK_INT(R.rc, 0);
	CLI("--version");
	CHECK_INT(R.rc, 0);
	CHECK_STR(R.out, "ovpnhactl " OVPNHA_VERSION "\n");
	CLI("-V");
	CHECK_STR(R.out, "ovpnhactl " OVPNHA_VERSION "\n");
	CHECK_INT(nreq, 0);
}

static void t_batch_split(void)
{
	char l1[] = "  peer add cn \"a b\"\tremote 192.0.2.1  # comment\n";
	char l2[] = "# only a comment";
	char l3[] = "iroute add \"10.0.0.0/8";
	char l4[] = "a b c d";
	char *argv[8];

	CHECK_INT(batch_split(l1, argv, 8), 6);
	CHECK_STR(argv[0], "peer");
	CHECK_STR(argv[3], "a b");
	CHECK_STR(argv[4], "remote");
	CHECK_STR(argv[5], "192.0.2.1");
	CHECK_INT(batch_split(l2, argv, 8), 0);
	CHECK_INT(batch_split(l3, argv, 8), -1);
	CHECK_INT(batch_split(l4, argv, 3), -1);
}

static void t_cmd_batch(void)
{
	char path[] = "/tmp/ovpnhactl-batch-XXXXXX";
	const char text[] = "peer del id 9\n\n# comment\npeer flush\n"
			    "peer frobnicate\npeer flush\n";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK_INT(write(fd, text, sizeof(text) - 1), (long long)sizeof(text) - 1);
	close(fd);

	/* Stops at the failing line 5: two requests sent, exit 2. */
	fake_reset(no_reply_kernel);
	CLI("-b", path);
	CHECK_INT(R.rc, 2);
	CHECK_INT(nreq, 2);
	CHECK_REQ(0, OVPNHA_CMD_PEER_DEL, 0);
	CHECK_REQ(1, OVPNHA_CMD_FLUSH, 0);
	CHECK_CONTAINS(R.err, ":5: command failed");

	/* --force goes on: three requests. */
	fake_reset(no_reply_kernel);
	CLI("-b", path, "--force");
	CHECK_INT(R.rc, 2);
	CHECK_INT(nreq, 3);

	fake_reset(no_reply_kernel);
	CLI("-b", path, "peer", "flush");
	CHECK_INT(R.rc, 2);
	CHECK_INT(nreq, 0);
	unlink(path);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void t_vlan_stale_check(void)
{
	char dir[] = "/tmp/ovpnha-vlan.XXXXXX", vlan[256], bond[256], p[300];
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(vlan, sizeof(vlan), "%s/config", dir);
	snprintf(bond, sizeof(bond), "%s/bonding", dir);
	CHECK_INT(mkdir(bond, 0700), 0);
	write_file(vlan,
		   "VLAN Dev name    | VLAN ID\n"
		   "Name-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD\n"
		   "bond0.1000     | 1000  | bond0\n"
		   "s1.1000        | 1000  | s1\n"
		   "s2.2000        | 2000  | s2\n"
		   "eth9.1000      | 1000  | eth9\n");
	snprintf(p, sizeof(p), "%s/bond0", bond);
	write_file(p,
		   "Bonding Mode: fault-tolerance (active-backup)\n"
		   "Currently Active Slave: s1\n\n"
		   "Slave Interface: s1\nMII Status: up\n\n"
		   "Slave Interface: s2\nMII Status: up\n");

	f = open_memstream(&out, &len);
	CHECK_INT(vlan_stale_check("bond0.1000", vlan, bond, f), 1);
	fclose(f);
	CHECK_CONTAINS(out, "warning: s1.1000 is a VLAN 1000 device on s1, a slave of bond bond0");
	CHECK_CONTAINS(out, "(remove it: ip link del s1.1000)");
	free(out);

	/* A device that is no VLAN, a VLAN on no bond, an unknown file. */
	f = open_memstream(&out, &len);
	CHECK_INT(vlan_stale_check("s2", vlan, bond, f), 0);
	CHECK_INT(vlan_stale_check("eth9.1000", vlan, bond, f), 0);
	CHECK_INT(vlan_stale_check("bond0.1000", "/nonexistent", bond, f), 0);
	fclose(f);
	CHECK_STR(out, "");
	free(out);

	unlink(p);
	unlink(vlan);
	rmdir(bond);
	rmdir(dir);
}

static const struct test tests[] = {
	TEST(t_vlan_stale_check),
	TEST(t_batch_split),
	TEST(t_cmd_batch),
	TEST(t_parse_numbers),
	TEST(t_addr_parse),
	TEST(t_prefix_parse),
	TEST(t_endpoint_parse),
	TEST(t_rfc3339),
	TEST(t_json_escape),
	TEST(t_json_writer),
	TEST(t_ctstat_2cpu_file),
	TEST(t_ctstat_parse),
	TEST(t_ctstat_missing),
	TEST(t_stats_names),
	TEST(t_stats_columns),
	TEST(t_extack_parse),
	TEST(t_cmd_peer_show),
	TEST(t_cmd_peer_show_filters),
	TEST(t_cmd_peer_show_many),
	TEST(t_cmd_peer_add),
	TEST(t_cmd_peer_set_del_flush),
	TEST(t_cmd_peer_del_cn),
	TEST(t_cmd_iroute_change),
	TEST(t_cmd_iroute_show),
	TEST(t_cmd_iroute_get),
	TEST(t_cmd_kernel_errors),
	TEST(t_cmd_info),
	TEST(t_cmd_config),
	TEST(t_cmd_stats),
	TEST(t_cli_usage_errors),
	TEST(t_cli_help),
};

int main(int argc, char **argv)
{
	int ret;

	if (argc > 1)
		datadir = argv[1];
	ret = run_tests(tests, (int)(sizeof(tests) / sizeof(tests[0])));
	fake_reset(NULL);
	return ret;
}
