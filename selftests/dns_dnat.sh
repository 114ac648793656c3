#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A/AAAA race into DNAT to several resolvers ("dnat to numgen random"):
# the client asks the gateway's own address, which has no resolver and is
# DNATed to one of three.  The A and the AAAA query of one lookup may go to
# different resolvers, which the kernel resolves by re-inserting the loser
# with another reply tuple.  The DNS guard must leave this NATed DNS alone
# (no local resolver behind the address: no notrack, DNAT still works) and
# only count and attribute the clashes.  0 replies lost on 6.1.
#
#   client (dg-c) 10.99.1.2 -- gateway (dg-r) 10.99.1.1 | 10.99.2.1 --
#   resolvers (dg-s) 10.99.2.11, .12, .13, dnsmasq
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dns_lib.sh"
require_guest
dns_require
load_module
mark=$(dmesg_mark)
trap dns_cleanup EXIT

netns_add dg-c
netns_add dg-r
netns_add dg-s
ip link add c0 netns dg-c type veth peer name r0 netns dg-r
ip link add s0 netns dg-s type veth peer name r1 netns dg-r
ip -n dg-c addr add 10.99.1.2/24 dev c0
ip -n dg-r addr add 10.99.1.1/24 dev r0
ip -n dg-r addr add 10.99.2.1/24 dev r1
ip -n dg-s addr add 10.99.2.11/24 dev s0
ip -n dg-s addr add 10.99.2.12/24 dev s0
ip -n dg-s addr add 10.99.2.13/24 dev s0
for l in dg-c:c0 dg-r:r0 dg-r:r1 dg-s:s0; do
	ip -n "${l%%:*}" link set "${l#*:}" up
done
ip -n dg-c route add default via 10.99.1.1
ip -n dg-s route add default via 10.99.2.1
ip netns exec dg-r sysctl -qw net.ipv4.ip_forward=1
ip netns exec dg-r nft -f - <<'EOF'
table inet fw {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ct state established,related counter accept
		ct state new counter accept
	}
}
table ip nat {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr 10.99.1.1 udp dport 53 dnat to numgen random mod 3 map { 0 : 10.99.2.11, 1 : 10.99.2.12, 2 : 10.99.2.13 }
	}
}
EOF
dns_resolver dg-s 10.99.2.11 10.99.2.12 10.99.2.13
slow_chain dg-r inet fw forward
ovpnhactl -n dg-r peer add cn client1 vpn-ip 10.99.1.2 >/dev/null

# --- guard off ---
guard_off_rounds dg-r 10.99.1.1 threads sendmmsg burst

# --- guard on: NATed DNS stays tracked, clashes are attributed ---
guard_on_forwarded dg-r 10.99.1.1
n=$(ip netns exec dg-r conntrack -L -p udp --dport 53 --dst-nat 2>/dev/null | wc -l)
[ "$n" -gt 0 ] || fail "no DNATed DNS entries with the guard on"
log "ok: $n DNATed DNS entries with the guard on"
used=$(ip netns exec dg-r conntrack -L -p udp --dport 53 2>/dev/null |
	grep -o 'src=10.99.2.1[123]' | sort -u | wc -l)
expect_eq "resolvers used" "$used" 3
ovpnhactl -n dg-r stats
dns_cleanup
dmesg_clean_since "$mark"
race_hit_or_skip "$OFF_TOTAL"
