// SPDX-License-Identifier: GPL-2.0
/*
 * ovpnha - high availability and diagnostics for OpenVPN gateways.
 *
 * Module setup and the per-network-namespace state: every namespace has its
 * own peer table, LPM table, counters and /proc/net/stat/ovpnha.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/errno.h>
#include <net/genetlink.h>

#include "main.h"
#include "bench.h"
#include "dnsguard.h"
#include "droptrace.h"
#include "flow.h"
#include "hooks.h"
#include "netlink.h"
#include "peer.h"
#include "stats.h"

#define OVPNHA_DEFAULT_NODE_ID	1

unsigned int ovpnha_net_id __read_mostly;

unsigned int ovpnha_max_peers __read_mostly = 1048576;
module_param_named(max_peers, ovpnha_max_peers, uint, 0444);
MODULE_PARM_DESC(max_peers, "Maximum number of peers per network namespace");

unsigned int ovpnha_max_iroutes __read_mostly = 1048576;
module_param_named(max_iroutes, ovpnha_max_iroutes, uint, 0444);
MODULE_PARM_DESC(max_iroutes,
		 "Maximum number of iroutes per network namespace");

static atomic64_t ovpnha_netns_init_cnt = ATOMIC64_INIT(0);
static atomic64_t ovpnha_netns_exit_cnt = ATOMIC64_INIT(0);

u64 ovpnha_netns_inits(void)
{
	return atomic64_read(&ovpnha_netns_init_cnt);
}

u64 ovpnha_netns_exits(void)
{
	return atomic64_read(&ovpnha_netns_exit_cnt);
}

static int __net_init ovpnha_net_init(struct net *net)
{
	struct ovpnha_net *on = ovpnha_pernet(net);
	int err;

	on->net = net;
	mutex_init(&on->lock);
	on->node_id = OVPNHA_DEFAULT_NODE_ID;
	ovpnha_lpm_init(&on->lpm);
	ovpnha_ha_init(on);
	ovpnha_flow_net_init(on);

	err = ovpnha_peer_table_init(on);
	if (err)
		return err;
	err = ovpnha_stats_init(on);
	if (err) {
		ovpnha_peer_table_free(on);
		return err;
	}
	atomic64_inc(&ovpnha_netns_init_cnt);
	return 0;
}

static void __net_exit ovpnha_net_exit(struct net *net)
{
	struct ovpnha_net *on = ovpnha_pernet(net);

	ovpnha_ha_exit(on);
	ovpnha_flow_net_exit(on);
	ovpnha_peer_table_free(on);
	ovpnha_stats_exit(on);
	mutex_destroy(&on->lock);
	atomic64_inc(&ovpnha_netns_exit_cnt);
}

static struct pernet_operations ovpnha_net_ops = {
	.init	= ovpnha_net_init,
	.exit	= ovpnha_net_exit,
	.id	= &ovpnha_net_id,
	.size	= sizeof(struct ovpnha_net),
};

/*
 * Registered after every subsystem, so that its exit runs before theirs,
 * both in a dying namespace and at module unload (where each subsystem is
 * unregistered, and its state freed, one after the other): every netfilter
 * hook and the drop attribution stop here, before anything they read goes
 * (the flow hooks read the tunnel set, the tunnel hooks sample drops into
 * the drop-trace ring).
 */
static void __net_exit ovpnha_net_quiesce(struct net *net)
{
	struct ovpnha_net *on = ovpnha_pernet(net);

	ovpnha_hooks_net_off(net);
	ovpnha_dnsguard_net_off(net);
	mutex_lock(&on->lock);
	ovpnha_flow_hooks_off(on);
	mutex_unlock(&on->lock);
	ovpnha_droptrace_net_off(net);
}

static struct pernet_operations ovpnha_quiesce_ops = {
	.exit	= ovpnha_net_quiesce,
};

static int __init ovpnha_init(void)
{
	int err;

	err = ovpnha_lpm_cache_init();
	if (err)
		return err;
	/* Debug builds only (a no-op otherwise); it needs the node caches. */
	if (!ovpnha_lpm_selftest()) {
		pr_err("LPM self-test failed\n");
		err = -ENOTRECOVERABLE;
		goto err_lpm;
	}
	err = ovpnha_peer_cache_init();
	if (err)
		goto err_lpm;
	err = register_pernet_subsys(&ovpnha_net_ops);
	if (err)
		goto err_peer;
	err = ovpnha_hooks_init();
	if (err)
		goto err_pernet;
	err = ovpnha_droptrace_init();
	if (err)
		goto err_hooks;
	err = ovpnha_dnsguard_init();
	if (err)
		goto err_droptrace;
	err = register_pernet_subsys(&ovpnha_quiesce_ops);
	if (err)
		goto err_dnsguard;
	err = ovpnha_nl_register();
	if (err)
		goto err_quiesce;

	ovpnha_bench_init();
	pr_info("version %s loaded\n", OVPNHA_VERSION);
	return 0;

err_quiesce:
	unregister_pernet_subsys(&ovpnha_quiesce_ops);
err_dnsguard:
	ovpnha_dnsguard_exit();
err_droptrace:
	ovpnha_droptrace_exit();
err_hooks:
	ovpnha_hooks_exit();
err_pernet:
	unregister_pernet_subsys(&ovpnha_net_ops);
err_peer:
	ovpnha_peer_cache_exit();
err_lpm:
	ovpnha_lpm_cache_exit();
	return err;
}

static void __exit ovpnha_exit(void)
{
	ovpnha_bench_exit();
	ovpnha_nl_unregister();
	unregister_pernet_subsys(&ovpnha_quiesce_ops);
	ovpnha_dnsguard_exit();
	ovpnha_droptrace_exit();
	ovpnha_hooks_exit();
	unregister_pernet_subsys(&ovpnha_net_ops);
	rcu_barrier();
	ovpnha_peer_cache_exit();
	ovpnha_lpm_cache_exit();
	pr_info("unloaded\n");
}

module_init(ovpnha_init);
module_exit(ovpnha_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("High availability and diagnostics for OpenVPN gateways");
MODULE_VERSION(OVPNHA_VERSION);
MODULE_ALIAS_GENL_FAMILY(OVPNHA_FAMILY_NAME);
