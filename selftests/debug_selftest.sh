#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The DEBUG=1 build runs the in-module self-tests (LPM trie against a naive
# list on random input) in module_init and refuses to load if they fail.
. "$(dirname "$0")/lib.sh"
require_guest

ko=$MODDIR/debug/ovpnha.ko
[ -f "$ko" ] || fail "no debug build at $ko"
unload_module
mark=$(dmesg_mark)
modprobe nf_conntrack	# the DNS guard uses conntrack's symbols
insmod "$ko" || fail "debug module refused to load: $(dmesg | tail -n 20)"
dmesg | tail -n +"$((mark + 1))" | grep -E 'ovpnha' || true
dmesg | tail -n +"$((mark + 1))" | grep -q 'ovpnha: lpm self-tests: pass' ||
	fail "self-test pass line missing"
rmmod ovpnha
dmesg_clean_since "$mark"
