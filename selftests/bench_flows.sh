#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): installing replicated UDP transport flows into
# conntrack, as a backup does, beside conntrack-tools' batch path
# (`conntrack -R FILE`, the same N entries) in the same guest run.
#
#   selftests/vm/run -- selftests/bench_flows.sh [N]
. "$(dirname "$0")/lib.sh"
require_guest
load_module
N=${1:-10000}
NS=bf
trap cleanup_netns EXIT
netns_add $NS
# nf_conntrack_max is global (its sysctl is read-only in other namespaces)
[ "$(sysctl -n net.netfilter.nf_conntrack_max)" -ge $((N + N / 10 + 1000)) ] ||
	sysctl -qw net.netfilter.nf_conntrack_max=$((N + N / 10 + 1000))
oh() { "$OVPNHACTL" -n $NS "$@"; }
now() { date +%s.%N; }
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

t0=$(now)
oh -e 1 -b "$B.flows" || fail "installing $N flows"
t1=$(now)
got=$(ip netns exec $NS conntrack -C)
[ "$got" -ge "$N" ] || fail "conntrack holds $got entries, want $N"
ovpnha_s=$(echo "$t1 - $t0" | bc -l)

# The anchor: the same N entries through conntrack-tools' batch path, one
# process (conntrack -R, one acknowledged ctnetlink request per entry).
ip netns exec $NS conntrack -F 2>/dev/null
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++)
	printf "-I -p udp -s 10.%d.%d.%d -d 192.0.2.1 --sport 40001 --dport 1194 -t 300\n",
		int(i / 65536) % 256 + 100, int(i / 256) % 256, i % 256 }' >"$B.ct"
t0=$(now)
ip netns exec $NS conntrack -R "$B.ct" >/dev/null 2>&1 || true
t1=$(now)
M=$(ip netns exec $NS conntrack -C)
ct_s=$(echo "$t1 - $t0" | bc -l)
rm -f "$B".*

printf '| figure | value |\n| --- | --- |\n'
printf '| flows installed by ovpnha (one netlink session, -b) | %d in %.3f s = %.0f flows/s |\n' \
	"$N" "$ovpnha_s" "$(echo "$N / $ovpnha_s" | bc -l)"
printf '| conntrack -R FILE, one process (anchor; entries created of %d) | %d in %.3f s = %.0f entries/s |\n' \
	"$N" "$M" "$ct_s" "$(echo "$M / $ct_s" | bc -l)"
printf '| target (DESIGN.md) | >= 50000 flows/s; conntrackd -c: 4.8-7.2k/s |\n'
bench_result flows.n "$N"
bench_result flows.ovpnha_rate "$(echo "$N / $ovpnha_s" | bc -l | xargs printf '%.0f')"
bench_result flows.ct_rate "$(echo "$M / $ct_s" | bc -l | xargs printf '%.0f')"
