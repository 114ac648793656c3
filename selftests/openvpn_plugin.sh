#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The hooks as the OpenVPN plugin (tools/ovpnhactl/ovpnha-openvpn.so,
# `plugin` in server.conf) instead of `ovpnhactl openvpn` programs.
# 1. Leaks: selftests/progs/plugin_drive loads the plugin as OpenVPN does
#    and runs 20 client lives (connect, two addresses learned and deleted,
#    disconnect) under valgrind: no error, no definite or indirect leak,
#    every call succeeded, and the table is empty again.
# 2. openvpn_iroute.sh through the plugin: the same peers, iroutes, counts
#    and log lines, with the hook code running inside the server.
. "$(dirname "$0")/lib.sh"
require_guest
so=$REPO/tools/ovpnhactl/ovpnha-openvpn.so
drive=$REPO/selftests/progs/plugin_drive
[ -f "$so" ] || fail "no plugin at $so (make -C tools)"
command -v valgrind >/dev/null || skip "valgrind is not installed"
load_module
trap cleanup_netns EXIT
netns_add pl
out=$(ip netns exec pl valgrind -q --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	"$drive" "$so" 20 2>&1) || fail "plugin_drive under valgrind: $out"
case "$out" in
*"20 rounds, 0 failed calls"*) ;;
*) fail "plugin_drive: $out" ;;
esac
expect_eq "peers left in the namespace" "$(ovpnhactl -n pl -j peer show | jq length)" 0
log "ok: 120 plugin calls under valgrind: no error, no leak"
cleanup_netns
trap - EXIT

OVPNHA_OPENVPN_PLUGIN=1 exec "$(dirname "$0")/openvpn_iroute.sh"
