#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel drops of peer traffic, per peer and per skb drop reason
# (skb:kfree_skb, `config set drop-trace on`), drop samples on the events
# group (`ovpnhactl monitor`), `stats peer CN`, `stats --per-cpu` and
# `stats --prometheus`.  Where the kernel has no drop reasons (5.10) the
# switch must be refused and the tool must say so instead of showing 0.
#
#   client (dt-c) 10.99.1.2 (peer client1 by virtual address),
#                 10.99.1.3 (peer gw2 by endpoint 10.99.1.3:1194/udp, and
#                 from other ports nobody's) ---- gateway (dt-g) 10.99.1.1
. "$(dirname "$0")/lib.sh"
require_guest
load_module
mark=$(dmesg_mark)
MON=/tmp/ovpnha-monitor.$$
monpid=
cleanup() {
	[ -n "$monpid" ] && kill "$monpid" 2>/dev/null
	rm -f "$MON"
	cleanup_netns
}
trap cleanup EXIT

netns_add dt-c
netns_add dt-g
ip link add c0 netns dt-c type veth peer name g0 netns dt-g
ip -n dt-c addr add 10.99.1.2/24 dev c0
ip -n dt-c addr add 10.99.1.3/24 dev c0
ip -n dt-g addr add 10.99.1.1/24 dev g0
ip -n dt-c link set c0 up
ip -n dt-g link set g0 up
ip netns exec dt-g nft add table ip fw
ip netns exec dt-g nft add chain ip fw in '{ type filter hook input priority 0; }'
ip netns exec dt-g nft add rule ip fw in udp dport 7777 drop

# send SRC SPORT DPORT N: N UDP datagrams from the client to the gateway
send() {
	ip netns exec dt-c python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
for _ in range(int(sys.argv[4])):
    s.sendto(b"x", ("10.99.1.1", int(sys.argv[3])))
' "$@"
	sleep 0.3
}
kdrop() { # CN REASON
	ovpnhactl -n dt-g -j stats peer "$1" | jq -r "(.[0].kernel_drops.$2 // 0)"
}

id1=$(ovpnhactl -n dt-g peer add cn client1 vpn-ip 10.99.1.2)
id1=${id1#id }
expect_eq "drop-trace off by default" "$(info_field drop_trace dt-g)" false

if [ "$(info_field drop_trace_avail dt-g)" != true ]; then
	# 5.10: no skb drop reasons.  Refused, and said so.
	expect_fail 1 "does not offer the skb:kfree_skb tracepoint" \
		"$OVPNHACTL" -n dt-g config set drop-trace on
	out=$(ovpnhactl -n dt-g stats peer client1)
	log "$out"
	grep -q "kernel drops: not available" <<<"$out" ||
		fail "stats peer does not say kernel drops are unavailable"
	expect_eq "kernel_drops is null" \
		"$(ovpnhactl -n dt-g -j stats peer client1 | jq -c '.[0].kernel_drops')" null
	ovpnhactl -n dt-g stats --prometheus | grep -qx 'ovpnha_drop_trace_available 0' ||
		fail "prometheus output lacks ovpnha_drop_trace_available 0"
	cleanup
	dmesg_clean_since "$mark"
	exit 0
fi

# Off: nothing attributed.
send 10.99.1.2 40000 9999 5
expect_eq "off: no kernel drops of client1" "$(kdrop client1 NO_SOCKET)" 0
out=$(ovpnhactl -n dt-g stats peer client1)
grep -q "drop-trace is off" <<<"$out" || fail "stats peer does not say drop-trace is off: $out"

ip netns exec dt-g "$OVPNHACTL" -j monitor >"$MON" &
monpid=$!
for i in $(seq 1 50); do	# subscribed once it reports a change
	ovpnhactl -n dt-g config set node-id 1
	grep -q '"event":"config"' "$MON" && break
	sleep 0.2
done
grep -q '"event":"config"' "$MON" || fail "monitor prints no events"
id2=$(ovpnhactl -n dt-g peer add cn gw2 remote 10.99.1.3 port 1194)
id2=${id2#id }
ovpnhactl -n dt-g config set drop-trace on
expect_eq "drop-trace on" "$(info_field drop_trace dt-g)" true

send 10.99.1.2 40000 9999 5	# client1 by virtual address: no socket
send 10.99.1.2 40001 7777 3	# client1: nft drop
sleep 1.1			# samples: at most 10 a second
send 10.99.1.3 1194 9999 4	# gw2 by endpoint
send 10.99.1.3 40002 9999 6	# nobody's
expect_eq "client1 NO_SOCKET" "$(kdrop client1 NO_SOCKET)" 5
expect_eq "client1 NETFILTER_DROP" "$(kdrop client1 NETFILTER_DROP)" 3
expect_eq "gw2 NO_SOCKET (by endpoint)" "$(kdrop gw2 NO_SOCKET)" 4
expect_eq "gw2 NETFILTER_DROP" "$(kdrop gw2 NETFILTER_DROP)" 0
sum=$(( $(ovpnhactl -n dt-g -j stats peer client1 | jq '[.[0].kernel_drops[]] | add') +
	$(ovpnhactl -n dt-g -j stats peer gw2 | jq '[.[0].kernel_drops[]] | add') ))
expect_eq "kdrop_peer = the peers' kernel drops" "$(ovpnhactl -n dt-g -j stats | jq .ovpnha.kdrop_peer)" "$sum"
ovpnhactl -n dt-g stats peer client1
ovpnhactl -n dt-g stats peer gw2

# Off again: counting stops.
ovpnhactl -n dt-g config set drop-trace off
send 10.99.1.2 40000 9999 2
expect_eq "off again: unchanged" "$(kdrop client1 NO_SOCKET)" 5

# The events: the peer, the setting and drop samples naming peer and reason.
sleep 0.5
kill "$monpid"
wait "$monpid" 2>/dev/null || true
monpid=
log "$(cat "$MON")"
jq -e . "$MON" >/dev/null || fail "monitor -j printed something that is not JSON"
expect_eq "peer_new event" "$(jq -r 'select(.event == "peer_new") | .peer.cn' "$MON")" gw2
expect_eq "config event" "$(jq -r 'select(.event == "config" and .drop_trace == 1) | .event' "$MON")" config
s=$(jq -c "select(.event == \"drop\" and .peer == $id1 and .kernel_reason == \"NO_SOCKET\")" "$MON" | head -n 1)
[ -n "$s" ] || fail "no NO_SOCKET drop sample of client1"
expect_eq "sample src" "$(jq -r .src <<<"$s")" 10.99.1.2
expect_eq "sample dport" "$(jq -r .dport <<<"$s")" 9999
expect_eq "sample reason" "$(jq -r .reason <<<"$s")" kdrop_peer
n=$(jq -s "[.[] | select(.event == \"drop\") | .count] | add" "$MON")
[ "$n" -le 18 ] || fail "samples stand for $n drops, 18 were attributed"
# (jq -s: jq 1.6's -e misreads a select() whose last input had no match)
n=$(jq -s "map(select(.event == \"drop\" and .peer == $id2 and .kernel_reason == \"NO_SOCKET\")) | length" "$MON")
[ "$n" -gt 0 ] || fail "no drop sample of gw2"
expect_eq "samples of nobody's traffic" \
	"$(jq -s 'map(select(.event == "drop" and .sport == 40002)) | length' "$MON")" 0

# Per CPU: the CPUs' counters add up to the totals.
pc=$(ovpnhactl -n dt-g -j stats --per-cpu)
expect_eq "per-cpu kdrop_peer sum" "$(jq '[.ovpnha[].kdrop_peer] | add' <<<"$pc")" "$sum"
expect_eq "per-cpu lines" "$(jq '.ovpnha | length' <<<"$pc")" \
	"$(ip netns exec dt-g tail -n +2 /proc/net/stat/ovpnha | wc -l)"
ovpnhactl -n dt-g stats --per-cpu

# Prometheus text exposition.
p=$(ovpnhactl -n dt-g stats --prometheus)
grep -qx "ovpnha_peer_kernel_drops_total{peer_id=\"$id1\",cn=\"client1\",reason=\"NO_SOCKET\"} 5" <<<"$p" ||
	fail "prometheus: no client1 NO_SOCKET 5 line"
grep -qx "ovpnha_kdrop_peer_total $sum" <<<"$p" || fail "prometheus: no kdrop_peer total"
grep -qx '# TYPE ovpnha_peers gauge' <<<"$p" || fail "prometheus: peers is not a gauge"
grep -qx 'ovpnha_drop_trace_available 1' <<<"$p" || fail "prometheus: availability"
bad=$(grep -v '^#' <<<"$p" | grep -Ev '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [0-9]+$' || true)
[ -z "$bad" ] || fail "prometheus: malformed lines: $bad"
log "$(head -n 12 <<<"$p")"

cleanup
dmesg_clean_since "$mark"
