#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Each network namespace is an independent node: own table, node id and
# counters.  Deleting a namespace with populated tables frees everything
# (module-wide created == freed object counters).
. "$(dirname "$0")/lib.sh"
require_guest
load_module
mark=$(dmesg_mark)
trap cleanup_netns EXIT
ovpnhactl peer flush

netns_add nodeA
netns_add nodeB
ovpnhactl -n nodeA config set node-id 7
expect_eq "node A id" "$(info_field node_id nodeA)" 7
expect_eq "node B id" "$(info_field node_id nodeB)" 1

a=$(ovpnhactl -n nodeA peer add cn same remote 192.0.2.1 port 1194 vpn-ip 10.8.0.2)
a=${a#id }
[ $((a >> 24)) -eq 7 ] || fail "node A allocated id $a outside block 7"
# The same endpoint and virtual address are free in the other namespace.
b=$(ovpnhactl -n nodeB peer add cn same remote 192.0.2.1 port 1194 vpn-ip 10.8.0.2)
b=${b#id }
[ $((b >> 24)) -eq 1 ] || fail "node B allocated id $b outside block 1"
ovpnhactl -n nodeA iroute add 10.50.0.0/16 peer "$a"
ovpnhactl -n nodeB iroute add 10.60.0.0/16 peer "$b"

expect_eq "A lookup" "$(ovpnhactl -n nodeA -j iroute get 10.50.1.1 | jq -r '.[0].peer')" "$a"
expect_fail 2 "no match" "$OVPNHACTL" -n nodeA iroute get 10.60.1.1
expect_eq "B lookup" "$(ovpnhactl -n nodeB -j iroute get 10.60.1.1 | jq -r '.[0].peer')" "$b"
expect_eq "init netns empty" "$(ovpnhactl -j peer show | jq length)" 0
ovpnhactl -n nodeA peer del id "$a"
expect_eq "B unaffected" "$(ovpnhactl -n nodeB -j peer show | jq length)" 1

# Populate several namespaces, then delete them with their tables full.
init0=$(info_field obj_netns_init)
exit0=$(info_field obj_netns_exit)
batch=/tmp/netns-batch.txt
for ns in 1 2 3; do
	netns_add "fill$ns"
	for i in $(seq 1 300); do
		echo "peer add cn c$i remote 10.$ns.$((i / 250)).$((i % 250 + 1)) port 1194 id $i vpn-ip 100.64.$((i / 250)).$((i % 250 + 1))"
		echo "iroute add 172.$((16 + ns)).$((i / 16)).$((i % 16 * 16))/28 peer $i"
	done > "$batch"
	ovpnhactl -n "fill$ns" -b "$batch" >/dev/null
	expect_eq "fill$ns peers" "$(info_field peers "fill$ns")" 300
	expect_eq "fill$ns iroutes" "$(info_field iroutes "fill$ns")" 300
done
expect_eq "netns inits" "$(( $(info_field obj_netns_init) - init0 ))" 3
cleanup_netns
# Namespaces are torn down asynchronously (cleanup_net work).
for i in $(seq 1 100); do
	[ $(( $(info_field obj_netns_exit) - exit0 )) -ge 5 ] && break
	sleep 0.2
done
expect_eq "netns exits" "$(( $(info_field obj_netns_exit) - exit0 ))" 5
wait_objects_balanced
dmesg_clean_since "$mark"
