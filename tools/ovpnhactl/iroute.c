// SPDX-License-Identifier: GPL-2.0
/* ovpnhactl iroute add|del|show|get */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "iroute.h"
#include "nl.h"
#include "ovpnhactl.h"
#include "peer.h"
#include "util.h"

static struct nla_policy iroute_pol[OVPNHA_A_IROUTE_MAX + 1] = {
	[OVPNHA_A_IROUTE_PEER_ID] = { .type = NLA_U32 },
	[OVPNHA_A_IROUTE_IPV4] = { .minlen = 4, .maxlen = 4 },
	[OVPNHA_A_IROUTE_IPV6] = { .minlen = 16, .maxlen = 16 },
	[OVPNHA_A_IROUTE_PREFIXLEN] = { .type = NLA_U8 },
	[OVPNHA_A_IROUTE_VPN_ADDR] = { .type = NLA_FLAG },
};

/* An iroute as the kernel sends it. */
struct iroute_reply {
	bool have_peer, have_prefix, vpn_addr;
	struct iroute ir;
};

static int iroute_from_msg(struct nl_msg *msg, struct iroute_reply *r)
{
	struct nlattr *tb[OVPNHA_A_MAX + 1], *a[OVPNHA_A_IROUTE_MAX + 1];

	memset(r, 0, sizeof(*r));
	if (ovnl_parse(msg, tb))
		return -EBADMSG;
	if (!tb[OVPNHA_A_IROUTE])
		return -ENODATA;
	if (nla_parse_nested(a, OVPNHA_A_IROUTE_MAX, tb[OVPNHA_A_IROUTE], iroute_pol) < 0)
		return -EBADMSG;
	if (a[OVPNHA_A_IROUTE_PEER_ID]) {
		r->have_peer = true;
		r->ir.peer = nla_get_u32(a[OVPNHA_A_IROUTE_PEER_ID]);
	}
	if (a[OVPNHA_A_IROUTE_IPV4] || a[OVPNHA_A_IROUTE_IPV6]) {
		bool v4 = a[OVPNHA_A_IROUTE_IPV4];

		r->have_prefix = true;
		addr_from_bytes(&r->ir.pfx.addr, v4 ? AF_INET : AF_INET6,
				nla_data(a[v4 ? OVPNHA_A_IROUTE_IPV4 : OVPNHA_A_IROUTE_IPV6]));
		r->ir.pfx.len = a[OVPNHA_A_IROUTE_PREFIXLEN] ?
			nla_get_u8(a[OVPNHA_A_IROUTE_PREFIXLEN]) : (v4 ? 32 : 128);
	}
	r->vpn_addr = a[OVPNHA_A_IROUTE_VPN_ADDR];
	return 0;
}

/* The OVPNHA_A_IROUTE nest: prefix (with length unless @lookup), peer. */
static int iroute_put(struct nl_msg *m, const struct prefix *p, bool lookup,
		      bool have_peer, uint32_t peer)
{
	struct nlattr *nest = nla_nest_start(m, OVPNHA_A_IROUTE | NLA_F_NESTED);
	int e = 0;

	if (!nest)
		return -EMSGSIZE;
	if (p) {
		bool v4 = p->addr.family == AF_INET;

		e |= nla_put(m, v4 ? OVPNHA_A_IROUTE_IPV4 : OVPNHA_A_IROUTE_IPV6,
			     v4 ? 4 : 16, p->addr.a);
		if (!lookup)
			e |= nla_put_u8(m, OVPNHA_A_IROUTE_PREFIXLEN, (uint8_t)p->len);
	}
	if (have_peer)
		e |= nla_put_u32(m, OVPNHA_A_IROUTE_PEER_ID, peer);
	nla_nest_end(m, nest);
	return e ? -EMSGSIZE : 0;
}

/* ---- dump into a list ---- */

static int collect_iroute(struct nl_msg *msg, void *arg)
{
	struct iroute_list *l = arg;
	struct iroute_reply r;
	int ret = iroute_from_msg(msg, &r);

	if (ret == -ENODATA)
		return 0;
	if (ret)
		return ret;
	if (!r.have_prefix || (l->filter && r.ir.peer != l->peer))
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	r.ir.order = (uint32_t)l->n;
	l->v[l->n++] = r.ir;
	return 0;
}

int iroute_dump(const uint32_t *peer, struct iroute_list *l)
{
	struct nl_msg *m;
	int ret;

	if (ovnl_open())
		return -EIO;
	l->filter = peer;
	l->peer = peer ? *peer : 0;
	m = ovnl_new(OVPNHA_CMD_IROUTE_GET, NLM_F_DUMP);
	ret = peer ? iroute_put(m, NULL, false, true, *peer) : 0;
	if (!ret)
		ret = ovnl_request(m, collect_iroute, l);
	nlmsg_free(m);
	return ret;
}

static int cmp_iroute(const void *a, const void *b)
{
	const struct iroute *x = a, *y = b;

	if (x->peer != y->peer)
		return x->peer < y->peer ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void iroute_list_sort(struct iroute_list *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_iroute);
}

const struct iroute *iroute_list_find(const struct iroute_list *l,
				      uint32_t peer, size_t *n)
{
	size_t lo = 0, hi = l->n, end;

	*n = 0;
	while (lo < hi) {		/* first entry with .peer >= peer */
		size_t mid = lo + (hi - lo) / 2;

		if (l->v[mid].peer < peer)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < l->n && l->v[end].peer == peer; end++)
		;
	*n = end - lo;
	return *n ? &l->v[lo] : NULL;
}

void iroute_list_free(struct iroute_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- commands ---- */

struct iroute_args {
	bool have_prefix, have_peer;
	struct prefix pfx;
	uint32_t peer;
};

/* [PREFIX] [peer ID], in any order; @want_prefix: PREFIX is required. */
static int iroute_parse(int argc, char **argv, const char *cmd, bool want_prefix,
			bool allow_prefix, struct iroute_args *a)
{
	const char *why;
	unsigned int seen = 0;

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *v;

		if (!strcmp(argv[i], "peer")) {
			if (arg_once(&seen, 1, "peer"))
				return EXIT_USAGE;
			if (!(v = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
			if (parse_u32(v, &a->peer))
				return usage_error("invalid peer id \"%s\"", v);
			a->have_peer = true;
		} else if (allow_prefix && !a->have_prefix) {
			if (prefix_parse(argv[i], &a->pfx, &why))
				return usage_error("invalid prefix \"%s\": %s", argv[i], why);
			a->have_prefix = true;
		} else {
			return usage_error("iroute %s: unexpected argument \"%s\"", cmd, argv[i]);
		}
	}
	if (want_prefix && !a->have_prefix)
		return usage_error("iroute %s: missing PREFIX", cmd);
	return 0;
}

static int iroute_change(int argc, char **argv, uint8_t cmd, const char *name)
{
	struct iroute_args a;
	struct nl_msg *m;
	int ret;

	if ((ret = iroute_parse(argc, argv, name, true, true, &a)))
		return ret;
	if ((ret = ovnl_open()))
		return ret;
	m = ovnl_new(cmd, 0);
	ret = iroute_put(m, &a.pfx, false, a.have_peer, a.peer);
	if (!ret)
		ret = ovnl_request(m, NULL, NULL);
	nlmsg_free(m);
	return ret ? ovnl_report(ret) : EXIT_OK;
}

static int iroute_show(int argc, char **argv)
{
	struct iroute_args a;
	struct iroute_list l = { 0 };
	struct json j;
	char buf[ADDR_STRLEN];
	int ret;

	if ((ret = iroute_parse(argc, argv, "show", false, false, &a)))
		return ret;
	if ((ret = ovnl_open()))
		return ret;
	ret = iroute_dump(a.have_peer ? &a.peer : NULL, &l);
	if (ret) {
		iroute_list_free(&l);
		return ovnl_report(ret);
	}
	if (g_opts.json) {
		json_init(&j, stdout, g_opts.pretty);
		json_open_array(&j);
	}
	for (size_t i = 0; i < l.n; i++) {
		prefix_fmt(&l.v[i].pfx, buf);
		if (g_opts.json) {
			json_open_object(&j);
			json_kv_str(&j, "prefix", buf);
			json_kv_u64(&j, "peer", l.v[i].peer);
			json_close_object(&j);
		} else {
			printf("%s peer %" PRIu32 "\n", buf, l.v[i].peer);
		}
	}
	if (g_opts.json) {
		json_close_array(&j);
		json_finish(&j);
	}
	iroute_list_free(&l);
	return EXIT_OK;
}

static int keep_reply(struct nl_msg *msg, void *arg)
{
	struct iroute_reply *r = arg;
	int ret = iroute_from_msg(msg, r);

	return ret == -ENODATA ? 0 : ret;
}

static int iroute_get(int argc, char **argv)
{
	struct iroute_reply r = { 0 };
	struct peer p = { 0 };
	struct nl_msg *m;
	struct json j;
	struct prefix q;
	char abuf[ADDR_STRLEN], pbuf[ADDR_STRLEN];
	const char *why;
	int ret;

	if (argc < 1)
		return usage_error("iroute get: missing ADDRESS");
	if (argc > 1)
		return usage_error("iroute get: unexpected argument \"%s\"", argv[1]);
	if (strchr(argv[0], '/') || prefix_parse(argv[0], &q, &why))
		return usage_error("invalid address \"%s\"", argv[0]);
	if ((ret = ovnl_open()))
		return ret;
	m = ovnl_new(OVPNHA_CMD_IROUTE_GET, 0);
	ret = iroute_put(m, &q, true, false, 0);
	if (!ret)
		ret = ovnl_request(m, keep_reply, &r);
	nlmsg_free(m);
	if (ret == -ENOENT || (!ret && !r.have_prefix)) {
		fprintf(stderr, "no match for %s\n", argv[0]);
		return EXIT_NOMATCH;
	}
	if (ret)
		return ovnl_report(ret);
	/* The owner's name, for people; a race with its deletion is harmless. */
	if (r.have_peer && peer_get(r.ir.peer, &p))
		p.cn = NULL;
	addr_fmt(&q.addr, abuf);
	prefix_fmt(&r.ir.pfx, pbuf);
	if (g_opts.json) {
		json_init(&j, stdout, g_opts.pretty);
		json_open_array(&j);
		json_open_object(&j);
		json_kv_str(&j, "address", abuf);
		json_kv_str(&j, "prefix", pbuf);
		if (r.have_peer)
			json_kv_u64(&j, "peer", r.ir.peer);
		if (p.cn)
			json_kv_str(&j, "cn", p.cn);
		json_kv_bool(&j, "vpn_addr", r.vpn_addr);
		json_close_object(&j);
		json_close_array(&j);
		json_finish(&j);
	} else {
		printf("%s", pbuf);
		if (r.have_peer)
			printf(" peer %" PRIu32, r.ir.peer);
		if (p.cn) {
			fputs(" cn ", stdout);
			fput_plain(stdout, p.cn);
		}
		printf("%s\n", r.vpn_addr ? " vpn-addr" : "");
	}
	peer_free(&p);
	return EXIT_OK;
}

int do_iroute(int argc, char **argv)
{
	const char *c = argc ? argv[0] : "show";

	if (argc) {
		argc--;
		argv++;
	}
	if (!strcmp(c, "add"))
		return iroute_change(argc, argv, OVPNHA_CMD_IROUTE_NEW, "add");
	if (!strcmp(c, "del") || !strcmp(c, "delete"))
		return iroute_change(argc, argv, OVPNHA_CMD_IROUTE_DEL, "del");
	if (!strcmp(c, "show") || !strcmp(c, "list") || !strcmp(c, "ls"))
		return iroute_show(argc, argv);
	if (!strcmp(c, "get"))
		return iroute_get(argc, argv);
	if (is_help(c)) {
		help_iroute(stdout);
		return EXIT_OK;
	}
	return usage_error("unknown command \"iroute %s\"", c);
}
