// SPDX-License-Identifier: GPL-2.0
/*
 * ovpnhactl dnsguard add PREFIX | del PREFIX | show
 *
 * Source prefixes whose DNS to resolvers on this host the DNS guard keeps
 * out of conntrack (besides the tunnel peers' own addresses and iroutes).
 * The guard itself is switched with `config set dns-guard on|off`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "diag.h"
#include "json.h"
#include "nl.h"
#include "ovpnhactl.h"

struct dg_entry {
	struct prefix p;
	uint64_t hits;
};

struct dg_list {
	struct dg_entry *v;
	size_t n, cap;
};

int dnsguard_from_nest(struct nlattr *nest, struct prefix *p, uint64_t *hits)
{
	static struct nla_policy pol[OVPNHA_A_DNSGUARD_MAX + 1] = {
		[OVPNHA_A_DNSGUARD_IPV4] = { .minlen = 4, .maxlen = 4 },
		[OVPNHA_A_DNSGUARD_IPV6] = { .minlen = 16, .maxlen = 16 },
		[OVPNHA_A_DNSGUARD_PREFIXLEN] = { .type = NLA_U8 },
		[OVPNHA_A_DNSGUARD_HITS] = { .type = NLA_U64 },
	};
	struct nlattr *a[OVPNHA_A_DNSGUARD_MAX + 1];

	memset(p, 0, sizeof(*p));
	*hits = 0;
	if (nla_parse_nested(a, OVPNHA_A_DNSGUARD_MAX, nest, pol) < 0)
		return -EBADMSG;
	if (a[OVPNHA_A_DNSGUARD_IPV4])
		addr_from_bytes(&p->addr, AF_INET, nla_data(a[OVPNHA_A_DNSGUARD_IPV4]));
	else if (a[OVPNHA_A_DNSGUARD_IPV6])
		addr_from_bytes(&p->addr, AF_INET6, nla_data(a[OVPNHA_A_DNSGUARD_IPV6]));
	else
		return -EBADMSG;
	if (a[OVPNHA_A_DNSGUARD_PREFIXLEN])
		p->len = nla_get_u8(a[OVPNHA_A_DNSGUARD_PREFIXLEN]);
	if (a[OVPNHA_A_DNSGUARD_HITS])
		*hits = nla_get_u64(a[OVPNHA_A_DNSGUARD_HITS]);
	return 0;
}

static int dg_collect(struct nl_msg *msg, void *arg)
{
	struct dg_list *l = arg;
	struct nlattr *tb[OVPNHA_A_MAX + 1];
	struct dg_entry e;

	if (ovnl_parse(msg, tb))
		return -EBADMSG;
	if (!tb[OVPNHA_A_DNSGUARD])
		return 0;
	if (dnsguard_from_nest(tb[OVPNHA_A_DNSGUARD], &e.p, &e.hits))
		return -EBADMSG;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			return -ENOMEM;
	}
	l->v[l->n++] = e;
	return 0;
}

static int dg_show(int argc, char **argv)
{
	struct dg_list l = { 0 };
	char buf[ADDR_STRLEN];
	struct nl_msg *m;
	int ret;

	if (argc)
		return usage_error("dnsguard show: unexpected argument \"%s\"", argv[0]);
	if ((ret = ovnl_open()))
		return ret;
	m = ovnl_new(OVPNHA_CMD_DNSGUARD_GET, NLM_F_DUMP);
	ret = ovnl_request(m, dg_collect, &l);
	nlmsg_free(m);
	if (ret) {
		free(l.v);
		return ovnl_report(ret);
	}
	if (g_opts.json) {
		struct json j;

		json_init(&j, stdout, g_opts.pretty);
		json_open_array(&j);
		for (size_t i = 0; i < l.n; i++) {
			json_open_object(&j);
			json_kv_str(&j, "prefix", prefix_fmt(&l.v[i].p, buf));
			json_kv_u64(&j, "hits", l.v[i].hits);
			json_close_object(&j);
		}
		json_close_array(&j);
		json_finish(&j);
	} else {
		for (size_t i = 0; i < l.n; i++)
			printf("%s hits %" PRIu64 "\n", prefix_fmt(&l.v[i].p, buf),
			       l.v[i].hits);
	}
	free(l.v);
	return EXIT_OK;
}

static int dg_change(uint8_t cmd, const char *name, int argc, char **argv)
{
	struct nlattr *nest;
	struct nl_msg *m;
	struct prefix p;
	const char *why;
	int ret;

	if (!argc)
		return usage_error("dnsguard %s: missing PREFIX", name);
	if (argc > 1)
		return usage_error("dnsguard %s: unexpected argument \"%s\"", name, argv[1]);
	if (prefix_parse(argv[0], &p, &why))
		return usage_error("invalid prefix \"%s\": %s", argv[0], why);
	if ((ret = ovnl_open()))
		return ret;
	m = ovnl_new(cmd, 0);
	nest = nla_nest_start(m, OVPNHA_A_DNSGUARD | NLA_F_NESTED);
	ret = !nest ||
	      nla_put(m, p.addr.family == AF_INET ? OVPNHA_A_DNSGUARD_IPV4 :
		      OVPNHA_A_DNSGUARD_IPV6, (int)addr_len(&p.addr), p.addr.a) ||
	      nla_put_u8(m, OVPNHA_A_DNSGUARD_PREFIXLEN, (uint8_t)p.len) ? -EMSGSIZE : 0;
	if (nest)
		nla_nest_end(m, nest);
	if (!ret)
		ret = ovnl_request(m, NULL, NULL);
	nlmsg_free(m);
	return ret ? ovnl_report(ret) : EXIT_OK;
}

int do_dnsguard(int argc, char **argv)
{
	if (!argc || !strcmp(argv[0], "show") || !strcmp(argv[0], "list"))
		return dg_show(argc ? argc - 1 : 0, argv + 1);
	if (is_help(argv[0])) {
		help_dnsguard(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[0], "add"))
		return dg_change(OVPNHA_CMD_DNSGUARD_NEW, "add", argc - 1, argv + 1);
	if (!strcmp(argv[0], "del") || !strcmp(argv[0], "delete"))
		return dg_change(OVPNHA_CMD_DNSGUARD_DEL, "del", argc - 1, argv + 1);
	return usage_error("unknown command \"dnsguard %s\"", argv[0]);
}

int config_set_diag(const char *key, const char *value)
{
	struct nlattr *nest;
	struct nl_msg *m;
	uint8_t on;
	int attr, ret;

	if (!strcmp(key, "dns-guard"))
		attr = OVPNHA_A_INFO_DNS_GUARD;
	else if (!strcmp(key, "drop-trace"))
		attr = OVPNHA_A_INFO_DROP_TRACE;
	else
		return usage_error("config set: unknown setting \"%s\"", key);
	if (!strcmp(value, "on") || !strcmp(value, "1"))
		on = 1;
	else if (!strcmp(value, "off") || !strcmp(value, "0"))
		on = 0;
	else
		return usage_error("invalid %s \"%s\": not on or off", key, value);
	if ((ret = ovnl_open()))
		return ret;
	m = ovnl_new(OVPNHA_CMD_CONFIG_SET, 0);
	nest = nla_nest_start(m, OVPNHA_A_INFO | NLA_F_NESTED);
	ret = !nest || nla_put_u8(m, attr, on) ? -EMSGSIZE : 0;
	if (nest)
		nla_nest_end(m, nest);
	if (!ret)
		ret = ovnl_request(m, NULL, NULL);
	nlmsg_free(m);
	return ret ? ovnl_report(ret) : EXIT_OK;
}

static const char help_dnsguard_text[] =
"  dnsguard add PREFIX | dnsguard del PREFIX\n"
"        DNS from PREFIX (besides the tunnel peers' addresses and iroutes)\n"
"        to a resolver on this host is kept out of conntrack while the DNS\n"
"        guard is on (at most 64 prefixes).\n"
"  dnsguard show\n"
"        The prefixes, with the DNS packets each kept out of conntrack.\n"
"  config set dns-guard on|off\n"
"        The DNS guard: queries from tunnel peers or guarded prefixes to a\n"
"        local resolver (an address of this host with a UDP socket on port\n"
"        53) and their replies are marked untracked before conntrack (like\n"
"        nft \"notrack\"), which removes the parallel A/AAAA insert race for\n"
"        them.  Their other DNS (forwarded, NATed) stays tracked; the clashes\n"
"        the kernel resolves (clash_resolve) or loses (insert_failed) for it\n"
"        are counted as dns_clash_resolved / dns_clash_lost and attributed\n"
"        to the peer.\n"
"  config set drop-trace on|off\n"
"        Attribute the kernel's drops of peer traffic (by endpoint, virtual\n"
"        address or iroute) per peer and per skb drop reason, from the\n"
"        skb:kfree_skb tracepoint (off by default: it costs on every drop;\n"
"        kernels before 6.0 do not offer it).\n";

void help_dnsguard(FILE *f)
{
	fputs(help_dnsguard_text, f);
}
