// SPDX-License-Identifier: GPL-2.0
/* ovpnhactl stats */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctstat.h"
#include "diag.h"
#include "info.h"
#include "json.h"
#include "nl.h"
#include "ovpnhactl.h"
#include "stats.h"
#include "sync_conf.h"
#include "util.h"

/* enum ovpnha_stat, in order. */
static const char *const stat_names[] = {
	"peer_new", "peer_del", "iroute_new", "iroute_del", "limit",
	"conflict", "nomem", "lookup", "lookup_miss", "drop_no_iroute",
	"drop_wrong_role", "drop_epoch", "drop_repl", "garp_fail",
	"dns_clash_resolved", "dns_clash_lost", "ct_insert_failed",
	"dns_guarded", "dns_checked", "kdrop_peer",
	"role_change", "stepdown", "garp_sent", "na_sent", "flow_learned",
	"flow_installed", "flow_existed", "flow_removed",
};
_Static_assert(sizeof(stat_names) / sizeof(stat_names[0]) == __OVPNHA_STAT_MAX,
	       "stat_names must follow enum ovpnha_stat");

/* Attribute types above this (from a far newer module) are ignored. */
#define STATS_MAX	256
#define STAT_NAME_LEN	16

const char *stats_ct_path = CTSTAT_PATH;
const char *stats_sync_socket;	/* NULL: the default configuration's */

const char *stats_name(unsigned int idx, char *buf, size_t len)
{
	if (idx < __OVPNHA_STAT_MAX)
		return stat_names[idx];
	snprintf(buf, len, "stat_%u", idx);
	return buf;
}

struct ovpnha_stats {
	int max;			/* highest index seen + 1 */
	bool have[STATS_MAX];
	uint64_t val[STATS_MAX];
};

static int stats_reply(struct nl_msg *msg, void *arg)
{
	struct ovpnha_stats *s = arg;
	struct nlattr *tb[OVPNHA_A_MAX + 1], *a;
	int rem;

	if (ovnl_parse(msg, tb))
		return -EBADMSG;
	if (!tb[OVPNHA_A_STATS])
		return 0;
	nla_for_each_nested(a, tb[OVPNHA_A_STATS], rem) {
		int type = nla_type(a);

		/* type = index + 1; zero-length padding is skipped */
		if (type < 1 || type > STATS_MAX)
			continue;
		if (nla_len(a) == 8)
			s->val[type - 1] = nla_get_u64(a);
		else if (nla_len(a) == 4)
			s->val[type - 1] = nla_get_u32(a);
		else
			continue;
		s->have[type - 1] = true;
		if (type > s->max)
			s->max = type;
	}
	return 0;
}

static int width(uint64_t v)
{
	int w = 1;

	while (v >= 10) {
		v /= 10;
		w++;
	}
	return w;
}

/* Column widths: name, value, rate ("123/s"; 0 without rates). */
static void measure(const struct counter *c, int n, const char *title,
		    bool rates, int *nw, int *vw, int *rw)
{
	*nw = 0;
	*vw = 1;
	*rw = 0;
	for (int i = 0; i < n; i++) {
		if ((int)strlen(c[i].name) > *nw)
			*nw = (int)strlen(c[i].name);
		if (width(c[i].val) > *vw)
			*vw = width(c[i].val);
		if (rates && !c[i].gauge && width(c[i].rate) + 2 > *rw)
			*rw = width(c[i].rate) + 2;
	}
	if ((int)strlen(title) > *nw + 1 + *vw + (*rw ? *rw + 1 : 0))
		*nw = (int)strlen(title) - 1 - *vw - (*rw ? *rw + 1 : 0);
}

static size_t print_cell(char *buf, size_t len, const struct counter *c,
			 int nw, int vw, int rw)
{
	char rate[32] = "";
	int n;

	if (rw && !c->gauge)
		snprintf(rate, sizeof(rate), "%" PRIu64 "/s", c->rate);
	if (rw)
		n = snprintf(buf, len, "%-*s %*" PRIu64 " %*s", nw, c->name, vw,
			     c->val, rw, rate);
	else
		n = snprintf(buf, len, "%-*s %*" PRIu64, nw, c->name, vw, c->val);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

void stats_print_columns(FILE *f, const char *ltitle, const struct counter *l,
			 int nl, const char *rtitle, const struct counter *r,
			 int nr, bool rates)
{
	int lnw, lvw, lrw, rnw, rvw, rrw, rows = nl > nr ? nl : nr;
	int lwidth;
	char line[512];

	measure(l, nl, ltitle, rates, &lnw, &lvw, &lrw);
	measure(r, nr, rtitle, rates, &rnw, &rvw, &rrw);
	lwidth = lnw + 1 + lvw + (lrw ? lrw + 1 : 0);
	fprintf(f, "%-*s    %s\n", lwidth, ltitle, rtitle);
	for (int i = 0; i < rows; i++) {
		size_t n = 0;

		if (i < nl)
			n = print_cell(line, sizeof(line), &l[i], lnw, lvw, lrw);
		else
			n = (size_t)snprintf(line, sizeof(line), "%*s", lwidth, "");
		if (i < nr) {
			n += (size_t)snprintf(line + n, sizeof(line) - n, "    ");
			n += print_cell(line + n, sizeof(line) - n, &r[i], rnw, rvw, rrw);
		}
		while (n && line[n - 1] == ' ')		/* no trailing blanks */
			n--;
		fprintf(f, "%.*s\n", (int)n, line);
	}
}

static void json_counters(struct json *j, const char *key,
			  const struct counter *c, int n, bool rates)
{
	json_key(j, key);
	json_open_object(j);
	for (int i = 0; i < n; i++)
		if (!rates || !c[i].gauge)
			json_kv_u64(j, c[i].name, rates ? c[i].rate : c[i].val);
	json_close_object(j);
}

/* Everything `stats` shows, read at one moment. */
struct snapshot {
	struct timespec when;
	int nl, nr;
	int ctret;			/* 0, or why nf_conntrack is absent */
	bool kdrop_na;			/* kernel has no skb drop reasons */
	bool kdrop_off;			/* drop-trace is off */
	struct counter l[STATS_MAX + 2];
	struct counter r[CTSTAT_MAX_COLS];
	char names[STATS_MAX][STAT_NAME_LEN];
	struct ctstat ct;		/* r[].name point into it */
};

static int snapshot_take(struct snapshot *sn)
{
	struct ovpnha_stats s = { 0 };
	struct info in;
	struct nl_msg *m;
	int ret;

	sn->nl = sn->nr = 0;
	if ((ret = info_get(&in)))
		return ovnl_report(ret);
	m = ovnl_new(OVPNHA_CMD_STATS_GET, 0);
	ret = ovnl_request(m, stats_reply, &s);
	nlmsg_free(m);
	if (ret)
		return ovnl_report(ret);
	clock_gettime(CLOCK_MONOTONIC, &sn->when);

	/* The two gauges first, as in /proc/net/stat/ovpnha. */
	sn->l[sn->nl++] = (struct counter){ "peers", in.val[OVPNHA_A_INFO_PEERS], true, 0 };
	sn->l[sn->nl++] = (struct counter){ "iroutes", in.val[OVPNHA_A_INFO_IROUTES], true, 0 };
	/* Where the kernel cannot attribute its drops, say so, not 0. */
	sn->kdrop_na = (in.present & (1u << OVPNHA_A_INFO_DROP_TRACE_AVAIL)) &&
		       !in.val[OVPNHA_A_INFO_DROP_TRACE_AVAIL];
	sn->kdrop_off = !in.val[OVPNHA_A_INFO_DROP_TRACE];
	for (int i = 0; i < s.max; i++)
		if (i == OVPNHA_STAT_KDROP_PEER && sn->kdrop_na)
			continue;
		else if (s.have[i] || i < __OVPNHA_STAT_MAX)
			sn->l[sn->nl++] = (struct counter){
				stats_name((unsigned int)i, sn->names[i], STAT_NAME_LEN),
				s.val[i], false, 0 };

	/* After ovnl_open(): /proc/net follows the -n namespace. */
	sn->ctret = ctstat_read(stats_ct_path, &sn->ct);
	if (!sn->ctret)
		for (int i = 0; i < sn->ct.ncols; i++)
			sn->r[sn->nr++] = (struct counter){
				sn->ct.name[i], sn->ct.val[i],
				!strcmp(sn->ct.name[i], "entries"), 0 };
	else if (sn->ctret != -ENOENT)
		fprintf(stderr, "ovpnhactl: warning: cannot read %s: %s\n",
			stats_ct_path, strerror(-sn->ctret));
	return 0;
}

/* Per-second rates of @cur against @prev, counter by counter (by name). */
static void rates(struct counter *cur, int n, const struct counter *prev,
		  int np, double secs)
{
	for (int i = 0; i < n; i++) {
		cur[i].rate = 0;
		for (int k = 0; k < np; k++) {
			if (strcmp(cur[i].name, prev[k].name))
				continue;
			if (cur[i].val >= prev[k].val && secs > 0)
				cur[i].rate = (uint64_t)((double)(cur[i].val - prev[k].val) / secs + 0.5);
			break;
		}
	}
}

/*
 * The replication daemon's counters, when one runs in this namespace
 * (its status socket answers): nodes, sequence numbers, resyncs, gaps,
 * refusals, errors, bytes.  Nothing at all when it does not run.
 */
static void sync_section(struct json *j)
{
	const char *sock = stats_sync_socket ? stats_sync_socket :
			   sync_default_socket();
	char *body;
	int in_sync;

	if (sync_status_query(sock, j != NULL, &body, &in_sync))
		return;
	if (j) {
		json_key(j, "sync");
		json_raw(j, body);
	} else {
		printf("\nreplication (%s):\n%s", sock, body);
	}
	free(body);
}

static void snapshot_print(struct snapshot *sn, const struct snapshot *prev)
{
	if (prev) {
		double secs = (double)(sn->when.tv_sec - prev->when.tv_sec) +
			      (double)(sn->when.tv_nsec - prev->when.tv_nsec) / 1e9;

		rates(sn->l, sn->nl, prev->l, prev->nl, secs);
		rates(sn->r, sn->nr, prev->r, prev->nr, secs);
	}
	if (g_opts.json) {
		struct json j;

		json_init(&j, stdout, g_opts.pretty);
		json_open_object(&j);
		json_counters(&j, "ovpnha", sn->l, sn->nl, false);
		if (sn->ctret) {
			json_key(&j, "nf_conntrack");
			json_null(&j);
		} else {
			json_counters(&j, "nf_conntrack", sn->r, sn->nr, false);
		}
		json_key(&j, "drop_trace");
		json_open_object(&j);
		json_kv_bool(&j, "available", !sn->kdrop_na);
		json_kv_bool(&j, "enabled", !sn->kdrop_off);
		json_close_object(&j);
		sync_section(&j);
		if (prev) {		/* --watch: per second since the last */
			json_key(&j, "rates");
			json_open_object(&j);
			json_counters(&j, "ovpnha", sn->l, sn->nl, true);
			if (!sn->ctret)
				json_counters(&j, "nf_conntrack", sn->r, sn->nr, true);
			json_close_object(&j);
		}
		json_close_object(&j);
		json_finish(&j);
	} else {
		stats_print_columns(stdout, "ovpnha", sn->l, sn->nl,
				    sn->ctret ? "nf_conntrack not loaded" : "nf_conntrack",
				    sn->r, sn->nr, prev != NULL);
		if (sn->kdrop_na)
			puts("kernel drops of peer traffic: not available (this kernel has no\n"
			     "skb:kfree_skb drop reasons)");
		else if (sn->kdrop_off)
			puts("kernel drops of peer traffic: not traced (config set drop-trace on)");
		if (!prev)
			sync_section(NULL);
	}
}

static int parse_interval(const char *s, struct timespec *ts)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 86400)
		return -1;
	ts->tv_sec = (time_t)v;
	ts->tv_nsec = (long)((v - (double)ts->tv_sec) * 1e9);
	return 0;
}

int do_stats(int argc, char **argv)
{
	static struct snapshot snap[2];
	struct timespec interval = { 1, 0 };
	bool watch = false, per_cpu = false, prom = false;
	uint32_t count = 0;
	int ret;

	if (argc && (!strcmp(argv[0], "show") || !strcmp(argv[0], "list"))) {
		argc--;
		argv++;
	}
	if (argc && !strcmp(argv[0], "peer"))
		return stats_peer(argc - 1, argv + 1);
	for (int i = 0; i < argc; i++) {
		const char *v;

		if (!strcmp(argv[i], "-w") || !strcmp(argv[i], "--watch") ||
		    !strcmp(argv[i], "watch")) {
			watch = true;
			if (i + 1 < argc && argv[i + 1][0] != '-' &&
			    parse_interval(argv[i + 1], &interval) == 0)
				i++;
		} else if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--count") ||
			   !strcmp(argv[i], "count")) {
			if (!(v = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
			if (parse_u32(v, &count) || !count)
				return usage_error("invalid count \"%s\": not a number 1..4294967295", v);
			watch = true;
		} else if (!strcmp(argv[i], "--per-cpu") || !strcmp(argv[i], "per-cpu")) {
			per_cpu = true;
		} else if (!strcmp(argv[i], "--sync-socket") ||
			   !strcmp(argv[i], "sync-socket")) {
			if (!(stats_sync_socket = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
		} else if (!strcmp(argv[i], "--prometheus") ||
			   !strcmp(argv[i], "prometheus")) {
			prom = true;
		} else {
			return usage_error("stats: unexpected argument \"%s\"", argv[i]);
		}
	}
	if ((per_cpu || prom) && (watch || (per_cpu && prom)))
		return usage_error("stats: --per-cpu, --prometheus and --watch exclude each other");
	if (per_cpu)
		return stats_per_cpu();
	if ((ret = ovnl_open()))
		return ret;
	if (!watch) {
		if ((ret = snapshot_take(&snap[0])))
			return ret;
		if (prom)
			return stats_prometheus(stdout, snap[0].l, snap[0].nl,
						snap[0].r, snap[0].nr);
		snapshot_print(&snap[0], NULL);
		return EXIT_OK;
	}
	/* --watch: counters and their rates, every interval, until ^C. */
	for (uint32_t n = 0; !count || n < count; n++) {
		struct snapshot *cur = &snap[n & 1], *prev = n ? &snap[!(n & 1)] : NULL;

		if (n)
			nanosleep(&interval, NULL);
		if ((ret = snapshot_take(cur)))
			return ret;
		if (!g_opts.json && isatty(STDOUT_FILENO))
			fputs("\033[H\033[J", stdout);	/* redraw in place */
		else if (n && !g_opts.json)
			putchar('\n');
		snapshot_print(cur, prev);
		if (fflush(stdout))
			return EXIT_FAIL;
	}
	return EXIT_OK;
}
