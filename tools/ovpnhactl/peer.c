// SPDX-License-Identifier: GPL-2.0
/* ovpnhactl peer add|set|del|show|flush */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ovpnhactl.h"
#include "peer.h"
#include "role.h"
#include "util.h"

static struct nla_policy peer_pol[OVPNHA_A_PEER_MAX + 1] = {
	[OVPNHA_A_PEER_ID] = { .type = NLA_U32 },
	[OVPNHA_A_PEER_CN] = { .type = NLA_STRING },
	[OVPNHA_A_PEER_REMOTE_IPV4] = { .minlen = 4, .maxlen = 4 },
	[OVPNHA_A_PEER_REMOTE_IPV6] = { .minlen = 16, .maxlen = 16 },
	[OVPNHA_A_PEER_REMOTE_PORT] = { .type = NLA_U16 },
	[OVPNHA_A_PEER_PROTO] = { .type = NLA_U8 },
	[OVPNHA_A_PEER_VPN_IPV4] = { .minlen = 4, .maxlen = 4 },
	[OVPNHA_A_PEER_VPN_IPV6] = { .minlen = 16, .maxlen = 16 },
	[OVPNHA_A_PEER_ORIGIN] = { .type = NLA_U32 },
	[OVPNHA_A_PEER_CREATED] = { .type = NLA_U64 },
	[OVPNHA_A_PEER_UPDATED] = { .type = NLA_U64 },
	[OVPNHA_A_PEER_SEEN] = { .type = NLA_U64 },
	[OVPNHA_A_PEER_RX_BYTES] = { .type = NLA_U64 },
	[OVPNHA_A_PEER_TX_BYTES] = { .type = NLA_U64 },
	[OVPNHA_A_PEER_IROUTE_COUNT] = { .type = NLA_U32 },
};

int peer_from_msg(struct nl_msg *msg, struct peer *p)
{
	struct nlattr *tb[OVPNHA_A_MAX + 1], *a[OVPNHA_A_PEER_MAX + 1];

	memset(p, 0, sizeof(*p));
	if (ovnl_parse(msg, tb))
		return -EBADMSG;
	if (!tb[OVPNHA_A_PEER])
		return -ENODATA;
	if (nla_parse_nested(a, OVPNHA_A_PEER_MAX, tb[OVPNHA_A_PEER], peer_pol) < 0)
		return -EBADMSG;
	/* the attributes this tool shows (newer ones are skipped) */
	for (int i = 1; i <= OVPNHA_A_PEER_IROUTE_COUNT; i++)
		if (a[i])
			p->present |= 1u << i;
	if (a[OVPNHA_A_PEER_ID])
		p->id = nla_get_u32(a[OVPNHA_A_PEER_ID]);
	if (a[OVPNHA_A_PEER_CN])
		p->cn = xstrdup(nla_get_string(a[OVPNHA_A_PEER_CN]));
	if (a[OVPNHA_A_PEER_REMOTE_IPV4])
		addr_from_bytes(&p->remote, AF_INET, nla_data(a[OVPNHA_A_PEER_REMOTE_IPV4]));
	else if (a[OVPNHA_A_PEER_REMOTE_IPV6])
		addr_from_bytes(&p->remote, AF_INET6, nla_data(a[OVPNHA_A_PEER_REMOTE_IPV6]));
	if (a[OVPNHA_A_PEER_REMOTE_PORT])
		p->port = ntohs(nla_get_u16(a[OVPNHA_A_PEER_REMOTE_PORT]));
	if (a[OVPNHA_A_PEER_PROTO])
		p->proto = nla_get_u8(a[OVPNHA_A_PEER_PROTO]);
	if (a[OVPNHA_A_PEER_VPN_IPV4])
		addr_from_bytes(&p->vpn4, AF_INET, nla_data(a[OVPNHA_A_PEER_VPN_IPV4]));
	if (a[OVPNHA_A_PEER_VPN_IPV6])
		addr_from_bytes(&p->vpn6, AF_INET6, nla_data(a[OVPNHA_A_PEER_VPN_IPV6]));
	if (a[OVPNHA_A_PEER_ORIGIN])
		p->origin = nla_get_u32(a[OVPNHA_A_PEER_ORIGIN]);
	if (a[OVPNHA_A_PEER_CREATED])
		p->created = nla_get_u64(a[OVPNHA_A_PEER_CREATED]);
	if (a[OVPNHA_A_PEER_UPDATED])
		p->updated = nla_get_u64(a[OVPNHA_A_PEER_UPDATED]);
	if (a[OVPNHA_A_PEER_RX_BYTES])
		p->rx = nla_get_u64(a[OVPNHA_A_PEER_RX_BYTES]);
	if (a[OVPNHA_A_PEER_TX_BYTES])
		p->tx = nla_get_u64(a[OVPNHA_A_PEER_TX_BYTES]);
	if (a[OVPNHA_A_PEER_SEEN])
		p->seen = nla_get_u64(a[OVPNHA_A_PEER_SEEN]);
	if (a[OVPNHA_A_PEER_IROUTE_COUNT])
		p->iroute_count = nla_get_u32(a[OVPNHA_A_PEER_IROUTE_COUNT]);
	return 0;
}

void peer_free(struct peer *p)
{
	free(p->cn);
	p->cn = NULL;
}

static bool has_remote(const struct peer *p)
{
	return PEER_HAS(p, OVPNHA_A_PEER_REMOTE_IPV4) ||
	       PEER_HAS(p, OVPNHA_A_PEER_REMOTE_IPV6);
}

static const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_UDP ? "udp" : proto == IPPROTO_TCP ? "tcp" : NULL;
}

void peer_print_plain(FILE *f, const struct peer *p,
		      const struct iroute *ir, size_t n)
{
	char buf[ADDR_STRLEN], t[RFC3339_LEN];
	bool port = PEER_HAS(p, OVPNHA_A_PEER_REMOTE_PORT);

	fprintf(f, "peer %" PRIu32, p->id);
	if (p->cn) {
		fputs(" cn ", f);
		fput_plain(f, p->cn);
	}
	if (has_remote(p))
		fprintf(f, " remote %s", endpoint_fmt(&p->remote, port ? p->port : -1, buf));
	else if (port)
		fprintf(f, " port %u", p->port);
	if (PEER_HAS(p, OVPNHA_A_PEER_PROTO)) {
		if (proto_name(p->proto))
			fprintf(f, " %s", proto_name(p->proto));
		else
			fprintf(f, " proto %u", p->proto);
	}
	if (PEER_HAS(p, OVPNHA_A_PEER_VPN_IPV4))
		fprintf(f, " vpn-ip %s", addr_fmt(&p->vpn4, buf));
	if (PEER_HAS(p, OVPNHA_A_PEER_VPN_IPV6))
		fprintf(f, " vpn-ip6 %s", addr_fmt(&p->vpn6, buf));
	if (PEER_HAS(p, OVPNHA_A_PEER_ORIGIN))
		fprintf(f, " origin %" PRIu32, p->origin);
	if (PEER_HAS(p, OVPNHA_A_PEER_CREATED))
		fprintf(f, " since %s", fmt_rfc3339(p->created, t, sizeof(t)));
	if (PEER_HAS(p, OVPNHA_A_PEER_RX_BYTES))
		fprintf(f, " rx %" PRIu64, p->rx);
	if (PEER_HAS(p, OVPNHA_A_PEER_TX_BYTES))
		fprintf(f, " tx %" PRIu64, p->tx);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? "," : " iroutes ", prefix_fmt(&ir[i].pfx, buf));
	if (p->takeover && p->seen >= p->takeover)
		fprintf(f, " returned after %.3f s",
			(double)(p->seen - p->takeover) / 1e9);
	else if (p->takeover)
		fputs(" awaiting return", f);
	fputc('\n', f);
}

void peer_print_json(struct json *j, const struct peer *p,
		     const struct iroute *ir, size_t n)
{
	char buf[ADDR_STRLEN], t[RFC3339_LEN];

	json_open_object(j);
	if (PEER_HAS(p, OVPNHA_A_PEER_ID))
		json_kv_u64(j, "id", p->id);
	if (p->cn)
		json_kv_str(j, "cn", p->cn);
	if (has_remote(p))
		json_kv_str(j, "remote", addr_fmt(&p->remote, buf));
	if (PEER_HAS(p, OVPNHA_A_PEER_REMOTE_PORT))
		json_kv_u64(j, "port", p->port);
	if (PEER_HAS(p, OVPNHA_A_PEER_PROTO)) {
		if (proto_name(p->proto))
			json_kv_str(j, "proto", proto_name(p->proto));
		else
			json_kv_u64(j, "proto", p->proto);
	}
	if (PEER_HAS(p, OVPNHA_A_PEER_VPN_IPV4))
		json_kv_str(j, "vpn_ip", addr_fmt(&p->vpn4, buf));
	if (PEER_HAS(p, OVPNHA_A_PEER_VPN_IPV6))
		json_kv_str(j, "vpn_ip6", addr_fmt(&p->vpn6, buf));
	if (PEER_HAS(p, OVPNHA_A_PEER_ORIGIN))
		json_kv_u64(j, "origin", p->origin);
	if (PEER_HAS(p, OVPNHA_A_PEER_CREATED))
		json_kv_u64(j, "created_ns", p->created);
	if (PEER_HAS(p, OVPNHA_A_PEER_UPDATED))
		json_kv_u64(j, "updated_ns", p->updated);
	if (p->seen)
		json_kv_u64(j, "seen_ns", p->seen);
	if (p->takeover) {
		bool back = p->seen >= p->takeover;

		json_kv_str(j, "return", back ? "returned" : "awaiting");
		if (back)
			json_kv_u64(j, "return_after_ns", p->seen - p->takeover);
	}
	if (PEER_HAS(p, OVPNHA_A_PEER_CREATED))
		json_kv_str(j, "since", fmt_rfc3339(p->created, t, sizeof(t)));
	if (PEER_HAS(p, OVPNHA_A_PEER_RX_BYTES))
		json_kv_u64(j, "rx_bytes", p->rx);
	if (PEER_HAS(p, OVPNHA_A_PEER_TX_BYTES))
		json_kv_u64(j, "tx_bytes", p->tx);
	json_key(j, "iroutes");
	json_open_array(j);
	for (size_t i = 0; i < n; i++)
		json_str(j, prefix_fmt(&ir[i].pfx, buf));
	json_close_array(j);
	json_close_object(j);
}

/* ---- requests ---- */

enum { CMD_ADD = 1, CMD_SET = 2, CMD_DEL = 4, CMD_SHOW = 8 };

/* What the command line asked for; present bits as in struct peer. */
struct peer_req {
	uint32_t present;
	uint32_t id, origin;
	const char *cn;
	struct addr remote;
	uint16_t port;
	uint8_t proto;
	struct addr vpn4, vpn6;
	uint64_t created, rx, tx;
};

#define BIT(a) (1u << (a))

static const struct peer_kw {
	const char *name;
	int attr;
	int cmds;
} peer_kws[] = {
	{ "id",       OVPNHA_A_PEER_ID,          CMD_ADD | CMD_SET | CMD_DEL | CMD_SHOW },
	{ "cn",       OVPNHA_A_PEER_CN,          CMD_ADD | CMD_SET | CMD_DEL | CMD_SHOW },
	{ "remote",   OVPNHA_A_PEER_REMOTE_IPV4, CMD_ADD | CMD_SET },
	{ "port",     OVPNHA_A_PEER_REMOTE_PORT, CMD_ADD | CMD_SET },
	{ "proto",    OVPNHA_A_PEER_PROTO,       CMD_ADD | CMD_SET },
	{ "vpn-ip",   OVPNHA_A_PEER_VPN_IPV4,    CMD_ADD | CMD_SET },
	{ "vpn-ip6",  OVPNHA_A_PEER_VPN_IPV6,    CMD_ADD | CMD_SET },
	{ "origin",   OVPNHA_A_PEER_ORIGIN,      CMD_ADD },
	{ "created",  OVPNHA_A_PEER_CREATED,     CMD_ADD },
	{ "rx-bytes", OVPNHA_A_PEER_RX_BYTES,    CMD_ADD | CMD_SET },
	{ "tx-bytes", OVPNHA_A_PEER_TX_BYTES,    CMD_ADD | CMD_SET },
};

static int bad_value(const char *kw, const char *v, const char *what)
{
	return usage_error("invalid %s \"%s\": %s", kw, v, what);
}

static int parse_one(struct peer_req *r, const struct peer_kw *k, const char *v)
{
	const char *why;
	uint32_t u32;
	int port;

	switch (k->attr) {
	case OVPNHA_A_PEER_ID:
	case OVPNHA_A_PEER_ORIGIN:
		if (parse_u32(v, &u32))
			return bad_value(k->name, v, "not a number 0..4294967295");
		*(k->attr == OVPNHA_A_PEER_ID ? &r->id : &r->origin) = u32;
		break;
	case OVPNHA_A_PEER_CN:
		r->cn = v;
		break;
	case OVPNHA_A_PEER_REMOTE_IPV4:
		if (endpoint_parse(v, &r->remote, &port, &why))
			return bad_value(k->name, v, why);
		if (port >= 0) {
			if (arg_once(&r->present, BIT(OVPNHA_A_PEER_REMOTE_PORT), "port"))
				return EXIT_USAGE;
			r->port = (uint16_t)port;
		}
		break;
	case OVPNHA_A_PEER_REMOTE_PORT:
		if (parse_u32(v, &u32) || u32 > 65535)
			return bad_value(k->name, v, "not a number 0..65535");
		r->port = (uint16_t)u32;
		break;
	case OVPNHA_A_PEER_PROTO:
		if (!strcmp(v, "udp"))
			r->proto = IPPROTO_UDP;
		else if (!strcmp(v, "tcp"))
			r->proto = IPPROTO_TCP;
		else
			return bad_value(k->name, v, "not udp or tcp");
		break;
	case OVPNHA_A_PEER_VPN_IPV4:
		if (addr_parse_family(v, AF_INET, &r->vpn4))
			return bad_value(k->name, v, "not an IPv4 address");
		break;
	case OVPNHA_A_PEER_VPN_IPV6:
		if (addr_parse_family(v, AF_INET6, &r->vpn6))
			return bad_value(k->name, v, "not an IPv6 address");
		break;
	case OVPNHA_A_PEER_CREATED:
		if (parse_u64(v, &r->created))
			return bad_value(k->name, v, "not a number of nanoseconds");
		break;
	case OVPNHA_A_PEER_RX_BYTES:
	case OVPNHA_A_PEER_TX_BYTES:
		if (parse_u64(v, k->attr == OVPNHA_A_PEER_RX_BYTES ? &r->rx : &r->tx))
			return bad_value(k->name, v, "not a number");
		break;
	}
	return 0;
}

static int peer_parse(int argc, char **argv, int cmd, const char *cmdname,
		      struct peer_req *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < argc; i++) {
		const struct peer_kw *k = NULL;
		const char *v;
		int ret;

		for (size_t n = 0; n < sizeof(peer_kws) / sizeof(peer_kws[0]); n++)
			if (!strcmp(argv[i], peer_kws[n].name) && (peer_kws[n].cmds & cmd))
				k = &peer_kws[n];
		if (!k)
			return usage_error("peer %s: unknown argument \"%s\"",
					   cmdname, argv[i]);
		if (arg_once(&r->present, BIT(k->attr), k->name))
			return EXIT_USAGE;
		if (!(v = arg_value(argc, argv, &i)))
			return EXIT_USAGE;
		ret = parse_one(r, k, v);
		if (ret)
			return ret;
	}
	return 0;
}

/* The OVPNHA_A_PEER nest of a request (nothing if no attribute). */
static int peer_put(struct nl_msg *m, const struct peer_req *r)
{
	struct nlattr *nest;
	int e = 0;

	if (!r->present)
		return 0;
	nest = nla_nest_start(m, OVPNHA_A_PEER | NLA_F_NESTED);
	if (!nest)
		return -EMSGSIZE;
	if (r->present & BIT(OVPNHA_A_PEER_ID))
		e |= nla_put_u32(m, OVPNHA_A_PEER_ID, r->id);
	if (r->present & BIT(OVPNHA_A_PEER_CN))
		e |= nla_put_string(m, OVPNHA_A_PEER_CN, r->cn);
	if (r->present & BIT(OVPNHA_A_PEER_REMOTE_IPV4))
		e |= nla_put(m, r->remote.family == AF_INET ? OVPNHA_A_PEER_REMOTE_IPV4
							     : OVPNHA_A_PEER_REMOTE_IPV6,
			     (int)addr_len(&r->remote), r->remote.a);
	if (r->present & BIT(OVPNHA_A_PEER_REMOTE_PORT))
		e |= nla_put_u16(m, OVPNHA_A_PEER_REMOTE_PORT, htons(r->port));
	if (r->present & BIT(OVPNHA_A_PEER_PROTO))
		e |= nla_put_u8(m, OVPNHA_A_PEER_PROTO, r->proto);
	if (r->present & BIT(OVPNHA_A_PEER_VPN_IPV4))
		e |= nla_put(m, OVPNHA_A_PEER_VPN_IPV4, 4, r->vpn4.a);
	if (r->present & BIT(OVPNHA_A_PEER_VPN_IPV6))
		e |= nla_put(m, OVPNHA_A_PEER_VPN_IPV6, 16, r->vpn6.a);
	if (r->present & BIT(OVPNHA_A_PEER_ORIGIN))
		e |= nla_put_u32(m, OVPNHA_A_PEER_ORIGIN, r->origin);
	if (r->present & BIT(OVPNHA_A_PEER_CREATED))
		e |= nla_put_u64(m, OVPNHA_A_PEER_CREATED, r->created);
	if (r->present & BIT(OVPNHA_A_PEER_RX_BYTES))
		e |= nla_put_u64(m, OVPNHA_A_PEER_RX_BYTES, r->rx);
	if (r->present & BIT(OVPNHA_A_PEER_TX_BYTES))
		e |= nla_put_u64(m, OVPNHA_A_PEER_TX_BYTES, r->tx);
	nla_nest_end(m, nest);
	return e ? -EMSGSIZE : 0;
}

/* Send a request built from @r; replies go to @fn. 0 or an exit status. */
static int peer_send(uint8_t cmd, int flags, const struct peer_req *r,
		     ovnl_reply_fn fn, void *arg, int *err)
{
	struct nl_msg *m;
	int ret;

	if ((ret = ovnl_open()))
		return ret;
	m = ovnl_new(cmd, flags);
	ret = peer_put(m, r);
	if (!ret)
		ret = ovnl_request(m, fn, arg);
	nlmsg_free(m);
	*err = ret;
	return 0;
}

/* A growing array of peers, optionally filtered by CN. */
struct peer_list {
	struct peer *v;
	size_t n, cap;
	const char *cn;
};

static int collect_peer(struct nl_msg *msg, void *arg)
{
	struct peer_list *l = arg;
	struct peer p;
	int ret = peer_from_msg(msg, &p);

	if (ret == -ENODATA)
		return 0;	/* not a peer: ignore */
	if (ret)
		return ret;
	if (l->cn && (!p.cn || strcmp(p.cn, l->cn))) {
		peer_free(&p);
		return 0;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = p;
	return 0;
}

static void peer_list_free(struct peer_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		peer_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void print_peers(const struct peer_list *l, const struct iroute_list *ir)
{
	struct json j;

	if (g_opts.json) {
		json_init(&j, stdout, g_opts.pretty);
		json_open_array(&j);
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct iroute *r = NULL;
		size_t n = 0;

		if (ir)
			r = iroute_list_find(ir, l->v[i].id, &n);
		if (g_opts.json)
			peer_print_json(&j, &l->v[i], r, n);
		else
			peer_print_plain(stdout, &l->v[i], r, n);
	}
	if (g_opts.json) {
		json_close_array(&j);
		json_finish(&j);
	}
}

int peer_get(uint32_t id, struct peer *p)
{
	struct peer_req r = { .present = BIT(OVPNHA_A_PEER_ID), .id = id };
	struct peer_list l = { 0 };
	int err;

	if (peer_send(OVPNHA_CMD_PEER_GET, 0, &r, collect_peer, &l, &err))
		return -EIO;
	if (!err && !l.n)
		err = -ENOENT;
	if (!err) {
		*p = l.v[0];
		l.v[0].cn = NULL;
	}
	peer_list_free(&l);
	return err;
}

static int peer_add(int argc, char **argv)
{
	struct peer_req r;
	struct peer_list l = { 0 };
	int ret, err;

	if ((ret = peer_parse(argc, argv, CMD_ADD, "add", &r)))
		return ret;
	if ((ret = peer_send(OVPNHA_CMD_PEER_NEW, 0, &r, collect_peer, &l, &err)))
		return ret;
	if (err)
		ret = ovnl_report(err);
	else if (!l.n || !PEER_HAS(&l.v[0], OVPNHA_A_PEER_ID)) {
		fputs("Error: the kernel did not reply with the new peer\n", stderr);
		ret = EXIT_FAIL;
	} else if (g_opts.json) {
		l.n = 1;
		print_peers(&l, NULL);
	} else {
		printf("id %" PRIu32 "\n", l.v[0].id);
	}
	peer_list_free(&l);
	return ret;
}

static int peer_set(int argc, char **argv)
{
	struct peer_req r;
	int ret, err;

	if ((ret = peer_parse(argc, argv, CMD_SET, "set", &r)))
		return ret;
	if ((ret = peer_send(OVPNHA_CMD_PEER_SET, 0, &r, NULL, NULL, &err)))
		return ret;
	return err ? ovnl_report(err) : EXIT_OK;
}

/* id ID | cn CN | nothing (show only). */
static int parse_selector(int argc, char **argv, int cmd, const char *name,
			  struct peer_req *r)
{
	int ret = peer_parse(argc, argv, cmd, name, r);

	if (ret)
		return ret;
	if (r->present == (BIT(OVPNHA_A_PEER_ID) | BIT(OVPNHA_A_PEER_CN)))
		return usage_error("peer %s: give either id or cn, not both", name);
	if (!r->present && cmd == CMD_DEL)
		return usage_error("peer del: missing \"id ID\" or \"cn CN\"");
	return 0;
}

static int peer_del(int argc, char **argv)
{
	struct peer_req r;
	struct peer_list l = { 0 };
	int ret, err;

	if ((ret = parse_selector(argc, argv, CMD_DEL, "del", &r)))
		return ret;
	if (r.present & BIT(OVPNHA_A_PEER_ID)) {
		if ((ret = peer_send(OVPNHA_CMD_PEER_DEL, 0, &r, NULL, NULL, &err)))
			return ret;
		return err ? ovnl_report(err) : EXIT_OK;
	}
	/* By CN: every peer with that name (duplicate-cn), found by a dump. */
	l.cn = r.cn;
	if ((ret = peer_send(OVPNHA_CMD_PEER_GET, NLM_F_DUMP, &r, collect_peer, &l, &err)))
		return ret;
	if (err) {
		peer_list_free(&l);
		return ovnl_report(err);
	}
	if (!l.n) {
		fputs("Error: no peer with common name ", stderr);
		fput_plain(stderr, r.cn);
		fputc('\n', stderr);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < l.n && !ret; i++) {
		struct peer_req d = { .present = BIT(OVPNHA_A_PEER_ID), .id = l.v[i].id };

		if ((ret = peer_send(OVPNHA_CMD_PEER_DEL, 0, &d, NULL, NULL, &err)))
			break;
		if (err && err != -ENOENT)	/* gone meanwhile: fine */
			ret = ovnl_report(err);
	}
	peer_list_free(&l);
	return ret;
}

/* Up to this many peers with iroutes get one filtered iroute dump each. */
#define FEW_PEERS 8

static bool peer_may_have_iroutes(const struct peer *p)
{
	return !PEER_HAS(p, OVPNHA_A_PEER_IROUTE_COUNT) || p->iroute_count;
}

static int peer_show(int argc, char **argv)
{
	struct peer_req r;
	struct peer_list l = { 0 };
	struct iroute_list ir = { 0 };
	struct role_info role;
	bool by_id;
	size_t want = 0;
	int ret, err;

	if ((ret = parse_selector(argc, argv, CMD_SHOW, "show", &r)))
		return ret;
	by_id = r.present & BIT(OVPNHA_A_PEER_ID);
	l.cn = r.cn;
	if ((ret = peer_send(OVPNHA_CMD_PEER_GET, by_id ? 0 : NLM_F_DUMP, &r,
			     collect_peer, &l, &err)))
		return ret;
	if (err) {
		peer_list_free(&l);
		return ovnl_report(err);
	}
	/*
	 * The iroutes: none to fetch if no peer has any; a few peers' own
	 * (filtered, cheap) dumps; else one dump of the whole table, never a
	 * request per peer of a big table.
	 */
	for (size_t i = 0; i < l.n; i++)
		if (peer_may_have_iroutes(&l.v[i]))
			want++;
	if (want && want <= FEW_PEERS) {
		for (size_t i = 0; i < l.n && !err; i++)
			if (peer_may_have_iroutes(&l.v[i]))
				err = iroute_dump(&l.v[i].id, &ir);
	} else if (want) {
		err = iroute_dump(NULL, &ir);
	}
	if (err) {
		peer_list_free(&l);
		iroute_list_free(&ir);
		return ovnl_report(err);
	}
	iroute_list_sort(&ir);
	/* After a takeover: who is back (role_get fails on old modules). */
	if (role_get(&role) == 0 && role.role == OVPNHA_ROLE_MASTER)
		for (size_t i = 0; i < l.n; i++)
			l.v[i].takeover = role.takeover;
	print_peers(&l, &ir);
	peer_list_free(&l);
	iroute_list_free(&ir);
	return EXIT_OK;
}

static int peer_flush(int argc, char **argv)
{
	struct nl_msg *m;
	int ret;

	if (argc)
		return usage_error("peer flush: unexpected argument \"%s\"", argv[0]);
	if ((ret = ovnl_open()))
		return ret;
	m = ovnl_new(OVPNHA_CMD_FLUSH, 0);
	ret = ovnl_request(m, NULL, NULL);
	nlmsg_free(m);
	return ret ? ovnl_report(ret) : EXIT_OK;
}

int do_peer(int argc, char **argv)
{
	const char *c = argc ? argv[0] : "show";

	if (argc) {
		argc--;
		argv++;
	}
	if (!strcmp(c, "add"))
		return peer_add(argc, argv);
	if (!strcmp(c, "set"))
		return peer_set(argc, argv);
	if (!strcmp(c, "del") || !strcmp(c, "delete"))
		return peer_del(argc, argv);
	if (!strcmp(c, "show") || !strcmp(c, "list") || !strcmp(c, "ls"))
		return peer_show(argc, argv);
	if (!strcmp(c, "flush"))
		return peer_flush(argc, argv);
	if (is_help(c)) {
		help_peer(stdout);
		return EXIT_OK;
	}
	return usage_error("unknown command \"peer %s\"", c);
}
