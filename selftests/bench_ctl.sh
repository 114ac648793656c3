#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): the control plane at scale (issue #7, benchmarks 3
# "Control plane" and 6 "Scaling curve").  Prints figures, asserts none;
# exits non-zero only when the environment is broken.
#
#   selftests/vm/run [--icount] --timeout 3600 -- selftests/bench_ctl.sh [SIZES]
#
# For each size N (default: BENCH_CTL_SIZES), each figure in a fresh network
# namespace, all in one guest run:
#   peer inserts/s   single: progs/ctl_bench, one PEER_NEW per message, each
#                    acknowledged before the next (one process, no parsing);
#                    batched: ctl_bench and progs/sync_load FILE (256
#                    requests per sendmsg), and `ovpnhactl -b FILE`
#   anchors          `ip -batch` of N `route add A.B.C.D/32 dev dummy`, and
#                    `conntrack -R FILE` of N `-I` lines (one process each)
#   dumps            `ovpnhactl -j peer show`, `ovpnhactl peer show` and a
#                    raw netlink dump (ctl_bench dump): wall time and bytes;
#                    `ip route show` of the N routes beside them
#   memory per peer  /proc/slabinfo + vmalloc deltas around the single
#                    insert, the peer cache alone (/sys/kernel/slab), and the
#                    module's object counters; the same for the N routes
# Once, in an empty namespace: the cost of one process per change
# (`ovpnhactl peer add`, `ip route add`, `conntrack -I`), BENCH_CTL_PROCS
# and BENCH_CTL_CT_PROCS invocations.
# Progress with elapsed seconds goes to stderr, one Markdown table to stdout.
. "$(dirname "$0")/lib.sh"
require_guest

SIZES=("$@")
# Under TCG (2 vCPUs) the default 10k + 30k + 100k took 6-9.5 minutes, the
# 100k step about half of it, and time grows linearly: 1M alone would take 30-45
# minutes and does not fit the ~15 minute budget (pass it explicitly, with
# --timeout 3600, to measure it).
[ ${#SIZES[@]} -gt 0 ] || read -r -a SIZES <<<"${BENCH_CTL_SIZES:-10000 30000 100000}"
# One program start costs 80-220 ms in the guest: 100 is enough for a rate.
PROCS=${BENCH_CTL_PROCS:-100}
CT_PROCS=${BENCH_CTL_CT_PROCS:-30}
CTL_BENCH=$REPO/selftests/progs/ctl_bench
SYNC_LOAD=$REPO/selftests/progs/sync_load
for p in "$CTL_BENCH" "$SYNC_LOAD" "$OVPNHACTL"; do
	[ -x "$p" ] || fail "$p missing (make -C tools && make -C selftests/progs)"
done
for n in "${SIZES[@]}"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] && [ "$n" -lt 16000000 ] || fail "bad size: $n"
done
command -v conntrack >/dev/null || fail "conntrack (conntrack-tools) missing"
load_module
MAXP=$(info_field max_peers)
W=$(mktemp -d /tmp/ovpnha-bctl.XXXXXX)
trap 'cleanup_netns; rm -rf "$W"' EXIT
T_START=$EPOCHREALTIME

# Timing uses bash's clock: no process start inside a measured interval.
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'; }
prog() { printf '[%7.1fs] %s\n' "$(since "$T_START")" "$*" >&2; }
# timed KEY CMD...: run CMD, keep its wall time in T_REAL and its CPU time
# (user and system, children included) in CPU[KEY] (text) and CPUS[KEY]
# (seconds); CMD's status returned.  Rates are per second of that CPU
# time: in icount mode the elapsed time also holds the virtual clock's
# jumps over idle waits, which vary from boot to boot (ip -batch of the
# same 100,000 routes: 4.2 s and 5.5 s elapsed, 3.7 s of CPU both times).
declare -A CPU CPUS
T_REAL=0
timed() {
	local key=$1 rc=0 u s
	shift
	{ time "$@"; } 2>"$W/time" || rc=$?
	read -r T_REAL u s < <(tail -n 1 "$W/time")
	CPU[$key]="user $u s, sys $s s, elapsed $T_REAL s"
	CPUS[$key]=$(calc "%.3f" "$u + $s")
	return $rc
}
TIMEFORMAT='%R %U %S'
# calc EXPR: floating-point arithmetic, printed as given by awk's %.Nf
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# --- memory ----------------------------------------------------------------
# mem_snap NAME: /proc/slabinfo and the meminfo counters slab pages and
# vmalloc'd tables (rhashtable buckets, big FIB tnodes) come from.
mem_snap() {
	cat /proc/slabinfo >"$W/$1.slab"
	awk '/^(Slab|VmallocUsed):/ { print $1, $2 * 1024 }' /proc/meminfo >"$W/$1.mem"
	local s=/sys/kernel/slab/ovpnha_peer
	echo "$(cut -d' ' -f1 "$s/slabs") $(cat "$s/order")" >"$W/$1.peer"
}
# slab_top A B: the caches that grew most from snapshot A to B (bytes of
# slab pages: num_slabs * pagesperslab * 4096).
slab_top() {
	awk 'NR == FNR { if (FNR > 2) a[$1] = $15 * $6 * 4096; next }
	     FNR > 2 { d = $15 * $6 * 4096 - a[$1]; if (d > 0) printf "%d %s(%sB)\n", d, $1, $4 }' \
		"$W/$1.slab" "$W/$2.slab" | sort -rn | head -6 | tr '\n' ' '
}
# mem_delta A B: bytes grown in slab + vmalloc between snapshots
mem_delta() {
	awk 'NR == FNR { a[$1] = $2; next } { d += $2 - a[$1] } END { print d }' \
		"$W/$1.mem" "$W/$2.mem"
}
# peer_delta A B: bytes of slab pages of the peer cache (or the cache it was
# merged into: /sys/kernel/slab/ovpnha_peer is then a link to it).
peer_delta() {
	local a b o
	read -r a o <"$W/$1.peer"
	read -r b o <"$W/$2.peer"
	echo $(((b - a) * (4096 << o)))
}

# Wait for the module's frees (RCU callbacks after a netns exit) and the
# slab to stop shrinking, so that the next memory delta is this run's own.
settle() {
	local i a f s0 s1
	for i in $(seq 1 1500); do
		a=$(info_field obj_peers_alloc); f=$(info_field obj_peers_free)
		[ "$a" != "$f" ] || break
		sleep 0.4
	done
	[ "$a" = "$f" ] || prog "warning: peers alloc $a free $f after 600 s"
	s0=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)
	for i in $(seq 1 60); do
		sleep 1
		s1=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)
		[ $((s0 - s1)) -gt 256 ] || break
		s0=$s1
	done
}
drop_ns() { ip netns del "$1"; NETNS_CREATED=(); settle; }

# --- input files -------------------------------------------------------------
# gen KIND N: one awk process each (forks are slow under emulation).  Peer
# i is what ctl_bench builds; route i is a /32 like a client's address.
gen() {
	awk -v n="$2" -v kind="$1" 'BEGIN {
		for (i = 1; i <= n; i++) {
			a = int(i / 65536); b = int(i / 256) % 256; c = i % 256
			if (kind == "peers")
				printf "peer add cn c%d remote 10.%d.%d.%d port 40000 id %d vpn-ip 100.%d.%d.%d\n", i, a, b, c, i, 64 + a, b, c
			else if (kind == "routes")
				printf "route add 172.%d.%d.%d/32 dev dum0\n", 16 + a, b, c
			else
				printf "-I -p udp -s 10.%d.%d.%d -d 192.0.2.1 --sport 40000 --dport 1194 -t 300\n", a, b, c
		}
	}'
}

# --- results -----------------------------------------------------------------
declare -A R	# R[figure:N] = value
rate() { calc "%.0f" "$1 / $2"; }
# field KEY LINE: the value after KEY in ctl_bench's output line
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<<"$2"; }

# --- once: one process per change ---------------------------------------------
once_per_process() {
	local ns=bc-proc i t0 ok
	prog "per-process: $PROCS x ovpnhactl peer add, $PROCS x ip route add, $CT_PROCS x conntrack -I"
	netns_add $ns
	ip -n $ns link add dum0 type dummy && ip -n $ns link set dum0 up
	ok=0; t0=$(now)
	for i in $(seq 1 "$PROCS"); do
		"$OVPNHACTL" -n $ns peer add cn c$i remote 10.0.$((i / 256)).$((i % 256)) \
			port 40000 id "$i" vpn-ip 100.64.$((i / 256)).$((i % 256)) >/dev/null &&
			ok=$((ok + 1))
	done
	R[proc_oh]=$(since "$t0"); R[proc_oh_ok]=$ok
	ok=0; t0=$(now)
	for i in $(seq 1 "$PROCS"); do
		ip -n $ns route add 172.16.$((i / 256)).$((i % 256))/32 dev dum0 && ok=$((ok + 1))
	done
	R[proc_ip]=$(since "$t0"); R[proc_ip_ok]=$ok
	t0=$(now)
	for i in $(seq 1 "$CT_PROCS"); do
		ip netns exec $ns conntrack -I -p udp -s 10.0.$((i / 256)).$((i % 256)) \
			-d 192.0.2.1 --sport 40000 --dport 1194 -t 300 >/dev/null 2>&1 || true
	done
	R[proc_ct]=$(since "$t0")
	R[proc_ct_ok]=$(ip netns exec $ns conntrack -C 2>/dev/null || echo 0)
	prog "per-process: ovpnhactl ${R[proc_oh]} s, ip ${R[proc_ip]} s, conntrack ${R[proc_ct]} s"
	drop_ns $ns
}

# --- per size ------------------------------------------------------------------
run_size() {
	local n=$1 ns out t0 d nb
	prog "N=$n: generating input files"
	gen peers "$n" >"$W/peers"
	gen routes "$n" >"$W/routes"
	gen ct "$n" >"$W/ct"

	# Anchor: the kernel FIB through ip -batch (one acknowledged
	# RTM_NEWROUTE per line over one socket).
	ns=bc-rt; netns_add $ns
	ip -n $ns link add dum0 type dummy && ip -n $ns link set dum0 up
	mem_snap rt0
	if timed ipb:$n ip -n $ns -batch "$W/routes" >/dev/null 2>"$W/err"; then
		d=$T_REAL; mem_snap rt1
		R[ipb:$n]=$(rate "$n" "${CPUS[ipb:$n]}")
		R[ipmem:$n]=$(calc "%.0f" "$(mem_delta rt0 rt1) / $n")
		prog "N=$n: ip -batch route add: $d s, ${R[ipb:$n]}/s (${CPU[ipb:$n]}); grew: $(slab_top rt0 rt1)"
		t0=$(now); nb=$(ip -n $ns route show | wc -c) || true
		R[dumpip:$n]="$(since "$t0") s, $nb B"
	else
		prog "N=$n: ip -batch failed: $(head -c 300 "$W/err")"
	fi
	drop_ns $ns

	# Single: one acknowledged request at a time, from one process.
	# Memory is measured around it: nothing else runs meanwhile.
	ns=bc-single; netns_add $ns
	local a0 n0 a1 n1
	a0=$(info_field obj_peers_alloc); n0=$(info_field obj_nodes_alloc)
	mem_snap p0
	if timed single:$n "$CTL_BENCH" -n $ns single "$n" >"$W/out"; then
		out=$(cat "$W/out")
		mem_snap p1
		a1=$(info_field obj_peers_alloc); n1=$(info_field obj_nodes_alloc)
		R[single:$n]=$(rate "$n" "${CPUS[single:$n]}")
		R[pmem:$n]=$(calc "%.0f" "$(mem_delta p0 p1) / $n")
		R[pcache:$n]=$(calc "%.1f" "$(peer_delta p0 p1) / $n")
		R[pobj:$n]="$((a1 - a0)) peers, $((n1 - n0)) trie nodes"
		R[pcnt:$n]=$(calc "%.1f" "($((a1 - a0)) * $PEER_SLOT + $((n1 - n0)) * $LPM_SLOT) / $n")
		prog "N=$n: single: $out (${CPU[single:$n]}); peers in table $(info_field peers $ns)"
		prog "N=$n: memory: slab+vmalloc $(mem_delta p0 p1) B; grew: $(slab_top p0 p1)"
	else
		prog "N=$n: ctl_bench single failed: $out"
	fi
	drop_ns $ns

	ns=bc-batch; netns_add $ns
	if timed cbatch:$n "$CTL_BENCH" -n $ns batch "$n" >"$W/out"; then
		out=$(cat "$W/out")
		R[cbatch:$n]=$(rate "$n" "${CPUS[cbatch:$n]}")
		prog "N=$n: ctl_bench batch: $out (${CPU[cbatch:$n]})"
	else
		prog "N=$n: ctl_bench batch failed: $out"
	fi
	drop_ns $ns

	ns=bc-sload; netns_add $ns
	if timed sload:$n "$SYNC_LOAD" -n $ns "$W/peers"; then
		d=$T_REAL; R[sload:$n]=$(rate "$n" "${CPUS[sload:$n]}")
		prog "N=$n: sync_load: $d s (${CPU[sload:$n]})"
	else
		prog "N=$n: sync_load failed"
	fi
	drop_ns $ns

	# The tool's batch mode, then the dumps of what it loaded.
	ns=bc-tool; netns_add $ns
	if timed toolb:$n "$OVPNHACTL" -n $ns -b "$W/peers" >/dev/null 2>"$W/err"; then
		d=$T_REAL; R[toolb:$n]=$(rate "$n" "${CPUS[toolb:$n]}")
		prog "N=$n: ovpnhactl -b: $d s (${CPU[toolb:$n]}); peers in table $(info_field peers $ns)"
		t0=$(now); nb=$("$OVPNHACTL" -n $ns -j peer show | wc -c) || true
		R[dumpj:$n]="$(since "$t0") s, $nb B"
		t0=$(now); nb=$("$OVPNHACTL" -n $ns peer show | wc -c) || true
		R[dumpp:$n]="$(since "$t0") s, $nb B"
		out=$("$CTL_BENCH" -n $ns dump) || true
		R[dumpraw:$n]="$(calc "%.3f" "$(field seconds "$out")") s, $(field bytes "$out") B"
		prog "N=$n: dumps: -j ${R[dumpj:$n]}; plain ${R[dumpp:$n]}; raw: $out"
	else
		prog "N=$n: ovpnhactl -b failed: $(head -c 300 "$W/err")"
	fi
	drop_ns $ns

	# Anchor: conntrack-tools' batch path (conntrack -R, one acknowledged
	# ctnetlink request per entry from one process).
	ns=bc-ct; netns_add $ns
	timed ctr:$n ip netns exec $ns conntrack -R "$W/ct" >/dev/null 2>&1 || true
	d=$T_REAL
	local m
	m=$(ip netns exec $ns conntrack -C 2>/dev/null || echo 0)
	R[ctr:$n]=$(rate "$m" "${CPUS[ctr:$n]}"); R[ctr_n:$n]=$m
	prog "N=$n: conntrack -R: $m of $n entries in $d s (${CPU[ctr:$n]})"
	ip netns exec $ns conntrack -F >/dev/null 2>&1 || true
	drop_ns $ns
}

# conntrack entries are global (nf_conntrack_max is read-only in other
# namespaces); a hash as large as the biggest size keeps its chains short,
# as an operator loading that many entries would configure it.
max=0
for n in "${SIZES[@]}"; do [ "$n" -le "$max" ] || max=$n; done
[ "$(sysctl -n net.netfilter.nf_conntrack_max)" -ge $((max + 1000)) ] ||
	sysctl -qw net.netfilter.nf_conntrack_max=$((max + 1000))
[ "$(cat /sys/module/nf_conntrack/parameters/hashsize)" -ge "$max" ] ||
	echo "$max" >/sys/module/nf_conntrack/parameters/hashsize 2>/dev/null || true
[ "$max" -le "$MAXP" ] || fail "size $max above the module's max_peers $MAXP"

S=/sys/kernel/slab/ovpnha_peer
[ -e $S ] || fail "$S missing: the guest kernel has no SLUB sysfs"
PEER_CACHE="ovpnha_peer: object $(cat $S/object_size) B, slot $(cat $S/slab_size) B, $(cat $S/objs_per_slab) per $((4096 << $(cat $S/order))) B slab"
[ -L $S ] && PEER_CACHE+=", merged into $(basename "$(readlink $S)")"
PEER_SLOT=$(cat $S/slab_size)
# The peer's vpn-ip /32 lives in the module's LPM trie: a leaf and, in a
# binary trie of N leaves, about one glue node each.
S=/sys/kernel/slab/ovpnha_lpm_node
LPM_CACHE="ovpnha_lpm_node: object $(cat $S/object_size) B, slot $(cat $S/slab_size) B"
[ -L $S ] && LPM_CACHE+=", merged into $(basename "$(readlink $S)")"
LPM_SLOT=$(cat $S/slab_size)
prog "LPM node cache: $LPM_CACHE"
prog "peer cache: $PEER_CACHE; guest: $(nproc) vCPU, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB"

once_per_process
for n in "${SIZES[@]}"; do
	run_size "$n"
done
prog "done"

# --- the table ---------------------------------------------------------------
# row FIGURE N OVPNHA BASELINE TARGET-KIND: ratio and met from the numbers
# (rate: higher is better and the baseline is the target; bytes: <= 256)
row() {
	local fig=$1 n=$2 v=$3 b=$4 kind=$5 note=${6:-} ratio=- target=- met=-
	case $kind in
	rate)
		target="≥ ip -batch"
		if [ -n "$v" ] && [ -n "$b" ]; then
			ratio=$(calc "%.2f" "$v / $b")
			met=$(awk -v a="$v" -v b="$b" 'BEGIN { print (a >= b) ? "met" : "not met" }')
		fi ;;
	bytes)
		target="≤ 256 B"
		if [ -n "$v" ]; then
			[ -z "$b" ] || ratio=$(calc "%.2f" "$v / $b")
			met=$(awk -v a="$v" 'BEGIN { print (a <= 256) ? "met" : "not met" }')
		fi ;;
	anchor) [ -z "$v" ] || [ -z "$b" ] || ratio=$(calc "%.2f" "$v / $b") ;;
	esac
	printf '| %s | %s | %s%s | %s | %s | %s | %s |\n' "$fig" "$n" "${v:-failed}" "$note" "${b:--}" \
		"$ratio" "$target" "$met"
}
unit() { [ -z "$1" ] || printf '%s%s' "$1" "$2"; }

echo
echo "| figure | N | ovpnha | baseline (same run) | ratio | target | met |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
# cpu KEY: the CPU time of the measured process, as a note on its value
cpu() { [ -z "${CPU[$1]:-}" ] || printf ' (%s)' "${CPU[$1]}"; }
for n in "${SIZES[@]}"; do
	row "peer inserts per CPU second, single (ctl_bench: 1 acked request per message; baseline ip -batch route add /32)" \
		"$n" "${R[single:$n]:-}" "${R[ipb:$n]:-}" rate "$(cpu "single:$n")"
done
for n in "${SIZES[@]}"; do
	row "peer inserts per CPU second, batched (ctl_bench: 256 per sendmsg)" "$n" "${R[cbatch:$n]:-}" "${R[ipb:$n]:-}" rate "$(cpu "cbatch:$n")"
done
for n in "${SIZES[@]}"; do
	row "peer inserts per CPU second, batched (sync_load FILE: 256 per sendmsg)" "$n" "${R[sload:$n]:-}" "${R[ipb:$n]:-}" rate "$(cpu "sload:$n")"
done
for n in "${SIZES[@]}"; do
	row "peer inserts per CPU second, ovpnhactl -b FILE" "$n" "${R[toolb:$n]:-}" "${R[ipb:$n]:-}" rate "$(cpu "toolb:$n")"
done
for n in "${SIZES[@]}"; do
	row "anchor: ip -batch route add /32, routes per CPU second" "$n" "${R[ipb:$n]:-}" "" anchor "$(cpu "ipb:$n")"
done
for n in "${SIZES[@]}"; do
	row "anchor: conntrack -R FILE, entries per CPU second (baseline ip -batch)" "$n" "${R[ctr:$n]:-}" "${R[ipb:$n]:-}" anchor \
		" (${R[ctr_n:$n]:-0} created$(cpu "ctr:$n" | sed 's/^ (/; /; s/)$//'))"
done
for n in "${SIZES[@]}"; do
	printf '| dump: ovpnhactl -j peer show, wall time and bytes (baseline ip route show) | %s | %s | %s | - | - | - |\n' \
		"$n" "${R[dumpj:$n]:-failed}" "${R[dumpip:$n]:--}"
done
for n in "${SIZES[@]}"; do
	printf '| dump: ovpnhactl peer show (plain) | %s | %s | %s | - | - | - |\n' \
		"$n" "${R[dumpp:$n]:-failed}" "${R[dumpip:$n]:--}"
done
for n in "${SIZES[@]}"; do
	printf '| dump: raw netlink PEER_GET dump (ctl_bench, in process) | %s | %s | %s | - | - | - |\n' \
		"$n" "${R[dumpraw:$n]:-failed}" "${R[dumpip:$n]:--}"
done
for n in "${SIZES[@]}"; do
	row "memory per peer, ovpnha_peer cache slab pages (B) (${PEER_CACHE%%;*})" "$n" "${R[pcache:$n]:-}" "" bytes
done
for n in "${SIZES[@]}"; do
	row "memory per peer, module counters x slot size: peers x $PEER_SLOT B + LPM nodes x $LPM_SLOT B (${LPM_CACHE})" \
		"$n" "${R[pcnt:$n]:-}" "" bytes
done
for n in "${SIZES[@]}"; do
	row "memory per peer, all slab + vmalloc growth (B; ${R[pobj:$n]:-?}; baseline: per /32 route)" \
		"$n" "${R[pmem:$n]:-}" "${R[ipmem:$n]:-}" bytes
done
printf '| per process: ovpnhactl peer add, changes/s (baseline ip route add, one process each) | %s | %s | %s | %s | - | - |\n' \
	"$PROCS" "$(calc "%.1f" "${R[proc_oh_ok]} / ${R[proc_oh]}") (${R[proc_oh_ok]} ok)" \
	"$(calc "%.1f" "${R[proc_ip_ok]} / ${R[proc_ip]}")" \
	"$(calc "%.2f" "(${R[proc_oh_ok]} / ${R[proc_oh]}) / (${R[proc_ip_ok]} / ${R[proc_ip]})")"
printf '| per process: conntrack -I, entries/s (one process each) | %s | - | %s (%s created) | - | - | - |\n' \
	"$CT_PROCS" "$(calc "%.1f" "${R[proc_ct_ok]} / ${R[proc_ct]}")" "${R[proc_ct_ok]}"
# The summary's figures: the last (largest) size.
n=${SIZES[-1]}
bench_result ctl.n "$n"
for k in single:single_rate cbatch:batched_rate toolb:tool_rate sload:load_rate \
	ipb:ipbatch_rate ctr:ctr_rate pcache:mem_peer_slab pcnt:mem_peer_counted \
	pmem:mem_peer_all ipmem:mem_route_all; do
	bench_result "ctl.${k#*:}" "${R[${k%%:*}:$n]:-}"
done
prog "total $(since "$T_START") s"
