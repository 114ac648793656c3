#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Iroutes: longest-prefix match across peers for both families, exact
# answers through the kernel's lookup, conflicts and removal with the peer.
. "$(dirname "$0")/lib.sh"
require_guest
load_module
mark=$(dmesg_mark)
ovpnhactl peer flush

add_peer() { local o; o=$(ovpnhactl peer add "$@"); echo "${o#id }"; }
gw1=$(add_peer cn site1 remote 192.0.2.1 port 1194 vpn-ip 10.8.0.10)
gw2=$(add_peer cn site2 remote 192.0.2.2 port 1194 vpn-ip 10.8.0.11)
gw3=$(add_peer cn site3 remote 2001:db8::3 port 1194 vpn-ip6 fd00:8::13)

ovpnhactl iroute add 10.0.0.0/8 peer "$gw1"
ovpnhactl iroute add 10.20.0.0/16 peer "$gw2"
ovpnhactl iroute add 10.20.30.0/24 peer "$gw3"
ovpnhactl iroute add 10.20.30.128/25 peer "$gw1"
ovpnhactl iroute add 172.16.5.77 peer "$gw2"		# bare address = /32
ovpnhactl iroute add 0.0.0.0/0 peer "$gw3"		# default route
ovpnhactl iroute add 2001:db8:100::/48 peer "$gw1"
ovpnhactl iroute add 2001:db8:100:7::/64 peer "$gw2"
ovpnhactl iroute add 2001:db8:100:7::42/128 peer "$gw3"
ovpnhactl iroute add 10.99.0.5/16 peer "$gw2"		# host bits are masked

# address -> expected "prefix peer"
check() {
	local j
	j=$(ovpnhactl -j iroute get "$1")
	expect_eq "lookup $1" "$(jq -r '.[0] | "\(.prefix) \(.peer)"' <<<"$j")" "$2 $3"
}
check 10.1.2.3 10.0.0.0/8 "$gw1"
check 10.20.1.1 10.20.0.0/16 "$gw2"
check 10.20.30.1 10.20.30.0/24 "$gw3"
check 10.20.30.127 10.20.30.0/24 "$gw3"
check 10.20.30.128 10.20.30.128/25 "$gw1"
check 10.20.30.255 10.20.30.128/25 "$gw1"
check 10.21.0.1 10.0.0.0/8 "$gw1"
check 172.16.5.77 172.16.5.77/32 "$gw2"
check 172.16.5.78 0.0.0.0/0 "$gw3"
check 10.8.0.11 10.8.0.11/32 "$gw2"	# a virtual address beats the /8
check 10.99.200.1 10.99.0.0/16 "$gw2"
check 2001:db8:100:1::1 2001:db8:100::/48 "$gw1"
check 2001:db8:100:7::1 2001:db8:100:7::/64 "$gw2"
check 2001:db8:100:7::42 2001:db8:100:7::42/128 "$gw3"
check fd00:8::13 fd00:8::13/128 "$gw3"
expect_fail 2 "no match" "$OVPNHACTL" iroute get 2001:db9::1

# The same prefix claimed twice is an error naming the owner.
expect_fail 1 "already routed to peer $gw2" \
	"$OVPNHACTL" iroute add 10.20.0.0/16 peer "$gw1"
expect_fail 1 "no peer with id 999" "$OVPNHACTL" iroute add 10.30.0.0/16 peer 999
# Deleting someone else's prefix is refused; the table is unchanged.
expect_fail 1 "belongs to peer $gw2" \
	"$OVPNHACTL" iroute del 10.20.0.0/16 peer "$gw1"
check 10.20.1.1 10.20.0.0/16 "$gw2"

expect_eq "iroutes listed" "$(ovpnhactl -j iroute show | jq length)" 10
expect_eq "iroutes of gw1" "$(ovpnhactl -j iroute show peer "$gw1" | jq -r '[.[].prefix] | sort | join(",")')" \
	"10.0.0.0/8,10.20.30.128/25,2001:db8:100::/48"
expect_eq "iroutes in peer show" "$(ovpnhactl -j peer show id "$gw2" | jq -r '.[0].iroutes | sort | join(",")')" \
	"10.20.0.0/16,10.99.0.0/16,172.16.5.77/32,2001:db8:100:7::/64"
expect_eq "info iroutes" "$(info_field iroutes)" 10

# Delete one iroute: lookups fall back to the next shorter prefix.
ovpnhactl iroute del 10.20.30.0/24
check 10.20.30.1 10.20.0.0/16 "$gw2"
check 10.20.30.200 10.20.30.128/25 "$gw1"

# Deleting a peer removes all of its prefixes and its virtual address.
ovpnhactl peer del id "$gw2"
check 10.20.1.1 10.0.0.0/8 "$gw1"
check 172.16.5.77 0.0.0.0/0 "$gw3"
check 10.8.0.11 10.0.0.0/8 "$gw1"
check 2001:db8:100:7::1 2001:db8:100::/48 "$gw1"
expect_eq "iroutes after peer del" "$(ovpnhactl -j iroute show | jq length)" 5
expect_eq "info iroutes after del" "$(info_field iroutes)" 5

ovpnhactl peer flush
expect_eq "iroutes after flush" "$(ovpnhactl -j iroute show | jq length)" 0
wait_objects_balanced
dmesg_clean_since "$mark"
