#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The DNS guard with a resolver on the gateway itself (dnsmasq): a tunnel
# peer's A/AAAA queries race into the gateway's conntrack (guard off: the
# kernel resolves the clashes, nothing is lost on 6.1); with the guard on
# they and their replies stay out of conntrack (no entries, no clashes, 0
# lost), exactly those flows: other sources are still tracked.  Prefixes
# configured with `ovpnhactl dnsguard add` are guarded like peers.
#
#   client (dg-c) 10.99.1.2, .3 ----veth---- gateway (dg-g) 10.99.1.1
#                 fd99:1::2                  fd99:1::1, dnsmasq, conntrack
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dns_lib.sh"
require_guest
dns_require
load_module
mark=$(dmesg_mark)
trap dns_cleanup EXIT

netns_add dg-c
netns_add dg-g
ip link add c0 netns dg-c type veth peer name g0 netns dg-g
ip -n dg-c addr add 10.99.1.2/24 dev c0
ip -n dg-c addr add 10.99.1.3/24 dev c0
ip -n dg-c addr add fd99:1::2/64 dev c0 nodad
ip -n dg-g addr add 10.99.1.1/24 dev g0
ip -n dg-g addr add fd99:1::1/64 dev g0 nodad
ip -n dg-c link set c0 up
ip -n dg-g link set g0 up
# A stateful firewall: conntrack is active in the gateway.
ip netns exec dg-g nft -f - <<'EOF'
table inet fw {
	chain input {
		type filter hook input priority 0; policy accept;
		ct state established,related counter accept
		udp dport 53 counter accept
	}
}
EOF
dns_resolver dg-g 10.99.1.1 fd99:1::1
slow_chain dg-g inet fw input

# The client is a tunnel peer of the gateway.
ovpnhactl -n dg-g peer add cn client1 vpn-ip 10.99.1.2 vpn-ip6 fd99:1::2 >/dev/null
expect_eq "guard off by default" "$(info_field dns_guard dg-g)" false

# --- guard off: the race is hit, the kernel resolves it ---
ip netns exec dg-g conntrack -F 2>/dev/null
guard_off_rounds dg-g 10.99.1.1 threads burst
[ "$(ct_dns dg-g)" -gt 0 ] || fail "guard off: DNS not tracked"

# --- guard on: nothing of it reaches conntrack ---
ovpnhactl -n dg-g config set dns-guard on
expect_eq "guard on" "$(info_field dns_guard dg-g)" true
ip netns exec dg-g conntrack -F 2>/dev/null
c0=$(ct_stat dg-g clash_resolve); f0=$(ct_stat dg-g insert_failed)
g0=$(ovs dg-g dns_guarded)
for mode in threads sendmmsg; do
	r=$(race dg-c -m $mode -r "$DNS_ROUNDS" 10.99.1.1)
	log "guard on, $mode: $r"
	expect_eq "guard on $mode: lost lookups" "$(jq -r .lost_lookups <<<"$r")" 0
done
r=$(race dg-c -m burst -n 128 -r "$DNS_BURST_ROUNDS" 10.99.1.1)
log "guard on, 128-thread burst: $r"
expect_eq "guard on burst: lost lookups" "$(jq -r .lost_lookups <<<"$r")" 0
r=$(race dg-c -m threads -r "$DNS_ROUNDS" fd99:1::1)
log "guard on, IPv6 threads: $r"
expect_eq "guard on IPv6: lost lookups" "$(jq -r .lost_lookups <<<"$r")" 0
expect_eq "guard on: DNS conntrack entries" "$(ct_dns dg-g)" 0
expect_eq "guard on: clashes" "$(( $(ct_stat dg-g clash_resolve) - c0 ))" 0
expect_eq "guard on: insert_failed" "$(( $(ct_stat dg-g insert_failed) - f0 ))" 0
# every query and every reply: 4 packets per lookup
want=$(( 4 * (3 * DNS_ROUNDS + 64 * DNS_BURST_ROUNDS) ))
expect_eq "dns_guarded" "$(( $(ovs dg-g dns_guarded) - g0 ))" "$want"
expect_eq "dns_checked (nothing forwarded)" "$(ovs dg-g dns_checked)" 0

# --- scope: a source that is neither a peer nor a guarded prefix ---
ip netns exec dg-c dig +short +time=2 +tries=1 -b 10.99.1.3 @10.99.1.1 race.test A >/dev/null
expect_eq "unguarded source tracked" "$(ct_dns dg-g)" 1
ip netns exec dg-g conntrack -F 2>/dev/null

# --- configured prefixes ---
ovpnhactl -n dg-g dnsguard add 10.99.1.0/24
expect_fail 1 "already guarded" "$OVPNHACTL" -n dg-g dnsguard add 10.99.1.0/24
expect_fail 1 "not guarded" "$OVPNHACTL" -n dg-g dnsguard del 10.99.2.0/24
ip netns exec dg-c dig +short +time=2 +tries=1 -b 10.99.1.3 @10.99.1.1 race.test A >/dev/null
expect_eq "prefix source untracked" "$(ct_dns dg-g)" 0
j=$(ovpnhactl -n dg-g -j dnsguard show)
log "$j"
expect_eq "prefix listed" "$(jq -r '.[0].prefix' <<<"$j")" 10.99.1.0/24
expect_eq "prefix hits (query + reply)" "$(jq -r '.[0].hits' <<<"$j")" 2
ovpnhactl -n dg-g dnsguard del 10.99.1.0/24
expect_eq "prefix removed" "$(ovpnhactl -n dg-g -j dnsguard show | jq length)" 0

# --- guard off again: tracked again ---
ovpnhactl -n dg-g config set dns-guard off
expect_eq "guard off" "$(info_field dns_guard dg-g)" false
ip netns exec dg-c dig +short +time=2 +tries=1 -b 10.99.1.2 @10.99.1.1 race.test A >/dev/null
expect_eq "tracked with the guard off" "$(ct_dns dg-g)" 1

ovpnhactl -n dg-g stats
dns_cleanup
dmesg_clean_since "$mark"
race_hit_or_skip "$OFF_TOTAL"
