#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# settings: timeout=900
#
# Netlink fuzzing (issue #8): nlfuzz sends FUZZ_COUNT (default 1,000,000)
# random, malformed and mutated ovpnha requests as root into a populated
# netns, and as many again as an unprivileged user (uid 65534) from a user
# namespace of its own inside that netns, where every write must be refused
# with EPERM (the netns belongs to the initial user namespace).  A third,
# shorter run comes from an unprivileged user and net namespace pair, whose
# root does own its table (permissions.sh): writes succeed there, so the
# unprivileged path through every handler is fuzzed too.  Afterwards the
# kernel log is clean, every object is freed and the module unloads and
# loads again.
. "$(dirname "$0")/lib.sh"
require_guest
load_module
mark=$(dmesg_mark)
NLFUZZ=$REPO/selftests/progs/nlfuzz
COUNT=${FUZZ_COUNT:-1000000}
OWN_COUNT=${FUZZ_OWN_COUNT:-300000}
OUT=/tmp/nlfuzz
[ -x "$NLFUZZ" ] || fail "$NLFUZZ missing (make -C selftests/progs)"
command -v setpriv >/dev/null || skip "setpriv(1) not available"
command -v unshare >/dev/null || skip "unshare(1) not available"
mkdir -p "$OUT"
trap cleanup_netns EXIT

# Debian kernels gate unprivileged user namespaces behind a sysctl.
userns_sysctl=/proc/sys/kernel/unprivileged_userns_clone
if [ -f "$userns_sysctl" ] && [ "$(cat "$userns_sysctl")" != 1 ]; then
	echo 1 > "$userns_sysctl"
fi
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_nobody unshare -U -r true ||
	fail "an unprivileged user cannot create a user namespace"

# The same id pool nlfuzz draws from (1..256), so that its sets, deletes
# and iroute/flow writes find real objects.
populate() {
	local ns=$1 i f=$OUT/populate.txt
	for i in $(seq 1 200); do
		echo "peer add cn pop$i remote 192.0.2.$((i % 250 + 1)) port $((2000 + i)) id $i vpn-ip 10.9.$((i / 250)).$((i % 250 + 1))"
		echo "iroute add 10.100.$((i % 4)).$i/32 peer $i"
		echo "iroute add 2001:db8:64::$i/128 peer $i"
	done > "$f"
	echo "vip add 198.51.100.1 dev lo" >> "$f"
	echo "tunnel add dev tun0 port 1194 proto udp" >> "$f"
	echo "dnsguard add 10.8.0.0/16" >> "$f"
	ovpnhactl -n "$ns" -b "$f" >/dev/null
	expect_eq "$ns peers" "$(info_field peers "$ns")" 200
	expect_eq "$ns iroutes" "$(info_field iroutes "$ns")" 400
}

# Everything a fuzz run may have left in a netns goes, through the tool.
# Tunnel names are any bytes to the kernel (as interface names are): the
# fuzzer's bit flips leave some the tool prints lossily (not UTF-8) and so
# cannot name again; those go with the netns.
NAMEABLE='test("^[A-Za-z0-9._-]+$")'
flush_all() {
	local ns=$1 f=$OUT/flush.txt left
	{
		ovpnhactl -n "$ns" -j flow show | jq -r '.[] | "flow del peer \(.peer)"'
		ovpnhactl -n "$ns" -j vip show | jq -r '.[] | "vip del \(.address)"'
		ovpnhactl -n "$ns" -j tunnel show |
			jq -r ".[] | select(.dev | $NAMEABLE) | \"tunnel del dev \\(.dev)\""
		ovpnhactl -n "$ns" -j dnsguard show | jq -r '.[] | "dnsguard del \(.prefix)"'
		echo "peer flush"
	} > "$f"
	ovpnhactl -n "$ns" -b "$f" >/dev/null
	expect_eq "$ns peers after flush" "$(info_field peers "$ns")" 0
	expect_eq "$ns iroutes after flush" "$(info_field iroutes "$ns")" 0
	expect_eq "$ns flows after flush" "$(ovpnhactl -n "$ns" -j flow show | jq length)" 0
	expect_eq "$ns vips after flush" "$(ovpnhactl -n "$ns" -j vip show | jq length)" 0
	expect_eq "$ns dns guard prefixes after flush" \
		"$(ovpnhactl -n "$ns" -j dnsguard show | jq length)" 0
	expect_eq "$ns nameable tunnels after flush" \
		"$(ovpnhactl -n "$ns" -j tunnel show | jq "[.[] | select(.dev | $NAMEABLE)] | length")" 0
	left=$(ovpnhactl -n "$ns" -j tunnel show | jq length)
	log "$ns: $left tunnel device(s) with names the tool cannot print back are left to the netns teardown"
}

# field NAME FILE: a key=value of nlfuzz's summary line.
field() { grep -o "[ [(]$1=[^ ]*" "$2" | tail -n 1 | cut -d= -f2 | tr -d '/s]'; }

# run_fuzz LABEL CMD...: run nlfuzz (CMD ends with its path and options),
# show the summary, print figure lines.
run_fuzz() {
	local label=$1 log=$OUT/$1.log rc=0
	shift
	"$@" > "$log" 2>&1 || rc=$?
	cat "$log"
	[ "$rc" = 0 ] || fail "$label: nlfuzz exited $rc"
	grep -q '^nlfuzz: messages=' "$log" || fail "$label: no summary line"
	log "figure: fuzz $label: $(field messages "$log") messages in $(field seconds "$log") s, $(field rate "$log") msg/s, $(field dumps "$log") dumps ($(field abandoned "$log") sockets abandoned), $(field enobufs "$log") ENOBUFS"
}

netns_add fz
ovpnhactl -n fz peer flush
populate fz

# 1. root in fz.  Some writes may fail with EPERM here too: deleting an
# iroute "peer N" that another peer owns.
run_fuzz root "$NLFUZZ" -n "$COUNT" -s 1 -N /run/netns/fz
expect_eq "root: messages" "$(field messages "$OUT/root.log")" "$COUNT"
[ "$(field write_ok "$OUT/root.log")" -gt 1000 ] ||
	fail "root: only $(field write_ok "$OUT/root.log") writes succeeded"
log "ok: root: $(field write_ok "$OUT/root.log") writes succeeded"
# The table still answers after the storm.
ovpnhactl -n fz info >/dev/null

# 2. uid 65534, root of its own user namespace, in fz (owned by init_user_ns)
run_fuzz userns ip netns exec fz setpriv --reuid=65534 --regid=65534 \
	--clear-groups unshare -U -r "$NLFUZZ" -n "$COUNT" -s 2
expect_eq "userns: messages" "$(field messages "$OUT/userns.log")" "$COUNT"
expect_eq "userns: writes that succeeded" "$(field write_ok "$OUT/userns.log")" 0
eperm=$(field write_eperm "$OUT/userns.log")
[ "$eperm" -gt 10000 ] || fail "userns: only $eperm EPERM acks for writes"
expect_eq "userns: every acked write refused with EPERM" "$eperm" \
	"$(field write_acks "$OUT/userns.log")"

# 3. uid 65534 in a user + net namespace of its own: its root owns that table.
run_fuzz userns-own as_nobody unshare -U -r -n "$NLFUZZ" -n "$OWN_COUNT" -s 3
[ "$(field write_ok "$OUT/userns-own.log")" -gt 100 ] ||
	fail "userns-own: only $(field write_ok "$OUT/userns-own.log") writes succeeded"
log "ok: userns-own: $(field write_ok "$OUT/userns-own.log") writes succeeded"

dmesg_clean_since "$mark"
flush_all fz
ovpnhactl peer flush
cleanup_netns
wait_objects_balanced
dmesg_clean_since "$mark"
unload_module
module_loaded && fail "ovpnha still loaded after rmmod"
log "ok: rmmod ovpnha"
load_module
expect_eq "reloaded: peers" "$(info_field peers)" 0
dmesg_clean_since "$mark"
