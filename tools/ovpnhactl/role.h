/* SPDX-License-Identifier: GPL-2.0 */
/* ovpnhactl role, vip, flow (role.c, vip.c). */
#ifndef OVPNHACTL_ROLE_H
#define OVPNHACTL_ROLE_H

#include <stdint.h>
#include <stdio.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <linux/ovpnha.h>

struct role_info {
	unsigned int role, wanted;
	uint32_t epoch, garp_count, garp_interval, garp_refresh, stepdowns;
	uint32_t peers, returned;
	uint64_t since, takeover, last_return, first_garp;
	char announce[IF_NAMESIZE];
	char reason[96];
};

const char *role_name(unsigned int role);
int role_from_attr(struct nlattr *nest, struct role_info *r);
/* ROLE_GET on the open session */
int role_get(struct role_info *r);

int do_role(int argc, char **argv);
int do_vip(int argc, char **argv);
int do_flow(int argc, char **argv);
int do_switchover(int argc, char **argv);	/* switchover.c */
void help_switchover(FILE *f);
extern const char help_switchover_text[];
void help_role(FILE *f);
void help_vip(FILE *f);
void help_flow(FILE *f);
extern const char help_role_text[], help_vip_text[], help_flow_text[];

/*
 * The stale-VLAN check of "vip add": a VLAN device on a bond whose slave
 * also carries a VLAN device with the same id.  Writes one warning per
 * finding to @f; returns how many.  @proc_vlan and @proc_bonding are
 * /proc/net/vlan/config and /proc/net/bonding (parameters for the tests;
 * both follow the caller's network namespace).
 */
int vlan_stale_check(const char *dev, const char *proc_vlan,
		     const char *proc_bonding, FILE *f);

#endif
