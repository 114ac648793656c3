#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Data-path cost benchmark (prints, asserts nothing; not in the test list).
# Run it in QEMU's icount mode, where guest time counts instructions:
#
#   selftests/vm/run --icount --timeout 3000 -- selftests/bench_datapath.sh [PREFIXES] [SECONDS]
#
# 64-byte UDP (iperf3 -u -b 0 -l 64) and TCP (iperf3) from dp-s through the
# router namespace dp-r to dp-d, for SECONDS (default 1) of guest time each:
#   none       ovpnha not loaded (the baseline)
#   nft        not loaded; an nftables interval set of the same PREFIXES
#              IPv4 prefixes matched in dp-r's forward chain (the
#              alternative an operator would build by hand)
#   idle       loaded, nothing configured in dp-r
#   table      PREFIXES peers with one iroute each in dp-r, its egress
#              device declared a tunnel: every forwarded packet is looked
#              up in the LPM trie (the destination is covered: no drop)
#   trace      table + drop-trace on
#   dnsguard   table + DNS guard on
# With icount, 1 guest ns = 1 instruction of the whole system (sender,
# router and receiver on one vCPU): instructions per packet = 1e9 / pps,
# and the added instructions per packet are the difference to "none".
# HARNESS-NOTES.md: the figures repeat within +-0.2 %.
. "$(dirname "$0")/lib.sh"
require_guest
command -v iperf3 >/dev/null || skip "iperf3 is not installed"
N=${1:-100000}
T=${2:-1}
SYNC_LOAD=$REPO/selftests/progs/sync_load
[ -x "$SYNC_LOAD" ] || fail "$SYNC_LOAD missing (make -C selftests/progs)"
W=$(mktemp -d /tmp/ovpnha-dp.XXXXXX)
IPERF_PID=
dp_cleanup() {
	[ -z "$IPERF_PID" ] || kill "$IPERF_PID" 2>/dev/null || true
	cleanup_netns
	rm -rf "$W"
}
trap dp_cleanup EXIT
[ "$(nproc)" = 1 ] || log "# warning: $(nproc) vCPUs: run with --icount for repeatable figures"

unload_module
netns_add dp-s
netns_add dp-r
netns_add dp-d
ip link add s0 netns dp-s type veth peer name r0 netns dp-r
ip link add r1 netns dp-r type veth peer name d0 netns dp-d
ip -n dp-s addr add 10.50.1.2/24 dev s0
ip -n dp-r addr add 10.50.1.1/24 dev r0
ip -n dp-r addr add 10.50.2.1/24 dev r1
ip -n dp-d addr add 10.50.2.2/24 dev d0
for l in "dp-s s0" "dp-r r0" "dp-r r1" "dp-d d0"; do
	read -r ns dev <<<"$l"
	ip -n "$ns" link set "$dev" up
done
ip -n dp-s route add default via 10.50.1.1
ip -n dp-d route add default via 10.50.2.1
ip netns exec dp-r sysctl -qw net.ipv4.ip_forward=1
ip netns exec dp-d iperf3 -s -D -I "$W/iperf3.pid" >/dev/null 2>&1 ||
	fail "iperf3 server did not start"
for i in $(seq 1 50); do [ -s "$W/iperf3.pid" ] && break; sleep 0.1; done
IPERF_PID=$(cat "$W/iperf3.pid")
ip netns exec dp-s ping -c 1 -W 5 10.50.2.2 >/dev/null || fail "no path through dp-r"

declare -A PPS BPS
# measure NAME: UDP packets/s received and TCP bits/s (guest time)
measure() {
	local j
	j=$(ip netns exec dp-s iperf3 -c 10.50.2.2 -u -b 0 -l 64 -t "$T" -J 2>/dev/null) ||
		fail "$1: iperf3 UDP failed"
	PPS[$1]=$(jq '.end.sum | (.packets - .lost_packets) / .seconds | floor' <<<"$j")
	j=$(ip netns exec dp-s iperf3 -c 10.50.2.2 -t "$T" -J 2>/dev/null) ||
		fail "$1: iperf3 TCP failed"
	BPS[$1]=$(jq '.end.sum_received.bits_per_second | floor' <<<"$j")
	log "# $1: UDP ${PPS[$1]} pps, TCP ${BPS[$1]} bit/s"
}

# The prefixes: /26s of 10/8 (the path's 10.50.2.0/24 is not among them
# for N <= 200k: 10.50.x is i = 51200 + x * 4 ..., so it is skipped).
gen() {
	awk -v n="$N" -v kind="$1" 'BEGIN { for (i = 1; i <= n + 1; i++) {
		a = int(i / 1024) % 256; b = int(i / 4) % 256; c = i % 4 * 64
		if (a == 50) continue
		if (kind == "nft") { printf "%s10.%d.%d.%d/26", sep, a, b, c; sep = ", " }
		else {
			x = int(i / 250); y = i % 250 + 1
			printf "peer add cn u%d remote 198.%d.%d.%d port 40000 id %d\n", i, 18 + int(x / 256), x % 256, y, i
			printf "iroute add 10.%d.%d.%d/26 peer %d\n", a, b, c, i
		}
	} }'
}

measure none

log "# nft: an interval set of $N prefixes in dp-r's forward chain"
{
	echo "table ip dp { set s { type ipv4_addr; flags interval; elements = { $(gen nft) } }"
	echo "chain c {"
	echo "type filter hook forward priority 0;"
	echo "ip daddr @s counter"
	echo "}"; echo "}"
} >"$W/nft"
t0=$(date +%s.%N)
ip netns exec dp-r nft -f "$W/nft" || fail "nft -f"
log "# nft: set loaded in $(echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f", $1 - $2 }') s (guest)"
measure nft
ip netns exec dp-r nft delete table ip dp

load_module
measure idle

log "# table: $N peers with an iroute each in dp-r, r1 a tunnel device"
gen peers >"$W/load"
echo "peer add cn path remote 198.51.100.9 port 40000 id 999999" >>"$W/load"
echo "iroute add 10.50.2.0/24 peer 999999" >>"$W/load"
t0=$(date +%s.%N)
"$SYNC_LOAD" -n dp-r "$W/load" || fail "loading the table"
log "# table: loaded in $(echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f", $1 - $2 }') s (guest)"
"$OVPNHACTL" -n dp-r tunnel add dev r1
NI=$("$OVPNHACTL" -n dp-r -j info | jq '(if type == "array" then .[0] else . end) | .iroutes')
log "# table: $NI iroutes (the generated /26s outside 10.50/16, and the path's 10.50.2.0/24)"
measure table
log "# table: drop_no_iroute $("$OVPNHACTL" -n dp-r -j stats | jq '.ovpnha.drop_no_iroute') (the path is covered: 0)"

"$OVPNHACTL" -n dp-r config set drop-trace on 2>"$W/dt.err" &&
	{ measure trace; "$OVPNHACTL" -n dp-r config set drop-trace off; } ||
	log "# trace: not measured: $(cat "$W/dt.err")"
"$OVPNHACTL" -n dp-r config set dns-guard on
measure dnsguard
"$OVPNHACTL" -n dp-r config set dns-guard off

# ------------------------------------------------------------------ table
ipp() { awk -v p="$1" 'BEGIN { if (p > 0) printf "%.0f", 1e9 / p; else print "-" }'; }
row() {	# NAME LABEL
	local b=${PPS[none]} p=${PPS[$1]:-} tb=${BPS[none]} tp=${BPS[$1]:-}
	[ -n "$p" ] || { printf '| %s | not measured | | | | |\n' "$2"; return; }
	local ratio added tratio
	ratio=$(awk -v a="$p" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
	added=$(awk -v a="$(ipp "$p")" -v b="$(ipp "$b")" 'BEGIN { printf "%+d", a - b }')
	tratio=$(awk -v a="$tp" -v b="$tb" 'BEGIN { printf "%.3f", a / b }')
	printf '| %s | %s | %s | %s | %s | %s |\n' "$2" "$p" "$ratio" "$(ipp "$p")" "$added" "$tratio"
	SUM+=("datapath.pps_$1=$p" "datapath.udp_ratio_$1=$ratio" "datapath.instr_$1=$(ipp "$p")"
		"datapath.added_$1=${added#+}" "datapath.tcp_ratio_$1=$tratio")
}
SUM=("datapath.n=${NI:-$N}")
echo
echo "| data path (${NI:-$N} prefixes) | UDP 64 B pps | ratio to none | guest instr / packet | added instr / packet | TCP ratio to none |"
echo "| --- | --- | --- | --- | --- | --- |"
row none "no module (baseline)"
row nft "no module, nft interval set of the same prefixes"
row idle "module loaded, idle"
row table "module, ${NI:-$N} peers + iroutes, tunnel hook + LPM"
row trace "… + drop-trace on"
row dnsguard "… + DNS guard on"
echo
for r in "${SUM[@]}"; do bench_result "${r%%=*}" "${r#*=}"; done
log "# target (DESIGN.md): the module's cost on the forwarding path within 3 % (≈680 instructions per packet); icount figures repeat within ±0.2 %"
