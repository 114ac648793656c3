#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 20k peers with an iroute each: dumps span many netlink messages and must
# resume exactly (every peer once, none missing), and the table limit is
# enforced with a clear error.
. "$(dirname "$0")/lib.sh"
require_guest
load_module
mark=$(dmesg_mark)
trap cleanup_netns EXIT
netns_add big
N=20000

batch=/tmp/dump-batch.txt
for i in $(seq 1 $N); do
	a=$((i / 250)) b=$((i % 250 + 1))
	echo "peer add cn user$((i % 1000)) remote 198.18.$a.$b port $((10000 + i % 50000)) id $i vpn-ip 100.64.$a.$b"
	echo "iroute add 10.$((i / 256)).$((i % 256)).0/24 peer $i"
done > "$batch"
t0=$(date +%s.%N)
ovpnhactl -n big -b "$batch" >/dev/null
t1=$(date +%s.%N)
log "loaded $N peers + $N iroutes in $(echo "$t1 $t0" | awk '{printf "%.1f", $1 - $2}')s"
expect_eq "peers" "$(info_field peers big)" $N
expect_eq "iroutes" "$(info_field iroutes big)" $N

ovpnhactl -n big -j peer show > /tmp/dump.json
expect_eq "peers dumped" "$(jq length /tmp/dump.json)" $N
expect_eq "distinct ids" "$(jq '[.[].id] | unique | length' /tmp/dump.json)" $N
expect_eq "id range" "$(jq -c '[.[].id] | [min, max]' /tmp/dump.json)" "[1,$N]"
expect_eq "each peer has its iroute" \
	"$(jq '[.[] | select((.iroutes | length) == 1)] | length' /tmp/dump.json)" $N
expect_eq "peer 12345 iroute" \
	"$(jq -r '.[] | select(.id == 12345) | .iroutes[0]' /tmp/dump.json)" 10.48.57.0/24
ovpnhactl -n big -j iroute show > /tmp/iroutes.json
expect_eq "iroutes dumped" "$(jq length /tmp/iroutes.json)" $N
expect_eq "distinct prefixes" "$(jq '[.[].prefix] | unique | length' /tmp/iroutes.json)" $N
expect_eq "cn filter in dump" "$(ovpnhactl -n big -j peer show cn user7 | jq length)" $((N / 1000))

# Plain output: one line per peer.
expect_eq "plain lines" "$(ovpnhactl -n big peer show | wc -l)" $N

ovpnhactl -n big peer flush
expect_eq "peers after flush" "$(info_field peers big)" 0
expect_eq "iroutes after flush" "$(info_field iroutes big)" 0
cleanup_netns
wait_objects_balanced
dmesg_clean_since "$mark"
