#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# settings: timeout=900
#
# Namespace churn (issue #8): CYCLES times (default 1000: $1 or
# CHURN_CYCLES) a network namespace is created, filled with CHURN_PEERS
# peers (default 1000) and as many iroutes (half IPv4, half IPv6, so both
# trie caches work), in one cycle of ten also with CHURN_FLOWS replicated
# transport flows (default 50), and destroyed with its tables full.
# A cycle is one `unshare -n sync_load FILE` (flows: plus `ovpnhactl -b`):
# the namespace dies when the process exits, as after `ip netns del`.
#
# Why this shape (measured in the TCG guest, per cycle, netns included):
# an empty `unshare -n true` costs 180 ms, every further program start
# ~80 ms; 1000 peers + 1000 iroutes take 440 ms through sync_load (256
# requests per sendmsg) but 1010 ms through `ovpnhactl -b` (300: 240 vs
# 490 ms).  `ip netns add/del` would add two more starts.  So the full
# 1k/1k population fits the ~8 minute budget for 1000 cycles only through
# sync_load, with the flows (which need the tool: one more start) in one
# cycle of ten.
#
# Afterwards every namespace has gone through the module's exit, the
# module-wide object counters balance, the active objects of the ovpnha
# slab caches are back where they started (exact when the caches are not
# merged with others, see cache_merged), the kernel log is clean and the
# module unloads.
. "$(dirname "$0")/lib.sh"
require_guest
load_module
mark=$(dmesg_mark)
CYCLES=${1:-${CHURN_CYCLES:-1000}}
PEERS=${CHURN_PEERS:-1000}
FLOWS=${CHURN_FLOWS:-50}
CACHES="ovpnha_lpm_node ovpnha_lpm_node6 ovpnha_peer"
SYNC_LOAD=$REPO/selftests/progs/sync_load
BATCH=/tmp/churn-batch.txt
FLOWB=/tmp/churn-flows.txt
[ -x "$SYNC_LOAD" ] || fail "$SYNC_LOAD missing (make -C selftests/progs)"
ovpnhactl peer flush

# id i: endpoint 10.1.x.y:1194, virtual address 100.64.x.y, one iroute.
make_batch() {
	local i a b
	for i in $(seq 1 "$PEERS"); do
		a=$((i / 250)) b=$((i % 250 + 1))
		echo "peer add cn c$i remote 10.1.$a.$b port 1194 id $i vpn-ip 100.64.$a.$b"
		if [ $((i % 2)) = 1 ]; then
			echo "iroute add 172.16.$((i / 16)).$((i % 16 * 16))/28 peer $i"
		else
			echo "iroute add 2001:db8:$i::/64 peer $i"
		fi
	done
}

make_flows() {
	local i
	for i in $(seq 1 "$FLOWS"); do
		echo "flow add peer $i src 10.1.$((i / 250)).$((i % 250 + 1)):$((20000 + i)) dst 198.51.100.1:1194 timeout 300"
	done
}

# active_objs CACHE: objects in use, after the cache has given back its
# per-CPU slabs (SLUB counts the free slots of those as active).
active_objs() {
	echo 1 > "/sys/kernel/slab/$1/shrink" 2>/dev/null || true
	awk -v c="$1" '$1 == c { print $2 }' /proc/slabinfo
}

# A cache merged with another (SLUB merging, no slab_nomerge) has no line
# of its own or shares it (aliases): its objects cannot be told from those
# of the other users.
cache_merged() {
	! awk -v c="$1" '$1 == c { f = 1 } END { exit !f }' /proc/slabinfo ||
		[ "$(cat "/sys/kernel/slab/$1/aliases")" != 0 ]
}

declare -A slab0
for c in $CACHES; do
	[ -e "/sys/kernel/slab/$c" ] || fail "no slab cache $c"
	cache_merged "$c" || slab0[$c]=$(active_objs "$c")
done

# Namespaces of an earlier test may still be on their way out (cleanup_net
# runs later, batched): count from when the exits have settled (3 s).
settle_exits() {
	local last=-1 now stable=0
	for _ in $(seq 1 120); do
		now=$(info_field obj_netns_exit)
		if [ "$now" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
		[ $stable -ge 6 ] && return 0
		last=$now
		sleep 0.5
	done
	fail "namespace exits still going on after 60 s"
}

make_batch > "$BATCH"
make_flows > "$FLOWB"
settle_exits
exit0=$(info_field obj_netns_exit)
t0=$SECONDS
for cycle in $(seq 1 "$CYCLES"); do
	if [ $((cycle % 100)) = 0 ] || [ "$cycle" = 1 ]; then
		# One cycle in 100 also checks what it loaded.
		got=$(unshare -n bash -c '"$0" "$2" && "$1" -b "$3" >/dev/null &&
			"$1" -j info | jq -r "(if type == \"array\" then .[0] else . end) | \"\(.peers) \(.iroutes)\"" &&
			"$1" -j flow show | jq length' \
			"$SYNC_LOAD" "$OVPNHACTL" "$BATCH" "$FLOWB" | tr '\n' ' ') ||
			fail "cycle $cycle: loading the namespace failed"
		expect_eq "cycle $cycle: peers iroutes flows" "$got" "$PEERS $PEERS $FLOWS "
		log "cycle $cycle/$CYCLES: $((SECONDS - t0)) s"
	elif [ $((cycle % 10)) = 0 ]; then
		unshare -n bash -c '"$0" "$2" && "$1" -b "$3" >/dev/null' \
			"$SYNC_LOAD" "$OVPNHACTL" "$BATCH" "$FLOWB" ||
			fail "cycle $cycle: loading the namespace failed"
	else
		unshare -n "$SYNC_LOAD" "$BATCH" ||
			fail "cycle $cycle: loading the namespace failed"
	fi
done
secs=$((SECONDS - t0))
log "figure: churn: $CYCLES cycles of $PEERS peers and $PEERS iroutes ($FLOWS flows in one cycle of ten) in $secs s ($((secs * 1000 / CYCLES)) ms per cycle)"

# cleanup_net runs in a workqueue, batched: wait for every exit.
for i in $(seq 1 300); do
	[ $(($(info_field obj_netns_exit) - exit0)) -ge "$CYCLES" ] && break
	sleep 0.5
done
expect_eq "namespaces gone through ovpnha's exit" \
	"$(($(info_field obj_netns_exit) - exit0))" "$CYCLES"
wait_objects_balanced

# The slab objects go back through RCU: poll.
for c in $CACHES; do
	if cache_merged "$c"; then
		log "NOT CHECKED: slab cache $c shares its slabs with other caches (boot with slab_nomerge to check it)"
		continue
	fi
	for i in $(seq 1 100); do
		[ "$(active_objs "$c")" = "${slab0[$c]}" ] && break
		sleep 0.2
	done
	expect_eq "slab $c active objects back to the start" \
		"$(active_objs "$c")" "${slab0[$c]}"
done
dmesg_clean_since "$mark"
unload_module
module_loaded && fail "ovpnha still loaded after rmmod"
log "ok: rmmod ovpnha"
dmesg_clean_since "$mark"
log "churn total: $((SECONDS - t0)) s"
