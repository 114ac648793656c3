#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Replication benchmark (prints, asserts nothing; not in the test list):
#   selftests/vm/run -- selftests/sync_bench.sh [PEERS]
# lag from a's kernel to b's kernel (p50/p99, one long-lived process),
# updates/s of a burst, bytes per update on the wire (TLS included), and
# the bulk resync time of PEERS peers with an iroute each.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sync.sh"
require_guest
load_module
sync_require
N=${1:-20000}
LAG=$REPO/selftests/progs/sync_lag
trap sync_cleanup EXIT

mkpki "$SYNC_DIR/pki" a b
sync_bridge_up
node_add a 1
node_add b 2
sync_conf a
sync_conf b
sync_start a
sync_start b
wait_in_sync 30 a b

b0=$(sync_json a | jq '.nodes[0].out.bytes')
f0=$(sync_json a | jq '.nodes[0].out.frames')
"$LAG" a b 300 20000 | sed 's/^/bench: /'
sleep 1
b1=$(sync_json a | jq '.nodes[0].out.bytes')
f1=$(sync_json a | jq '.nodes[0].out.frames')
log "bench: $((f1 - f0)) frames, $((b1 - b0)) bytes on the wire: $(( (b1 - b0) / (f1 - f0) )) B per peer update (keepalives included)"

awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) {
	x = int(i / 250); y = i % 250 + 1
	printf "peer add cn user%d remote 198.18.%d.%d port %d id %d vpn-ip 100.64.%d.%d\n", i, x, y, 10000 + i % 50000, i, x, y
	printf "iroute add 10.%d.%d.0/24 peer %d\n", int(i / 256), i % 256, i } }' > "$SYNC_DIR/load"
t0=$(date +%s.%N)
"$SYNC_LOAD" -n a "$SYNC_DIR/load"
t1=$(date +%s.%N)
wait_counts 300 "$N $N" b
t2=$(date +%s.%N)
log "bench: $N peers + $N iroutes: loaded on a in $(echo "$t1 $t0" | awk '{printf "%.2f", $1-$2}')s, on b $(echo "$t2 $t0" | awk '{printf "%.2f", $1-$2}')s after the start (deltas)"
sync_stop b
"$OVPNHACTL" -n b peer flush
t0=$(date +%s.%N)
sync_start b
wait_counts 300 "$N $N" b
t1=$(date +%s.%N)
log "bench: bulk resync of $N peers + iroutes into an empty node: $(echo "$t1 $t0" | awk '{printf "%.2f", $1-$2}')s from daemon start; receiver's own measure $(sync_json b | jq '.nodes[0].in.last_resync_ms') ms"
log "bench: snapshot bytes: $(sync_json a | jq '.nodes[0].out.bytes') total sent by a"
