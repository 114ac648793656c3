#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A/AAAA race through a Linux bridge with bridge-nf-call-iptables=1 (the
# OpenStack case: bridged frames go through the IPv4 hooks and conntrack of
# the bridge host).  The resolver sits behind the bridge, not on it, so the
# DNS guard leaves the flows tracked and checks and attributes the clashes
# the kernel resolved.  0 replies lost on 6.1.
#
#   client (dg-c) 10.99.1.2 -- bridge host (dg-b) br0 [b0, b1] --
#   resolver (dg-s) 10.99.1.53, dnsmasq
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dns_lib.sh"
require_guest
dns_require
modprobe br_netfilter 2>/dev/null ||
	skip "br_netfilter is not available in this kernel"
load_module
mark=$(dmesg_mark)
trap dns_cleanup EXIT

netns_add dg-c
netns_add dg-b
netns_add dg-s
ip link add c0 netns dg-c type veth peer name b0 netns dg-b
ip link add s0 netns dg-s type veth peer name b1 netns dg-b
ip -n dg-b link add br0 type bridge
ip -n dg-b link set b0 master br0
ip -n dg-b link set b1 master br0
ip -n dg-c addr add 10.99.1.2/24 dev c0
ip -n dg-s addr add 10.99.1.53/24 dev s0
for l in dg-c:c0 dg-b:b0 dg-b:b1 dg-b:br0 dg-s:s0; do
	ip -n "${l%%:*}" link set "${l#*:}" up
done
ip netns exec dg-b sysctl -qw net.bridge.bridge-nf-call-iptables=1
ip netns exec dg-b nft -f - <<'EOF'
table inet fw {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ct state established,related counter accept
		ct state new counter accept
	}
}
EOF
dns_resolver dg-s 10.99.1.53
slow_chain dg-b inet fw forward
ovpnhactl -n dg-b peer add cn client1 vpn-ip 10.99.1.2 >/dev/null

# --- guard off ---
guard_off_rounds dg-b 10.99.1.53 threads burst
[ "$(ct_dns dg-b)" -gt 0 ] || fail "bridged DNS is not tracked by the bridge host"

# --- guard on: bridged DNS stays tracked, clashes are attributed ---
guard_on_forwarded dg-b 10.99.1.53
dns_cleanup
dmesg_clean_since "$mark"
race_hit_or_skip "$OFF_TOTAL"
