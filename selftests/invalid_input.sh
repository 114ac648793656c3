#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad requests are refused by the kernel with the expected errno and an
# extended ACK message, through raw netlink (nlcheck) and through the tool.
. "$(dirname "$0")/lib.sh"
require_guest
load_module
mark=$(dmesg_mark)
ovpnhactl peer flush

"$REPO/selftests/progs/nlcheck" || fail "nlcheck reported mismatches"

id=$(ovpnhactl peer add cn edge remote 192.0.2.5 port 1194)
id=${id#id }
# The tool sends these to the kernel; its extack message comes back.
expect_fail 1 "out of range 0..32" "$OVPNHACTL" iroute add 10.0.0.0/33 peer "$id"
expect_fail 1 "Error:" "$OVPNHACTL" iroute add 2001:db8::/129 peer "$id"
expect_fail 1 "Error:" "$OVPNHACTL" peer add cn "$(printf 'c%.0s' $(seq 65))"
# 64 bytes is the longest common name OpenVPN accepts: it must work.
long=$(printf 'c%.0s' $(seq 64))
ovpnhactl peer add cn "$long" >/dev/null
expect_eq "64-byte CN stored" "$(ovpnhactl -j peer show cn "$long" | jq -r '.[0].cn')" "$long"

# Syntax errors never reach the kernel: one line, exit 2.
expect_fail 2 "ovpnhactl:" "$OVPNHACTL" peer add cn x remote 300.1.1.1
expect_fail 2 "ovpnhactl:" "$OVPNHACTL" iroute add 10.0.0.0/x peer "$id"
expect_fail 2 "ovpnhactl:" "$OVPNHACTL" peer frobnicate
expect_fail 2 "ovpnhactl:" "$OVPNHACTL" nosuchobject show
expect_fail 2 "ovpnhactl:" "$OVPNHACTL" peer add cn x port 99999

# Nothing half-created.
expect_eq "peers" "$(ovpnhactl -j peer show | jq length)" 2
ovpnhactl peer flush
wait_objects_balanced
dmesg_clean_since "$mark"
