// SPDX-License-Identifier: GPL-2.0
/*
 * plugin_drive - load ovpnha-openvpn.so as OpenVPN would and call its hooks
 * in a loop, for a leak check of the plugin under valgrind (OpenVPN keeps a
 * plugin loaded for months; a few bytes lost per client add up).
 *
 *   plugin_drive PLUGIN.so ROUNDS
 *
 * Each round is one client's life: client-connect, learn-address add of
 * its virtual address and of an iroute, learn-address delete of both,
 * client-disconnect; every call must succeed.  Exit 0 when all did.
 */
#include <dlfcn.h>
#include <openvpn/openvpn-plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*open_fn)(int, struct openvpn_plugin_args_open_in const *,
		       struct openvpn_plugin_args_open_return *);
typedef int (*func_fn)(int, struct openvpn_plugin_args_func_in const *,
		       struct openvpn_plugin_args_func_return *);
typedef void (*close_fn)(openvpn_plugin_handle_t);

static func_fn func;
static openvpn_plugin_handle_t handle;

static int call(int type, const char **argv, const char **envp)
{
	struct openvpn_plugin_args_func_in in = {
		.type = type, .argv = argv, .envp = envp, .handle = handle,
	};
	struct openvpn_plugin_args_func_return ret = { 0 };

	return func(OPENVPN_PLUGINv3_STRUCTVER, &in, &ret);
}

int main(int argc, char **argv)
{
	const char *env[] = {
		"common_name=drive", "trusted_ip=192.0.2.77",
		"trusted_port=40000", "proto_1=udp4",
		"ifconfig_pool_remote_ip=10.99.0.7", "time_unix=1700000000",
		"bytes_received=1000", "bytes_sent=2000", NULL,
	};
	const char *oargv[] = { argv[1], NULL };
	const char *cc[] = { argv[1], "/dev/null", NULL };
	const char *dis[] = { argv[1], NULL };
	const char *add[] = { argv[1], "add", "10.99.0.7", "drive", NULL };
	const char *addr[] = { argv[1], "add", "172.29.7.0/24", "drive", NULL };
	const char *del[] = { argv[1], "delete", "10.99.0.7", NULL };
	const char *delr[] = { argv[1], "delete", "172.29.7.0/24", NULL };
	struct openvpn_plugin_args_open_in oin = { .argv = oargv, .envp = env };
	struct openvpn_plugin_args_open_return oret = { 0 };
	open_fn op;
	close_fn cl;
	void *so;
	int rounds, fails = 0;

	if (argc != 3 || (rounds = atoi(argv[2])) <= 0) {
		fputs("usage: plugin_drive PLUGIN.so ROUNDS\n", stderr);
		return 2;
	}
	so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!so) {
		fprintf(stderr, "plugin_drive: %s\n", dlerror());
		return 1;
	}
	op = (open_fn)dlsym(so, "openvpn_plugin_open_v3");
	func = (func_fn)dlsym(so, "openvpn_plugin_func_v3");
	cl = (close_fn)dlsym(so, "openvpn_plugin_close_v1");
	if (!op || !func || !cl ||
	    op(OPENVPN_PLUGINv3_STRUCTVER, &oin, &oret)) {
		fputs("plugin_drive: the plugin did not open\n", stderr);
		dlclose(so);
		return 1;
	}
	handle = oret.handle;
	for (int i = 0; i < rounds; i++) {
		fails += !!call(OPENVPN_PLUGIN_CLIENT_CONNECT, cc, env);
		fails += !!call(OPENVPN_PLUGIN_LEARN_ADDRESS, add, env);
		fails += !!call(OPENVPN_PLUGIN_LEARN_ADDRESS, addr, env);
		fails += !!call(OPENVPN_PLUGIN_LEARN_ADDRESS, delr, env);
		fails += !!call(OPENVPN_PLUGIN_LEARN_ADDRESS, del, env);
		fails += !!call(OPENVPN_PLUGIN_CLIENT_DISCONNECT, dis, env);
	}
	cl(handle);
	dlclose(so);
	printf("plugin_drive: %d rounds, %d failed calls\n", rounds, fails);
	return fails ? 1 : 0;
}
