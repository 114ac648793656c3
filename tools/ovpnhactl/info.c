// SPDX-License-Identifier: GPL-2.0
/* ovpnhactl info; ovpnhactl config set node-id N */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "diag.h"
#include "info.h"
#include "json.h"
#include "nl.h"
#include "ovpnhactl.h"
#include "util.h"

static struct nla_policy info_pol[OVPNHA_A_INFO_MAX + 1] = {
	[OVPNHA_A_INFO_VERSION] = { .type = NLA_STRING },
	[OVPNHA_A_INFO_NODE_ID] = { .type = NLA_U32 },
	[OVPNHA_A_INFO_PEERS] = { .type = NLA_U32 },
	[OVPNHA_A_INFO_IROUTES] = { .type = NLA_U32 },
	[OVPNHA_A_INFO_MAX_PEERS] = { .type = NLA_U32 },
	[OVPNHA_A_INFO_MAX_IROUTES] = { .type = NLA_U32 },
	[OVPNHA_A_INFO_SEQ] = { .type = NLA_U64 },
	[OVPNHA_A_INFO_OBJ_PEERS_ALLOC] = { .type = NLA_U64 },
	[OVPNHA_A_INFO_OBJ_PEERS_FREE] = { .type = NLA_U64 },
	[OVPNHA_A_INFO_OBJ_NODES_ALLOC] = { .type = NLA_U64 },
	[OVPNHA_A_INFO_OBJ_NODES_FREE] = { .type = NLA_U64 },
	[OVPNHA_A_INFO_OBJ_NETNS_INIT] = { .type = NLA_U64 },
	[OVPNHA_A_INFO_OBJ_NETNS_EXIT] = { .type = NLA_U64 },
	[OVPNHA_A_INFO_ENFORCE] = { .type = NLA_U8 },
	[OVPNHA_A_INFO_DNS_GUARD] = { .type = NLA_U8 },
	[OVPNHA_A_INFO_DROP_TRACE] = { .type = NLA_U8 },
	[OVPNHA_A_INFO_DROP_TRACE_AVAIL] = { .type = NLA_U8 },
};

/*
 * Output order; plain output starts a new line at each .line.  Switches
 * (u8 0/1) print as on/off and JSON booleans.
 */
static const struct info_field {
	int attr;
	const char *json;
	const char *plain;
	bool line;
} fields[] = {
	{ OVPNHA_A_INFO_VERSION,         "version",         "version",     true },
	{ OVPNHA_A_INFO_NODE_ID,         "node_id",         "node-id",     false },
	{ OVPNHA_A_INFO_PEERS,           "peers",           "peers",       true },
	{ OVPNHA_A_INFO_MAX_PEERS,       "max_peers",       "max-peers",   false },
	{ OVPNHA_A_INFO_IROUTES,         "iroutes",         "iroutes",     false },
	{ OVPNHA_A_INFO_MAX_IROUTES,     "max_iroutes",     "max-iroutes", false },
	{ OVPNHA_A_INFO_SEQ,             "seq",             "seq",         true },
	{ OVPNHA_A_INFO_OBJ_PEERS_ALLOC, "obj_peers_alloc", "objects peers-alloc", true },
	{ OVPNHA_A_INFO_OBJ_PEERS_FREE,  "obj_peers_free",  "peers-free",  false },
	{ OVPNHA_A_INFO_OBJ_NODES_ALLOC, "obj_nodes_alloc", "nodes-alloc", false },
	{ OVPNHA_A_INFO_OBJ_NODES_FREE,  "obj_nodes_free",  "nodes-free",  false },
	{ OVPNHA_A_INFO_OBJ_NETNS_INIT,  "obj_netns_init",  "netns-init",  false },
	{ OVPNHA_A_INFO_OBJ_NETNS_EXIT,  "obj_netns_exit",  "netns-exit",  false },
	{ OVPNHA_A_INFO_ENFORCE,         "enforce",         "enforce",     true },
	{ OVPNHA_A_INFO_DNS_GUARD,       "dns_guard",       "dns-guard",   false },
	{ OVPNHA_A_INFO_DROP_TRACE,      "drop_trace",      "drop-trace",  false },
	{ OVPNHA_A_INFO_DROP_TRACE_AVAIL, "drop_trace_avail", "drop-trace-avail", false },
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))


static int info_reply(struct nl_msg *msg, void *arg)
{
	struct info *in = arg;
	struct nlattr *tb[OVPNHA_A_MAX + 1], *a[OVPNHA_A_INFO_MAX + 1];

	if (ovnl_parse(msg, tb))
		return -EBADMSG;
	if (!tb[OVPNHA_A_INFO])
		return 0;
	if (nla_parse_nested(a, OVPNHA_A_INFO_MAX, tb[OVPNHA_A_INFO], info_pol) < 0)
		return -EBADMSG;
	for (size_t k = 0; k < NFIELDS; k++) {
		int i = fields[k].attr;

		if (!a[i])
			continue;
		in->present |= 1u << i;
		if (i == OVPNHA_A_INFO_VERSION)
			snprintf(in->version, sizeof(in->version), "%s", nla_get_string(a[i]));
		else if (info_pol[i].type == NLA_U64)
			in->val[i] = nla_get_u64(a[i]);
		else if (info_pol[i].type == NLA_U8)
			in->val[i] = nla_get_u8(a[i]);
		else
			in->val[i] = nla_get_u32(a[i]);
	}
	return 0;
}

int info_get(struct info *in)
{
	struct nl_msg *m = ovnl_new(OVPNHA_CMD_INFO_GET, 0);
	int ret;

	memset(in, 0, sizeof(*in));
	ret = ovnl_request(m, info_reply, in);
	nlmsg_free(m);
	if (!ret && !in->present)
		ret = -EBADMSG;
	return ret;
}

int do_info(int argc, char **argv)
{
	struct info in;
	struct json j;
	int ret, col = 0;

	if (argc && (!strcmp(argv[0], "show") || !strcmp(argv[0], "list"))) {
		argc--;
		argv++;
	}
	if (argc)
		return usage_error("info: unexpected argument \"%s\"", argv[0]);
	if ((ret = ovnl_open()))
		return ret;
	if ((ret = info_get(&in)))
		return ovnl_report(ret);
	if (g_opts.json) {
		json_init(&j, stdout, g_opts.pretty);
		json_open_array(&j);
		json_open_object(&j);
	}
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct info_field *f = &fields[i];

		if (!(in.present & (1u << f->attr)))
			continue;
		if (g_opts.json) {
			if (f->attr == OVPNHA_A_INFO_VERSION)
				json_kv_str(&j, f->json, in.version);
			else if (info_pol[f->attr].type == NLA_U8)
				json_kv_bool(&j, f->json, in.val[f->attr]);
			else
				json_kv_u64(&j, f->json, in.val[f->attr]);
			continue;
		}
		if (col && f->line)
			putchar('\n');
		else if (col)
			putchar(' ');
		col = 1;
		printf("%s ", f->plain);
		if (f->attr == OVPNHA_A_INFO_VERSION)
			fput_plain(stdout, in.version);
		else if (info_pol[f->attr].type == NLA_U8)
			fputs(in.val[f->attr] ? "on" : "off", stdout);
		else
			printf("%" PRIu64, in.val[f->attr]);
	}
	if (g_opts.json) {
		json_close_object(&j);
		json_close_array(&j);
		json_finish(&j);
	} else if (col) {
		putchar('\n');
	}
	return EXIT_OK;
}

int do_config(int argc, char **argv)
{
	struct nl_msg *m;
	struct nlattr *nest;
	uint32_t id;
	int ret;

	if (!argc)
		return usage_error("config: missing command (set)");
	if (is_help(argv[0])) {
		help_config(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[0], "set"))
		return usage_error("unknown command \"config %s\"", argv[0]);
	if (argc < 2)
		return usage_error("config set: missing setting (node-id)");
	if (!strcmp(argv[1], "dns-guard") || !strcmp(argv[1], "drop-trace")) {
		if (argc < 3)
			return usage_error("missing value after \"%s\"", argv[1]);
		if (argc > 3)
			return usage_error("config set: unexpected argument \"%s\"", argv[3]);
		return config_set_diag(argv[1], argv[2]);
	}
	if (!strcmp(argv[1], "enforce")) {
		if (argc < 3)
			return usage_error("missing value after \"enforce\"");
		if (argc > 3)
			return usage_error("config set: unexpected argument \"%s\"", argv[3]);
		return config_set_enforce(argv[2]);
	}
	if (strcmp(argv[1], "node-id"))
		return usage_error("config set: unknown setting \"%s\"", argv[1]);
	if (argc < 3)
		return usage_error("missing value after \"node-id\"");
	if (argc > 3)
		return usage_error("config set: unexpected argument \"%s\"", argv[3]);
	if (parse_u32(argv[2], &id))
		return usage_error("invalid node-id \"%s\": not a number", argv[2]);
	if ((ret = ovnl_open()))
		return ret;
	m = ovnl_new(OVPNHA_CMD_CONFIG_SET, 0);
	nest = nla_nest_start(m, OVPNHA_A_INFO | NLA_F_NESTED);
	ret = !nest || nla_put_u32(m, OVPNHA_A_INFO_NODE_ID, id) ? -EMSGSIZE : 0;
	if (nest)
		nla_nest_end(m, nest);
	if (!ret)
		ret = ovnl_request(m, NULL, NULL);
	nlmsg_free(m);
	return ret ? ovnl_report(ret) : EXIT_OK;
}
