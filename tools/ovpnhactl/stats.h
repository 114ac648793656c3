/* SPDX-License-Identifier: GPL-2.0 */
/* `ovpnhactl stats`: ovpnha counters beside nf_conntrack's. */
#ifndef OVPNHACTL_STATS_H
#define OVPNHACTL_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The nf_conntrack statistics file (tests point it at a sample). */
extern const char *stats_ct_path;

struct counter {
	const char *name;
	uint64_t val;
	bool gauge;		/* a level ("peers", "entries"): no rate */
	uint64_t rate;		/* per second, --watch */
};

/*
 * Name of ovpnha counter @idx (enum ovpnha_stat): the lower-case enum name
 * without OVPNHA_STAT_, or "stat_<idx>" (in @buf) for one this tool does
 * not know (a newer module).
 */
const char *stats_name(unsigned int idx, char *buf, size_t len);

/*
 * Two columns side by side, each "name value" with right-aligned values
 * (and "rate/s" with @rates): @ltitle's counters on the left, @rtitle's on
 * the right.
 */
void stats_print_columns(FILE *f, const char *ltitle, const struct counter *l,
			 int nl, const char *rtitle, const struct counter *r,
			 int nr, bool rates);

/* The sync daemon's status socket for `stats` (tests set it). */
extern const char *stats_sync_socket;

#endif
