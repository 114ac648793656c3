#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo `make demo` runs inside the guest: the main job of ovpnha, end to
# end.  A two-node OpenVPN 2.6 cluster (keepalived VRRP, WAN and LAN VIPs,
# strict firewall and NAT on each node, conntrackd), with on both nodes the
# ovpnha module, OpenVPN's hooks calling `ovpnhactl openvpn`, `ovpnhactl
# sync` replicating the peer table and keepalived's notify script
# contrib/keepalived/ovpnha-notify setting the role -- the configuration of
# selftests/failover_ovpnha.sh, built by selftests/lib_failover.sh.  Two
# clients connect: "alice", a site-to-site gateway with a LAN behind it
# (iroute 172.21.1.0/24), and "bob", a road warrior.  Then the master is
# crashed while traffic flows, and the demo shows the standby taking over:
#
#   focl 172.21.1.10 -- fogw "alice" ==+== WAN switch ==+== fo1 (master)
#                        forw "bob" ===+   (VIP .1)     +== fo2 (backup)
#   folan 192.168.60.50 ============== LAN switch (VIP 192.168.60.1) ==+
#
# Every command that shows state is printed before its output ("+ ...").
# Not a test: it exits non-zero (with the reason) only when the cluster
# does not form, replication does not happen or the takeover fails.
# OVPNHA_DEMO_T0 (epoch seconds, set by `make demo` before the guest boots)
# makes the elapsed times include the boot.
. "$(dirname "$0")/lib.sh"
require_guest
PATH=$REPO/tools/ovpnhactl:$PATH

# The configuration of failover_ovpnha.sh.
# shellcheck disable=SC2034	# read by lib_failover.sh
FO_OVPN_HOOKS=1
# shellcheck disable=SC2034
FO_SYNC=1
# shellcheck disable=SC2034
FO_CONNTRACKD=1
# shellcheck disable=SC2034
FO_CONNTRACKD_INJECT=1
# shellcheck disable=SC2034
FO_LAN_VIP6=fd00:60::1
# keepalive 1 4 (server.conf, pushed to the road warrior, and the
# gateway's own ping/ping-restart) where the test has 1 2: OpenVPN blocks
# while a client's hooks run (1.5-2.5 s per connection under emulation),
# and with two clients coming back at once ping-restart 2 makes each give
# up its attempt while the other's hooks run, again and again (seen: 9
# attempts, 25 s).
# shellcheck disable=SC2034
FO_KEEPALIVE="1 4"
# shellcheck disable=SC2034
FO_CLIENT_TIMEOUT=120
# shellcheck disable=SC2034
FO_RECOVER_TIMEOUT=120
# shellcheck disable=SC2034
FO_KEEPALIVED_GLOBAL="vrrp_garp_master_delay 0"
# shellcheck disable=SC2034
FO_NOTIFY="$REPO/contrib/keepalived/ovpnha-notify -f {DIR}/conntrackd-{N}.conf -o $OVPNHACTL -l {DIR}/notify-{N}.log -k {DIR}/notify-{N}.lock"
. "$(dirname "$0")/lib_failover.sh"

# The road warrior: its own namespace on the WAN switch, certificate "bob"
# of the test PKI, no ccd file (an address from the server's pool), the
# keepalive timers the server pushes.
RW=forw RW_WAN=198.51.100.200
CAP_PIDS=()
T0=${OVPNHA_DEMO_T0:-$EPOCHREALTIME}

# The original stdout/stderr: the EXIT trap prints there even when the
# failure happened inside a redirected function.
exec 5>&1 6>&2

elapsed() { awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", b - a }'; }
# step TEXT: a progress line (on the original stdout, also from inside a
# redirected function).
step() { printf '\n== %s (%s s) ==\n' "$*" "$(elapsed)" >&5; }
# show CMD...: print the command, then run it.
show() {
	printf '\n+ %s\n' "$*"
	"$@"
}
oh() { local n=$1; shift; ovpnhactl -n "fo$n" "$@"; }
# wait_for (lib.sh) without its "ok:" lines: the demo prints its own
# shellcheck disable=SC2034	# read by wait_for in lib.sh
WAIT_FOR_QUIET=1
is_role() { [ "$(oh "$1" -j role | jq -r .role)" = "$2" ]; }
in_sync() { ovpnhactl sync status -s "$FO_DIR/sync-$1.sock" >/dev/null 2>&1; }
# rel T: seconds from the crash to T.
rel() { awk -v a="$1" -v b="$FO_T0" 'BEGIN { printf "%.3f", a - b }'; }

demo_cleanup() {
	local rc=$?
	set +e
	exec 1>&5 2>&6
	[ ${#CAP_PIDS[@]} = 0 ] || kill "${CAP_PIDS[@]}" 2>/dev/null
	if [ "$rc" != 0 ] && [ -n "$FO_DIR" ]; then
		for f in "$FO_DIR"/rw.log "$FO_DIR"/notify-*.log "$FO_DIR"/sync-*.log; do
			[ -f "$f" ] || continue
			echo "--- ${f##*/}" >&2
			tail -n 10 "$f" >&2
		done
	fi
	(exit "$rc")	# fo_cleanup reads the status from $?
	fo_cleanup >/dev/null
	if [ "$rc" != 0 ]; then
		printf '\n== demo FAILED after %s s: %s ==\n' "$(elapsed)" \
			"$(cat /tmp/ovpnha-fail-reason /tmp/ovpnha-skip-reason 2>/dev/null |
				head -n 1 | grep . || echo "exit status $rc")" >&2
	fi
	exit "$rc"
}
trap demo_cleanup EXIT

# fo_setup's hook: the road warrior's namespace, link and client config.
fo_hook_setup() {
	netns_add $RW
	ip netns exec $RW sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	fo_ip $FO_SW "link add rwwan type veth peer name wan0 netns $RW" \
		"link set rwwan master brwan up"
	fo_ip $RW "addr add $RW_WAN/24 dev wan0" "link set wan0 up"
	cat >"$FO_DIR/rw.conf" <<-EOF
	client
	dev tun0
	proto $([ "$FO_PROTO" = tcp ] && echo tcp4-client || echo udp4)
	remote $FO_WAN_VIP $FO_PORT
	nobind
	ca $OVPN_PKI/ca.crt
	cert $OVPN_PKI/bob.crt
	key $OVPN_PKI/bob.key
	remote-cert-tls server
	disable-dco
	data-ciphers AES-256-GCM
	connect-retry 1 1
	persist-tun
	persist-key
	machine-readable-output
	verb 3
	EOF
}

echo "== ovpnha demo: a two-node OpenVPN cluster, two clients, a crash of the master =="
echo "   guest: Linux $(uname -r), $(nproc) vCPUs$([ "${OVPNHA_VM_ICOUNT:-0}" = 1 ] && echo ', icount')"
echo "   (everything runs emulated: times are inflated; compare them with each other)"

step "loading ovpnha.ko"
load_module
echo "   $(ovpnhactl info | head -n 1)"

step "setting up: namespaces fo1 fo2 (nodes), fosw (switch), fogw+focl (site), forw (road warrior), folan (LAN host); firewall, PKI, configs"
fo_setup
fo_config_nodes
echo "   on each node: ovpnhactl config set node-id N; tunnel add dev tun0 port $FO_PORT proto $FO_PROTO;"
echo "   vip add $FO_WAN_VIP dev wan0; vip add $FO_LAN_VIP dev lan0; vip add $FO_LAN_VIP6 dev lan0"
echo "   files in $FO_DIR (server.conf, keepalived-N.conf, sync-N.conf, conntrackd-N.conf)"

step "node 1: conntrackd, ovpnhactl sync, openvpn, keepalived"
fo_start_node 1
fo_wait_master 1 30
wait_for 30 "node 1's notify script set role master" is_role 1 master
step "node 1 is master (keepalived holds the VIPs, ovpnha-notify ran 'ovpnhactl role master')"

step "node 2: conntrackd, ovpnhactl sync, openvpn, keepalived"
fo_start_node 2
fo_wait_backup 2 30
wait_for 30 "node 2's notify script set role backup" is_role 2 backup
[ "$(fo_master)" = 1 ] || fail "node 1 lost the master role when node 2 started"
wait_for 30 "the sync daemons are in sync" eval 'in_sync 1 && in_sync 2'
step "node 2 is backup; the sync daemons are connected and in sync"

step "clients connect: gateway alice (site 172.21.1.0/24 behind it) and road warrior bob"
rm -f "$FO_DIR/rw.pid"
ip netns exec $RW openvpn --config "$FO_DIR/rw.conf" --log-append "$FO_DIR/rw.log" \
	--writepid "$FO_DIR/rw.pid" --daemon ovpnha-forw
fo_start_client
fo_wait_file "$FO_DIR/rw.log" "Initialization Sequence Completed" "$FO_CLIENT_TIMEOUT" || {
	tail -n 30 "$FO_DIR/rw.log" >&2
	fail "the road warrior's tunnel did not come up"
}
ip netns exec $FO_CL ping -c 1 -W 10 $FO_LANHOST >/dev/null ||
	fail "focl (behind the gateway) cannot reach the LAN host through the tunnel"
ip netns exec $RW ping -c 1 -W 10 $FO_LANHOST >/dev/null ||
	fail "the road warrior cannot reach the LAN host through the tunnel"
step "both tunnels up; focl and bob reach the LAN host 192.168.60.50"

# Replicated: both peers on node 2 with their virtual addresses (alice with
# her iroute), and their UDP transport flows installed in its conntrack.
replicated() {
	local p f
	p=$(oh 2 -j peer show | jq -r '[.[] | select(.origin == 1) |
		"\(.cn) \(.vpn_ip) \(.iroutes | join(","))"] | sort | join(";")')
	[[ "$p" == "alice $FO_GW_VPN 172.21.1.0/24;bob 10.9.0."*" " ]] || return 1
	[ "$FO_PROTO" = tcp ] && return 0
	f=$(oh 2 -j flow show | jq '[.[] | select(.installed)] | length')
	[ "$f" -ge 2 ]
}
wait_for 30 "node 2 holds both peers (alice with iroute 172.21.1.0/24) and their installed flows" replicated
step "the peer table, written on node 1 by OpenVPN's hooks, replicated to node 2"
echo "# node 1 (master): its OpenVPN server's hooks added the peers (\"returned\" counts from"
echo "# node 1 becoming master when the cluster formed)"
show ovpnhactl -n fo1 peer show
echo
echo "# node 2 (standby): the same peers, ids and iroute, through ovpnhactl sync (origin 1)"
show ovpnhactl -n fo2 peer show
echo
echo "# node 2: the clients' UDP transport flows, already installed in its conntrack table"
show ovpnhactl -n fo2 flow show
show ovpnhactl -n fo1 role
show ovpnhactl -n fo2 role

# ARP and neighbour advertisements on the WAN and the LAN switch.
for br in brwan brlan; do
	ip netns exec $FO_SW tcpdump -i $br -n -tt -l -e 'arp or (icmp6 and ip6[40] == 136)' \
		>"$FO_DIR/$br-arp.txt" 2>"$FO_DIR/$br-arp.err" &
	CAP_PIDS+=($!)
	disown $!
done
for br in brwan brlan; do
	fo_wait_file "$FO_DIR/$br-arp.err" "listening on" 20 ||
		fail "tcpdump on $br did not start: $(cat "$FO_DIR/$br-arp.err")"
done
# The road warrior pings the LAN host every 100 ms meanwhile.
ip netns exec $RW ping -D -n -i 0.1 $FO_LANHOST >"$FO_DIR/rw-ping.log" 2>&1 &
RW_PING=$!
CAP_PIDS+=("$RW_PING")
disown $RW_PING

fo_hook_before_crash() {
	step "traffic is flowing; crashing node 1 (processes frozen, links cut, everything SIGKILLed)"
}
step "traffic: focl pings the LAN host every 10 ms and sends a line every 100 ms over TCP; bob pings every 100 ms"
# fo_measure_crash: the crash, the takeover, the echo replies' return; its
# figures land in FO_R[...], its log in measure.log.
fo_measure_crash 1 >"$FO_DIR/measure.log"
step "node 2 took over; echo replies are back"
kill -INT $RW_PING 2>/dev/null || true
fo_wait_gone $RW_PING

# Every peer back (both clients reconnected through node 2's hooks).
all_back() { oh 2 -j role | jq -e '.peers >= 2 and .returned == .peers' >/dev/null; }
wait_for "$FO_RECOVER_TIMEOUT" "node 2: both peers back" all_back
wait_for 15 "node 2's notify script set role master" is_role 2 master
garp_count=$(oh 2 -j role | jq -r .garp_count)
rounds_done() {
	oh 2 -j vip show | jq -e --argjson c "$garp_count" 'all(.[]; .sent >= $c)' >/dev/null
}
wait_for 15 "node 2 sent its $garp_count GARP/NA rounds" rounds_done
sleep 0.3	# the last frames reach tcpdump
kill "${CAP_PIDS[@]}" 2>/dev/null || true
fo_wait_gone "${CAP_PIDS[@]}"
CAP_PIDS=()

step "the takeover: node 2's role, its VIPs and their announcements"
show ovpnhactl -n fo2 role
show ovpnhactl -n fo2 vip show
mac_wan=$(ip -n fo2 -j link show wan0 | jq -r '.[0].address')
mac_lan=$(ip -n fo2 -j link show lan0 | jq -r '.[0].address')
echo
echo "# gratuitous ARPs and unsolicited NAs captured on the WAN and LAN switch after the"
echo "# crash (tcpdump -e 'arp or icmp6'; a burst of identical frames on one line).  keepalived's"
echo "# GARPs carry target MAC ff:ff:ff:ff:ff:ff, the module's 00:00:00:00:00:00."
for br in brwan brlan; do
	awk -v t0="$FO_T0" -v br="${br#br}" -v m1="$mac_wan" -v m2="$mac_lan" '
		$1 < t0 { next }
		{
			who = ($2 == m1 || $2 == m2) ? "node 2" : $2
			a = ""
			if (match($0, /Request who-has [^ ]+/))
				a = substr($0, RSTART + 16, RLENGTH - 16)
			if (a != "" && index($0, " tell " a ",")) {
				by = index($0, "(ff:ff:ff:ff:ff:ff)") ? "keepalived" : "ovpnha"
				line = sprintf("gratuitous ARP %s (%s)", a, by)
			} else if (/neighbor advertisement/ && match($0, /tgt is [^ ,]+/)) {
				line = sprintf("unsolicited NA %s", substr($0, RSTART + 7, RLENGTH - 7))
			} else {
				next
			}
			printf "%.3f %s  from %s:  %s\n", $1 - t0, toupper(br), who, line
		}' "$FO_DIR/$br-arp.txt"
done | sort -n -k1,1 | awk '
	# Frames of one kind less than 50 ms apart form a burst.
	{ k = $0; sub(/^[^ ]+ /, "", k) }
	k in last && $1 - last[k] < 0.05 { n[k]++; last[k] = $1; next }
	{ if (k in first) out(k); first[k] = $1; last[k] = $1; n[k] = 1; order[++m] = k }
	function out(k) { printf "  %7.3f s  %s%s\n", first[k], k, (n[k] > 1 ? "  x" n[k] : ""); delete first[k] }
	END { for (i = 1; i <= m; i++) if (order[i] in first) out(order[i]) }' |
	sort -n -k1,1

step "the outage, measured (seconds after the crash)"
r() { echo "${FO_R[$1]:--}"; }
role_s=$(oh 2 -j role | jq -r .takeover_ns | awk -v t0="$FO_T0" '{ printf "%.3f", $1 / 1e9 - t0 }')
printf '  %-62s %s\n' \
	"node 1's links down (kernel link event)" "$(r links_down_s)" \
	"node 2's keepalived: VIPs added, first VRRP advert, first GARP" "$(r takeover_s), $(r vrrp_advert_s), $(r garp_s)" \
	"node 2's role master (ovpnha-notify ran ovpnhactl role master)" "$role_s" \
	"gateway alice: ping-restart fired" "$(r client_restart_s)" \
	"gateway alice: tunnel up again through node 2" "$(r client_up_s)" \
	"focl -> LAN host: first echo reply (the outage)" "$(r outage_s)"
echo "  focl -> LAN host: $(r lost) echo requests lost (sent every 10 ms; at the measured interval of $(r ping_interval_measured_s) s that is $(r lost_time_measured_s) s)"
echo "  focl -> LAN host, TCP session: $(r tcp): $(r tcp_detail)"
# The road warrior's echo replies: the longest silence ending after the crash.
read -r rw_out rw_lost <<<"$(sed -n 's/^\[\([0-9.]*\)\] .* icmp_seq=\([0-9]*\) .*/\1 \2/p' "$FO_DIR/rw-ping.log" |
	awk -v t0="$FO_T0" '
		NR > 1 && $1 > t0 && $1 - pt > gap { gap = $1 - pt; ta = $1; lost = $2 - ps - 1 }
		{ pt = $1; ps = $2 }
		END { if (ta) printf "%.3f %d\n", ta - t0, lost; else print "- -" }')"
echo "  road warrior bob -> LAN host: first echo reply $rw_out s after the crash, $rw_lost echo requests lost (sent every 100 ms)"

step "return tracking: the peers that came back to node 2"
echo "# each client reconnected to node 2; its client-connect hook adopted the replica"
echo "# (same id and iroute, now origin 2) or, after a failed attempt, made a new peer"
show ovpnhactl -n fo2 peer show
echo
echo "+ ovpnhactl -n fo2 role | tail -n 1"
oh 2 role | tail -n 1

step "counters on node 2"
show ovpnhactl -n fo2 stats

step "done: node 2 took over from the crashed node 1; $(oh 2 role | tail -n 1)"
