/* SPDX-License-Identifier: GPL-2.0 */
/* OVPNHA_CMD_INFO_GET, shared by `info` and `stats`. */
#ifndef OVPNHACTL_INFO_H
#define OVPNHACTL_INFO_H

#include <stdint.h>

#include <linux/ovpnha.h>

struct info {
	uint32_t present;			/* 1u << OVPNHA_A_INFO_* */
	char version[64];
	uint64_t val[OVPNHA_A_INFO_MAX + 1];	/* numbers, by attribute */
};

/* 0 or -errno (left for ovnl_report()); the session must be open. */
int info_get(struct info *in);

#endif
