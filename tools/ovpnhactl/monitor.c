// SPDX-License-Identifier: GPL-2.0
/*
 * ovpnhactl monitor: print the module's events as they happen, like
 * `ip monitor` / `conntrack -E`: peer, iroute, tunnel, DNS guard and
 * configuration changes (role changes too, by command number, from modules
 * newer than this tool) and the rate-limited drop samples.  One line per
 * event; with -j one JSON object per line.  Runs until interrupted; exits
 * 1 if the socket fails.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/ctrl.h>

#include "addr.h"
#include "diag.h"
#include "json.h"
#include "ovpnhactl.h"
#include "peer.h"
#include "role.h"
#include "util.h"

#define STAT_NAME_LEN	24

static const struct {
	uint8_t cmd;
	const char *plain;
	const char *json;
} events[] = {
	{ OVPNHA_CMD_PEER_NEW,     "peer add",     "peer_new" },
	{ OVPNHA_CMD_PEER_SET,     "peer set",     "peer_set" },
	{ OVPNHA_CMD_PEER_DEL,     "peer del",     "peer_del" },
	{ OVPNHA_CMD_IROUTE_NEW,   "iroute add",   "iroute_new" },
	{ OVPNHA_CMD_IROUTE_DEL,   "iroute del",   "iroute_del" },
	{ OVPNHA_CMD_CONFIG_SET,   "config",       "config" },
	{ OVPNHA_CMD_FLUSH,        "flush",        "flush" },
	{ OVPNHA_CMD_TUNNEL_NEW,   "tunnel add",   "tunnel_new" },
	{ OVPNHA_CMD_TUNNEL_DEL,   "tunnel del",   "tunnel_del" },
	{ OVPNHA_CMD_DROP_SAMPLE,  "drop",         "drop" },
	{ OVPNHA_CMD_DNSGUARD_NEW, "dnsguard add", "dnsguard_new" },
	{ OVPNHA_CMD_DNSGUARD_DEL, "dnsguard del", "dnsguard_del" },
	{ OVPNHA_CMD_ROLE_SET,     "role",         "role" },
	{ OVPNHA_CMD_VIP_NEW,      "vip add",      "vip_new" },
	{ OVPNHA_CMD_VIP_DEL,      "vip del",      "vip_del" },
	{ OVPNHA_CMD_FLOW_NEW,     "flow",         "flow_new" },
	{ OVPNHA_CMD_FLOW_DEL,     "flow del",     "flow_del" },
};

static void put_addr(struct json *j, const char *key, int family,
		     struct nlattr *a)
{
	char buf[ADDR_STRLEN];
	struct addr ad;

	if (!a)
		return;
	addr_from_bytes(&ad, family, nla_data(a));
	if (j)
		json_kv_str(j, key, addr_fmt(&ad, buf));
	else
		printf(" %s %s", key, addr_fmt(&ad, buf));
}

static void put_u64(struct json *j, const char *key, uint64_t v)
{
	if (j)
		json_kv_u64(j, key, v);
	else
		printf(" %s %" PRIu64, key, v);
}

static void put_str(struct json *j, const char *key, const char *v)
{
	if (j) {
		json_kv_str(j, key, v);
	} else {
		printf(" %s ", key);
		fput_plain(stdout, v);
	}
}

static void show_drop(struct json *j, struct nlattr *nest)
{
	struct nlattr *a[OVPNHA_A_DROP_MAX + 1];
	char name[STAT_NAME_LEN];
	int fam;

	if (nla_parse_nested(a, OVPNHA_A_DROP_MAX, nest, NULL) < 0)
		return;
	if (a[OVPNHA_A_DROP_REASON])
		put_str(j, "reason", stats_name(nla_get_u32(a[OVPNHA_A_DROP_REASON]),
						name, sizeof(name)));
	if (a[OVPNHA_A_DROP_KERNEL_REASON_NAME])
		put_str(j, "kernel_reason",
			nla_get_string(a[OVPNHA_A_DROP_KERNEL_REASON_NAME]));
	if (a[OVPNHA_A_DROP_PEER_ID])
		put_u64(j, "peer", nla_get_u32(a[OVPNHA_A_DROP_PEER_ID]));
	fam = a[OVPNHA_A_DROP_SRC_IPV4] ? AF_INET : AF_INET6;
	put_addr(j, "src", fam, a[fam == AF_INET ? OVPNHA_A_DROP_SRC_IPV4 :
				  OVPNHA_A_DROP_SRC_IPV6]);
	put_addr(j, "dst", fam, a[fam == AF_INET ? OVPNHA_A_DROP_DST_IPV4 :
				  OVPNHA_A_DROP_DST_IPV6]);
	if (a[OVPNHA_A_DROP_PROTO]) {
		uint8_t p = nla_get_u8(a[OVPNHA_A_DROP_PROTO]);

		if (p == IPPROTO_UDP || p == IPPROTO_TCP)
			put_str(j, "proto", p == IPPROTO_UDP ? "udp" : "tcp");
		else
			put_u64(j, "proto", p);
	}
	if (a[OVPNHA_A_DROP_SPORT])
		put_u64(j, "sport", ntohs(nla_get_u16(a[OVPNHA_A_DROP_SPORT])));
	if (a[OVPNHA_A_DROP_DPORT])
		put_u64(j, "dport", ntohs(nla_get_u16(a[OVPNHA_A_DROP_DPORT])));
	if (a[OVPNHA_A_DROP_IFINDEX])
		put_u64(j, "ifindex", nla_get_u32(a[OVPNHA_A_DROP_IFINDEX]));
	if (a[OVPNHA_A_DROP_COUNT])
		put_u64(j, "count", nla_get_u32(a[OVPNHA_A_DROP_COUNT]));
}

static void show_iroute(struct json *j, struct nlattr *nest)
{
	struct nlattr *a[OVPNHA_A_IROUTE_MAX + 1];
	char buf[ADDR_STRLEN];
	struct prefix p;

	if (nla_parse_nested(a, OVPNHA_A_IROUTE_MAX, nest, NULL) < 0)
		return;
	memset(&p, 0, sizeof(p));
	if (a[OVPNHA_A_IROUTE_IPV4])
		addr_from_bytes(&p.addr, AF_INET, nla_data(a[OVPNHA_A_IROUTE_IPV4]));
	else if (a[OVPNHA_A_IROUTE_IPV6])
		addr_from_bytes(&p.addr, AF_INET6, nla_data(a[OVPNHA_A_IROUTE_IPV6]));
	else
		return;
	if (a[OVPNHA_A_IROUTE_PREFIXLEN])
		p.len = nla_get_u8(a[OVPNHA_A_IROUTE_PREFIXLEN]);
	put_str(j, "prefix", prefix_fmt(&p, buf));
	if (a[OVPNHA_A_IROUTE_PEER_ID])
		put_u64(j, "peer", nla_get_u32(a[OVPNHA_A_IROUTE_PEER_ID]));
}

static void show_info(struct json *j, struct nlattr *nest)
{
	struct nlattr *a[OVPNHA_A_INFO_MAX + 1];

	if (nla_parse_nested(a, OVPNHA_A_INFO_MAX, nest, NULL) < 0)
		return;
	if (a[OVPNHA_A_INFO_NODE_ID])
		put_u64(j, "node_id", nla_get_u32(a[OVPNHA_A_INFO_NODE_ID]));
	if (a[OVPNHA_A_INFO_ENFORCE])
		put_u64(j, "enforce", nla_get_u8(a[OVPNHA_A_INFO_ENFORCE]));
	if (a[OVPNHA_A_INFO_DNS_GUARD])
		put_u64(j, "dns_guard", nla_get_u8(a[OVPNHA_A_INFO_DNS_GUARD]));
	if (a[OVPNHA_A_INFO_DROP_TRACE])
		put_u64(j, "drop_trace", nla_get_u8(a[OVPNHA_A_INFO_DROP_TRACE]));
}

static void show_tunnel(struct json *j, struct nlattr *nest)
{
	struct nlattr *a[OVPNHA_A_TUNNEL_MAX + 1];

	if (nla_parse_nested(a, OVPNHA_A_TUNNEL_MAX, nest, NULL) < 0)
		return;
	if (a[OVPNHA_A_TUNNEL_IFNAME])
		put_str(j, "dev", nla_get_string(a[OVPNHA_A_TUNNEL_IFNAME]));
	if (a[OVPNHA_A_TUNNEL_IFINDEX])
		put_u64(j, "ifindex", nla_get_u32(a[OVPNHA_A_TUNNEL_IFINDEX]));
}

static void show_dnsguard(struct json *j, struct nlattr *nest)
{
	char buf[ADDR_STRLEN];
	struct prefix p;
	uint64_t hits;

	if (!dnsguard_from_nest(nest, &p, &hits))
		put_str(j, "prefix", prefix_fmt(&p, buf));
}

static void show_role(struct json *j, struct nlattr *nest)
{
	struct role_info r;

	if (role_from_attr(nest, &r))
		return;
	put_str(j, "role", role_name(r.role));
	put_u64(j, "epoch", r.epoch);
	if (r.reason[0])
		put_str(j, "reason", r.reason);
}

static void show_vip_flow(struct json *j, struct nlattr *nest, bool vip)
{
	struct nlattr *a[OVPNHA_A_FLOW_MAX + 1];
	int max = vip ? OVPNHA_A_VIP_MAX : OVPNHA_A_FLOW_MAX;
	char buf[ADDR_STRLEN];
	struct addr ad;

	if (nla_parse_nested(a, max, nest, NULL) < 0)
		return;
	if (vip) {
		for (int t = OVPNHA_A_VIP_IPV4; t <= OVPNHA_A_VIP_IPV6; t++)
			if (a[t] && nla_len(a[t]) == (t == OVPNHA_A_VIP_IPV4 ? 4 : 16)) {
				addr_from_bytes(&ad, t == OVPNHA_A_VIP_IPV4 ? AF_INET : AF_INET6,
						nla_data(a[t]));
				put_str(j, "address", addr_fmt(&ad, buf));
			}
		if (a[OVPNHA_A_VIP_IFNAME])
			put_str(j, "dev", nla_get_string(a[OVPNHA_A_VIP_IFNAME]));
		return;
	}
	if (a[OVPNHA_A_FLOW_PEER_ID])
		put_u64(j, "peer", nla_get_u32(a[OVPNHA_A_FLOW_PEER_ID]));
	if (a[OVPNHA_A_FLOW_ORIG_SRC] && a[OVPNHA_A_FLOW_ORIG_SPORT] &&
	    (nla_len(a[OVPNHA_A_FLOW_ORIG_SRC]) == 4 ||
	     nla_len(a[OVPNHA_A_FLOW_ORIG_SRC]) == 16)) {
		addr_from_bytes(&ad, nla_len(a[OVPNHA_A_FLOW_ORIG_SRC]) == 4 ?
				AF_INET : AF_INET6, nla_data(a[OVPNHA_A_FLOW_ORIG_SRC]));
		put_str(j, "src", endpoint_fmt(&ad,
			ntohs(nla_get_u16(a[OVPNHA_A_FLOW_ORIG_SPORT])), buf));
	}
	if (a[OVPNHA_A_FLOW_TIMEOUT])
		put_u64(j, "timeout", nla_get_u32(a[OVPNHA_A_FLOW_TIMEOUT]));
	if (a[OVPNHA_A_FLOW_INSTALLED])
		put_u64(j, "installed", nla_get_u8(a[OVPNHA_A_FLOW_INSTALLED]));
}

static int monitor_msg(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[OVPNHA_A_MAX + 1];
	const char *plain = NULL, *jname = NULL;
	struct json js, *j = NULL;
	char unknown[32];

	(void)arg;
	if (ovnl_parse(msg, tb))
		return NL_SKIP;
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (events[i].cmd == g->cmd) {
			plain = events[i].plain;
			jname = events[i].json;
		}
	if (!plain) {
		snprintf(unknown, sizeof(unknown), "cmd_%u", g->cmd);
		plain = jname = unknown;
	}
	if (g_opts.json) {
		j = &js;
		json_init(j, stdout, false);
		json_open_object(j);
		json_kv_str(j, "event", jname);
	} else {
		fputs(plain, stdout);
	}
	if (tb[OVPNHA_A_SEQ])
		put_u64(j, "seq", nla_get_u64(tb[OVPNHA_A_SEQ]));
	if (tb[OVPNHA_A_DROP])
		show_drop(j, tb[OVPNHA_A_DROP]);
	if (tb[OVPNHA_A_IROUTE])
		show_iroute(j, tb[OVPNHA_A_IROUTE]);
	if (tb[OVPNHA_A_INFO])
		show_info(j, tb[OVPNHA_A_INFO]);
	if (tb[OVPNHA_A_TUNNEL])
		show_tunnel(j, tb[OVPNHA_A_TUNNEL]);
	if (tb[OVPNHA_A_DNSGUARD])
		show_dnsguard(j, tb[OVPNHA_A_DNSGUARD]);
	if (tb[OVPNHA_A_ROLE])
		show_role(j, tb[OVPNHA_A_ROLE]);
	if (tb[OVPNHA_A_VIP])
		show_vip_flow(j, tb[OVPNHA_A_VIP], true);
	if (tb[OVPNHA_A_FLOW])
		show_vip_flow(j, tb[OVPNHA_A_FLOW], false);
	if (tb[OVPNHA_A_EPOCH])
		put_u64(j, "replicated_epoch", nla_get_u32(tb[OVPNHA_A_EPOCH]));
	if (tb[OVPNHA_A_PEER]) {
		struct peer p;

		if (!peer_from_msg(msg, &p)) {
			if (j) {
				json_key(j, "peer");
				peer_print_json(j, &p, NULL, 0);
			} else {
				putchar(' ');
				peer_print_plain(stdout, &p, NULL, 0);
				fflush(stdout);
				peer_free(&p);
				return NL_OK;	/* the line is complete */
			}
			peer_free(&p);
		}
	}
	if (j) {
		json_close_object(j);
		json_finish(j);
	} else {
		putchar('\n');
	}
	fflush(stdout);
	return NL_OK;
}

int do_monitor(int argc, char **argv)
{
	struct nl_sock *sk;
	int ret, grp;

	if (argc && is_help(argv[0])) {
		help_monitor(stdout);
		return EXIT_OK;
	}
	if (argc)
		return usage_error("monitor: unexpected argument \"%s\"", argv[0]);
	/* Enters the -n namespace and checks that the module is there. */
	if ((ret = ovnl_open()))
		return ret;
	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "Error: cannot open a generic netlink socket\n");
		return EXIT_FAIL;
	}
	grp = genl_ctrl_resolve_grp(sk, OVPNHA_FAMILY_NAME, OVPNHA_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(sk, grp)) {
		fprintf(stderr, "Error: cannot join the \"%s\" group of \"%s\"\n",
			OVPNHA_MCGRP_EVENTS, OVPNHA_FAMILY_NAME);
		nl_socket_free(sk);
		return EXIT_FAIL;
	}
	nl_socket_disable_seq_check(sk);
	nl_socket_set_buffer_size(sk, 8 << 20, 0);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, monitor_msg, NULL);
	for (;;) {
		ret = nl_recvmsgs_default(sk);
		if (ret == -NLE_NOMEM) {	/* receive buffer overrun */
			fprintf(stderr, "ovpnhactl: events lost (receive buffer overrun)\n");
			continue;
		}
		if (ret < 0 && ret != -NLE_INTR && ret != -NLE_AGAIN) {
			fprintf(stderr, "Error: receiving events: %s\n", nl_geterror(ret));
			nl_socket_free(sk);
			return EXIT_FAIL;
		}
	}
}

static const char help_monitor_text[] =
"  monitor\n"
"        Print the module's events as they happen, one per line: peer,\n"
"        iroute, tunnel, DNS guard and configuration changes with their\n"
"        sequence number, and rate-limited drop samples (reason, peer,\n"
"        addresses, ports, the kernel's drop reason and how many drops the\n"
"        sample stands for).  With -j one JSON object per line.  Runs until\n"
"        interrupted.\n";

void help_monitor(FILE *f)
{
	fputs(help_monitor_text, f);
}
