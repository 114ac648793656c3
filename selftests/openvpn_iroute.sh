#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A stock OpenVPN 2.6 server feeds ovpnha through `ovpnhactl openvpn ...`
# hooks (learn-address, client-connect, client-disconnect), and the module
# diagnoses the missing-iroute case: a LAN host behind the server sends to a
# subnet behind client alice whose iroute is missing from her ccd file.
# OpenVPN drops such packets silently; ovpnha counts every one under
# drop_no_iroute, logs the fix, and in enforce mode answers ICMP/ICMPv6
# destination unreachable.  Once the iroute is in the ccd file and alice
# reconnects, traffic flows and the counter stays still.  IPv4 and IPv6.
#
# Transport: UDP, or TCP with OVPNHA_OPENVPN_PROTO=tcp (openvpn_tcp.sh).
. "$(dirname "$0")/lib.sh"
require_guest
. "$(dirname "$0")/lib_openvpn.sh"

PROTO=${OVPNHA_OPENVPN_PROTO:-udp}
load_module
mark=$(dmesg_mark)
trap ovpn_cleanup EXIT
ovpn_setup "$PROTO"
log "setup done after ${SECONDS}s"
ctl() { "$OVPNHACTL" -n $NS_SRV "$@"; }

# Declared before OpenVPN creates tun0: the module follows the name.
ctl tunnel add dev tun0 port 1194 proto "$PROTO"
j=$(ctl -j tunnel show)
expect_eq "tunnel dev" "$(jq -r '.[0].dev' <<<"$j")" tun0
expect_eq "tunnel ifindex before tun0 exists" "$(jq -r '.[0].ifindex' <<<"$j")" 0
expect_eq "tunnel port" "$(jq -r '.[0].port' <<<"$j")" 1194
expect_eq "tunnel proto" "$(jq -r '.[0].proto' <<<"$j")" "$PROTO"
expect_fail 1 "already a tunnel device" "$OVPNHACTL" -n $NS_SRV tunnel add dev tun0
expect_eq "enforce default" "$(info_field enforce $NS_SRV)" false

ovpn_start $NS_SRV server
ovpn_start $NS_A alice
ovpn_start $NS_B bob
ovpn_wait_up $NS_A 10.8.0.10
ovpn_wait_up $NS_B 10.8.0.2
log "clients up after ${SECONDS}s"
ifindex=$(ip -n $NS_SRV -j link show tun0 | jq '.[0].ifindex')
expect_eq "tunnel ifindex follows tun0" "$(ctl -j tunnel show | jq -r '.[0].ifindex')" "$ifindex"

# wait_table NIROUTES: one alice with NIROUTES iroutes (learn-address runs
# once the client is established) and, unless gone, one bob.  A client that
# restarted under load leaves a stale instance until the server times it out.
wait_table() {
	local want=$1 i
	for i in $(seq 1 150); do
		ctl -j peer show | jq -e --argjson n "$want" '
			([.[] | select(.cn == "alice")] | length == 1 and
			 (.[0] | .iroutes | length) == $n) and
			([.[] | select(.cn == "bob")] | length <= 1)' >/dev/null &&
			return 0
		sleep 0.5
	done
	fail "peer table not settled: $(ctl -j peer show)"
}
wait_table 2

client_port() {	# the local port of the only openvpn socket in NETNS
	ip netns exec "$1" ss -Hna --$PROTO | awk '$1 != "LISTEN" {print $4}' |
		sed 's/.*://' | head -n 1
}
port_a=$(client_port $NS_A)
port_b=$(client_port $NS_B)

j=$(ctl -j peer show)
log "peer table: $j"
# cn remote port proto vpn_ip vpn_ip6 iroutes, one line per peer
fields='.[] | [.cn, .remote, .port, .proto, .vpn_ip, .vpn_ip6,
	(.iroutes | sort | join(","))] | map(tostring) | join(" ")'
expect_eq "peers" "$(jq -r "$fields" <<<"$j" | sort)" \
"alice 192.0.2.2 $port_a $PROTO 10.8.0.10 fd00:8::10 172.20.1.0/24,fd00:a1::/64
bob 192.0.2.6 $port_b $PROTO 10.8.0.2 fd00:8::1000 "
a=$(jq -c '.[] | select(.cn == "alice")' <<<"$j")
now=$(date +%s)
since=$(($(jq -r .created_ns <<<"$a") / 1000000000))
[ $((now - since)) -ge 0 ] && [ $((now - since)) -le 120 ] ||
	fail "alice connected since $since, now $now"
log "ok: alice connected since $(jq -r .since <<<"$a")"

lan_ping() {	# lan_ping [-6] ADDR: ping output, 3 echo requests
	ip netns exec $NS_LAN ping "$@" -n -c 3 -i 0.3 -W 5 2>&1 || true
}
# lan_reach [-6] ADDR: wait until ADDR answers (a freshly connected client
# under emulation may take seconds for its first reply)
# lan_ping_all [-6] ADDR: 3 echo requests all answered, in one of up to 3
# tries.  OpenVPN stops forwarding while it runs a hook (learn-address runs
# when a host behind an iroute first sends), so under emulation a tunnel
# may swallow an echo that ovpnha never saw; the drop counters, checked
# after each use, say whether ovpnha dropped anything.
lan_ping_all() {
	local i out
	for i in 1 2 3; do
		out=$(lan_ping "$@")
		[[ "$out" == *"3 packets transmitted, 3 received"* ]] && return 0
		log "# ping $* try $i: $(grep -E 'packets transmitted' <<<"$out")"
	done
	fail "ping $*: $out"
}
lan_reach() {
	local i
	for i in $(seq 1 10); do
		ip netns exec $NS_LAN ping "$@" -n -c 1 -W 5 >/dev/null 2>&1 && return 0
	done
	fail "no reply from $* through the tunnel"
}

# Where an iroute exists, traffic flows and nothing is counted.
d0=$(stat_field drop_no_iroute)
lan_reach 172.20.1.1
lan_reach -6 fd00:a1::1
lan_ping_all 172.20.1.1
lan_ping_all -6 fd00:a1::1
expect_eq "drops while iroutes cover" "$(stat_field drop_no_iroute)" "$d0"

# The lost /24: observe mode, packets vanish as without ovpnha, but counted.
out=$(lan_ping 172.20.100.1)
[[ "$out" == *"3 packets transmitted, 0 received, 100% packet loss"* ]] ||
	fail "ping 172.20.100.1 (observe): $out"
expect_eq "drop_no_iroute after 3 IPv4" "$(stat_field drop_no_iroute)" $((d0 + 3))
out=$(lan_ping -6 fd00:a100::1)
[[ "$out" == *"3 packets transmitted, 0 received, 100% packet loss"* ]] ||
	fail "ping fd00:a100::1 (observe): $out"
expect_eq "drop_no_iroute after 3 IPv6" "$(stat_field drop_no_iroute)" $((d0 + 6))

line4="ovpnha: tun0: no peer has an iroute covering 172.20.100.1/32 (from 192.168.50.10); add 'iroute 172.20.100.0 255.255.255.0' to the ccd file of the peer that owns it"
line6="ovpnha: tun0: no peer has an iroute covering fd00:a100::1/128 (from fd00:50::10); add 'iroute-ipv6 fd00:a100::/64' to the ccd file of the peer that owns it"
klog=$(dmesg | tail -n +"$((mark + 1))")
grep -qF "$line4" <<<"$klog" || fail "kernel log lacks: $line4"
log "ok: kernel log: $line4"
grep -qF "$line6" <<<"$klog" || fail "kernel log lacks: $line6"
log "ok: kernel log: $line6"

# Enforce: dropped early, and the sender hears why (traceroute's !N).
ctl config set enforce on
expect_eq "enforce on" "$(info_field enforce $NS_SRV)" true
out=$(lan_ping 172.20.100.1)
[[ "$out" == *"From 192.168.50.1 icmp_seq=1 Destination Net Unreachable"* &&
   "$out" == *"3 packets transmitted, 0 received, +3 errors"* ]] ||
	fail "ping 172.20.100.1 (enforce): $out"
log "ok: IPv4 sender told: Destination Net Unreachable"
out=$(lan_ping -6 fd00:a100::1)
[[ "$out" == *"From fd00:50::1 icmp_seq=1 Destination unreachable: No route"* &&
   "$out" == *"3 packets transmitted, 0 received, +3 errors"* ]] ||
	fail "ping fd00:a100::1 (enforce): $out"
log "ok: IPv6 sender told: Destination unreachable: No route"
expect_eq "drop_no_iroute after enforce" "$(stat_field drop_no_iroute)" $((d0 + 12))

# A pool address nobody holds is a miss; the tunnel's broadcast and
# link-local multicast are not.
out=$(ip netns exec $NS_LAN ping -n -c 1 -W 2 10.8.0.77 2>&1 || true)
[[ "$out" == *"Destination Net Unreachable"* ]] || fail "ping 10.8.0.77: $out"
expect_eq "drop_no_iroute after 10.8.0.77" "$(stat_field drop_no_iroute)" $((d0 + 13))
out=$(ip netns exec $NS_SRV ping -n -b -c 1 -W 1 10.8.0.255 2>&1 || true)
[[ "$out" == *"1 packets transmitted"* ]] || fail "ping -b 10.8.0.255: $out"
out=$(ip netns exec $NS_SRV ping -n -c 1 -W 1 ff02::1%tun0 2>&1 || true)
[[ "$out" == *"1 packets transmitted"* ]] || fail "ping ff02::1%tun0: $out"
expect_eq "broadcast and multicast not counted" "$(stat_field drop_no_iroute)" $((d0 + 13))

# The fix: the iroute lines go into alice's ccd file, alice reconnects.
printf 'iroute 172.20.100.0 255.255.255.0\niroute-ipv6 fd00:a100::/64\n' >>"$OVPN_DIR/ccd/alice"
ovpn_stop alice
ovpn_wait_peer alice absent
ip -n $NS_A link del tun0 2>/dev/null || true
ovpn_start $NS_A alice
ovpn_wait_up $NS_A 10.8.0.10
wait_table 4
expect_eq "alice iroutes after the fix" \
	"$(ctl -j peer show cn alice | jq -c '.[0].iroutes | sort')" \
	'["172.20.1.0/24","172.20.100.0/24","fd00:a100::/64","fd00:a1::/64"]'
d1=$(stat_field drop_no_iroute)
lan_reach 172.20.100.1
lan_reach -6 fd00:a100::1
lan_ping_all 172.20.100.1
lan_ping_all -6 fd00:a100::1
expect_eq "counter still after the fix" "$(stat_field drop_no_iroute)" "$d1"

# bob leaves: his peer is gone, alice stays.
ovpn_stop bob
ovpn_wait_peer bob absent
expect_eq "peers after bob left" "$(ctl -j peer show | jq -r '[.[].cn] | join(",")')" alice

log "stats: $(ctl stats | tr '\n' ' ')"
ctl tunnel del dev tun0
expect_eq "tunnels after del" "$(ctl -j tunnel show | jq length)" 0
expect_fail 1 "not a tunnel device" "$OVPNHACTL" -n $NS_SRV tunnel del dev tun0
dmesg_clean_since "$mark"
