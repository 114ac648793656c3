# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the DNS race / DNS guard tests (dns_*.sh), on top of lib.sh.
# The race needs two CPUs that really run in parallel: two threads send the
# A and the AAAA query of one lookup on one socket at the same instant
# (selftests/progs/dnsrace), and conntrack must be active in the namespace
# that forwards or receives them (an nft "ct state" rule asks for it).

DNSRACE=$REPO/selftests/progs/dnsrace
DNS_PIDS=()
DNS_ROUNDS=${DNS_ROUNDS:-40}
DNS_BURST_ROUNDS=${DNS_BURST_ROUNDS:-4}

dns_require() {
	[ -x "$DNSRACE" ] || fail "no $DNSRACE (make -C selftests/progs)"
	command -v dnsmasq >/dev/null || skip "dnsmasq is not installed"
	command -v conntrack >/dev/null || skip "conntrack is not installed"
	[ "$(nproc)" -ge 2 ] ||
		skip "the A/AAAA race needs 2 CPUs, the guest has $(nproc)"
}

dns_cleanup() {
	local p
	for p in "${DNS_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	DNS_PIDS=()
	cleanup_netns
}

# dns_resolver NS ADDR...: dnsmasq in NS answering race.test (A and AAAA)
# on the given addresses.
dns_resolver() {
	local ns=$1 a args=()
	shift
	for a in "$@"; do
		args+=("--listen-address=$a")
	done
	ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--no-resolv --no-hosts --bind-interfaces --except-interface=lo \
		"${args[@]}" --address=/race.test/192.0.2.1 \
		--address=/race.test/2001:db8::1 --pid-file= \
		--log-facility=/tmp/dnsmasq-$ns.log &
	DNS_PIDS+=($!)
	# answered once it is up
	local i
	for i in $(seq 1 50); do
		if ip netns exec "$ns" dig +time=1 +tries=1 +short \
			@"$1" race.test A | grep -q 192.0.2.1; then
			return 0
		fi
		sleep 0.2
	done
	fail "dnsmasq in $ns does not answer on $1"
}

# slow_chain NS FAMILY TABLE CHAIN: make DNS packets expensive in CHAIN
# (between conntrack's lookup at PRE_ROUTING and its confirm at the last
# hook): 20 jumps to a chain of 20 jumps to a chain of 100 counters, 40,000
# rule evaluations per DNS packet.  Under emulation on a busy host the two
# vCPUs rarely run at the same instant, and the A and AAAA query of one
# lookup reach conntrack milliseconds apart; a slow firewall widens the
# race window the way a loaded production gateway does.
slow_chain() {
	{
		echo "add chain $2 $3 slow1"
		echo "add chain $2 $3 slow2"
		for i in $(seq 1 100); do echo "add rule $2 $3 slow2 counter"; done
		for i in $(seq 1 20); do echo "add rule $2 $3 slow1 jump slow2"; done
		for i in $(seq 1 20); do echo "insert rule $2 $3 $4 udp dport 53 jump slow1"; done
	} | ip netns exec "$1" nft -f -
}

# race_hit_or_skip CLASHES: the proof that the race window was hit with the
# guard off; the other checks have passed when this runs, last.
race_hit_or_skip() {
	[ "$1" -gt 0 ] && return 0
	skip "all checks passed, but the A/AAAA race window was not hit with the guard off: the emulated guest's two vCPUs did not run at the same instant (busy host)"
}

# ct_stat NS FIELD: conntrack -S FIELD summed over CPUs.
ct_stat() {
	ip netns exec "$1" conntrack -S | grep -o "\b$2=[0-9]*" |
		awk -F= '{ s += $2 } END { print s + 0 }'
}

# ct_dns NS: conntrack entries of UDP port 53 in NS.
ct_dns() {
	ip netns exec "$1" conntrack -L -p udp --dport 53 2>/dev/null | wc -l
}

# ovs NS NAME: an ovpnha counter of NS.
ovs() {
	"$OVPNHACTL" -n "$1" -j stats | jq -r ".ovpnha.$2"
}

# peer_drop NS CN NAME: one drop counter of a peer (0 when absent).
peer_drop() {
	"$OVPNHACTL" -n "$1" -j stats peer "$2" |
		jq -r "(.[0].drops.$3 // 0)"
}

# race NS ARGS...: run dnsrace in NS, print its JSON line.
race() {
	local ns=$1
	shift
	ip netns exec "$ns" "$DNSRACE" -j "$@"
}

# Wait for the DNS guard's periodic settle of clash deltas (0.5 s).
settle() { sleep 1.2; }

# race_round PHASE MODE TARGET: one dnsrace run from dg-c to TARGET in MODE
# (threads, sendmmsg or burst: 128 threads); no lookup may be lost.
race_round() {
	local r
	if [ "$2" = burst ]; then
		r=$(race dg-c -m burst -n 128 -r "$DNS_BURST_ROUNDS" "$3")
	else
		r=$(race dg-c -m "$2" -r "$DNS_ROUNDS" "$3")
	fi
	log "$1, $2: $r"
	expect_eq "$1 $2: lost lookups" "$(jq -r .lost_lookups <<<"$r")" 0
}

# guard_off_rounds NS TARGET MODE...: the guard-off runs through NS (where
# conntrack sees the queries): nothing lost, no insert failure, nothing
# counted by ovpnha.  Sets OFF_TOTAL to the clashes the kernel resolved,
# the proof that the race window was hit.
guard_off_rounds() {
	local ns=$1 target=$2 m c0 f0
	shift 2
	c0=$(ct_stat "$ns" clash_resolve)
	f0=$(ct_stat "$ns" insert_failed)
	for m in "$@"; do
		race_round "guard off" "$m" "$target"
	done
	expect_eq "guard off: insert_failed" "$(( $(ct_stat "$ns" insert_failed) - f0 ))" 0
	expect_eq "guard off: nothing counted by ovpnha" "$(ovs "$ns" dns_clash_resolved)" 0
	OFF_TOTAL=$(( $(ct_stat "$ns" clash_resolve) - c0 ))
	log "guard off: the kernel resolved $OFF_TOTAL clashes in all"
}

# guard_on_forwarded NS TARGET: the guard on in NS, which forwards (routes,
# bridges or NATs) the DNS: it stays tracked, nothing is untracked, every
# query is checked, and ovpnha's clash counters equal the kernel's deltas,
# attributed to the peer client1.
guard_on_forwarded() {
	local ns=$1 target=$2 c0 f0 on
	ovpnhactl -n "$ns" config set dns-guard on
	ip netns exec "$ns" conntrack -F 2>/dev/null
	c0=$(ct_stat "$ns" clash_resolve)
	f0=$(ct_stat "$ns" insert_failed)
	race_round "guard on" threads "$target"
	race_round "guard on" burst "$target"
	settle
	on=$(( $(ct_stat "$ns" clash_resolve) - c0 ))
	log "guard on: kernel resolved $on clashes"
	[ "$(ct_dns "$ns")" -gt 0 ] || fail "guard on: forwarded DNS is no longer tracked"
	expect_eq "dns_guarded" "$(ovs "$ns" dns_guarded)" 0
	expect_eq "dns_checked" "$(ovs "$ns" dns_checked)" \
		"$(( 2 * (DNS_ROUNDS + 64 * DNS_BURST_ROUNDS) ))"
	expect_eq "dns_clash_resolved = kernel clash_resolve" \
		"$(ovs "$ns" dns_clash_resolved)" "$on"
	expect_eq "dns_clash_lost = kernel insert_failed" \
		"$(ovs "$ns" dns_clash_lost)" "$(( $(ct_stat "$ns" insert_failed) - f0 ))"
	expect_eq "attributed to client1" \
		"$(peer_drop "$ns" client1 dns_clash_resolved)" "$on"
	ovpnhactl -n "$ns" stats peer client1
}
