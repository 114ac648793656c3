#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rmmod under load (issue #8): the module is unloaded RMMOD_ITER times
# (default 5) while
#   - packets cross its netfilter hooks: a ping flood and a UDP flood from
#     a client (rl-c) through a gateway (rl-g) out of its tunnel device
#     tun0 (a veth here: the hooks only compare the output device) to a
#     site (rl-s), half of it to an address no iroute covers, plus UDP to
#     the gateway's transport port and DNS from a guarded prefix; the
#     gateway is master with a VIP, a 10 ms GARP schedule and a 1 s
#     refresh (timers pending), drop-trace on (a tracepoint probe) and a
#     replicated flow in conntrack;
#   - netlink writers add and delete peers in a loop (gateway and node a);
#   - two `ovpnhactl sync` daemons (nodes a and b) are connected.
# The hot static branches stay on throughout (RMMOD_FLIP_KEYS=1: they do
# not): an nftables table in a netns of its own hooks every inet hook, and
# the skb:kfree_skb trace event is enabled (recording off) in two tracing
# instances, so neither the module's netfilter hooks nor its drop-trace
# probe switch a static key or the tracepoint's static call on load or
# unload.  Switching one rewrites the code the flood runs (NF_HOOK
# in ip_rcv and ip_local_deliver, every kfree_skb) through text_poke_bp,
# and under QEMU's multi-threaded TCG a vCPU can go on executing the int3
# of that protocol after the code was restored: seen as vCPUs trapping
# forever at ip_local_deliver+0x5c while memory there holds the final
# "66 90" (6.1, soft lockup) and as "Oops: int3" in ip_rcv (6.12); gone
# with single-threaded TCG.  The module's own teardown is what this test
# is about.
# Each time: rmmod succeeds (EBUSY would be a finding), the module is gone,
# the tool says "module ovpnha not loaded" and exits 1, the daemons are
# still running; then insmod, the configuration is restored and the
# traffic must cross the hooks again.  At the end the kernel log is clean,
# every object is freed and the module unloads once more.  Last, what the
# daemons must do: log that the module went away (every iteration) and
# replicate again once it is back (a peer added on a reaches b in 10 s).
#
#     rl-c c0 10.77.1.2 --- g0 10.77.1.1 rl-g tun0 10.77.2.1 --- s0 rl-s
#                                                    10.77.2.2, 10.77.2.200
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sync.sh"
require_guest
load_module
sync_require
mark=$(dmesg_mark)
ITER=${RMMOD_ITER:-5}
W=/tmp/rmmod-load
BG=()
TRACE_EV=
TRACE_INST=
mkdir -p "$W"

cleanup() {
	local p
	for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${BG[@]}"; do wait "$p" 2>/dev/null || true; done
	[ -z "$TRACE_EV" ] || echo 0 > "$TRACE_EV"
	if [ -n "$TRACE_INST" ]; then
		echo 0 > "$TRACE_INST/events/skb/kfree_skb/enable" 2>/dev/null || true
		rmdir "$TRACE_INST" 2>/dev/null || true
	fi
	sync_cleanup
}
trap cleanup EXIT

topology() {
	netns_add rl-c
	netns_add rl-g
	netns_add rl-s
	ip link add c0 netns rl-c type veth peer name g0 netns rl-g
	ip link add tun0 netns rl-g type veth peer name s0 netns rl-s
	ip -n rl-c addr add 10.77.1.2/24 dev c0
	ip -n rl-g addr add 10.77.1.1/24 dev g0
	ip -n rl-g addr add 10.77.2.1/24 dev tun0
	ip -n rl-s addr add 10.77.2.2/24 dev s0
	ip -n rl-s addr add 10.77.2.200/24 dev s0
	ip -n rl-c link set c0 up
	ip -n rl-g link set g0 up
	ip -n rl-g link set tun0 up
	ip -n rl-s link set s0 up
	ip -n rl-c route add default via 10.77.1.1
	ip -n rl-s route add default via 10.77.2.1
	ip netns exec rl-g sysctl -qw net.ipv4.ip_forward=1
}

# The gateway's ovpnha configuration (a reload starts from empty tables).
configure_gw() {
	local f=$W/gw.txt
	{
		echo "tunnel add dev tun0 port 1194 proto udp"
		echo "peer add cn site remote 10.77.1.2 port 1194 id 100 vpn-ip 10.77.2.2"
		echo "iroute add 10.77.2.0/25 peer 100"
		echo "flow add peer 100 src 10.77.1.2:1194 dst 10.77.1.1:1194 timeout 300"
		echo "config set dns-guard on"
		echo "dnsguard add 10.77.1.0/24"
		echo "vip add 10.77.1.100 dev g0"
		echo "role set garp-count 100 garp-interval 10 garp-refresh 1"
		echo "role master epoch 1"
	} > "$f"
	[ "$(info_field drop_trace_avail rl-g)" = true ] &&
		echo "config set drop-trace on" >> "$f"
	ovpnhactl -n rl-g -b "$f" >/dev/null
}

# Packets that went through the hooks: the missing-iroute drops grow
# (10.77.2.200 is not covered; not enforced, so only counted).
no_iroute() {
	ovpnhactl -n rl-g -j stats | jq -r '.ovpnha.drop_no_iroute // .ovpnha.no_iroute // empty'
}

hooks_see_traffic() {
	local a b
	a=$(no_iroute)
	[ -n "$a" ] || fail "no missing-iroute counter in 'stats -j'"
	sleep 1
	b=$(no_iroute)
	[ "$b" -gt "$a" ] || fail "hooks saw no traffic in 1 s ($a -> $b)"
	log "ok: hooks count traffic ($a -> $b in 1 s)"
}

start_traffic() {
	ip netns exec rl-c ping -f -q 10.77.2.2 >/dev/null 2>&1 &
	BG+=($!)
	ip netns exec rl-c ping -f -q 10.77.2.200 >/dev/null 2>&1 &
	BG+=($!)
	ip netns exec rl-c python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.77.1.2", 1194))
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01a\x00\x00\x01\x00\x01"
while True:
    for dst in (("10.77.1.1", 1194), ("10.77.2.2", 53), ("10.77.2.200", 9)):
        try:
            s.sendto(q, dst)
        except OSError:
            pass
' &
	BG+=($!)
}

# writer NETNS BASE: add and delete 50 peers per batch, forever; failures
# (the module is out) are counted, not fatal.
writer() {
	local ns=$1 base=$2 f=$W/writer-$1.txt i
	for i in $(seq 1 50); do
		echo "peer add cn w$((base + i)) remote 10.3.$((base / 1000)).$i port 1194 id $((base + i)) vpn-ip 10.4.$((base / 1000)).$i"
		echo "iroute add 10.5.$((base / 1000)).$i/32 peer $((base + i))"
	done > "$f"
	for i in $(seq 1 50); do echo "peer del id $((base + i))"; done >> "$f"
	while :; do
		if "$OVPNHACTL" -n "$ns" -f -b "$f" >/dev/null 2>>"$W/writer-$ns.err"; then
			echo ok >> "$W/writer-$ns.count"
		else
			echo fail >> "$W/writer-$ns.count"
		fi
	done
}

# A peer added on a shows up on b within SECONDS: replication works.
replicates() {
	local secs=$1 cn=$2 t0=$SECONDS
	"$OVPNHACTL" -n a peer add cn "$cn" remote 192.0.2.77 port 1194 >/dev/null
	while [ $((SECONDS - t0)) -lt "$secs" ]; do
		[ "$("$OVPNHACTL" -n b -j peer show cn "$cn" | jq length)" = 1 ] && return 0
		sleep 0.3
	done
	return 1
}

# pin_static_keys: keep the kernel's hot static keys on (see the top).
pin_static_keys() {
	local t=/sys/kernel/tracing
	[ "${RMMOD_FLIP_KEYS:-0}" = 0 ] || return 0
	netns_add rl-pin
	ip netns exec rl-pin nft -f - <<-EOF || fail "nft: cannot hook the inet hooks"
	table inet pin {
		chain k_pre { type filter hook prerouting priority 0; }
		chain k_in { type filter hook input priority 0; }
		chain k_fwd { type filter hook forward priority 0; }
		chain k_out { type filter hook output priority 0; }
		chain k_post { type filter hook postrouting priority 0; }
	}
	EOF
	[ -d $t/events ] || mount -t tracefs nodev $t 2>/dev/null || true
	# Two probes on skb:kfree_skb, the event's in the top instance and in
	# one more: the tracepoint's static call then stays on its iterator
	# when the module's probe comes and goes (with one probe it calls that
	# probe directly, and a second one repatches every kfree_skb call site).
	if [ -w $t/events/skb/kfree_skb/enable ]; then
		echo 0 > $t/tracing_on
		echo 1 > $t/events/skb/kfree_skb/enable
		TRACE_EV=$t/events/skb/kfree_skb/enable
		if mkdir $t/instances/ovpnha-pin 2>/dev/null; then
			TRACE_INST=$t/instances/ovpnha-pin
			echo 0 > $TRACE_INST/tracing_on
			echo 1 > $TRACE_INST/events/skb/kfree_skb/enable
		fi
	fi
	log "# static keys pinned: inet hooks${TRACE_EV:+, skb:kfree_skb}${TRACE_INST:+ (two probes)}"
}

topology
pin_static_keys
configure_gw
sync_pair_up
replicates 20 before || fail "no replication before the first rmmod"
log "ok: a -> b replication"

start_traffic
writer rl-g 1000 &
BG+=($!)
writer a 2000 &
BG+=($!)
sleep 2
hooks_see_traffic

# lines of the daemons' logs, to see what they said while the module was out
log_lines() { cat "$SYNC_DIR/a.log" "$SYNC_DIR/b.log" | wc -l; }

recovered=0 noticed=0
for it in $(seq 1 "$ITER"); do
	sleep 2
	t=$SECONDS
	l0=$(log_lines)
	err=$(rmmod ovpnha 2>&1) ||
		fail "iteration $it: rmmod ovpnha under load failed: $err"
	! module_loaded || fail "iteration $it: /sys/module/ovpnha still there"
	log "ok: iteration $it: rmmod under load ($((SECONDS - t)) s)"
	expect_fail 1 "module ovpnha not loaded" "$OVPNHACTL" -n rl-g info
	expect_fail 1 "module ovpnha not loaded" "$OVPNHACTL" -n a peer show
	sleep 1
	for ns in a b; do
		kill -0 "${SYNC_PID[$ns]}" 2>/dev/null ||
			fail "iteration $it: sync daemon $ns died with the module out: $(tail -n 5 "$SYNC_DIR/$ns.log")"
	done
	log "ok: iteration $it: both sync daemons still running"
	said=$(cat "$SYNC_DIR/a.log" "$SYNC_DIR/b.log" | tail -n +"$((l0 + 1))" |
		grep -ci 'module\|ovpnha\|kernel' || true)
	[ "$said" -gt 0 ] && noticed=$((noticed + 1))
	log "iteration $it: the daemons logged $said line(s) about the kernel side while the module was out"
	load_module
	ovpnhactl -n a config set node-id 1
	ovpnhactl -n b config set node-id 2
	configure_gw
	hooks_see_traffic
	# Report, per iteration, whether the daemons carried on.
	if replicates 10 "after$it"; then
		recovered=$((recovered + 1))
		log "iteration $it: replication a -> b works again after the reload"
	else
		log "iteration $it: replication a -> b does NOT resume after the reload"
	fi
done

for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done
for p in "${BG[@]}"; do wait "$p" 2>/dev/null || true; done
BG=()
for ns in rl-g a; do
	log "figure: writer $ns: $(grep -c '^ok' "$W/writer-$ns.count" || true) batches ok, $(grep -c '^fail' "$W/writer-$ns.count" || true) failed"
done
for ns in a b; do
	log "--- sync daemon $ns log (last 15 lines):"
	tail -n 15 "$SYNC_DIR/$ns.log"
done
log "figure: rmmod under load: $ITER iterations; the daemons noticed the unload in $noticed, replication resumed after $recovered"

# The kernel side first: clean log, every object freed, unload and load.
dmesg_clean_since "$mark"
sync_cleanup
wait_objects_balanced
unload_module
! module_loaded || fail "ovpnha still loaded after the final rmmod"
load_module
dmesg_clean_since "$mark"
log "ok: kernel side clean after $ITER unloads under load"

# Then what the daemons must do: say the module went away, and carry on
# (resubscribe, resync) once it is back.
expect_eq "iterations in which the daemons logged the unload" "$noticed" "$ITER"
expect_eq "iterations after which replication resumed" "$recovered" "$ITER"
