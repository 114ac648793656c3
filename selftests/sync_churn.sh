#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# settings: timeout=1500
#
# Churn under replication (issue #8, "a load run"): node a holds PEERS
# peers (default 100,000: $1 or SYNC_CHURN_PEERS), each with an iroute,
# replicated to b.  Then for SECONDS (default 300, the issue's 5-minute load
# run: $2 or SYNC_CHURN_SECONDS) clients disconnect and reconnect as fast as
# the node takes it: blocks of 1000 peers are deleted and added again from
# a new source port, one block after the other, each block one sync_load
# run (256 requests per sendmsg, every one acknowledged).  At the end b's
# table must equal a's exactly (canonical dumps compared byte for byte),
# with PEERS peers and PEERS iroutes on both, the daemons still running and
# the kernel log clean.  Prints the churn rate and what the daemons had to
# do (event overruns, resyncs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sync.sh"
require_guest
load_module
sync_require
mark=$(dmesg_mark)
N=${1:-${SYNC_CHURN_PEERS:-100000}}
SECS=${2:-${SYNC_CHURN_SECONDS:-300}}
BLOCK=1000
SYNC_LOAD=$REPO/selftests/progs/sync_load
[ -x "$SYNC_LOAD" ] || fail "$SYNC_LOAD missing (make -C selftests/progs)"
[ "$N" -ge "$BLOCK" ] || fail "at least $BLOCK peers"
trap sync_cleanup EXIT

sync_pair_up

t0=$SECONDS
sync_gen_peers 1 "$N" 0 > "$SYNC_DIR/load"
"$SYNC_LOAD" -n a "$SYNC_DIR/load" || fail "loading $N peers on a failed"
wait_counts 900 "$N $N" b
log "figure: $N peers and iroutes loaded on a and replicated to b in $((SECONDS - t0)) s"

blocks=$((N / BLOCK)) round=0 ops=0
t0=$SECONDS
while [ $((SECONDS - t0)) -lt "$SECS" ]; do
	first=$((round % blocks * BLOCK + 1))
	last=$((first + BLOCK - 1))
	round=$((round + 1))
	{
		awk -v a="$first" -v b="$last" \
			'BEGIN { for (i = a; i <= b; i++) print "peer del id " i }'
		sync_gen_peers "$first" "$last" "$round"
	} > "$SYNC_DIR/churn"
	"$SYNC_LOAD" -n a "$SYNC_DIR/churn" ||
		fail "churn round $round (ids $first-$last) failed on a"
	ops=$((ops + 3 * BLOCK))
done
secs=$((SECONDS - t0))
log "figure: churn: $round rounds of $BLOCK disconnects + reconnects (each with its iroute) in $secs s: $((round * BLOCK / secs)) reconnects/s, $((ops / secs)) netlink writes/s"

for ns in a b; do
	kill -0 "${SYNC_PID[$ns]}" 2>/dev/null ||
		fail "sync daemon $ns died: $(tail -n 5 "$SYNC_DIR/$ns.log")"
done
t1=$SECONDS
wait_counts 900 "$N $N" a b
wait_in_sync 900 a b
log "figure: b caught up $((SECONDS - t1)) s after the churn stopped"
for ns in a b; do
	log "figure: daemon $ns: $(sync_json "$ns" | jq -r '"\(.event_overruns) event overruns, \(.reloads) reloads"')"
done
expect_tables_equal a b
dmesg_clean_since "$mark"
