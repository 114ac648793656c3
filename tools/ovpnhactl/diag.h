/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diagnostics: per-peer drop counters (`stats peer CN`), per-CPU counters
 * (`stats --per-cpu`), the Prometheus text exposition (`stats
 * --prometheus`), the DNS guard's prefixes (`dnsguard`) and the event
 * monitor (`monitor`).
 */
#ifndef OVPNHACTL_DIAG_H
#define OVPNHACTL_DIAG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "nl.h"
#include "stats.h"

#define DROPS_MAX	256		/* ovpnha reasons a reply may carry */
#define KDROP_NAME_LEN	48

struct kdrop {
	uint32_t reason;
	char name[KDROP_NAME_LEN];
	uint64_t count;
};

/* One peer's non-zero drop counters (arrays are malloc'd). */
struct peer_drops {
	uint32_t id;
	char cn[80];
	struct { uint32_t idx; uint64_t count; } *d;	/* enum ovpnha_stat */
	int nd;
	struct kdrop *k;
	int nk;
};

/* Whether kernel drops can be / are attributed (INFO_GET). */
struct droptrace_state {
	bool avail;
	bool on;
	bool known;		/* the module reports it at all */
};

/*
 * Every peer (or those with common name @cn) with its drop counters:
 * *out is a malloc'd array of *n entries.  0 or -errno (for ovnl_report).
 */
int peer_drops_list(const char *cn, struct peer_drops **out, size_t *n);
void peer_drops_free(struct peer_drops *v, size_t n);
int droptrace_state_get(struct droptrace_state *st);

/* `stats peer CN` */
int stats_peer(int argc, char **argv);
/* `stats --per-cpu` */
int stats_per_cpu(void);
/* `stats --prometheus`: after ovnl_open(). */
int stats_prometheus(FILE *f, const struct counter *l, int nl,
		     const struct counter *r, int nr);

/* Decode an OVPNHA_A_DNSGUARD nest. */
int dnsguard_from_nest(struct nlattr *nest, struct prefix *p, uint64_t *hits);

int do_dnsguard(int argc, char **argv);
/* `config set dns-guard|drop-trace on|off` */
int config_set_diag(const char *key, const char *value);
int do_monitor(int argc, char **argv);
void help_dnsguard(FILE *f);
void help_monitor(FILE *f);

#endif
