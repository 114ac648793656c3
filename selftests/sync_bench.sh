#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Replication benchmark (prints, asserts nothing; not in the test list):
#   selftests/vm/run -- selftests/sync_bench.sh [PEERS] [SAMPLES]
#
# Two nodes a and b on one back-channel bridge.  First ovpnha (`ovpnhactl
# sync`, TLS 1.3), then, over the same link in the same guest run,
# conntrackd 1.4 (FTFW over UDP, DisableExternalCache on: b's conntrackd
# writes what it receives into b's kernel table) replicating the same
# number of UDP conntrack entries: the peer ovpnha must beat.
#   lag      one change on a, timed until b's kernel announces it, from one
#            long-lived process (progs/sync_lag, progs/ct_lag), SAMPLES times
#   rate     a burst of updates on a, until b's kernel has the last one
#   bytes    link bytes on a's back-channel device (both directions, IP and
#            Ethernet headers, TLS or FTFW framing, acks and keepalives)
#            per update of the burst
#   resync   PEERS peers (each with an iroute) / PEERS UDP entries: b's
#            table emptied, its daemon restarted; time until b has them all
# Ends with a Markdown table; every figure is also a "bench: sync.KEY=VALUE"
# line for make bench's summary.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sync.sh"
require_guest
load_module
sync_require
command -v conntrackd >/dev/null || skip "conntrackd is not installed"
N=${1:-100000}
S=${2:-300}
BURST=${BURST:-20000}
LAG=$REPO/selftests/progs/sync_lag
CTLAG=$REPO/selftests/progs/ct_lag
[ -x "$CTLAG" ] || fail "$CTLAG missing (make -C selftests/progs)"
CTD_PIDS=()
bench_cleanup() {
	local p
	for p in "${CTD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	sync_cleanup
}
trap bench_cleanup EXIT
declare -A R
result() { R[$1]=$2; bench_result "sync.$1" "$2"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# link bytes of a's bc0, both directions
linkbytes() { ip -n a -j -s link show bc0 | jq '.[0].stats64 | .rx.bytes + .tx.bytes'; }
# lagline LINE KEY: "lag_us p50 P p99 P max P ..." into KEY_p50/p99/max (ms)
lagline() {
	read -r _ _ p50 _ p99 _ max _ <<<"$1"
	result "$2_lag_p50_ms" "$(awk -v v="$p50" 'BEGIN { printf "%.2f", v / 1000 }')"
	result "$2_lag_p99_ms" "$(awk -v v="$p99" 'BEGIN { printf "%.2f", v / 1000 }')"
	result "$2_lag_max_ms" "$(awk -v v="$max" 'BEGIN { printf "%.2f", v / 1000 }')"
}
# burstline LINE KEY: "burst N updates in S s: R/s" into KEY_rate
# lag_and_burst KEY PROG: PROG's lag samples and burst between a and b
# (progs/sync_lag or progs/ct_lag, same output), and the link bytes per
# update they cost.
# PID_A PID_B are the two replication daemons: their CPU time and the
# writer's, per update, say where the time of an update goes (in icount
# mode guest ns are instructions).
lag_and_burst() {
	local out l0 l1 a0 a1 b0 b1 t0 t1 u=$((S + BURST))
	l0=$(linkbytes); a0=$(cpu_ns "$3"); b0=$(cpu_ns "$4"); t0=$(busy_ns)
	out=$("$2" a b "$S" "$BURST") || true
	l1=$(linkbytes); a1=$(cpu_ns "$3"); b1=$(cpu_ns "$4"); t1=$(busy_ns)
	log "# $(tr '\n' ' ' <<<"$out")"
	lagline "$(grep ^lag_us <<<"$out")" "$1"
	burstline "$(grep ^burst <<<"$out")" "$1"
	result "$1_bytes" "$(( (l1 - l0) / u ))"
	result "$1_cpu_writer_ns" "$(awk -v c="$(sed -n 's/^cpu_us //p' <<<"$out")" -v u="$u" \
		'BEGIN { printf "%.0f", c * 1000 / u }')"
	result "$1_cpu_a_ns" "$(( (a1 - a0) / u ))"
	result "$1_cpu_b_ns" "$(( (b1 - b0) / u ))"
	result "$1_cpu_all_ns" "$(( (t1 - t0) / u ))"
}
# cpu_ns PID: CPU time of all of PID's threads, ns (schedstat)
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'
}
# busy_ns: CPU time of the whole guest, all but idle and iowait (ticks)
busy_ns() {
	awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.0f", ($2 + $3 + $4 + $7 + $8 + $9) * 1e9 / hz }' /proc/stat
}
burstline() {
	local r
	r=$(sed -n 's/^burst [0-9]* updates in [0-9.]* s: \([0-9]*\) updates\/s.*/\1/p' <<<"$1")
	result "$2_rate" "${r:-failed}"
}

result n "$N"
result burst "$BURST"
# ---------------------------------------------------------------- ovpnha
sync_pair_up
log "# ovpnha: lag ($S samples) and a burst of $BURST peer updates"
lag_and_burst ovpnha "$LAG" "${SYNC_PID[a]}" "${SYNC_PID[b]}"

log "# ovpnha: $N peers + $N iroutes loaded on a"
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) {
	# up to 250 x 256 x 2 peers; iroutes are /26s of 10/8 (262144)
	x = int(i / 250); y = i % 250 + 1; h = int(x / 256); l = x % 256
	printf "peer add cn user%d remote 198.%d.%d.%d port %d id %d vpn-ip 100.%d.%d.%d\n", i, 18 + h, l, y, 10000 + i % 50000, i, 64 + h, l, y
	printf "iroute add 10.%d.%d.%d/26 peer %d\n", int(i / 1024) % 256, int(i / 4) % 256, i % 4 * 64, i } }' > "$SYNC_DIR/load"
t0=$(now)
"$SYNC_LOAD" -n a "$SYNC_DIR/load"
result ovpnha_load_s "$(since "$t0")"
wait_counts 600 "$N $N" b
result ovpnha_deltas_s "$(since "$t0")"
log "# ovpnha: bulk resync of $N peers into an emptied b"
sync_stop b
"$OVPNHACTL" -n b peer flush
t0=$(now)
sync_start b
wait_counts 600 "$N $N" b
result ovpnha_resync_s "$(since "$t0")"
result ovpnha_resync_receiver_ms "$(sync_json b | jq '.nodes[0].in.last_resync_ms')"
sync_stop a
sync_stop b
"$OVPNHACTL" -n a peer flush
"$OVPNHACTL" -n b peer flush

# ------------------------------------------------------------ conntrackd
# ctd_conf NODE OTHER: FTFW over UDP between the back-channel addresses,
# UDP only, injecting into the kernel (as contrib/conntrackd's example).
ctd_conf() {
	cat >"$SYNC_DIR/ctd-$1.conf" <<-EOF
	Sync {
		Mode FTFW {
			DisableExternalCache on
			StartupResync on
			ResendQueueSize 262144
			ACKWindowSize 300
		}
		UDP {
			IPv4_address 192.168.77.${SYNC_IDX[$1]}
			IPv4_Destination_Address 192.168.77.${SYNC_IDX[$2]}
			Port 3780
			Interface ctsync
			SndSocketBuffer 24985600
			RcvSocketBuffer 24985600
			Checksum on
		}
	}
	General {
		HashSize 131072
		HashLimit 1048576
		LogFile $SYNC_DIR/ctd-$1.log
		Syslog off
		LockFile $SYNC_DIR/ctd-$1.lock
		UNIX { Path $SYNC_DIR/ctd-$1.ctl }
		NetlinkBufferSize 8388608
		NetlinkBufferSizeMaxGrowth 67108864
		NetlinkEventsReliable on
		Filter From Kernelspace {
			Protocol Accept { UDP }
		}
	}
	EOF
}
ctd_start() {
	local i
	rm -f "$SYNC_DIR/ctd-$1.lock" "$SYNC_DIR/ctd-$1.ctl"
	ip netns exec "$1" conntrackd -C "$SYNC_DIR/ctd-$1.conf" >>"$SYNC_DIR/ctd-$1.out" 2>&1 &
	CTD_PIDS+=($!)
	for i in $(seq 1 100); do
		ip netns exec "$1" conntrackd -C "$SYNC_DIR/ctd-$1.conf" -s >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	tail -n 5 "$SYNC_DIR/ctd-$1.out" "$SYNC_DIR/ctd-$1.log" >&2
	fail "conntrackd of $1 does not answer"
}
ctd_stop() {
	ip netns exec "$1" conntrackd -C "$SYNC_DIR/ctd-$1.conf" -k >/dev/null 2>&1 || true
	local i
	for i in $(seq 1 50); do
		[ -S "$SYNC_DIR/ctd-$1.ctl" ] || return 0
		sleep 0.1
	done
}
ctcount() { ip netns exec "$1" conntrack -C; }
wait_ct() {	# NODE COUNT SECONDS
	local t0=$SECONDS
	while [ "$(ctcount "$1")" -lt "$2" ]; do
		[ $((SECONDS - t0)) -lt "$3" ] || { log "# $1: $(ctcount "$1") entries, want $2"; return 1; }
		sleep 0.1
	done
}
for ns in a b; do
	# conntrackd's parser reads "bc0" as a hex number: an altname
	ip -n $ns link property add dev bc0 altname ctsync
	ip netns exec $ns sysctl -qw net.netfilter.nf_conntrack_max=$((4 * N + 100000)) 2>/dev/null ||
		sysctl -qw net.netfilter.nf_conntrack_max=$((4 * N + 100000))
	ip netns exec $ns conntrack -F 2>/dev/null || true
done
ctd_conf a b
ctd_conf b a
ctd_start a
ctd_start b
log "# conntrackd: lag ($S samples) and a burst of $BURST new UDP entries"
lag_and_burst ctd "$CTLAG" "${CTD_PIDS[0]}" "${CTD_PIDS[1]}"

log "# conntrackd: $N UDP entries created on a"
ip netns exec a conntrack -F 2>/dev/null || true
ip netns exec b conntrack -F 2>/dev/null || true
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++)
	printf "-I -p udp -s 10.%d.%d.%d -d 192.0.2.1 --sport 40000 --dport 1194 -t 3600\n",
		int(i / 65536) % 256 + 100, int(i / 256) % 256, i % 256 }' >"$SYNC_DIR/ct-load"
t0=$(now)
ip netns exec a conntrack -R "$SYNC_DIR/ct-load" >/dev/null 2>&1 || true
result ctd_load_s "$(since "$t0")"
if wait_ct b "$N" 600; then
	result ctd_deltas_s "$(since "$t0")"
else
	result ctd_deltas_s "incomplete ($(ctcount b) of $N)"
fi
log "# conntrackd: bulk resync of $N entries into an emptied b"
ctd_stop b
ip netns exec b conntrack -F 2>/dev/null || true
t0=$(now)
ctd_start b
if wait_ct b "$N" 600; then
	result ctd_resync_s "$(since "$t0")"
else
	result ctd_resync_s "incomplete ($(ctcount b) of $N)"
fi
ctd_stop a
ctd_stop b

# ---------------------------------------------------------------- table
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
row() {	# FIGURE UNIT OVPNHA CONNTRACKD TARGET
	printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$(ratio "$3" "$4")" "$5"
}
echo
echo "| figure | unit | ovpnha | conntrackd FTFW | ovpnha / conntrackd | target (DESIGN.md) |"
echo "| --- | --- | --- | --- | --- | --- |"
row "lag a → b kernel, p50 ($S samples)" ms "${R[ovpnha_lag_p50_ms]}" "${R[ctd_lag_p50_ms]}" "≤ 2 ms"
row "lag a → b kernel, p99" ms "${R[ovpnha_lag_p99_ms]}" "${R[ctd_lag_p99_ms]}" "≤ 5 ms"
row "lag a → b kernel, max" ms "${R[ovpnha_lag_max_ms]}" "${R[ctd_lag_max_ms]}" "—"
row "burst of $BURST updates (peer updates / new UDP entries)" "updates/s" "${R[ovpnha_rate]}" "${R[ctd_rate]}" "≥ 50000"
row "link bytes per update (both directions, all framing)" B "${R[ovpnha_bytes]}" "${R[ctd_bytes]}" "≤ 160 per peer update"
row "CPU per update: the writing process (its syscalls)" "ns" "${R[ovpnha_cpu_writer_ns]}" "${R[ctd_cpu_writer_ns]}" "—"
row "CPU per update: a's replication daemon" "ns" "${R[ovpnha_cpu_a_ns]}" "${R[ctd_cpu_a_ns]}" "—"
row "CPU per update: b's replication daemon (applies to b's kernel)" "ns" "${R[ovpnha_cpu_b_ns]}" "${R[ctd_cpu_b_ns]}" "—"
row "CPU per update: whole guest (all tasks, softirqs)" "ns" "${R[ovpnha_cpu_all_ns]}" "${R[ctd_cpu_all_ns]}" "—"
row "$N peers+iroutes / UDP entries created on a" s "${R[ovpnha_load_s]}" "${R[ctd_load_s]}" "—"
row "… until all are in b's kernel (deltas)" s "${R[ovpnha_deltas_s]}" "${R[ctd_deltas_s]}" "—"
row "bulk resync of $N into an emptied b (daemon start → all in b)" s "${R[ovpnha_resync_s]}" "${R[ctd_resync_s]}" "≤ 2 s (100k peers)"
echo
log "# ovpnha's receiver measured its resync at ${R[ovpnha_resync_receiver_ms]} ms (snapshot received → applied)"
log "# guest under TCG emulation: compare the columns, not the absolute figures"
