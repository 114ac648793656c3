#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Peer add/show/set/del round trips through ovpnhactl: IPv4 and IPv6
# endpoints and virtual addresses, duplicate common names, endpoint clash.
. "$(dirname "$0")/lib.sh"
require_guest
load_module
mark=$(dmesg_mark)
ovpnhactl peer flush

# IPv4 endpoint, both virtual addresses.
out=$(ovpnhactl peer add cn alice remote 192.0.2.10 port 1194 proto udp \
	vpn-ip 10.8.0.2 vpn-ip6 fd00:8::2)
id_a=${out#id }
[[ "$id_a" =~ ^[0-9]+$ ]] || fail "peer add printed '$out'"
# Kernel-allocated ids come from this node's block (node 1: 1 << 24 | n).
[ $((id_a >> 24)) -eq 1 ] || fail "id $id_a not in node 1's block"

# IPv6 endpoint over TCP, IPv6-only tunnel address.
id_b=$(ovpnhactl -j peer add cn bob remote 2001:db8::20 port 443 proto tcp \
	vpn-ip6 fd00:8::3 | jq -r '.[0].id')
[[ "$id_b" =~ ^[0-9]+$ ]] || fail "peer add -j gave id '$id_b'"

j=$(ovpnhactl -j peer show id "$id_a")
expect_eq "alice cn" "$(jq -r '.[0].cn' <<<"$j")" alice
expect_eq "alice remote" "$(jq -r '.[0].remote' <<<"$j")" 192.0.2.10
expect_eq "alice port" "$(jq -r '.[0].port' <<<"$j")" 1194
expect_eq "alice proto" "$(jq -r '.[0].proto' <<<"$j")" udp
expect_eq "alice vpn_ip" "$(jq -r '.[0].vpn_ip' <<<"$j")" 10.8.0.2
expect_eq "alice vpn_ip6" "$(jq -r '.[0].vpn_ip6' <<<"$j")" fd00:8::2
expect_eq "alice origin" "$(jq -r '.[0].origin' <<<"$j")" 1
now=$(date +%s)
created=$(jq -r '.[0].created_ns' <<<"$j")
[ $((created / 1000000000 - now)) -le 1 ] && [ $((now - created / 1000000000)) -le 60 ] ||
	fail "created_ns $created not near now ($now)"

j=$(ovpnhactl -j peer show id "$id_b")
expect_eq "bob remote" "$(jq -r '.[0].remote' <<<"$j")" 2001:db8::20
expect_eq "bob port" "$(jq -r '.[0].port' <<<"$j")" 443
expect_eq "bob proto" "$(jq -r '.[0].proto' <<<"$j")" tcp
expect_eq "bob vpn_ip6" "$(jq -r '.[0].vpn_ip6' <<<"$j")" fd00:8::3
expect_eq "bob has no vpn_ip" "$(jq -r '.[0].vpn_ip // "none"' <<<"$j")" none

# The virtual addresses resolve to their peers through the LPM table.
expect_eq "lookup 10.8.0.2" "$(ovpnhactl -j iroute get 10.8.0.2 | jq -r '.[0].peer')" "$id_a"
expect_eq "lookup fd00:8::3" "$(ovpnhactl -j iroute get fd00:8::3 | jq -r '.[0].peer')" "$id_b"
expect_eq "vpn_addr flag" "$(ovpnhactl -j iroute get fd00:8::3 | jq -r '.[0].vpn_addr')" true

# duplicate-cn: a second alice from another endpoint is a different peer.
id_a2=$(ovpnhactl peer add cn alice remote 198.51.100.7 port 40000 vpn-ip 10.8.0.9)
id_a2=${id_a2#id }
[ "$id_a2" != "$id_a" ] || fail "duplicate CN reused id $id_a"
expect_eq "peers named alice" "$(ovpnhactl -j peer show cn alice | jq length)" 2
expect_eq "all peers" "$(ovpnhactl -j peer show | jq length)" 3

# Same endpoint twice, and the same virtual address twice, are refused.
expect_fail 1 "already has endpoint" \
	"$OVPNHACTL" peer add cn mallory remote 192.0.2.10 port 1194 proto udp
expect_fail 1 "$id_a" \
	"$OVPNHACTL" peer add cn mallory remote 192.0.2.99 port 1194 vpn-ip 10.8.0.2
expect_eq "refused adds left nothing" "$(ovpnhactl -j peer show | jq length)" 3

# set: counters and a new virtual address; the old one no longer resolves.
ovpnhactl peer set id "$id_a" rx-bytes 1000 tx-bytes 2000 vpn-ip 10.8.0.4
j=$(ovpnhactl -j peer show id "$id_a")
expect_eq "rx after set" "$(jq -r '.[0].rx_bytes' <<<"$j")" 1000
expect_eq "tx after set" "$(jq -r '.[0].tx_bytes' <<<"$j")" 2000
expect_eq "vpn_ip after set" "$(jq -r '.[0].vpn_ip' <<<"$j")" 10.8.0.4
expect_eq "new vaddr resolves" "$(ovpnhactl -j iroute get 10.8.0.4 | jq -r '.[0].peer')" "$id_a"
expect_fail 2 "no match" "$OVPNHACTL" iroute get 10.8.0.2

# Plain output names the peer's fields on one line.
line=$(ovpnhactl peer show id "$id_b")
for w in "cn bob" "2001:db8::20" tcp "fd00:8::3"; do
	[[ "$line" == *"$w"* ]] || fail "plain show lacks '$w': $line"
done

# del by id, then by CN (both alices).
ovpnhactl peer del id "$id_b"
expect_fail 1 "" "$OVPNHACTL" peer show id "$id_b"
ovpnhactl peer del cn alice
expect_eq "table empty" "$(ovpnhactl -j peer show | jq length)" 0
expect_fail 1 "no peer with common name alice" "$OVPNHACTL" peer del cn alice
expect_eq "info peers" "$(info_field peers)" 0
wait_objects_balanced
dmesg_clean_since "$mark"
