#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host benchmark of the LPM trie: instructions per lookup from callgrind
# (repeatable), then the timed run, one Markdown table.
# usage: bench.sh [SIZES...]   (default 1000 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 100000 1000000)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

args=()
for n in "${sizes[@]}"; do
	args+=(-n "$n")
	for f in 4 6; do
		if command -v valgrind >/dev/null; then
			out="$W/cg.$n.$f"
			valgrind -q --tool=callgrind --instr-atstart=no \
				--callgrind-out-file="$out" \
				./lpm_bench -c "$n" -f "$f" >"$W/run" ||
				{ echo "callgrind failed ($n IPv$f)" >&2; exit 1; }
			lookups=$(awk '{ print $4 }' "$W/run")
			# The dump requested after the lookups has their totals.
			ir=$(awk '/^(summary|totals):/ { s = $2 } END { print s }' \
				"$out".*[0-9] 2>/dev/null || true)
			[ -n "$ir" ] || ir=$(awk '/^(summary|totals):/ { s = $2 } END { print s }' "$out")
			echo "$n $f $(awk -v i="$ir" -v l="$lookups" 'BEGIN { printf "%.1f", i / l }')" \
				>>"$W/icount"
		fi
	done
done
echo "# iroute LPM lookup, host build of kmod/lpm.c ($(uname -m), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
echo
./lpm_bench "${args[@]}" ${W:+-I "$W/icount"} | tee "$W/table"
# The figures of the largest size for make bench's summary (selftests/bench).
awk -F' *[|] *' '$2 ~ /^[0-9]+$/ && $2 + 0 >= n { n = $2; f = ($3 == "IPv4") ? "v4" : "v6"
		m[f] = $4; p[f] = $5; ic[f] = $6; b[f] = $10 }
	END { if (!n) exit
		printf "bench: lpm.n=%d\n", n
		for (f in m) printf "bench: lpm.%s_median_ns=%s\nbench: lpm.%s_p99_ns=%s\nbench: lpm.%s_instr=%s\nbench: lpm.%s_bytes=%s\n",
			f, m[f], f, p[f], f, ic[f], f, b[f] }' "$W/table"
