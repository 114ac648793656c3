#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Three nodes, full mesh: a change on any node reaches the other two (and
# is never echoed back), deletes too; all three tables end identical.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sync.sh"
require_guest
load_module
sync_require
mark=$(dmesg_mark)
trap sync_cleanup EXIT

mkpki "$SYNC_DIR/pki" a b c
sync_bridge_up
node_add a 1
node_add b 2
node_add c 3
for n in a b c; do sync_conf "$n"; done
for n in a b c; do sync_start "$n"; done
wait_in_sync 40 a b c
expect_eq "a knows 2 nodes" "$(sync_json a | jq -c '[.nodes[] | [.name, .node_id, .in_sync]]')" \
	'[["b",2,true],["c",3,true]]'

# 100 peers with an iroute on each node, ids from each node's block.
for n in a b c; do
	i=${SYNC_IDX[$n]}
	awk -v i="$i" 'BEGIN { for (k = 1; k <= 100; k++) {
		id = i * 16777216 + k
		printf "peer add cn %d-user%d remote 198.%d.%d.%d port 1194 id %d vpn-ip 100.%d.%d.%d\n", i, k, 17 + i, int(k / 250), k % 250 + 1, id, 63 + i, int(k / 250), k % 250 + 1
		printf "iroute add 10.%d.%d.0/24 peer %d\n", i, k, id } }' > "$SYNC_DIR/load-$n"
	"$SYNC_LOAD" -n "$n" "$SYNC_DIR/load-$n"
done
wait_counts 60 "300 300" a b c
wait_in_sync 30 a b c
expect_tables_equal a b c
for n in a b c; do
	expect_eq "$n: peers per origin" \
		"$("$OVPNHACTL" -n "$n" -j peer show | jq -c 'group_by(.origin) | map([.[0].origin, length])')" \
		'[[1,100],[2,100],[3,100]]'
done

# A change on each node reaches the other two.
"$OVPNHACTL" -n b peer set id $((2 * 16777216 + 5)) vpn-ip 100.99.0.5
"$OVPNHACTL" -n c iroute del 10.3.7.0/24
"$OVPNHACTL" -n a peer del id $((16777216 + 9))
wait_counts 30 "299 298" a b c
for i in $(seq 1 50); do
	[ "$("$OVPNHACTL" -n a -j peer show id $((2 * 16777216 + 5)) | jq -r '.[0].vpn_ip')" = 100.99.0.5 ] &&
	[ "$("$OVPNHACTL" -n c -j peer show id $((2 * 16777216 + 5)) | jq -r '.[0].vpn_ip')" = 100.99.0.5 ] && break
	sleep 0.2
done
wait_in_sync 30 a b c
expect_tables_equal a b c

# No echo: every node applied exactly the other two nodes' changes:
# 100 peers + 100 iroutes from each, and the one change each made.
for n in a b c; do
	expect_eq "$n applied" "$(sync_json "$n" | jq '[.nodes[].in.applied] | add')" 402
	expect_eq "$n refused nothing" "$(sync_json "$n" | jq '[.nodes[].in | .rejected + .apply_errors + .gaps] | add')" 0
done

sync_cleanup
dmesg_clean_since "$mark"
