// SPDX-License-Identifier: GPL-2.0
/*
 * Drop counters by peer (`stats peer CN`), per CPU (`stats --per-cpu`)
 * and as Prometheus text (`stats --prometheus`).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "info.h"
#include "json.h"
#include "ovpnhactl.h"
#include "util.h"

#define STAT_NAME_LEN	24
#define PERCPU_MAX_COLS	96
#define PERCPU_MAX_CPUS	1024

/* --- per-peer drops --- */

struct drops_list {
	const char *cn;
	struct peer_drops *v;
	size_t n, cap;
};

static int kdrop_entry(struct nlattr *e, struct peer_drops *d)
{
	static struct nla_policy pol[OVPNHA_A_KDROP_MAX + 1] = {
		[OVPNHA_A_KDROP_REASON] = { .type = NLA_U32 },
		[OVPNHA_A_KDROP_NAME] = { .type = NLA_STRING },
		[OVPNHA_A_KDROP_COUNT] = { .type = NLA_U64 },
	};
	struct nlattr *a[OVPNHA_A_KDROP_MAX + 1];

	if (nla_parse_nested(a, OVPNHA_A_KDROP_MAX, e, pol) < 0 ||
	    !a[OVPNHA_A_KDROP_COUNT])
		return -EBADMSG;
	d->k = xrealloc(d->k, (size_t)(d->nk + 1) * sizeof(*d->k));
	d->k[d->nk].reason = a[OVPNHA_A_KDROP_REASON] ?
			     nla_get_u32(a[OVPNHA_A_KDROP_REASON]) : 0;
	snprintf(d->k[d->nk].name, KDROP_NAME_LEN, "%s",
		 a[OVPNHA_A_KDROP_NAME] ? nla_get_string(a[OVPNHA_A_KDROP_NAME]) : "?");
	d->k[d->nk].count = nla_get_u64(a[OVPNHA_A_KDROP_COUNT]);
	d->nk++;
	return 0;
}

static int drops_collect(struct nl_msg *msg, void *arg)
{
	struct drops_list *l = arg;
	struct nlattr *tb[OVPNHA_A_MAX + 1], *a[OVPNHA_A_PEER_MAX + 1], *x;
	struct peer_drops *d;
	int rem;

	if (ovnl_parse(msg, tb))
		return -EBADMSG;
	if (!tb[OVPNHA_A_PEER])
		return 0;
	if (nla_parse_nested(a, OVPNHA_A_PEER_MAX, tb[OVPNHA_A_PEER], NULL) < 0 ||
	    !a[OVPNHA_A_PEER_ID] || !a[OVPNHA_A_PEER_CN])
		return -EBADMSG;
	if (l->cn && strcmp(nla_get_string(a[OVPNHA_A_PEER_CN]), l->cn))
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	d = &l->v[l->n++];
	memset(d, 0, sizeof(*d));
	d->id = nla_get_u32(a[OVPNHA_A_PEER_ID]);
	snprintf(d->cn, sizeof(d->cn), "%s", nla_get_string(a[OVPNHA_A_PEER_CN]));
	if (a[OVPNHA_A_PEER_DROPS]) {
		nla_for_each_nested(x, a[OVPNHA_A_PEER_DROPS], rem) {
			int type = nla_type(x);

			if (type < 1 || type > DROPS_MAX || nla_len(x) != 8)
				continue;
			d->d = xrealloc(d->d, (size_t)(d->nd + 1) * sizeof(*d->d));
			d->d[d->nd].idx = (uint32_t)type - 1;
			d->d[d->nd++].count = nla_get_u64(x);
		}
	}
	if (a[OVPNHA_A_PEER_KDROPS]) {
		nla_for_each_nested(x, a[OVPNHA_A_PEER_KDROPS], rem)
			if (nla_type(x) == OVPNHA_A_KDROP_ENTRY && kdrop_entry(x, d))
				return -EBADMSG;
	}
	return 0;
}

int peer_drops_list(const char *cn, struct peer_drops **out, size_t *n)
{
	struct drops_list l = { .cn = cn };
	struct nl_msg *m = ovnl_new(OVPNHA_CMD_PEER_GET, NLM_F_DUMP);
	struct nlattr *nest;
	int ret = 0;

	if (cn) {	/* the kernel filters by CN too */
		nest = nla_nest_start(m, OVPNHA_A_PEER | NLA_F_NESTED);
		if (!nest || nla_put_string(m, OVPNHA_A_PEER_CN, cn))
			ret = -EMSGSIZE;
		else
			nla_nest_end(m, nest);
	}
	if (!ret)
		ret = ovnl_request(m, drops_collect, &l);
	nlmsg_free(m);
	if (ret) {
		peer_drops_free(l.v, l.n);
		return ret;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

void peer_drops_free(struct peer_drops *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].d);
		free(v[i].k);
	}
	free(v);
}

int droptrace_state_get(struct droptrace_state *st)
{
	struct info in;
	int ret = info_get(&in);

	memset(st, 0, sizeof(*st));
	if (ret)
		return ret;
	st->known = in.present & (1u << OVPNHA_A_INFO_DROP_TRACE_AVAIL);
	st->avail = st->known && in.val[OVPNHA_A_INFO_DROP_TRACE_AVAIL];
	st->on = in.present & (1u << OVPNHA_A_INFO_DROP_TRACE) &&
		 in.val[OVPNHA_A_INFO_DROP_TRACE];
	return 0;
}

static const char *kdrop_note(const struct droptrace_state *st)
{
	if (!st->avail)
		return "not available: this kernel has no skb:kfree_skb drop reasons";
	if (!st->on)
		return "not traced: drop-trace is off (ovpnhactl config set drop-trace on)";
	return NULL;
}

int stats_peer(int argc, char **argv)
{
	char name[STAT_NAME_LEN];
	struct droptrace_state st;
	struct peer_drops *v = NULL;
	size_t n = 0;
	struct json j;
	int ret;

	if (argc < 1)
		return usage_error("stats peer: missing CN");
	if (argc > 1)
		return usage_error("stats peer: unexpected argument \"%s\"", argv[1]);
	if ((ret = ovnl_open()))
		return ret;
	if ((ret = droptrace_state_get(&st)) || (ret = peer_drops_list(argv[0], &v, &n)))
		return ovnl_report(ret);
	if (!n) {
		peer_drops_free(v, n);
		fprintf(stderr, "Error: no peer with common name \"%s\"\n", argv[0]);
		return EXIT_FAIL;
	}
	if (g_opts.json) {
		json_init(&j, stdout, g_opts.pretty);
		json_open_array(&j);
	}
	for (size_t i = 0; i < n; i++) {
		const struct peer_drops *d = &v[i];
		const char *note = kdrop_note(&st);

		if (g_opts.json) {
			json_open_object(&j);
			json_kv_u64(&j, "id", d->id);
			json_kv_str(&j, "cn", d->cn);
			json_key(&j, "drops");
			json_open_object(&j);
			for (int k = 0; k < d->nd; k++)
				json_kv_u64(&j, stats_name(d->d[k].idx, name, sizeof(name)),
					    d->d[k].count);
			json_close_object(&j);
			json_key(&j, "kernel_drops");
			if (!st.avail) {
				json_null(&j);
			} else {
				json_open_object(&j);
				for (int k = 0; k < d->nk; k++)
					json_kv_u64(&j, d->k[k].name, d->k[k].count);
				json_close_object(&j);
			}
			json_kv_bool(&j, "drop_trace", st.on);
			json_close_object(&j);
			continue;
		}
		printf("peer %" PRIu32 " cn ", d->id);
		fput_plain(stdout, d->cn);
		putchar('\n');
		printf("  drops by reason:%s\n", d->nd ? "" : " none");
		for (int k = 0; k < d->nd; k++)
			printf("    %-20s %" PRIu64 "\n",
			       stats_name(d->d[k].idx, name, sizeof(name)), d->d[k].count);
		if (note && !d->nk) {
			printf("  kernel drops: %s\n", note);
			continue;
		}
		printf("  kernel drops by skb drop reason:%s%s%s\n",
		       d->nk ? "" : " none", note ? " - " : "", note ? note : "");
		for (int k = 0; k < d->nk; k++)
			printf("    %-20s %" PRIu64 "\n", d->k[k].name, d->k[k].count);
	}
	if (g_opts.json) {
		json_close_array(&j);
		json_finish(&j);
	}
	peer_drops_free(v, n);
	return EXIT_OK;
}

/* --- per CPU --- */

struct percpu {
	int ncols, ncpus;
	char name[PERCPU_MAX_COLS][STAT_NAME_LEN];
	uint64_t *val;			/* ncpus * PERCPU_MAX_COLS */
};

static int percpu_read(const char *path, struct percpu *pc)
{
	FILE *f = fopen(path, "re");
	char line[4096], *tok, *save;

	memset(pc, 0, sizeof(*pc));
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -EINVAL;
	}
	for (tok = strtok_r(line, " \t\n", &save); tok && pc->ncols < PERCPU_MAX_COLS;
	     tok = strtok_r(NULL, " \t\n", &save))
		snprintf(pc->name[pc->ncols++], STAT_NAME_LEN, "%s", tok);
	while (pc->ncpus < PERCPU_MAX_CPUS && fgets(line, sizeof(line), f)) {
		int col = 0;

		pc->val = xrealloc(pc->val, (size_t)(pc->ncpus + 1) * PERCPU_MAX_COLS *
				   sizeof(*pc->val));
		for (tok = strtok_r(line, " \t\n", &save); tok && col < pc->ncols;
		     tok = strtok_r(NULL, " \t\n", &save))
			pc->val[pc->ncpus * PERCPU_MAX_COLS + col++] = strtoull(tok, NULL, 16);
		if (col)
			pc->ncpus++;
	}
	fclose(f);
	return pc->ncpus ? 0 : -EINVAL;
}

static void percpu_print(struct json *j, const char *title, const struct percpu *pc)
{
	if (j) {
		json_key(j, title);
		json_open_array(j);
		for (int c = 0; c < pc->ncpus; c++) {
			json_open_object(j);
			json_kv_u64(j, "cpu", (uint64_t)c);
			for (int k = 0; k < pc->ncols; k++)
				json_kv_u64(j, pc->name[k], pc->val[c * PERCPU_MAX_COLS + k]);
			json_close_object(j);
		}
		json_close_array(j);
		return;
	}
	printf("%-20s", title);
	for (int c = 0; c < pc->ncpus; c++)
		printf(" %10s%-2d", "cpu", c);
	putchar('\n');
	for (int k = 0; k < pc->ncols; k++) {
		printf("%-20s", pc->name[k]);
		for (int c = 0; c < pc->ncpus; c++)
			printf(" %12" PRIu64, pc->val[c * PERCPU_MAX_COLS + k]);
		putchar('\n');
	}
}

int stats_per_cpu(void)
{
	struct percpu ov, ct;
	int ret, ctret;
	struct json j;

	if ((ret = ovnl_open()))
		return ret;
	/* After ovnl_open(): /proc/net follows the -n namespace. */
	ret = percpu_read("/proc/net/stat/ovpnha", &ov);
	if (ret) {
		fprintf(stderr, "Error: cannot read /proc/net/stat/ovpnha: %s\n",
			strerror(-ret));
		return EXIT_FAIL;
	}
	ctret = percpu_read(stats_ct_path, &ct);
	if (g_opts.json) {
		json_init(&j, stdout, g_opts.pretty);
		json_open_object(&j);
		percpu_print(&j, "ovpnha", &ov);
		if (ctret) {
			json_key(&j, "nf_conntrack");
			json_null(&j);
		} else {
			percpu_print(&j, "nf_conntrack", &ct);
		}
		json_close_object(&j);
		json_finish(&j);
	} else {
		percpu_print(NULL, "ovpnha", &ov);
		putchar('\n');
		if (ctret)
			printf("nf_conntrack not loaded\n");
		else
			percpu_print(NULL, "nf_conntrack", &ct);
	}
	free(ov.val);
	free(ct.val);
	return EXIT_OK;
}

/* --- Prometheus text exposition (node_exporter textfile collector) --- */

/* A label value: backslash, double quote and newline escaped. */
static void prom_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* Metric names allow [a-zA-Z0-9_:]; anything else becomes '_'. */
static void prom_name(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' ? *s : '_', f);
}

int stats_prometheus(FILE *f, const struct counter *l, int nl,
		     const struct counter *r, int nr)
{
	char name[STAT_NAME_LEN];
	struct droptrace_state st;
	struct peer_drops *v = NULL;
	size_t n = 0;
	int ret;

	for (int i = 0; i < nl; i++) {
		const char *type = l[i].gauge ? "gauge" : "counter";

		fputs("# HELP ovpnha_", f);
		prom_name(f, l[i].name);
		fprintf(f, "%s ovpnha counter %s (/proc/net/stat/ovpnha)\n",
			l[i].gauge ? "" : "_total", l[i].name);
		fputs("# TYPE ovpnha_", f);
		prom_name(f, l[i].name);
		fprintf(f, "%s %s\novpnha_", l[i].gauge ? "" : "_total", type);
		prom_name(f, l[i].name);
		fprintf(f, "%s %" PRIu64 "\n", l[i].gauge ? "" : "_total", l[i].val);
	}
	for (int i = 0; i < nr; i++) {
		fputs("# HELP ovpnha_nf_conntrack_", f);
		prom_name(f, r[i].name);
		fprintf(f, "%s nf_conntrack statistic %s summed over CPUs\n",
			r[i].gauge ? "" : "_total", r[i].name);
		fputs("# TYPE ovpnha_nf_conntrack_", f);
		prom_name(f, r[i].name);
		fprintf(f, "%s %s\novpnha_nf_conntrack_", r[i].gauge ? "" : "_total",
			r[i].gauge ? "gauge" : "counter");
		prom_name(f, r[i].name);
		fprintf(f, "%s %" PRIu64 "\n", r[i].gauge ? "" : "_total", r[i].val);
	}

	if ((ret = droptrace_state_get(&st)) || (ret = peer_drops_list(NULL, &v, &n)))
		return ovnl_report(ret);
	fputs("# HELP ovpnha_drop_trace_available 1 if the kernel offers skb:kfree_skb with drop reasons\n"
	      "# TYPE ovpnha_drop_trace_available gauge\n", f);
	fprintf(f, "ovpnha_drop_trace_available %d\n", st.avail);
	fputs("# HELP ovpnha_drop_trace_enabled 1 if kernel drops of peer traffic are attributed\n"
	      "# TYPE ovpnha_drop_trace_enabled gauge\n", f);
	fprintf(f, "ovpnha_drop_trace_enabled %d\n", st.on);
	fputs("# HELP ovpnha_peer_drops_total Drops and problems of one peer by ovpnha reason\n"
	      "# TYPE ovpnha_peer_drops_total counter\n", f);
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < v[i].nd; k++) {
			fprintf(f, "ovpnha_peer_drops_total{peer_id=\"%" PRIu32 "\",cn=\"", v[i].id);
			prom_label(f, v[i].cn);
			fprintf(f, "\",reason=\"%s\"} %" PRIu64 "\n",
				stats_name(v[i].d[k].idx, name, sizeof(name)), v[i].d[k].count);
		}
	if (st.avail) {
		fputs("# HELP ovpnha_peer_kernel_drops_total Kernel drops of one peer's traffic by skb drop reason\n"
		      "# TYPE ovpnha_peer_kernel_drops_total counter\n", f);
		for (size_t i = 0; i < n; i++)
			for (int k = 0; k < v[i].nk; k++) {
				fprintf(f, "ovpnha_peer_kernel_drops_total{peer_id=\"%" PRIu32 "\",cn=\"",
					v[i].id);
				prom_label(f, v[i].cn);
				fputs("\",reason=\"", f);
				prom_label(f, v[i].k[k].name);
				fprintf(f, "\"} %" PRIu64 "\n", v[i].k[k].count);
			}
	}
	peer_drops_free(v, n);
	return EXIT_OK;
}
