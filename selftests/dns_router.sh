#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A/AAAA race through a router netns with a stateful forward chain.  The
# router is the tunnel gateway; the resolver is elsewhere, so the DNS guard
# must leave these flows to conntrack and only check the kernel's clash
# resolution: every clash the kernel resolved is counted by ovpnha and
# attributed to the peer that sent the queries.  0 replies lost on 6.1.
#
#   client (dg-c) 10.99.1.2 -- router (dg-r) 10.99.1.1 | 10.99.2.1 --
#   resolver (dg-s) 10.99.2.53, dnsmasq
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
ip -n dg-s addr add 10.99.2.53/24 dev s0
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
EOF
dns_resolver dg-s 10.99.2.53
slow_chain dg-r inet fw forward
ovpnhactl -n dg-r peer add cn client1 vpn-ip 10.99.1.2 >/dev/null

# --- guard off ---
guard_off_rounds dg-r 10.99.2.53 threads sendmmsg burst

# --- guard on: forwarded DNS stays tracked, clashes are attributed ---
guard_on_forwarded dg-r 10.99.2.53
ovpnhactl -n dg-r stats
dns_cleanup
dmesg_clean_since "$mark"
race_hit_or_skip "$OFF_TOTAL"
