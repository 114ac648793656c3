#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# /proc/net/stat/ovpnha has nf_conntrack's format (header of names, one
# line of 8-digit hex fields per possible CPU) and lnstat reads it; the
# counters agree with the netlink statistics and with what was done.
. "$(dirname "$0")/lib.sh"
require_guest
load_module
mark=$(dmesg_mark)
trap cleanup_netns EXIT
netns_add st
f=/proc/net/stat/ovpnha

stat_sum() { # column name -> sum over CPU lines, in decimal
	local hdr line col=-1 i sum=0
	local -a names vals
	{
		read -r hdr
		read -ra names <<<"$hdr"
		for i in "${!names[@]}"; do
			[ "${names[$i]}" = "$1" ] && col=$i
		done
		[ "$col" -ge 0 ] || fail "no column $1 in $f"
		while read -r line; do
			read -ra vals <<<"$line"
			sum=$((sum + 16#${vals[$col]}))
		done
	} < <(ip netns exec st cat "$f")
	echo "$sum"
}

ids=()
for i in 1 2 3; do
	o=$(ovpnhactl -n st peer add cn s$i remote 192.0.2.$i port 1194)
	ids+=("${o#id }")
done
ovpnhactl -n st iroute add 10.1.0.0/16 peer "${ids[0]}"
ovpnhactl -n st iroute add 10.2.0.0/16 peer "${ids[1]}"
ovpnhactl -n st peer del id "${ids[2]}"
expect_fail 1 "" "$OVPNHACTL" -n st iroute add 10.1.0.0/16 peer "${ids[1]}"

hdr=$(ip netns exec st head -n 1 "$f")
log "header: $hdr"
set -- $hdr
expect_eq "first column" "$1" peers
expect_eq "second column" "$2" iroutes
ncol=$#
ncpu=$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)
possible=$(cat /sys/devices/system/cpu/possible)
lines=$(ip netns exec st tail -n +2 "$f" | wc -l)
log "possible CPUs: $possible ($ncpu present), $lines lines"
bad=$(ip netns exec st tail -n +2 "$f" | awk -v n="$ncol" 'NF != n' | wc -l)
bad=$((bad + $(ip netns exec st tail -n +2 "$f" | grep -Evc '^[0-9a-f]{8}( [0-9a-f]{8})*$' || true)))
expect_eq "malformed lines" "$bad" 0
[ "$lines" -ge "$ncpu" ] || fail "$lines lines for $ncpu CPUs"

expect_eq "peers gauge" "$(stat_sum peers)" "$((2 * lines))"
expect_eq "peer_new" "$(stat_sum peer_new)" 3
expect_eq "peer_del" "$(stat_sum peer_del)" 1
expect_eq "iroute_new" "$(stat_sum iroute_new)" 2
expect_eq "conflict" "$(stat_sum conflict)" 1

# Netlink statistics agree; the tool shows nf_conntrack beside them.
j=$(ovpnhactl -n st -j stats)
expect_eq "netlink peer_new" "$(jq -r '.ovpnha.peer_new' <<<"$j")" 3
expect_eq "netlink conflict" "$(jq -r '.ovpnha.conflict' <<<"$j")" 1
expect_eq "netlink peers gauge" "$(jq -r '.ovpnha.peers' <<<"$j")" 2
modprobe nf_conntrack
j=$(ovpnhactl -n st -j stats)
for k in entries insert_failed drop early_drop; do
	[ "$(jq -r ".nf_conntrack.$k | type" <<<"$j")" = number ] ||
		fail "nf_conntrack.$k missing from stats -j: $j"
done
ovpnhactl -n st stats

# lnstat (iproute2) parses the file like nf_conntrack's.
# (lnstat 6.1 exits 1 even when it worked: judge by its output.)
keys=$(ip netns exec st lnstat -d -f ovpnha || true)
log "$keys"
grep -q '/proc/net/stat/ovpnha:' <<<"$keys" || fail "lnstat -d does not list ovpnha"
grep -Eq '^[[:space:]]+3: peer_new$' <<<"$keys" || fail "lnstat -d: peer_new is not key 3"
j=$(ip netns exec st lnstat -j -f ovpnha -c 1 -i 1 || true)
log "$j"
expect_eq "lnstat peer_new" "$(jq -r '.peer_new' <<<"$j")" 3
expect_eq "lnstat conflict" "$(jq -r '.conflict' <<<"$j")" 1
ip netns exec st lnstat -f ovpnha -f nf_conntrack -c 1 -i 1 -k peer_new,conflict,entries,insert_failed || true
cleanup_netns
dmesg_clean_since "$mark"
