// SPDX-License-Identifier: GPL-2.0
/*
 * ovpnhactl role, vip and flow: the failover side of the module.
 *
 *   role [show] | role master|backup|fault [epoch N] | role set ...
 *   vip add ADDR dev DEV | vip del ADDR | vip show
 *   flow show | flow add ... | flow del peer ID
 */
#include <dirent.h>
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

static const char *const role_names[] = {
	[OVPNHA_ROLE_NONE] = "none", [OVPNHA_ROLE_MASTER] = "master",
	[OVPNHA_ROLE_BACKUP] = "backup", [OVPNHA_ROLE_FAULT] = "fault",
};

const char *role_name(unsigned int role)
{
	return role <= OVPNHA_ROLE_MAX ? role_names[role] : "unknown";
}

static struct nla_policy role_pol[OVPNHA_A_ROLE_MAX + 1] = {
	[OVPNHA_A_ROLE_ROLE] = { .type = NLA_U8 },
	[OVPNHA_A_ROLE_EPOCH] = { .type = NLA_U32 },
	[OVPNHA_A_ROLE_SINCE] = { .type = NLA_U64 },
	[OVPNHA_A_ROLE_TAKEOVER] = { .type = NLA_U64 },
	[OVPNHA_A_ROLE_GARP_COUNT] = { .type = NLA_U32 },
	[OVPNHA_A_ROLE_GARP_INTERVAL] = { .type = NLA_U32 },
	[OVPNHA_A_ROLE_GARP_REFRESH] = { .type = NLA_U32 },
	[OVPNHA_A_ROLE_ANNOUNCE_IFNAME] = { .type = NLA_STRING },
	[OVPNHA_A_ROLE_STEPDOWNS] = { .type = NLA_U32 },
	[OVPNHA_A_ROLE_REASON] = { .type = NLA_STRING },
	[OVPNHA_A_ROLE_PEERS] = { .type = NLA_U32 },
	[OVPNHA_A_ROLE_RETURNED] = { .type = NLA_U32 },
	[OVPNHA_A_ROLE_LAST_RETURN] = { .type = NLA_U64 },
	[OVPNHA_A_ROLE_FIRST_GARP] = { .type = NLA_U64 },
	[OVPNHA_A_ROLE_WANTED] = { .type = NLA_U8 },
};

#define RGET(a, t, f, d)	((a)[t] ? f((a)[t]) : (d))

int role_from_attr(struct nlattr *nest, struct role_info *r)
{
	struct nlattr *a[OVPNHA_A_ROLE_MAX + 1];

	memset(r, 0, sizeof(*r));
	if (nla_parse_nested(a, OVPNHA_A_ROLE_MAX, nest, role_pol) < 0 ||
	    !a[OVPNHA_A_ROLE_ROLE])
		return -EBADMSG;
	r->role = nla_get_u8(a[OVPNHA_A_ROLE_ROLE]);
	r->wanted = RGET(a, OVPNHA_A_ROLE_WANTED, nla_get_u8, r->role);
	r->epoch = RGET(a, OVPNHA_A_ROLE_EPOCH, nla_get_u32, 0);
	r->since = RGET(a, OVPNHA_A_ROLE_SINCE, nla_get_u64, 0);
	r->takeover = RGET(a, OVPNHA_A_ROLE_TAKEOVER, nla_get_u64, 0);
	r->garp_count = RGET(a, OVPNHA_A_ROLE_GARP_COUNT, nla_get_u32, 0);
	r->garp_interval = RGET(a, OVPNHA_A_ROLE_GARP_INTERVAL, nla_get_u32, 0);
	r->garp_refresh = RGET(a, OVPNHA_A_ROLE_GARP_REFRESH, nla_get_u32, 0);
	r->stepdowns = RGET(a, OVPNHA_A_ROLE_STEPDOWNS, nla_get_u32, 0);
	r->peers = RGET(a, OVPNHA_A_ROLE_PEERS, nla_get_u32, 0);
	r->returned = RGET(a, OVPNHA_A_ROLE_RETURNED, nla_get_u32, 0);
	r->last_return = RGET(a, OVPNHA_A_ROLE_LAST_RETURN, nla_get_u64, 0);
	r->first_garp = RGET(a, OVPNHA_A_ROLE_FIRST_GARP, nla_get_u64, 0);
	if (a[OVPNHA_A_ROLE_ANNOUNCE_IFNAME])
		snprintf(r->announce, sizeof(r->announce), "%s",
			 nla_get_string(a[OVPNHA_A_ROLE_ANNOUNCE_IFNAME]));
	if (a[OVPNHA_A_ROLE_REASON])
		snprintf(r->reason, sizeof(r->reason), "%s",
			 nla_get_string(a[OVPNHA_A_ROLE_REASON]));
	return 0;
}

static int got_role(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[OVPNHA_A_MAX + 1];

	if (ovnl_parse(msg, tb))
		return -EBADMSG;
	if (!tb[OVPNHA_A_ROLE])
		return 0;
	return role_from_attr(tb[OVPNHA_A_ROLE], arg);
}

int role_get(struct role_info *r)
{
	struct nl_msg *m = ovnl_new(OVPNHA_CMD_ROLE_GET, 0);
	int ret;

	memset(r, 0, sizeof(*r));
	r->role = 255;
	ret = ovnl_request(m, got_role, r);
	nlmsg_free(m);
	if (!ret && r->role == 255)
		ret = -EBADMSG;
	return ret;
}

static void secs(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64 " s", ns / 1000000000,
		ns / 1000000 % 1000);
}

static int role_show(void)
{
	struct role_info r;
	char t[64];
	struct json j;
	int ret;

	if ((ret = ovnl_open()))
		return ret;
	if ((ret = role_get(&r)))
		return ovnl_report(ret);
	if (g_opts.json) {
		json_init(&j, stdout, g_opts.pretty);
		json_open_object(&j);
		json_kv_str(&j, "role", role_name(r.role));
		json_kv_str(&j, "wanted", role_name(r.wanted));
		json_kv_u64(&j, "epoch", r.epoch);
		json_kv_u64(&j, "since_ns", r.since);
		json_kv_str(&j, "reason", r.reason);
		json_kv_u64(&j, "takeover_ns", r.takeover);
		json_kv_u64(&j, "first_garp_ns", r.first_garp);
		json_kv_u64(&j, "garp_count", r.garp_count);
		json_kv_u64(&j, "garp_interval_ms", r.garp_interval);
		json_kv_u64(&j, "garp_refresh_s", r.garp_refresh);
		json_kv_str(&j, "announce", r.announce);
		json_kv_u64(&j, "stepdowns", r.stepdowns);
		json_kv_u64(&j, "peers", r.peers);
		json_kv_u64(&j, "returned", r.returned);
		json_kv_u64(&j, "last_return_ns", r.last_return);
		json_close_object(&j);
		json_finish(&j);
		return EXIT_OK;
	}
	printf("role %s epoch %" PRIu32, role_name(r.role), r.epoch);
	if (r.since)
		printf(" since %s", fmt_rfc3339(r.since, t, sizeof(t)));
	fputs(" (", stdout);
	fput_plain(stdout, r.reason);
	fputs(")\n", stdout);
	printf("garp count %" PRIu32 " interval %" PRIu32 " ms refresh ",
	       r.garp_count, r.garp_interval);
	if (r.garp_refresh)
		printf("%" PRIu32 " s", r.garp_refresh);
	else
		fputs("off", stdout);
	printf(" announce %s\n", r.announce[0] ? r.announce : "off");
	if (r.takeover) {
		printf("takeover %s", fmt_rfc3339(r.takeover, t, sizeof(t)));
		if (r.first_garp)
			printf(", first GARP/NA %.3f ms later",
			       (double)r.first_garp / 1e6);
		putchar('\n');
		printf("%" PRIu32 " of %" PRIu32 " peers back", r.returned,
		       r.peers);
		if (r.returned) {
			fputs(" after ", stdout);
			secs(stdout, r.last_return);
		}
		putchar('\n');
	}
	if (r.stepdowns)
		printf("stepped down %" PRIu32 " times for a higher epoch\n",
		       r.stepdowns);
	if (r.wanted != r.role)
		printf("the cluster manager set %s: the sync daemon takes it back once no other node is master\n",
		       role_name(r.wanted));
	return EXIT_OK;
}

/* role master|backup|fault [epoch N]; role set KEY VALUE... */
static int role_change(int argc, char **argv, int role)
{
	uint32_t count = 0, interval = 0, refresh = 0, epoch = 0;
	bool has_refresh = false;
	const char *announce = NULL;
	unsigned int seen = 0;
	struct nlattr *nest;
	struct nl_msg *m;
	int ret, e = 0;

	for (int i = 0; i < argc; i++) {
		const char *kw = argv[i], *v;

		if (!strcmp(kw, "epoch")) {
			if (arg_once(&seen, 1, kw) || !(v = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
			if (parse_u32(v, &epoch) || !epoch)
				return usage_error("invalid epoch \"%s\": not a number 1..4294967295", v);
		} else if (role < 0 && !strcmp(kw, "garp-count")) {
			if (arg_once(&seen, 2, kw) || !(v = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
			if (parse_u32(v, &count) || !count || count > 100)
				return usage_error("invalid garp-count \"%s\": not a number 1..100", v);
		} else if (role < 0 && !strcmp(kw, "garp-interval")) {
			if (arg_once(&seen, 4, kw) || !(v = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
			if (parse_u32(v, &interval) || interval < 10 || interval > 60000)
				return usage_error("invalid garp-interval \"%s\": not a number of ms 10..60000", v);
		} else if (role < 0 && !strcmp(kw, "garp-refresh")) {
			if (arg_once(&seen, 8, kw) || !(v = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
			if (!strcmp(v, "off"))
				refresh = 0;
			else if (parse_u32(v, &refresh) || refresh > 86400)
				return usage_error("invalid garp-refresh \"%s\": not off or seconds 0..86400", v);
			has_refresh = true;
		} else if (role < 0 && !strcmp(kw, "announce")) {
			if (arg_once(&seen, 16, kw) || !(v = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
			if (!strcmp(v, "off"))
				v = "";
			else if (strlen(v) >= IF_NAMESIZE || strchr(v, '/') || strchr(v, ' '))
				return usage_error("invalid announce \"%s\": not an interface name or off", v);
			announce = v;
		} else {
			return usage_error("role: unknown argument \"%s\"", kw);
		}
	}
	if (role < 0 && !seen)
		return usage_error("role set: nothing to set (garp-count, garp-interval, garp-refresh, announce, epoch)");
	if ((ret = ovnl_open()))
		return ret;
	m = ovnl_new(OVPNHA_CMD_ROLE_SET, 0);
	nest = nla_nest_start(m, OVPNHA_A_ROLE | NLA_F_NESTED);
	if (!nest) {
		e = -1;
	} else {
		if (role >= 0)
			e |= nla_put_u8(m, OVPNHA_A_ROLE_ROLE, (uint8_t)role);
		if (epoch)
			e |= nla_put_u32(m, OVPNHA_A_ROLE_EPOCH, epoch);
		if (count)
			e |= nla_put_u32(m, OVPNHA_A_ROLE_GARP_COUNT, count);
		if (interval)
			e |= nla_put_u32(m, OVPNHA_A_ROLE_GARP_INTERVAL, interval);
		if (has_refresh)
			e |= nla_put_u32(m, OVPNHA_A_ROLE_GARP_REFRESH, refresh);
		if (announce)
			e |= nla_put_string(m, OVPNHA_A_ROLE_ANNOUNCE_IFNAME, announce);
		nla_nest_end(m, nest);
	}
	ret = e ? -EMSGSIZE : ovnl_request(m, NULL, NULL);
	nlmsg_free(m);
	return ret ? ovnl_report(ret) : EXIT_OK;
}

int do_role(int argc, char **argv)
{
	const char *c = argc ? argv[0] : "show";

	if (argc) {
		argc--;
		argv++;
	}
	if (!strcmp(c, "show")) {
		if (argc)
			return usage_error("role show: unexpected argument \"%s\"", argv[0]);
		return role_show();
	}
	for (int r = OVPNHA_ROLE_MASTER; r <= OVPNHA_ROLE_MAX; r++)
		if (!strcmp(c, role_names[r]))
			return role_change(argc, argv, r);
	if (!strcmp(c, "set"))
		return role_change(argc, argv, -1);
	if (is_help(c)) {
		help_role(stdout);
		return EXIT_OK;
	}
	return usage_error("unknown command \"role %s\" (show, master, backup, fault, set)", c);
}

const char help_role_text[] =
"  role [show]\n"
"        This node's role, cluster epoch, why the role last changed, the\n"
"        GARP schedule and, after a takeover, \"N of M peers back after\n"
"        T s\": peers are back once this node's OpenVPN reported them.\n"
"  role master|backup|fault [epoch N]\n"
"        Set the role (the keepalived notify script calls this).  Becoming\n"
"        master raises the epoch above every epoch seen (and to at least\n"
"        N), announces the VIPs at once and refuses replicated writes from\n"
"        lower epochs.  A master that sees a higher epoch steps down; the\n"
"        role set here stays \"wanted\", and the sync daemon takes the\n"
"        master role back once no other node is master (split brain).\n"
"  role set [garp-count N] [garp-interval MS] [garp-refresh SEC|off]\n"
"           [announce DEV|off] [epoch N]\n"
"        GARP/NA rounds on becoming master (default 3, 200 ms apart), one\n"
"        more every SEC while master, and whether every peer's virtual\n"
"        address is announced on DEV too.  \"epoch N\" alone records an\n"
"        epoch seen elsewhere.\n";

void help_role(FILE *f)
{
	fputs("Usage:\n", f);
	fputs(help_role_text, f);
}
