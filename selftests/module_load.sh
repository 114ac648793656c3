#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load, inspect and unload the module; a second cycle must work the same.
. "$(dirname "$0")/lib.sh"
require_guest

mark=$(dmesg_mark)
unload_module
for cycle in 1 2; do
	load_module
	module_loaded || fail "module not loaded after insmod"
	genl ctrl get name ovpnha > /tmp/genl.out ||
		fail "generic netlink family ovpnha not registered"
	grep -q 'name: events' /tmp/genl.out ||
		fail "multicast group 'events' missing: $(cat /tmp/genl.out)"
	log "ok: cycle $cycle: family ovpnha with group events registered"
	[ -r /proc/net/stat/ovpnha ] || fail "/proc/net/stat/ovpnha missing"
	expect_eq "version" "$(info_field version)" "$(cat "$REPO/VERSION")"
	expect_eq "node id default" "$(info_field node_id)" 1
	expect_eq "max_peers default" "$(info_field max_peers)" 1048576
	ovpnhactl peer add cn cycle$cycle remote 192.0.2.1 port 1194 >/dev/null
	expect_eq "peers after add" "$(info_field peers)" 1
	rmmod ovpnha
	! module_loaded || fail "module still loaded after rmmod"
	! genl ctrl get name ovpnha >/dev/null 2>&1 ||
		fail "family still registered after rmmod"
	[ ! -e /proc/net/stat/ovpnha ] || fail "proc file left behind"
	log "ok: cycle $cycle: rmmod with a populated table is clean"
done

# The tool says what is wrong when the module is absent.
expect_fail 1 "module ovpnha not loaded: run modprobe ovpnha" \
	"$OVPNHACTL" peer show
dmesg_clean_since "$mark"
