// SPDX-License-Identifier: GPL-2.0
/*
 * ovpnhactl switchover: a planned hand-over of the master role.
 *
 * keepalived moves the VIPs when this node leaves master; the switchover
 * file is a keepalived track_file with weight 0, so a non-zero value puts
 * the VRRP instances in FAULT at once (a priority-0 advert: the backup
 * takes over without waiting for the master-down timer).
 *
 * The clients are told first.  "client-kill CID RESTART" makes the local
 * OpenVPN server send a RESTART control message, and a client that gets
 * it reconnects after its restart pause (one second by default), by which
 * time the VIP is on the other node.  Telling them after the VIP has gone
 * is too late: this node can no longer reach them from the VIP, and they
 * would find out by ping-restart whole seconds later.
 */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "nl.h"
#include "ovpnhactl.h"
#include "role.h"
#include "util.h"

#define SWITCHOVER_FILE	"/run/ovpnha/switchover"
#define MGMT_MAX	8

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int write_file(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f || fputs(value, f) < 0) {
		err = errno;
		if (f)
			fclose(f);
		fprintf(stderr, "ovpnhactl: switchover: cannot write %s: %s\n",
			path, strerror(err));
		return EXIT_FAIL;
	}
	if (fclose(f)) {
		fprintf(stderr, "ovpnhactl: switchover: cannot write %s: %s\n",
			path, strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* unix:PATH, /PATH or HOST:PORT; the fd or -1 (reason on stderr). */
static int mgmt_connect(const char *addr)
{
	const char *path = !strncmp(addr, "unix:", 5) ? addr + 5 :
			   addr[0] == '/' ? addr : NULL;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char host[256];
	const char *colon;
	int fd = -1, r;

	if (path) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		if (strlen(path) >= sizeof(sun.sun_path)) {
			fprintf(stderr, "ovpnhactl: switchover: socket path too long: %s\n", path);
			return -1;
		}
		memcpy(sun.sun_path, path, strlen(path) + 1);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
			close(fd);
			fd = -1;
		}
	} else if ((colon = strrchr(addr, ':')) && colon - addr < (long)sizeof(host)) {
		memcpy(host, addr, (size_t)(colon - addr));
		host[colon - addr] = '\0';
		if (host[0] == '[' && strlen(host) > 2 && host[strlen(host) - 1] == ']') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		r = getaddrinfo(host, colon + 1, &hints, &res);
		if (r) {
			fprintf(stderr, "ovpnhactl: switchover: management %s: %s\n", addr, gai_strerror(r));
			return -1;
		}
		for (ai = res; ai && fd < 0; ai = ai->ai_next) {
			fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
			if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
				close(fd);
				fd = -1;
			}
		}
		freeaddrinfo(res);
	} else {
		fprintf(stderr, "ovpnhactl: switchover: invalid management address \"%s\" (unix:PATH or HOST:PORT)\n", addr);
		return -1;
	}
	if (fd < 0)
		fprintf(stderr, "ovpnhactl: switchover: cannot connect to management %s: %s\n",
			addr, strerror(errno));
	return fd;
}

/* One line (without the newline) into @buf; 0, or -1 on EOF/timeout. */
static int mgmt_line(int fd, char *buf, size_t len, char *pend, size_t *plen)
{
	for (;;) {
		char *nl = memchr(pend, '\n', *plen);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - pend);

			if (l && pend[l - 1] == '\r')
				l--;
			if (l >= len)
				l = len - 1;
			memcpy(buf, pend, l);
			buf[l] = '\0';
			*plen -= (size_t)(nl + 1 - pend);
			memmove(pend, nl + 1, *plen);
			return 0;
		}
		if (*plen >= 4095 || poll(&p, 1, 3000) != 1)
			return -1;
		n = read(fd, pend + *plen, 4096 - *plen);
		if (n <= 0)
			return -1;
		*plen += (size_t)n;
	}
}

static int mgmt_send(int fd, const char *cmd)
{
	size_t len = strlen(cmd);

	return write(fd, cmd, len) == (ssize_t)len ? 0 : -1;
}

/*
 * Tells every client of one OpenVPN server to reconnect; returns how many
 * were told, or -1 (reason on stderr).
 */
static int kick_clients(const char *addr)
{
	char pend[4096], line[1024], cmd[64];
	unsigned long cids[4096];
	size_t plen = 0, n = 0;
	int fd = mgmt_connect(addr), told = 0;

	if (fd < 0)
		return -1;
	if (mgmt_send(fd, "status 3\n"))
		goto io;
	for (;;) {
		if (mgmt_line(fd, line, sizeof(line), pend, &plen))
			goto io;
		if (!strcmp(line, "END"))
			break;
		/* CLIENT_LIST CN REAL VIRT VIRT6 RX TX SINCE SINCE_T USER CID ... */
		if (!strncmp(line, "CLIENT_LIST\t", 12) && n < 4096) {
			char *f = line, *tok;
			int col = 0;

			while ((tok = strsep(&f, "\t")) && col < 10)
				col++;
			if (tok && col == 10)
				cids[n++] = strtoul(tok, NULL, 10);
		}
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd), "client-kill %lu RESTART\n", cids[i]);
		if (mgmt_send(fd, cmd))
			goto io;
		do {
			if (mgmt_line(fd, line, sizeof(line), pend, &plen))
				goto io;
		} while (line[0] == '>');	/* real-time notifications */
		if (!strncmp(line, "SUCCESS", 7))
			told++;
		else
			fprintf(stderr, "ovpnhactl: switchover: %s: client %lu: %s\n", addr, cids[i], line);
	}
	mgmt_send(fd, "quit\n");
	close(fd);
	return told;
io:
	fprintf(stderr, "ovpnhactl: switchover: management %s: no answer\n", addr);
	close(fd);
	return -1;
}

static int switchover(int argc, char **argv)
{
	const char *file = SWITCHOVER_FILE, *mgmt[MGMT_MAX];
	uint32_t timeout_ms = 5000, grace_ms = 200;
	struct role_info r;
	uint64_t t0, t_kick, t_role;
	int nmgmt = 0, told = 0, failed = 0, ret;
	bool done = argc && !strcmp(argv[0], "done");

	for (int i = done; i < argc; i++) {
		const char *kw = argv[i], *v;

		if (!(v = arg_value(argc, argv, &i)))
			return EXIT_USAGE;
		if (!strcmp(kw, "file")) {
			file = v;
		} else if (!done && !strcmp(kw, "management")) {
			if (nmgmt == MGMT_MAX)
				return usage_error("at most %d management addresses", MGMT_MAX);
			mgmt[nmgmt++] = v;
		} else if (!done && !strcmp(kw, "timeout")) {
			double s = strtod(v, NULL);

			if (s <= 0 || s > 600)
				return usage_error("invalid timeout \"%s\": not seconds 0..600", v);
			timeout_ms = (uint32_t)(s * 1000);
		} else if (!done && !strcmp(kw, "grace")) {
			char *end;
			double s = strtod(v, &end);

			if (*end || s < 0 || s > 10)
				return usage_error("invalid grace \"%s\": not seconds 0..10", v);
			grace_ms = (uint32_t)(s * 1000);
		} else {
			return usage_error("switchover: unknown argument \"%s\"", kw);
		}
	}
	if (done)
		return write_file(file, "0\n");
	if ((ret = ovnl_open()))
		return ret;
	if ((ret = role_get(&r)))
		return ovnl_report(ret);
	if (r.role != OVPNHA_ROLE_MASTER) {
		fprintf(stderr, "ovpnhactl: switchover: this node is %s, not master: nothing to hand over\n",
			role_name(r.role));
		return EXIT_FAIL;
	}
	t0 = mono_ms();
	for (int i = 0; i < nmgmt; i++) {
		int n = kick_clients(mgmt[i]);

		if (n < 0)
			failed++;
		else
			told += n;
	}
	t_kick = mono_ms() - t0;
	/* let the RESTART messages leave from the VIP before it goes */
	if (told && grace_ms)
		usleep(grace_ms * 1000);
	if ((ret = write_file(file, "1\n")))
		return ret;
	for (;;) {
		if ((ret = role_get(&r)))
			return ovnl_report(ret);
		if (r.role != OVPNHA_ROLE_MASTER)
			break;
		if (mono_ms() - t0 > timeout_ms) {
			write_file(file, "0\n");
			fprintf(stderr, "ovpnhactl: switchover: still master after %u ms: is %s a track_file of the keepalived instances? (reset to 0)\n",
				timeout_ms, file);
			return EXIT_FAIL;
		}
		usleep(10000);
	}
	t_role = mono_ms() - t0;
	if (g_opts.json) {
		printf("{\"role\":\"%s\",\"epoch\":%" PRIu32 ",\"handover_ms\":%" PRIu64
		       ",\"clients_told\":%d,\"management_failed\":%d,\"kick_ms\":%" PRIu64
		       ",\"total_ms\":%" PRIu64 "}\n",
		       role_name(r.role), r.epoch, t_role, told, failed, t_kick, mono_ms() - t0);
	} else {
		printf("switchover: %s after %" PRIu64 " ms; %d client%s told to reconnect",
		       role_name(r.role), t_role, told, told == 1 ? "" : "s");
		if (failed)
			printf(" (%d management interface%s failed)", failed, failed == 1 ? "" : "s");
		printf("\nrun \"ovpnhactl switchover done\" to let this node back into elections\n");
	}
	return failed ? EXIT_FAIL : EXIT_OK;
}

int do_switchover(int argc, char **argv)
{
	if (argc && is_help(argv[0])) {
		help_switchover(stdout);
		return EXIT_OK;
	}
	return switchover(argc, argv);
}

const char help_switchover_text[] =
"  switchover [management ADDR]... [grace SEC] [file PATH] [timeout SEC]\n"
"        Hand the master role to the other node now.  First tell every\n"
"        client of each OpenVPN management interface ADDR (unix:PATH or\n"
"        HOST:PORT) to reconnect (client-kill CID RESTART: they come back\n"
"        after their restart pause, by then to the other node); wait SEC\n"
"        (default 0.2) for those messages to leave; write 1 into PATH\n"
"        (default " SWITCHOVER_FILE "), a keepalived track_file with\n"
"        weight 0, which puts this node's VRRP instances in FAULT; wait\n"
"        (at most SEC, default 5) until the module is no longer master.\n"
"  switchover done [file PATH]\n"
"        Write 0: this node takes part in elections again.\n";

void help_switchover(FILE *f)
{
	fputs("Usage:\n", f);
	fputs(help_switchover_text, f);
}
