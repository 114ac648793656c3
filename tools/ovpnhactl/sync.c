// SPDX-License-Identifier: GPL-2.0
/*
 * `ovpnhactl sync`: command line, the poll loop, TLS connections, the
 * kernel event stream and the out streams (snapshots and deltas).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <linux/ovpnha.h>

#include "nl.h"
#include "ovpnhactl.h"
#include "sync.h"
#include "sync_tls.h"
#include "util.h"

#define IO_CHUNK	(64 * 1024)
#define MAX_CONNS	(2 * SYNC_MAX_PEERS + 16)
#define EVENTS_MAX	4096	/* kernel events per turn of the loop */

static volatile sig_atomic_t stop_signal;
static bool debug;

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void slog(const char *fmt, ...)
{
	va_list ap;

	fputs("sync: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void node_error(struct node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(n->last_error, sizeof(n->last_error), fmt, ap);
	va_end(ap);
	n->errors++;
	slog("%s: %s", n->conf->name, n->last_error);
}

/* ---------------------------------------------------------------- queue */

static void conn_put(struct conn *c, const void *p, size_t n)
{
	sbuf_put(&c->out, p, n);
	c->q_added += n;
}

void conn_queue_frame(struct conn *c, const struct sbuf *frame)
{
	conn_put(c, frame->p + frame->off, sbuf_avail(frame));
}

/* Bytes of deltas waiting, beyond the last snapshot. */
static uint64_t delta_backlog(const struct conn *c)
{
	uint64_t from = c->q_sent > c->snap_end ? c->q_sent : c->snap_end;

	return c->q_added > from ? c->q_added - from : 0;
}

/* Every frame carries our epoch and whether our module is master. */
static size_t frame_begin(const struct daemon *d, struct sbuf *b,
			  uint8_t type, uint64_t seq)
{
	size_t s = sync_frame_begin(b, type, d->epoch, seq);

	if (d->role == OVPNHA_ROLE_MASTER)
		b->p[s + 6] |= SYNC_F_MASTER;
	return s;
}

void node_send_ctl(struct daemon *d, struct node *n, struct conn *c,
		   uint8_t type, uint64_t seq)
{
	struct sbuf f = { 0 };
	size_t s = frame_begin(d, &f, type, seq);

	if (type == SYNC_T_HELLO) {
		sync_put_str(&f, SYNC_A_NAME, d->conf.name);
		sync_put_u32(&f, SYNC_A_NODE_ID, d->node_id);
		sync_put_u64(&f, SYNC_A_INSTANCE, d->instance);
	}
	sync_frame_end(&f, s);
	conn_queue_frame(c, &f);
	sbuf_free(&f);
	(void)n;
}

/* ------------------------------------------------------------- snapshot */

struct snap_ctx {
	struct daemon *d;
	struct conn *c;
	uint32_t peers, routes;
};

static int snap_peer(struct mpeer *p, void *arg)
{
	struct snap_ctx *s = arg;
	struct daemon *d = s->d;
	struct sbuf *b = &s->c->out;
	size_t before = b->len, f, nest;

	if (p->origin != d->node_id)
		return 0;
	f = frame_begin(d, b, OVPNHA_CMD_PEER_NEW, d->out_seq);
	nest = sync_nest_begin(b, OVPNHA_A_PEER);
	sbuf_put(b, p->attrs, p->alen);
	sync_nest_end(b, nest);
	sync_frame_end(b, f);
	s->peers++;
	for (struct mroute *r = p->routes; r; r = r->pnext) {
		f = frame_begin(d, b, OVPNHA_CMD_IROUTE_NEW, d->out_seq);
		nest = sync_nest_begin(b, OVPNHA_A_IROUTE);
		sync_put_u32(b, OVPNHA_A_IROUTE_PEER_ID, p->id);
		if (r->pfx.family == 4)
			sync_put_attr(b, OVPNHA_A_IROUTE_IPV4, r->pfx.addr, 4);
		else
			sync_put_attr(b, OVPNHA_A_IROUTE_IPV6, r->pfx.addr, 16);
		sync_put_attr(b, OVPNHA_A_IROUTE_PREFIXLEN, &r->pfx.plen, 1);
		sync_nest_end(b, nest);
		sync_frame_end(b, f);
		s->routes++;
	}
	s->c->q_added += b->len - before;
	return 0;
}

/* Queue a whole snapshot of our origin: after it, deltas resume. */
static void send_snapshot(struct daemon *d, struct node *n)
{
	struct snap_ctx s = { .d = d, .c = n->tx };
	struct sbuf *b = &n->tx->out;
	size_t f, before;

	node_send_ctl(d, n, n->tx, SYNC_T_RESYNC_BEGIN, d->out_seq);
	mirror_each_peer(&d->m, snap_peer, &s);
	before = b->len;
	f = frame_begin(d, b, SYNC_T_RESYNC_END, d->out_seq);
	sync_put_u32(b, SYNC_A_PEERS, s.peers);
	sync_put_u32(b, SYNC_A_IROUTES, s.routes);
	sync_frame_end(b, f);
	n->tx->q_added += b->len - before;
	n->tx->snap_end = n->tx->q_added;
	n->snap_seq = n->sent_seq = d->out_seq;
	n->snap_acked = false;
	n->overflow = n->resync_pending = false;
	n->tx_resyncs++;
	slog("%s: snapshot queued: %u peers, %u iroutes, seq %llu",
	     n->conf->name, s.peers, s.routes,
	     (unsigned long long)d->out_seq);
}

/*
 * Every live out stream gets a snapshot now (appending one to a queue is
 * consistent); one that overflowed gets it once its queue has drained.
 */
static void force_resync_all(struct daemon *d)
{
	for (int i = 0; i < d->nnodes; i++) {
		struct node *n = &d->nodes[i];

		if (!n->tx || n->tx->state != C_UP)
			continue;
		if (n->overflow)
			n->resync_pending = true;
		else
			send_snapshot(d, n);
	}
}

/* Every in stream that is up: the other node sends its origin again. */
static void ask_snapshots(struct daemon *d)
{
	for (int i = 0; i < d->nnodes; i++) {
		struct node *n = &d->nodes[i];

		if (n->rx && n->rx->state == C_UP &&
		    n->rx_state >= RX_WAIT_SNAP) {
			node_send_ctl(d, n, n->rx, SYNC_T_RESYNC_REQ,
				      n->rx_seq);
			n->rx_state = RX_WAIT_SNAP;
		}
	}
}

/* ---------------------------------------------------------- out stream */

/* A delta of our origin: numbered, then queued on every live stream. */
static void forward(struct daemon *d, uint8_t cmd, uint16_t nest_type,
		    const uint8_t *attrs, size_t alen)
{
	struct sbuf f = { 0 };
	size_t s, nest;

	if (d->replaying)
		return;
	s = frame_begin(d, &f, cmd, ++d->out_seq);
	nest = sync_nest_begin(&f, nest_type);
	sbuf_put(&f, attrs, alen);
	sync_nest_end(&f, nest);
	sync_frame_end(&f, s);
	for (int i = 0; i < d->nnodes; i++) {
		struct node *n = &d->nodes[i];

		if (!n->tx || n->tx->state != C_UP)
			continue;
		if (n->overflow) {
			n->tx_dropped++;
			continue;
		}
		if (delta_backlog(n->tx) + f.len > d->conf.queue_max) {
			/* A slow peer: drop, and catch it up with a snapshot. */
			n->overflow = n->resync_pending = true;
			n->tx_dropped++;
			node_error(n, "send queue full (%llu bytes): dropping deltas until a resync",
				   (unsigned long long)delta_backlog(n->tx));
			continue;
		}
		conn_queue_frame(n->tx, &f);
		n->sent_seq = d->out_seq;
		n->tx_frames++;
	}
	sbuf_free(&f);
}

/* --------------------------------------------------------- kernel events */

/* @replicated: a change another node sent, applied here */
static int ev_peer(struct daemon *d, uint8_t cmd, const struct sync_attr *nest,
		   bool replicated)
{
	struct sync_attr tb[OVPNHA_A_PEER_MAX + 1];
	uint8_t buf[512];
	uint32_t id, origin = 0;
	struct mpeer *old;
	bool was_local;
	int len;

	if (!nest->data ||
	    sync_attr_parse(nest->data, nest->len, tb, OVPNHA_A_PEER_MAX) < 0 ||
	    tb[OVPNHA_A_PEER_ID].len != 4)
		return 0;
	memcpy(&id, tb[OVPNHA_A_PEER_ID].data, 4);
	if (tb[OVPNHA_A_PEER_ORIGIN].len == 4)
		memcpy(&origin, tb[OVPNHA_A_PEER_ORIGIN].data, 4);
	old = mirror_peer(&d->m, id);
	was_local = old && old->origin == d->node_id;

	if (cmd == OVPNHA_CMD_PEER_DEL) {
		if (was_local) {
			uint8_t del[16];
			struct sbuf b = { .p = del, .cap = sizeof(del) };

			sync_put_u32(&b, OVPNHA_A_PEER_ID, id);
			sync_put_u32(&b, OVPNHA_A_PEER_ORIGIN, d->node_id);
			forward(d, OVPNHA_CMD_PEER_DEL, OVPNHA_A_PEER, del,
				b.len);
		}
		mirror_peer_del(&d->m, id);
		return 0;
	}
	len = sync_peer_strip(nest->data, nest->len, buf, sizeof(buf));
	if (len < 0)
		return 0;
	mirror_peer_set(&d->m, id, (uint8_t)origin, buf, (size_t)len);
	if (origin == d->node_id) {
		forward(d, cmd, OVPNHA_A_PEER, buf, (size_t)len);
	} else if (was_local && !replicated) {
		/*
		 * Handed to another origin here: it is no longer ours to
		 * announce.  (Taken over by another node: it knows.)
		 */
		uint8_t del[16];
		struct sbuf b = { .p = del, .cap = sizeof(del) };

		sync_put_u32(&b, OVPNHA_A_PEER_ID, id);
		sync_put_u32(&b, OVPNHA_A_PEER_ORIGIN, d->node_id);
		forward(d, OVPNHA_CMD_PEER_DEL, OVPNHA_A_PEER, del, b.len);
	}
	return 0;
}

static int ev_iroute(struct daemon *d, uint8_t cmd,
		     const struct sync_attr *nest)
{
	struct sync_prefix pfx;
	struct mpeer *owner;
	uint8_t buf[128];
	uint32_t id;
	int len;

	if (!nest->data ||
	    sync_iroute_decode(nest->data, nest->len, &id, &pfx))
		return 0;
	owner = mirror_peer(&d->m, id);
	if (cmd == OVPNHA_CMD_IROUTE_NEW)
		mirror_route_set(&d->m, &pfx, id);
	else
		mirror_route_del(&d->m, &pfx);
	if (!owner || owner->origin != d->node_id)
		return 0;
	len = sync_iroute_strip(nest->data, nest->len, buf, sizeof(buf));
	if (len > 0)
		forward(d, cmd, OVPNHA_A_IROUTE, buf, (size_t)len);
	return 0;
}

static int ev_fn(const struct nlmsghdr *nlh, void *arg)
{
	struct sync_attr tb[OVPNHA_A_MAX + 1];
	struct daemon *d = arg;
	const uint8_t *p;
	uint64_t seq;
	size_t len;
	uint8_t cmd;

	p = kern_attrs(nlh, &len, &cmd);
	if (!p || sync_attr_parse(p, len, tb, OVPNHA_A_MAX) < 0)
		return 0;
	if (tb[OVPNHA_A_SEQ].len != 8)
		return 0;	/* not a table change */
	memcpy(&seq, tb[OVPNHA_A_SEQ].data, 8);
	if (seq <= d->kseq)
		return 0;	/* already in the dump */
	if (seq != d->kseq + 1) {
		slog("kernel events %llu..%llu lost: reloading the table",
		     (unsigned long long)d->kseq + 1,
		     (unsigned long long)seq - 1);
		return -EPIPE;
	}
	d->kseq = seq;
	d->events++;

	switch (cmd) {
	case OVPNHA_CMD_PEER_NEW:
	case OVPNHA_CMD_PEER_SET:
	case OVPNHA_CMD_PEER_DEL:
		return ev_peer(d, cmd, &tb[OVPNHA_A_PEER],
			       tb[OVPNHA_A_EPOCH].data != NULL);
	case OVPNHA_CMD_IROUTE_NEW:
	case OVPNHA_CMD_IROUTE_DEL:
		return ev_iroute(d, cmd, &tb[OVPNHA_A_IROUTE]);
	case OVPNHA_CMD_FLOW_NEW:
	case OVPNHA_CMD_FLOW_DEL: {
		uint8_t buf[256];
		int n;

		/* Flows learned here go out; applied ones carry an epoch. */
		if (tb[OVPNHA_A_EPOCH].data || !tb[OVPNHA_A_FLOW].data)
			return 0;
		n = sync_flow_strip(tb[OVPNHA_A_FLOW].data,
				    tb[OVPNHA_A_FLOW].len, buf, sizeof(buf));
		if (n > 0)
			forward(d, cmd, OVPNHA_A_FLOW, buf, (size_t)n);
		return 0;
	}
	case OVPNHA_CMD_ROLE_SET: {
		uint32_t e;
		uint8_t r, w;

		if (role_nest(&tb[OVPNHA_A_ROLE], &r, &e, &w))
			return 0;
		if (e != d->epoch || r != d->role)
			slog("role %u -> %u, cluster epoch %u -> %u", d->role,
			     r, d->epoch, e);
		d->epoch = e;
		d->role = r;
		d->wanted = w;
		if (w != OVPNHA_ROLE_MASTER || r == OVPNHA_ROLE_MASTER)
			d->demoted_ms = 0;
		else if (!d->demoted_ms)
			d->demoted_ms = now_ms();
		return 0;
	}
	case OVPNHA_CMD_FLUSH:
		mirror_clear(&d->m);
		if (d->replaying)
			return 0;
		slog("table flushed: resending our origin, asking for the others");
		force_resync_all(d);
		ask_snapshots(d);
		return 0;
	case OVPNHA_CMD_CONFIG_SET: {
		struct sync_attr it[OVPNHA_A_INFO_MAX + 1];
		uint32_t id;

		if (!tb[OVPNHA_A_INFO].data ||
		    sync_attr_parse(tb[OVPNHA_A_INFO].data, tb[OVPNHA_A_INFO].len,
				    it, OVPNHA_A_INFO_MAX) < 0 ||
		    it[OVPNHA_A_INFO_NODE_ID].len != 4)
			return 0;
		memcpy(&id, it[OVPNHA_A_INFO_NODE_ID].data, 4);
		if (id != d->node_id) {
			slog("node id changed from %u to %u", d->node_id, id);
			d->node_id = id;
			force_resync_all(d);
		}
		return 0;
	}
	default:
		return 0;
	}
}

/*
 * The module was loaded again: its tables start empty.  Give it our node
 * id, rebuild the mirror from it (our origin is empty now, and the other
 * nodes learn that from the snapshot that follows), and ask every other
 * node for its origin again.
 */
static void module_back(struct daemon *d)
{
	uint32_t kid;
	uint64_t kseq;

	d->ev_more = false;
	if (kern_info(&d->k, &kid, &kseq)) {
		slog("module ovpnha loaded again, but its info cannot be read");
		return;
	}
	if (d->conf.node_id && d->conf.node_id != kid &&
	    kern_set_node_id(&d->k, d->conf.node_id))
		slog("module ovpnha loaded again: cannot set the node id %u",
		     d->conf.node_id);
	slog("module ovpnha loaded again: reloading the table, asking the other nodes for theirs");
	daemon_reload(d);
	ask_snapshots(d);
}

int daemon_drain_events(struct daemon *d, unsigned int max)
{
	int r = kern_events(&d->k, ev_fn, d, max);

	d->ev_more = r == 1;
	if (r == 1)
		return 0;
	if (r == KERN_GONE) {
		d->module_unloads++;
		slog("module ovpnha unloaded: replicated changes are not applied until it is loaded again");
		return 0;
	}
	if (r == KERN_BACK) {
		module_back(d);
		return 1;
	}

	if (r == -ENOBUFS) {
		d->event_overruns++;
		slog("kernel event queue overrun: reloading the table");
	}
	if (r < 0 && !d->replaying) {
		daemon_reload(d);
		return 1;
	}
	return r < 0 ? -1 : 0;
}

static int dump_peer_fn(const struct nlmsghdr *nlh, void *arg)
{
	struct sync_attr tb[OVPNHA_A_MAX + 1], pt[OVPNHA_A_PEER_MAX + 1];
	struct daemon *d = arg;
	const uint8_t *p;
	uint8_t buf[512], cmd;
	uint32_t id, origin;
	size_t len;
	int n;

	p = kern_attrs(nlh, &len, &cmd);
	if (!p || sync_attr_parse(p, len, tb, OVPNHA_A_MAX) < 0 ||
	    !tb[OVPNHA_A_PEER].data ||
	    sync_attr_parse(tb[OVPNHA_A_PEER].data, tb[OVPNHA_A_PEER].len, pt,
			    OVPNHA_A_PEER_MAX) < 0 ||
	    pt[OVPNHA_A_PEER_ID].len != 4 || pt[OVPNHA_A_PEER_ORIGIN].len != 4)
		return 0;
	memcpy(&id, pt[OVPNHA_A_PEER_ID].data, 4);
	memcpy(&origin, pt[OVPNHA_A_PEER_ORIGIN].data, 4);
	n = sync_peer_strip(tb[OVPNHA_A_PEER].data, tb[OVPNHA_A_PEER].len, buf,
			    sizeof(buf));
	if (n >= 0)
		mirror_peer_set(&d->m, id, (uint8_t)origin, buf, (size_t)n);
	return 0;
}

static int dump_iroute_fn(const struct nlmsghdr *nlh, void *arg)
{
	struct sync_attr tb[OVPNHA_A_MAX + 1];
	struct daemon *d = arg;
	struct sync_prefix pfx;
	const uint8_t *p;
	uint32_t id;
	size_t len;
	uint8_t cmd;

	p = kern_attrs(nlh, &len, &cmd);
	if (!p || sync_attr_parse(p, len, tb, OVPNHA_A_MAX) < 0 ||
	    !tb[OVPNHA_A_IROUTE].data ||
	    sync_iroute_decode(tb[OVPNHA_A_IROUTE].data,
			       tb[OVPNHA_A_IROUTE].len, &id, &pfx))
		return 0;
	mirror_route_set(&d->m, &pfx, id);
	return 0;
}

/*
 * (Re)build the mirror: the kernel's sequence number first, then the
 * dumps, then the events queued meanwhile (those after that sequence
 * number, applied again, are idempotent).  Every out stream then gets a
 * snapshot, since deltas may have been missed.
 */
void daemon_reload(struct daemon *d)
{
	uint32_t id;
	int r, tries;

	d->replaying = true;
	d->reloads++;
	for (tries = 0; tries < 5; tries++) {
		mirror_clear(&d->m);
		r = kern_info(&d->k, &id, &d->kseq);
		if (!r)
			r = kern_dump(&d->k, OVPNHA_CMD_PEER_GET, dump_peer_fn, d);
		if (!r)
			r = kern_dump(&d->k, OVPNHA_CMD_IROUTE_GET,
				      dump_iroute_fn, d);
		if (r) {
			slog("reading the kernel table: %s", strerror(-r));
			continue;
		}
		d->node_id = id;
		if (kern_role(&d->k, &d->role, &d->epoch))
			d->epoch = d->role = 0;	/* a module without roles */
		d->wanted = d->role;
		if (!kern_events(&d->k, ev_fn, d, 0))
			break;
	}
	d->replaying = false;
	force_resync_all(d);
}

/* ------------------------------------------------------------ connections */

static struct conn *conn_new(int fd, bool outbound)
{
	struct conn *c = xrealloc(NULL, sizeof(*c));

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->outbound = outbound;
	c->started = c->last_rx = c->last_tx = now_ms();
	return c;
}

static struct conn *dead[MAX_CONNS * 2];
static int ndead;

static void conn_close(struct daemon *d, struct conn *c, const char *why)
{
	struct node *n = c->node;

	if (c->fd < 0)
		return;
	if (n && c == n->tx) {
		n->tx = NULL;
		n->next_try = now_ms() + n->backoff;
		n->backoff = n->backoff * 2 > d->conf.reconnect_ms * 8 ?
			d->conf.reconnect_ms * 8 : n->backoff * 2;
		n->snap_acked = false;
		if (why)
			node_error(n, "out: %s", why);
	} else if (n && c == n->rx) {
		apply_flush(d);
		n->rx = NULL;
		rx_reset(n);
		if (why)
			node_error(n, "in: %s", why);
	} else {
		struct conn **pp = &d->pending;

		while (*pp && *pp != c)
			pp = &(*pp)->next;
		if (*pp)
			*pp = c->next;
		if (why)
			slog("incoming connection: %s", why);
	}
	if (c->ssl)
		SSL_free(c->ssl);
	close(c->fd);
	c->fd = -1;
	c->ssl = NULL;
	if (ndead < (int)(sizeof(dead) / sizeof(dead[0])))
		dead[ndead++] = c;
}

static void free_dead(void)
{
	while (ndead) {
		struct conn *c = dead[--ndead];

		sbuf_free(&c->in);
		sbuf_free(&c->out);
		free(c);
	}
}

static void tx_connect(struct daemon *d, struct node *n)
{
	const struct sync_peer_conf *pc = n->conf;
	int fd, one = 1;
	struct conn *c;

	(void)d;
	fd = socket(pc->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0) {
		node_error(n, "socket: %s", strerror(errno));
		n->next_try = now_ms() + n->backoff;
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&pc->addr, pc->addrlen) &&
	    errno != EINPROGRESS) {
		node_error(n, "out: connect %s: %s", pc->host, strerror(errno));
		close(fd);
		n->next_try = now_ms() + n->backoff;
		return;
	}
	c = conn_new(fd, true);
	c->node = n;
	c->state = C_CONNECTING;
	n->tx = c;
	n->tx_connects++;
}

static void conn_up(struct daemon *d, struct conn *c)
{
	struct node *n = c->node;

	c->state = C_UP;
	c->last_rx = now_ms();
	if (c->outbound) {
		slog("%s: out: connected to %s, TLS %s", n->conf->name,
		     n->conf->host, SSL_get_version(c->ssl));
		node_send_ctl(d, n, c, SYNC_T_HELLO, d->out_seq);
		send_snapshot(d, n);
		return;
	}
	/* Inbound: which configured node does the certificate name? */
	for (int i = 0; i < d->nnodes; i++) {
		if (sync_tls_peer_is(c->ssl, d->nodes[i].conf->name)) {
			n = &d->nodes[i];
			break;
		}
	}
	if (!n) {
		X509 *cert = SSL_get0_peer_certificate(c->ssl);
		char subj[256] = "?";

		if (cert)
			X509_NAME_oneline(X509_get_subject_name(cert), subj,
					  sizeof(subj));
		d->auth_failures++;
		conn_close(d, c, "refused: the certificate names no configured node");
		slog("  (certificate subject %s)", subj);
		return;
	}
	/* Out of the pending list, and it replaces an older stream. */
	{
		struct conn **pp = &d->pending;

		while (*pp && *pp != c)
			pp = &(*pp)->next;
		if (*pp)
			*pp = c->next;
	}
	if (n->rx)
		conn_close(d, n->rx, "replaced by a new connection");
	c->node = n;
	n->rx = c;
	n->rx_state = RX_HELLO;
	n->rx_connects++;
	slog("%s: in: connection accepted, TLS %s", n->conf->name,
	     SSL_get_version(c->ssl));
	node_send_ctl(d, n, c, SYNC_T_HELLO, n->rx_seq);
}

static void conn_handshake(struct daemon *d, struct conn *c)
{
	char e[256];
	int r = SSL_do_handshake(c->ssl), err;

	if (debug)
		slog("debug: %s handshake fd %d: r=%d err=%d state %s",
		     c->outbound ? "out" : "in", c->fd, r,
		     SSL_get_error(c->ssl, r), SSL_state_string_long(c->ssl));
	if (r == 1) {
		conn_up(d, c);
		return;
	}
	err = SSL_get_error(c->ssl, r);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		return;
	d->handshake_failures++;
	if (SSL_get_verify_result(c->ssl) != X509_V_OK)
		snprintf(e, sizeof(e), "TLS handshake: certificate refused: %s",
			 X509_verify_cert_error_string(
				 SSL_get_verify_result(c->ssl)));
	else {
		char t[200];

		snprintf(e, sizeof(e), "TLS handshake: %s",
			 err == SSL_ERROR_SSL ? sync_tls_error(t, sizeof(t)) :
			 "connection closed");
	}
	ERR_clear_error();
	conn_close(d, c, e);
}

static void conn_connected(struct daemon *d, struct conn *c)
{
	int err = 0;
	socklen_t l = sizeof(err);

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
	if (err) {
		char m[320];

		snprintf(m, sizeof(m), "connect %s: %s", c->node->conf->host,
			 strerror(err));
		conn_close(d, c, m);
		return;
	}
	c->ssl = SSL_new(d->ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, c->fd) ||
	    !SSL_set1_host(c->ssl, c->node->conf->name)) {
		conn_close(d, c, "out of memory");
		return;
	}
	SSL_set_connect_state(c->ssl);
	c->state = C_HANDSHAKE;
	conn_handshake(d, c);
}

static void accept_new(struct daemon *d)
{
	for (;;) {
		int fd = accept4(d->listen_fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
		struct conn *c;

		if (fd < 0)
			return;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = conn_new(fd, false);
		c->ssl = SSL_new(d->ctx);
		if (!c->ssl || !SSL_set_fd(c->ssl, fd)) {
			if (c->ssl)
				SSL_free(c->ssl);
			close(fd);
			free(c);
			continue;
		}
		SSL_set_accept_state(c->ssl);
		c->state = C_HANDSHAKE;
		c->next = d->pending;
		d->pending = c;
		conn_handshake(d, c);
	}
}

/* Write what is queued; 0, or -1 after closing the connection. */
static int conn_write(struct daemon *d, struct conn *c)
{
	while (c->fd >= 0 && sbuf_avail(&c->out)) {
		size_t len = c->wlen ? c->wlen : sbuf_avail(&c->out);
		int r, err;

		if (len > IO_CHUNK)
			len = IO_CHUNK;
		r = SSL_write(c->ssl, c->out.p + c->out.off, (int)len);
		if (r > 0) {
			sbuf_consume(&c->out, (size_t)r);
			c->q_sent += (uint64_t)r;
			c->wlen = 0;
			c->last_tx = now_ms();
			if (c->node && c->outbound)
				c->node->tx_bytes += (uint64_t)r;
			continue;
		}
		err = SSL_get_error(c->ssl, r);
		if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
			c->wlen = len;
			return 0;
		}
		d->tls_errors++;
		{
			char e[200], m[240];

			snprintf(m, sizeof(m), "TLS write: %s",
				 sync_tls_error(e, sizeof(e)));
			conn_close(d, c, m);
		}
		return -1;
	}
	return 0;
}

static int hello(struct daemon *d, struct conn *c, const uint8_t *p,
		 size_t len)
{
	struct sync_attr tb[SYNC_A_MAX + 1];
	struct node *n = c->node;
	uint32_t id = 0;

	if (sync_attr_parse(p, len, tb, SYNC_A_MAX) < 0 ||
	    !tb[SYNC_A_NAME].len || tb[SYNC_A_NAME].data[tb[SYNC_A_NAME].len - 1] ||
	    tb[SYNC_A_NODE_ID].len != 4 || tb[SYNC_A_INSTANCE].len != 8) {
		conn_close(d, c, "malformed HELLO");
		return -1;
	}
	if (strcmp((const char *)tb[SYNC_A_NAME].data, n->conf->name)) {
		d->auth_failures++;
		conn_close(d, c, "HELLO names another node than the certificate");
		return -1;
	}
	memcpy(&id, tb[SYNC_A_NODE_ID].data, 4);
	if (!id || id > OVPNHA_NODE_ID_MAX || id == d->node_id) {
		char m[120];

		snprintf(m, sizeof(m), "node id %u is invalid or ours", id);
		conn_close(d, c, m);
		return -1;
	}
	for (int i = 0; i < d->nnodes; i++) {
		if (&d->nodes[i] != n && d->nodes[i].node_id == id &&
		    (d->nodes[i].rx || d->nodes[i].tx)) {
			char m[120];

			snprintf(m, sizeof(m), "node id %u already used by %s",
				 id, d->nodes[i].conf->name);
			conn_close(d, c, m);
			return -1;
		}
	}
	n->node_id = id;
	memcpy(&n->instance, tb[SYNC_A_INSTANCE].data, 8);
	c->hello_seen = true;
	if (!c->outbound)
		n->rx_state = RX_WAIT_SNAP;
	return 0;
}

/* A frame on our out stream: the receiver's answers. */
static int tx_frame(struct daemon *d, struct conn *c,
		    const struct sync_hdr *h)
{
	struct node *n = c->node;

	if (!n)		/* hello() sets it before any other frame */
		return -1;
	switch (h->type) {
	case SYNC_T_ACK:
		if (h->seq > n->sent_seq) {
			conn_close(d, c, "ACK beyond what was sent");
			return -1;
		}
		n->acked_seq = h->seq;
		if (!n->snap_acked && h->seq >= n->snap_seq) {
			n->snap_acked = true;
			n->backoff = d->conf.reconnect_ms;
		}
		return 0;
	case SYNC_T_RESYNC_REQ:
		slog("%s: asks for a resync", n->conf->name);
		if (n->overflow)
			n->resync_pending = true;
		else
			send_snapshot(d, n);
		return 0;
	default:
		conn_close(d, c, "unexpected frame on the out stream");
		return -1;
	}
}

#define READ_MAX	(1 << 20)	/* bytes buffered per turn of the loop */
#define FRAMES_MAX	2048		/* frames handled per turn */

/*
 * Read and handle what a connection has, in bounded amounts so that one
 * busy stream (a big snapshot being applied) leaves the loop responsive:
 * c->more says there is more to do without waiting for poll().
 */
static void conn_read(struct daemon *d, struct conn *c)
{
	struct sync_hdr h;
	int r = 0, err, frames = 0;

	c->more = false;
	while (sbuf_avail(&c->in) < READ_MAX) {
		sbuf_reserve(&c->in, IO_CHUNK);
		r = SSL_read(c->ssl, c->in.p + c->in.len, IO_CHUNK);
		if (r > 0) {
			c->in.len += (size_t)r;
			c->last_rx = now_ms();
			if (c->node && !c->outbound)
				c->node->rx_bytes += (uint64_t)r;
			continue;
		}
		err = SSL_get_error(c->ssl, r);
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
			break;
		if (err == SSL_ERROR_ZERO_RETURN ||
		    (err == SSL_ERROR_SYSCALL && !ERR_peek_error())) {
			conn_close(d, c, "closed by the other side");
		} else {
			char e[200], m[240];

			d->tls_errors++;
			snprintf(m, sizeof(m), "TLS: %s",
				 sync_tls_error(e, sizeof(e)));
			conn_close(d, c, m);
		}
		return;		/* a broken session's leftovers are not used */
	}
	while (c->fd >= 0 && frames < FRAMES_MAX &&
	       (r = sync_frame_peek(c->in.p + c->in.off, sbuf_avail(&c->in),
				    &h)) == 1) {
		const uint8_t *p = c->in.p + c->in.off + SYNC_HDR_LEN;
		size_t len = h.len - SYNC_HDR_LEN;

		frames++;
		if (!c->hello_seen) {
			if (h.type != SYNC_T_HELLO) {
				conn_close(d, c, "first frame is not HELLO");
				return;
			}
			if (hello(d, c, p, len))
				return;
		} else if (c->outbound) {
			if (tx_frame(d, c, &h))
				return;
		} else if (!c->node) {	/* hello() sets it: cannot happen */
			conn_close(d, c, "frame before the node is known");
			return;
		} else {
			c->node->rx_frames++;
			if (rx_frame(d, c->node, &h, p, len))
				return;
		}
		sbuf_consume(&c->in, h.len);
	}
	if (c->fd < 0)
		return;
	if (r < 0) {
		conn_close(d, c, "malformed frame");
		return;
	}
	/* Busy applying is not silence: the clock restarts after work. */
	if (frames)
		c->last_rx = now_ms();
	c->more = frames == FRAMES_MAX || sbuf_avail(&c->in) >= READ_MAX ||
		  SSL_pending(c->ssl) > 0;
}

/* ------------------------------------------------------------------ loop */

/* ms from @t to @now; 0 if @t is later (set after @now was read). */
static uint64_t since(uint64_t now, uint64_t t)
{
	return now > t ? now - t : 0;
}

/*
 * A master that stepped down for another node's higher epoch, while the
 * cluster manager still wants it master (split brain healed: the other
 * side won the epoch, this side won the VRRP election), takes the role
 * back once every connected node has said, in a frame received since the
 * step-down, that it is not master.  Its epoch then rises above all, the
 * others follow it, and exactly one master remains: the one the cluster
 * manager chose.  A node not connected says nothing and does not count,
 * but at least one must have answered: alone, this node cannot tell
 * whether the one that made it step down is still master.
 */
static void reelect(struct daemon *d, uint64_t now)
{
	int r, heard = 0;

	if (d->k.gone || !d->demoted_ms || d->role == OVPNHA_ROLE_MASTER ||
	    d->wanted != OVPNHA_ROLE_MASTER)
		return;
	for (int i = 0; i < d->nnodes; i++) {
		const struct node *n = &d->nodes[i];

		if (!n->rx || n->rx->state != C_UP)
			continue;
		if (n->rx_role_ms <= d->demoted_ms || n->rx_master)
			return;
		heard++;
	}
	if (!heard)
		return;
	r = kern_role_master(&d->k);
	slog("the cluster manager wants this node master and no other node is: taking the role back after %llu ms%s%s",
	     (unsigned long long)since(now, d->demoted_ms), r ? ": " : "",
	     r ? strerror(-r) : "");
	if (!r) {
		d->reelections++;
		d->demoted_ms = 0;
		/*
		 * What we sent at the lower epoch was refused by the others:
		 * send our origin again, at the new one.
		 */
		force_resync_all(d);
	}
}

static void timers(struct daemon *d)
{
	uint64_t now = now_ms();
	unsigned int to = d->conf.timeout_ms, ka = d->conf.keepalive_ms;
	struct conn *c, *next;

	for (int i = 0; i < d->nnodes; i++) {
		struct node *n = &d->nodes[i];

		if (!n->tx && now >= n->next_try)
			tx_connect(d, n);
		c = n->tx;
		if (c && c->state != C_UP && since(now, c->started) > to)
			conn_close(d, c, "connect/handshake timeout");
		else if (c && c->state == C_UP && since(now, c->last_rx) > to)
			conn_close(d, c, "no answer (timeout)");
		else if (c && c->state == C_UP) {
			if (n->resync_pending && !sbuf_avail(&c->out))
				send_snapshot(d, n);
			if (since(now, c->last_tx) >= ka && !sbuf_avail(&c->out))
				node_send_ctl(d, n, c, SYNC_T_PING, d->out_seq);
		}
		c = n->rx;
		if (c && since(now, c->last_rx) > to)
			conn_close(d, c, "no data (timeout)");
		else if (c && c->state == C_UP && n->rx_state >= RX_WAIT_SNAP &&
			 since(now, c->last_tx) >= ka)
			/* a sign of life, also while a snapshot is applied */
			node_send_ctl(d, n, c, SYNC_T_ACK, n->rx_seq);
	}
	for (int i = 0; i < d->nnodes; i++)
		rx_heal(d, &d->nodes[i], now);
	reelect(d, now);
	for (c = d->pending; c; c = next) {
		next = c->next;
		if (since(now, c->started) > to)
			conn_close(d, c, "handshake timeout");
	}
}

static bool any_more(const struct daemon *d)
{
	for (int i = 0; i < d->nnodes; i++)
		if ((d->nodes[i].tx && d->nodes[i].tx->more) ||
		    (d->nodes[i].rx && d->nodes[i].rx->more))
			return true;
	return false;
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int listen_on(struct daemon *d)
{
	int one = 1;
	char host[INET6_ADDRSTRLEN] = "?";
	const struct sockaddr_storage *ss = &d->conf.listen;
	int port;

	d->listen_fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK |
			      SOCK_CLOEXEC, 0);
	if (d->listen_fd < 0)
		return -1;
	setsockopt(d->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(d->listen_fd, (const struct sockaddr *)ss,
		 d->conf.listenlen) || listen(d->listen_fd, 64)) {
		perror("ovpnhactl sync: listen");
		return -1;
	}
	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
			  host, sizeof(host));
		port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
	} else {
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)ss)->sin6_addr, host,
			  sizeof(host));
		port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	}
	slog("%s (node %u): listening on %s port %d, %d other node(s)",
	     d->conf.name, d->node_id, host, port, d->nnodes);
	return 0;
}

static int sync_run(const char *path)
{
	static struct daemon dd;
	struct daemon *d = &dd;
	struct pollfd pfd[MAX_CONNS + 3];
	struct conn *pc[MAX_CONNS + 3];
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512];
	uint32_t kid;
	uint64_t kseq;

	if (sync_conf_load(path, &d->conf, err, sizeof(err))) {
		fprintf(stderr, "ovpnhactl sync: %s\n", err);
		return EXIT_USAGE;
	}
	d->ctx = sync_tls_ctx(&d->conf, err, sizeof(err));
	if (!d->ctx) {
		fprintf(stderr, "ovpnhactl sync: %s\n", err);
		return EXIT_FAIL;
	}
	if (g_opts.netns) {
		if (ovnl_open())
			return EXIT_FAIL;
		ovnl_close();
	}
	if (kern_open(&d->k))
		return EXIT_FAIL;
	if (kern_info(&d->k, &kid, &kseq)) {
		fputs("ovpnhactl sync: cannot read the module's info\n", stderr);
		return EXIT_FAIL;
	}
	if (d->conf.node_id && d->conf.node_id != kid) {
		slog("setting the node id to %u (was %u)", d->conf.node_id, kid);
		if (kern_set_node_id(&d->k, d->conf.node_id)) {
			fputs("ovpnhactl sync: cannot set the node id\n", stderr);
			return EXIT_FAIL;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	debug = getenv("OVPNHA_SYNC_DEBUG") != NULL;
	RAND_bytes((unsigned char *)&d->instance, sizeof(d->instance));
	mirror_init(&d->m);
	d->started = now_ms();
	d->nnodes = d->conf.npeers;
	for (int i = 0; i < d->nnodes; i++) {
		d->nodes[i].conf = &d->conf.peers[i];
		d->nodes[i].backoff = d->conf.reconnect_ms;
		kset_init(&d->nodes[i].seen);
	}
	daemon_reload(d);
	if (listen_on(d) || status_listen(d))
		return EXIT_FAIL;

	while (!stop_signal) {
		int np = 0, r;

		pfd[np] = (struct pollfd){ .fd = d->k.ev_fd, .events = POLLIN };
		pc[np++] = NULL;
		pfd[np] = (struct pollfd){ .fd = d->listen_fd, .events = POLLIN };
		pc[np++] = NULL;
		pfd[np] = (struct pollfd){ .fd = d->status_fd, .events = POLLIN };
		pc[np++] = NULL;
		for (int i = 0; i < d->nnodes; i++) {
			struct conn *cs[2] = { d->nodes[i].tx, d->nodes[i].rx };

			for (int j = 0; j < 2; j++) {
				struct conn *c = cs[j];

				if (!c || np >= MAX_CONNS)
					continue;
				pfd[np].fd = c->fd;
				pfd[np].events = POLLIN;
				if (c->state == C_CONNECTING ||
				    sbuf_avail(&c->out) || c->wlen ||
				    (c->state == C_HANDSHAKE &&
				     SSL_want_write(c->ssl)))
					pfd[np].events |= POLLOUT;
				pc[np++] = c;
			}
		}
		for (struct conn *c = d->pending; c && np < MAX_CONNS;
		     c = c->next) {
			pfd[np] = (struct pollfd){ .fd = c->fd,
				.events = POLLIN | (SSL_want_write(c->ssl) ?
						    POLLOUT : 0) };
			pc[np++] = c;
		}
		r = poll(pfd, (nfds_t)np, d->ev_more || any_more(d) ? 0 : 100);
		if (debug && r > 0)
			for (int i = 0; i < np; i++)
				if (pfd[i].revents)
					slog("debug: poll fd %d revents %#x", pfd[i].fd,
					     pfd[i].revents);
		if (r < 0 && errno != EINTR) {
			perror("ovpnhactl sync: poll");
			break;
		}
		if (r >= 0) {
			if (pfd[0].revents || d->ev_more)
				daemon_drain_events(d, EVENTS_MAX);
			if (pfd[1].revents)
				accept_new(d);
			if (pfd[2].revents)
				status_serve(d);
			for (int i = 3; i < np; i++) {
				struct conn *c = pc[i];

				if ((!pfd[i].revents && !c->more) || c->fd < 0)
					continue;
				if (c->state == C_CONNECTING)
					conn_connected(d, c);
				else if (c->state == C_HANDSHAKE)
					conn_handshake(d, c);
				if (c->fd >= 0 && c->state == C_UP)
					conn_read(d, c);
			}
		}
		/* Apply what arrived, acknowledge it, then send. */
		apply_flush(d);
		for (int i = 0; i < d->nnodes; i++) {
			struct node *n = &d->nodes[i];

			if (n->rx && n->rx->state == C_UP &&
			    n->rx_state == RX_DELTA && n->rx_seq != n->rx_acked) {
				node_send_ctl(d, n, n->rx, SYNC_T_ACK, n->rx_seq);
				n->rx_acked = n->rx_seq;
			}
		}
		timers(d);
		for (int i = 0; i < d->nnodes; i++) {
			if (d->nodes[i].tx && d->nodes[i].tx->state == C_UP)
				conn_write(d, d->nodes[i].tx);
			if (d->nodes[i].rx && d->nodes[i].rx->state == C_UP)
				conn_write(d, d->nodes[i].rx);
		}
		free_dead();
	}
	slog("signal %d: exiting", (int)stop_signal);
	for (int i = 0; i < d->nnodes; i++) {
		if (d->nodes[i].tx)
			conn_close(d, d->nodes[i].tx, NULL);
		if (d->nodes[i].rx)
			conn_close(d, d->nodes[i].rx, NULL);
	}
	while (d->pending)
		conn_close(d, d->pending, NULL);
	free_dead();
	unlink(d->conf.status_socket);
	return EXIT_OK;
}

int do_sync(int argc, char **argv)
{
	const char *conf = SYNC_CONF_DEFAULT, *sock = NULL;
	bool status = false;
	int i = 0;

	if (argc > 0 && !strcmp(argv[0], "status")) {
		status = true;
		i = 1;
	} else if (argc > 0 && !strcmp(argv[0], "run")) {
		i = 1;
	}
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "config")) {
			if (!(conf = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
		} else if (status && (!strcmp(argv[i], "-s") ||
				      !strcmp(argv[i], "socket"))) {
			if (!(sock = arg_value(argc, argv, &i)))
				return EXIT_USAGE;
		} else if (status && !strcmp(argv[i], "-j")) {
			g_opts.json = true;
		} else if (is_help(argv[i])) {
			help_sync(stdout);
			return EXIT_OK;
		} else {
			return usage_error("sync: unknown argument \"%s\"", argv[i]);
		}
	}
	if (status)
		return do_sync_status(conf, sock);
	return sync_run(conf);
}
