// SPDX-License-Identifier: GPL-2.0
/* Global options and dispatch to the objects. */
#include <stdarg.h>
#include <string.h>

#include "diag.h"
#include "nl.h"
#include "ovpnhactl.h"
#include "role.h"
#include "util.h"

#ifndef OVPNHA_VERSION
#define OVPNHA_VERSION "unknown"
#endif

struct global_opts g_opts;

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("ovpnhactl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'ovpnhactl help'.\n", stderr);
	return EXIT_USAGE;
}

const char *arg_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		usage_error("missing value after \"%s\"", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

int arg_once(unsigned int *seen, unsigned int bit, const char *kw)
{
	if (*seen & bit)
		return usage_error("\"%s\" given twice", kw);
	*seen |= bit;
	return 0;
}

bool is_help(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "-h") || !strcmp(s, "--help");
}

static const struct object {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*help)(FILE *f);
} objects[] = {
	{ "peer",   do_peer,   help_peer },
	{ "iroute", do_iroute, help_iroute },
	{ "stats",  do_stats,  help_stats },
	{ "info",   do_info,   help_info },
	{ "config", do_config, help_config },
	{ "tunnel", do_tunnel, help_tunnel },
	{ "openvpn", do_openvpn, help_openvpn },
	{ "dnsguard", do_dnsguard, help_dnsguard },
	{ "monitor", do_monitor, help_monitor },
	{ "sync",   do_sync,   help_sync },
	{ "role",   do_role,   help_role },
	{ "vip",    do_vip,    help_vip },
	{ "flow",   do_flow,   help_flow },
	{ "switchover", do_switchover, help_switchover },
};

/*
 * Run one command: argv[0] is the object.  The netlink socket stays open
 * (batch mode runs many commands on it); cli_main() closes it.
 */
int run_object(int argc, char **argv)
{
	for (size_t k = 0; k < sizeof(objects) / sizeof(objects[0]); k++) {
		const struct object *ob = &objects[k];
		int ret;

		if (strcmp(argv[0], ob->name))
			continue;
		if (argc > 1 && is_help(argv[1])) {
			ob->help(stdout);
			return EXIT_OK;
		}
		ret = ob->run(argc - 1, argv + 1);
		if (fflush(stdout) && !ret) {
			perror("ovpnhactl: writing the output");
			ret = EXIT_FAIL;
		}
		return ret;
	}
	return usage_error("unknown object \"%s\"", argv[0]);
}

int cli_main(int argc, char **argv)
{
	const char *batch = NULL;
	bool force = false;
	int i, ret;

	memset(&g_opts, 0, sizeof(g_opts));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "--")) {
			i++;
			break;
		} else if (!strcmp(o, "-j") || !strcmp(o, "--json")) {
			g_opts.json = true;
		} else if (!strcmp(o, "-p") || !strcmp(o, "--pretty")) {
			g_opts.pretty = true;
		} else if (!strcmp(o, "-jp") || !strcmp(o, "-pj")) {
			g_opts.json = g_opts.pretty = true;
		} else if (!strcmp(o, "-n") || !strcmp(o, "--netns")) {
			if (!(g_opts.netns = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
		} else if (!strcmp(o, "-b") || !strcmp(o, "-batch") ||
			   !strcmp(o, "--batch")) {
			if (!(batch = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
		} else if (!strcmp(o, "-f") || !strcmp(o, "-force") ||
			   !strcmp(o, "--force")) {
			force = true;
		} else if (!strcmp(o, "-e") || !strcmp(o, "--epoch")) {
			const char *v = arg_value(argc, argv, &i);
			uint32_t e;

			if (!v)
				return EXIT_USAGE;
			if (parse_u32(v, &e) || !e)
				return usage_error("invalid epoch \"%s\": not a number 1..4294967295", v);
			g_opts.epoch = e;
		} else if (!strncmp(o, "--netns=", 8)) {
			g_opts.netns = o + 8;
		} else if (!strcmp(o, "-V") || !strcmp(o, "--version")) {
			printf("ovpnhactl %s\n", OVPNHA_VERSION);
			return EXIT_OK;
		} else if (is_help(o)) {
			help_full(stdout);
			return EXIT_OK;
		} else {
			return usage_error("unknown option \"%s\"", o);
		}
	}
	if (g_opts.netns && !g_opts.netns[0])
		return usage_error("empty network namespace name");
	if (batch) {
		if (i < argc)
			return usage_error("-b FILE takes no command on the command line");
		ret = run_batch(batch, force);
		ovnl_close();
		return ret;
	}
	if (i >= argc)
		return usage_error("missing object (peer, iroute, stats, info, config)");
	if (is_help(argv[i])) {
		help_full(stdout);
		return EXIT_OK;
	}
	ret = run_object(argc - i, argv + i);
	ovnl_close();
	return ret;
}
