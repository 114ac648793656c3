// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters and /proc/net/stat/ovpnha.
 *
 * The file follows /proc/net/stat/nf_conntrack so that lnstat reads it: a
 * header line of field names, then one line per possible CPU, every field
 * as %08x.  The first two fields are gauges of the namespace (the same on
 * every line, like nf_conntrack's "entries"); the others are the CPU's own
 * counters in enum ovpnha_stat order.
 */
#include <linux/cpumask.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "stats.h"

#define OVPNHA_PROC_NAME	"ovpnha"

/* Column names: enum ovpnha_stat without the prefix, lower case. */
static const char * const ovpnha_stat_names[] = {
	[OVPNHA_STAT_PEER_NEW]		= "peer_new",
	[OVPNHA_STAT_PEER_DEL]		= "peer_del",
	[OVPNHA_STAT_IROUTE_NEW]	= "iroute_new",
	[OVPNHA_STAT_IROUTE_DEL]	= "iroute_del",
	[OVPNHA_STAT_LIMIT]		= "limit",
	[OVPNHA_STAT_CONFLICT]		= "conflict",
	[OVPNHA_STAT_NOMEM]		= "nomem",
	[OVPNHA_STAT_LOOKUP]		= "lookup",
	[OVPNHA_STAT_LOOKUP_MISS]	= "lookup_miss",
	[OVPNHA_STAT_DROP_NO_IROUTE]	= "drop_no_iroute",
	[OVPNHA_STAT_DROP_WRONG_ROLE]	= "drop_wrong_role",
	[OVPNHA_STAT_DROP_EPOCH]	= "drop_epoch",
	[OVPNHA_STAT_DROP_REPL]		= "drop_repl",
	[OVPNHA_STAT_GARP_FAIL]		= "garp_fail",
	[OVPNHA_STAT_DNS_CLASH_RESOLVED] = "dns_clash_resolved",
	[OVPNHA_STAT_DNS_CLASH_LOST]	= "dns_clash_lost",
	[OVPNHA_STAT_CT_INSERT_FAILED]	= "ct_insert_failed",
	[OVPNHA_STAT_DNS_GUARDED]	= "dns_guarded",
	[OVPNHA_STAT_DNS_CHECKED]	= "dns_checked",
	[OVPNHA_STAT_KDROP_PEER]	= "kdrop_peer",
	[OVPNHA_STAT_ROLE_CHANGE]	= "role_change",
	[OVPNHA_STAT_STEPDOWN]		= "stepdown",
	[OVPNHA_STAT_GARP_SENT]		= "garp_sent",
	[OVPNHA_STAT_NA_SENT]		= "na_sent",
	[OVPNHA_STAT_FLOW_LEARNED]	= "flow_learned",
	[OVPNHA_STAT_FLOW_INSTALLED]	= "flow_installed",
	[OVPNHA_STAT_FLOW_EXISTED]	= "flow_existed",
	[OVPNHA_STAT_FLOW_REMOVED]	= "flow_removed",
};

u64 ovpnha_stat_sum(struct ovpnha_net *on, enum ovpnha_stat s)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(on->stats, cpu)->cnt[s]);
	return sum;
}

static void *ovpnha_stat_cpu(struct seq_file *seq, loff_t *pos, int cpu)
{
	struct ovpnha_net *on = ovpnha_pernet(seq_file_net(seq));

	for (; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_possible(cpu))
			continue;
		*pos = cpu + 1;
		return per_cpu_ptr(on->stats, cpu);
	}
	return NULL;
}

static void *ovpnha_stat_seq_start(struct seq_file *seq, loff_t *pos)
{
	if (*pos == 0)
		return SEQ_START_TOKEN;
	return ovpnha_stat_cpu(seq, pos, *pos - 1);
}

static void *ovpnha_stat_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	void *p = ovpnha_stat_cpu(seq, pos, *pos);

	if (!p)
		(*pos)++;
	return p;
}

static void ovpnha_stat_seq_stop(struct seq_file *seq, void *v)
{
}

static int ovpnha_stat_seq_show(struct seq_file *seq, void *v)
{
	struct ovpnha_net *on = ovpnha_pernet(seq_file_net(seq));
	const struct ovpnha_stats *st = v;
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(ovpnha_stat_names) != OVPNHA_STAT_MAX + 1);

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "peers iroutes");
		for (i = 0; i < ARRAY_SIZE(ovpnha_stat_names); i++)
			seq_printf(seq, " %s", ovpnha_stat_names[i]);
		seq_putc(seq, '\n');
		return 0;
	}

	seq_printf(seq, "%08x %08x", READ_ONCE(on->n_peers),
		   READ_ONCE(on->n_iroutes));
	for (i = 0; i < ARRAY_SIZE(st->cnt); i++)
		seq_printf(seq, " %08x", READ_ONCE(st->cnt[i]));
	seq_putc(seq, '\n');
	return 0;
}

static const struct seq_operations ovpnha_stat_seq_ops = {
	.start	= ovpnha_stat_seq_start,
	.next	= ovpnha_stat_seq_next,
	.stop	= ovpnha_stat_seq_stop,
	.show	= ovpnha_stat_seq_show,
};

int ovpnha_stats_init(struct ovpnha_net *on)
{
	on->stats = alloc_percpu(struct ovpnha_stats);
	if (!on->stats)
		return -ENOMEM;

	if (!proc_create_net(OVPNHA_PROC_NAME, 0444, on->net->proc_net_stat,
			     &ovpnha_stat_seq_ops,
			     sizeof(struct seq_net_private))) {
		free_percpu(on->stats);
		on->stats = NULL;
		return -ENOMEM;
	}
	return 0;
}

void ovpnha_stats_exit(struct ovpnha_net *on)
{
	remove_proc_entry(OVPNHA_PROC_NAME, on->net->proc_net_stat);
	free_percpu(on->stats);
	on->stats = NULL;
}
