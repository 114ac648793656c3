#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Role and epoch, the kernel's gratuitous ARP / unsolicited NA, return
# tracking and the replicated transport flows in conntrack.
#
#   ha-n (the node: v1 192.0.2.1/24, 2001:db8:1::1/64, VIPs .100 / ::100)
#     |  veth
#   ha-l (the LAN: v2 192.0.2.2/24, tcpdump, a "client" at 192.0.2.2:40000)
. "$(dirname "$0")/lib.sh"
require_guest
load_module
mark=$(dmesg_mark)
CAP=/tmp/ovpnha-garp.$$
tcpd=
cleanup() {
	[ -n "$tcpd" ] && kill "$tcpd" 2>/dev/null
	rm -f "$CAP".*
	cleanup_netns
}
trap cleanup EXIT

N=ha-n L=ha-l
netns_add $N
netns_add $L
ip link add v1 netns $N type veth peer name v2 netns $L
ip -n $N addr add 192.0.2.1/24 dev v1
ip -n $N addr add 2001:db8:1::1/64 dev v1 nodad
ip -n $L addr add 192.0.2.2/24 dev v2
ip -n $L addr add 2001:db8:1::2/64 dev v2 nodad
ip -n $N link set v1 up
ip -n $L link set v2 up
mac=$(ip -n $N -j link show v1 | jq -r '.[0].address')
oh() { "$OVPNHACTL" -n $N "$@"; }
stat() { "$OVPNHACTL" -n $N -j stats | jq -r ".ovpnha.$1"; }
role_f() { "$OVPNHACTL" -n $N -j role | jq -r ".$1"; }

# capture_start NAME / capture_stop NAME: frames seen by the LAN
capture_start() {
	local i
	ip netns exec $L tcpdump -i v2 -nn -e -l -U \
		'arp or (icmp6 and ip6[40] == 136)' >"$CAP.$1" 2>"$CAP.$1.err" &
	tcpd=$!
	for i in $(seq 1 100); do	# until it has attached
		grep -q "listening on" "$CAP.$1.err" && return 0
		sleep 0.1
	done
	fail "tcpdump did not start: $(cat "$CAP.$1.err")"
}
capture_stop() {
	sleep 0.5
	kill "$tcpd"; wait "$tcpd" 2>/dev/null; tcpd=
}
garps() { # FILE: gratuitous ARP requests for 192.0.2.100 from the node's MAC
	grep -c "$mac > ff:ff:ff:ff:ff:ff.*Request who-has 192.0.2.100 tell 192.0.2.100" "$1" |
		tr -d ' ' ; }
nas() {
	grep -c "$mac > 33:33:00:00:00:01.*neighbor advertisement, tgt is 2001:db8:1::100" "$1" |
		tr -d ' ' ; }

expect_eq "role before any is set" "$(role_f role)" none
expect_eq "epoch before any is set" "$(role_f epoch)" 0

# --- bad input ---
expect_fail 2 'missing "dev DEV"' "$OVPNHACTL" -n $N vip add 192.0.2.100
expect_fail 1 "a VIP must be a unicast address" "$OVPNHACTL" -n $N vip add 224.0.0.1 dev v1
expect_fail 2 "invalid garp-count" "$OVPNHACTL" -n $N role set garp-count 0
expect_fail 2 "unknown command" "$OVPNHACTL" -n $N role leader

oh vip add 192.0.2.100 dev v1
oh vip add 2001:db8:1::100 dev v1
expect_fail 1 "already configured" "$OVPNHACTL" -n $N vip add 192.0.2.100 dev v1
oh vip add 198.51.100.7 dev nosuchdev
oh role set garp-count 3 garp-interval 100
expect_eq "garp count" "$(role_f garp_count)" 3
expect_eq "garp interval" "$(role_f garp_interval_ms)" 100

# --- becoming master: 3 rounds, the first at once ---
capture_start master
oh role master
expect_eq "role" "$(role_f role)" master
expect_eq "epoch after the first takeover" "$(role_f epoch)" 1
sleep 0.6
capture_stop
log "# $(wc -l <"$CAP.master") frames seen on the LAN:"; sed "s/^/#   /" "$CAP.master"
expect_eq "gratuitous ARPs for the IPv4 VIP" "$(garps "$CAP.master")" 3
expect_eq "unsolicited NAs for the IPv6 VIP" "$(nas "$CAP.master")" 3
expect_eq "stat garp_sent" "$(stat garp_sent)" 3
expect_eq "stat na_sent" "$(stat na_sent)" 3
expect_eq "stat garp_fail (VIP on a missing device)" "$(stat garp_fail)" 3
expect_eq "vip show: sent for the IPv4 VIP" \
	"$("$OVPNHACTL" -n $N -j vip show | jq -r '.[] | select(.address == "192.0.2.100") | .sent')" 3
expect_eq "vip show: failed for the absent device" \
	"$("$OVPNHACTL" -n $N -j vip show | jq -r '.[] | select(.dev == "nosuchdev") | .failed')" 3
fg=$(role_f first_garp_ns)
[ "$fg" -gt 0 ] || fail "first GARP latency not recorded ($fg)"
log "# role change -> first GARP/NA: $fg ns (guest clock, TCG)"

# --- leaving master stops the schedule ---
oh role backup
oh role set garp-count 5 garp-interval 3000
capture_start backup
oh role master			# a burst of 5, 3 s apart ...
oh role backup			# ... stopped after the first
sleep 3.5			# past the second round's time
capture_stop
expect_eq "GARPs after master -> backup at once" "$(garps "$CAP.backup")" 1
expect_eq "role" "$(role_f role)" backup
expect_eq "epoch kept by a backup" "$(role_f epoch)" 2

# --- epochs of replicated writes ---
oh role master			# epoch 3
expect_eq "epoch" "$(role_f epoch)" 3
expect_fail 1 "replicated write from epoch 2 refused: this node is at epoch 3" \
	"$OVPNHACTL" -n $N -e 2 peer add cn stale vpn-ip 10.8.0.9
expect_eq "stat drop_epoch" "$(stat drop_epoch)" 1
out=$("$OVPNHACTL" -n $N -e 3 peer add cn replica remote 192.0.2.2 port 40000 proto udp vpn-ip 10.8.0.2)
rid=${out#id }
expect_eq "a replicated peer is not seen locally" \
	"$("$OVPNHACTL" -n $N -j peer show | jq -r ".[] | select(.id == $rid) | .seen_ns // \"none\"")" none
"$OVPNHACTL" -n $N -e 7 peer add cn newer vpn-ip 10.8.0.3 >/dev/null
expect_eq "a master seeing epoch 7 steps down" "$(role_f role)" backup
expect_eq "epoch taken over" "$(role_f epoch)" 7
expect_eq "stepdowns" "$(role_f stepdowns)" 1
case "$(role_f reason)" in
*"stepped down"*"epoch 7"*) log "ok: reason: $(role_f reason)" ;;
*) fail "reason: $(role_f reason)" ;;
esac
expect_eq "stat stepdown" "$(stat stepdown)" 1

# --- return tracking ---
oh role master			# epoch 8: every peer awaits its return
expect_eq "epoch" "$(role_f epoch)" 8
expect_eq "peers" "$(role_f peers)" 2
expect_eq "returned right after the takeover" "$(role_f returned)" 0
oh role | grep -q "^0 of 2 peers back$" || fail "role: $(oh role)"
oh peer set id "$rid" rx-bytes 1	# this node's OpenVPN saw the client
expect_eq "returned" "$(role_f returned)" 1
oh role | grep -Eq "^1 of 2 peers back after [0-9]+\.[0-9]{3} s$" || fail "role: $(oh role)"
"$OVPNHACTL" -n $N -j peer show | jq -e ".[] | select(.id == $rid) | .seen_ns > 0" >/dev/null ||
	fail "peer show lacks seen for the returned peer"

# --- a replicated flow goes into conntrack ---
ip netns exec $N conntrack -F 2>/dev/null
oh -e 8 flow add peer "$rid" src 192.0.2.2:40000 dst 192.0.2.100:1194 timeout 120
ct=$(ip netns exec $N conntrack -L -p udp --orig-port-src 40000 2>/dev/null)
log "# $ct"
case "$ct" in
*"src=192.0.2.2 dst=192.0.2.100 sport=40000 dport=1194 src=192.0.2.100 dst=192.0.2.2 sport=1194 dport=40000"*ASSURED*) ;;
*) fail "conntrack entry of the replicated flow: '$ct'" ;;
esac
t=$(echo "$ct" | awk '{print $3}')
[ "$t" -gt 100 ] && [ "$t" -le 120 ] || fail "conntrack timeout $t, want 101..120"
expect_eq "flow show: installed" "$("$OVPNHACTL" -n $N -j flow show | jq -r '.[0].installed')" true
expect_eq "stat flow_installed" "$(stat flow_installed)" 1
oh -e 8 flow add peer "$rid" src 192.0.2.2:40000 dst 192.0.2.100:1194 timeout 150
expect_eq "a repeat extends this node's own entry" \
	"$(stat flow_installed) $(stat flow_existed)" "1 0"
t=$(ip netns exec $N conntrack -L -p udp --orig-port-src 40000 2>/dev/null | awk '{print $3}')
[ "$t" -gt 120 ] && [ "$t" -le 150 ] || fail "conntrack timeout after the repeat: $t, want 121..150"
expect_eq "still one entry" "$(ip netns exec $N conntrack -L -p udp --orig-port-src 40000 2>/dev/null | wc -l)" 1
# A live packet created the entry first: kept (conntrack's own), counted.
out=$(oh peer add cn live remote 192.0.2.2 port 40003 proto udp)
lid=${out#id }
ip netns exec $L python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.2", 40003))
s.sendto(b"x", ("192.0.2.1", 1194))
'
ip netns exec $N conntrack -L -p udp --orig-port-src 40003 2>/dev/null | grep -q dport=1194 ||
	fail "no conntrack entry from the live packet"
oh -e 8 flow add peer "$lid" src 192.0.2.2:40003 dst 192.0.2.1:1194 timeout 100
expect_eq "stat flow_existed" "$(stat flow_existed)" 1
expect_eq "the live entry is not this node's to remove" \
	"$("$OVPNHACTL" -n $N -j flow show | jq -r ".[] | select(.peer == $lid) | .installed")" false
oh peer del id "$lid"
expect_eq "the live entry stays" "$(ip netns exec $N conntrack -L -p udp --orig-port-src 40003 2>/dev/null | wc -l)" 1
expect_fail 1 "no such peer" "$OVPNHACTL" -n $N flow add peer 999 src 192.0.2.2:1 dst 192.0.2.100:1194 timeout 5
expect_fail 2 "invalid timeout" "$OVPNHACTL" -n $N flow add peer "$rid" src 192.0.2.2:1 dst 192.0.2.100:1194 timeout 0
# A full conntrack table (only the peer's ASSURED entry left: nothing the
# kernel may evict early) is named as such, and counted.
ip netns exec $N conntrack -D -p udp --orig-port-src 40003 >/dev/null 2>&1
expect_eq "conntrack entries before the full-table check" \
	"$(ip netns exec $N conntrack -L 2>/dev/null | wc -l)" 1
ctmax=$(sysctl -n net.netfilter.nf_conntrack_max)
f0=$(stat ct_insert_failed)
sysctl -qw net.netfilter.nf_conntrack_max=1
rc=0
err=$(oh -e 8 flow add peer "$rid" src 192.0.2.2:40009 dst 192.0.2.100:1194 timeout 60 2>&1) || rc=$?
sysctl -qw net.netfilter.nf_conntrack_max="$ctmax"
expect_eq "flow add into a full conntrack table: exit status, message" "$rc $err" \
	"1 Error: conntrack table full: 1 entries (net.netfilter.nf_conntrack_max)"
expect_eq "ct_insert_failed after the full table" "$(stat ct_insert_failed)" $((f0 + 1))
oh peer del id "$rid"
expect_eq "the peer's entry left conntrack with it" \
	"$(ip netns exec $N conntrack -L -p udp --orig-port-src 40000 2>/dev/null | wc -l)" 0
expect_eq "stat flow_removed" "$(stat flow_removed)" 1

# --- learning the transport flow on the master ---
oh tunnel add dev tun0 port 1194 proto udp
out=$(oh peer add cn client remote 192.0.2.2 port 40001 proto udp vpn-ip 10.8.0.4)
cid=${out#id }
ip netns exec $L python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.2", 40001))
for _ in range(3):
    s.sendto(b"x", ("192.0.2.1", 1194))
'
for _ in $(seq 1 50); do
	[ "$(stat flow_learned)" = 1 ] && break
	sleep 0.1
done
expect_eq "stat flow_learned" "$(stat flow_learned)" 1
fl=$("$OVPNHACTL" -n $N -j flow show | jq -c ".[] | select(.peer == $cid)")
expect_eq "learned flow" "$(echo "$fl" | jq -r '"\(.src) \(.dst) \(.installed)"')" \
	"192.0.2.2:40001 192.0.2.1:1194 false"

# --- on a backup, transport packets are noticed ---
oh role backup
ip netns exec $L python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.2", 40001))
s.sendto(b"x", ("192.0.2.1", 1194))
'
sleep 0.3
expect_eq "stat drop_wrong_role" "$(stat drop_wrong_role)" 1

# --- a client back before the cluster manager made this node master ---
# (keepalived moves the VIP, then runs its notify script: under load the
# client's reconnect and the hook's write can come first)
nid=$(oh -j peer show cn newer | jq '.[0].id')
oh peer set id "$nid" rx-bytes 7	# the hook, while still backup
oh role master
expect_eq "peers" "$(role_f peers)" "$(oh -j peer show | jq length)"
expect_eq "the early return counts" \
	"$(oh -j peer show | jq -r ".[] | select(.id == $nid) | \"\(.return) \(.return_after_ns)\"")" \
	"returned 0"
# the others were written before the node became backup: still awaited
expect_eq "returned" "$(role_f returned)" 1

oh peer flush
ip netns del $N; ip netns del $L
NETNS_CREATED=()
wait_objects_balanced
dmesg_clean_since "$mark"
