/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU counters of one namespace (enum ovpnha_stat) and their
 * /proc/net/stat/ovpnha view, in the format of /proc/net/stat/nf_conntrack.
 */
#ifndef _OVPNHA_STATS_H
#define _OVPNHA_STATS_H

#include <linux/percpu.h>
#include <linux/ovpnha.h>

#include "main.h"

struct ovpnha_stats {
	unsigned int cnt[__OVPNHA_STAT_MAX];
};

static inline void ovpnha_stat_inc(struct ovpnha_net *on, enum ovpnha_stat s)
{
	this_cpu_inc(on->stats->cnt[s]);
}

static inline void ovpnha_stat_add(struct ovpnha_net *on, enum ovpnha_stat s,
				   unsigned int n)
{
	this_cpu_add(on->stats->cnt[s], n);
}

int ovpnha_stats_init(struct ovpnha_net *on);
void ovpnha_stats_exit(struct ovpnha_net *on);
/* Sum of counter @s over the possible CPUs. */
u64 ovpnha_stat_sum(struct ovpnha_net *on, enum ovpnha_stat s);

#endif /* _OVPNHA_STATS_H */
