// SPDX-License-Identifier: GPL-2.0
/*
 * ovpnha-openvpn.so: the OpenVPN hooks of `ovpnhactl openvpn` as an OpenVPN
 * plugin, run inside the server process instead of as programs.
 *
 *   plugin /usr/local/lib/openvpn/ovpnha-openvpn.so [--strict]
 *
 * OpenVPN blocks while a hook program runs: a fork, an exec, a dynamic
 * link and a netlink round trip per learn-address, client-connect and
 * client-disconnect.  On a busy node (at takeover the cluster manager's
 * notify script runs at the same moment) that held the server long enough
 * for a reconnecting client's ping-restart to fire.  In the plugin a hook
 * is the same code, called directly: the same checks, the same messages
 * (on OpenVPN's stderr, i.e. in its log), the same results.
 *
 * Each call gets the per-client environment OpenVPN would pass to the
 * program, and the program's arguments; the hook code reads the
 * environment with getenv(), so environ points at the call's environment
 * for the duration of the call (OpenVPN calls plugins from its single
 * thread).  Exit status 0 is success; anything else rejects the address or
 * the client, exactly as a hook program's exit status would.
 */
#include <openvpn/openvpn-plugin.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovpnhactl.h"

#define PLUGIN_MAX_ARGS	16

extern char **environ;

struct ovpnha_plugin {
	bool strict;
};

static int call_hook(const struct ovpnha_plugin *p, const char *hook,
		     const char **argv, const char **envp)
{
	char *av[PLUGIN_MAX_ARGS + 5];
	char **saved = environ;
	int ac = 0, ret;

	av[ac++] = "ovpnhactl";
	av[ac++] = "openvpn";
	if (p->strict)
		av[ac++] = "--strict";
	av[ac++] = (char *)hook;
	/* argv[0] is the plugin's path; the hook's arguments follow. */
	for (int i = 1; argv && argv[i] && i <= PLUGIN_MAX_ARGS; i++)
		av[ac++] = (char *)argv[i];
	av[ac] = NULL;
	environ = (char **)envp;
	ret = cli_main(ac, av);
	environ = saved;
	fflush(stderr);
	return ret ? OPENVPN_PLUGIN_FUNC_ERROR : OPENVPN_PLUGIN_FUNC_SUCCESS;
}

OPENVPN_EXPORT int
openvpn_plugin_open_v3(const int version,
		       struct openvpn_plugin_args_open_in const *in,
		       struct openvpn_plugin_args_open_return *out)
{
	struct ovpnha_plugin *p;

	if (version < OPENVPN_PLUGINv3_STRUCTVER)
		return OPENVPN_PLUGIN_FUNC_ERROR;
	p = calloc(1, sizeof(*p));
	if (!p)
		return OPENVPN_PLUGIN_FUNC_ERROR;
	for (int i = 1; in->argv[i]; i++) {
		if (!strcmp(in->argv[i], "--strict")) {
			p->strict = true;
		} else {
			fprintf(stderr, "ovpnha-openvpn: unknown plugin argument \"%s\" (only --strict)\n",
				in->argv[i]);
			free(p);
			return OPENVPN_PLUGIN_FUNC_ERROR;
		}
	}
	/*
	 * client-connect v1 gets the dynamic configuration file as its
	 * argument, like the hook program.
	 */
	out->type_mask = OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_LEARN_ADDRESS) |
			 OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_CLIENT_CONNECT) |
			 OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_CLIENT_DISCONNECT);
	out->handle = (openvpn_plugin_handle_t)p;
	return OPENVPN_PLUGIN_FUNC_SUCCESS;
}

OPENVPN_EXPORT int
openvpn_plugin_func_v3(const int version,
		       struct openvpn_plugin_args_func_in const *in,
		       struct openvpn_plugin_args_func_return *ret)
{
	const struct ovpnha_plugin *p = (const void *)in->handle;

	(void)ret;
	if (version < OPENVPN_PLUGINv3_STRUCTVER)
		return OPENVPN_PLUGIN_FUNC_ERROR;
	switch (in->type) {
	case OPENVPN_PLUGIN_LEARN_ADDRESS:
		return call_hook(p, "learn-address", in->argv, in->envp);
	case OPENVPN_PLUGIN_CLIENT_CONNECT:
		return call_hook(p, "client-connect", in->argv, in->envp);
	case OPENVPN_PLUGIN_CLIENT_DISCONNECT:
		return call_hook(p, "client-disconnect", in->argv, in->envp);
	default:
		return OPENVPN_PLUGIN_FUNC_SUCCESS;
	}
}

OPENVPN_EXPORT void
openvpn_plugin_close_v1(openvpn_plugin_handle_t handle)
{
	free(handle);
}
