#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One bit flipped on the wire inside a's stream to b (a relay between
# them): b's TLS session breaks (counted), a reconnects and resends a
# snapshot, and both tables end identical - the corruption never reaches
# a table.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sync.sh"
require_guest
load_module
sync_require
PROXY=$REPO/selftests/progs/tamper_proxy
[ -x "$PROXY" ] || fail "$PROXY missing (make -C selftests/progs)"
mark=$(dmesg_mark)
trap 'kill $ppid 2>/dev/null; sync_cleanup' EXIT
ppid=

sync_pair_conf
# a reaches b through the relay in namespace p (192.168.77.9).
netns_add p
ip link add s-p type veth peer name bc0 netns p
ip link set s-p master sbr up
ip -n p addr add 192.168.77.9/24 dev bc0
ip -n p link set bc0 up
sed -i "s|^address = 192.168.77.2:$SYNC_PORT|address = 192.168.77.9:$SYNC_PORT|" "$SYNC_DIR/a.conf"
# a's snapshot (200 peers with iroutes, ~34 KB) is well past the TLS
# handshake at byte 20000.
ip netns exec p "$PROXY" 192.168.77.9 $SYNC_PORT 192.168.77.2 $SYNC_PORT 20000 \
	> "$SYNC_DIR/proxy.log" 2>&1 &
ppid=$!
awk 'BEGIN { for (k = 1; k <= 200; k++) {
	printf "peer add cn t%d remote 198.18.0.%d port 1194 id %d vpn-ip 100.64.0.%d\n", k, k, 16777216 + k, k
	printf "iroute add 10.1.%d.0/24 peer %d\n", k, 16777216 + k } }' > "$SYNC_DIR/load-a"
"$SYNC_LOAD" -n a "$SYNC_DIR/load-a"
"$OVPNHACTL" -n b peer add cn local-b remote 192.0.2.2 port 1194 id $((2 * 16777216 + 1)) > /dev/null

sync_start b
sync_start a
wait_counts 60 "201 200" a b
wait_in_sync 30 a b
expect_tables_equal a b

grep -q "flipped byte 20000 of connection 1" "$SYNC_DIR/proxy.log" || {
	cat "$SYNC_DIR/proxy.log"; fail "the relay flipped nothing"; }
j=$(sync_json b)
expect_eq "b's broken TLS sessions" "$(jq .tls_errors <<<"$j")" 1
grep -E "in: TLS: " "$SYNC_DIR/b.log" ||
	fail "b logged no TLS record failure"
[ "$(sync_json a | jq '.nodes[0].out.connects')" -ge 2 ] || fail "a did not reconnect"
expect_eq "b refused nothing" "$(jq '.nodes[0].in | .rejected + .apply_errors' <<<"$j")" 0

sync_cleanup
dmesg_clean_since "$mark"
