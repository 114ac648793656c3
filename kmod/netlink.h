/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "ovpnha" generic netlink family (uapi/linux/ovpnha.h).
 */
#ifndef _OVPNHA_NETLINK_H
#define _OVPNHA_NETLINK_H

int ovpnha_nl_register(void);
void ovpnha_nl_unregister(void);

#endif /* _OVPNHA_NETLINK_H */
