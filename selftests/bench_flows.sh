#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): installing replicated UDP transport flows into
# conntrack, as a backup does: by `ovpnhactl -b FILE` (text, one request at
# a time) and by batched binary requests as the sync daemon sends them
# (progs/sync_load), beside conntrack-tools' batch path (`conntrack -R
# FILE`, the same N entries) in the same guest run.  Rates are per second
# of the installing process's CPU time (and elapsed, for reference).
#
#   selftests/vm/run -- selftests/bench_flows.sh [N]
. "$(dirname "$0")/lib.sh"
require_guest
load_module
N=${1:-10000}
NS=bf
SYNC_LOAD=$REPO/selftests/progs/sync_load
[ -x "$SYNC_LOAD" ] || fail "$SYNC_LOAD missing (make -C selftests/progs)"
trap cleanup_netns EXIT
netns_add $NS
# nf_conntrack_max is global (its sysctl is read-only in other namespaces)
[ "$(sysctl -n net.netfilter.nf_conntrack_max)" -ge $((N + N / 10 + 1000)) ] ||
	sysctl -qw net.netfilter.nf_conntrack_max=$((N + N / 10 + 1000))
# and so is its hash: as large as the table, as an operator expecting that
# many flows would size it (the default leaves 6+ entries per bucket).
[ "$(cat /sys/module/nf_conntrack/parameters/hashsize)" -ge "$N" ] ||
	echo "$N" >/sys/module/nf_conntrack/parameters/hashsize
oh() { "$OVPNHACTL" -n $NS "$@"; }
# addr I: the I-th client endpoint address, 10.(I / 65536).x.y
addr() { echo "10.$(($1 / 65536 % 256 + 100)).$(($1 / 256 % 256)).$(($1 % 256))"; }

B=/tmp/bench-flows.$$
# one process each (forks are slow under emulation)
gen() {
	awk -v n="$N" -v kind="$1" 'BEGIN {
		for (i = 1; i <= n; i++) {
			a = sprintf("10.%d.%d.%d", int(i / 65536) % 256 + 100, int(i / 256) % 256, i % 256)
			if (kind == "peers")
				printf "peer add id %d cn c%d origin 2 remote %s port 40000 proto udp\n", 33554432 + i, i, a
			else
				printf "flow add peer %d src %s:40000 dst 192.0.2.1:1194 timeout 300\n", 33554432 + i, a
		}
	}'
}
gen peers > "$B.peers"
gen flows > "$B.flows"
oh -b "$B.peers" >/dev/null || fail "adding $N peers"

# timed VAR CMD...: CMD's elapsed, user and system seconds into VAR_real,
# VAR_cpu (user + system).  In icount mode the elapsed time also holds the
# virtual clock's jumps over idle waits, which vary between runs; the CPU
# time of the installing process does not.
TIMEFORMAT='%R %U %S'
ovpnha_real='' ovpnha_cpu='' batch_real='' batch_cpu='' ct_real='' ct_cpu=''
timed() {
	local v=$1 r u s rc=0
	shift
	{ time "$@" >/dev/null 2>&1; } 2>"$B.time" || rc=$?
	read -r r u s <"$B.time"
	printf -v "${v}_real" '%s' "$r"
	printf -v "${v}_cpu" '%s' "$(echo "$u + $s" | bc -l)"
	return $rc
}
timed ovpnha oh -e 1 -b "$B.flows" || fail "installing $N flows"
got=$(ip netns exec $NS conntrack -C)
[ "$got" -ge "$N" ] || fail "conntrack holds $got entries, want $N"

# The same flows as the sync daemon applies them: binary requests, 256 per
# sendmsg() (progs/sync_load), every one still acknowledged.
ip netns exec $NS conntrack -F 2>/dev/null
timed batch "$SYNC_LOAD" -n $NS "$B.flows" || fail "sync_load of $N flows"
got=$(ip netns exec $NS conntrack -C)
[ "$got" -ge "$N" ] || fail "conntrack holds $got entries after sync_load, want $N"

# The anchor: the same N entries through conntrack-tools' batch path, one
# process (conntrack -R, one acknowledged ctnetlink request per entry).
ip netns exec $NS conntrack -F 2>/dev/null
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++)
	printf "-I -p udp -s 10.%d.%d.%d -d 192.0.2.1 --sport 40001 --dport 1194 -t 300\n",
		int(i / 65536) % 256 + 100, int(i / 256) % 256, i % 256 }' >"$B.ct"
timed ct ip netns exec $NS conntrack -R "$B.ct" || true
M=$(ip netns exec $NS conntrack -C)
rm -f "$B".*

rate() { echo "$1 / $2" | bc -l | xargs printf '%.0f'; }
printf '| figure | value |\n| --- | --- |\n'
printf '| flows installed by ovpnha (one netlink session, -b), per second of its CPU | %d in %.3f s CPU = %s flows/s (elapsed %.3f s = %s flows/s) |\n' \
	"$N" "$ovpnha_cpu" "$(rate "$N" "$ovpnha_cpu")" "$ovpnha_real" "$(rate "$N" "$ovpnha_real")"
printf '| flows installed by batched binary requests (sync_load: 256 per sendmsg, as the sync daemon applies them), per second of its CPU | %d in %.3f s CPU = %s flows/s (elapsed %.3f s = %s flows/s) |\n' \
	"$N" "$batch_cpu" "$(rate "$N" "$batch_cpu")" "$batch_real" "$(rate "$N" "$batch_real")"
printf '| conntrack -R FILE, one process (anchor; entries created of %d), per second of its CPU | %d in %.3f s CPU = %s entries/s (elapsed %.3f s = %s entries/s) |\n' \
	"$N" "$M" "$ct_cpu" "$(rate "$M" "$ct_cpu")" "$ct_real" "$(rate "$M" "$ct_real")"
printf '| target (DESIGN.md) | >= 50000 flows/s; conntrackd -c: 4.8-7.2k/s |\n'
bench_result flows.n "$N"
bench_result flows.ovpnha_rate "$(rate "$N" "$ovpnha_cpu")"
bench_result flows.ct_rate "$(rate "$M" "$ct_cpu")"
bench_result flows.batch_rate "$(rate "$N" "$batch_cpu")"
bench_result flows.ovpnha_rate_elapsed "$(rate "$N" "$ovpnha_real")"
bench_result flows.ct_rate_elapsed "$(rate "$M" "$ct_real")"
