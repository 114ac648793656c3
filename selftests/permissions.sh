#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Writes need CAP_NET_ADMIN in the user namespace owning the netns: an
# unprivileged user namespace cannot change the host's table but its root
# manages a table of its own netns.  Reads are open (they show nothing a
# netns member could not see with `ip` or `ss`).
. "$(dirname "$0")/lib.sh"
require_guest
load_module
mark=$(dmesg_mark)
ovpnhactl peer flush
ovpnhactl peer add cn host-peer remote 192.0.2.1 port 1194 >/dev/null

command -v unshare >/dev/null || skip "unshare(1) not available"
unshare -U -r true 2>/dev/null || skip "user namespaces disabled in this kernel"

# root of a new user namespace, in the host's netns: writes refused.
unshare -U -r "$REPO/selftests/progs/nlcheck" --eperm ||
	fail "unprivileged writes were not refused"
expect_fail 1 "Operation not permitted" unshare -U -r "$OVPNHACTL" peer add cn x
expect_fail 1 "Operation not permitted" unshare -U -r "$OVPNHACTL" peer flush
# ... reads allowed
n=$(unshare -U -r "$OVPNHACTL" -j peer show | jq length)
expect_eq "userns root reads host table" "$n" 1

# A container (user + net namespace): its root owns its own table only.
out=$(unshare -U -r -n sh -c "
	'$OVPNHACTL' peer add cn container-peer remote 192.0.2.9 port 1194 >/dev/null &&
	'$OVPNHACTL' -j peer show")
expect_eq "container sees its own peer" "$(jq -r '.[0].cn' <<<"$out")" container-peer
expect_eq "container table size" "$(jq length <<<"$out")" 1
expect_eq "host table untouched" "$(ovpnhactl -j peer show | jq -r '[.[].cn] | join(",")')" host-peer

ovpnhactl peer flush
wait_objects_balanced
dmesg_clean_since "$mark"
