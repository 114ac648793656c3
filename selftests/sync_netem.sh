#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A bad back channel: 5 % loss, reordering and 200 ms delay both ways
# while both nodes change their tables, then a 5-second cut with more
# changes.  After it heals the tables converge with nothing lost.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sync.sh"
require_guest
load_module
sync_require
command -v tc >/dev/null || skip "tc not installed"
mark=$(dmesg_mark)
trap sync_cleanup EXIT

sync_pair_up

impair() {	# ARGS for netem on both ends of a's link
	tc qdisc replace dev s-a root netem "$@"
	ip netns exec a tc qdisc replace dev bc0 root netem "$@"
}
modprobe sch_netem 2>/dev/null || true
impair delay 200ms 20ms loss 5% reorder 25% 50% ||
	skip "netem not available"

gen() {	# NODE-INDEX FIRST LAST
	awk -v i="$1" -v f="$2" -v l="$3" 'BEGIN { for (k = f; k <= l; k++) {
		id = i * 16777216 + k
		printf "peer add cn n%d-%d remote 198.%d.%d.%d port 1194 id %d vpn-ip 100.%d.%d.%d\n", i, k, 17 + i, int(k / 250), k % 250 + 1, id, 63 + i, int(k / 250), k % 250 + 1
		printf "iroute add 10.%d.%d.%d/30 peer %d\n", i, int(k / 64), k % 64 * 4, id } }'
}
gen 1 1 300 > "$SYNC_DIR/a1"
gen 2 1 100 > "$SYNC_DIR/b1"
"$SYNC_LOAD" -n a "$SYNC_DIR/a1"
"$SYNC_LOAD" -n b "$SYNC_DIR/b1"
seq 1 50 | awk '{ printf "peer del id %d\n", 16777216 + $1 }' > "$SYNC_DIR/a-del"
"$SYNC_LOAD" -n a "$SYNC_DIR/a-del"
sleep 2

# The cut: nothing passes for 5 seconds; both sides keep changing.
impair loss 100%
gen 1 301 400 > "$SYNC_DIR/a2"
gen 2 101 150 > "$SYNC_DIR/b2"
"$SYNC_LOAD" -n a "$SYNC_DIR/a2"
"$SYNC_LOAD" -n b "$SYNC_DIR/b2"
"$OVPNHACTL" -n b peer set id $((2 * 16777216 + 7)) vpn-ip 100.99.0.7
sleep 5
impair delay 200ms 20ms loss 5% reorder 25% 50%
sleep 2
tc qdisc del dev s-a root
ip netns exec a tc qdisc del dev bc0 root

# a: 400 - 50 of its own + 150 of b's; every peer has one iroute.
wait_counts 90 "500 500" a b
wait_in_sync 60 a b
expect_tables_equal a b
expect_eq "b's change made in the cut" \
	"$("$OVPNHACTL" -n a -j peer show id $((2 * 16777216 + 7)) | jq -r '.[0].vpn_ip')" 100.99.0.7
for n in a b; do
	log "$n: $(sync_json "$n" | jq -c '.nodes[0] | {out: (.out | {connects, resyncs, dropped}), in: (.in | {connects, resyncs, gaps, rejected, apply_errors})}')"
	expect_eq "$n: nothing refused" "$(sync_json "$n" | jq '.nodes[0].in | .rejected + .apply_errors')" 0
done

sync_cleanup
dmesg_clean_since "$mark"
