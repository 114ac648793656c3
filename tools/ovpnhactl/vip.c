// SPDX-License-Identifier: GPL-2.0
/* ovpnhactl vip and flow (see role.c for role). */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "json.h"
#include "nl.h"
#include "ovpnhactl.h"
#include "role.h"
#include "util.h"

/* ---- the stale VLAN check ---- */

struct vlan_dev {
	char name[IF_NAMESIZE], lower[IF_NAMESIZE];
	unsigned int vid;
};

static size_t read_vlans(const char *path, struct vlan_dev *v, size_t max)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t n = 0;

	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		char name[64], lower[64];
		unsigned int vid;

		if (sscanf(line, "%63s | %u | %63s", name, &vid, lower) != 3 ||
		    strlen(name) >= IF_NAMESIZE || strlen(lower) >= IF_NAMESIZE)
			continue;
		memcpy(v[n].name, name, strlen(name) + 1);	/* fits: checked */
		memcpy(v[n].lower, lower, strlen(lower) + 1);
		v[n++].vid = vid;
	}
	fclose(f);
	return n;
}

/*
 * The slaves of @bond from /proc/net/bonding/BOND ("Slave Interface: X"
 * lines), space separated into @buf.  /proc/net follows the caller's
 * network namespace (ovpnhactl -n enters it), /sys/class/net does not.
 */
static int bond_slaves(const char *proc_bonding, const char *bond, char *buf,
		       size_t len)
{
	char path[512], line[256], name[64];
	size_t used = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", proc_bonding, bond);
	f = fopen(path, "r");
	if (!f)
		return -1;
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		size_t n;

		if (sscanf(line, "Slave Interface: %63s", name) != 1)
			continue;
		n = strlen(name);
		if (used + n + 2 > len)
			break;
		memcpy(buf + used, name, n);
		used += n;
		buf[used++] = ' ';
		buf[used] = '\0';
	}
	fclose(f);
	return 0;
}

int vlan_stale_check(const char *dev, const char *proc_vlan,
		     const char *proc_bonding, FILE *out)
{
	struct vlan_dev v[256];
	size_t n = read_vlans(proc_vlan, v, 256), i, k;
	const struct vlan_dev *me = NULL;
	char slaves[1024], *tok, *save;
	int found = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, dev))
			me = &v[i];
	if (!me || bond_slaves(proc_bonding, me->lower, slaves, sizeof(slaves)))
		return 0;
	for (tok = strtok_r(slaves, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		for (k = 0; k < n; k++) {
			if (v[k].vid != me->vid || strcmp(v[k].lower, tok))
				continue;
			fprintf(out, "ovpnhactl: warning: %s is a VLAN %u device on %s, a slave of bond %s: frames of VLAN %u that arrive through %s go to %s, not %s, so ARP replies for the VIP are lost (remove it: ip link del %s)\n",
				v[k].name, v[k].vid, tok, me->lower, v[k].vid,
				tok, v[k].name, dev, v[k].name);
			found++;
		}
	}
	return found;
}

/* ---- vip ---- */

static struct nla_policy vip_pol[OVPNHA_A_VIP_MAX + 1] = {
	[OVPNHA_A_VIP_IFNAME] = { .type = NLA_STRING },
	[OVPNHA_A_VIP_SENT] = { .type = NLA_U64 },
	[OVPNHA_A_VIP_FAILED] = { .type = NLA_U64 },
};

struct vip_ctx {
	struct json *j;
	unsigned int n;
};

static int show_vip(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[OVPNHA_A_MAX + 1], *a[OVPNHA_A_VIP_MAX + 1];
	struct vip_ctx *c = arg;
	char buf[INET6_ADDRSTRLEN + 8];
	const char *dev = "";
	struct addr ad;
	uint64_t sent = 0, failed = 0;

	if (ovnl_parse(msg, tb))
		return -EBADMSG;
	if (!tb[OVPNHA_A_VIP])
		return 0;
	if (nla_parse_nested(a, OVPNHA_A_VIP_MAX, tb[OVPNHA_A_VIP], vip_pol) < 0)
		return -EBADMSG;
	if (a[OVPNHA_A_VIP_IPV4] && nla_len(a[OVPNHA_A_VIP_IPV4]) == 4)
		addr_from_bytes(&ad, AF_INET, nla_data(a[OVPNHA_A_VIP_IPV4]));
	else if (a[OVPNHA_A_VIP_IPV6] && nla_len(a[OVPNHA_A_VIP_IPV6]) == 16)
		addr_from_bytes(&ad, AF_INET6, nla_data(a[OVPNHA_A_VIP_IPV6]));
	else
		return -EBADMSG;
	if (a[OVPNHA_A_VIP_IFNAME])
		dev = nla_get_string(a[OVPNHA_A_VIP_IFNAME]);
	if (a[OVPNHA_A_VIP_SENT])
		sent = nla_get_u64(a[OVPNHA_A_VIP_SENT]);
	if (a[OVPNHA_A_VIP_FAILED])
		failed = nla_get_u64(a[OVPNHA_A_VIP_FAILED]);
	c->n++;
	if (c->j) {
		json_open_object(c->j);
		json_kv_str(c->j, "address", addr_fmt(&ad, buf));
		json_kv_str(c->j, "dev", dev);
		json_kv_u64(c->j, "sent", sent);
		json_kv_u64(c->j, "failed", failed);
		json_close_object(c->j);
		return 0;
	}
	printf("%s dev ", addr_fmt(&ad, buf));
	fput_plain(stdout, dev);
	printf(" sent %" PRIu64 " failed %" PRIu64 "\n", sent, failed);
	return 0;
}

static int vip_show(int argc, char **argv)
{
	struct vip_ctx c = { 0 };
	struct nl_msg *m;
	struct json j;
	int ret;

	if (argc)
		return usage_error("vip show: unexpected argument \"%s\"", argv[0]);
	if ((ret = ovnl_open()))
		return ret;
	if (g_opts.json) {
		json_init(&j, stdout, g_opts.pretty);
		json_open_array(&j);
		c.j = &j;
	}
	m = ovnl_new(OVPNHA_CMD_VIP_GET, NLM_F_DUMP);
	ret = ovnl_request(m, show_vip, &c);
	nlmsg_free(m);
	if (g_opts.json) {
		json_close_array(&j);
		json_finish(&j);
	}
	return ret ? ovnl_report(ret) : EXIT_OK;
}

static int vip_change(int argc, char **argv, bool add)
{
	const char *dev = NULL;
	struct nlattr *nest;
	struct nl_msg *m;
	struct addr ad;
	int ret, e = 0, i = 0;
	unsigned int seen = 0;

	if (!argc)
		return usage_error("vip %s: missing address", add ? "add" : "del");
	if (addr_parse(argv[0], &ad))
		return usage_error("invalid address \"%s\"", argv[0]);
	for (i = 1; i < argc; i++) {
		const char *kw = argv[i], *v;

		if (add && !strcmp(kw, "dev")) {
			if (arg_once(&seen, 1, kw) || !(v = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
			if (!v[0] || strlen(v) >= IF_NAMESIZE || strchr(v, '/') ||
			    strchr(v, ' '))
				return usage_error("invalid dev \"%s\": not an interface name", v);
			dev = v;
		} else {
			return usage_error("vip %s: unknown argument \"%s\"",
					   add ? "add" : "del", kw);
		}
	}
	if (add && !dev)
		return usage_error("vip add: missing \"dev DEV\"");
	if ((ret = ovnl_open()))
		return ret;
	m = ovnl_new(add ? OVPNHA_CMD_VIP_NEW : OVPNHA_CMD_VIP_DEL, 0);
	nest = nla_nest_start(m, OVPNHA_A_VIP | NLA_F_NESTED);
	if (!nest) {
		e = -1;
	} else {
		e |= nla_put(m, ad.family == AF_INET ? OVPNHA_A_VIP_IPV4 :
			     OVPNHA_A_VIP_IPV6, (int)addr_len(&ad), ad.a);
		if (dev)
			e |= nla_put_string(m, OVPNHA_A_VIP_IFNAME, dev);
		nla_nest_end(m, nest);
	}
	ret = e ? -EMSGSIZE : ovnl_request(m, NULL, NULL);
	nlmsg_free(m);
	if (ret)
		return ovnl_report(ret);
	if (add)
		vlan_stale_check(dev, "/proc/net/vlan/config", "/proc/net/bonding",
				 stderr);
	return EXIT_OK;
}

int do_vip(int argc, char **argv)
{
	const char *c = argc ? argv[0] : "show";

	if (argc) {
		argc--;
		argv++;
	}
	if (!strcmp(c, "add"))
		return vip_change(argc, argv, true);
	if (!strcmp(c, "del") || !strcmp(c, "delete"))
		return vip_change(argc, argv, false);
	if (!strcmp(c, "show") || !strcmp(c, "list") || !strcmp(c, "ls"))
		return vip_show(argc, argv);
	if (is_help(c)) {
		help_vip(stdout);
		return EXIT_OK;
	}
	return usage_error("unknown command \"vip %s\" (add, del, show)", c);
}

const char help_vip_text[] =
"  vip add ADDR dev DEV\n"
"        Announce ADDR (IPv4: gratuitous ARP; IPv6: unsolicited neighbour\n"
"        advertisement) on DEV whenever this node becomes master (at most\n"
"        64).  Warns when DEV is a VLAN on a bond whose slave carries a\n"
"        stale VLAN device of the same id, which swallows ARP replies.\n"
"  vip del ADDR\n"
"  vip show\n"
"        The VIPs with the announcements sent and failed.\n";

void help_vip(FILE *f)
{
	fputs("Usage:\n", f);
	fputs(help_vip_text, f);
}

/* ---- flow ---- */


static struct nla_policy flow_pol[OVPNHA_A_FLOW_MAX + 1] = {
	[OVPNHA_A_FLOW_PEER_ID] = { .type = NLA_U32 },
	[OVPNHA_A_FLOW_PROTO] = { .type = NLA_U8 },
	[OVPNHA_A_FLOW_ORIG_SPORT] = { .type = NLA_U16 },
	[OVPNHA_A_FLOW_ORIG_DPORT] = { .type = NLA_U16 },
	[OVPNHA_A_FLOW_REPLY_SPORT] = { .type = NLA_U16 },
	[OVPNHA_A_FLOW_REPLY_DPORT] = { .type = NLA_U16 },
	[OVPNHA_A_FLOW_TIMEOUT] = { .type = NLA_U32 },
	[OVPNHA_A_FLOW_INSTALLED] = { .type = NLA_U8 },
	[OVPNHA_A_FLOW_ZONE] = { .type = NLA_U16 },
};

static int flow_ep(struct nlattr *a, struct nlattr *p, struct addr *ad,
		   int *port)
{
	if (!a || !p || (nla_len(a) != 4 && nla_len(a) != 16))
		return -EBADMSG;
	addr_from_bytes(ad, nla_len(a) == 4 ? AF_INET : AF_INET6, nla_data(a));
	*port = ntohs(nla_get_u16(p));
	return 0;
}

static int show_flow(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[OVPNHA_A_MAX + 1], *a[OVPNHA_A_FLOW_MAX + 1];
	struct json *j = arg;
	struct addr os, od, rs, rd;
	int osp, odp, rsp, rdp;
	char b1[80], b2[80];
	uint32_t id, timeout;
	bool installed, nat;

	if (ovnl_parse(msg, tb))
		return -EBADMSG;
	if (!tb[OVPNHA_A_FLOW])
		return 0;
	if (nla_parse_nested(a, OVPNHA_A_FLOW_MAX, tb[OVPNHA_A_FLOW], flow_pol) < 0 ||
	    !a[OVPNHA_A_FLOW_PEER_ID] ||
	    flow_ep(a[OVPNHA_A_FLOW_ORIG_SRC], a[OVPNHA_A_FLOW_ORIG_SPORT], &os, &osp) ||
	    flow_ep(a[OVPNHA_A_FLOW_ORIG_DST], a[OVPNHA_A_FLOW_ORIG_DPORT], &od, &odp) ||
	    flow_ep(a[OVPNHA_A_FLOW_REPLY_SRC], a[OVPNHA_A_FLOW_REPLY_SPORT], &rs, &rsp) ||
	    flow_ep(a[OVPNHA_A_FLOW_REPLY_DST], a[OVPNHA_A_FLOW_REPLY_DPORT], &rd, &rdp))
		return -EBADMSG;
	id = nla_get_u32(a[OVPNHA_A_FLOW_PEER_ID]);
	timeout = a[OVPNHA_A_FLOW_TIMEOUT] ? nla_get_u32(a[OVPNHA_A_FLOW_TIMEOUT]) : 0;
	installed = a[OVPNHA_A_FLOW_INSTALLED] && nla_get_u8(a[OVPNHA_A_FLOW_INSTALLED]);
	nat = !addr_eq(&rs, &od) || rsp != odp || !addr_eq(&rd, &os) || rdp != osp;
	if (j) {
		json_open_object(j);
		json_kv_u64(j, "peer", id);
		json_kv_str(j, "proto", "udp");
		json_kv_str(j, "src", endpoint_fmt(&os, osp, b1));
		json_kv_str(j, "dst", endpoint_fmt(&od, odp, b1));
		json_kv_str(j, "reply_src", endpoint_fmt(&rs, rsp, b1));
		json_kv_str(j, "reply_dst", endpoint_fmt(&rd, rdp, b1));
		json_kv_u64(j, "timeout", timeout);
		json_kv_bool(j, "installed", installed);
		json_close_object(j);
		return 0;
	}
	printf("peer %" PRIu32 " udp %s -> %s", id, endpoint_fmt(&os, osp, b1),
	       endpoint_fmt(&od, odp, b2));
	if (nat)
		printf(" reply %s -> %s", endpoint_fmt(&rs, rsp, b1),
		       endpoint_fmt(&rd, rdp, b2));
	printf(" timeout %" PRIu32 "%s\n", timeout, installed ? " installed" : "");
	return 0;
}

static int flow_show(int argc, char **argv)
{
	struct nl_msg *m;
	struct json j;
	int ret;

	if (argc)
		return usage_error("flow show: unexpected argument \"%s\"", argv[0]);
	if ((ret = ovnl_open()))
		return ret;
	if (g_opts.json) {
		json_init(&j, stdout, g_opts.pretty);
		json_open_array(&j);
	}
	m = ovnl_new(OVPNHA_CMD_FLOW_GET, NLM_F_DUMP);
	ret = ovnl_request(m, show_flow, g_opts.json ? &j : NULL);
	nlmsg_free(m);
	if (g_opts.json) {
		json_close_array(&j);
		json_finish(&j);
	}
	return ret ? ovnl_report(ret) : EXIT_OK;
}

static int put_ep(struct nl_msg *m, int at, int pt, const char *s)
{
	const char *why = NULL;
	struct addr ad;
	int port;

	if (endpoint_parse(s, &ad, &port, &why) || port <= 0)
		return usage_error("invalid endpoint \"%s\": %s", s,
				   why ? why : "ADDR:PORT or [ADDR6]:PORT");
	if (nla_put(m, at, (int)addr_len(&ad), ad.a) ||
	    nla_put_u16(m, pt, htons((uint16_t)port)))
		return EXIT_FAIL;
	return 0;
}

/* flow add peer ID src EP dst EP [reply-src EP reply-dst EP] timeout SEC */
static int flow_change(int argc, char **argv, bool add)
{
	static const char *const kws[] = { "peer", "src", "dst", "reply-src",
					   "reply-dst", "timeout" };
	const char *val[6] = { 0 };
	uint32_t id, timeout = 0;
	struct nlattr *nest;
	struct nl_msg *m;
	int ret;

	for (int i = 0; i < argc; i++) {
		size_t k;

		for (k = 0; k < 6; k++)
			if (!strcmp(argv[i], kws[k]) && (add || !k))
				break;
		if (k == 6)
			return usage_error("flow %s: unknown argument \"%s\"",
					   add ? "add" : "del", argv[i]);
		if (val[k])
			return usage_error("\"%s\" given twice", kws[k]);
		if (!(val[k] = arg_value(argc, argv, &i)))
			return EXIT_USAGE;
	}
	if (!val[0] || parse_u32(val[0], &id) || !id)
		return usage_error("flow %s: missing or invalid \"peer ID\"", add ? "add" : "del");
	if (add && (!val[1] || !val[2] || !val[5]))
		return usage_error("flow add: needs src, dst and timeout");
	if (add && (parse_u32(val[5], &timeout) || !timeout || timeout > 86400))
		return usage_error("invalid timeout \"%s\": not seconds 1..86400", val[5]);
	if ((ret = ovnl_open()))
		return ret;
	m = ovnl_new(add ? OVPNHA_CMD_FLOW_NEW : OVPNHA_CMD_FLOW_DEL, 0);
	nest = nla_nest_start(m, OVPNHA_A_FLOW | NLA_F_NESTED);
	ret = !nest || nla_put_u32(m, OVPNHA_A_FLOW_PEER_ID, id) ? EXIT_FAIL : 0;
	if (!ret && add) {
		ret = put_ep(m, OVPNHA_A_FLOW_ORIG_SRC, OVPNHA_A_FLOW_ORIG_SPORT, val[1]);
		if (!ret)
			ret = put_ep(m, OVPNHA_A_FLOW_ORIG_DST, OVPNHA_A_FLOW_ORIG_DPORT, val[2]);
		if (!ret && val[3])
			ret = put_ep(m, OVPNHA_A_FLOW_REPLY_SRC, OVPNHA_A_FLOW_REPLY_SPORT, val[3]);
		if (!ret && val[4])
			ret = put_ep(m, OVPNHA_A_FLOW_REPLY_DST, OVPNHA_A_FLOW_REPLY_DPORT, val[4]);
		if (!ret && nla_put_u32(m, OVPNHA_A_FLOW_TIMEOUT, timeout))
			ret = EXIT_FAIL;
	}
	if (ret) {
		nlmsg_free(m);
		return ret;
	}
	nla_nest_end(m, nest);
	ret = ovnl_request(m, NULL, NULL);
	nlmsg_free(m);
	return ret ? ovnl_report(ret) : EXIT_OK;
}

int do_flow(int argc, char **argv)
{
	const char *c = argc ? argv[0] : "show";

	if (argc) {
		argc--;
		argv++;
	}
	if (!strcmp(c, "show") || !strcmp(c, "list") || !strcmp(c, "ls"))
		return flow_show(argc, argv);
	if (!strcmp(c, "add"))
		return flow_change(argc, argv, true);
	if (!strcmp(c, "del") || !strcmp(c, "delete"))
		return flow_change(argc, argv, false);
	if (is_help(c)) {
		help_flow(stdout);
		return EXIT_OK;
	}
	return usage_error("unknown command \"flow %s\" (show, add, del)", c);
}

const char help_flow_text[] =
"  flow show\n"
"        The peers' UDP transport flows: learned from conntrack on the\n"
"        master, replicated with their remaining lifetime, and on a backup\n"
"        \"installed\" in its conntrack table, so a takeover needs no commit.\n"
"  flow add peer ID src ADDR:PORT dst ADDR:PORT [reply-src ADDR:PORT]\n"
"           [reply-dst ADDR:PORT] timeout SEC\n"
"        Install a flow by hand (what the sync daemon does on a backup).\n"
"  flow del peer ID\n";

void help_flow(FILE *f)
{
	fputs("Usage:\n", f);
	fputs(help_flow_text, f);
}
