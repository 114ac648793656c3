#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The OpenVPN hook entry points without OpenVPN: the environment OpenVPN
# 2.6 sets is given by hand.  Malformed input is rejected (exit 1, reason on
# stderr) and leaves no peer; repeated calls are idempotent; update re-owns
# a prefix; delete of something unknown succeeds; without the module the
# hooks warn and exit 0 (exit 1 with --strict).
. "$(dirname "$0")/lib.sh"
require_guest
load_module
mark=$(dmesg_mark)
ovpnhactl peer flush

# The environment of OpenVPN's client hooks for one client.
client_env() {	# client_env CN IP PORT VPN_IP VPN_IP6 -- CMD...
	local cn=$1 ip=$2 port=$3 v4=$4 v6=$5
	shift 6
	local cmd=("$@")
	# "hook ..." is "ovpnhactl openvpn ..." (env runs programs only)
	[ "${cmd[0]}" != hook ] || cmd=("$OVPNHACTL" openvpn "${cmd[@]:1}")
	env -i PATH="$PATH" common_name="$cn" trusted_ip="$ip" \
		trusted_port="$port" proto_1=udp4 ifconfig_pool_remote_ip="$v4" \
		ifconfig_pool_remote_ip6="$v6" time_unix=1700000000 "${cmd[@]}"
}
hook() { "$OVPNHACTL" openvpn "$@"; }
peers() { ovpnhactl -j peer show | jq length; }

# --- malformed input: exit 1, a reason, no peer ---
expect_fail 1 "expects OPERATION ADDRESS" hook learn-address
expect_fail 1 "expects OPERATION ADDRESS" hook learn-address add
expect_fail 1 "unknown operation \"remove\"" hook learn-address remove 10.8.0.2 alice
expect_fail 1 "bad address \"10.8.0.300\"" \
	client_env alice 192.0.2.2 40000 10.8.0.2 fd00:8::2 -- hook learn-address add 10.8.0.300 alice
expect_fail 1 "bad address \"10.1.0.0/33\"" \
	client_env alice 192.0.2.2 40000 10.8.0.2 fd00:8::2 -- hook learn-address add 10.1.0.0/33 alice
expect_fail 1 "missing environment variable trusted_ip or trusted_ip6" \
	env -i PATH="$PATH" "$OVPNHACTL" openvpn learn-address add 10.8.0.2 alice
expect_fail 1 "missing environment variable common_name" \
	env -i PATH="$PATH" trusted_ip=192.0.2.2 trusted_port=40000 \
	"$OVPNHACTL" openvpn client-connect /tmp/cc.conf
expect_fail 1 "trusted_port=\"70000\" is not a port" \
	client_env alice 192.0.2.2 70000 10.8.0.2 fd00:8::2 -- hook client-connect /tmp/cc.conf
expect_fail 1 "ifconfig_pool_remote_ip=\"10.8.0\" is not an IPv4 address" \
	client_env alice 192.0.2.2 40000 10.8.0 fd00:8::2 -- hook client-connect /tmp/cc.conf
expect_fail 1 "is longer than 64 bytes" \
	client_env "$(printf 'x%.0s' $(seq 1 65))" 192.0.2.2 40000 10.8.0.2 fd00:8::2 -- \
	hook client-connect /tmp/cc.conf
expect_fail 2 "unknown hook" hook tls-verify
expect_eq "no peer after malformed input" "$(peers)" 0

# A MAC address (dev tap) is nothing for a tun gateway: accepted, no change.
client_env alice 192.0.2.2 40000 10.8.0.2 fd00:8::2 -- hook learn-address add 00:ff:01:02:03:04 alice
expect_eq "no peer after a MAC" "$(peers)" 0

# --- client-connect creates the peer, twice is once ---
for n in 1 2; do
	client_env alice 192.0.2.2 40000 10.8.0.2 fd00:8::2 -- hook client-connect /tmp/cc.conf
done
j=$(ovpnhactl -j peer show)
expect_eq "peers after 2 connects" "$(jq length <<<"$j")" 1
expect_eq "cn" "$(jq -r '.[0].cn' <<<"$j")" alice
expect_eq "remote" "$(jq -r '.[0].remote' <<<"$j")" 192.0.2.2
expect_eq "port" "$(jq -r '.[0].port' <<<"$j")" 40000
expect_eq "proto" "$(jq -r '.[0].proto' <<<"$j")" udp
expect_eq "vpn_ip" "$(jq -r '.[0].vpn_ip' <<<"$j")" 10.8.0.2
expect_eq "vpn_ip6" "$(jq -r '.[0].vpn_ip6' <<<"$j")" fd00:8::2
expect_eq "since (time_unix)" "$(jq -r '.[0].since' <<<"$j")" 2023-11-14T22:13:20Z
alice=$(jq -r '.[0].id' <<<"$j")

# duplicate-cn: another alice from another endpoint is another peer.
client_env alice 192.0.2.9 40001 10.8.0.3 fd00:8::3 -- hook client-connect /tmp/cc.conf
expect_eq "peers named alice" "$(ovpnhactl -j peer show cn alice | jq length)" 2

# --- learn-address: iroutes, idempotent, update re-owns, delete ---
for n in 1 2; do
	client_env alice 192.0.2.2 40000 10.8.0.2 fd00:8::2 -- hook learn-address add 10.1.0.0/24 alice
	client_env alice 192.0.2.2 40000 10.8.0.2 fd00:8::2 -- hook learn-address add fd00:1::/64 alice
done
expect_eq "alice iroutes" "$(ovpnhactl -j peer show id "$alice" | jq -c '.[0].iroutes | sort')" \
	'["10.1.0.0/24","fd00:1::/64"]'
expect_eq "iroutes in the table" "$(info_field iroutes)" 2

# learn-address add before (or without) client-connect creates the peer.
client_env bob 192.0.2.6 40002 10.8.0.4 fd00:8::4 -- hook learn-address add 10.8.0.4 bob
bob=$(ovpnhactl -j peer show cn bob | jq -r '.[0].id')
expect_eq "bob vpn_ip" "$(ovpnhactl -j peer show id "$bob" | jq -r '.[0].vpn_ip')" 10.8.0.4

client_env bob 192.0.2.6 40002 10.8.0.4 fd00:8::4 -- hook learn-address update 10.1.0.0/24 bob
expect_eq "10.1.0.0/24 re-owned by bob" "$(ovpnhactl -j iroute get 10.1.0.1 | jq -r '.[0].peer')" "$bob"
expect_eq "alice kept fd00:1::/64" "$(ovpnhactl -j peer show id "$alice" | jq -c '.[0].iroutes')" \
	'["fd00:1::/64"]'

# A host OpenVPN saw behind bob's iroute (its route cache): nothing changes.
before=$(ovpnhactl -j peer show id "$bob" | jq -c '.[0] | [.vpn_ip, .iroutes]')
client_env bob 192.0.2.6 40002 10.8.0.4 fd00:8::4 -- hook learn-address add 10.1.0.7 bob
expect_eq "a cached host is neither address nor route" \
	"$(ovpnhactl -j peer show id "$bob" | jq -c '.[0] | [.vpn_ip, .iroutes]')" "$before"

# A virtual address moves to the client OpenVPN now gives it.
client_env bob 192.0.2.6 40002 10.8.0.4 fd00:8::4 -- hook learn-address add 10.8.0.2 bob
expect_eq "10.8.0.2 now bob's" "$(ovpnhactl -j iroute get 10.8.0.2 | jq -r '.[0].peer')" "$bob"
expect_eq "alice lost 10.8.0.2" "$(ovpnhactl -j peer show id "$alice" | jq -r '.[0].vpn_ip // "none"')" none

for n in 1 2; do
	hook learn-address delete 10.1.0.0/24
	hook learn-address delete 10.8.0.2
done
expect_fail 2 "no match" "$OVPNHACTL" iroute get 10.1.0.1
expect_fail 2 "no match" "$OVPNHACTL" iroute get 10.8.0.2
hook learn-address delete 10.99.0.0/16
hook learn-address delete fd00:99::1

# A replica of another node's peer (origin 2) is that node's: after a
# switchover this server's OpenVPN forgets its old instance of the client
# (the route reaper runs seconds later) while the replica of the client's
# new peer holds the same address and iroute.  Nothing of it goes; a route
# of this node's own peer under a more specific one still does.
ovpnhactl peer add remote 192.0.2.20:40020 cn dave vpn-ip 10.8.0.20 origin 2
dave=$(ovpnhactl -j peer show cn dave | jq -r '.[0].id')
ovpnhactl iroute add 10.20.0.0/24 peer "$dave"
ovpnhactl iroute add 10.30.0.0/16 peer "$bob"
ovpnhactl iroute add 10.30.0.0/24 peer "$dave"
for a in 10.8.0.20 10.20.0.0/24 10.30.0.0/24; do
	hook learn-address delete $a
done
expect_eq "the replica after deletes from the local OpenVPN" \
	"$(ovpnhactl -j peer show id "$dave" | jq -c '.[0] | [.vpn_ip, (.iroutes | sort)]')" \
	'["10.8.0.20",["10.20.0.0/24","10.30.0.0/24"]]'
hook learn-address delete 10.30.0.0/16
expect_eq "bob's 10.30.0.0/16 under dave's 10.30.0.0/24 removed" \
	"$(ovpnhactl -j peer show id "$bob" | jq -c '.[0].iroutes')" '[]'
ovpnhactl peer del id "$dave"

# --- client-disconnect: counters, then the peer is gone; twice is once ---
for n in 1 2; do
	client_env alice 192.0.2.2 40000 10.8.0.2 fd00:8::2 -- env bytes_received=1234 \
		bytes_sent=5678 time_duration=60 "$OVPNHACTL" openvpn client-disconnect /tmp/cd.conf
done
expect_fail 1 "" "$OVPNHACTL" peer show id "$alice"
expect_eq "peers after alice left" "$(peers)" 2

# --- without the module: warn and exit 0; --strict: exit 1 ---
ovpnhactl peer flush
unload_module
out=$(client_env carol 192.0.2.7 40003 10.8.0.5 fd00:8::5 -- hook client-connect /tmp/cc.conf 2>&1) ||
	fail "client-connect without the module failed: $out"
[[ "$out" == *"warning: ovpnha not updated"* ]] || fail "no warning without the module: $out"
log "ok: without the module: $out"
expect_fail 1 "ovpnha not updated" \
	client_env carol 192.0.2.7 40003 10.8.0.5 fd00:8::5 -- hook --strict client-connect /tmp/cc.conf
load_module
expect_eq "no peer from the runs without the module" "$(peers)" 0
dmesg_clean_since "$mark"
