// SPDX-License-Identifier: GPL-2.0
/*
 * dnsrace: reproduce the parallel A/AAAA conntrack insert race the way
 * glibc's resolver triggers it - the A and the AAAA query of one lookup
 * leave one UDP socket at the same instant - and count lookups that lost a
 * reply.
 *
 *   dnsrace [-m threads|sendmmsg|burst] [-r ROUNDS] [-n THREADS]
 *           [-t TIMEOUT_MS] [-q NAME] [-j] SERVER [PORT]
 *
 * threads   (default) two threads released together (a barrier, then a
 *           spinning rendezvous) each
 *           send one query of the pair on the shared socket;
 * sendmmsg  both queries in one sendmmsg() call (what glibc does);
 * burst     THREADS threads (default 128) released at once, two per socket
 *           (A and AAAA), i.e. THREADS/2 lookups racing per round.
 *
 * A round is lost when any reply of any of its lookups has not arrived
 * within TIMEOUT_MS (default 2000).  Output, one line:
 *   mode=M rounds=R lookups=L lost_lookups=X lost_replies=Y replies=Z ms=T
 * or the same as a JSON object with -j.  Exit 0 when the run completed
 * (whatever was lost), 1 on a system error, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define QTYPE_A		1
#define QTYPE_AAAA	28
#define MAX_THREADS	512
#define QUERY_MAX	300

enum mode { MODE_THREADS, MODE_SENDMMSG, MODE_BURST };

struct query {
	uint8_t buf[QUERY_MAX];
	size_t len;
};

struct lookup {
	int fd;
	struct query q[2];		/* A, AAAA */
	uint16_t id[2];
	bool got[2];
};

struct worker {
	pthread_t tid;
	struct lookup *lk;
	int which;			/* 0: A, 1: AAAA */
	int cpu;			/* where the last query left */
	struct timespec sent;		/* and when */
};

static pthread_barrier_t start_bar, done_bar;
static volatile bool stop_workers;
/*
 * The futex barrier wakes the workers one by one, far apart under
 * emulation; so after it they also meet at a spinning rendezvous and send
 * the moment the last one arrives.
 */
static atomic_uint arrived;
static unsigned int nworkers_total;
static struct lookup *lookups;
static int nlookups;
static const char *qname = "race.test";
static uint16_t next_id;

static size_t build_query(uint8_t *b, uint16_t id, uint16_t qtype)
{
	const char *p = qname;
	size_t n = 12;

	memset(b, 0, 12);
	b[0] = id >> 8;
	b[1] = id & 0xff;
	b[2] = 0x01;			/* RD */
	b[5] = 1;			/* QDCOUNT */
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		if (l == 0 || l > 63 || n + l + 6 > QUERY_MAX)
			return 0;
		b[n++] = (uint8_t)l;
		memcpy(b + n, p, l);
		n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	b[n++] = 0;
	b[n++] = qtype >> 8;
	b[n++] = qtype & 0xff;
	b[n++] = 0;
	b[n++] = 1;			/* IN */
	return n;
}

static void prepare(struct lookup *lk)
{
	for (int k = 0; k < 2; k++) {
		lk->id[k] = ++next_id;
		lk->got[k] = false;
		lk->q[k].len = build_query(lk->q[k].buf, lk->id[k],
					   k ? QTYPE_AAAA : QTYPE_A);
	}
}

static void send_one(struct lookup *lk, int k)
{
	if (send(lk->fd, lk->q[k].buf, lk->q[k].len, 0) < 0 &&
	    errno != ECONNREFUSED)
		perror("dnsrace: send");
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned int round = 0;

	for (;;) {
		unsigned int want, spins = 0;

		pthread_barrier_wait(&start_bar);
		if (stop_workers)
			return NULL;
		want = ++round * nworkers_total;
		atomic_fetch_add(&arrived, 1);
		while (atomic_load(&arrived) < want)
			if (++spins % 4096 == 0)
				sched_yield();	/* a worker waits for our CPU */
		clock_gettime(CLOCK_MONOTONIC, &w->sent);
		send_one(w->lk, w->which);
		w->cpu = sched_getcpu();
		pthread_barrier_wait(&done_bar);
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads replies until every query of the round answered or the timeout. */
static int collect(int timeout_ms, int *replies)
{
	struct pollfd pfd[MAX_THREADS / 2];
	uint64_t end = now_ms() + timeout_ms;
	int missing = 2 * nlookups;

	for (int i = 0; i < nlookups; i++) {
		pfd[i].fd = lookups[i].fd;
		pfd[i].events = POLLIN;
	}
	while (missing > 0) {
		uint64_t now = now_ms();
		int n;

		if (now >= end)
			break;
		n = poll(pfd, nlookups, (int)(end - now));
		if (n < 0 && errno != EINTR)
			return -1;
		for (int i = 0; n > 0 && i < nlookups; i++) {
			struct lookup *lk = &lookups[i];
			uint8_t buf[1500];
			ssize_t len;

			if (!(pfd[i].revents & (POLLIN | POLLERR)))
				continue;
			while ((len = recv(lk->fd, buf, sizeof(buf),
					   MSG_DONTWAIT)) >= 0) {
				uint16_t id;

				if (len < 12 || !(buf[2] & 0x80))
					continue;
				id = (uint16_t)(buf[0] << 8 | buf[1]);
				for (int k = 0; k < 2; k++) {
					if (id == lk->id[k] && !lk->got[k]) {
						lk->got[k] = true;
						missing--;
						(*replies)++;
					}
				}
			}
		}
	}
	return missing;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: dnsrace [-m threads|sendmmsg|burst] [-r ROUNDS] [-n THREADS]\n"
		"               [-t TIMEOUT_MS] [-q NAME] [-j] SERVER [PORT]\n");
	return 2;
}

int main(int argc, char **argv)
{
	int rounds = 100, nthreads = 128, timeout_ms = 2000, opt;
	int lost_lookups = 0, lost_replies = 0, replies = 0, nworkers = 0;
	enum mode mode = MODE_THREADS;
	struct worker workers[MAX_THREADS];
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai;
	const char *port = "53", *mname = "threads";
	bool json = false, verbose = false;
	int same_cpu = 0;
	uint64_t t0;

	while ((opt = getopt(argc, argv, "m:r:n:t:q:jv")) != -1) {
		switch (opt) {
		case 'm':
			mname = optarg;
			if (!strcmp(optarg, "threads"))
				mode = MODE_THREADS;
			else if (!strcmp(optarg, "sendmmsg"))
				mode = MODE_SENDMMSG;
			else if (!strcmp(optarg, "burst"))
				mode = MODE_BURST;
			else
				return usage();
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'n':
			nthreads = atoi(optarg);
			break;
		case 't':
			timeout_ms = atoi(optarg);
			break;
		case 'q':
			qname = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc || argc - optind > 2 || rounds < 1 ||
	    timeout_ms < 1 || nthreads < 2 || nthreads > MAX_THREADS ||
	    nthreads % 2)
		return usage();
	if (argc - optind == 2)
		port = argv[optind + 1];
	if (getaddrinfo(argv[optind], port, &hints, &ai)) {
		fprintf(stderr, "dnsrace: bad server address %s\n",
			argv[optind]);
		return 2;
	}

	nlookups = mode == MODE_BURST ? nthreads / 2 : 1;
	lookups = calloc(nlookups, sizeof(*lookups));
	if (!lookups)
		return 1;
	for (int i = 0; i < nlookups; i++) {
		int fd = socket(ai->ai_family, SOCK_DGRAM, 0);

		if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			perror("dnsrace: socket");
			return 1;
		}
		lookups[i].fd = fd;
	}
	freeaddrinfo(ai);

	if (mode != MODE_SENDMMSG) {
		nworkers = 2 * nlookups;
		nworkers_total = (unsigned int)nworkers;
		pthread_barrier_init(&start_bar, NULL, nworkers + 1);
		pthread_barrier_init(&done_bar, NULL, nworkers + 1);
		for (int i = 0; i < nworkers; i++) {
			workers[i].lk = &lookups[i / 2];
			workers[i].which = i % 2;
			if (pthread_create(&workers[i].tid, NULL, worker_fn,
					   &workers[i])) {
				fprintf(stderr, "dnsrace: cannot start threads\n");
				return 1;
			}
		}
	}

	t0 = now_ms();
	for (int r = 0; r < rounds; r++) {
		int missing;

		for (int i = 0; i < nlookups; i++)
			prepare(&lookups[i]);
		if (mode == MODE_SENDMMSG) {
			struct lookup *lk = &lookups[0];
			struct iovec iov[2] = {
				{ lk->q[0].buf, lk->q[0].len },
				{ lk->q[1].buf, lk->q[1].len },
			};
			struct mmsghdr mm[2];

			memset(mm, 0, sizeof(mm));
			mm[0].msg_hdr.msg_iov = &iov[0];
			mm[0].msg_hdr.msg_iovlen = 1;
			mm[1].msg_hdr.msg_iov = &iov[1];
			mm[1].msg_hdr.msg_iovlen = 1;
			if (sendmmsg(lk->fd, mm, 2, 0) < 0)
				perror("dnsrace: sendmmsg");
		} else {
			pthread_barrier_wait(&start_bar);
			pthread_barrier_wait(&done_bar);
			if (workers[0].cpu == workers[1].cpu)
				same_cpu++;
			if (verbose)
				fprintf(stderr, "round %d: cpus %d %d, apart %ld us\n",
					r, workers[0].cpu, workers[1].cpu,
					labs((workers[0].sent.tv_sec - workers[1].sent.tv_sec) * 1000000L +
					     (workers[0].sent.tv_nsec - workers[1].sent.tv_nsec) / 1000));
		}
		missing = collect(timeout_ms, &replies);
		if (missing < 0) {
			perror("dnsrace: poll");
			return 1;
		}
		lost_replies += missing;
		for (int i = 0; i < nlookups; i++)
			if (!lookups[i].got[0] || !lookups[i].got[1])
				lost_lookups++;
	}

	if (nworkers) {
		stop_workers = true;
		pthread_barrier_wait(&start_bar);
		for (int i = 0; i < nworkers; i++)
			pthread_join(workers[i].tid, NULL);
	}
	if (json)
		printf("{\"mode\":\"%s\",\"rounds\":%d,\"lookups\":%d,"
		       "\"lost_lookups\":%d,\"lost_replies\":%d,"
		       "\"replies\":%d,\"same_cpu_rounds\":%d,\"ms\":%llu}\n",
		       mname, rounds, rounds * nlookups, lost_lookups,
		       lost_replies, replies, same_cpu,
		       (unsigned long long)(now_ms() - t0));
	else
		printf("mode=%s rounds=%d lookups=%d lost_lookups=%d "
		       "lost_replies=%d replies=%d same_cpu_rounds=%d ms=%llu\n",
		       mname, rounds, rounds * nlookups, lost_lookups,
		       lost_replies, replies, same_cpu,
		       (unsigned long long)(now_ms() - t0));
	return 0;
}
