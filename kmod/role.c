// SPDX-License-Identifier: GPL-2.0
/*
 * Role and cluster epoch of a namespace (see role.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <net/genetlink.h>

#include "compat.h"
#include "droptrace.h"
#include "main.h"
#include "netlink.h"
#include "peer.h"
#include "role.h"
#include "stats.h"

static const char * const ovpnha_role_names[] = {
	[OVPNHA_ROLE_NONE]	= "none",
	[OVPNHA_ROLE_MASTER]	= "master",
	[OVPNHA_ROLE_BACKUP]	= "backup",
	[OVPNHA_ROLE_FAULT]	= "fault",
};

static void ovpnha_role_change(struct ovpnha_net *on, u8 role,
			       const char *reason)
{
	struct ovpnha_ha *ha = &on->ha;

	lockdep_assert_held(&on->lock);
	pr_info("netns %u: role %s -> %s at epoch %u (%s)\n",
		on->net->ns.inum, ovpnha_role_names[ha->role],
		ovpnha_role_names[role], ha->epoch, reason);
	if (ha->role == OVPNHA_ROLE_MASTER)
		cancel_delayed_work_sync(&ha->garp_work);
	WRITE_ONCE(ha->role, role);
	ha->since = ktime_get_real_ns();
	strscpy(ha->reason, reason, sizeof(ha->reason));
	ovpnha_stat_inc(on, OVPNHA_STAT_ROLE_CHANGE);
}

/*
 * Clients that came back before the cluster manager made this node master:
 * keepalived moves the VIP first and runs its notify script after, so under
 * load a client can reconnect, and this node's OpenVPN hook write the peer,
 * before ROLE_SET master arrives.  Such a local write since this node last
 * changed role (@from) is a return; it is dated at the takeover (returned
 * after 0 s) so that every reader compares the same two stamps.
 */
static void ovpnha_role_early_returns(struct ovpnha_net *on, u64 from)
{
	u64 takeover = on->ha.takeover;
	struct ovpnha_peer *peer;
	unsigned long id;

	lockdep_assert_held(&on->lock);
	xa_for_each(&on->peers, id, peer)
		if (peer->seen && peer->seen >= from && peer->seen < takeover)
			peer->seen = takeover;
}

bool ovpnha_role_set(struct ovpnha_net *on, u8 role, u32 epoch,
		     const char *reason)
{
	struct ovpnha_ha *ha = &on->ha;

	lockdep_assert_held(&on->lock);
	ha->wanted = role;
	if (role == ha->role) {
		if (epoch > ha->epoch)
			ha->epoch = epoch;
		return false;
	}
	if (role == OVPNHA_ROLE_MASTER) {
		u64 from = ha->since;

		/* Above every epoch seen, and at least the one asked for. */
		ha->epoch = max(ha->epoch + 1, epoch);
		ovpnha_role_change(on, role, reason);
		ha->takeover = ha->since;
		ovpnha_role_early_returns(on, from);
		ha->takeover_mono = ktime_get_ns();
		ha->first_garp = 0;
		ovpnha_garp_kick(on);
		return true;
	}
	ha->epoch = max(ha->epoch, epoch);
	ovpnha_role_change(on, role, reason);
	return true;
}

bool ovpnha_epoch_observe(struct ovpnha_net *on, u32 epoch, const char *who)
{
	struct ovpnha_ha *ha = &on->ha;
	char reason[OVPNHA_REASON_LEN];

	lockdep_assert_held(&on->lock);
	if (epoch <= ha->epoch)
		return false;
	if (ha->role != OVPNHA_ROLE_MASTER) {
		ha->epoch = epoch;
		return true;		/* the epoch changed: worth an event */
	}
	snprintf(reason, sizeof(reason),
		 "stepped down: %s at epoch %u, above own %u", who, epoch,
		 ha->epoch);
	pr_warn("netns %u: master %s\n", on->net->ns.inum, reason);
	ha->epoch = epoch;
	ha->stepdowns++;
	ovpnha_stat_inc(on, OVPNHA_STAT_STEPDOWN);
	ovpnha_role_change(on, OVPNHA_ROLE_BACKUP, reason);
	return true;
}

int ovpnha_epoch_check(struct ovpnha_net *on, struct genl_info *info,
		       bool *replicated)
{
	struct nlattr *a = info->attrs[OVPNHA_A_EPOCH];
	u32 epoch;

	lockdep_assert_held(&on->lock);
	*replicated = !!a;
	if (!a)
		return 0;
	epoch = nla_get_u32(a);
	if (epoch < on->ha.epoch) {
		ovpnha_count_drop(on, NULL, OVPNHA_STAT_DROP_EPOCH, NULL);
		NL_SET_ERR_MSG_FMT(info->extack,
				   "replicated write from epoch %u refused: this node is at epoch %u",
				   epoch, on->ha.epoch);
		NL_SET_BAD_ATTR(info->extack, a);
		return -ESTALE;
	}
	if (ovpnha_epoch_observe(on, epoch, "a replicated write"))
		ovpnha_nl_role_event(on);
	return 0;
}

void ovpnha_role_returns(struct ovpnha_net *on, u32 *peers, u32 *returned,
			 u64 *last)
{
	u64 takeover = on->ha.takeover;
	struct ovpnha_peer *peer;
	unsigned long id;

	lockdep_assert_held(&on->lock);
	*peers = 0;
	*returned = 0;
	*last = 0;
	xa_for_each(&on->peers, id, peer) {
		(*peers)++;
		if (takeover && peer->seen >= takeover) {
			(*returned)++;
			*last = max(*last, peer->seen - takeover);
		}
	}
}
