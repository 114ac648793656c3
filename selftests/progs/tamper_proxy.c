// SPDX-License-Identifier: GPL-2.0
/*
 * tamper_proxy - a TCP relay that flips one bit on the wire: in the first
 * connection it relays, the byte at offset OFFSET of the client-to-server
 * direction is XORed with 0x01.  For the replication tests: TLS must turn
 * that into a broken session, never into a wrong table.
 *
 *   tamper_proxy LISTEN_IP PORT TARGET_IP PORT OFFSET
 *
 * Prints one line per connection and per flipped byte; runs until killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXC 16

struct pair {
	int c, s;		/* client side, server side */
	unsigned long long up;	/* bytes relayed client -> server */
	int n;			/* connection number */
};

static struct sockaddr_in addr(const char *ip, const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	a.sin_port = htons((unsigned short)atoi(port));
	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "tamper_proxy: bad address %s\n", ip);
		exit(2);
	}
	return a;
}

int main(int argc, char **argv)
{
	struct pair p[MAXC];
	struct sockaddr_in la, ta;
	unsigned long long off;
	int lfd, one = 1, np = 0, conns = 0;
	char buf[16384];

	if (argc != 6) {
		fputs("usage: tamper_proxy LISTEN_IP PORT TARGET_IP PORT OFFSET\n",
		      stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	la = addr(argv[1], argv[2]);
	ta = addr(argv[3], argv[4]);
	off = strtoull(argv[5], NULL, 10);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&la, sizeof(la)) || listen(lfd, 8)) {
		perror("tamper_proxy: listen");
		return 1;
	}
	for (;;) {
		struct pollfd fds[1 + 2 * MAXC];
		int n = 1;

		fds[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < np; i++) {
			fds[n++] = (struct pollfd){ .fd = p[i].c, .events = POLLIN };
			fds[n++] = (struct pollfd){ .fd = p[i].s, .events = POLLIN };
		}
		if (poll(fds, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		/* Only the pairs polled above have valid revents. */
		int polled = np;

		if (fds[0].revents && np < MAXC) {
			int c = accept(lfd, NULL, NULL), s;

			if (c >= 0) {
				s = socket(AF_INET, SOCK_STREAM, 0);
				if (connect(s, (struct sockaddr *)&ta, sizeof(ta))) {
					close(c);
					close(s);
				} else {
					p[np++] = (struct pair){ .c = c, .s = s,
								 .n = ++conns };
					printf("connection %d\n", conns);
				}
			}
		}
		for (int i = 0, k = 1; i < polled; i++, k += 2) {
			for (int dir = 0; dir < 2; dir++) {
				int from = dir ? p[i].s : p[i].c;
				int to = dir ? p[i].c : p[i].s;
				ssize_t r;

				if (!(fds[k + dir].revents & (POLLIN | POLLHUP | POLLERR)))
					continue;
				r = read(from, buf, sizeof(buf));
				if (r <= 0) {
					close(p[i].c);
					close(p[i].s);
					p[i].c = p[i].s = -1;
					break;
				}
				if (!dir && p[i].n == 1 && off >= p[i].up &&
				    off < p[i].up + (unsigned long long)r) {
					buf[off - p[i].up] ^= 0x01;
					printf("flipped byte %llu of connection 1\n",
					       off);
				}
				if (!dir)
					p[i].up += (unsigned long long)r;
				if (write(to, buf, (size_t)r) != r) {
					close(p[i].c);
					close(p[i].s);
					p[i].c = p[i].s = -1;
					break;
				}
			}
		}
		for (int i = 0; i < np;)
			if (p[i].c < 0)
				p[i] = p[--np];
			else
				i++;
	}
}
