// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's status socket and `ovpnhactl sync status`.
 *
 * A client connects to the unix socket, writes "json\n" or "text\n", and
 * reads one line "in-sync 1" (or 0) followed by the report until EOF.  The
 * exit status of `sync status` is 0 only when every configured node is
 * connected both ways and in sync (a keepalived track_script), 3 when the
 * daemon runs but some node is not, 1 when the daemon cannot be reached.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "json.h"
#include "ovpnhactl.h"
#include "sync.h"

#define EXIT_NOT_IN_SYNC 3

static const char *const rx_names[] = {
	[RX_NONE] = "down", [RX_HELLO] = "hello", [RX_WAIT_SNAP] = "wait-resync",
	[RX_SNAP] = "resync", [RX_DELTA] = "in-sync",
};

static const char *tx_state(const struct node *n)
{
	if (!n->tx)
		return "down";
	switch (n->tx->state) {
	case C_CONNECTING: return "connecting";
	case C_HANDSHAKE: return "handshake";
	default: return n->snap_acked ? "in-sync" : "resync";
	}
}

bool node_in_sync(const struct node *n)
{
	return n->tx && n->tx->state == C_UP && n->snap_acked && n->rx &&
	       n->rx->state == C_UP && n->rx_state == RX_DELTA;
}

static bool all_in_sync(const struct daemon *d)
{
	if (d->k.gone)
		return false;
	for (int i = 0; i < d->nnodes; i++)
		if (!node_in_sync(&d->nodes[i]))
			return false;
	return true;
}

struct counts {
	uint64_t local, total;
};

static int count_fn(struct mpeer *p, void *arg)
{
	struct counts *c = arg;

	c->total++;
	(void)p;
	return 0;
}

static void status_json(struct daemon *d, FILE *f)
{
	struct json j;
	struct counts cnt = { 0 };
	uint64_t now = now_ms();

	mirror_each_peer(&d->m, count_fn, &cnt);
	json_init(&j, f, false);
	json_open_object(&j);
	json_kv_str(&j, "name", d->conf.name);
	json_kv_u64(&j, "node_id", d->node_id);
	json_kv_u64(&j, "epoch", d->epoch);
	json_kv_u64(&j, "reelections", d->reelections);
	json_kv_u64(&j, "seq", d->out_seq);
	json_kv_u64(&j, "kernel_seq", d->kseq);
	json_kv_u64(&j, "uptime_ms", now - d->started);
	json_kv_u64(&j, "peers", d->m.npeers);
	json_kv_u64(&j, "iroutes", d->m.nroutes);
	json_kv_bool(&j, "in_sync", all_in_sync(d));
	json_kv_u64(&j, "events", d->events);
	json_kv_u64(&j, "event_overruns", d->event_overruns);
	json_kv_u64(&j, "reloads", d->reloads);
	json_kv_u64(&j, "module_unloads", d->module_unloads);
	json_kv_bool(&j, "module_loaded", !d->k.gone);
	json_kv_u64(&j, "handshake_failures", d->handshake_failures);
	json_kv_u64(&j, "auth_failures", d->auth_failures);
	json_kv_u64(&j, "tls_errors", d->tls_errors);
	json_key(&j, "nodes");
	json_open_array(&j);
	for (int i = 0; i < d->nnodes; i++) {
		const struct node *n = &d->nodes[i];

		json_open_object(&j);
		json_kv_str(&j, "name", n->conf->name);
		json_kv_str(&j, "address", n->conf->host);
		json_kv_u64(&j, "node_id", n->node_id);
		json_kv_bool(&j, "in_sync", node_in_sync(n));
		json_kv_u64(&j, "errors", n->errors);
		json_kv_str(&j, "last_error", n->last_error);
		json_key(&j, "out");
		json_open_object(&j);
		json_kv_str(&j, "state", tx_state(n));
		json_kv_u64(&j, "connects", n->tx_connects);
		json_kv_u64(&j, "sent_seq", n->sent_seq);
		json_kv_u64(&j, "acked_seq", n->acked_seq);
		json_kv_u64(&j, "lag", n->sent_seq - n->acked_seq);
		json_kv_u64(&j, "resyncs", n->tx_resyncs);
		json_kv_u64(&j, "dropped", n->tx_dropped);
		json_kv_u64(&j, "queue_bytes", n->tx ? sbuf_avail(&n->tx->out) : 0);
		json_kv_u64(&j, "frames", n->tx_frames);
		json_kv_u64(&j, "bytes", n->tx_bytes);
		json_close_object(&j);
		json_key(&j, "in");
		json_open_object(&j);
		json_kv_str(&j, "state", n->rx ? rx_names[n->rx_state] : "down");
		json_kv_u64(&j, "connects", n->rx_connects);
		json_kv_u64(&j, "epoch", n->rx_epoch);
		json_kv_bool(&j, "master", n->rx && n->rx_master);
		json_kv_u64(&j, "applied_seq", n->rx_seq);
		json_kv_u64(&j, "resyncs", n->rx_resyncs);
		json_kv_u64(&j, "heals", n->rx_heals);
		json_kv_u64(&j, "last_resync_ms", (uint64_t)n->last_resync_ms);
		json_kv_u64(&j, "gaps", n->rx_gaps);
		json_kv_u64(&j, "applied", n->rx_applied);
		json_kv_u64(&j, "rejected", n->rx_rejected);
		json_kv_u64(&j, "apply_errors", n->rx_errors);
		json_kv_u64(&j, "frames", n->rx_frames);
		json_kv_u64(&j, "bytes", n->rx_bytes);
		json_close_object(&j);
		json_close_object(&j);
	}
	json_close_array(&j);
	json_close_object(&j);
	json_finish(&j);
}

static void status_text(struct daemon *d, FILE *f)
{
	fprintf(f, "node %s (id %u) epoch %u seq %llu: %s\n", d->conf.name,
		d->node_id, d->epoch, (unsigned long long)d->out_seq,
		all_in_sync(d) ? "in sync" : "NOT in sync");
	fprintf(f, "  table: %zu peers, %zu iroutes; kernel seq %llu, %llu events, %llu overruns, %llu reloads\n",
		d->m.npeers, d->m.nroutes, (unsigned long long)d->kseq,
		(unsigned long long)d->events,
		(unsigned long long)d->event_overruns,
		(unsigned long long)d->reloads);
	fprintf(f, "  module: %s; unloaded %llu times while running\n",
		d->k.gone ? "NOT LOADED (changes from other nodes wait)" :
		"loaded", (unsigned long long)d->module_unloads);
	fprintf(f, "  refused: %llu TLS handshakes, %llu unknown names; %llu TLS errors\n",
		(unsigned long long)d->handshake_failures,
		(unsigned long long)d->auth_failures,
		(unsigned long long)d->tls_errors);
	for (int i = 0; i < d->nnodes; i++) {
		const struct node *n = &d->nodes[i];

		fprintf(f, "  %s %s id %u: %s\n", n->conf->name, n->conf->host,
			n->node_id, node_in_sync(n) ? "in sync" : "NOT in sync");
		fprintf(f, "    out: %s, sent %llu acked %llu lag %llu, resyncs %llu, dropped %llu, queue %zu B, %llu B sent\n",
			tx_state(n), (unsigned long long)n->sent_seq,
			(unsigned long long)n->acked_seq,
			(unsigned long long)(n->sent_seq - n->acked_seq),
			(unsigned long long)n->tx_resyncs,
			(unsigned long long)n->tx_dropped,
			n->tx ? sbuf_avail(&n->tx->out) : 0,
			(unsigned long long)n->tx_bytes);
		fprintf(f, "    in:  %s, applied %llu, epoch %u, resyncs %llu (%llu to heal a conflict), gaps %llu, rejected %llu, errors %llu, %llu B received\n",
			n->rx ? rx_names[n->rx_state] : "down",
			(unsigned long long)n->rx_seq, n->rx_epoch,
			(unsigned long long)n->rx_resyncs,
			(unsigned long long)n->rx_heals,
			(unsigned long long)n->rx_gaps,
			(unsigned long long)n->rx_rejected,
			(unsigned long long)n->rx_errors,
			(unsigned long long)n->rx_bytes);
		if (n->last_error[0])
			fprintf(f, "    last error: %s\n", n->last_error);
	}
}

int status_listen(struct daemon *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->conf.status_socket);
	d->status_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
			      SOCK_CLOEXEC, 0);
	if (d->status_fd < 0)
		return -1;
	unlink(sa.sun_path);
	old = umask(0077);
	if (bind(d->status_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(d->status_fd, 8)) {
		umask(old);
		fprintf(stderr, "ovpnhactl sync: status socket %s: %s\n",
			sa.sun_path, strerror(errno));
		return -1;
	}
	umask(old);
	return 0;
}

void status_serve(struct daemon *d)
{
	int fd = accept4(d->status_fd, NULL, NULL, SOCK_CLOEXEC);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char req[16] = "";
	ssize_t n = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	struct timeval tv = { .tv_sec = 1 };

	if (fd < 0)
		return;
	/* A client that does not read must not stall the daemon. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (poll(&p, 1, 200) == 1)
		n = recv(fd, req, sizeof(req) - 1, 0);
	req[n > 0 ? n : 0] = '\0';
	f = open_memstream(&buf, &len);
	if (f) {
		fprintf(f, "in-sync %d\n", all_in_sync(d) ? 1 : 0);
		if (!strncmp(req, "json", 4))
			status_json(d, f);
		else
			status_text(d, f);
		fclose(f);
		for (size_t off = 0; off < len;) {
			ssize_t w = send(fd, buf + off, len - off, MSG_NOSIGNAL);

			if (w <= 0)
				break;
			off += (size_t)w;
		}
		free(buf);
	}
	close(fd);
}

int sync_status_query(const char *sock_path, bool json, char **body,
		      int *in_sync)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096], *nl, *out = NULL;
	size_t olen = 0, have = 0;
	bool head = true;
	FILE *o;
	ssize_t n;
	int fd;

	*in_sync = -1;
	*body = NULL;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		if (fd >= 0)
			close(fd);
		return err;
	}
	if (send(fd, json ? "json\n" : "text\n", 5, MSG_NOSIGNAL) != 5) {
		close(fd);
		return -EPIPE;
	}
	o = open_memstream(&out, &olen);
	if (!o) {
		close(fd);
		return -ENOMEM;
	}
	while ((n = recv(fd, buf + have, sizeof(buf) - 1 - have, 0)) > 0) {
		have += (size_t)n;
		buf[have] = '\0';
		if (head) {
			nl = strchr(buf, '\n');
			if (!nl && have < sizeof(buf) - 1)
				continue;
			if (!nl || sscanf(buf, "in-sync %d", in_sync) != 1)
				break;
			head = false;
			fputs(nl + 1, o);
		} else {
			fputs(buf, o);
		}
		have = 0;
	}
	close(fd);
	fclose(o);
	if (*in_sync < 0) {
		free(out);
		return -EBADMSG;
	}
	*body = out;
	return 0;
}

const char *sync_default_socket(void)
{
	static struct sync_conf c;
	char err[512];

	if (access(SYNC_CONF_DEFAULT, R_OK) ||
	    sync_conf_load(SYNC_CONF_DEFAULT, &c, err, sizeof(err)))
		return SYNC_STATUS_DEFAULT;
	return c.status_socket;
}

int do_sync_status(const char *conf_path, const char *sock_path)
{
	struct sync_conf c;
	char err[512], *body;
	int ret, in_sync;

	if (!sock_path) {
		if (sync_conf_load(conf_path, &c, err, sizeof(err))) {
			fprintf(stderr, "ovpnhactl: %s\n", err);
			return EXIT_FAIL;
		}
		sock_path = c.status_socket;
	}
	ret = sync_status_query(sock_path, g_opts.json, &body, &in_sync);
	if (ret == -EBADMSG) {
		fputs("Error: no answer from the sync daemon\n", stderr);
		return EXIT_FAIL;
	}
	if (ret) {
		fprintf(stderr, "Error: the sync daemon is not running (%s: %s)\n",
			sock_path, strerror(-ret));
		return EXIT_FAIL;
	}
	fputs(body, stdout);
	free(body);
	return in_sync ? EXIT_OK : EXIT_NOT_IN_SYNC;
}

void help_sync(FILE *f)
{
	fputs(
"  sync [run] [-c FILE]\n"
"        The replication daemon (foreground, logs to stderr): keeps the\n"
"        peer/iroute table identical on every node listed in FILE (default\n"
"        " SYNC_CONF_DEFAULT ") over TLS 1.3 with mutual certificate\n"
"        authentication.  See Documentation/sync.rst.\n"
"  sync status [-c FILE | -s SOCKET] [-j]\n"
"        The running daemon's view: nodes, epoch, sequence numbers sent,\n"
"        acknowledged and applied, lag, resyncs, errors, bytes.  Exit\n"
"        status 0 when every node is connected and in sync, 3 when not,\n"
"        1 when the daemon cannot be reached (keepalived track_script).\n",
	      f);
}
