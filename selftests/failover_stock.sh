#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The stock baseline of a crash failover, without ovpnha and without
# conntrackd: two OpenVPN 2.6 servers (UDP, keepalive 1 2) behind
# keepalived (VRRPv3, 0.1 s adverts, WAN and LAN VIP in one sync group),
# a site-to-site client gateway with a host behind it, a LAN host behind
# the servers, a strict firewall and NAT to the LAN VIP on each node
# (selftests/lib_failover.sh).  The master is crashed (links cut, every
# process SIGKILLed) while the host behind the gateway pings the LAN host
# every 10 ms and sends it a line every 100 ms over TCP.
#
# Asserted (holds for stock): the standby takes both VIPs within
# FO_TAKEOVER_TIMEOUT, the client gateway restarts and reconnects to it,
# and echo replies come back.  Printed, not asserted (timings under TCG are
# jittery): takeover, client restart, time from crash to first echo reply,
# lost echoes, and whether and where the TCP session broke (expected: the
# new master has no conntrack state, so its strict firewall drops the
# session's packets as NEW without SYN).
#
# FO_STOCK_PLANNED=1: a planned switchover the stock way instead of the
# crash: keepalived on the master is stopped (SIGTERM), everything else
# keeps running (the baseline of `ovpnhactl switchover`).
. "$(dirname "$0")/lib.sh"
require_guest
. "$(dirname "$0")/lib_failover.sh"
trap fo_cleanup EXIT

fo_setup
log "setup done after ${SECONDS}s"
fo_start_node 1
fo_wait_master 1 30
fo_start_node 2
fo_wait_backup 2 30
expect_eq "master before the crash" "$(fo_master)" 1
fo_start_client
ip netns exec $FO_CL ping -c 1 -W 10 $FO_LANHOST >/dev/null ||
	fail "cl cannot reach lanhost through the tunnel"
log "topology up after ${SECONDS}s"

if [ "${FO_STOCK_PLANNED:-0}" = 1 ]; then
	FO_EVENT=fo_stop_keepalived FO_EVENT_LOG="stopping keepalived on" fo_measure_crash 1
else
	fo_measure_crash 1
fi

expect_eq "master after the crash" "$(fo_master)" 2
[ "${FO_R[takeover_s]}" != - ] || fail "no VIP address event on node 2"
[ "${FO_R[client_restart_s]}" != - ] || fail "the client gateway did not restart"
[ "${FO_R[client_up_s]}" != - ] || fail "the client gateway did not reconnect"
[ "${FO_R[server_connect_s]}" != - ] || fail "node 2's server saw no client"
[ "${FO_R[lost]}" -gt 0 ] || fail "no echo lost: the crash did not interrupt traffic"
grep -q "Entering MASTER STATE" "$FO_DIR/keepalived-2.log" ||
	fail "keepalived of node 2 did not log MASTER"
log "ok: node 2 took over, the gateway reconnected, echo replies returned"
log "stock baseline: takeover ${FO_R[takeover_s]} s, client restart ${FO_R[client_restart_s]} s, client up ${FO_R[client_up_s]} s, first echo reply ${FO_R[outage_s]} s after the crash; ${FO_R[lost]} echoes lost (x 10 ms = ${FO_R[lost_time_s]} s, x measured interval = ${FO_R[lost_time_measured_s]} s); TCP session: ${FO_R[tcp]}"
