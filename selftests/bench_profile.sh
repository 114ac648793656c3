#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the time of a bulk load and its replication goes (the profile
# behind the insert-rate, bulk-resync and replication figures of
# Documentation/performance.rst): node a loads N peers (default 100,000:
# $1), each with a virtual address and an iroute, through batched netlink
# (selftests/progs/sync_load, as sync_churn.sh), and `ovpnhactl sync`
# replicates them to b.  perf samples the writer and b's daemon, each as a
# task (cpu-clock at 999 Hz: there is no PMU under TCG, and system-wide
# sampling under TCG mostly lands on the idle task), kernel and user space
# together: a netlink request is handled in the context of the task that
# sends it.  Printed as tables: the phase times, then each task's top
# symbols.  A benchmark: it asserts nothing but that both tables end with
# N peers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sync.sh"
require_guest
load_module
sync_require
N=${1:-100000}
PERF=$(command -v perf) || skip "perf is not installed (Debian package linux-perf)"
SYNC_LOAD=$REPO/selftests/progs/sync_load
[ -x "$SYNC_LOAD" ] || fail "$SYNC_LOAD missing (make -C selftests/progs)"
PERF_PID=
cleanup() {
	[ -z "$PERF_PID" ] || kill -INT "$PERF_PID" 2>/dev/null || true
	sync_cleanup
}
trap cleanup EXIT

sync_pair_up
sync_gen_peers 1 "$N" 0 > "$SYNC_DIR/load"

"$PERF" record -e cpu-clock -F 999 -g -p "${SYNC_PID[b]}" -o "$SYNC_DIR/b.data" -q \
	2>"$SYNC_DIR/perf-b.err" &
PERF_PID=$!
sleep 2
t0=$(date +%s.%N)
"$PERF" record -e cpu-clock -F 999 -g -o "$SYNC_DIR/a.data" -q -- \
	"$SYNC_LOAD" -n a "$SYNC_DIR/load" 2>"$SYNC_DIR/perf-a.err" ||
	fail "loading $N peers on a failed: $(tail -n 3 "$SYNC_DIR/perf-a.err")"
t1=$(date +%s.%N)
wait_counts 900 "$N $N" b
t2=$(date +%s.%N)
kill -INT "$PERF_PID"
wait "$PERF_PID" 2>/dev/null || true
PERF_PID=

echo "| phase | seconds | peers/s |"
echo "| --- | --- | --- |"
awk -v n="$N" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
	printf "| a: %d peers + iroutes through netlink (sync_load, perf on it) | %.2f | %.0f |\n", n, b - a, n / (b - a)
	printf "| b: all of them in the kernel of b, from the start | %.2f | %.0f |\n", c - a, n / (c - a) }'

# callers FILE: the commonest call chains (4 frames up) into the top
# kernel symbol of FILE, as "| <- a <- b <- c | % of that symbol |" rows.
callers() {
	local f=$1 sym
	sym=$("$PERF" report -i "$f" --stdio --no-children --sort sym 2>/dev/null |
		awk '/^ *[0-9.]+% +\[k\]/ { print $3; exit }' || true)
	[ -n "$sym" ] || return 0
	"$PERF" script -i "$f" -F ip,sym 2>/dev/null | awk -v s="$sym" '
		/^[ \t]+[0-9a-f]+ / { fr[++n] = $2; next }
		{ if (n && fr[1] == s) { c[fr[2] " <- " fr[3] " <- " fr[4] " <- " fr[5]]++; t++ }; n = 0 }
		END { if (n && fr[1] == s) { c[fr[2] " <- " fr[3] " <- " fr[4] " <- " fr[5]]++; t++ }
		      for (k in c) printf "%d| %s <- %s | %.1f%% |\n", c[k], s, k, 100 * c[k] / t }' |
		sort -t'|' -k1,1nr | cut -d'|' -f2- | sed 's/^/|/' | head -n 4 || true
}

# top FILE TITLE: "| symbol | % |" rows of its top symbols (>= 0.5 %).
top() {
	local f=$1 title=$2
	echo
	echo "| $title: symbol | % of its samples |"
	echo "| --- | --- |"
	"$PERF" report -i "$f" --stdio --no-children --percent-limit 0.5 \
		--sort dso,sym 2>/dev/null |
		awk '/^ *[0-9.]+%/ { p = $1; $1 = ""; sub(/^ +/, ""); printf "| %s | %s |\n", $0, p }' |
		head -n 25 || true
	callers "$f"
	"$PERF" report -i "$f" --stdio --header-only 2>/dev/null |
		sed -n 's/^# \(sample duration\|total samples\).*/&/p' | head -n 2 || true
}
top "$SYNC_DIR/a.data" "writer on a (sync_load: netlink requests)"
top "$SYNC_DIR/b.data" "b's sync daemon (receives, applies through netlink)"
