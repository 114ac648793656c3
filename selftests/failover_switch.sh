#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# settings: timeout=1200
#
# Planned switchover, failback and split brain, end to end, in the topology
# of failover_ovpnha.sh (two OpenVPN 2.6 UDP servers behind keepalived
# VRRPv3 0.1 s with nopreempt, node 1 priority 150, node 2 100; ovpnha,
# `ovpnhactl sync`, conntrackd FTFW injecting, the notify script; a
# site-to-site gateway; see selftests/lib_failover.sh), with both VRRP
# instances tracking a switchover file (keepalived track_file, weight 0)
# and a management socket on each server.
#
# 1. Switchover 1 -> 2 (`ovpnhactl switchover management ...` on node 1)
#    while cl pings lanhost every 10 ms and sends a line every 100 ms over
#    TCP.  Asserted: node 2 holds the VIPs and is master at an epoch above
#    node 1's; node 1's module is in fault (keepalived FAULT); one client
#    was told to reconnect, and the gateway restarted because the server
#    told it to (server-pushed-connection-reset), not by ping-restart; the
#    TCP session survived the NAT and the strict firewall with every line
#    delivered once and in order, no NEW/INVALID drops; every peer back.
# 2. Node 1 returns (`switchover done`): keepalived BACKUP, module backup,
#    at node 2's epoch; node 1 never held a VIP (nopreempt: no second
#    outage) and node 2 stayed master throughout.
# 3. Failback 2 -> 1 the same way as 1 (measured the same way), then node
#    2 returns as backup.
# 4. Split brain: node 2 stops hearing VRRP and its back channel goes
#    down.  Both nodes hold the VIPs and both modules are master; node 2,
#    the newer master, at the higher epoch.  A peer is added on each side.
#    Healed: keepalived keeps node 1 (priority 150) and node 2's notify
#    script sets backup; node 1's module steps down once for node 2's
#    higher epoch, and its sync daemon takes the master role back (the
#    cluster manager wants node 1 master and no other node is): exactly
#    one master, the same in keepalived and in both modules, one epoch on
#    both nodes, and the two tables equal, both split peers included.
# Printed: the outage of each switchover and its components, as figures.
. "$(dirname "$0")/lib.sh"
require_guest
# shellcheck disable=SC2034	# read by lib_failover.sh
FO_OVPN_HOOKS=1
# shellcheck disable=SC2034
FO_SYNC=1
# shellcheck disable=SC2034
FO_CONNTRACKD=1
# shellcheck disable=SC2034
FO_CONNTRACKD_INJECT=1
# shellcheck disable=SC2034
FO_SWITCHOVER=1
# shellcheck disable=SC2034
FO_LAN_VIP6=
FO_CLIENT_TIMEOUT=${FO_CLIENT_TIMEOUT:-120}
FO_RECOVER_TIMEOUT=${FO_RECOVER_TIMEOUT:-120}
# shellcheck disable=SC2034
FO_NOTIFY="$REPO/contrib/keepalived/ovpnha-notify -f {DIR}/conntrackd-{N}.conf -o $OVPNHACTL -l {DIR}/notify-{N}.log -k {DIR}/notify-{N}.lock"
. "$(dirname "$0")/lib_failover.sh"
for t in conntrack nft; do
	command -v $t >/dev/null || skip "$t is not installed"
done
load_module
mark=$(dmesg_mark)
MON_PIDS=()
cleanup() {
	local rc=$?
	set +e
	[ ${#MON_PIDS[@]} = 0 ] || kill "${MON_PIDS[@]}" 2>/dev/null
	if { [ "$rc" != 0 ] || [ -n "${FO_SHOW_LOGS:-}" ]; } && [ -n "$FO_DIR" ]; then
		for f in "$FO_DIR"/notify-*.log "$FO_DIR"/sync-*.log; do
			[ -f "$f" ] || continue
			echo "--- ${f##*/}" >&2
			tail -n "${FO_SHOW_LOGS:-40}" "$f" >&2
		done
	fi
	(exit "$rc")
	fo_cleanup
}
trap cleanup EXIT

oh() { local n=$1; shift; "$OVPNHACTL" -n "fo$n" "$@"; }
role_f() { oh "$1" -j role | jq -r ".$2"; }
is_role() { [ "$(role_f "$1" role)" = "$2" ]; }
sync_f() { "$OVPNHACTL" sync status -j -s "$FO_DIR/sync-$1.sock" 2>/dev/null | jq -r "$2"; }
in_sync() { "$OVPNHACTL" sync status -s "$FO_DIR/sync-$1.sock" >/dev/null 2>&1; }
holds_vip() {	# N: node N has the WAN VIP on an up link
	[[ "$(ip -n "fo$1" -4 -o addr show up 2>/dev/null)" == *" $FO_WAN_VIP/"* ]]
}
# The peers of node N's table as "id cn origin" lines, sorted.
table() { oh "$1" -j peer show | jq -r '.[] | "\(.id) \(.cn) \(.origin)"' | sort; }

fo_setup
fo_config_nodes
fo_start_node 1
fo_wait_master 1 30
wait_for 30 "node 1's notify script set role master" is_role 1 master
fo_start_node 2
fo_wait_backup 2 30
wait_for 30 "node 2's notify script set role backup" is_role 2 backup
wait_for 30 "the sync daemons are in sync" eval 'in_sync 1 && in_sync 2'
fo_start_client
ip netns exec $FO_CL ping -c 1 -W 10 $FO_LANHOST >/dev/null ||
	fail "cl cannot reach lanhost through the tunnel"
log "topology up after ${SECONDS}s"

# fo_hook_before_crash M B D: the standby holds the master's current peer
# of the gateway (a replica) before the hand-over.
fo_hook_before_crash() {
	local m=$1 b=$2
	E_BEFORE=$(role_f "$m" epoch)
	gw_replicated() {
		local p
		p=$(oh "$m" -j peer show cn alice | jq -c '[.[] | {id, cn, vpn_ip, iroutes}]')
		[ "$(jq length <<<"$p")" = 1 ] &&
		[ "$(oh "$b" -j peer show cn alice | jq -c '[.[] | {id, cn, vpn_ip, iroutes}]')" = "$p" ]
	}
	gw_diag() {
		local n
		for n in 1 2; do
			echo "# node $n's peers of alice: $(oh "$n" -j peer show cn alice |
				jq -c '[.[] | {id, cn, origin, vpn_ip, iroutes}]')"
			echo "# node $n's sync: $("$OVPNHACTL" sync status -j -s "$FO_DIR/sync-$n.sock" 2>&1 | jq -c '.nodes // .' 2>/dev/null)"
		done
	}
	WAIT_FOR_DIAG=gw_diag wait_for 30 "node $b holds node $m's peer of the gateway" gw_replicated
}
# FO_EVENT for fo_measure_crash: a switchover away from node M.
fo_switch_node() {
	local m=$1
	FO_CRASH_T=$(fo_now)
	SW_OUT=$(oh "$m" -j switchover management "unix:$FO_DIR/mgmt-$m.sock" \
		file "$FO_DIR/switchover-$m" timeout 60) ||
		fail "switchover from node $m: $SW_OUT"
	log "# switchover from node $m: $SW_OUT"
}

# switch_and_check M: a measured switchover from M to the other node, and
# its assertions.
switch_and_check() {
	local m=$1 b=$((3 - $1)) e restart
	FO_EVENT=fo_switch_node FO_EVENT_LOG="switching over from" fo_measure_crash "$m"
	expect_eq "master after the switchover from node $m" "$(fo_master)" "$b"
	wait_for 30 "node $b's notify script set role master" is_role "$b" master
	wait_for 30 "node $m's notify script set role fault (switchover file)" is_role "$m" fault
	e=$(role_f "$b" epoch)
	[ "$e" -gt "$E_BEFORE" ] || fail "node $b's epoch $e is not above node $m's $E_BEFORE"
	log "ok: node $b is master at epoch $e > $E_BEFORE"
	expect_eq "switchover from node $m: clients told, management failures" \
		"$(jq -r '"\(.clients_told) \(.management_failed)"' <<<"$SW_OUT")" "1 0"
	# Why the gateway restarted first after the switchover.
	restart=$(awk -v t0="$FO_T0" '$1 + 0 >= t0 && /SIGUSR1\[/ {
		sub(/.*SIGUSR1\[/, ""); sub(/\].*/, ""); print; exit }' "$FO_DIR/gw.log")
	expect_eq "the gateway's first restart after the switchover from node $m" \
		"$restart" "soft,server-pushed-connection-reset"
	expect_eq "TCP session over the switchover from node $m" "${FO_R[tcp]}" survived
	log "ok: ${FO_R[tcp_detail]}"
	case " ${FO_R[drops_new_master]} " in
	*notsyn*|*invalid*)
		fail "node $b's firewall dropped packets as NEW without SYN or INVALID: ${FO_R[drops_new_master]}" ;;
	esac
	all_back() { jq -e '.peers >= 1 and .returned == .peers' <<<"$(oh "$b" -j role)" >/dev/null; }
	wait_for "$FO_RECOVER_TIMEOUT" "node $b: every peer is back" all_back
	# The new master's own record: role change, first GARP, returns.
	local rj tk
	rj=$(oh "$b" -j role)
	tk=$(jq -r '.takeover_ns / 1e9' <<<"$rj")
	fo_result role_change_s "$(fo_rel "$tk")"
	fo_result first_garp_ms "$(jq -r '.first_garp_ns / 1e6' <<<"$rj")"
	fo_result garp_wan_s "- (not captured)"
	fo_result peers "$(jq -r .peers <<<"$rj")"
	fo_result peers_back "$(jq -r .returned <<<"$rj")"
	fo_result peers_back_s "$(fo_rel "$(jq -r '(.takeover_ns + .last_return_ns) / 1e9' <<<"$rj")")"
	fo_result "switchover_${m}_handover_ms" "$(jq -r .handover_ms <<<"$SW_OUT")"
	fo_result "switchover_${m}_outage_s" "${FO_R[outage_s]}"
	fo_result "switchover_${m}_lost" "${FO_R[lost]}"
	fo_result "switchover_${m}_lost_time_s" "${FO_R[lost_time_measured_s]}"
	fo_result "switchover_${m}_tcp_stall_s" "${FO_R[tcp_stall_s]:--}"
	log "switchover $m -> $b: role handed over after $(jq -r .handover_ms <<<"$SW_OUT") ms, VIP on node $b at ${FO_R[takeover_s]} s, gateway restart ${FO_R[client_restart_s]} s, up ${FO_R[client_up_s]} s, first echo reply ${FO_R[outage_s]} s; ${FO_R[lost]} echoes lost (${FO_R[lost_time_measured_s]} s); TCP ${FO_R[tcp]} (stall ${FO_R[tcp_stall_s]:--} s)"
}

# rejoin M: node M leaves maintenance (`switchover done`) and comes back as
# backup without taking a VIP, at the master's epoch.
rejoin() {
	local m=$1 b=$((3 - $1)) nb0 monf=$FO_DIR/rejoin-$1.mon
	nb0=$(grep -c "(WAN) Entering BACKUP STATE" "$FO_DIR/keepalived-$m.log" || true)
	ip -n "fo$m" -ts monitor address >"$monf" 2>&1 &
	MON_PIDS=($!)
	fo_addr_monitor_ready "fo$m" "$monf" || fail "ip monitor address did not start"
	oh "$m" switchover "done" file "$FO_DIR/switchover-$m"
	backup_again() {
		[ "$(grep -c "(WAN) Entering BACKUP STATE" "$FO_DIR/keepalived-$m.log")" -gt "$nb0" ] &&
		is_role "$m" backup
	}
	wait_for 30 "node $m is back as backup (keepalived and module)" backup_again
	sleep 2		# 20 advert intervals: it stays backup
	kill "${MON_PIDS[@]}" 2>/dev/null || true
	fo_wait_gone "${MON_PIDS[@]}"
	MON_PIDS=()
	expect_eq "node $m: VIPs added while rejoining" \
		"$(grep -e " $FO_WAN_VIP/" -e " $FO_LAN_VIP/" "$monf" | grep -vc Deleted || true)" 0
	expect_eq "master after node $m rejoined" "$(fo_master)" "$b"
	expect_eq "node $b's role after node $m rejoined" "$(role_f "$b" role)" master
	wait_for 20 "node $m is at node $b's epoch" \
		eval '[ "$(role_f '"$m"' epoch)" = "$(role_f '"$b"' epoch)" ]'
}

# --- 1. switchover 1 -> 2, 2. node 1 returns ---
switch_and_check 1
# The benchmark's scenario (failover_bench.sh) ends here.
[ "${FO_SWITCH_ONCE:-0}" = 0 ] || exit 0
rejoin 1
# --- 3. failback 2 -> 1, node 2 returns ---
switch_and_check 2
rejoin 2
wait_for 60 "the sync daemons are in sync" eval 'in_sync 1 && in_sync 2'

# --- 4. split brain ---
E3=$(role_f 1 epoch)
sd0=$(role_f 1 stepdowns)
re0=$(sync_f 1 .reelections)
log "split brain: node 2 hears no VRRP and loses its back channel (node 1 master at epoch $E3)"
ip netns exec fo2 nft -f - <<-EOF
	table inet fo_split {
		chain in {
			type filter hook input priority -300; policy accept;
			ip protocol vrrp drop
		}
	}
EOF
fo_ip fo2 "link set sync0 down"
wait_for 30 "node 2 took the VIPs too" holds_vip 2
wait_for 30 "node 2's module is master" is_role 2 master
expect_eq "node 1 during the split" "$(holds_vip 1 && role_f 1 role)" master
E4=$(role_f 2 epoch)
[ "$E4" -gt "$E3" ] || fail "node 2's split epoch $E4 is not above node 1's $E3"
log "ok: both master: node 1 at epoch $E3, node 2 at $E4"
oh 1 peer add cn split1 remote 192.0.2.201 port 1194 id 9001 >/dev/null
oh 2 peer add cn split2 remote 192.0.2.202 port 1194 id 9002 >/dev/null

log "healing the split"
ip netns exec fo2 nft delete table inet fo_split
fo_ip fo2 "link set sync0 up"
one_master() {
	holds_vip 1 && ! holds_vip 2 && is_role 1 master && is_role 2 backup &&
	[ "$(role_f 1 epoch)" = "$(role_f 2 epoch)" ] && in_sync 1 && in_sync 2
}
wait_for 60 "one master after the split: node 1 (keepalived and both modules agree, one epoch)" one_master
sleep 2
one_master || fail "not stable: node 1 $(role_f 1 role) (VIP $(holds_vip 1 && echo yes || echo no)), node 2 $(role_f 2 role) (VIP $(holds_vip 2 && echo yes || echo no))"
E5=$(role_f 1 epoch)
[ "$E5" -gt "$E4" ] || fail "node 1's epoch $E5 after the split is not above node 2's split epoch $E4"
expect_eq "node 1: step-downs during the healing" "$(role_f 1 stepdowns)" $((sd0 + 1))
expect_eq "node 1's sync daemon: re-elections" "$(sync_f 1 .reelections)" $((re0 + 1))
grep -q "taking the role back" "$FO_DIR/sync-1.log" || fail "no re-election in node 1's sync log"
log "ok: node 1 stepped down for epoch $E4 and took the role back at epoch $E5"
tables_equal() { [ "$(table 1)" = "$(table 2)" ]; }
wait_for 30 "both tables equal after the split" tables_equal
for p in "9001 split1 1" "9002 split2 2"; do
	grep -qx "$p" <<<"$(table 1)" || fail "peer $p missing after the split: $(table 1)"
done
log "ok: the tables converged: $(table 1 | tr '\n' ';')"
dmesg_clean_since "$mark"
