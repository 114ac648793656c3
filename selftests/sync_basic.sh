#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Replication between two nodes over TLS: changes on either side appear
# on the other (ids and origin kept, no echo), sets and deletes propagate,
# 10k peers with iroutes converge to identical tables, and a node whose
# daemon is killed and whose table is flushed (a module reload) catches up
# through a bulk resync while its stale origin is reconciled away.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sync.sh"
require_guest
load_module
sync_require
mark=$(dmesg_mark)
trap sync_cleanup EXIT

sync_pair_conf

sync_start a
sleep 1
rc=0; sync_status a >/dev/null || rc=$?
expect_eq "status exit while b is down" "$rc" 3
sync_start b
wait_in_sync 30 a b
j=$(sync_json a)
expect_eq "a sees b" "$(jq -r '.nodes[0].name' <<<"$j")" b
expect_eq "b's node id" "$(jq -r '.nodes[0].node_id' <<<"$j")" 2
expect_eq "a in sync" "$(jq -r '.in_sync' <<<"$j")" true

# A change on a reaches b with its id and origin.
id=$("$OVPNHACTL" -n a peer add cn alice remote 192.0.2.10 port 1194 vpn-ip 10.8.0.2)
id=${id#id }
"$OVPNHACTL" -n a iroute add 10.50.0.0/16 peer "$id"
wait_counts 20 "1 1" b
p=$("$OVPNHACTL" -n b -j peer show id "$id")
expect_eq "replica cn" "$(jq -r '.[0].cn' <<<"$p")" alice
expect_eq "replica origin" "$(jq -r '.[0].origin' <<<"$p")" 1
expect_eq "replica vpn_ip" "$(jq -r '.[0].vpn_ip' <<<"$p")" 10.8.0.2
expect_eq "replica iroute" "$(jq -r '.[0].iroutes[0]' <<<"$p")" 10.50.0.0/16
expect_eq "replica lookup" "$("$OVPNHACTL" -n b -j iroute get 10.50.1.1 | jq -r '.[0].peer')" "$id"

# And one on b reaches a.
idb=$("$OVPNHACTL" -n b peer add cn bob remote 192.0.2.20 port 1194 vpn-ip 10.8.0.3)
idb=${idb#id }
wait_counts 20 "2 1" a
expect_eq "b's peer on a: origin" "$("$OVPNHACTL" -n a -j peer show id "$idb" | jq -r '.[0].origin')" 2

# A set and an iroute delete propagate.
"$OVPNHACTL" -n a peer set id "$id" vpn-ip 10.8.0.9 rx-bytes 1234
"$OVPNHACTL" -n a iroute del 10.50.0.0/16
"$OVPNHACTL" -n a iroute add 10.51.0.0/16 peer "$id"
for i in $(seq 1 50); do
	[ "$("$OVPNHACTL" -n b -j peer show id "$id" | jq -r '.[0].vpn_ip')" = 10.8.0.9 ] && break
	sleep 0.2
done
wait_in_sync 20 a b
expect_tables_equal a b
expect_eq "set reached b" "$("$OVPNHACTL" -n b -j peer show id "$id" | jq -c '.[0] | [.vpn_ip, .rx_bytes, .iroutes]')" \
	'["10.8.0.9",1234,["10.51.0.0/16"]]'

# Deletes propagate.
"$OVPNHACTL" -n a peer del id "$id"
"$OVPNHACTL" -n b peer del id "$idb"
wait_counts 20 "0 0" a b

# No echo: each side applied only the other side's changes (3 of a's
# events reached b as peer new, iroute new; then set, iroute del, iroute
# add, peer del = 6; b sent bob new and del = 2).
wait_in_sync 20 a b
expect_eq "b applied from a" "$(sync_json b | jq '.nodes[0].in.applied')" 6
expect_eq "a applied from b" "$(sync_json a | jq '.nodes[0].in.applied')" 2
expect_eq "nothing rejected" "$(sync_json a | jq '.nodes[0].in.rejected + .nodes[0].in.apply_errors')" 0

# 10k peers with an iroute each on a, 500 on b.
N=10000
awk -v n=$N 'BEGIN { for (i = 1; i <= n; i++) {
	x = int(i / 250); y = i % 250 + 1
	printf "peer add cn user%d remote 198.18.%d.%d port %d id %d vpn-ip 100.64.%d.%d\n", i, x, y, 10000 + i, i, x, y
	printf "iroute add 10.%d.%d.0/24 peer %d\n", int(i / 256), i % 256, i } }' > "$SYNC_DIR/load-a"
awk 'BEGIN { for (i = 1; i <= 500; i++) {
	x = int(i / 250); y = i % 250 + 1
	printf "peer add cn site%d remote 198.19.%d.%d port 1194 id %d vpn-ip 100.65.%d.%d\n", i, x, y, 33554432 + i, x, y
	printf "iroute add 172.16.%d.%d/28 peer %d\n", int(i / 16), i % 16 * 16, 33554432 + i } }' > "$SYNC_DIR/load-b"
t0=$(date +%s.%N)
"$SYNC_LOAD" -n a "$SYNC_DIR/load-a" &
"$SYNC_LOAD" -n b "$SYNC_DIR/load-b"
wait $!
wait_counts 120 "10500 10500" a b
t1=$(date +%s.%N)
log "10500 peers + iroutes loaded and replicated in $(echo "$t1 $t0" | awk '{printf "%.1f", $1 - $2}')s"
wait_in_sync 30 a b
expect_tables_equal a b

# b restarts: daemon killed, table flushed (module reload); a changes
# meanwhile.  b catches up; its vanished origin is removed from a.
resyncs=$(sync_json b | jq '.nodes[0].in.resyncs')
sync_stop b
"$OVPNHACTL" -n b peer flush
seq 1 100 | sed 's/^/peer del id /' > "$SYNC_DIR/del-a"
"$SYNC_LOAD" -n a "$SYNC_DIR/del-a"
"$OVPNHACTL" -n a peer add cn late remote 192.0.2.99 port 1194 id 20000 > /dev/null
sync_start b
wait_counts 120 "9901 9900" a b
wait_in_sync 30 a b
expect_tables_equal a b
expect_eq "no origin-2 peer left on a" "$("$OVPNHACTL" -n a -j peer show | jq '[.[] | select(.origin == 2)] | length')" 0
# The restarted daemon got at least one snapshot (a new daemon counts from 0).
j=$(sync_json b)
[ "$(jq '.nodes[0].in.resyncs' <<<"$j")" -ge 1 ] || fail "b got no snapshot"
[ "$(jq '.nodes[0].out.resyncs' <<<"$(sync_json a)")" -ge 2 ] || fail "a sent no new snapshot"
log "b before the restart: $resyncs resyncs; after: $(jq -c '.nodes[0].in | {resyncs, gaps, rejected, apply_errors}' <<<"$j")"
grep -h -E "resync|timeout|gap" "$SYNC_DIR/a.log" "$SYNC_DIR/b.log" | tail -n 8

# A client that moved: its new peer on a arrives at b while b's own stale
# peer still holds the virtual address.  b cannot apply it (EEXIST) and
# must not lose it: once the stale peer goes, b asks a for a snapshot and
# holds the new peer.
has_cn() { [ "$("$OVPNHACTL" -n "$1" -j peer show cn "$2" | jq length)" = 1 ]; }
heals0=$(sync_json b | jq '.nodes[0].in.heals')
"$OVPNHACTL" -n b peer add cn moved-old remote 192.0.2.50 port 1194 id 30000 vpn-ip 10.200.0.7 > /dev/null
wait_for 20 "a has b's peer moved-old" has_cn a moved-old
# a's learn-address hook releases the address from the stale replica (a
# local change of b's peer: not sent back), then the new peer takes it.
"$OVPNHACTL" -n a peer del id 30000
"$OVPNHACTL" -n a peer add cn moved-new remote 192.0.2.51 port 1194 id 30001 vpn-ip 10.200.0.7 > /dev/null
sleep 2
! has_cn b moved-new || fail "b applied a peer whose virtual address its own peer holds"
"$OVPNHACTL" -n b peer del id 30000
wait_for 40 "b holds a's peer moved-new after its stale peer went" has_cn b moved-new
heals=$(sync_json b | jq '.nodes[0].in.heals')
[ "$heals" -gt "$heals0" ] || fail "b did not count the heal ($heals0 -> $heals)"
log "ok: the refused peer arrived after $((heals - heals0)) heal resync(s)"
wait_in_sync 30 a b
expect_tables_equal a b

sync_cleanup
dmesg_clean_since "$mark"
