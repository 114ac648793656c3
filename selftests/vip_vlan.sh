#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The LAN VIP on a VLAN device over an active-backup bond (bond0.1000, a
# common data-centre setup) with a leftover VLAN device of the same id on a
# slave (s1.1000, a real-world mistake: VLAN 1000 frames arriving through
# s1 go to s1.1000 instead of bond0.1000, so ARP replies for the VIP are
# lost).  `ovpnhactl vip add` names the stale device in a warning on stderr
# and succeeds; the gratuitous ARPs of `role master` leave tagged (VLAN
# 1000) through the active slave only, also after the bond failed over.
#
#   vv-n (the node): bond0 = s1 + s2 (active-backup, s1 active),
#        bond0.1000 192.168.60.1/24 (the VIP), stale s1.1000, and s2.2000
#        (another VLAN id: no warning)
#   vv-p (the switch side): p1 (peer of s1), p2 (peer of s2), tcpdump -e
. "$(dirname "$0")/lib.sh"
require_guest
command -v tcpdump >/dev/null || skip "tcpdump is not installed"
load_module
mark=$(dmesg_mark)
# No default bond0 in the initial namespace when the module loads here.
[ -d /sys/module/bonding ] || modprobe bonding max_bonds=0 ||
	skip "no bonding module"
modprobe 8021q 2>/dev/null || true
CAP=$(mktemp -d /tmp/ovpnha-vipvlan.XXXXXX)
CAP_PIDS=()
cleanup() {
	local p
	for p in "${CAP_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$CAP"
	cleanup_netns
}
trap cleanup EXIT

N=vv-n P=vv-p VIP=192.168.60.1
netns_add $N
netns_add $P
ip link add s1 netns $N type veth peer name p1 netns $P
ip link add s2 netns $N type veth peer name p2 netns $P
cat >"$CAP/setup" <<EOF
link add bond0 type bond mode active-backup miimon 100
link set s1 master bond0
link set s2 master bond0
link set bond0 up
link add link bond0 name bond0.1000 type vlan id 1000
addr add $VIP/24 dev bond0.1000
link set bond0.1000 up
link add link s1 name s1.1000 type vlan id 1000
link set s1.1000 up
link add link s2 name s2.2000 type vlan id 2000
link set s2.2000 up
EOF
ip -n $N -batch "$CAP/setup"
ip -n $P link set p1 up
ip -n $P link set p2 up
active() { ip netns exec $N sed -n 's/^Currently Active Slave: //p' /proc/net/bonding/bond0; }
wait_active() {
	for _ in $(seq 1 50); do
		[ "$(active)" = "$1" ] && { log "ok: active slave $1"; return 0; }
		sleep 0.1
	done
	fail "bond0's active slave is '$(active)', want $1"
}
wait_active s1
bmac=$(ip -n $N -j link show bond0.1000 | jq -r '.[0].address')

# expect_warning CMD...: CMD exits 0 and warns about s1.1000 only.
expect_warning() {
	local err rc=0
	err=$("$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" = 0 ] || fail "'$*': exit status $rc ($err)"
	log "# '$*' stderr: $err"
	case "$err" in
	*"warning: s1.1000 is a VLAN 1000 device on s1, a slave of bond bond0"*"ip link del s1.1000"*) ;;
	*) fail "'$*' did not warn about the stale s1.1000: '$err'" ;;
	esac
	expect_eq "warning lines of '$*'" "$(grep -c warning <<<"$err")" 1
}

# --- the warning (as a hook or an admin runs it inside the namespace) ---
expect_warning ip netns exec $N "$OVPNHACTL" vip add $VIP dev bond0.1000
expect_eq "the VIP is configured" "$("$OVPNHACTL" -n $N -j vip show | jq -r '.[] | "\(.address) \(.dev)"')" \
	"$VIP bond0.1000"
err=$(ip netns exec $N "$OVPNHACTL" vip add 192.168.61.1 dev s2 2>&1 >/dev/null)
expect_eq "no warning for a VIP on a device without a stale VLAN" "$err" ""

# --- tagged GARPs through the active slave ---
# garps FILE T: GARPs for the VIP, tagged VLAN 1000, from the bond's MAC,
# at or after T (the bond's own failover notification sends one of the same
# form, earlier).
garps() {
	awk -v t="$2" -v m="$bmac > ff:ff:ff:ff:ff:ff, ethertype 802.1Q (0x8100), " \
		-v g=": vlan 1000, p 0, ethertype ARP (0x0806), Request who-has $VIP tell $VIP," \
		'$1 >= t && index($0, m) && index($0, g) { n++ } END { print n + 0 }' "$1"
}
anyarp() { awk -v t="$2" '$1 >= t && /ARP/ { n++ } END { print n + 0 }' "$1"; }
capture() {	# NAME: tcpdump on p1 and p2
	local d
	CAP_PIDS=()
	for d in p1 p2; do
		ip netns exec $P tcpdump -i $d -nn -e -l -tt -U >"$CAP/$1.$d" 2>"$CAP/$1.$d.err" &
		CAP_PIDS+=($!)
	done
	for d in p1 p2; do
		for _ in $(seq 1 100); do
			grep -q "listening on" "$CAP/$1.$d.err" 2>/dev/null && break
			sleep 0.1
		done
		grep -q "listening on" "$CAP/$1.$d.err" || fail "tcpdump on $d did not start"
	done
}
capture_stop() {
	sleep 0.5
	kill "${CAP_PIDS[@]}" 2>/dev/null || true
	wait "${CAP_PIDS[@]}" 2>/dev/null || true
	CAP_PIDS=()
}
"$OVPNHACTL" -n $N vip del 192.168.61.1
"$OVPNHACTL" -n $N role set garp-count 3 garp-interval 100
capture s1
t=$EPOCHREALTIME
"$OVPNHACTL" -n $N role master
sleep 0.5
capture_stop
log "# frames on p1 (s1, active):"; grep ARP "$CAP/s1.p1" | sed 's/^/#   /' || true
expect_eq "tagged GARPs through the active slave s1" "$(garps "$CAP/s1.p1" "$t")" 3
expect_eq "ARP frames through the backup slave s2" "$(anyarp "$CAP/s1.p2" 0)" 0
expect_eq "vip show: sent" "$("$OVPNHACTL" -n $N -j vip show | jq -r '.[0].sent')" 3

# The bond fails over to s2: the next takeover's GARPs leave through s2.
ip -n $N link set s1 down
wait_active s2
"$OVPNHACTL" -n $N role backup
capture s2
t=$EPOCHREALTIME
"$OVPNHACTL" -n $N role master
sleep 0.5
capture_stop
log "# frames on p2 (s2, active now):"; grep ARP "$CAP/s2.p2" | sed 's/^/#   /' || true
expect_eq "tagged GARPs through the active slave s2" "$(garps "$CAP/s2.p2" "$t")" 3
expect_eq "ARP frames through s1 (down)" "$(anyarp "$CAP/s2.p1" 0)" 0
expect_eq "stats garp_fail" "$("$OVPNHACTL" -n $N -j stats | jq -r '.ovpnha.garp_fail')" 0

# --- the warning with -n (the namespace entered by ovpnhactl itself) ---
"$OVPNHACTL" -n $N vip del $VIP
expect_warning "$OVPNHACTL" -n $N vip add $VIP dev bond0.1000

cleanup_netns
dmesg_clean_since "$mark"
