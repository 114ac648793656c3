// SPDX-License-Identifier: GPL-2.0
/*
 * ovpnhactl openvpn [--strict] learn-address|client-connect|client-disconnect
 *
 * Entry points for the script hooks of a stock OpenVPN 2.6 server, which
 * appends its own arguments to the command and passes the client in the
 * environment:
 *
 *   learn-address add|update|delete ADDRESS [CN]
 *   client-connect [CONFIG_FILE]      common_name, trusted_ip[6], ...
 *   client-disconnect [CONFIG_FILE]   ... and bytes_received, bytes_sent
 *
 * A peer is identified by common name + real endpoint (trusted_ip or
 * trusted_ip6, trusted_port, the server's proto), so duplicate-cn works.
 * Every hook is idempotent: an add that is already true, or a delete of
 * something unknown, succeeds without a change.  Each kernel request is
 * atomic, and a peer this invocation created is removed again if a later
 * step fails, so no half-created peer is left.
 *
 * Exit status: 1 when the input is malformed (bad or missing argument or
 * environment variable: OpenVPN should reject the address or client), with
 * the reason on stderr.  When the module is absent or refuses a change the
 * reason goes to stderr as a warning and the exit status is 0, so OpenVPN
 * keeps serving; --strict makes those failures exit 1 as well.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "info.h"
#include "iroute.h"
#include "nl.h"
#include "ovpnhactl.h"
#include "peer.h"
#include "role.h"
#include "util.h"

static const char *hook = "openvpn";
static bool strict;

/* The client as OpenVPN describes it in the environment. */
struct ovpn_client {
	const char *cn;
	struct addr remote;
	uint16_t port;
	uint8_t proto;
	bool has_vpn4, has_vpn6, has_created, has_rx, has_tx;
	struct addr vpn4, vpn6;
	uint64_t created, rx, tx;
};

/* Malformed input: OpenVPN must reject. */
static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ovpnhactl openvpn %s: ", hook);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

/* The module failed @what: a warning, fatal only with --strict. */
static int module_fail(int err, const char *what)
{
	const char *msg = ovnl_extack();

	fprintf(stderr, "ovpnhactl openvpn %s: %s%s: %s\n", hook,
		strict ? "" : "warning: ", what, msg ? msg : strerror(-err));
	return strict ? EXIT_FAIL : EXIT_OK;
}

static int open_module(void)
{
	if (!ovnl_open())
		return -1;
	fprintf(stderr, "ovpnhactl openvpn %s: %sovpnha not updated\n", hook,
		strict ? "" : "warning: ");
	return strict ? EXIT_FAIL : EXIT_OK;
}

/* ---- input ---- */

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && v[0] ? v : NULL;
}

static int env_addr(const char *name, int family, struct addr *a, bool *has)
{
	const char *v = env(name);

	*has = false;
	if (!v)
		return 0;
	if (addr_parse_family(v, family, a))
		return bad("environment variable %s=\"%s\" is not an IPv%d address",
			   name, v, family == AF_INET ? 4 : 6);
	*has = true;
	return 0;
}

static int env_u64(const char *name, uint64_t *v, bool *has)
{
	const char *s = env(name);

	*has = false;
	if (!s)
		return 0;
	if (parse_u64(s, v))
		return bad("environment variable %s=\"%s\" is not a number", name, s);
	*has = true;
	return 0;
}

static bool cn_ok(const char *cn)
{
	return cn && cn[0] && strlen(cn) <= OVPNHA_CN_MAXLEN;
}

/* The client of the environment; @cn overrides common_name if given. */
static int client_from_env(const char *cn, struct ovpn_client *c)
{
	const char *ip4 = env("trusted_ip"), *ip6 = env("trusted_ip6");
	const char *port = env("trusted_port");
	const char *proto = env("proto_1") ? env("proto_1") : env("proto");
	uint32_t p;
	int ret;

	memset(c, 0, sizeof(*c));
	c->cn = cn ? cn : env("common_name");
	if (!c->cn)
		return bad("missing environment variable common_name (not run by OpenVPN?)");
	if (!cn_ok(c->cn))
		return bad("common name \"%s\" is longer than %d bytes", c->cn,
			   OVPNHA_CN_MAXLEN);
	if (ip4) {
		if (addr_parse_family(ip4, AF_INET, &c->remote))
			return bad("environment variable trusted_ip=\"%s\" is not an IPv4 address", ip4);
	} else if (ip6) {
		if (addr_parse_family(ip6, AF_INET6, &c->remote))
			return bad("environment variable trusted_ip6=\"%s\" is not an IPv6 address", ip6);
		/* A dual-stack socket reports IPv4 clients v4-mapped. */
		if (!memcmp(c->remote.a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
			memmove(c->remote.a, c->remote.a + 12, 4);
			memset(c->remote.a + 4, 0, 12);
			c->remote.family = AF_INET;
		}
	} else {
		return bad("missing environment variable trusted_ip or trusted_ip6 (not run by OpenVPN?)");
	}
	if (!port)
		return bad("missing environment variable trusted_port");
	if (parse_u32(port, &p) || !p || p > 65535)
		return bad("environment variable trusted_port=\"%s\" is not a port 1..65535", port);
	c->port = (uint16_t)p;
	c->proto = proto && strstr(proto, "tcp") ? IPPROTO_TCP : IPPROTO_UDP;
	if ((ret = env_addr("ifconfig_pool_remote_ip", AF_INET, &c->vpn4, &c->has_vpn4)) ||
	    (ret = env_addr("ifconfig_pool_remote_ip6", AF_INET6, &c->vpn6, &c->has_vpn6)) ||
	    (ret = env_u64("time_unix", &c->created, &c->has_created)) ||
	    (ret = env_u64("bytes_received", &c->rx, &c->has_rx)) ||
	    (ret = env_u64("bytes_sent", &c->tx, &c->has_tx)))
		return ret;
	if (c->has_created) {
		if (c->created > UINT64_MAX / 1000000000u)
			return bad("environment variable time_unix is out of range");
		c->created *= 1000000000u;
	}
	return 0;
}

static bool is_mac(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++) {
		bool colon = i % 3 == 2;

		if (colon ? s[i] != ':' : !strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	}
	return true;
}

static void prefix_mask(struct prefix *p)
{
	unsigned int bits = (unsigned int)addr_len(&p->addr) * 8;

	for (unsigned int i = 0; i < bits / 8; i++) {
		if (i * 8 >= p->len)
			p->addr.a[i] = 0;
		else if (i * 8 + 8 > p->len)
			p->addr.a[i] &= (uint8_t)(0xff << (8 - (p->len - i * 8)));
	}
}

/* ---- requests ---- */

/* A PEER_NEW/SET/DEL request; NULL pointers and false flags are absent. */
struct preq {
	uint32_t id;
	const char *cn;
	const struct addr *remote;	/* with port and proto */
	uint16_t port;
	uint8_t proto;
	const struct addr *vpn4, *vpn6;	/* family 0: clear */
	bool has_created, has_rx, has_tx;
	uint64_t created, rx, tx;
	uint32_t origin;		/* 0: absent */
};

static int got_peer(struct nl_msg *msg, void *arg)
{
	struct peer *p = arg;

	if (p->present)
		return 0;
	if (peer_from_msg(msg, p) == -EBADMSG)
		return -EBADMSG;
	return 0;
}

static int put_addr(struct nl_msg *m, int type, int family, const struct addr *a)
{
	static const uint8_t zero[16];

	return nla_put(m, type, family == AF_INET ? 4 : 16,
		       a->family ? a->a : zero);
}

static int preq_send(uint8_t cmd, const struct preq *r, struct peer *reply)
{
	struct nl_msg *m = ovnl_new(cmd, 0);
	struct nlattr *nest = nla_nest_start(m, OVPNHA_A_PEER | NLA_F_NESTED);
	int e = !nest;

	if (nest) {
		if (r->id)
			e |= nla_put_u32(m, OVPNHA_A_PEER_ID, r->id);
		if (r->cn)
			e |= nla_put_string(m, OVPNHA_A_PEER_CN, r->cn);
		if (r->remote) {
			e |= put_addr(m, r->remote->family == AF_INET ?
				      OVPNHA_A_PEER_REMOTE_IPV4 : OVPNHA_A_PEER_REMOTE_IPV6,
				      r->remote->family, r->remote);
			e |= nla_put_u16(m, OVPNHA_A_PEER_REMOTE_PORT, htons(r->port));
			e |= nla_put_u8(m, OVPNHA_A_PEER_PROTO, r->proto);
		}
		if (r->vpn4)
			e |= put_addr(m, OVPNHA_A_PEER_VPN_IPV4, AF_INET, r->vpn4);
		if (r->vpn6)
			e |= put_addr(m, OVPNHA_A_PEER_VPN_IPV6, AF_INET6, r->vpn6);
		if (r->has_created)
			e |= nla_put_u64(m, OVPNHA_A_PEER_CREATED, r->created);
		if (r->has_rx)
			e |= nla_put_u64(m, OVPNHA_A_PEER_RX_BYTES, r->rx);
		if (r->has_tx)
			e |= nla_put_u64(m, OVPNHA_A_PEER_TX_BYTES, r->tx);
		if (r->origin)
			e |= nla_put_u32(m, OVPNHA_A_PEER_ORIGIN, r->origin);
		nla_nest_end(m, nest);
	}
	if (reply)
		memset(reply, 0, sizeof(*reply));
	e = e ? -EMSGSIZE : ovnl_request(m, reply ? got_peer : NULL, reply);
	nlmsg_free(m);
	return e;
}

/* Peers found by a dump: the one matching the client, or by endpoint. */
struct peer_search {
	const struct ovpn_client *c;
	bool any_cn;		/* match the endpoint only */
	uint32_t adopt;		/* else: same cn, origin not this node id */
	struct peer found;	/* found.id != 0 when found */
};

static int search_peer(struct nl_msg *msg, void *arg)
{
	struct peer_search *s = arg;
	struct peer p;
	int ret = peer_from_msg(msg, &p);

	if (ret == -ENODATA)
		return 0;
	if (ret)
		return ret;
	if (s->adopt && !s->found.id && p.origin != s->adopt && p.cn &&
	    !strcmp(p.cn, s->c->cn)) {
		s->found = p;
		return 0;
	}
	if (!s->adopt && !s->found.id && addr_eq(&p.remote, &s->c->remote) &&
	    p.port == s->c->port && p.proto == s->c->proto &&
	    (s->any_cn || (p.cn && !strcmp(p.cn, s->c->cn)))) {
		s->found = p;
		return 0;
	}
	peer_free(&p);
	return 0;
}

/* 0 (s->found.id == 0: none) or -errno. */
static int find_peer_as(const struct ovpn_client *c, bool any_cn,
			uint32_t adopt, struct peer_search *s);

static int find_peer(const struct ovpn_client *c, bool any_cn, struct peer_search *s)
{
	return find_peer_as(c, any_cn, 0, s);
}

static int find_peer_as(const struct ovpn_client *c, bool any_cn,
			uint32_t adopt, struct peer_search *s)
{
	struct nl_msg *m = ovnl_new(OVPNHA_CMD_PEER_GET, NLM_F_DUMP);
	struct nlattr *nest;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->any_cn = any_cn;
	s->adopt = adopt;
	if (!any_cn) {
		/* The kernel filters the dump by common name. */
		nest = nla_nest_start(m, OVPNHA_A_PEER | NLA_F_NESTED);
		if (!nest || nla_put_string(m, OVPNHA_A_PEER_CN, c->cn))
			ret = -EMSGSIZE;
		else
			nla_nest_end(m, nest);
	}
	if (!ret)
		ret = ovnl_request(m, search_peer, s);
	nlmsg_free(m);
	return ret;
}

struct lookup {
	bool found, vpn_addr;
	uint32_t peer;
	struct prefix pfx;
};

static struct nla_policy ir_pol[OVPNHA_A_IROUTE_MAX + 1] = {
	[OVPNHA_A_IROUTE_PEER_ID] = { .type = NLA_U32 },
	[OVPNHA_A_IROUTE_PREFIXLEN] = { .type = NLA_U8 },
	[OVPNHA_A_IROUTE_VPN_ADDR] = { .type = NLA_FLAG },
};

static int got_lookup(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[OVPNHA_A_MAX + 1], *a[OVPNHA_A_IROUTE_MAX + 1];
	struct lookup *l = arg;
	struct nlattr *v4, *v6;

	if (ovnl_parse(msg, tb) || !tb[OVPNHA_A_IROUTE] ||
	    nla_parse_nested(a, OVPNHA_A_IROUTE_MAX, tb[OVPNHA_A_IROUTE], ir_pol) < 0)
		return -EBADMSG;
	v4 = a[OVPNHA_A_IROUTE_IPV4];
	v6 = a[OVPNHA_A_IROUTE_IPV6];
	if (!a[OVPNHA_A_IROUTE_PEER_ID] || !a[OVPNHA_A_IROUTE_PREFIXLEN] ||
	    !(v4 ? nla_len(v4) == 4 : v6 && nla_len(v6) == 16))
		return -EBADMSG;
	l->found = true;
	l->peer = nla_get_u32(a[OVPNHA_A_IROUTE_PEER_ID]);
	l->vpn_addr = a[OVPNHA_A_IROUTE_VPN_ADDR];
	addr_from_bytes(&l->pfx.addr, v4 ? AF_INET : AF_INET6, nla_data(v4 ? v4 : v6));
	l->pfx.len = nla_get_u8(a[OVPNHA_A_IROUTE_PREFIXLEN]);
	return 0;
}

/* IROUTE_NEW / IROUTE_DEL (peer 0: any owner) / IROUTE_GET of @p. */
static int iroute_req(uint8_t cmd, const struct prefix *p, uint32_t peer,
		      struct lookup *l)
{
	struct nl_msg *m = ovnl_new(cmd, 0);
	struct nlattr *nest = nla_nest_start(m, OVPNHA_A_IROUTE | NLA_F_NESTED);
	bool v4 = p->addr.family == AF_INET;
	int e = !nest;

	if (nest) {
		e |= nla_put(m, v4 ? OVPNHA_A_IROUTE_IPV4 : OVPNHA_A_IROUTE_IPV6,
			     v4 ? 4 : 16, p->addr.a);
		if (cmd != OVPNHA_CMD_IROUTE_GET)
			e |= nla_put_u8(m, OVPNHA_A_IROUTE_PREFIXLEN, (uint8_t)p->len);
		if (peer)
			e |= nla_put_u32(m, OVPNHA_A_IROUTE_PEER_ID, peer);
		nla_nest_end(m, nest);
	}
	if (l)
		memset(l, 0, sizeof(*l));
	e = e ? -EMSGSIZE : ovnl_request(m, l ? got_lookup : NULL, l);
	nlmsg_free(m);
	return e;
}

/*
 * Take virtual address @a away from whichever other peer holds it (the
 * address moved: OpenVPN is the authority).  0 or -errno.
 */
static int release_vaddr(const struct addr *a, uint32_t keep)
{
	struct prefix p = { .addr = *a, .len = (unsigned int)addr_len(a) * 8 };
	struct addr none = { 0 };
	struct preq r = { 0 };
	struct lookup l;
	int ret = iroute_req(OVPNHA_CMD_IROUTE_GET, &p, 0, &l);

	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	if (l.peer == keep || l.pfx.len != p.len)
		return 0;
	if (!l.vpn_addr)	/* an iroute of exactly this host */
		return iroute_req(OVPNHA_CMD_IROUTE_DEL, &p, l.peer, NULL);
	r.id = l.peer;
	if (a->family == AF_INET)
		r.vpn4 = &none;
	else
		r.vpn6 = &none;
	ret = preq_send(OVPNHA_CMD_PEER_SET, &r, NULL);
	return ret == -ENOENT ? 0 : ret;
}

/* Set the peer's virtual address (re-owning it). */
static int set_vaddr(uint32_t id, const struct addr *a)
{
	struct preq r = { .id = id };
	int ret;

	if (a->family == AF_INET)
		r.vpn4 = a;
	else
		r.vpn6 = a;
	ret = preq_send(OVPNHA_CMD_PEER_SET, &r, NULL);
	if (ret == -EEXIST && !(ret = release_vaddr(a, id)))
		ret = preq_send(OVPNHA_CMD_PEER_SET, &r, NULL);
	return ret;
}

/* Route @p to peer @id (re-owning it); nothing if it already is. */
static int add_iroute(uint32_t id, struct prefix *p)
{
	struct iroute_list l = { 0 };
	bool have = false;
	int ret;

	prefix_mask(p);
	ret = iroute_dump(&id, &l);
	for (size_t i = 0; !ret && i < l.n; i++)
		if (l.v[i].pfx.len == p->len && addr_eq(&l.v[i].pfx.addr, &p->addr))
			have = true;
	iroute_list_free(&l);
	if (ret || have)
		return ret;
	ret = iroute_req(OVPNHA_CMD_IROUTE_NEW, p, id, NULL);
	if (ret == -EEXIST) {
		/* A host route may be another peer's virtual address now. */
		if (p->len == addr_len(&p->addr) * 8 &&
		    (ret = release_vaddr(&p->addr, id)))
			return ret;
		ret = iroute_req(OVPNHA_CMD_IROUTE_DEL, p, 0, NULL);
		if (!ret || ret == -ENOENT)
			ret = iroute_req(OVPNHA_CMD_IROUTE_NEW, p, id, NULL);
	}
	return ret;
}

/*
 * After a takeover the client returns to this node, usually from a new
 * source port: the replica of it (same common name, another node's
 * origin) becomes this node's peer, which marks it returned.  Only a
 * master adopts.  0 and *id, -ENOENT when there is nothing to adopt.
 */
/* This node's id if it is master, else 0. */
static uint32_t master_node_id(void)
{
	struct role_info role;
	struct info in;

	if (role_get(&role) || role.role != OVPNHA_ROLE_MASTER ||
	    info_get(&in) || !(in.present & (1u << OVPNHA_A_INFO_NODE_ID)))
		return 0;
	return (uint32_t)in.val[OVPNHA_A_INFO_NODE_ID];
}

static int adopt_peer(const struct ovpn_client *c, uint32_t *id)
{
	struct peer_search s;
	struct preq r = {
		.remote = &c->remote, .port = c->port, .proto = c->proto,
		.vpn4 = c->has_vpn4 ? &c->vpn4 : NULL,
		.vpn6 = c->has_vpn6 ? &c->vpn6 : NULL,
	};
	int ret;

	if (!(r.origin = master_node_id()))
		return -ENOENT;
	if ((ret = find_peer_as(c, false, r.origin, &s)))
		return ret;
	if (!s.found.id)
		return -ENOENT;
	r.id = s.found.id;
	peer_free(&s.found);
	ret = preq_send(OVPNHA_CMD_PEER_SET, &r, NULL);
	if (ret == -EEXIST)
		return -ENOENT;	/* the endpoint is held: the usual way */
	if (!ret)
		*id = r.id;
	return ret;
}

/*
 * The peer of client @c, created if it does not exist (*created then
 * true); its virtual addresses brought in line with the environment.
 */
static int ensure_peer(const struct ovpn_client *c, uint32_t *id, bool *created)
{
	struct preq r = {
		.cn = c->cn, .remote = &c->remote, .port = c->port,
		.proto = c->proto, .vpn4 = c->has_vpn4 ? &c->vpn4 : NULL,
		.vpn6 = c->has_vpn6 ? &c->vpn6 : NULL,
		.has_created = c->has_created, .created = c->created,
	};
	struct peer_search s;
	struct peer reply;
	int ret;

	*created = false;
	if ((ret = find_peer(c, false, &s)))
		return ret;
	if (s.found.id) {
		*id = s.found.id;
		if (c->has_vpn4 && !(PEER_HAS(&s.found, OVPNHA_A_PEER_VPN_IPV4) &&
				     addr_eq(&s.found.vpn4, &c->vpn4)))
			ret = set_vaddr(*id, &c->vpn4);
		if (!ret && c->has_vpn6 &&
		    !(PEER_HAS(&s.found, OVPNHA_A_PEER_VPN_IPV6) &&
		      addr_eq(&s.found.vpn6, &c->vpn6)))
			ret = set_vaddr(*id, &c->vpn6);
		peer_free(&s.found);
		/*
		 * On a master the client may be one returning from the same
		 * endpoint after a takeover: a write marks it seen here, and
		 * a replica becomes this node's.
		 */
		if (!ret && !strcmp(hook, "client-connect")) {
			struct preq t = { .id = *id, .origin = master_node_id() };

			if (t.origin)
				ret = preq_send(OVPNHA_CMD_PEER_SET, &t, NULL);
		}
		return ret;
	}
	if ((ret = adopt_peer(c, id)) != -ENOENT)
		return ret;
	ret = preq_send(OVPNHA_CMD_PEER_NEW, &r, &reply);
	if (ret == -EEXIST) {
		/*
		 * A stale peer holds the endpoint (another common name) or a
		 * virtual address: OpenVPN has moved on, so does the table.
		 */
		if (!(ret = find_peer(c, true, &s)) && s.found.id) {
			struct preq d = { .id = s.found.id };

			ret = preq_send(OVPNHA_CMD_PEER_DEL, &d, NULL);
			peer_free(&s.found);
		}
		if ((!ret || ret == -ENOENT) && c->has_vpn4)
			ret = release_vaddr(&c->vpn4, 0);
		if ((!ret || ret == -ENOENT) && c->has_vpn6)
			ret = release_vaddr(&c->vpn6, 0);
		if (!ret || ret == -ENOENT)
			ret = preq_send(OVPNHA_CMD_PEER_NEW, &r, &reply);
	}
	if (ret)
		return ret;
	*id = reply.id;
	peer_free(&reply);
	if (!*id)
		return -EBADMSG;
	*created = true;
	return 0;
}

/*
 * Whether peer @id is this node's own (its origin is this node's id) and
 * not a replica of another node's peer.  0 or -errno.
 */
static int peer_is_local(uint32_t id, bool *local)
{
	struct info in;
	struct peer p;
	int ret;

	*local = false;
	if ((ret = info_get(&in)))
		return ret;
	ret = peer_get(id, &p);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	*local = p.origin == ((in.present & (1u << OVPNHA_A_INFO_NODE_ID)) ?
			      (uint32_t)in.val[OVPNHA_A_INFO_NODE_ID] : 0);
	peer_free(&p);
	return 0;
}

/* ---- the hooks ---- */

static int client_connect(const struct ovpn_client *c)
{
	bool created;
	uint32_t id;
	int ret;

	if ((ret = open_module()) >= 0)
		return ret;
	ret = ensure_peer(c, &id, &created);
	return ret ? module_fail(ret, "cannot record the client") : EXIT_OK;
}

static int client_disconnect(const struct ovpn_client *c)
{
	struct peer_search s;
	struct preq r = { .has_rx = c->has_rx, .rx = c->rx,
			  .has_tx = c->has_tx, .tx = c->tx };
	bool local;
	int ret;

	if ((ret = open_module()) >= 0)
		return ret;
	if ((ret = find_peer(c, false, &s)))
		return module_fail(ret, "cannot look up the client");
	if (!s.found.id)
		return EXIT_OK;		/* never recorded, or gone already */
	r.id = s.found.id;
	peer_free(&s.found);
	/* A replica from the same endpoint is another node's client now. */
	if ((ret = peer_is_local(r.id, &local)))
		return module_fail(ret, "cannot look up the client");
	if (!local)
		return EXIT_OK;
	/* The final counters travel with the delete event. */
	if (r.has_rx || r.has_tx) {
		ret = preq_send(OVPNHA_CMD_PEER_SET, &r, NULL);
		if (ret && ret != -ENOENT)
			return module_fail(ret, "cannot store the byte counters");
	}
	memset(&r, 0, sizeof(r));
	r.id = s.found.id;
	ret = preq_send(OVPNHA_CMD_PEER_DEL, &r, NULL);
	if (ret && ret != -ENOENT)
		return module_fail(ret, "cannot remove the client");
	return EXIT_OK;
}

/* ADDRESS as learn-address passes it: an address, a prefix or a MAC. */
static int parse_learned(const char *s, struct prefix *p, bool *is_prefix)
{
	const char *why;

	*is_prefix = strchr(s, '/');
	if (!*is_prefix) {
		if (addr_parse(s, &p->addr))
			return bad("bad address \"%s\": not an IPv4 or IPv6 address or prefix", s);
		p->len = (unsigned int)addr_len(&p->addr) * 8;
		return 0;
	}
	if (prefix_parse(s, p, &why))
		return bad("bad address \"%s\": %s", s, why);
	if (p->len > addr_len(&p->addr) * 8)
		return bad("bad address \"%s\": prefix length out of range", s);
	return 0;
}

/*
 * The holder of exactly prefix @p (0: none): a lookup of its first
 * address, or when a longer prefix covers that address, a dump.
 */
static int prefix_holder(const struct prefix *p, uint32_t *holder)
{
	struct iroute_list il = { 0 };
	struct prefix m = *p;
	struct lookup l;
	int ret;

	*holder = 0;
	prefix_mask(&m);
	ret = iroute_req(OVPNHA_CMD_IROUTE_GET, &m, 0, &l);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	if (l.pfx.len == m.len) {
		*holder = l.vpn_addr ? 0 : l.peer;
		return 0;
	}
	if (l.pfx.len < m.len)
		return 0;	/* only a wider prefix covers it */
	ret = iroute_dump(NULL, &il);
	for (size_t i = 0; !ret && i < il.n; i++)
		if (il.v[i].pfx.len == m.len &&
		    addr_eq(&il.v[i].pfx.addr, &m.addr))
			*holder = il.v[i].peer;
	iroute_list_free(&il);
	return ret;
}

/*
 * OpenVPN forgets a route of one of its client instances (the instance
 * ended, or the route was reaped some seconds later).  Only a peer of
 * this node's origin is that instance: after a switchover the client's
 * route may be held already by the replica of its peer on the node it
 * moved to, and that is the other node's to change.
 */
static int learn_delete(const struct prefix *p, bool is_prefix)
{
	struct lookup l;
	uint32_t holder;
	bool local;
	int ret;

	if ((ret = open_module()) >= 0)
		return ret;
	if (is_prefix) {
		ret = prefix_holder(p, &holder);
		if (!ret && holder)
			ret = peer_is_local(holder, &local);
		if (!ret && holder && local)
			ret = iroute_req(OVPNHA_CMD_IROUTE_DEL, p, holder, NULL);
		return ret && ret != -ENOENT ? module_fail(ret, "cannot remove the iroute") : EXIT_OK;
	}
	/*
	 * A virtual address (cleared on the peer that still holds it) or a
	 * host route; a host inside a wider iroute is not routed by itself.
	 */
	ret = iroute_req(OVPNHA_CMD_IROUTE_GET, p, 0, &l);
	if (ret == -ENOENT || (!ret && l.pfx.len != p->len))
		return EXIT_OK;
	if (!ret)
		ret = peer_is_local(l.peer, &local);
	if (!ret && local)
		ret = release_vaddr(&p->addr, 0);
	return ret ? module_fail(ret, "cannot remove the address") : EXIT_OK;
}

/*
 * OpenVPN also reports single hosts it saw behind a client's iroute (its
 * route cache): not the client's virtual address.  True if an iroute of
 * peer @id covers @p already; *as_route set if the client has a virtual
 * address of that family, so @p is a host route to it, not its address.
 */
static bool host_behind(uint32_t id, const struct prefix *p,
			const struct ovpn_client *c, bool *as_route)
{
	struct lookup l;

	if (!iroute_req(OVPNHA_CMD_IROUTE_GET, p, 0, &l) && l.found &&
	    l.peer == id && !l.vpn_addr)
		return true;
	*as_route = p->addr.family == AF_INET ? c->has_vpn4 : c->has_vpn6;
	return false;
}

static int learn_add(const char *cn, struct prefix *p, bool is_prefix)
{
	struct ovpn_client c;
	struct preq d = { 0 };
	bool created;
	uint32_t id;
	int ret;

	if ((ret = client_from_env(cn, &c)))
		return ret;
	if ((ret = open_module()) >= 0)
		return ret;
	if ((ret = ensure_peer(&c, &id, &created)))
		return module_fail(ret, "cannot record the client");
	/* ensure_peer() gave the peer the environment's virtual addresses. */
	if (!is_prefix && ((c.has_vpn4 && addr_eq(&p->addr, &c.vpn4)) ||
			   (c.has_vpn6 && addr_eq(&p->addr, &c.vpn6))))
		return EXIT_OK;
	if (!is_prefix && host_behind(id, p, &c, &is_prefix))
		return EXIT_OK;
	ret = is_prefix ? add_iroute(id, p) : set_vaddr(id, &p->addr);
	if (!ret)
		return EXIT_OK;
	if (created) {
		/* No half-made peer: this call created it, this call undoes it. */
		d.id = id;
		preq_send(OVPNHA_CMD_PEER_DEL, &d, NULL);
	}
	return module_fail(ret, is_prefix ? "cannot add the iroute" :
			   "cannot set the virtual address");
}

static int learn_address(int argc, char **argv)
{
	struct prefix p;
	bool is_prefix;
	const char *op, *cn;
	int ret;

	if (argc < 2)
		return bad("expects OPERATION ADDRESS [COMMON_NAME] (as OpenVPN passes them), got %d argument%s",
			   argc, argc == 1 ? "" : "s");
	if (argc > 3)
		return bad("unexpected argument \"%s\"", argv[3]);
	op = argv[0];
	cn = argc > 2 ? argv[2] : NULL;
	if (strcmp(op, "add") && strcmp(op, "update") && strcmp(op, "delete"))
		return bad("unknown operation \"%s\" (add, update or delete)", op);
	if (is_mac(argv[1]))
		return EXIT_OK;		/* --dev tap: nothing routed here */
	if ((ret = parse_learned(argv[1], &p, &is_prefix)))
		return ret;
	if (cn && !cn_ok(cn))
		return bad("common name \"%s\" is empty or longer than %d bytes",
			   cn, OVPNHA_CN_MAXLEN);
	if (!strcmp(op, "delete"))
		return learn_delete(&p, is_prefix);
	return learn_add(cn, &p, is_prefix);
}

int do_openvpn(int argc, char **argv)
{
	struct ovpn_client c;
	int i = 0, ret;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--strict")) {
			strict = true;
		} else if (is_help(argv[i])) {
			help_openvpn(stdout);
			return EXIT_OK;
		} else {
			return usage_error("openvpn: unknown option \"%s\"", argv[i]);
		}
	}
	if (i >= argc)
		return usage_error("openvpn: missing hook (learn-address, client-connect, client-disconnect)");
	hook = argv[i++];
	if (is_help(hook)) {
		help_openvpn(stdout);
		return EXIT_OK;
	}
	if (!strcmp(hook, "learn-address"))
		return learn_address(argc - i, argv + i);
	if (strcmp(hook, "client-connect") && strcmp(hook, "client-disconnect"))
		return usage_error("openvpn: unknown hook \"%s\"", hook);
	/* OpenVPN appends a file name (client-connect: dynamic config). */
	if (argc - i > 1)
		return bad("unexpected argument \"%s\"", argv[i + 1]);
	if ((ret = client_from_env(NULL, &c)))
		return ret;
	return !strcmp(hook, "client-connect") ? client_connect(&c) : client_disconnect(&c);
}

const char help_openvpn_text[] =
"  openvpn [--strict] learn-address add|update|delete ADDRESS [CN]\n"
"  openvpn [--strict] client-connect [FILE]\n"
"  openvpn [--strict] client-disconnect [FILE]\n"
"        Entry points for OpenVPN 2.6's script hooks (script-security 2);\n"
"        OpenVPN appends the arguments and passes the client (common_name,\n"
"        trusted_ip, trusted_port, ifconfig_pool_remote_ip, ...) in the\n"
"        environment, e.g. in server.conf:\n"
"          learn-address \"/usr/local/sbin/ovpnhactl openvpn learn-address\"\n"
"        Exit 1 with the reason on stderr for malformed input (OpenVPN\n"
"        then rejects the address or client).  If the module is absent or\n"
"        refuses, a warning and exit 0, unless --strict.\n";

void help_openvpn(FILE *f)
{
	fputs("Usage:\n", f);
	fputs(help_openvpn_text, f);
}
