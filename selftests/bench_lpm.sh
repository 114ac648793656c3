#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): the iroute lookup measured in the kernel, beside
# the kernel's FIB lookup of the same addresses with the same prefixes
# loaded as routes (issue #7, benchmark 2).  Prints figures, asserts none.
#
#   selftests/vm/run --icount --timeout 3600 -- selftests/bench_lpm.sh [SIZES]
#
# Uses the DEBUG=1 build of the module (build/KVER/debug/ovpnha.ko), whose
# /sys/kernel/debug/ovpnha/lpm_bench times lookups of random addresses in
# batches of 16 (kmod/bench.c).  For each size N (default 1000 100000) a
# fresh namespace gets N IPv4 prefixes inside 10.0.0.0/8 and N IPv6
# prefixes inside fd00::/16, of realistic lengths (IPv4: half /32, a
# quarter /24, the rest /25-/30 and /16-/23; IPv6: half /128, a quarter
# /64, the rest /48-/63), as iroutes of 256 peers and, the same prefixes,
# as routes on a dummy device (ip -batch).  Then 200,000 addresses are
# looked up in each: inside randomly drawn iroutes (traffic the tunnels
# carry: every lookup matches), and random inside the covering prefix
# (mostly misses for IPv6).  In icount mode guest nanoseconds are
# instructions, and the figures repeat.
. "$(dirname "$0")/lib.sh"
require_guest
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || read -r -a SIZES <<<"${BENCH_LPM_SIZES:-1000 100000}"
LOOKUPS=${BENCH_LPM_LOOKUPS:-200000}
SYNC_LOAD=$REPO/selftests/progs/sync_load
KO=$MODDIR/debug/ovpnha.ko
F=/sys/kernel/debug/ovpnha/lpm_bench
W=/tmp/bench-lpm
mkdir -p "$W"
[ -f "$KO" ] || fail "no debug build at $KO (selftests/vm/build-module)"
[ -x "$SYNC_LOAD" ] || fail "$SYNC_LOAD missing (make -C selftests/progs)"
trap cleanup_netns EXIT
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
unload_module
# Both families of the largest size in one namespace: raise the table limit.
max=0
for n in "${SIZES[@]}"; do [ "$n" -le "$max" ] || max=$n; done
modprobe nf_conntrack 2>/dev/null || true
insmod "$KO" max_iroutes=$((2 * max > 1048576 ? 2 * max + 1000 : 1048576)) ||
	fail "insmod $KO"
[ -e "$F" ] || fail "$F missing: not a debug build?"
T0=$SECONDS
progress() { echo "# [$((SECONDS - T0)) s] $*" >&2; }

# gen N SEED: N distinct IPv4 and N distinct IPv6 prefixes, "4 PFX" and
# "6 PFX" lines, in one awk process.
gen() {
	awk -v n="$1" -v seed="$2" '
	function r(k) { return int(rand() * k) }
	function v4(   l, b, c, d, m) {
		m = rand()
		l = m < 0.5 ? 32 : m < 0.75 ? 24 : m < 0.9 ? 25 + r(6) : 16 + r(8)
		b = r(256); c = r(256); d = r(256)
		if (l <= 24) d = 0
		else d = d - d % 2 ^ (32 - l)
		if (l <= 16) c = 0
		else if (l < 24) c = c - c % 2 ^ (24 - l)
		return "10." b "." c "." d "/" l
	}
	function v6(   l, m, s, i, x) {
		m = rand()
		l = m < 0.5 ? 128 : m < 0.75 ? 64 : 48 + r(16)
		s = sprintf("fd00:%x:%x", r(65536), r(65536))
		if (l == 48) return s "::/48"
		x = r(65536)
		if (l < 64) x -= x % 2 ^ (64 - l)
		s = s sprintf(":%x", x)
		if (l < 128) return s "::/" l
		for (i = 0; i < 4; i++) s = s sprintf(":%x", r(65536))
		return s "/128"
	}
	BEGIN {
		srand(seed)
		while (k4 < n) { p = v4(); if (!(p in s4)) { s4[p]; k4++; print "4 " p } }
		while (k6 < n) { p = v6(); if (!(p in s6)) { s6[p]; k6++; print "6 " p } }
	}'
}

# The prefixes of $W/pfx as iroutes (256 peers) and as routes.
load() {
	local ns=$1 n=$2
	awk '
	BEGIN { for (i = 1; i <= 256; i++)
		printf "peer add cn b%d remote 192.0.2.%d port %d id %d\n", i, i % 250 + 1, 2000 + i, i }
	$1 == 4 { printf "iroute add %s peer %d\n", $2, NR % 256 + 1 }
	' "$W/pfx" >"$W/v4.txt"
	awk '$1 == 6 { printf "iroute add %s peer %d\n", $2, NR % 256 + 1 }' \
		"$W/pfx" >"$W/v6.txt"
	awk '{ printf "route add %s dev dummy0\n", $2 }' "$W/pfx" >"$W/routes.txt"
	"$SYNC_LOAD" -n "$ns" "$W/v4.txt" >/dev/null ||
		fail "loading the IPv4 iroutes failed"
	ovpnhactl -n "$ns" -b "$W/v6.txt" >/dev/null ||
		fail "loading the IPv6 iroutes failed"
	expect_eq "iroutes in $ns" "$(info_field iroutes "$ns")" $((2 * n))
	ip -n "$ns" link add dummy0 type dummy
	ip -n "$ns" link set dummy0 up
	ip -n "$ns" -batch "$W/routes.txt" || fail "ip -batch of the routes failed"
}

# run NS FAMILY PREFIX: the bench's three result lines.  nsenter, not
# ip netns exec, which mounts a fresh /sys (without debugfs).
run() {
	nsenter --net="/run/netns/$1" sh -c "echo '$2 $3 $LOOKUPS' > $F" ||
		fail "writing to $F failed"
	cat "$F"
}

rows=()
for n in "${SIZES[@]}"; do
	ns=lpm$n
	progress "generating $n IPv4 and $n IPv6 prefixes"
	gen "$n" "$n" >"$W/pfx"
	netns_add "$ns"
	progress "loading them as iroutes and as routes"
	load "$ns" "$n"
	for fam in 4 6; do
		[ "$fam" = 4 ] && cover=10.0.0.0/8 || cover=fd00::/16
		for p in table "$cover"; do
			progress "$LOOKUPS lookups, IPv$fam, addresses inside $p"
			out=$(run "$ns" "$fam" "$p")
			log "$out"
			om=$(awk '$1 == "ovpnha" { print $3 }' <<<"$out")
			op=$(awk '$1 == "ovpnha" { print $5 }' <<<"$out")
			oh=$(awk '$1 == "ovpnha" { print $7 }' <<<"$out")
			fm=$(awk '$1 == "fib" { print $3 }' <<<"$out")
			fp=$(awk '$1 == "fib" { print $5 }' <<<"$out")
			fh=$(awk '$1 == "fib" { print $7 }' <<<"$out")
			ratio=$(awk -v a="$om" -v b="$fm" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }')
			[ "$p" = table ] && what="inside the iroutes" || what="random in $p"
			rows+=("| $n | IPv$fam | $what | $om | $op | $fm | $fp | $ratio | $oh / $fh |")
			if [ "$p" = table ]; then	# the summary keeps the last size
				bench_result iroute.n "$n"
				bench_result "iroute.v${fam}_median" "$om"
				bench_result "iroute.v${fam}_fib_median" "$fm"
				bench_result "iroute.v${fam}_p99" "$op"
			fi
		done
	done
done

echo
echo "| prefixes per family | family | addresses | ovpnha median ns | ovpnha p99 ns | FIB median ns | FIB p99 ns | ratio | matched ovpnha / FIB of $LOOKUPS |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
progress "done"
unload_module
