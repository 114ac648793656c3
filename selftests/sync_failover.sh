#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Failover state through replication: the master's learned transport flow
# is installed in the backup's conntrack before any takeover; epochs travel
# with the frames, so when the backup becomes master the old master steps
# down; deleting the peer takes the replicated conntrack entry away.
#
#   cl (client, 10.77.0.2:40000) --- a (master, 10.77.0.1:1194/udp)
#   a, b: nodes on the back channel (lib_sync.sh)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sync.sh"
require_guest
load_module
sync_require
command -v conntrack >/dev/null || skip "conntrack (conntrack-tools) not installed"
mark=$(dmesg_mark)
trap sync_cleanup EXIT

mkpki "$SYNC_DIR/pki" a b
sync_bridge_up
node_add a 1
node_add b 2
netns_add cl
ip link add ca netns a type veth peer name c0 netns cl
ip -n a addr add 10.77.0.1/24 dev ca
ip -n cl addr add 10.77.0.2/24 dev c0
ip -n a link set ca up
ip -n cl link set c0 up
sync_conf a
sync_conf b
role_f() { "$OVPNHACTL" -n "$1" -j role | jq -r ".$2"; }
stat() { "$OVPNHACTL" -n "$1" -j stats | jq -r ".ovpnha.$2"; }
wait_for() { # SECONDS WHAT CMD...: until CMD succeeds
	local secs=$1 what=$2 t0=$SECONDS
	shift 2
	until "$@"; do
		[ $((SECONDS - t0)) -lt "$secs" ] ||
			{ sync_status a || true; sync_status b || true;
			  tail -n 20 "$SYNC_DIR/a.log" "$SYNC_DIR/b.log"; fail "$what: not within ${secs}s"; }
		sleep 0.2
	done
	log "ok: $what"
}
b_ct() { ip netns exec b conntrack -L -p udp --orig-port-src 40000 2>/dev/null; }

"$OVPNHACTL" -n a tunnel add dev tun0 port 1194 proto udp
"$OVPNHACTL" -n b tunnel add dev tun0 port 1194 proto udp
"$OVPNHACTL" -n a role master
"$OVPNHACTL" -n b role backup
expect_eq "a's epoch" "$(role_f a epoch)" 1
sync_start a
sync_start b
wait_in_sync 30 a b
wait_for 10 "b learned a's epoch from the frames" \
	test "$(role_f b epoch)" = 1

id=$("$OVPNHACTL" -n a peer add cn gw remote 10.77.0.2 port 40000 proto udp vpn-ip 10.8.0.2)
id=${id#id }
wait_counts 20 "1 0" b

# Transport traffic on the master: the flow is learned and replicated.
ip netns exec cl python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.77.0.2", 40000))
for _ in range(3):
    s.sendto(b"x", ("10.77.0.1", 1194))
'
wait_for 20 "the flow is installed on the backup" \
	test "$("$OVPNHACTL" -n b -j flow show | jq -r ".[] | select(.peer == $id) | .installed")" = true
ct=$(b_ct)
log "# b: $ct"
case "$ct" in
*"src=10.77.0.2 dst=10.77.0.1 sport=40000 dport=1194 src=10.77.0.1 dst=10.77.0.2 sport=1194 dport=40000"*ASSURED*) ;;
*) fail "b's conntrack entry: '$ct'" ;;
esac
expect_eq "a: flow_learned" "$(stat a flow_learned)" 1
# The daemon's counters in `ovpnhactl stats`
js=$("$OVPNHACTL" -n b -j stats --sync-socket "$SYNC_DIR/b.sock")
expect_eq "stats -j: sync section names the other node" "$(jq -r '.sync.nodes[0].name' <<<"$js")" a
"$OVPNHACTL" -n b stats --sync-socket "$SYNC_DIR/b.sock" | grep -q "^replication ($SYNC_DIR/b.sock):" ||
	fail "stats lacks the replication section"
expect_eq "stats -j: no sync section without a daemon" \
	"$("$OVPNHACTL" -n b -j stats --sync-socket /nonexistent | jq -r 'has("sync")')" false
expect_eq "b: flow_installed" "$(stat b flow_installed)" 1

# b takes over: epoch 2; a hears of it through the back channel.
"$OVPNHACTL" -n b role master
expect_eq "b's epoch" "$(role_f b epoch)" 2
wait_for 15 "a steps down" test "$(role_f a role)" = backup
expect_eq "a's epoch" "$(role_f a epoch)" 2
expect_eq "a: stepdowns" "$(role_f a stepdowns)" 1
grep -q "epoch" "$SYNC_DIR/a.log" || fail "a's daemon did not log the epoch change"
expect_eq "b: nothing refused" "$(stat b drop_epoch)" 0
expect_eq "b: 0 of 1 peers back" "$(role_f b returned)/$(role_f b peers)" 0/1
"$OVPNHACTL" -n b -j peer show | jq -e ".[0].return == \"awaiting\"" >/dev/null ||
	fail "b's peer show does not mark the peer awaiting its return"

# The client comes back to b from a new source port: b's OpenVPN hook
# adopts the replica (same id, b's origin), which counts as its return,
# and a (backup now) accepts the handover.
env common_name=gw trusted_ip=10.77.0.2 trusted_port=40001 \
	ifconfig_pool_remote_ip=10.8.0.2 \
	"$OVPNHACTL" -n b openvpn client-connect /tmp/cc.conf
p=$("$OVPNHACTL" -n b -j peer show)
expect_eq "b adopted the replica" "$(jq -r '"\(length) \(.[0].id) \(.[0].origin) \(.[0].port)"' <<<"$p")" \
	"1 $id 2 40001"
expect_eq "b: 1 of 1 peers back" "$(role_f b returned)/$(role_f b peers)" 1/1
expect_eq "b's peer show: returned" "$(jq -r '.[0].return' <<<"$p")" returned
"$OVPNHACTL" -n b role | grep -Eq "^1 of 1 peers back after [0-9]+\.[0-9]{3} s$" ||
	fail "role: $("$OVPNHACTL" -n b role)"
wait_for 15 "a took the handover" \
	test "$("$OVPNHACTL" -n a -j peer show | jq -r '"\(.[0].origin) \(.[0].port)"')" = "2 40001"
expect_tables_equal a b

# The client leaves b: the peer goes on both nodes.
env common_name=gw trusted_ip=10.77.0.2 trusted_port=40001 \
	"$OVPNHACTL" -n b openvpn client-disconnect /tmp/cc.conf
wait_counts 20 "0 0" a b
expect_eq "a: stat peer_del" "$(stat a peer_del)" 1

# A replicated flow leaves conntrack with its peer.
removed=$(stat b flow_removed)	# gw's entry may have timed out already
id=$("$OVPNHACTL" -n a peer add cn gw2 remote 10.77.0.3 port 40002 proto udp)
id=${id#id }
wait_counts 20 "1 0" b
"$OVPNHACTL" -n b -e 2 flow add peer "$id" src 10.77.0.3:40002 dst 10.77.0.1:1194 timeout 60
expect_eq "b: the flow's entry" "$(ip netns exec b conntrack -L -p udp --orig-port-src 40002 2>/dev/null | wc -l)" 1
"$OVPNHACTL" -n a peer del id "$id"
wait_counts 20 "0 0" b
expect_eq "b's conntrack entry removed with the peer" \
	"$(ip netns exec b conntrack -L -p udp --orig-port-src 40002 2>/dev/null | wc -l)" 0
expect_eq "b: flow_removed" "$(stat b flow_removed)" $((removed + 1))
dmesg_clean_since "$mark"
