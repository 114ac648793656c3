// SPDX-License-Identifier: GPL-2.0
/* ovpnhactl tunnel add|del|show; the enforce setting of config set. */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "nl.h"
#include "ovpnhactl.h"
#include "util.h"

struct tunnel {
	char ifname[IF_NAMESIZE];
	uint32_t ifindex;
	int port;		/* -1: not given */
	int proto;		/* 0: not given */
};

struct tunnel_list {
	struct tunnel v[64];
	size_t n;
};

static struct nla_policy tunnel_pol[OVPNHA_A_TUNNEL_MAX + 1] = {
	[OVPNHA_A_TUNNEL_IFNAME] = { .type = NLA_STRING },
	[OVPNHA_A_TUNNEL_IFINDEX] = { .type = NLA_U32 },
	[OVPNHA_A_TUNNEL_PORT] = { .type = NLA_U16 },
	[OVPNHA_A_TUNNEL_PROTO] = { .type = NLA_U8 },
};

static const char *proto_str(int proto)
{
	return proto == IPPROTO_UDP ? "udp" : proto == IPPROTO_TCP ? "tcp" : NULL;
}

static int collect_tunnel(struct nl_msg *msg, void *arg)
{
	struct tunnel_list *l = arg;
	struct nlattr *tb[OVPNHA_A_MAX + 1], *a[OVPNHA_A_TUNNEL_MAX + 1];
	struct tunnel *t;

	if (ovnl_parse(msg, tb))
		return -EBADMSG;
	if (!tb[OVPNHA_A_TUNNEL])
		return 0;
	if (nla_parse_nested(a, OVPNHA_A_TUNNEL_MAX, tb[OVPNHA_A_TUNNEL], tunnel_pol) < 0 ||
	    !a[OVPNHA_A_TUNNEL_IFNAME])
		return -EBADMSG;
	if (l->n == sizeof(l->v) / sizeof(l->v[0]))
		return 0;
	t = &l->v[l->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->ifname, sizeof(t->ifname), "%s", nla_get_string(a[OVPNHA_A_TUNNEL_IFNAME]));
	if (a[OVPNHA_A_TUNNEL_IFINDEX])
		t->ifindex = nla_get_u32(a[OVPNHA_A_TUNNEL_IFINDEX]);
	t->port = a[OVPNHA_A_TUNNEL_PORT] ? ntohs(nla_get_u16(a[OVPNHA_A_TUNNEL_PORT])) : -1;
	if (a[OVPNHA_A_TUNNEL_PROTO])
		t->proto = nla_get_u8(a[OVPNHA_A_TUNNEL_PROTO]);
	return 0;
}

static int tunnel_show(int argc, char **argv)
{
	struct tunnel_list *l;
	struct nl_msg *m;
	struct json j;
	int ret;

	if (argc)
		return usage_error("tunnel show: unexpected argument \"%s\"", argv[0]);
	if ((ret = ovnl_open()))
		return ret;
	l = calloc(1, sizeof(*l));
	if (!l)
		return ovnl_report(-ENOMEM);
	m = ovnl_new(OVPNHA_CMD_TUNNEL_GET, NLM_F_DUMP);
	ret = ovnl_request(m, collect_tunnel, l);
	nlmsg_free(m);
	if (ret) {
		free(l);
		return ovnl_report(ret);
	}
	if (g_opts.json) {
		json_init(&j, stdout, g_opts.pretty);
		json_open_array(&j);
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct tunnel *t = &l->v[i];

		if (g_opts.json) {
			json_open_object(&j);
			json_kv_str(&j, "dev", t->ifname);
			json_kv_u64(&j, "ifindex", t->ifindex);
			if (t->port >= 0)
				json_kv_u64(&j, "port", (uint64_t)t->port);
			if (proto_str(t->proto))
				json_kv_str(&j, "proto", proto_str(t->proto));
			json_close_object(&j);
			continue;
		}
		printf("dev %s", t->ifname);
		if (t->ifindex)
			printf(" ifindex %" PRIu32, t->ifindex);
		else
			fputs(" absent", stdout);
		if (t->port >= 0)
			printf(" port %d", t->port);
		if (proto_str(t->proto))
			printf(" proto %s", proto_str(t->proto));
		putchar('\n');
	}
	if (g_opts.json) {
		json_close_array(&j);
		json_finish(&j);
	}
	free(l);
	return EXIT_OK;
}

/* tunnel add|del dev NAME [port PORT] [proto udp|tcp] */
static int tunnel_change(int argc, char **argv, bool add)
{
	const char *cmd = add ? "add" : "del";
	const char *dev = NULL;
	unsigned int seen = 0;
	struct nlattr *nest;
	struct nl_msg *m;
	uint32_t port = 0;
	int proto = 0, ret, e = 0;

	for (int i = 0; i < argc; i++) {
		const char *kw = argv[i], *v;

		if (!strcmp(kw, "dev")) {
			if (arg_once(&seen, 1, kw) || !(v = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
			if (!v[0] || strlen(v) >= IF_NAMESIZE || strchr(v, '/') ||
			    strchr(v, ' '))
				return usage_error("invalid dev \"%s\": not an interface name", v);
			dev = v;
		} else if (add && !strcmp(kw, "port")) {
			if (arg_once(&seen, 2, kw) || !(v = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
			if (parse_u32(v, &port) || !port || port > 65535)
				return usage_error("invalid port \"%s\": not a number 1..65535", v);
		} else if (add && !strcmp(kw, "proto")) {
			if (arg_once(&seen, 4, kw) || !(v = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
			if (!strcmp(v, "udp"))
				proto = IPPROTO_UDP;
			else if (!strcmp(v, "tcp"))
				proto = IPPROTO_TCP;
			else
				return usage_error("invalid proto \"%s\": not udp or tcp", v);
		} else {
			return usage_error("tunnel %s: unknown argument \"%s\"", cmd, kw);
		}
	}
	if (!dev)
		return usage_error("tunnel %s: missing \"dev NAME\"", cmd);
	if ((ret = ovnl_open()))
		return ret;
	m = ovnl_new(add ? OVPNHA_CMD_TUNNEL_NEW : OVPNHA_CMD_TUNNEL_DEL, 0);
	nest = nla_nest_start(m, OVPNHA_A_TUNNEL | NLA_F_NESTED);
	if (!nest)
		e = -1;
	else {
		e |= nla_put_string(m, OVPNHA_A_TUNNEL_IFNAME, dev);
		if (port)
			e |= nla_put_u16(m, OVPNHA_A_TUNNEL_PORT, htons((uint16_t)port));
		if (proto)
			e |= nla_put_u8(m, OVPNHA_A_TUNNEL_PROTO, (uint8_t)proto);
		nla_nest_end(m, nest);
	}
	ret = e ? -EMSGSIZE : ovnl_request(m, NULL, NULL);
	nlmsg_free(m);
	return ret ? ovnl_report(ret) : EXIT_OK;
}

int do_tunnel(int argc, char **argv)
{
	const char *c = argc ? argv[0] : "show";

	if (argc) {
		argc--;
		argv++;
	}
	if (!strcmp(c, "add"))
		return tunnel_change(argc, argv, true);
	if (!strcmp(c, "del") || !strcmp(c, "delete"))
		return tunnel_change(argc, argv, false);
	if (!strcmp(c, "show") || !strcmp(c, "list") || !strcmp(c, "ls"))
		return tunnel_show(argc, argv);
	if (is_help(c)) {
		help_tunnel(stdout);
		return EXIT_OK;
	}
	return usage_error("unknown command \"tunnel %s\"", c);
}

int config_set_enforce(const char *value)
{
	struct nlattr *nest;
	struct nl_msg *m;
	uint8_t on;
	int ret;

	if (!strcmp(value, "on") || !strcmp(value, "1"))
		on = 1;
	else if (!strcmp(value, "off") || !strcmp(value, "0"))
		on = 0;
	else
		return usage_error("invalid enforce \"%s\": not on or off", value);
	if ((ret = ovnl_open()))
		return ret;
	m = ovnl_new(OVPNHA_CMD_CONFIG_SET, 0);
	nest = nla_nest_start(m, OVPNHA_A_INFO | NLA_F_NESTED);
	ret = !nest || nla_put_u8(m, OVPNHA_A_INFO_ENFORCE, on) ? -EMSGSIZE : 0;
	if (nest)
		nla_nest_end(m, nest);
	if (!ret)
		ret = ovnl_request(m, NULL, NULL);
	nlmsg_free(m);
	return ret ? ovnl_report(ret) : EXIT_OK;
}

const char help_tunnel_text[] =
"  tunnel add dev NAME [port PORT] [proto udp|tcp]\n"
"        Declare NAME (need not exist yet) a tunnel device of the OpenVPN\n"
"        server whose transport is local PORT/proto: packets routed into it\n"
"        that no peer's virtual address or iroute covers are counted as\n"
"        drop_no_iroute and logged (at most 16 devices).\n"
"  tunnel del dev NAME\n"
"  tunnel show\n"
"        The tunnel devices, with their ifindex (\"absent\" while the\n"
"        device does not exist).\n";

void help_tunnel(FILE *f)
{
	fputs("Usage:\n", f);
	fputs(help_tunnel_text, f);
}
