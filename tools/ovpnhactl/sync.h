/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ovpnhactl sync`: the replication daemon (Documentation/sync.rst).
 *
 * One thread, one poll() loop.  Each node dials every configured node and
 * streams its own changes over that connection (the "out" stream: HELLO,
 * a snapshot, then deltas); it accepts the other nodes' connections and
 * applies what they stream (the "in" stream).  The kernel's event group
 * feeds the mirror (sync_table.h); changes whose origin is this node are
 * forwarded, everything else was applied by this daemon or is local-only.
 *
 * Files: sync.c (CLI, loop, connections, out streams), sync_apply.c
 * (in streams: applying, resync, reconciliation), sync_status.c (the status
 * socket and `sync status`).
 */
#ifndef OVPNHACTL_SYNC_H
#define OVPNHACTL_SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <openssl/ssl.h>

#include "sync_conf.h"
#include "sync_kern.h"
#include "sync_table.h"
#include "sync_wire.h"

enum conn_state { C_CONNECTING, C_HANDSHAKE, C_UP };
enum rx_state { RX_NONE, RX_HELLO, RX_WAIT_SNAP, RX_SNAP, RX_DELTA };

struct node;

struct conn {
	int fd;
	SSL *ssl;
	bool outbound;
	enum conn_state state;
	struct node *node;		/* NULL until identified (inbound) */
	struct sbuf in, out;
	size_t wlen;			/* an SSL_write to repeat, or 0 */
	uint64_t q_added, q_sent;	/* bytes ever queued / written */
	uint64_t snap_end;		/* q_added after the last snapshot */
	uint64_t last_rx, last_tx;	/* ms */
	uint64_t started;
	bool hello_seen;
	bool more;			/* input left to handle */
	struct conn *next;		/* unidentified inbound list */
};

struct node {
	const struct sync_peer_conf *conf;
	uint32_t node_id;		/* from its HELLO */
	uint64_t instance;
	char last_error[160];
	uint64_t errors;

	/* out: our stream to it */
	struct conn *tx;
	uint64_t next_try, backoff;
	uint64_t tx_connects, tx_resyncs, tx_dropped, tx_bytes, tx_frames;
	uint64_t sent_seq, acked_seq, snap_seq;
	bool snap_acked, overflow, resync_pending;

	/* in: its stream to us */
	struct conn *rx;
	enum rx_state rx_state;
	uint64_t rx_seq;		/* last applied */
	uint64_t rx_acked;		/* last seq we acknowledged */
	uint32_t rx_epoch;
	bool rx_master;			/* its last frame: SYNC_F_MASTER */
	uint64_t rx_role_ms;		/* when that frame came */
	uint64_t rx_connects, rx_resyncs, rx_gaps, rx_rejected, rx_errors;
	uint64_t rx_applied, rx_bytes, rx_frames;
	uint64_t snap_seq_in;
	uint32_t snap_peers, snap_routes;
	struct kset seen;
	uint64_t snap_started;
	double last_resync_ms;
	/*
	 * A change that could not be applied because of a local entry in
	 * the way (EEXIST) or a missing parent (ENOENT): a fresh snapshot is
	 * asked for at heal_at, by when the local side has usually caught up
	 * (a client that moved: its old node deletes the stale peer a moment
	 * after the new node announced it).  Backoff 1 s doubling to 30 s.
	 */
	uint64_t heal_at, heal_backoff, heal_last, rx_heals;
};

struct daemon {
	struct sync_conf conf;
	struct kern k;
	SSL_CTX *ctx;
	struct mirror m;
	int listen_fd, status_fd;
	uint32_t node_id;
	uint32_t epoch;			/* 0 until the module has one */
	uint8_t role;			/* enum ovpnha_role of the module */
	uint8_t wanted;			/* ... as the cluster manager set it */
	uint64_t demoted_ms;		/* stepped down (wanted master) at */
	uint64_t reelections;
	uint64_t instance;
	uint64_t out_seq;		/* our replication sequence */
	uint64_t kseq;			/* last kernel event sequence seen */
	bool replaying;			/* do not forward (reload) */
	bool ev_more;			/* events left to read */
	int nnodes;
	struct node nodes[SYNC_MAX_PEERS];
	struct conn *pending;		/* inbound, not yet identified */
	uint64_t started;

	/* counters */
	uint64_t events, event_overruns, reloads, module_unloads;
	uint64_t handshake_failures, auth_failures, tls_errors;
	uint64_t local_peers;

	/* in-flight kernel batch: what each request was, for retries */
	struct sbuf bctx;
	struct kset batch_ids;
};

uint64_t now_ms(void);
void slog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void node_error(struct node *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* sync.c */
void conn_queue_frame(struct conn *c, const struct sbuf *frame);
void node_send_ctl(struct daemon *d, struct node *n, struct conn *c,
		   uint8_t type, uint64_t seq);
void daemon_reload(struct daemon *d);
/* Kernel events, at most @max (0: all there are). */
int daemon_drain_events(struct daemon *d, unsigned int max);

/* sync_apply.c */
int rx_frame(struct daemon *d, struct node *n, const struct sync_hdr *h,
	     const uint8_t *payload, size_t len);
/* Apply the queued kernel requests; then the events they caused. */
void apply_flush(struct daemon *d);
void rx_reset(struct node *n);
/* Called from the timers: ask for the snapshot a failed apply wanted. */
void rx_heal(struct daemon *d, struct node *n, uint64_t now);

/* sync_status.c */
int status_listen(struct daemon *d);
void status_serve(struct daemon *d);
bool node_in_sync(const struct node *n);
int do_sync_status(const char *conf_path, const char *sock_path);

/* The CLI entry points (also declared in ovpnhactl.h). */
int do_sync(int argc, char **argv);
void help_sync(FILE *f);

#endif
