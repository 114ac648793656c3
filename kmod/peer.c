// SPDX-License-Identifier: GPL-2.0
/*
 * The peer table of a namespace: an xarray by id, an rhashtable by remote
 * endpoint, and the peers' virtual addresses and iroutes in the LPM table.
 *
 * Every function here runs with the namespace's table mutex held.  The
 * endpoint index is only ever searched under the mutex, which is what lets
 * ovpnha_peer_set() re-key an entry in place.
 */
#include <linux/inet.h>
#include <linux/in.h>
#include <linux/lockdep.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "compat.h"
#include "droptrace.h"
#include "flow.h"
#include "lpm.h"
#include "main.h"
#include "peer.h"
#include "stats.h"

#define OVPNHA_PEER_ID_LOCAL_MAX	((1U << OVPNHA_PEER_ID_NODE_SHIFT) - 1)
#define OVPNHA_FLUSH_BATCH		256

static struct kmem_cache *ovpnha_peer_cache;
static atomic64_t ovpnha_peers_alloc_cnt = ATOMIC64_INIT(0);
static atomic64_t ovpnha_peers_free_cnt = ATOMIC64_INIT(0);

static const struct rhashtable_params ovpnha_ep_params = {
	.key_len		= sizeof(struct ovpnha_endpoint),
	.key_offset		= offsetof(struct ovpnha_peer, remote),
	.head_offset		= offsetof(struct ovpnha_peer, ep_node),
	.automatic_shrinking	= true,
};

u64 ovpnha_peers_allocated(void)
{
	return atomic64_read(&ovpnha_peers_alloc_cnt);
}

u64 ovpnha_peers_freed(void)
{
	return atomic64_read(&ovpnha_peers_free_cnt);
}

static void ovpnha_peer_free_rcu(struct rcu_head *rcu)
{
	struct ovpnha_peer *peer = container_of(rcu, struct ovpnha_peer, rcu);

	ovpnha_peer_drops_free(peer);
	kmem_cache_free(ovpnha_peer_cache, peer);
	atomic64_inc(&ovpnha_peers_free_cnt);
}

void ovpnha_peer_release(struct kref *kref)
{
	struct ovpnha_peer *peer = container_of(kref, struct ovpnha_peer,
						refcount);

	WARN_ON(!list_empty(&peer->lpm_list));
	call_rcu(&peer->rcu, ovpnha_peer_free_rcu);
}

int ovpnha_peer_table_init(struct ovpnha_net *on)
{
	xa_init_flags(&on->peers, XA_FLAGS_ALLOC);
	return rhashtable_init(&on->endpoints, &ovpnha_ep_params);
}

void ovpnha_peer_table_free(struct ovpnha_net *on)
{
	mutex_lock(&on->lock);
	ovpnha_peer_flush(on);
	ovpnha_lpm_free(&on->lpm, &on->lock);
	mutex_unlock(&on->lock);
	rhashtable_destroy(&on->endpoints);
	xa_destroy(&on->peers);
}

struct ovpnha_peer *ovpnha_peer_find(struct ovpnha_net *on, u32 id)
{
	lockdep_assert_held(&on->lock);
	return xa_load(&on->peers, id);
}

struct ovpnha_peer *
ovpnha_peer_find_endpoint_rcu(struct ovpnha_net *on,
			      const struct ovpnha_endpoint *ep)
{
	return rhashtable_lookup(&on->endpoints, ep, ovpnha_ep_params);
}

static struct ovpnha_peer *ovpnha_endpoint_find(struct ovpnha_net *on,
						const struct ovpnha_endpoint *ep)
{
	return rhashtable_lookup_fast(&on->endpoints, ep, ovpnha_ep_params);
}

static void ovpnha_endpoint_clash(struct ovpnha_net *on,
				  const struct ovpnha_peer *other,
				  const struct ovpnha_endpoint *ep,
				  struct netlink_ext_ack *extack)
{
	ovpnha_stat_inc(on, OVPNHA_STAT_CONFLICT);
	if (ep->family == AF_INET)
		NL_SET_ERR_MSG_FMT(extack,
				   "peer %u already has endpoint %pI4:%u",
				   other->id, &ep->addr.ip4, ntohs(ep->port));
	else
		NL_SET_ERR_MSG_FMT(extack,
				   "peer %u already has endpoint [%pI6c]:%u",
				   other->id, &ep->addr.ip6, ntohs(ep->port));
}

/*
 * The endpoint @peer (NULL for a new one) ends up with after @cfg: fields
 * not given keep their value, an all-zero address removes the endpoint.
 */
static int ovpnha_endpoint_merge(const struct ovpnha_peer *peer,
				 const struct ovpnha_peer_cfg *cfg,
				 struct ovpnha_endpoint *ep,
				 struct netlink_ext_ack *extack)
{
	if (peer)
		*ep = peer->remote;
	else
		memset(ep, 0, sizeof(*ep));

	if (cfg->has_remote_addr) {
		ep->family = cfg->remote.family;
		ep->addr = cfg->remote.addr;
	}
	if (cfg->has_remote_port)
		ep->port = cfg->remote.port;
	if (cfg->has_remote_proto)
		ep->proto = cfg->remote.proto;

	if (ep->family == AF_UNSPEC) {
		if (!cfg->has_remote_addr &&
		    (cfg->has_remote_port || cfg->has_remote_proto)) {
			NL_SET_ERR_MSG(extack,
				       "peer has no remote address to apply port or protocol to");
			return -EINVAL;
		}
		memset(ep, 0, sizeof(*ep));
		return 0;
	}
	if (!ep->port) {
		NL_SET_ERR_MSG(extack, "missing attribute: remote port");
		return -EINVAL;
	}
	if (!ep->proto)
		ep->proto = IPPROTO_UDP;
	return 0;
}

static void ovpnha_prefix_clash(struct ovpnha_net *on, int family,
				const void *addr, u8 cidr,
				const struct ovpnha_peer *owner,
				struct netlink_ext_ack *extack)
{
	ovpnha_stat_inc(on, OVPNHA_STAT_CONFLICT);
	if (!owner) {
		NL_SET_ERR_MSG(extack, "prefix already routed");
		return;
	}
	if (family == AF_INET)
		NL_SET_ERR_MSG_FMT(extack,
				   "prefix %pI4/%u already routed to peer %u (%s)",
				   addr, cidr, owner->id, owner->cn);
	else
		NL_SET_ERR_MSG_FMT(extack,
				   "prefix %pI6c/%u already routed to peer %u (%s)",
				   addr, cidr, owner->id, owner->cn);
}

static int ovpnha_lpm_err(struct ovpnha_net *on, int err, int family,
			  const void *addr, u8 cidr,
			  const struct ovpnha_peer *owner,
			  struct netlink_ext_ack *extack)
{
	if (err == -EEXIST)
		ovpnha_prefix_clash(on, family, addr, cidr, owner, extack);
	else if (err == -ENOMEM)
		ovpnha_stat_inc(on, OVPNHA_STAT_NOMEM);
	return err;
}

static int ovpnha_vpn_insert(struct ovpnha_net *on, struct ovpnha_peer *peer,
			     int family, const void *addr,
			     struct netlink_ext_ack *extack)
{
	u8 cidr = family == AF_INET ? 32 : 128;
	struct ovpnha_peer *owner = NULL;
	int err;

	err = ovpnha_lpm_insert(&on->lpm, family, addr, cidr, peer, true,
				&owner, &on->lock);
	return ovpnha_lpm_err(on, err, family, addr, cidr, owner, extack);
}

static void ovpnha_vpn_remove(struct ovpnha_net *on, struct ovpnha_peer *peer,
			      int family, const void *addr)
{
	u8 cidr = family == AF_INET ? 32 : 128;

	WARN_ON(ovpnha_lpm_remove(&on->lpm, family, addr, cidr, peer, true,
				  &on->lock));
}

static int ovpnha_peer_reserve_id(struct ovpnha_net *on, u32 *id,
				  struct netlink_ext_ack *extack)
{
	u32 base = (u32)on->node_id << OVPNHA_PEER_ID_NODE_SHIFT;
	struct xa_limit lim = XA_LIMIT(base | 1,
				       base | OVPNHA_PEER_ID_LOCAL_MAX);
	int err;

	if (*id) {
		err = xa_insert(&on->peers, *id, NULL, GFP_KERNEL);
		if (err == -EBUSY) {
			ovpnha_stat_inc(on, OVPNHA_STAT_CONFLICT);
			NL_SET_ERR_MSG_FMT(extack, "peer id %u already exists",
					   *id);
			return -EEXIST;
		}
	} else {
		err = xa_alloc_cyclic(&on->peers, id, NULL, lim, &on->next_id,
				      GFP_KERNEL);
		if (err == -EBUSY) {
			ovpnha_stat_inc(on, OVPNHA_STAT_LIMIT);
			NL_SET_ERR_MSG_FMT(extack,
					   "no free peer id in the block of node %u",
					   on->node_id);
			return -ENOSPC;
		}
		if (err > 0)	/* wrapped round */
			err = 0;
	}
	if (err == -ENOMEM)
		ovpnha_stat_inc(on, OVPNHA_STAT_NOMEM);
	return err;
}

int ovpnha_peer_new(struct ovpnha_net *on, const struct ovpnha_peer_cfg *cfg,
		    struct ovpnha_peer **out, struct netlink_ext_ack *extack)
{
	struct ovpnha_peer *peer, *other;
	struct ovpnha_endpoint ep;
	u32 id = cfg->id;
	u64 now;
	int err;

	lockdep_assert_held(&on->lock);

	if (on->n_peers >= ovpnha_max_peers) {
		ovpnha_stat_inc(on, OVPNHA_STAT_LIMIT);
		NL_SET_ERR_MSG_FMT(extack, "peer table full (max_peers=%u)",
				   ovpnha_max_peers);
		return -ENOSPC;
	}

	err = ovpnha_endpoint_merge(NULL, cfg, &ep, extack);
	if (err)
		return err;
	if (ep.family) {
		other = ovpnha_endpoint_find(on, &ep);
		if (other) {
			ovpnha_endpoint_clash(on, other, &ep, extack);
			return -EEXIST;
		}
	}

	err = ovpnha_peer_reserve_id(on, &id, extack);
	if (err)
		return err;

	peer = kmem_cache_zalloc(ovpnha_peer_cache, GFP_KERNEL);
	if (!peer) {
		xa_release(&on->peers, id);
		ovpnha_stat_inc(on, OVPNHA_STAT_NOMEM);
		return -ENOMEM;
	}
	atomic64_inc(&ovpnha_peers_alloc_cnt);
	INIT_LIST_HEAD(&peer->lpm_list);
	kref_init(&peer->refcount);
	peer->id = id;
	peer->remote = ep;
	strscpy(peer->cn, cfg->cn, sizeof(peer->cn));
	peer->origin = cfg->has_origin ? cfg->origin : on->node_id;
	now = ktime_get_real_ns();
	peer->created = cfg->has_created ? cfg->created : now;
	peer->updated = now;
	peer->rx_bytes = cfg->rx_bytes;
	peer->tx_bytes = cfg->tx_bytes;

	if (cfg->has_vpn4 && cfg->vpn4) {
		err = ovpnha_vpn_insert(on, peer, AF_INET, &cfg->vpn4, extack);
		if (err)
			goto err_unlink;
		peer->vpn4 = cfg->vpn4;
		peer->flags |= OVPNHA_PEER_VPN4;
	}
	if (cfg->has_vpn6 && !ipv6_addr_any(&cfg->vpn6)) {
		err = ovpnha_vpn_insert(on, peer, AF_INET6, &cfg->vpn6, extack);
		if (err)
			goto err_unlink;
		peer->vpn6 = cfg->vpn6;
		peer->flags |= OVPNHA_PEER_VPN6;
	}
	if (ep.family) {
		err = rhashtable_insert_fast(&on->endpoints, &peer->ep_node,
					     ovpnha_ep_params);
		if (err) {
			ovpnha_stat_inc(on, OVPNHA_STAT_NOMEM);
			goto err_unlink;
		}
	}

	/* Replaces the reserved slot: no allocation, cannot fail. */
	xa_store(&on->peers, id, peer, GFP_KERNEL);
	WRITE_ONCE(on->n_peers, on->n_peers + 1);
	ovpnha_stat_inc(on, OVPNHA_STAT_PEER_NEW);
	*out = peer;
	return 0;

err_unlink:
	ovpnha_lpm_remove_by_peer(&on->lpm, peer, &on->lock);
	xa_release(&on->peers, id);
	/* Lookups may have seen its addresses: free after RCU. */
	ovpnha_peer_put(peer);
	return err;
}

int ovpnha_peer_set(struct ovpnha_net *on, struct ovpnha_peer *peer,
		    const struct ovpnha_peer_cfg *cfg,
		    struct netlink_ext_ack *extack)
{
	bool add4 = false, add6 = false, del4 = false, del6 = false;
	struct ovpnha_endpoint ep, old_ep;
	struct ovpnha_peer *other;
	bool ep_changed;
	int err;

	lockdep_assert_held(&on->lock);

	err = ovpnha_endpoint_merge(peer, cfg, &ep, extack);
	if (err)
		return err;
	ep_changed = memcmp(&ep, &peer->remote, sizeof(ep));
	if (ep_changed && ep.family) {
		other = ovpnha_endpoint_find(on, &ep);
		if (other && other != peer) {
			ovpnha_endpoint_clash(on, other, &ep, extack);
			return -EEXIST;
		}
	}

	if (cfg->has_vpn4) {
		bool had = peer->flags & OVPNHA_PEER_VPN4;

		add4 = cfg->vpn4 && (!had || cfg->vpn4 != peer->vpn4);
		del4 = had && (!cfg->vpn4 || cfg->vpn4 != peer->vpn4);
	}
	if (cfg->has_vpn6) {
		bool had = peer->flags & OVPNHA_PEER_VPN6;
		bool same = ipv6_addr_equal(&cfg->vpn6, &peer->vpn6);

		add6 = !ipv6_addr_any(&cfg->vpn6) && (!had || !same);
		del6 = had && (ipv6_addr_any(&cfg->vpn6) || !same);
	}

	/* Everything that can fail first, each undone if a later one does. */
	if (add4) {
		err = ovpnha_vpn_insert(on, peer, AF_INET, &cfg->vpn4, extack);
		if (err)
			return err;
	}
	if (add6) {
		err = ovpnha_vpn_insert(on, peer, AF_INET6, &cfg->vpn6, extack);
		if (err)
			goto undo4;
	}
	if (ep_changed) {
		old_ep = peer->remote;
		if (old_ep.family)
			rhashtable_remove_fast(&on->endpoints, &peer->ep_node,
					       ovpnha_ep_params);
		peer->remote = ep;
		if (ep.family) {
			err = rhashtable_insert_fast(&on->endpoints,
						     &peer->ep_node,
						     ovpnha_ep_params);
			if (err) {
				ovpnha_stat_inc(on, OVPNHA_STAT_NOMEM);
				peer->remote = old_ep;
				if (old_ep.family)
					WARN_ON(rhashtable_insert_fast(&on->endpoints,
								       &peer->ep_node,
								       ovpnha_ep_params));
				goto undo6;
			}
		}
	}

	/* Commit: nothing below fails. */
	if (del4)
		ovpnha_vpn_remove(on, peer, AF_INET, &peer->vpn4);
	if (del6)
		ovpnha_vpn_remove(on, peer, AF_INET6, &peer->vpn6);
	if (cfg->has_vpn4) {
		peer->vpn4 = cfg->vpn4;
		if (cfg->vpn4)
			peer->flags |= OVPNHA_PEER_VPN4;
		else
			peer->flags &= ~OVPNHA_PEER_VPN4;
	}
	if (cfg->has_vpn6) {
		peer->vpn6 = cfg->vpn6;
		if (!ipv6_addr_any(&cfg->vpn6))
			peer->flags |= OVPNHA_PEER_VPN6;
		else
			peer->flags &= ~OVPNHA_PEER_VPN6;
	}
	if (cfg->cn)
		strscpy(peer->cn, cfg->cn, sizeof(peer->cn));
	if (cfg->has_origin)
		peer->origin = cfg->origin;
	if (cfg->has_created)
		peer->created = cfg->created;
	if (cfg->has_rx_bytes)
		peer->rx_bytes = cfg->rx_bytes;
	if (cfg->has_tx_bytes)
		peer->tx_bytes = cfg->tx_bytes;
	peer->updated = ktime_get_real_ns();
	return 0;

undo6:
	if (add6)
		ovpnha_vpn_remove(on, peer, AF_INET6, &cfg->vpn6);
undo4:
	if (add4)
		ovpnha_vpn_remove(on, peer, AF_INET, &cfg->vpn4);
	return err;
}

void ovpnha_peer_unlink(struct ovpnha_net *on, struct ovpnha_peer *peer)
{
	u32 n_iroutes = peer->n_iroutes;

	lockdep_assert_held(&on->lock);

	xa_erase(&on->peers, peer->id);
	if (peer->remote.family)
		rhashtable_remove_fast(&on->endpoints, &peer->ep_node,
				       ovpnha_ep_params);
	ovpnha_lpm_remove_by_peer(&on->lpm, peer, &on->lock);
	ovpnha_flow_peer_gone(on, peer);
	WRITE_ONCE(on->n_iroutes, on->n_iroutes - n_iroutes);
	WRITE_ONCE(on->n_peers, on->n_peers - 1);
	ovpnha_stat_inc(on, OVPNHA_STAT_PEER_DEL);
	ovpnha_stat_add(on, OVPNHA_STAT_IROUTE_DEL, n_iroutes);
}

u32 ovpnha_peer_flush(struct ovpnha_net *on)
{
	struct ovpnha_peer *peer;
	unsigned long id;
	u32 n = 0;

	lockdep_assert_held(&on->lock);

	xa_for_each(&on->peers, id, peer) {
		ovpnha_peer_unlink(on, peer);
		ovpnha_peer_put(peer);
		if (!(++n % OVPNHA_FLUSH_BATCH))
			cond_resched();
	}
	return n;
}

int ovpnha_iroute_add(struct ovpnha_net *on, struct ovpnha_peer *peer,
		      int family, const void *addr, u8 cidr,
		      struct netlink_ext_ack *extack)
{
	struct ovpnha_peer *owner = NULL;
	int err;

	lockdep_assert_held(&on->lock);

	if (on->n_iroutes >= ovpnha_max_iroutes) {
		ovpnha_stat_inc(on, OVPNHA_STAT_LIMIT);
		NL_SET_ERR_MSG_FMT(extack, "iroute table full (max_iroutes=%u)",
				   ovpnha_max_iroutes);
		return -ENOSPC;
	}
	err = ovpnha_lpm_insert(&on->lpm, family, addr, cidr, peer, false,
				&owner, &on->lock);
	if (err)
		return ovpnha_lpm_err(on, err, family, addr, cidr, owner,
				      extack);
	WRITE_ONCE(on->n_iroutes, on->n_iroutes + 1);
	ovpnha_stat_inc(on, OVPNHA_STAT_IROUTE_NEW);
	return 0;
}

struct ovpnha_owner_walk {
	int family;
	const void *addr;
	u8 cidr;
	bool found;
};

static int ovpnha_owner_walk_fn(void *ctx, int family, const u8 *addr,
				u8 cidr, bool vpn_addr)
{
	struct ovpnha_owner_walk *w = ctx;

	w->found = !vpn_addr && family == w->family && cidr == w->cidr &&
		   !memcmp(addr, w->addr, family == AF_INET ? 4 : 16);
	return w->found;
}

/*
 * The peer owning the iroute @addr/@cidr (host bits clear), or NULL.  The
 * longest-prefix match of the network address finds it unless a longer
 * prefix covers that address too; then the peers' lists are walked.
 */
static struct ovpnha_peer *ovpnha_iroute_owner(struct ovpnha_net *on,
					       int family, const void *addr,
					       u8 cidr)
{
	struct ovpnha_owner_walk w = {
		.family = family, .addr = addr, .cidr = cidr,
	};
	struct ovpnha_lpm_match m;
	struct ovpnha_peer *peer;
	unsigned long id;
	bool found;

	lockdep_assert_held(&on->lock);

	rcu_read_lock();
	found = ovpnha_lpm_lookup(&on->lpm, family, addr, &m);
	rcu_read_unlock();
	if (!found)
		return NULL;
	if (m.cidr == cidr)
		return m.vpn_addr ? NULL : m.peer;
	if (m.cidr < cidr)
		return NULL;

	xa_for_each(&on->peers, id, peer) {
		if (!peer->n_iroutes)
			continue;
		ovpnha_lpm_walk_peer(peer, 0, ovpnha_owner_walk_fn, &w);
		if (w.found)
			return peer;
		cond_resched();
	}
	return NULL;
}

int ovpnha_iroute_del(struct ovpnha_net *on, int family, const void *addr,
		      u8 cidr, u32 peer_id, struct ovpnha_peer **ownerp,
		      struct netlink_ext_ack *extack)
{
	struct ovpnha_peer *owner;
	int err;

	lockdep_assert_held(&on->lock);

	owner = ovpnha_iroute_owner(on, family, addr, cidr);
	if (!owner) {
		if (family == AF_INET)
			NL_SET_ERR_MSG_FMT(extack,
					   "prefix %pI4/%u is not routed",
					   addr, cidr);
		else
			NL_SET_ERR_MSG_FMT(extack,
					   "prefix %pI6c/%u is not routed",
					   addr, cidr);
		return -ENOENT;
	}
	if (peer_id && owner->id != peer_id) {
		if (family == AF_INET)
			NL_SET_ERR_MSG_FMT(extack,
					   "prefix %pI4/%u belongs to peer %u",
					   addr, cidr, owner->id);
		else
			NL_SET_ERR_MSG_FMT(extack,
					   "prefix %pI6c/%u belongs to peer %u",
					   addr, cidr, owner->id);
		return -EPERM;
	}
	err = ovpnha_lpm_remove(&on->lpm, family, addr, cidr, owner, false,
				&on->lock);
	if (WARN_ON(err))
		return err;
	WRITE_ONCE(on->n_iroutes, on->n_iroutes - 1);
	ovpnha_stat_inc(on, OVPNHA_STAT_IROUTE_DEL);
	*ownerp = owner;
	return 0;
}

int ovpnha_peer_cache_init(void)
{
	ovpnha_peer_cache = KMEM_CACHE(ovpnha_peer, 0);
	return ovpnha_peer_cache ? 0 : -ENOMEM;
}

void ovpnha_peer_cache_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(ovpnha_peer_cache);
}
