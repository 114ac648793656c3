#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The scripted demo `make demo` runs inside the guest: load the module, play
# an OpenVPN server's hooks by hand (peers, iroutes), look things up, show
# the counters.  Each command is printed before it runs.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PATH=$REPO/tools/ovpnhactl:$PATH
KVER=${OVPNHA_KVER:-$(uname -r)}

run() {
	printf '\n\033[1m$ %s\033[0m\n' "$*"
	"$@"
}

echo "== ovpnha demo on Linux $(uname -r) =="
modprobe nf_conntrack
run insmod "$REPO/build/$KVER/ovpnha.ko"
run ovpnhactl info
echo
echo "-- two site-to-site gateways and a road warrior connect (client-connect) --"
run ovpnhactl peer add cn dc-frankfurt remote 192.0.2.10 port 1194 proto udp vpn-ip 10.8.0.2
run ovpnhactl peer add cn office-lyon remote 2001:db8:77::5 port 1194 proto udp vpn-ip 10.8.0.3 vpn-ip6 fd00:8::3
run ovpnhactl peer add cn laptop-anna remote 198.51.100.23 port 51820 proto tcp vpn-ip 10.8.0.4
frankfurt=$(ovpnhactl -j peer show cn dc-frankfurt | jq -r '.[0].id')
lyon=$(ovpnhactl -j peer show cn office-lyon | jq -r '.[0].id')
echo
echo "-- their ccd files' iroutes are learned (learn-address) --"
run ovpnhactl iroute add 172.20.0.0/16 peer "$frankfurt"
run ovpnhactl iroute add 172.20.100.0/24 peer "$lyon"
run ovpnhactl iroute add 2001:db8:100::/48 peer "$lyon"
run ovpnhactl peer show
run ovpnhactl -j -p peer show cn office-lyon
echo
echo "-- longest-prefix match: which peer gets a packet for ... --"
run ovpnhactl iroute get 172.20.5.1
run ovpnhactl iroute get 172.20.100.1
run ovpnhactl iroute get 10.8.0.4
run ovpnhactl iroute get 172.21.0.1 || echo "(exit $?: nobody covers 172.21.0.1 - the missing-iroute case)"
echo
echo "-- mistakes are refused with the reason --"
run ovpnhactl iroute add 172.20.100.0/24 peer "$frankfurt" || true
run ovpnhactl iroute add 172.20.0.0/33 peer "$frankfurt" || true
echo
echo "-- counters: ovpnha beside nf_conntrack; the per-CPU proc file --"
run ovpnhactl stats
run cat /proc/net/stat/ovpnha
run ovpnhactl peer del cn laptop-anna
run ovpnhactl info
