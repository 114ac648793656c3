/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ovpnhactl: command-line control of the ovpnha kernel module.
 *
 * Exit status: 0 success; 1 the kernel refused the request or the system
 * failed (message "Error: ..."); 2 usage error ("ovpnhactl: ..."), and also
 * "no match" of `iroute get`.
 */
#ifndef OVPNHACTL_H
#define OVPNHACTL_H

#include <stdbool.h>
#include <stdio.h>

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_NOMATCH = 2,
};

struct global_opts {
	bool json;		/* -j */
	bool pretty;		/* -p: indent JSON */
	const char *netns;	/* -n NAME */
	unsigned int epoch;	/* -e N: writes carry OVPNHA_A_EPOCH */
};
extern struct global_opts g_opts;

/* The whole program; main() only calls this. */
int cli_main(int argc, char **argv);

/* Run one command line (argv[0] = object) on the open session. */
int run_object(int argc, char **argv);
/* batch.c: run FILE ("-" = stdin) line by line; stop at the first failure
 * unless @force.  batch_split() is exposed for the unit tests.
 */
int run_batch(const char *path, bool force);
int batch_split(char *line, char **argv, int max);

/* "ovpnhactl: <reason>" and the help hint on stderr; returns 2. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The value after keyword argv[*i]: advances *i, or prints a usage error
 * and returns NULL when it is missing.
 */
const char *arg_value(int argc, char **argv, int *i);
/* Usage error unless @bit is new in *seen (keyword given twice). */
int arg_once(unsigned int *seen, unsigned int bit, const char *kw);
/* Is @s one of the help words ("help", "-h", "--help")? */
bool is_help(const char *s);

/* Object handlers: argv[0] is the command word, argc may be 0. */
int do_peer(int argc, char **argv);
int do_iroute(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_info(int argc, char **argv);
int do_config(int argc, char **argv);
int do_tunnel(int argc, char **argv);	/* tunnel.c */
int do_openvpn(int argc, char **argv);	/* openvpn.c: OpenVPN's hooks */
/* tunnel.c: config set enforce on|off */
int config_set_enforce(const char *value);
/* sync.c, sync_status.c: the replication daemon and its status */
int do_sync(int argc, char **argv);
void help_sync(FILE *f);

/* help.c: texts on @f. */
void help_full(FILE *f);
void help_peer(FILE *f);
void help_iroute(FILE *f);
void help_stats(FILE *f);
void help_info(FILE *f);
void help_config(FILE *f);
extern const char help_tunnel_text[], help_openvpn_text[];
void help_tunnel(FILE *f);	/* tunnel.c */
void help_openvpn(FILE *f);	/* openvpn.c */

#endif
