#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# settings: timeout=900
#
# Crash failover WITH ovpnha, end to end: the topology and the crash of
# failover_stock.sh (two OpenVPN 2.6 UDP servers behind keepalived VRRPv3
# 0.1 s, WAN and LAN VIP in one sync group, a site-to-site client gateway,
# strict firewall and NAT to the LAN VIP on each node; see
# selftests/lib_failover.sh), and on both nodes:
#   - the ovpnha module with `tunnel add dev tun0 port 1194 proto udp`, the
#     WAN VIP, the LAN VIP and an IPv6 LAN VIP announced (`vip add`);
#   - OpenVPN's learn-address / client-connect / client-disconnect hooks
#     calling `ovpnhactl openvpn`;
#   - `ovpnhactl sync` on the back channel;
#   - keepalived's notify = contrib/keepalived/ovpnha-notify (ovpnhactl role
#     master|backup|fault, conntrackd in the right order);
#   - conntrackd (FTFW on the back channel) for the TCP/NAT state of the
#     traffic inside the tunnel, from contrib/conntrackd/conntrackd.conf.example
#     with DisableExternalCache on (FO_CONNTRACKD_INJECT=1, the default
#     here): the standby's conntrackd puts the replicated states into its
#     kernel table as they arrive.  FO_CONNTRACKD_INJECT=0 runs the external
#     cache (committed by `conntrackd -c` at takeover) instead.
# The master is crashed (links cut, every process SIGKILLed) while the host
# behind the gateway pings the LAN host every 10 ms and sends it a numbered
# line every 100 ms over TCP (through the tunnel, the NAT and the strict
# firewall).
#
# Asserted (exact outcomes, no wall-clock bound beyond the generous waits):
#   before the crash, on node 2 (the standby): the gateway's peer with its
#   virtual address and iroute 172.21.1.0/24 (replicated), its UDP transport
#   flow installed in conntrack (`flow show` installed=true and the entry in
#   `conntrack -L`), and with DisableExternalCache on the TCP session's NAT
#   state in its kernel table;
#   after it: node 2 is master at an epoch above node 1's; the module's
#   gratuitous ARPs for both IPv4 VIPs (and unsolicited NAs for the IPv6
#   VIP) were seen on the WAN and LAN after the role change, from node 2's
#   MACs, as many as the module counts (stats garp_sent > 0); the TCP session
#   survived with no reset and every line delivered once, in order, and the
#   new master's firewall never took one of its packets for NEW or INVALID;
#   every peer is reported back (role: returned == peers; peer show:
#   "returned").
# Printed (as figures, FO_RESULTS supported): the outage and its components
# as failover_stock.sh prints them, the role change and its first GARP, and
# the peers back and when.  FO_SAVE=DIR keeps every log (lib_failover.sh),
# FO_DEBUG=1 adds a WAN capture, node 2's conntrack and ovpnha events, and
# FO_LINGER=SECONDS keeps the topology running that long before the end.
. "$(dirname "$0")/lib.sh"
require_guest
# shellcheck disable=SC2034	# read by lib_failover.sh
FO_OVPN_HOOKS=1
# shellcheck disable=SC2034
FO_SYNC=1
# shellcheck disable=SC2034
FO_CONNTRACKD=1
FO_CONNTRACKD_INJECT=${FO_CONNTRACKD_INJECT:-1}
FO_LAN_VIP6=${FO_LAN_VIP6-fd00:60::1}
# Generous bounds: under emulation each OpenVPN hook (a program started by
# the server, which blocks meanwhile) costs 0.2-0.5 s, and a gateway with
# ping-restart 2 gives up an attempt whose hooks take longer than that
# (figures server_attempts, server_setup_s).
FO_CLIENT_TIMEOUT=${FO_CLIENT_TIMEOUT:-120}
FO_RECOVER_TIMEOUT=${FO_RECOVER_TIMEOUT:-120}
# keepalived's second burst of gratuitous ARPs/NAs 5 s after the transition
# off: ovpnha repeats the announcements on its own schedule, and every
# GARP/NA from node 2 after its role change is then the module's (an
# unsolicited NA from keepalived looks exactly like the kernel's).
# keepalived's first burst, at the transition, stays.
# shellcheck disable=SC2034
FO_KEEPALIVED_GLOBAL=${FO_KEEPALIVED_GLOBAL-vrrp_garp_master_delay 0}
# shellcheck disable=SC2034
FO_NOTIFY="$REPO/contrib/keepalived/ovpnha-notify -f {DIR}/conntrackd-{N}.conf -o $OVPNHACTL -l {DIR}/notify-{N}.log -k {DIR}/notify-{N}.lock"
. "$(dirname "$0")/lib_failover.sh"
for t in conntrack tcpdump; do
	command -v $t >/dev/null || skip "$t is not installed"
done
load_module
mark=$(dmesg_mark)
CAP_PIDS=()
cleanup() {
	local rc=$?
	set +e		# in the EXIT trap: every step runs
	[ ${#CAP_PIDS[@]} = 0 ] || kill "${CAP_PIDS[@]}" 2>/dev/null || true
	if [ "$rc" != 0 ] && [ -n "$FO_DIR" ]; then
		for f in "$FO_DIR"/notify-*.log "$FO_DIR"/sync-*.log "$FO_DIR"/conntrackd-*.log; do
			[ -f "$f" ] || continue
			echo "--- ${f##*/}" >&2
			tail -n 15 "$f" >&2
		done
	fi
	(exit "$rc")	# fo_cleanup reads the status from $?
	fo_cleanup
}
trap cleanup EXIT

oh() { local n=$1; shift; "$OVPNHACTL" -n "fo$n" "$@"; }
role_f() { oh "$1" -j role | jq -r ".$2"; }
stat_f() { oh "$1" -j stats | jq -r ".ovpnha.$2"; }
vip_sent() { oh "$1" -j vip show | jq -r ".[] | select(.address == \"$2\") | .sent"; }
mac() { ip -n "fo$1" -j link show "$2" | jq -r '.[0].address'; }
is_role() { [ "$(role_f "$1" role)" = "$2" ]; }
in_sync() { "$OVPNHACTL" sync status -s "$FO_DIR/sync-$1.sock" >/dev/null 2>&1; }

fo_setup
fo_config_nodes
log "setup done after ${SECONDS}s ($(grep -h '^[[:space:]]*DisableExternalCache' "$FO_DIR/conntrackd-1.conf" | tr -s '\t ' ' '))"
fo_start_node 1
fo_wait_master 1 30
wait_for 30 "node 1's notify script set role master" is_role 1 master
fo_start_node 2
fo_wait_backup 2 30
wait_for 30 "node 2's notify script set role backup" is_role 2 backup
expect_eq "master before the crash" "$(fo_master)" 1
wait_for 30 "the sync daemons are in sync" eval 'in_sync 1 && in_sync 2'
fo_start_client
ip netns exec $FO_CL ping -c 1 -W 10 $FO_LANHOST >/dev/null ||
	fail "cl cannot reach lanhost through the tunnel"
log "topology up after ${SECONDS}s"

# The gateway's peer on node 1 (its OpenVPN hooks) and its replica.
peer1=$(oh 1 -j peer show cn alice)
expect_eq "node 1: peers named alice" "$(jq length <<<"$peer1")" 1
pid=$(jq -r '.[0].id' <<<"$peer1")
gwport=$(jq -r '.[0].port' <<<"$peer1")
expect_eq "node 1: the gateway's endpoint" "$(jq -r '"\(.[0].remote) \(.[0].proto)"' <<<"$peer1")" \
	"$FO_GW_WAN $FO_PROTO"
peer_replicated() {
	[ "$(oh 2 -j peer show | jq -c "[.[] | select(.id == $pid) |
		{cn, remote, port, vpn_ip, origin, iroutes}]")" = \
	  "[{\"cn\":\"alice\",\"remote\":\"$FO_GW_WAN\",\"port\":$gwport,\"vpn_ip\":\"$FO_GW_VPN\",\"origin\":1,\"iroutes\":[\"172.21.1.0/24\"]}]" ]
}
# FO_PROTO=tcp: a TCP transport connection is no UDP flow; its conntrack
# entry is conntrackd's, and the new master has no socket for it: the
# client's next segment draws a reset and the client reconnects at once.
flow_installed() {
	[ "$FO_PROTO" = tcp ] && return 0
	[ "$(oh 2 -j flow show | jq -r ".[] | select(.peer == $pid) |
		\"\(.src) \(.dst) \(.installed)\"")" = \
	  "$FO_GW_WAN:$gwport $FO_WAN_VIP:$FO_PORT true" ]
}
# gw_current M (node 1 here): node 2 holds node M's current peer of the
# gateway and its transport flow.  Under load an idle gateway may restart its
# tunnel (ping-restart 2) at any time: a new source port, a new peer on
# node M; what counts is that the other node holds the current one.
gw_current() {
	local p
	p=$(oh "$1" -j peer show cn alice)
	[ "$(jq length <<<"$p")" = 1 ] || return 1
	pid=$(jq -r '.[0].id' <<<"$p")
	gwport=$(jq -r '.[0].port' <<<"$p")
	peer_replicated && flow_installed
}
wait_for 30 "node 2 holds node 1's current peer of the gateway (vpn-ip $FO_GW_VPN, iroute 172.21.1.0/24) and its transport flow" gw_current 1
if [ "$FO_PROTO" = tcp ]; then
	expect_eq "node 2's flow show with TCP transport" "$(oh 2 -j flow show | jq length)" 0
fi
# ct_flow N: node N's conntrack entries of the gateway's transport flow.
ct_flow() {
	ip netns exec "fo$1" conntrack -L -p udp -s $FO_GW_WAN -d $FO_WAN_VIP \
		--sport "$gwport" --dport $FO_PORT 2>/dev/null
}

# Right before the crash, with the ping flood and the TCP session running:
# what node 2 holds.
fo_hook_before_crash() {
	local m=$1 b=$2 ct
	E1=$(role_f "$m" epoch)
	R1=$(role_f "$m" role)
	wait_for 20 "node $b holds node $m's current peer of the gateway and its transport flow" gw_current "$m"
	if [ "$FO_PROTO" = udp ]; then
		ct=$(ct_flow "$b")
		log "# node $b before the crash: $ct"
		case "$ct" in
		*"src=$FO_GW_WAN dst=$FO_WAN_VIP sport=$gwport dport=$FO_PORT src=$FO_WAN_VIP dst=$FO_GW_WAN sport=$FO_PORT dport=$gwport "*ASSURED*) ;;
		*) fail "node $b's conntrack entry of the transport flow: '$ct'" ;;
		esac
		log "ok: node $b's conntrack holds the transport flow before the crash"
	fi
	# The TCP session's state as conntrackd replicated it.
	CT_TCP_BEFORE=$(ip netns exec "fo$b" conntrack -L -p tcp --dport $FO_TCP_PORT 2>/dev/null || true)
	CTD_EXT_BEFORE=$(ip netns exec "fo$b" conntrackd -C "$FO_DIR/conntrackd-$b.conf" -e ct 2>/dev/null |
		grep "dport=$FO_TCP_PORT" || true)
	log "# node $b's kernel table, the TCP session: ${CT_TCP_BEFORE:-none}"
	log "# node $b's conntrackd external cache, the TCP session: ${CTD_EXT_BEFORE:-none}"
	if [ "$FO_CONNTRACKD_INJECT" = 1 ]; then
		case "$CT_TCP_BEFORE" in
		*ESTABLISHED*"src=$FO_CL_IP dst=$FO_LANHOST "*"src=$FO_LANHOST dst=$FO_LAN_VIP "*) ;;
		*) fail "DisableExternalCache on: node $b's kernel table lacks the TCP session before the crash" ;;
		esac
		log "ok: node $b's kernel table holds the TCP session (NATed to the LAN VIP) before the crash"
	fi
	T_PRECRASH=$(fo_now)
}

# FO_DEBUG=1: the WAN (every frame, pcap), node 2's conntrack events and
# ovpnha events for the rest of the test, into $FO_DIR (see FO_SAVE).
if [ "${FO_DEBUG:-0}" = 1 ]; then
	ip netns exec $FO_SW tcpdump -i brwan -s 96 -w "$FO_DIR/debug-wan.pcap" 2>/dev/null &
	CAP_PIDS+=($!)
	ip netns exec fo2 conntrack -E -o timestamp >"$FO_DIR/debug-ct2.txt" 2>&1 &
	CAP_PIDS+=($!)
	oh 2 monitor >"$FO_DIR/debug-mon2.txt" 2>&1 &
	CAP_PIDS+=($!)
fi
DEBUG_PIDS=("${CAP_PIDS[@]}")

# ARP and neighbour advertisements on the WAN and the LAN switch, until
# node 2's announcements are over.
for br in brwan brlan; do
	ip netns exec $FO_SW tcpdump -i $br -n -tt -l -e 'arp or (icmp6 and ip6[40] == 136)' \
		>"$FO_DIR/$br-arp.txt" 2>"$FO_DIR/$br-arp.err" &
	CAP_PIDS+=($!)
done
for br in brwan brlan; do
	fo_wait_file "$FO_DIR/$br-arp.err" "listening on" 20 ||
		fail "tcpdump on $br did not start: $(cat "$FO_DIR/$br-arp.err")"
done
wancap=$FO_DIR/brwan-arp.txt
lancap=$FO_DIR/brlan-arp.txt

fo_measure_crash 1

# --- every peer back (checked first: with ping-restart 2 and OpenVPN's
# whole-second timers an idle tunnel restarts now and then, and each
# reconnection is a new local write to the peer) ---
# ROLE_BACK: node 2's role when every peer was first seen back (the time
# to return is that of the peer's last local write: read it at once).
all_back() {
	ROLE_BACK=$(oh 2 -j role)
	jq -e '.peers >= 1 and .returned == .peers' <<<"$ROLE_BACK" >/dev/null
}
t_back=$SECONDS
until all_back; do
	if [ $((SECONDS - t_back)) -ge "$FO_RECOVER_TIMEOUT" ]; then
		log "node 2's role: $(jq -c . <<<"$ROLE_BACK")"
		log "node 2's peers: $(oh 2 -j peer show | jq -c '[.[] | {id, cn, origin, return}]')"
		fail "node 2: every peer is back: not within ${FO_RECOVER_TIMEOUT}s"
	fi
	sleep 0.2
done
log "ok: node 2: every peer is back"
peers=$(jq -r .peers <<<"$ROLE_BACK")
expect_eq "node 2: peers back" "$(jq -r .returned <<<"$ROLE_BACK")" "$peers"
expect_eq "node 2's peer show: return of every peer" \
	"$(oh 2 -j peer show | jq -r '[.[].return] | unique | join(",")')" returned
# The gateway's peer: the replica adopted by node 2's client-connect hook
# (same id), or, if the gateway needed more than one attempt, a peer of
# node 2's own that replaced it (OpenVPN dropped the earlier attempt's
# instance: its client-disconnect removed the adopted replica).
p2=$(oh 2 -j peer show cn alice)
expect_eq "node 2's peer show: peers named alice, their return" \
	"$(jq -r '"\(length) \(.[0].return) \(.[0].vpn_ip) \(.[0].iroutes | join(","))"' <<<"$p2")" \
	"1 returned $FO_GW_VPN 172.21.1.0/24"
if [ "$(jq -r '.[0].id' <<<"$p2")" = "$pid" ]; then
	log "# the gateway's replica (peer $pid) was adopted"
else
	log "# the gateway's replica (peer $pid) was replaced by node 2's peer $(jq -r '.[0].id' <<<"$p2") (the gateway reconnected $(grep -c 'Peer Connection Initiated' "$FO_DIR/server-2.log") times)"
fi
oh 2 role | grep -Eq "^$peers of $peers peers back after [0-9]+\.[0-9]{3} s$" ||
	fail "node 2's role: $(oh 2 role)"
# --- the takeover ---
expect_eq "master after the crash" "$(fo_master)" 2
expect_eq "node 1's role before the crash" "$R1" master
wait_for 15 "node 2's notify script set role master" is_role 2 master
garp_count=$(role_f 2 garp_count)
rounds_done() {
	[ "$(vip_sent 2 $FO_WAN_VIP)" -ge "$garp_count" ] &&
	[ "$(vip_sent 2 $FO_LAN_VIP)" -ge "$garp_count" ] &&
	{ [ -z "$FO_LAN_VIP6" ] || [ "$(vip_sent 2 "$FO_LAN_VIP6")" -ge "$garp_count" ]; }
}
wait_for 15 "node 2 sent its $garp_count GARP rounds" rounds_done
sleep 0.3	# the last frames reach tcpdump
ARP_PIDS=("${CAP_PIDS[@]:${#DEBUG_PIDS[@]}}")
kill "${ARP_PIDS[@]}" 2>/dev/null || true
fo_wait_gone "${ARP_PIDS[@]}"
CAP_PIDS=("${DEBUG_PIDS[@]}")
E2=$(role_f 2 epoch)
[ "$E2" -gt "$E1" ] || fail "node 2's epoch $E2 is not above node 1's $E1"
log "ok: node 2's epoch $E2 > node 1's epoch before the crash $E1"
grep -q "ovpnhactl role master: ok" "$FO_DIR/notify-2.log" ||
	fail "node 2's notify script did not set role master"
tk_ns=$(role_f 2 takeover_ns)
fg_ns=$(role_f 2 first_garp_ns)
[ "$fg_ns" -gt 0 ] || fail "node 2: first GARP after the role change not recorded"
tk=$(awk -v n="$tk_ns" 'BEGIN { printf "%.6f", n / 1e9 }')
[ "$(awk -v a="$tk" -v b="$T_PRECRASH" 'BEGIN { print (a > b) }')" = 1 ] ||
	fail "node 2's role change ($tk) is not after the crash ($T_PRECRASH)"
fo_result role_change_s "$(fo_rel "$tk")"
fo_result vip_to_role_s "$(awk -v a="${FO_R[role_change_s]}" -v b="${FO_R[takeover_s]}" \
	'BEGIN { if (b == "-") print "-"; else printf "%.3f", a - b }')"
fo_result first_garp_ms "$(awk -v n="$fg_ns" 'BEGIN { printf "%.3f", n / 1e6 }')"

# --- gratuitous ARP / NA, from node 2's MACs, after the role change ---
mac_wan=$(mac 2 wan0)
mac_lan=$(mac 2 lan0)
# garps FILE MAC VIP: the module's GARPs (ARP request, target hardware
# address zero; keepalived's carry ff:ff:ff:ff:ff:ff there, which tcpdump
# prints) for VIP from MAC at or after the role change, "COUNT FIRST_T".
garps() {
	awk -v t="$tk" -v m="$2 > ff:ff:ff:ff:ff:ff," -v g="Request who-has $3 tell $3," '
		$1 >= t && index($0, m) && index($0, g) { n++; if (!f) f = $1 }
		END { printf "%d %s\n", n, f ? f : "-" }' "$1"
}
nas() {
	awk -v t="$tk" -v m="$2 > 33:33:00:00:00:01," -v g="neighbor advertisement, tgt is $3," '
		$1 >= t && index($0, m) && index($0, g) { n++; if (!f) f = $1 }
		END { printf "%d %s\n", n, f ? f : "-" }' "$1"
}
log "# ARP on the WAN after the role change:"
awk -v t="$tk" '$1 >= t && n++ < 30 { print "#   " $0 }' "$wancap"
log "# ARP and NA on the LAN after the role change:"
awk -v t="$tk" '$1 >= t && n++ < 30 { print "#   " $0 }' "$lancap"
read -r n_wan t_wan <<<"$(garps "$wancap" "$mac_wan" $FO_WAN_VIP)"
read -r n_lan t_lan <<<"$(garps "$lancap" "$mac_lan" $FO_LAN_VIP)"
expect_eq "node 2's GARPs for the WAN VIP seen on the WAN (= sent)" "$n_wan" "$(vip_sent 2 $FO_WAN_VIP)"
expect_eq "node 2's GARPs for the LAN VIP seen on the LAN (= sent)" "$n_lan" "$(vip_sent 2 $FO_LAN_VIP)"
expect_eq "GARP rounds for the WAN VIP" "$n_wan" "$garp_count"
expect_eq "GARP rounds for the LAN VIP" "$n_lan" "$garp_count"
garp_sent=$(stat_f 2 garp_sent)
[ "$garp_sent" -gt 0 ] || fail "node 2: stats garp_sent = $garp_sent"
expect_eq "node 2: stats garp_sent (2 IPv4 VIPs x $garp_count rounds)" "$garp_sent" $((2 * garp_count))
expect_eq "node 2: stats garp_fail" "$(stat_f 2 garp_fail)" 0
fo_result garp_wan_s "$(fo_rel "$([ "$t_wan" = - ] || echo "$t_wan")")"
fo_result garp_lan_s "$(fo_rel "$([ "$t_lan" = - ] || echo "$t_lan")")"
if [ -n "$FO_LAN_VIP6" ]; then
	read -r n_na t_na <<<"$(nas "$lancap" "$mac_lan" "$FO_LAN_VIP6")"
	expect_eq "node 2's unsolicited NAs for the IPv6 LAN VIP seen on the LAN (= sent)" \
		"$n_na" "$(vip_sent 2 "$FO_LAN_VIP6")"
	expect_eq "NA rounds for the IPv6 LAN VIP" "$n_na" "$garp_count"
	expect_eq "node 2: stats na_sent" "$(stat_f 2 na_sent)" "$garp_count"
	fo_result na_lan_s "$(fo_rel "$([ "$t_na" = - ] || echo "$t_na")")"
fi

# --- the TCP session through the NAT and the strict firewall ---
expect_eq "TCP session through NAT and the strict firewall" "${FO_R[tcp]}" survived
log "ok: ${FO_R[tcp_detail]}"
case " ${FO_R[drops_new_master]} " in
*notsyn*|*invalid*)
	fail "node 2's firewall dropped packets as NEW without SYN or INVALID: ${FO_R[drops_new_master]}" ;;
esac
log "ok: node 2's firewall saw no packet as NEW without SYN or INVALID (drops: ${FO_R[drops_new_master]})"

lr_ns=$(jq -r .last_return_ns <<<"$ROLE_BACK")
fo_result peers "$peers"
fo_result peers_back "$(jq -r .returned <<<"$ROLE_BACK")"
fo_result peers_back_after_role_s "$(awk -v n="$lr_ns" 'BEGIN { printf "%.3f", n / 1e9 }')"
fo_result peers_back_s "$(fo_rel "$(awk -v a="$tk" -v n="$lr_ns" 'BEGIN { printf "%.6f", a + n / 1e9 }')")"
fo_result conntrackd "$([ "$FO_CONNTRACKD_INJECT" = 1 ] && echo inject || echo cache)"

log "ovpnha (conntrackd ${FO_R[conntrackd]}): takeover ${FO_R[takeover_s]} s, role change ${FO_R[role_change_s]} s (first GARP ${FO_R[first_garp_ms]} ms later; seen on the WAN at ${FO_R[garp_wan_s]} s, LAN ${FO_R[garp_lan_s]} s), client restart ${FO_R[client_restart_s]} s, client up ${FO_R[client_up_s]} s, first echo reply ${FO_R[outage_s]} s after the crash; ${FO_R[lost]} echoes lost (x 10 ms = ${FO_R[lost_time_s]} s, x measured interval = ${FO_R[lost_time_measured_s]} s); TCP session: ${FO_R[tcp]} (stall ${FO_R[tcp_stall_s]:--} s); ${FO_R[peers_back]} of ${FO_R[peers]} peers back ${FO_R[peers_back_after_role_s]} s after the role change (${FO_R[peers_back_s]} s after the crash)"
[ "${FO_LINGER:-0}" = 0 ] || { log "# lingering ${FO_LINGER}s"; sleep "$FO_LINGER"; }
dmesg_clean_since "$mark"
