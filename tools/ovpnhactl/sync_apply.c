// SPDX-License-Identifier: GPL-2.0
/*
 * The in streams: what another node sends is applied to the local kernel
 * through the ordinary netlink commands, keeping the origin's peer ids and
 * origin attribute (so this node's daemon never forwards it again).
 *
 * Requests are batched (sync_kern.h).  A change is applied as "upsert":
 * PEER_SET when the mirror knows the peer, PEER_NEW otherwise, and the
 * other one when the kernel disagrees (EEXIST / ENOENT).  Two requests for
 * the same peer never share a batch, so a retry cannot overtake a later
 * change of that peer.  A snapshot ends with reconciliation: peers of the
 * sender's origin, and iroutes of them, that the snapshot did not mention
 * are deleted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ovpnha.h>

#include "sync.h"
#include "util.h"

#define BENT_ATTRS	640

struct bent {
	struct node *n;
	uint8_t cmd;
	bool failed, retried;
	int err;
	uint32_t id;
	uint16_t len;
	char msg[96];
	uint8_t attrs[BENT_ATTRS];	/* the request's top-level attributes */
};

/* Retries of a full batch add up to two requests each. */
#define BENT_MAX	(3 * KBATCH_MAX)

static struct bent bents[BENT_MAX];
static struct bent retries[KBATCH_MAX];
static int flushing;

static void rx_log_error(struct node *n, const char *what, int err,
			 const char *msg)
{
	n->rx_errors++;
	if (n->rx_errors <= 20 || n->rx_errors % 1000 == 0)
		node_error(n, "in: %s: %s%s%s", what, strerror(-err),
			   msg[0] ? ": " : "", msg);
}

#define HEAL_FIRST_MS	1000
#define HEAL_MAX_MS	30000

/* A conflict that a later snapshot will resolve: schedule one. */
static void heal_later(struct node *n)
{
	uint64_t now = now_ms();

	if (n->heal_at)
		return;
	if (!n->heal_backoff || now - n->heal_last > 2 * HEAL_MAX_MS)
		n->heal_backoff = HEAL_FIRST_MS;
	n->heal_at = now + n->heal_backoff;
}

void rx_heal(struct daemon *d, struct node *n, uint64_t now)
{
	if (!n->heal_at || now < n->heal_at)
		return;
	/*
	 * A snapshot under way may be the one that met the conflict: ask
	 * again once it is applied.  Not connected: the next connection
	 * starts with a snapshot, and a conflict in it schedules a heal.
	 */
	if (n->rx && n->rx->state == C_UP && n->rx_state != RX_DELTA)
		return;
	n->heal_at = 0;
	if (!n->rx || n->rx->state != C_UP)
		return;
	n->heal_last = now;
	n->heal_backoff = n->heal_backoff * 2 > HEAL_MAX_MS ? HEAL_MAX_MS :
			  n->heal_backoff * 2;
	n->rx_heals++;
	node_error(n, "in: changes refused by a local conflict earlier: asking for a resync");
	node_send_ctl(d, n, n->rx, SYNC_T_RESYNC_REQ, n->rx_seq);
	n->rx_state = RX_WAIT_SNAP;
}

static void queue_req(struct daemon *d, struct node *n, uint8_t cmd,
		      uint32_t id, bool peer_level, const uint8_t *attrs,
		      size_t len, bool retried)
{
	uint8_t withepoch[BENT_ATTRS];
	struct bent *e;
	int idx;

	/* The module is out: what it missed comes in the snapshots later. */
	if (d->k.gone)
		return;

	/*
	 * The sender's epoch, always (0 included): it marks the write as
	 * replicated, and the module refuses writes from older epochs.
	 */
	if (!retried) {
		struct sbuf b = { 0 };

		sbuf_put(&b, attrs, len);
		sync_put_u32(&b, OVPNHA_A_EPOCH, n->rx_epoch);
		if (b.len > sizeof(withepoch)) {
			sbuf_free(&b);
			return;
		}
		memcpy(withepoch, b.p, b.len);
		attrs = withepoch;
		len = b.len;
		sbuf_free(&b);
	}
	if (len > BENT_ATTRS)
		return;
	if (!flushing &&
	    ((peer_level && kset_has(&d->batch_ids, &id, sizeof(id))) ||
	     kern_batch_len(&d->k) >= KBATCH_MAX))
		apply_flush(d);
	if (kern_batch_len(&d->k) >= BENT_MAX) {
		rx_log_error(n, "request", -ENOBUFS, "batch overflow");
		return;
	}
	idx = kern_batch_add(&d->k, cmd, attrs, len);
	e = &bents[idx];
	e->n = n;
	e->cmd = cmd;
	e->id = id;
	e->failed = false;
	e->retried = retried;
	e->len = (uint16_t)len;
	memcpy(e->attrs, attrs, len);
	if (peer_level)
		kset_add(&d->batch_ids, &id, sizeof(id));
}

static int nretries;

static void result_fn(int idx, int err, const char *msg, void *arg)
{
	struct bent *e = &bents[idx];

	(void)arg;
	if (idx < 0 || idx >= BENT_MAX || !e->n)
		return;
	if (!err) {
		e->n->rx_applied++;
		return;
	}
	if ((err == -ENOENT && (e->cmd == OVPNHA_CMD_PEER_DEL ||
				e->cmd == OVPNHA_CMD_IROUTE_DEL ||
				e->cmd == OVPNHA_CMD_FLOW_DEL)))
		return;		/* already gone: the goal is reached */
	e->err = err;
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	if (!e->retried && nretries < KBATCH_MAX &&
	    ((e->cmd == OVPNHA_CMD_PEER_NEW && err == -EEXIST) ||
	     (e->cmd == OVPNHA_CMD_PEER_SET && err == -ENOENT) ||
	     (e->cmd == OVPNHA_CMD_IROUTE_NEW && err == -EEXIST))) {
		retries[nretries++] = *e;
		return;
	}
	if ((err == -EEXIST || err == -ENOENT) &&
	    (e->cmd == OVPNHA_CMD_PEER_NEW || e->cmd == OVPNHA_CMD_PEER_SET ||
	     e->cmd == OVPNHA_CMD_IROUTE_NEW))
		heal_later(e->n);
	rx_log_error(e->n, e->cmd == OVPNHA_CMD_FLOW_NEW ? "flow" :
		     e->cmd == OVPNHA_CMD_FLOW_DEL ? "flow del" :
		     e->cmd == OVPNHA_CMD_IROUTE_NEW ? "iroute" :
		     e->cmd == OVPNHA_CMD_IROUTE_DEL ? "iroute del" :
		     e->cmd == OVPNHA_CMD_PEER_DEL ? "peer del" : "peer",
		     err, msg);
}

/* An iroute that collided: re-home it if the holder is stale. */
static void retry_iroute(struct daemon *d, struct bent *e)
{
	struct sync_attr tb[OVPNHA_A_MAX + 1];
	struct sync_prefix pfx;
	struct mroute *r;
	struct mpeer *holder;
	uint32_t id;

	if (sync_attr_parse(e->attrs, e->len, tb, OVPNHA_A_MAX) < 0 ||
	    sync_iroute_decode(tb[OVPNHA_A_IROUTE].data,
			       tb[OVPNHA_A_IROUTE].len, &id, &pfx))
		return;
	r = mirror_route(&d->m, &pfx);
	if (r && r->peer_id == id) {
		e->n->rx_applied++;
		return;
	}
	holder = r ? mirror_peer(&d->m, r->peer_id) : NULL;
	if (r && (!holder || holder->origin == e->n->node_id)) {
		struct sbuf b = { 0 };
		size_t nest = sync_nest_begin(&b, OVPNHA_A_IROUTE);

		sync_put_u32(&b, OVPNHA_A_IROUTE_PEER_ID, r->peer_id);
		sync_put_attr(&b, pfx.family == 4 ? OVPNHA_A_IROUTE_IPV4 :
			      OVPNHA_A_IROUTE_IPV6, pfx.addr,
			      pfx.family == 4 ? 4 : 16);
		sync_put_attr(&b, OVPNHA_A_IROUTE_PREFIXLEN, &pfx.plen, 1);
		sync_nest_end(&b, nest);
		queue_req(d, e->n, OVPNHA_CMD_IROUTE_DEL, r->peer_id, false,
			  b.p, b.len, true);
		queue_req(d, e->n, OVPNHA_CMD_IROUTE_NEW, id, false, e->attrs,
			  e->len, true);
		sbuf_free(&b);
		return;
	}
	heal_later(e->n);
	rx_log_error(e->n, "iroute (held by another origin's peer)", e->err,
		     e->msg);
}

void apply_flush(struct daemon *d)
{
	if (flushing)
		return;
	flushing++;
	for (int round = 0; round < 4 && kern_batch_len(&d->k); round++) {
		int r, n;

		nretries = 0;
		r = kern_batch_flush(&d->k, result_fn, d);
		kset_free(&d->batch_ids);
		for (int i = 0; i < BENT_MAX; i++)
			bents[i].n = NULL;
		if (r < 0)
			slog("applying a batch: %s", strerror(-r));
		/* The mirror must see what was applied before deciding. */
		daemon_drain_events(d, 0);
		n = nretries;
		for (int i = 0; i < n; i++) {
			struct bent *e = &retries[i];

			if (e->cmd == OVPNHA_CMD_IROUTE_NEW)
				retry_iroute(d, e);
			else
				queue_req(d, e->n, e->cmd == OVPNHA_CMD_PEER_NEW ?
					  OVPNHA_CMD_PEER_SET :
					  OVPNHA_CMD_PEER_NEW, e->id, true,
					  e->attrs, e->len, true);
		}
	}
	if (kern_batch_len(&d->k)) {
		/* only after 4 rounds of retries: no more retrying */
		nretries = KBATCH_MAX;
		kern_batch_flush(&d->k, result_fn, d);
		kset_free(&d->batch_ids);
		daemon_drain_events(d, 0);
	}
	flushing--;
}

void rx_reset(struct node *n)
{
	n->rx_state = RX_NONE;
	n->rx_seq = n->rx_acked = 0;
	kset_free(&n->seen);
}

static void reject(struct node *n, const char *why, uint32_t id)
{
	n->rx_rejected++;
	if (n->rx_rejected <= 20 || n->rx_rejected % 1000 == 0)
		node_error(n, "in: refused change of peer %u: %s", id, why);
}

/* The full state of a peer as a request: absent fields cleared. */
static size_t peer_request(uint8_t *out, size_t cap, const uint8_t *attrs,
			   size_t alen, const struct sync_attr *tb)
{
	static const uint8_t zero[16];
	struct sbuf b = { 0 };
	size_t nest, len;

	nest = sync_nest_begin(&b, OVPNHA_A_PEER);
	sbuf_put(&b, attrs, alen);
	if (!tb[OVPNHA_A_PEER_REMOTE_IPV4].data &&
	    !tb[OVPNHA_A_PEER_REMOTE_IPV6].data)
		sync_put_attr(&b, OVPNHA_A_PEER_REMOTE_IPV4, zero, 4);
	if (!tb[OVPNHA_A_PEER_VPN_IPV4].data)
		sync_put_attr(&b, OVPNHA_A_PEER_VPN_IPV4, zero, 4);
	if (!tb[OVPNHA_A_PEER_VPN_IPV6].data)
		sync_put_attr(&b, OVPNHA_A_PEER_VPN_IPV6, zero, 16);
	if (!tb[OVPNHA_A_PEER_RX_BYTES].data)
		sync_put_u64(&b, OVPNHA_A_PEER_RX_BYTES, 0);
	if (!tb[OVPNHA_A_PEER_TX_BYTES].data)
		sync_put_u64(&b, OVPNHA_A_PEER_TX_BYTES, 0);
	sync_nest_end(&b, nest);
	len = b.len <= cap ? b.len : 0;
	if (len)
		memcpy(out, b.p, len);
	sbuf_free(&b);
	return len;
}

static void seen_route(struct node *n, const struct sync_prefix *p,
		       uint32_t id)
{
	uint8_t key[KSET_KEY] = { 'R' };

	memcpy(key + 1, p, sizeof(*p));
	memcpy(key + 1 + sizeof(*p), &id, 4);
	kset_add(&n->seen, key, sizeof(key));
}

static int apply_data(struct daemon *d, struct node *n, uint8_t cmd,
		      const uint8_t *p, size_t len, bool snapshot)
{
	struct sync_attr top[OVPNHA_A_MAX + 1], tb[OVPNHA_A_PEER_MAX + 1];
	bool is_peer = cmd == OVPNHA_CMD_PEER_NEW ||
		       cmd == OVPNHA_CMD_PEER_SET || cmd == OVPNHA_CMD_PEER_DEL;
	const struct sync_attr *nest;
	uint8_t buf[512], req[BENT_ATTRS];
	uint32_t id = 0, origin = 0;
	struct mpeer *mp;
	int slen;
	size_t rlen;

	if (sync_attr_parse(p, len, top, OVPNHA_A_MAX) < 0)
		return -1;
	nest = &top[is_peer ? OVPNHA_A_PEER : OVPNHA_A_IROUTE];
	if (!nest->data)
		return -1;

	if (!is_peer) {
		struct sync_prefix pfx;
		struct sbuf b = { 0 };
		size_t ns;

		if (sync_iroute_decode(nest->data, nest->len, &id, &pfx))
			return -1;
		if (snapshot) {
			n->snap_routes++;
			seen_route(n, &pfx, id);
		}
		mp = mirror_peer(&d->m, id);
		if (mp && mp->origin != n->node_id) {
			reject(n, "iroute of a peer of another origin", id);
			return 0;
		}
		slen = sync_iroute_strip(nest->data, nest->len, buf,
					 sizeof(buf));
		if (slen < 0)
			return -1;
		ns = sync_nest_begin(&b, OVPNHA_A_IROUTE);
		sbuf_put(&b, buf, (size_t)slen);
		sync_nest_end(&b, ns);
		queue_req(d, n, cmd, id, false, b.p, b.len, false);
		sbuf_free(&b);
		return 0;
	}

	if (sync_attr_parse(nest->data, nest->len, tb, OVPNHA_A_PEER_MAX) < 0 ||
	    tb[OVPNHA_A_PEER_ID].len != 4)
		return -1;
	memcpy(&id, tb[OVPNHA_A_PEER_ID].data, 4);
	if (tb[OVPNHA_A_PEER_ORIGIN].len == 4)
		memcpy(&origin, tb[OVPNHA_A_PEER_ORIGIN].data, 4);
	if (!id)
		return -1;
	if (snapshot) {
		uint8_t key[5] = { 'P' };

		memcpy(key + 1, &id, 4);
		kset_add(&n->seen, key, sizeof(key));
		n->snap_peers++;
	}
	if (origin != n->node_id) {
		reject(n, "origin is not the sending node", id);
		return 0;
	}
	mp = mirror_peer(&d->m, id);
	/*
	 * A peer of this node changes hands only when its client went to the
	 * other node: after a takeover, while this node is not master.
	 */
	if (mp && mp->origin == d->node_id &&
	    (d->role == OVPNHA_ROLE_MASTER || d->role == OVPNHA_ROLE_NONE)) {
		reject(n, "the id belongs to a peer of this node", id);
		return 0;
	}
	if (cmd == OVPNHA_CMD_PEER_DEL) {
		struct sbuf b = { 0 };
		size_t ns = sync_nest_begin(&b, OVPNHA_A_PEER);

		sync_put_u32(&b, OVPNHA_A_PEER_ID, id);
		sync_nest_end(&b, ns);
		queue_req(d, n, cmd, id, true, b.p, b.len, false);
		sbuf_free(&b);
		return 0;
	}
	if (!tb[OVPNHA_A_PEER_CN].data)
		return -1;
	slen = sync_peer_strip(nest->data, nest->len, buf, sizeof(buf));
	if (slen < 0)
		return -1;
	rlen = peer_request(req, sizeof(req), buf, (size_t)slen, tb);
	if (!rlen)
		return -1;
	queue_req(d, n, mp ? OVPNHA_CMD_PEER_SET : OVPNHA_CMD_PEER_NEW, id,
		  true, req, rlen, false);
	return 0;
}

/* A flow of the sender's master: installed here with the sender's epoch. */
static int apply_flow(struct daemon *d, struct node *n, uint8_t cmd,
		      const uint8_t *p, size_t len)
{
	struct sync_attr top[OVPNHA_A_MAX + 1], ft[OVPNHA_A_FLOW_MAX + 1];
	struct sbuf b = { 0 };
	uint8_t buf[256];
	uint32_t id;
	size_t ns;
	int slen;

	if (sync_attr_parse(p, len, top, OVPNHA_A_MAX) < 0 ||
	    !top[OVPNHA_A_FLOW].data ||
	    sync_attr_parse(top[OVPNHA_A_FLOW].data, top[OVPNHA_A_FLOW].len, ft,
			    OVPNHA_A_FLOW_MAX) < 0 ||
	    ft[OVPNHA_A_FLOW_PEER_ID].len != 4)
		return -1;
	memcpy(&id, ft[OVPNHA_A_FLOW_PEER_ID].data, 4);
	slen = sync_flow_strip(top[OVPNHA_A_FLOW].data, top[OVPNHA_A_FLOW].len,
			       buf, sizeof(buf));
	if (slen < 0)
		return -1;
	ns = sync_nest_begin(&b, OVPNHA_A_FLOW);
	sbuf_put(&b, buf, (size_t)slen);
	sync_nest_end(&b, ns);
	queue_req(d, n, cmd, id, true, b.p, b.len, false);
	sbuf_free(&b);
	return 0;
}

struct stale {
	struct daemon *d;
	struct node *n;
	uint32_t *peers;
	size_t npeers, cap;
	struct sync_prefix *pfx;
	uint32_t *owners;
	size_t nroutes, rcap;
};

static int find_stale(struct mpeer *p, void *arg)
{
	struct stale *s = arg;
	uint8_t key[5] = { 'P' };

	if (p->origin != s->n->node_id)
		return 0;
	memcpy(key + 1, &p->id, 4);
	if (!kset_has(&s->n->seen, key, sizeof(key))) {
		if (s->npeers == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 256;
			s->peers = xrealloc(s->peers, s->cap * sizeof(*s->peers));
		}
		s->peers[s->npeers++] = p->id;
		return 0;
	}
	for (struct mroute *r = p->routes; r; r = r->pnext) {
		uint8_t rk[KSET_KEY] = { 'R' };

		memcpy(rk + 1, &r->pfx, sizeof(r->pfx));
		memcpy(rk + 1 + sizeof(r->pfx), &p->id, 4);
		if (kset_has(&s->n->seen, rk, sizeof(rk)))
			continue;
		if (s->nroutes == s->rcap) {
			s->rcap = s->rcap ? s->rcap * 2 : 256;
			s->pfx = xrealloc(s->pfx, s->rcap * sizeof(*s->pfx));
			s->owners = xrealloc(s->owners,
					     s->rcap * sizeof(*s->owners));
		}
		s->pfx[s->nroutes] = r->pfx;
		s->owners[s->nroutes++] = p->id;
	}
	return 0;
}

/* After a snapshot: what the sender no longer has goes. */
static void reconcile(struct daemon *d, struct node *n)
{
	struct stale s = { .d = d, .n = n };

	apply_flush(d);
	mirror_each_peer(&d->m, find_stale, &s);
	for (size_t i = 0; i < s.npeers; i++) {
		struct sbuf b = { 0 };
		size_t ns = sync_nest_begin(&b, OVPNHA_A_PEER);

		sync_put_u32(&b, OVPNHA_A_PEER_ID, s.peers[i]);
		sync_nest_end(&b, ns);
		queue_req(d, n, OVPNHA_CMD_PEER_DEL, s.peers[i], true, b.p,
			  b.len, false);
		sbuf_free(&b);
	}
	for (size_t i = 0; i < s.nroutes; i++) {
		struct sbuf b = { 0 };
		size_t ns = sync_nest_begin(&b, OVPNHA_A_IROUTE);
		const struct sync_prefix *pf = &s.pfx[i];

		sync_put_u32(&b, OVPNHA_A_IROUTE_PEER_ID, s.owners[i]);
		sync_put_attr(&b, pf->family == 4 ? OVPNHA_A_IROUTE_IPV4 :
			      OVPNHA_A_IROUTE_IPV6, pf->addr,
			      pf->family == 4 ? 4 : 16);
		sync_put_attr(&b, OVPNHA_A_IROUTE_PREFIXLEN, &pf->plen, 1);
		sync_nest_end(&b, ns);
		queue_req(d, n, OVPNHA_CMD_IROUTE_DEL, s.owners[i], false, b.p,
			  b.len, false);
		sbuf_free(&b);
	}
	apply_flush(d);
	n->last_resync_ms = (double)(now_ms() - n->snap_started);
	slog("%s: in: resync complete: %u peers, %u iroutes; %zu stale peers and %zu stale iroutes removed; %.0f ms",
	     n->conf->name, n->snap_peers, n->snap_routes, s.npeers, s.nroutes,
	     n->last_resync_ms);
	free(s.peers);
	free(s.pfx);
	free(s.owners);
	kset_free(&n->seen);
}

static void ask_resync(struct daemon *d, struct node *n, const char *why)
{
	node_error(n, "in: %s: asking for a resync", why);
	node_send_ctl(d, n, n->rx, SYNC_T_RESYNC_REQ, n->rx_seq);
	n->rx_state = RX_WAIT_SNAP;
}

int rx_frame(struct daemon *d, struct node *n, const struct sync_hdr *h,
	     const uint8_t *payload, size_t len)
{
	n->rx_epoch = h->epoch;
	n->rx_master = h->flags & SYNC_F_MASTER;
	n->rx_role_ms = now_ms();
	if (h->epoch > d->epoch) {
		/* A newer cluster epoch: a master here steps down. */
		int r = kern_epoch_observe(&d->k, h->epoch);

		slog("node %s is at epoch %u, above ours (%u)%s%s", n->conf->name,
		     h->epoch, d->epoch, r ? ": " : "", r ? strerror(-r) : "");
		if (!r)
			d->epoch = h->epoch;
	}
	switch (h->type) {
	case SYNC_T_PING:
		apply_flush(d);
		node_send_ctl(d, n, n->rx, SYNC_T_ACK, n->rx_seq);
		n->rx_acked = n->rx_seq;
		return 0;
	case SYNC_T_RESYNC_BEGIN:
		n->rx_state = RX_SNAP;
		n->snap_seq_in = h->seq;
		n->snap_peers = n->snap_routes = 0;
		n->snap_started = now_ms();
		n->rx_resyncs++;
		kset_free(&n->seen);
		return 0;
	case SYNC_T_RESYNC_END: {
		struct sync_attr tb[SYNC_A_MAX + 1];
		uint32_t peers = 0, routes = 0;

		if (n->rx_state != RX_SNAP || h->seq != n->snap_seq_in ||
		    sync_attr_parse(payload, len, tb, SYNC_A_MAX) < 0 ||
		    tb[SYNC_A_PEERS].len != 4 || tb[SYNC_A_IROUTES].len != 4) {
			ask_resync(d, n, "malformed snapshot end");
			return 0;
		}
		memcpy(&peers, tb[SYNC_A_PEERS].data, 4);
		memcpy(&routes, tb[SYNC_A_IROUTES].data, 4);
		if (peers != n->snap_peers || routes != n->snap_routes) {
			ask_resync(d, n, "snapshot counts differ");
			return 0;
		}
		reconcile(d, n);
		n->rx_seq = h->seq;
		n->rx_state = RX_DELTA;
		return 0;
	}
	case OVPNHA_CMD_PEER_NEW:
	case OVPNHA_CMD_PEER_SET:
	case OVPNHA_CMD_PEER_DEL:
	case OVPNHA_CMD_IROUTE_NEW:
	case OVPNHA_CMD_IROUTE_DEL:
		if (n->rx_state == RX_SNAP) {
			if (h->seq != n->snap_seq_in) {
				ask_resync(d, n, "snapshot frame out of sequence");
				return 0;
			}
		} else if (n->rx_state == RX_DELTA) {
			if (h->seq != n->rx_seq + 1) {
				char m[96];

				n->rx_gaps++;
				snprintf(m, sizeof(m), "gap: got seq %llu after %llu",
					 (unsigned long long)h->seq,
					 (unsigned long long)n->rx_seq);
				ask_resync(d, n, m);
				return 0;
			}
			n->rx_seq = h->seq;
		} else {
			return 0;	/* waiting for a snapshot */
		}
		if (apply_data(d, n, h->type, payload, len,
			       n->rx_state == RX_SNAP)) {
			n->rx_rejected++;
			node_error(n, "in: malformed change (type %u)", h->type);
		}
		return 0;
	case OVPNHA_CMD_FLOW_NEW:
	case OVPNHA_CMD_FLOW_DEL:
		/* Deltas only: a master repeats its flows every few seconds. */
		if (n->rx_state != RX_DELTA)
			return 0;
		if (h->seq != n->rx_seq + 1) {
			n->rx_gaps++;
			ask_resync(d, n, "gap in the flow deltas");
			return 0;
		}
		n->rx_seq = h->seq;
		if (apply_flow(d, n, h->type, payload, len)) {
			n->rx_rejected++;
			node_error(n, "in: malformed change (type %u)", h->type);
		}
		return 0;
	default:
		return 0;	/* a later version's control frame */
	}
}
