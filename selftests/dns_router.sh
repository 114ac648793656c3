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
c0=$(ct_stat dg-r clash_resolve); f0=$(ct_stat dg-r insert_failed)
r=$(race dg-c -m threads -r "$DNS_ROUNDS" 10.99.2.53)
log "guard off, threads: $r"
off_clash=$(( $(ct_stat dg-r clash_resolve) - c0 ))
log "guard off, threads: kernel resolved $off_clash clashes in $DNS_ROUNDS lookups"
expect_eq "guard off: lost lookups" "$(jq -r .lost_lookups <<<"$r")" 0
expect_eq "guard off: insert_failed" "$(( $(ct_stat dg-r insert_failed) - f0 ))" 0
r=$(race dg-c -m sendmmsg -r "$DNS_ROUNDS" 10.99.2.53)
log "guard off, sendmmsg: $r"
expect_eq "guard off sendmmsg: lost lookups" "$(jq -r .lost_lookups <<<"$r")" 0
r=$(race dg-c -m burst -n 128 -r "$DNS_BURST_ROUNDS" 10.99.2.53)
log "guard off, 128-thread burst: $r"
expect_eq "guard off burst: lost lookups" "$(jq -r .lost_lookups <<<"$r")" 0
off_total=$(( $(ct_stat dg-r clash_resolve) - c0 ))
log "guard off: the kernel resolved $off_total clashes in all"
expect_eq "guard off: nothing counted by ovpnha" "$(ovs dg-r dns_clash_resolved)" 0

# --- guard on: forwarded DNS stays tracked, clashes are attributed ---
ovpnhactl -n dg-r config set dns-guard on
ip netns exec dg-r conntrack -F 2>/dev/null
c0=$(ct_stat dg-r clash_resolve); f0=$(ct_stat dg-r insert_failed)
r=$(race dg-c -m threads -r "$DNS_ROUNDS" 10.99.2.53)
log "guard on, threads: $r"
expect_eq "guard on: lost lookups" "$(jq -r .lost_lookups <<<"$r")" 0
r=$(race dg-c -m burst -n 128 -r "$DNS_BURST_ROUNDS" 10.99.2.53)
log "guard on, 128-thread burst: $r"
expect_eq "guard on burst: lost lookups" "$(jq -r .lost_lookups <<<"$r")" 0
settle
on_clash=$(( $(ct_stat dg-r clash_resolve) - c0 ))
log "guard on: kernel resolved $on_clash clashes"
expect_eq "forwarded DNS still tracked" "$([ "$(ct_dns dg-r)" -gt 0 ] && echo yes)" yes
expect_eq "dns_guarded" "$(ovs dg-r dns_guarded)" 0
expect_eq "dns_checked" "$(ovs dg-r dns_checked)" \
	"$(( 2 * (DNS_ROUNDS + 64 * DNS_BURST_ROUNDS) ))"
expect_eq "dns_clash_resolved = kernel clash_resolve" \
	"$(ovs dg-r dns_clash_resolved)" "$on_clash"
expect_eq "dns_clash_lost = kernel insert_failed" \
	"$(ovs dg-r dns_clash_lost)" "$(( $(ct_stat dg-r insert_failed) - f0 ))"
expect_eq "attributed to client1" "$(peer_drop dg-r client1 dns_clash_resolved)" "$on_clash"
ovpnhactl -n dg-r stats peer client1
ovpnhactl -n dg-r stats
dns_cleanup
dmesg_clean_since "$mark"
race_hit_or_skip "$off_total"
