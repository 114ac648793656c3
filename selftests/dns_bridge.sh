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
c0=$(ct_stat dg-b clash_resolve); f0=$(ct_stat dg-b insert_failed)
r=$(race dg-c -m threads -r "$DNS_ROUNDS" 10.99.1.53)
log "guard off, threads: $r"
off_clash=$(( $(ct_stat dg-b clash_resolve) - c0 ))
log "guard off, threads: kernel resolved $off_clash clashes in $DNS_ROUNDS lookups"
expect_eq "guard off: lost lookups" "$(jq -r .lost_lookups <<<"$r")" 0
expect_eq "guard off: insert_failed" "$(( $(ct_stat dg-b insert_failed) - f0 ))" 0
[ "$(ct_dns dg-b)" -gt 0 ] || fail "bridged DNS is not tracked by the bridge host"
r=$(race dg-c -m burst -n 128 -r "$DNS_BURST_ROUNDS" 10.99.1.53)
log "guard off, 128-thread burst: $r"
expect_eq "guard off burst: lost lookups" "$(jq -r .lost_lookups <<<"$r")" 0
off_total=$(( $(ct_stat dg-b clash_resolve) - c0 ))
log "guard off: the kernel resolved $off_total clashes in all"

# --- guard on: bridged DNS stays tracked, clashes are attributed ---
ovpnhactl -n dg-b config set dns-guard on
ip netns exec dg-b conntrack -F 2>/dev/null
c0=$(ct_stat dg-b clash_resolve); f0=$(ct_stat dg-b insert_failed)
r=$(race dg-c -m threads -r "$DNS_ROUNDS" 10.99.1.53)
log "guard on, threads: $r"
expect_eq "guard on: lost lookups" "$(jq -r .lost_lookups <<<"$r")" 0
r=$(race dg-c -m burst -n 128 -r "$DNS_BURST_ROUNDS" 10.99.1.53)
log "guard on, 128-thread burst: $r"
expect_eq "guard on burst: lost lookups" "$(jq -r .lost_lookups <<<"$r")" 0
settle
on_clash=$(( $(ct_stat dg-b clash_resolve) - c0 ))
log "guard on: kernel resolved $on_clash clashes"
expect_eq "dns_guarded" "$(ovs dg-b dns_guarded)" 0
expect_eq "dns_checked" "$(ovs dg-b dns_checked)" \
	"$(( 2 * (DNS_ROUNDS + 64 * DNS_BURST_ROUNDS) ))"
expect_eq "dns_clash_resolved = kernel clash_resolve" \
	"$(ovs dg-b dns_clash_resolved)" "$on_clash"
expect_eq "dns_clash_lost = kernel insert_failed" \
	"$(ovs dg-b dns_clash_lost)" "$(( $(ct_stat dg-b insert_failed) - f0 ))"
expect_eq "attributed to client1" "$(peer_drop dg-b client1 dns_clash_resolved)" "$on_clash"
ovpnhactl -n dg-b stats peer client1
dns_cleanup
dmesg_clean_since "$mark"
race_hit_or_skip "$off_total"
