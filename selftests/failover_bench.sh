#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# failover_bench.sh - a benchmark, not a test (not in run_tests.sh): the
# crash failover of failover_stock.sh (stock keepalived + OpenVPN) and of
# failover_ovpnha.sh (ovpnha, its hooks, sync, notify script, conntrackd
# with DisableExternalCache on) in ONE guest run, over UDP and over TCP
# transport, and a planned switchover both ways (stock: keepalived stopped
# on the master; ovpnha: `ovpnhactl switchover`, failover_switch.sh); then
# a Markdown table of their figures side by side with the thesis's 7.97 s.
#
#   selftests/vm/run --timeout 3000 -- selftests/failover_bench.sh [ROUNDS]
#
# ROUNDS (default 1): each scenario that many times, alternating; a cell
# then lists every round's value, " / " between them.  FO_BENCH_CACHE=1 adds
# ovpnha with conntrackd's external cache (commit at takeover) as a third
# column.  Guest figures are emulated (TCG): compare the columns of one run,
# not runs with each other.  Exit status 1 if a scenario's own assertions
# failed (its column says so), else 0.
. "$(dirname "$0")/lib.sh"
require_guest
here=$(cd "$(dirname "$0")" && pwd)
rounds=${1:-1}
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || fail "ROUNDS must be a positive number"
out=$(mktemp -d /tmp/ovpnha-fobench.XXXXXX)
trap 'rm -rf "$out"' EXIT

names=(stock ovpnha)
declare -A title=([stock]="stock keepalived + OpenVPN, UDP" [ovpnha]="ovpnha (conntrackd inject), UDP")
declare -A script=([stock]=failover_stock.sh [ovpnha]=failover_ovpnha.sh)
declare -A envs=([stock]="" [ovpnha]="FO_CONNTRACKD_INJECT=1")
# The same crash over TCP transport (FO_BENCH_TCP=0 leaves it out).
if [ "${FO_BENCH_TCP:-1}" = 1 ]; then
	names+=(stock_tcp ovpnha_tcp)
	title[stock_tcp]="stock keepalived + OpenVPN, TCP transport"
	title[ovpnha_tcp]="ovpnha (conntrackd inject), TCP transport"
	script[stock_tcp]=failover_stock.sh
	script[ovpnha_tcp]=failover_ovpnha.sh
	envs[stock_tcp]="FO_PROTO=tcp"
	envs[ovpnha_tcp]="FO_PROTO=tcp FO_CONNTRACKD_INJECT=1"
fi
# Planned switchover (FO_BENCH_SWITCH=0 leaves it out): stock stops
# keepalived on the master, ovpnha runs `ovpnhactl switchover`.
if [ "${FO_BENCH_SWITCH:-1}" = 1 ]; then
	names+=(stock_planned ovpnha_switch)
	title[stock_planned]="stock: keepalived stopped (planned), UDP"
	title[ovpnha_switch]="ovpnha: ovpnhactl switchover, UDP"
	script[stock_planned]=failover_stock.sh
	script[ovpnha_switch]=failover_switch.sh
	envs[stock_planned]="FO_STOCK_PLANNED=1"
	envs[ovpnha_switch]="FO_SWITCH_ONCE=1"
fi
if [ "${FO_BENCH_CACHE:-0}" = 1 ]; then
	names+=(cache)
	title[cache]="ovpnha (conntrackd external cache)"
	script[cache]=failover_ovpnha.sh
	envs[cache]="FO_CONNTRACKD_INJECT=0"
fi

# FO_BENCH_ONLY="NAME..." keeps only those scenarios (names as above).
if [ -n "${FO_BENCH_ONLY:-}" ]; then
	keep=()
	for s in "${names[@]}"; do
		[[ " $FO_BENCH_ONLY " == *" $s "* ]] && keep+=("$s")
	done
	[ ${#keep[@]} -gt 0 ] || fail "FO_BENCH_ONLY=$FO_BENCH_ONLY: no such scenario (${names[*]})"
	names=("${keep[@]}")
fi

declare -A rc
status=0
for ((r = 1; r <= rounds; r++)); do
	for s in "${names[@]}"; do
		log "# === round $r: ${title[$s]} (${script[$s]}) ==="
		# A failing scenario is reported in its column, not fatal here.
		set +e
		# shellcheck disable=SC2086	# envs: NAME=VALUE words
		env ${envs[$s]} FO_RESULTS="$out/$s.$r" \
			"$here/${script[$s]}" 2>&1 | sed -u 's/^/#   /'
		rc[$s.$r]=${PIPESTATUS[0]}
		set -e
		[ "${rc[$s.$r]}" = 0 ] || status=1
		log "# ${script[$s]}: exit status ${rc[$s.$r]}"
	done
done

# get SCENARIO ROUND KEY: one figure ("?" if absent).
get() {
	local v
	v=$(sed -n "s/^$3=//p" "$out/$1.$2" 2>/dev/null | tail -n 1)
	echo "${v:-?}"
}
# cell SCENARIO FORMAT: the figure(s) of every round, " / " between them;
# FORMAT is an awk-free template with {KEY} placeholders.
cell() {
	local s=$1 fmt=$2 r k v c acc=''
	for ((r = 1; r <= rounds; r++)); do
		if [ ! -s "$out/$s.$r" ]; then
			c="no figures"
		else
			c=$fmt
			while [[ "$c" =~ \{([a-z0-9_]+)\} ]]; do
				k=${BASH_REMATCH[1]}
				v=$(get "$s" "$r" "$k")
				c=${c//\{$k\}/$v}
			done
		fi
		[ "${rc[$s.$r]}" = 0 ] || c="$c (test FAILED, exit ${rc[$s.$r]})"
		acc+="${acc:+ / }$c"
	done
	echo "$acc"
}
row() {	# LABEL THESIS FORMAT_STOCK FORMAT_OVPNHA
	local line="| $1 |" s
	for s in "${names[@]}"; do
		if [ "${script[$s]}" = failover_stock.sh ]; then
			line+=" $(cell "$s" "$3") |"
		else
			line+=" $(cell "$s" "$4") |"
		fi
	done
	echo "$line $2 |"
}

hdr="| failover (s from the crash or switchover) |"
sep="| --- |"
for s in "${names[@]}"; do
	hdr+=" ${title[$s]} |"
	sep+=" --- |"
done
{
	echo "$hdr thesis |"
	echo "$sep --- |"
	row "outage: lost × 10 ms (lost echoes)" "7.97 s (797)" \
		"{lost_time_s} s ({lost})" "{lost_time_s} s ({lost})"
	row "lost × measured echo interval" "—" \
		"{lost_time_measured_s} s" "{lost_time_measured_s} s"
	row "takeover: VIP on the standby" "—" "{takeover_s} s" "{takeover_s} s"
	row "role change → first GARP (kernel)" "—" "— (keepalived's GARP at {garp_s} s)" \
		"{role_change_s} s + {first_garp_ms} ms (seen on the WAN at {garp_wan_s} s)"
	row "client restart (ping-restart)" "—" "{client_restart_s} s" "{client_restart_s} s"
	row "reconnect (client tunnel up)" "—" "{client_up_s} s" "{client_up_s} s"
	row "first echo reply after the crash" "—" "{outage_s} s" "{outage_s} s"
	row "gateway's attempts on the new master (TLS done → PUSH_REPLY, s)" "—" \
		"{server_attempts} ({server_setup_s})" "{server_attempts} ({server_setup_s})"
	row "TCP session through NAT + strict firewall" "—" "{tcp}" "{tcp} (stall {tcp_stall_s} s)"
	row "new master's firewall drops" "—" "{drops_new_master}" "{drops_new_master}"
	row "peers back (return tracking)" "—" "not tracked" \
		"{peers_back} of {peers} after {peers_back_s} s"
} >"$out/table.md"
# The figures of round 1 for make bench's summary: failover.SCENARIO.KEY.
for s in "${names[@]}"; do
	[ -s "$out/$s.1" ] || continue
	while IFS='=' read -r k v; do
		bench_result "failover.$s.$k" "$v"
	done <"$out/$s.1"
	bench_result "failover.$s.exit" "${rc[$s.1]}"
	p=$(get "$s" 1 peers) b=$(get "$s" 1 peers_back)
	if [[ "$p" =~ ^[0-9]+$ && "$b" =~ ^[0-9]+$ ]]; then
		bench_result "failover.$s.peers_missing" "$((p - b))"
	fi
done
log "# Crash failover in one guest run (TCG, $(uname -r)), seconds from the crash:"
sed 's/^/# /' "$out/table.md"
echo
cat "$out/table.md"
exit "$status"
