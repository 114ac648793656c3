# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The failover topology of the ovpnha selftests: two OpenVPN server nodes
# behind keepalived VIPs, a site-to-site OpenVPN client gateway with a host
# behind it, and a LAN host behind the servers.  Source after lib.sh:
#   . "$(dirname "$0")/lib.sh"; . "$(dirname "$0")/lib_failover.sh"
#
#                         fosw (switch: bridges brwan, brlan, brbc)
#   focl ---- fogw ====== brwan ======+================+
#   cl        gw (OpenVPN client)     |                |
#   172.21.1.10  172.21.1.1           fo1 (node1)      fo2 (node2)
#                198.51.100.100       .11 wan0         .12 wan0
#                tun0 10.9.0.10       openvpn server + keepalived each,
#                                     WAN VIP 198.51.100.1, LAN VIP
#                                     192.168.60.1 (one sync group)
#                                     sync0 10.255.77.1 = brbc = 10.255.77.2
#                                     .11 lan0         .12 lan0
#   folan ======================= brlan ======+================+
#   lanhost 192.168.60.50 (routes 10.9.0.0/24, 172.21.1.0/24 via the LAN VIP)
#
# Tunnel 10.9.0.0/24 (topology subnet), the gateway's ccd file pushes
# 10.9.0.10 and routes 172.21.1.0/24 to it (iroute).  Each node runs a
# strict nftables firewall (table inet fo): established/related accepted,
# NEW from the WAN only to the tunnel port, VRRP (protocol 112), the back
# channel, NEW from the tunnel to the LAN; NEW TCP without SYN and
# everything else dropped, with named counters per drop reason.  Tunnel and
# client-LAN sources are NATed toward the LAN (table ip fonat): to the LAN
# VIP by default (FO_NAT=snat, the only choice with which a standby can
# carry a NATed session on), FO_NAT=masquerade for the node's own address.
#
# Functions: fo_setup, fo_start_node N, fo_start_client, fo_crash_node N
# (freeze, cut the links, SIGKILL everything in the node), fo_wait_master N
# TIMEOUT, fo_wait_backup N TIMEOUT, fo_master, fo_is_master N,
# fo_measure_crash [N] (figures in FO_R[...]), fo_cleanup (install with
# `trap fo_cleanup EXIT`).  Node N is network namespace foN; files
# (configurations, logs of every daemon) are in $FO_DIR.
#
# Hooks, all off by default; set before fo_setup:
#   FO_OVPN_HOOKS=1        server.conf feeds ovpnha: the OpenVPN plugin
#                          tools/ovpnhactl/ovpnha-openvpn.so, or with
#                          FO_OVPN_PLUGIN=0 the hook programs learn-address,
#                          client-connect, client-disconnect
#                          "$FO_OVPN_HOOK_CMD <hook>" (default command:
#                          "$OVPNHACTL openvpn")
#   FO_NOTIFY="CMD ARGS"   keepalived sync-group notify command; keepalived
#                          appends TYPE NAME STATE PRIORITY.  "{N}" is
#                          replaced by the node number, "{DIR}" by $FO_DIR.
#   FO_TRACK_SCRIPT="CMD"  a keepalived vrrp_script tracked by both
#                          instances (interval 1, fall 2, rise 2; {N}, {DIR})
#   FO_SWITCHOVER=1        for `ovpnhactl switchover`: both instances track
#                          the file $FO_DIR/switchover-N (keepalived
#                          track_file, weight 0: non-zero puts them in
#                          FAULT), and each server has a management
#                          socket $FO_DIR/mgmt-N.sock
#   FO_SYNC=1              `ovpnhactl sync` per node on the back channel
#                          (config $FO_DIR/sync-N.conf, certificates node1,
#                          node2 from the test CA), started before openvpn
#   FO_CONNTRACKD=1        conntrackd per node, FTFW over UDP on the back
#                          channel (config $FO_DIR/conntrackd-N.conf, like
#                          contrib/conntrackd/conntrackd.conf.example)
#   FO_CONNTRACKD_INJECT=0|1
#                          1: the configuration's DisableExternalCache is
#                          set on (the standby injects replicated states
#                          into its kernel table as they arrive), 0: off
#                          (kept in the external cache until `conntrackd
#                          -c`); unset: as in the example
#   FO_LAN_VIP6=ADDR       an IPv6 LAN VIP too (/64 on lan0, in the LAN
#                          instance's virtual_ipaddress_excluded); IPv6 is
#                          then enabled on the LAN links (no DAD), lanhost
#                          gets ADDR's ::50
#   fo_hook_setup          function, run at the end of fo_setup
#   fo_hook_node_start N   function, run at the end of fo_start_node
#   fo_hook_before_crash M B D
#                          function, run by fo_measure_crash once traffic is
#                          steady, right before node M crashes (B: the
#                          standby, D: the measurement's directory)
# Other knobs: FO_PROTO=udp|tcp, FO_KEEPALIVE="1 2", FO_ADVERT=0.1,
# FO_NAT=snat|masquerade, FO_KEEPALIVED_GLOBAL="LINE..." (more global_defs
# lines of keepalived.conf), FO_KEEP=1 (keep $FO_DIR), FO_SAVE=DIR (copy
# $FO_DIR there at cleanup, e.g. under the repository, which the guest
# shares with the host), FO_RESULTS=FILE (the figures of fo_measure_crash
# appended as key=value lines).

[ "$(type -t ovpn_pki)" = function ] ||
	. "$(dirname "${BASH_SOURCE[0]}")/lib_openvpn.sh"

FO_PROTO=${FO_PROTO:-udp}
FO_KEEPALIVE=${FO_KEEPALIVE:-1 2}
FO_ADVERT=${FO_ADVERT:-0.1}
FO_NAT=${FO_NAT:-snat}
FO_OVPN_HOOKS=${FO_OVPN_HOOKS:-0}
FO_OVPN_HOOK_CMD=${FO_OVPN_HOOK_CMD:-$OVPNHACTL openvpn}
FO_OVPN_PLUGIN=${FO_OVPN_PLUGIN:-1}
FO_NOTIFY=${FO_NOTIFY:-}
FO_TRACK_SCRIPT=${FO_TRACK_SCRIPT:-}
FO_SWITCHOVER=${FO_SWITCHOVER:-0}
FO_SYNC=${FO_SYNC:-0}
FO_CONNTRACKD=${FO_CONNTRACKD:-0}
FO_CONNTRACKD_INJECT=${FO_CONNTRACKD_INJECT:-}
FO_LAN_VIP6=${FO_LAN_VIP6:-}
FO_KEEP=${FO_KEEP:-0}
FO_SAVE=${FO_SAVE:-}
FO_KEEPALIVED_GLOBAL=${FO_KEEPALIVED_GLOBAL:-}
FO_RESULTS=${FO_RESULTS:-}
# Bounds of fo_measure_crash (seconds).
FO_TAKEOVER_TIMEOUT=${FO_TAKEOVER_TIMEOUT:-15}
FO_RECOVER_TIMEOUT=${FO_RECOVER_TIMEOUT:-60}
FO_TCP_WAIT=${FO_TCP_WAIT:-30}
# Bound of fo_start_client (seconds).
FO_CLIENT_TIMEOUT=${FO_CLIENT_TIMEOUT:-60}

FO_DIR=
FO_SW=fosw FO_GW=fogw FO_CL=focl FO_LAN=folan
FO_WAN_VIP=198.51.100.1 FO_LAN_VIP=192.168.60.1
FO_GW_WAN=198.51.100.100 FO_CL_IP=172.21.1.10 FO_LANHOST=192.168.60.50
FO_GW_VPN=10.9.0.10
FO_PORT=1194 FO_TCP_PORT=5001 FO_SYNC_PORT=7410

fo_ns() { echo "fo$1"; }
fo_wan_ip() { echo "198.51.100.$((10 + $1))"; }
fo_lan_ip() { echo "192.168.60.$((10 + $1))"; }
fo_bc_ip() { echo "10.255.77.$1"; }
fo_now() { echo "$EPOCHREALTIME"; }

fo_require() {
	local t
	for t in keepalived openvpn nft socat ping ip ss jq awk; do
		command -v $t >/dev/null || skip "$t is not installed"
	done
	[ "$FO_CONNTRACKD" != 1 ] || command -v conntrackd >/dev/null ||
		skip "conntrackd is not installed"
	[ "$FO_PROTO" = udp ] || [ "$FO_PROTO" = tcp ] || fail "FO_PROTO=$FO_PROTO"
}

# fo_ip NETNS LINE...: one `ip -batch` (each ip run costs 0.2-0.4 s in the
# guest).
fo_ip() {
	local ns=$1 f=$FO_DIR/batch.$1
	shift
	printf '%s\n' "$@" >"$f"
	ip -n "$ns" -batch "$f"
}

# fo_subst STRING N: "{N}" and "{DIR}" replaced.
fo_subst() {
	local s=${1//\{N\}/$2}
	echo "${s//\{DIR\}/$FO_DIR}"
}

fo_pki() {
	# openssl under TCG takes ~25 s for the PKI: made once, kept in build/
	# (the PKI of lib_openvpn.sh; the gateway is "alice").
	if ! openssl x509 -checkend 86400 -noout -in "$OVPN_PKI/bob.crt" >/dev/null 2>&1; then
		rm -rf "$OVPN_PKI.tmp"
		ovpn_pki "$OVPN_PKI.tmp"
		rm -rf "$OVPN_PKI"
		mv "$OVPN_PKI.tmp" "$OVPN_PKI"
		log "PKI made in $OVPN_PKI after ${SECONDS}s"
	fi
	[ "$FO_SYNC" = 1 ] || return 0
	# Sync daemons: certificates node1, node2 signed by the same test CA.
	local n d=$FO_DIR/pki
	mkdir -p "$d"
	for n in 1 2; do
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -subj "/CN=node$n" -keyout "$d/node$n.key" \
			-out "$d/node$n.csr" 2>/dev/null
		openssl x509 -req -in "$d/node$n.csr" -CA "$OVPN_PKI/ca.crt" \
			-CAkey "$OVPN_PKI/ca.key" -CAserial "$d/ca.srl" \
			-CAcreateserial -days 2 -out "$d/node$n.crt" 2>/dev/null
	done
}

fo_netns() {
	local ns n
	for ns in $FO_SW fo1 fo2 $FO_GW $FO_CL $FO_LAN; do
		netns_add "$ns"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	fo_ip $FO_SW \
		"link add brwan type bridge mcast_snooping 0" \
		"link add brlan type bridge mcast_snooping 0" \
		"link add brbc type bridge mcast_snooping 0" \
		"link add n1wan type veth peer name wan0 netns fo1" \
		"link add n1lan type veth peer name lan0 netns fo1" \
		"link add n1bc type veth peer name sync0 netns fo1" \
		"link add n2wan type veth peer name wan0 netns fo2" \
		"link add n2lan type veth peer name lan0 netns fo2" \
		"link add n2bc type veth peer name sync0 netns fo2" \
		"link add gwwan type veth peer name wan0 netns $FO_GW" \
		"link add lhlan type veth peer name lan0 netns $FO_LAN" \
		"link set n1wan master brwan up" "link set n2wan master brwan up" \
		"link set gwwan master brwan up" \
		"link set n1lan master brlan up" "link set n2lan master brlan up" \
		"link set lhlan master brlan up" \
		"link set n1bc master brbc up" "link set n2bc master brbc up" \
		"link set brwan up" "link set brlan up" "link set brbc up"
	for n in 1 2; do
		fo_ip "fo$n" \
			"addr add $(fo_wan_ip $n)/24 dev wan0" \
			"addr add $(fo_lan_ip $n)/24 dev lan0" \
			"addr add $(fo_bc_ip $n)/24 dev sync0" \
			"link set wan0 up" "link set lan0 up" "link set sync0 up"
		ip netns exec "fo$n" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv4.ip_nonlocal_bind=1
	done
	fo_ip $FO_GW \
		"link add lan0 type veth peer name eth0 netns $FO_CL" \
		"addr add $FO_GW_WAN/24 dev wan0" "link set wan0 up" \
		"addr add 172.21.1.1/24 dev lan0" "link set lan0 up"
	ip netns exec $FO_GW sysctl -qw net.ipv4.ip_forward=1
	fo_ip $FO_CL \
		"addr add $FO_CL_IP/24 dev eth0" "link set eth0 up" \
		"route add default via 172.21.1.1"
	fo_ip $FO_LAN \
		"addr add $FO_LANHOST/24 dev lan0" "link set lan0 up" \
		"route add 10.9.0.0/24 via $FO_LAN_VIP" \
		"route add 172.21.1.0/24 via $FO_LAN_VIP"
	[ -z "$FO_LAN_VIP6" ] || fo_lan6
}

# IPv6 on the LAN links only (the nodes' lan0, lanhost), without DAD: the
# VIP must be usable the moment keepalived adds it.
fo_lan6() {
	local ns
	for ns in fo1 fo2 $FO_LAN; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.lan0.accept_dad=0 \
			net.ipv6.conf.lan0.disable_ipv6=0
	done
	fo_ip $FO_LAN "addr add $(fo_lan6_host)/64 dev lan0 nodad"
}
# fo_lan6_host: lanhost's IPv6 address, ::50 in the VIP's /64.
fo_lan6_host() { echo "${FO_LAN_VIP6%::*}::50"; }

# The strict firewall of a node, and the NAT toward the LAN.
fo_nft() {
	local n=$1 nat tport
	if [ "$FO_NAT" = masquerade ]; then
		nat="masquerade"
	else
		nat="snat to $FO_LAN_VIP"
	fi
	[ "$FO_PROTO" = tcp ] && tport="tcp dport $FO_PORT" || tport="udp dport $FO_PORT"
	cat >"$FO_DIR/nft-$n.conf" <<-EOF
	table inet fo {
		counter in_invalid {}
		counter in_notsyn {}
		counter in_drop {}
		counter fwd_invalid {}
		counter fwd_notsyn {}
		counter fwd_drop {}
		chain input {
			type filter hook input priority filter; policy drop;
			ct state established,related accept
			iif lo accept
			ip protocol 112 accept
			iifname "sync0" accept
			# every packet to the tunnel port: a TCP-transport client
			# gets the new master's RST at once
			iifname "wan0" $tport accept
			ct state invalid counter name in_invalid drop
			tcp flags & (fin|syn|rst|ack) != syn ct state new counter name in_notsyn drop
			counter name in_drop drop
		}
		chain forward {
			type filter hook forward priority filter; policy drop;
			ct state established,related accept
			ct state invalid counter name fwd_invalid drop
			tcp flags & (fin|syn|rst|ack) != syn ct state new counter name fwd_notsyn drop
			iifname "tun0" oifname "lan0" accept
			counter name fwd_drop drop
		}
	}
	table ip fonat {
		chain postrouting {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "lan0" ip saddr { 10.9.0.0/24, 172.21.1.0/24 } $nat
		}
	}
	EOF
	ip netns exec "fo$n" nft -f "$FO_DIR/nft-$n.conf"
}

# fo_counters N: the drop counters of node N, "name=packets ...".
fo_counters() {
	ip netns exec "fo$1" nft -j list counters table inet fo |
		jq -r '[.nftables[] | select(.counter) | .counter |
			"\(.name)=\(.packets)"] | join(" ")'
}

fo_ovpn_conf() {
	local sproto cproto hooks='' ka1 ka2
	read -r ka1 ka2 <<<"$FO_KEEPALIVE"
	if [ "$FO_PROTO" = tcp ]; then
		sproto=tcp4-server cproto=tcp4-client
	else
		sproto=udp4 cproto=udp4
	fi
	if [ "$FO_OVPN_HOOKS" = 1 ] && [ "$FO_OVPN_PLUGIN" = 1 ]; then
		hooks="plugin $REPO/tools/ovpnhactl/ovpnha-openvpn.so"
	elif [ "$FO_OVPN_HOOKS" = 1 ]; then
		hooks="script-security 2
learn-address \"$FO_OVPN_HOOK_CMD learn-address\"
client-connect \"$FO_OVPN_HOOK_CMD client-connect\"
client-disconnect \"$FO_OVPN_HOOK_CMD client-disconnect\""
	fi
	mkdir -p "$FO_DIR/ccd"
	# One server.conf for both nodes; the server binds to the WAN VIP
	# (net.ipv4.ip_nonlocal_bind=1 on the nodes) so it answers from it.
	cat >"$FO_DIR/server.conf" <<-EOF
	dev tun0
	proto $sproto
	local $FO_WAN_VIP
	port $FO_PORT
	topology subnet
	server 10.9.0.0 255.255.255.0
	ca $OVPN_PKI/ca.crt
	cert $OVPN_PKI/server.crt
	key $OVPN_PKI/server.key
	dh none
	client-config-dir $FO_DIR/ccd
	route 172.21.1.0 255.255.255.0
	push "route 192.168.60.0 255.255.255.0"
	keepalive $ka1 $ka2
	disable-dco
	data-ciphers AES-256-GCM
	machine-readable-output
	verb 3
	$hooks
	EOF
	cat >"$FO_DIR/ccd/alice" <<-EOF
	ifconfig-push $FO_GW_VPN 255.255.255.0
	iroute 172.21.1.0 255.255.255.0
	EOF
	# The site gateway: keepalive timers as pushed, tun and routes kept
	# across restarts (what a site-to-site gateway runs with).
	cat >"$FO_DIR/gw.conf" <<-EOF
	client
	dev tun0
	proto $cproto
	remote $FO_WAN_VIP $FO_PORT
	nobind
	ca $OVPN_PKI/ca.crt
	cert $OVPN_PKI/alice.crt
	key $OVPN_PKI/alice.key
	remote-cert-tls server
	disable-dco
	data-ciphers AES-256-GCM
	connect-retry 1 1
	ping $ka1
	ping-restart $ka2
	persist-tun
	persist-key
	machine-readable-output
	verb 3
	EOF
}

fo_keepalived_conf() {
	local n=$1 prio notify='' script='' track='' vip6=''
	[ "$n" = 1 ] && prio=150 || prio=100
	[ -z "$FO_NOTIFY" ] || notify="notify \"$(fo_subst "$FO_NOTIFY" "$n")\""
	[ -z "$FO_LAN_VIP6" ] || vip6="virtual_ipaddress_excluded {
			$FO_LAN_VIP6/64 dev lan0
		}"
	if [ -n "$FO_TRACK_SCRIPT" ]; then
		script="vrrp_script fo_track {
	script \"$(fo_subst "$FO_TRACK_SCRIPT" "$n")\"
	interval 1
	fall 2
	rise 2
}"
		track="track_script {
		fo_track
	}"
	fi
	if [ "$FO_SWITCHOVER" = 1 ]; then
		echo 0 >"$FO_DIR/switchover-$n"
		script+="
vrrp_track_file fo_switchover {
	file \"$FO_DIR/switchover-$n\"
	weight 0
}"
		track+="
		track_file {
			fo_switchover
		}"
	fi
	# Both start as BACKUP with nopreempt: the first node up becomes
	# master and keeps the role when the other (re)joins.
	cat >"$FO_DIR/keepalived-$n.conf" <<-EOF
	global_defs {
		router_id fo$n
		vrrp_version 3
		script_user root
		$FO_KEEPALIVED_GLOBAL
	}
	$script
	vrrp_sync_group FO {
		group {
			WAN
			LAN
		}
		$notify
	}
	vrrp_instance WAN {
		state BACKUP
		nopreempt
		interface wan0
		virtual_router_id 51
		priority $prio
		advert_int $FO_ADVERT
		virtual_ipaddress {
			$FO_WAN_VIP/24 dev wan0
		}
		$track
	}
	vrrp_instance LAN {
		state BACKUP
		nopreempt
		interface lan0
		virtual_router_id 52
		priority $prio
		advert_int $FO_ADVERT
		virtual_ipaddress {
			$FO_LAN_VIP/24 dev lan0
		}
		$vip6
		$track
	}
	EOF
}

fo_sync_conf() {
	local n=$1 o=$((3 - $1))
	cat >"$FO_DIR/sync-$n.conf" <<-EOF
	[sync]
	name = node$n
	node-id = $n
	listen = $(fo_bc_ip "$n"):$FO_SYNC_PORT
	ca = $OVPN_PKI/ca.crt
	cert = $FO_DIR/pki/node$n.crt
	key = $FO_DIR/pki/node$n.key
	status-socket = $FO_DIR/sync-$n.sock
	keepalive = 0.5
	timeout = 4
	reconnect = 0.2

	[peer node$o]
	address = $(fo_bc_ip "$o"):$FO_SYNC_PORT
	EOF
}

# conntrackd of node N: contrib/conntrackd/conntrackd.conf.example (whose
# addresses are this topology's) with node N's side of the back channel,
# sync0 for eth2 (conntrackd reads "bc0" as a hex number) and per-node
# paths.
fo_conntrackd_conf() {
	local n=$1 o=$((3 - $1)) f=$FO_DIR/conntrackd-$1.conf
	sed -e "s#^\([[:space:]]*IPv4_address\) 10\.255\.77\.1\$#\1 $(fo_bc_ip "$n")#" \
		-e "s#^\([[:space:]]*IPv4_Destination_Address\) 10\.255\.77\.2\$#\1 $(fo_bc_ip "$o")#" \
		-e "s#Interface eth2\$#Interface sync0#" \
		-e "s#Systemd yes\$#Systemd no#" \
		-e "s#LogFile on\$#LogFile $FO_DIR/conntrackd-$n.log#" \
		-e "s#LockFile /var/lock/conntrack.lock\$#LockFile $FO_DIR/conntrackd-$n.lock#" \
		-e "s#Path /var/run/conntrackd.ctl\$#Path $FO_DIR/conntrackd-$n.ctl#" \
		"$REPO/contrib/conntrackd/conntrackd.conf.example" >"$f"
	[ "$(grep -cE "IPv4_address $(fo_bc_ip "$n")\$|Destination_Address $(fo_bc_ip "$o")\$|Interface sync0|Systemd no|$FO_DIR" "$f")" = 7 ] ||
		fail "contrib/conntrackd/conntrackd.conf.example no longer fits lib_failover.sh"
	local v
	case $FO_CONNTRACKD_INJECT in
	'') return 0 ;;
	1) v=on ;;
	0) v=off ;;
	*) fail "FO_CONNTRACKD_INJECT=$FO_CONNTRACKD_INJECT" ;;
	esac
	sed -i "s#^\([[:space:]]*DisableExternalCache\) [a-zA-Z]*\$#\1 $v#" "$f"
	grep -q "^[[:space:]]*DisableExternalCache $v\$" "$f" ||
		fail "no DisableExternalCache line in contrib/conntrackd/conntrackd.conf.example"
}

# Defaults of the function hooks (a test may define its own before or
# after sourcing this file).
[ "$(type -t fo_hook_setup)" = function ] || fo_hook_setup() { :; }
[ "$(type -t fo_hook_node_start)" = function ] || fo_hook_node_start() { :; }
[ "$(type -t fo_hook_before_crash)" = function ] || fo_hook_before_crash() { :; }

# fo_setup: namespaces, firewall, PKI and every configuration file.
# fo_config_nodes: on both nodes, the module's node id (N), the tunnel and
# the VIPs (WAN, LAN, and the LAN's IPv6 VIP when FO_LAN_VIP6 is set).
fo_config_nodes() {
	local n
	for n in 1 2; do
		"$OVPNHACTL" -n "fo$n" config set node-id $n
		"$OVPNHACTL" -n "fo$n" tunnel add dev tun0 port "$FO_PORT" proto "$FO_PROTO"
		"$OVPNHACTL" -n "fo$n" vip add "$FO_WAN_VIP" dev wan0
		"$OVPNHACTL" -n "fo$n" vip add "$FO_LAN_VIP" dev lan0
		[ -z "${FO_LAN_VIP6:-}" ] || "$OVPNHACTL" -n "fo$n" vip add "$FO_LAN_VIP6" dev lan0
	done
}

fo_setup() {
	fo_require
	FO_DIR=$(mktemp -d /tmp/ovpnha-failover.XXXXXX)
	# The guest's /dev has no tun node until the module is in.
	modprobe tun 2>/dev/null || true
	if [ ! -c /dev/net/tun ]; then
		mkdir -p /dev/net
		mknod /dev/net/tun c 10 200
	fi
	fo_pki
	fo_netns
	fo_nft 1
	fo_nft 2
	fo_ovpn_conf
	local n
	for n in 1 2; do
		fo_keepalived_conf $n
		[ "$FO_SYNC" != 1 ] || fo_sync_conf $n
		[ "$FO_CONNTRACKD" != 1 ] || fo_conntrackd_conf $n
	done
	fo_hook_setup
}

# fo_wait_file FILE PATTERN SECONDS: FILE has a line matching PATTERN (ERE).
fo_wait_file() {
	local f=$1 re=$2 t=$3 t0=$SECONDS
	while [ $((SECONDS - t0)) -lt "$t" ]; do
		grep -Eq -- "$re" "$f" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# fo_addr_monitor_ready NS FILE: an `ip monitor address` writing FILE in NS
# has subscribed once it reports a marker address added and removed; the
# marker is added again until it does (an event before the subscription
# is lost).  Fails after 20 tries.
fo_addr_monitor_ready() {
	local ns=$1 f=$2 i
	for i in $(seq 20); do
		ip -n "$ns" addr add 127.0.0.7/8 dev lo
		if fo_wait_file "$f" "127\.0\.0\.7" 1; then
			ip -n "$ns" addr del 127.0.0.7/8 dev lo
			return 0
		fi
		ip -n "$ns" addr del 127.0.0.7/8 dev lo
	done
	return 1
}

fo_conntrackd_start() {
	local n=$1
	rm -f "$FO_DIR/conntrackd-$n.lock" "$FO_DIR/conntrackd-$n.ctl"
	ip netns exec "fo$n" conntrackd -C "$FO_DIR/conntrackd-$n.conf" -d \
		>>"$FO_DIR/conntrackd-$n.out" 2>&1 ||
		fail "conntrackd of node $n did not start: $(cat "$FO_DIR/conntrackd-$n.out")"
	local i
	for i in $(seq 1 100); do
		ip netns exec "fo$n" conntrackd -C "$FO_DIR/conntrackd-$n.conf" -s \
			>/dev/null 2>&1 && return 0
		sleep 0.2
	done
	fail "conntrackd of node $n does not answer"
}

fo_sync_start() {
	local n=$1 i
	rm -f "$FO_DIR/sync-$n.sock"
	ip netns exec "fo$n" "$OVPNHACTL" sync -c "$FO_DIR/sync-$n.conf" \
		>>"$FO_DIR/sync-$n.log" 2>&1 &
	disown $!
	for i in $(seq 1 100); do
		[ -S "$FO_DIR/sync-$n.sock" ] && return 0
		sleep 0.2
	done
	tail -n 5 "$FO_DIR/sync-$n.log" >&2 || true
	fail "sync daemon of node $n did not start"
}

# fo_start_node N: links up, [conntrackd], [sync], openvpn, keepalived.
fo_start_node() {
	local n=$1 ns=fo$1 i mgmt=()
	[ "$FO_SWITCHOVER" != 1 ] || mgmt=(--management "$FO_DIR/mgmt-$n.sock" unix)
	fo_ip "$ns" "link set wan0 up" "link set lan0 up" "link set sync0 up"
	[ "$FO_CONNTRACKD" != 1 ] || fo_conntrackd_start "$n"
	[ "$FO_SYNC" != 1 ] || fo_sync_start "$n"
	rm -f "$FO_DIR/server-$n.pid" "$FO_DIR/keepalived-$n.pid" \
		"$FO_DIR/keepalived-$n-vrrp.pid"
	ip netns exec "$ns" openvpn --config "$FO_DIR/server.conf" \
		--log-append "$FO_DIR/server-$n.log" \
		--writepid "$FO_DIR/server-$n.pid" --daemon "ovpnha-fo$n" "${mgmt[@]}"
	fo_wait_file "$FO_DIR/server-$n.log" "Initialization Sequence Completed" 30 || {
		tail -n 20 "$FO_DIR/server-$n.log" >&2
		fail "openvpn server of node $n did not start"
	}
	ip netns exec "$ns" keepalived -n -l -D -G -P \
		-f "$FO_DIR/keepalived-$n.conf" -p "$FO_DIR/keepalived-$n.pid" \
		-r "$FO_DIR/keepalived-$n-vrrp.pid" \
		>>"$FO_DIR/keepalived-$n.log" 2>&1 &
	disown $!
	for i in $(seq 1 100); do
		[ -s "$FO_DIR/keepalived-$n-vrrp.pid" ] && break
		sleep 0.1
	done
	[ -s "$FO_DIR/keepalived-$n-vrrp.pid" ] || {
		tail -n 20 "$FO_DIR/keepalived-$n.log" >&2
		fail "keepalived of node $n did not start"
	}
	fo_hook_node_start "$n"
}

# fo_start_client: the gateway's OpenVPN client; waits for the tunnel.
fo_start_client() {
	rm -f "$FO_DIR/gw.pid"
	ip netns exec $FO_GW openvpn --config "$FO_DIR/gw.conf" \
		--log-append "$FO_DIR/gw.log" --writepid "$FO_DIR/gw.pid" \
		--daemon ovpnha-fogw
	fo_wait_file "$FO_DIR/gw.log" "Initialization Sequence Completed" "$FO_CLIENT_TIMEOUT" || {
		tail -n 30 "$FO_DIR/gw.log" >&2
		fail "the gateway's tunnel did not come up"
	}
	[[ "$(ip -n $FO_GW route show 192.168.60.0/24)" == *tun0* ]] ||
		fail "no pushed route on the gateway: $(ip -n $FO_GW route)"
}

# fo_is_master N: node N holds both VIPs on links that are up (a crashed
# node keeps its addresses on its downed links).
fo_is_master() {
	local a
	a=$(ip -n "fo$1" -4 -o addr show up 2>/dev/null) || return 1
	[[ "$a" == *" $FO_WAN_VIP/"* ]] && [[ "$a" == *" $FO_LAN_VIP/"* ]]
}

# fo_master: the node holding the VIPs (empty if none).
fo_master() {
	local n
	for n in 1 2; do
		fo_is_master $n && { echo $n; return 0; }
	done
	return 0
}

fo_wait_master() {
	local n=$1 t=${2:-30} t0=$SECONDS
	while [ $((SECONDS - t0)) -lt "$t" ]; do
		fo_is_master "$n" && return 0
		sleep 0.1
	done
	tail -n 20 "$FO_DIR/keepalived-$n.log" >&2 || true
	fail "node $n did not become master in ${t}s"
}

# fo_wait_backup N TIMEOUT: both instances of node N logged BACKUP, no VIP.
fo_wait_backup() {
	local n=$1 t=${2:-30} t0=$SECONDS f=$FO_DIR/keepalived-$1.log
	while [ $((SECONDS - t0)) -lt "$t" ]; do
		if grep -q "(WAN) Entering BACKUP STATE" "$f" 2>/dev/null &&
		   grep -q "(LAN) Entering BACKUP STATE" "$f" 2>/dev/null &&
		   ! fo_is_master "$n"; then
			return 0
		fi
		sleep 0.2
	done
	tail -n 20 "$f" >&2 || true
	fail "node $n is not backup after ${t}s"
}

# fo_crash_node N: node N dies at once.  Every process in its namespace
# (openvpn, keepalived and its VRRP child, daemons, running hooks) is
# frozen (SIGSTOP), its links are cut, then everything is SIGKILLed: no
# graceful priority-0 advert, no notify script reacting to the link loss,
# no RST or ICMP from a closed socket, no client-disconnect.  FO_CRASH_T is
# the moment of the freeze (a builtin kill: precise).
fo_crash_node() {
	local n=$1 ns=fo$1 pids
	pids=$(ip netns pids "$ns")
	FO_CRASH_T=$(fo_now)
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill -STOP $pids 2>/dev/null || true
	fo_ip "$ns" "link set wan0 down" "link set lan0 down" "link set sync0 down"
	fo_kill_all "$ns" || fail "processes of node $n survived SIGKILL: $(ip netns pids "$ns")"
}

# fo_stop_keepalived N (an FO_EVENT): the stock planned switchover, stopping
# keepalived on node N as `systemctl stop keepalived` does (SIGTERM: it
# sends priority-0 adverts and removes its VIPs); OpenVPN keeps running and
# its clients find out by ping-restart.
fo_stop_keepalived() {
	FO_CRASH_T=$(fo_now)
	kill -TERM "$(cat "$FO_DIR/keepalived-$1.pid")" ||
		fail "cannot stop keepalived of node $1"
}

# fo_kill_all NETNS: freeze and SIGKILL every process in NETNS, again until
# none is left (a process may fork meanwhile); 5 s at most.
fo_kill_all() {
	local ns=$1 i pids
	for i in $(seq 1 50); do
		pids=$(ip netns pids "$ns" 2>/dev/null) || return 0
		[ -n "$pids" ] || return 0
		# shellcheck disable=SC2086
		kill -STOP $pids 2>/dev/null || true
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null || true
		sleep 0.1
	done
	return 1
}

# fo_wait_gone PID...: wait (5 s at most) until the processes have exited.
fo_wait_gone() {
	local p i
	for p in "$@"; do
		for i in $(seq 1 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
	done
}

fo_kill_ns() {
	local ns=$1 sig=${2:-KILL} pids
	pids=$(ip netns pids "$ns" 2>/dev/null) || return 0
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill -"$sig" $pids 2>/dev/null || true
}

fo_cleanup() {
	local rc=$? ns f
	if [ "$rc" != 0 ] && [ -n "$FO_DIR" ] && [ -d "$FO_DIR" ]; then
		for f in "$FO_DIR"/server-*.log "$FO_DIR"/gw.log "$FO_DIR"/keepalived-*.log; do
			[ -f "$f" ] || continue
			echo "--- ${f##*/}" >&2
			tail -n 15 "$f" >&2
		done
	fi
	for ns in "${NETNS_CREATED[@]}"; do
		fo_kill_all "$ns" || log "warning: processes left in $ns: $(ip netns pids "$ns")"
	done
	cleanup_netns
	if [ -n "$FO_SAVE" ] && [ -n "$FO_DIR" ] && [ -d "$FO_DIR" ]; then
		# Regular files only (not the sockets and FIFOs).
		mkdir -p "$FO_SAVE" && (cd "$FO_DIR" &&
			find . -type f -exec cp --parents {} "$FO_SAVE/" \;) ||
			log "warning: copying $FO_DIR to $FO_SAVE failed"
		log "$FO_DIR copied to $FO_SAVE"
	fi
	if [ -n "$FO_DIR" ] && [ "$FO_KEEP" != 1 ]; then
		rm -rf "$FO_DIR"
	elif [ -n "$FO_DIR" ]; then
		log "kept $FO_DIR"
	fi
	FO_DIR=
	return "$rc"
}

# fo_result KEY VALUE: one figure, printed and kept (FO_RESULTS).
fo_result() {
	log "figure: $1 = $2"
	FO_R[$1]=$2
	[ -z "$FO_RESULTS" ] || printf '%s=%s\n' "$1" "$2" >>"$FO_RESULTS"
}
# shellcheck disable=SC2034	# read by the tests
declare -A FO_R
FO_TCP_PIDS=()

# fo_rel T: seconds from the crash to T (3 decimals), "-" if T is empty.
fo_rel() {
	[ -n "$1" ] || { echo -; return; }
	awk -v a="$1" -v b="$FO_T0" 'BEGIN { printf "%.3f", a - b }'
}

# fo_iso2epoch "[2026-11-22T05:44:29.932470]": seconds since the epoch.
fo_iso2epoch() {
	local s=${1#[}
	s=${s%]}
	[ -n "$s" ] || return 0
	date -d "$s" +%s.%6N
}

# fo_first_after FILE PATTERN: the epoch timestamp (first field) of the
# first line of an OpenVPN log (machine-readable-output) matching PATTERN
# at or after the crash.
fo_first_after() {
	awk -v t0="$FO_T0" -v re="$2" '$1 + 0 >= t0 && $0 ~ re { print $1; exit }' "$1" 2>/dev/null
}

# The TCP session: a listener on lanhost stamps every line it receives; a
# writer on cl sends a numbered, stamped line every 100 ms.  Builtins only
# in the loops (starting a program costs 100-250 ms in the guest).
fo_tcp_start() {
	local d=$1 i
	# shellcheck disable=SC2016
	ip netns exec $FO_LAN bash -c '
		socat -u TCP-LISTEN:'$FO_TCP_PORT',reuseaddr STDOUT 2>"$1/tcp-srv.err" |
			{ while IFS= read -r l; do printf "%s %s\n" "$EPOCHREALTIME" "$l"; done; } \
			>"$1/recv.log"
		echo "${PIPESTATUS[0]}" >"$1/tcp-srv.rc"' _ "$d" &
	FO_TCP_PIDS=($!)
	disown $!
	for i in $(seq 1 100); do
		ip netns exec $FO_LAN ss -Hltn "sport = :$FO_TCP_PORT" 2>/dev/null |
			grep -q . && break
		sleep 0.1
	done
	[ "$i" -lt 100 ] || fail "no TCP listener on lanhost"
	mkfifo "$d/tick"
	# shellcheck disable=SC2016
	ip netns exec $FO_CL bash -c '
		exec 3<>"$1/tick" 4>"$1/sent.log"
		for ((i = 1; ; i++)); do
			t=$EPOCHREALTIME
			printf "%d %s\n" "$i" "$t"
			printf "%d %s\n" "$i" "$t" >&4
			read -r -t 0.1 -u 3 _ || :
		done | socat -u STDIN TCP:'$FO_LANHOST:$FO_TCP_PORT' 2>"$1/tcp-cli.err"
		echo "${PIPESTATUS[1]}" >"$1/tcp-cli.rc"' _ "$d" &
	FO_TCP_PIDS+=($!)
	disown $!
}

# fo_tcp_ended D: the session ended (an error) on either side.
fo_tcp_ended() { [ -s "$1/tcp-cli.rc" ] || [ -s "$1/tcp-srv.rc" ]; }

# fo_last_recv D: "N SEND_T RECV_T" of the last line the listener got.
fo_last_recv() {
	awk 'NF == 3 { l = $2 " " $3 " " $1 } END { print l }' "$1/recv.log" 2>/dev/null
}

# fo_ping_replies D: "T SEQ" of every echo reply (ping -D).
fo_ping_replies() {
	sed -n 's/^\[\([0-9.]*\)\] .* bytes from .* icmp_seq=\([0-9]*\) .*/\1 \2/p' "$1/ping.log"
}

# fo_first_reply D T: the time of the first echo reply after T.  (One
# process reading the file: an early exit in a pipeline would kill its
# writer with SIGPIPE, a failure under pipefail and set -e.)
fo_first_reply() {
	awk -v t="$2" '/ bytes from .* icmp_seq=/ { x = substr($1, 2, length($1) - 2) + 0
		if (x > t) { print substr($1, 2, length($1) - 2); exit } }' "$1/ping.log"
}

# fo_first_line FILE STRING: the first field of the first line of FILE
# that holds STRING and not "Deleted" (ip monitor output).
fo_first_line() {
	awk -v s="$2" 'index($0, s) && !/Deleted/ { print $1; exit }' "$1"
}

# fo_measure_crash [N]: crash node N (default: the master; FO_EVENT=FUNC
# does FUNC N instead of fo_crash_node N, and sets FO_CRASH_T) while cl pings
# lanhost every 10 ms and sends a numbered line every 100 ms over TCP to
# it; wait for the other node to take over and for the traffic to return;
# print the figures (fo_result) and leave them in FO_R[...]:
#   crash_t (epoch of the freeze; every *_s figure is relative to it),
#   links_down_s, takeover_s (VIP on the new master), vrrp_advert_s,
#   garp_s, client_restart_s, client_up_s, server_connect_s, outage_s (crash
#   to first echo reply), lost (echoes), lost_time_s (lost x 10 ms),
#   lost_time_measured_s (lost x measured interval), tcp (survived | stalled
#   | reset | error | corrupt), tcp_detail, tcp_stall_s, tcp_broke_at,
#   drops_new_master (nft drop counters that rose on the new master),
#   conntrack_tcp_new_master (its conntrack entries of the session).
# Fails only when no node takes over within FO_TAKEOVER_TIMEOUT or no echo
# reply comes back within FO_RECOVER_TIMEOUT.
fo_measure_crash() {
	local m=${1:-$(fo_master)} b d t_rec line
	[ -n "$m" ] || fail "no master to crash"
	b=$((3 - m))
	d=$FO_DIR/measure.$m
	rm -rf "$d"
	mkdir -p "$d"

	# Monitors: link events of the switch ports (the crash), address
	# events of the standby (the takeover), VRRP and ARP on the WAN.
	local mon=()
	ip -n $FO_SW -ts monitor link >"$d/link.mon" 2>&1 &
	mon+=($!)
	disown $!
	ip -n "fo$b" -ts monitor address >"$d/addr.mon" 2>&1 &
	mon+=($!)
	disown $!
	if command -v tcpdump >/dev/null; then
		ip netns exec $FO_SW tcpdump -i brwan -n -tt -l -e 'vrrp or arp' \
			>"$d/wan.txt" 2>"$d/tcpdump.err" &
		mon+=($!)
		disown $!
		fo_wait_file "$d/tcpdump.err" "listening on" 20 ||
			log "warning: tcpdump did not start: $(cat "$d/tcpdump.err")"
	fi
	# The monitors are listening once they report an event of ours.
	fo_ip $FO_SW "link set brbc alias fo-mark-$$"
	fo_wait_file "$d/link.mon" " brbc: " 20 || fail "ip monitor link did not start"
	fo_addr_monitor_ready "fo$b" "$d/addr.mon" || fail "ip monitor address did not start"

	fo_tcp_start "$d"
	ip netns exec $FO_CL ping -D -n -i 0.01 $FO_LANHOST >"$d/ping.log" 2>&1 &
	local ping_pid=$!
	disown $!
	# Steady state: echo replies and TCP lines flowing.
	local t0=$SECONDS np nl
	while :; do
		np=$(grep -c 'bytes from' "$d/ping.log" 2>/dev/null || true)
		nl=$(grep -c . "$d/recv.log" 2>/dev/null || true)
		[ "${np:-0}" -ge 100 ] && [ "${nl:-0}" -ge 10 ] && break
		[ $((SECONDS - t0)) -lt 60 ] || {
			tail -n 5 "$d/ping.log" "$d/recv.log" "$d"/tcp-*.err >&2 || true
			{
				echo "--- cl: TCP sockets"
				ip netns exec $FO_CL ss -tni
				echo "--- lanhost: TCP sockets"
				ip netns exec $FO_LAN ss -tani
				echo "--- node $m: conntrack, the TCP session's port"
				ip netns exec "fo$m" conntrack -L -p tcp --dport $FO_TCP_PORT
				echo "--- node $m: drop counters"
				fo_counters "$m"
			} >&2 2>&1 || true
			fail "no steady traffic from cl to lanhost before the crash ($np echo replies, $nl TCP lines in 60 s)"
		}
		sleep 0.2
	done
	fo_hook_before_crash "$m" "$b" "$d"
	local counters0
	counters0=$(fo_counters $b)

	log "${FO_EVENT_LOG:-crashing} node $m (node $b is standby)"
	"${FO_EVENT:-fo_crash_node}" "$m"
	FO_T0=$FO_CRASH_T

	# Takeover.
	t0=$SECONDS
	while ! fo_is_master "$b"; do
		[ $((SECONDS - t0)) -lt "$FO_TAKEOVER_TIMEOUT" ] || {
			tail -n 20 "$FO_DIR/keepalived-$b.log" >&2
			fail "node $b did not take over in ${FO_TAKEOVER_TIMEOUT}s"
		}
		sleep 0.1
	done
	# First echo reply after the crash (replies in flight at the crash
	# arrive within a few ms and are not a recovery).
	t0=$SECONDS
	t_rec=
	while :; do
		t_rec=$(fo_first_reply "$d" "$(awk -v t="$FO_T0" 'BEGIN { printf "%.6f", t + 0.1 }')")
		[ -n "$t_rec" ] && break
		[ $((SECONDS - t0)) -lt "$FO_RECOVER_TIMEOUT" ] || {
			tail -n 20 "$FO_DIR/gw.log" "$FO_DIR/server-$b.log" >&2
			fail "no echo reply within ${FO_RECOVER_TIMEOUT}s of the crash"
		}
		sleep 0.2
	done
	# The TCP session: a line sent after the echo replies came back
	# arrives, or the session ends (reset, error), or FO_TCP_WAIT passes.
	t0=$SECONDS
	local tcp=stalled
	while [ $((SECONDS - t0)) -lt "$FO_TCP_WAIT" ]; do
		if fo_tcp_ended "$d"; then
			tcp=ended
			break
		fi
		line=$(fo_last_recv "$d")
		if [ -n "$line" ] && awk -v s="${line#* }" -v r="$t_rec" \
			'BEGIN { split(s, a, " "); exit !(a[1] > r + 0.3) }'; then
			tcp=flowing
			break
		fi
		sleep 0.3
	done
	local counters1 ct_b
	counters1=$(fo_counters $b)
	ct_b=$(ip netns exec "fo$b" conntrack -L -p tcp --dport $FO_TCP_PORT 2>/dev/null |
		grep -c . || true)

	# Stop the traffic: ping first (SIGINT: its summary), then the TCP
	# ends (processes of cl and lanhost only) and the monitors.
	kill -INT "$ping_pid" 2>/dev/null || true
	fo_wait_gone "$ping_pid"
	fo_kill_ns $FO_CL TERM
	fo_kill_ns $FO_LAN TERM
	kill "${mon[@]}" 2>/dev/null || true
	fo_wait_gone "${FO_TCP_PIDS[@]}" "${mon[@]}"

	fo_report "$d" "$m" "$b" "$t_rec" "$tcp" "$counters0" "$counters1" "$ct_b"
}

# fo_report DIR CRASHED NEW_MASTER T_RECOVERY TCP_STATE COUNTERS_BEFORE
# COUNTERS_AFTER CONNTRACK_ENTRIES: the figures of fo_measure_crash.
fo_report() {
	local d=$1 m=$2 b=$3 t_rec=$4 tcp=$5 c0=$6 c1=$7 ct_b=$8 t x

	fo_result crash_t "$FO_T0"
	# The links went down this long after the freeze (kernel link event
	# of the switch port).
	x=$(awk -v p="n${m}" '/NO-CARRIER/ && index($0, " " p) { print $1; exit }' "$d/link.mon")
	fo_result links_down_s "$(fo_rel "$(fo_iso2epoch "$x")")"

	# VRRP: the VIP on the new master, its first advert, its first GARP.
	x=$(fo_first_line "$d/addr.mon" " $FO_WAN_VIP/")
	fo_result takeover_s "$(fo_rel "$(fo_iso2epoch "$x")")"
	x=$(fo_first_line "$d/addr.mon" " $FO_LAN_VIP/")
	fo_result takeover_lan_s "$(fo_rel "$(fo_iso2epoch "$x")")"
	if [ -s "$d/wan.txt" ]; then
		t=$(awk -v t0="$FO_T0" -v src="$(fo_wan_ip "$b") > 224.0.0.18" \
			'$1 > t0 && index($0, src) { print $1; exit }' "$d/wan.txt")
		fo_result vrrp_advert_s "$(fo_rel "$t")"
		t=$(awk -v t0="$FO_T0" -v w="who-has $FO_WAN_VIP " -v g="tell $FO_WAN_VIP," \
			'$1 > t0 && index($0, w) && index($0, g) { print $1; exit }' "$d/wan.txt")
		fo_result garp_s "$(fo_rel "$t")"
	fi

	# The client gateway and the new master's server.
	fo_result client_restart_s "$(fo_rel "$(fo_first_after "$FO_DIR/gw.log" "restarting")")"
	fo_result client_tls_s "$(fo_rel "$(fo_first_after "$FO_DIR/gw.log" "TLS: Initial packet from")")"
	fo_result client_up_s "$(fo_rel "$(fo_first_after "$FO_DIR/gw.log" "Initialization Sequence Completed")")"
	fo_result server_connect_s "$(fo_rel "$(fo_first_after "$FO_DIR/server-$b.log" "Peer Connection Initiated")")"
	# The new master's attempts with the client: each from the TLS
	# handshake's end to the PUSH_REPLY (client-connect, learn-address
	# and client-disconnect scripts run in between and block the server);
	# the client gives up an attempt after ping-restart.
	fo_result server_attempts "$(awk -v t0="$FO_T0" '$1 + 0 >= t0 && /Peer Connection Initiated/ { n++ } END { print n + 0 }' "$FO_DIR/server-$b.log")"
	fo_result server_setup_s "$(awk -v t0="$FO_T0" '
		$1 + 0 < t0 { next }
		/Peer Connection Initiated/ { t = $1 }
		/SENT CONTROL .*PUSH_REPLY/ && t { l = l sep sprintf("%.3f", $1 - t); sep = " "; t = 0 }
		END { print (l == "" ? "-" : l) }' "$FO_DIR/server-$b.log")"

	# Echo: the longest silence that ends after the crash.
	local p lost lt ltm iv n
	p=$(fo_ping_replies "$d" | awk -v t0="$FO_T0" '
		NR == 1 { t1 = $1; s1 = $2 }
		$1 <= t0 { tb = $1; sb = $2 }
		NR > 1 && $1 > t0 && $1 - pt > gap { gap = $1 - pt; ta = $1; sa = $2; sp = ps }
		{ pt = $1; ps = $2; n++ }
		END {
			iv = (sb > s1) ? (tb - t1) / (sb - s1) : 0.01
			lost = sa - sp - 1
			printf "%.3f %d %.3f %.3f %.4f %d", ta - t0, lost, lost * 0.01, lost * iv, iv, n
		}')
	read -r x lost lt ltm iv n <<<"$p"
	fo_result outage_s "$x"
	fo_result lost "$lost"
	fo_result lost_time_s "$lt"
	fo_result lost_time_measured_s "$ltm"
	fo_result ping_interval_measured_s "$iv"
	x=$(grep -E "packets transmitted" "$d/ping.log" || true)
	[ -z "$x" ] || log "ping: $x"

	# TCP: every line delivered once, in order; where it stopped if not.
	local last last_t first_after nsent lines bad
	lines=$(wc -l <"$d/recv.log")
	bad=$(awk 'NF != 3 || $2 != NR { print NR ": " $0; exit }' "$d/recv.log")
	nsent=$(wc -l <"$d/sent.log")
	read -r last x last_t <<<"$(fo_last_recv "$d")"
	first_after=$(awk -v t0="$FO_T0" '$1 > t0 + 0.1 { print $1; exit }' "$d/recv.log")
	local err
	err=$(cat "$d/tcp-cli.err" "$d/tcp-srv.err" 2>/dev/null | tr '\n' ' ')
	if [ "$tcp" = ended ]; then
		if [[ "$err" == *reset* ]]; then tcp=reset; else tcp=error; fi
		x="ended with an error: $err"
	elif [ -n "$bad" ]; then
		tcp=corrupt
		x="line $bad received out of order or damaged"
	elif [ "$tcp" = flowing ]; then
		tcp=survived
		x="lines 1..$lines delivered once and in order ($nsent written), no reset; nothing arrived for $(fo_rel "$first_after") s after the crash"
		fo_result tcp_stall_s "$(fo_rel "$first_after")"
	else
		x=$(fo_rel "$last_t")
		if [ "${x#-}" != "$x" ]; then
			x="${x#-} s before"
		else
			x="$x s after"
		fi
		x="stalled: line $last, received $x the crash, is the last of $nsent sent; nothing sent after the echo replies returned arrived within ${FO_TCP_WAIT}s"
	fi
	fo_result tcp "$tcp"
	fo_result tcp_detail "$x"
	# Where: what the new master's firewall dropped meanwhile, and whether
	# its conntrack knows the session.
	local k v0 v1 drops=''
	for k in $c1; do
		v1=${k#*=}
		k=${k%%=*}
		v0=$(tr ' ' '\n' <<<"$c0" | sed -n "s/^$k=//p")
		[ "$((v1 - ${v0:-0}))" = 0 ] || drops+="$k+$((v1 - ${v0:-0})) "
	done
	drops=${drops% }
	fo_result drops_new_master "${drops:-none}"
	fo_result conntrack_tcp_new_master "$ct_b"
	if [ "$tcp" = stalled ]; then
		case "$drops" in
		*fwd_notsyn*) x="node $b's forward chain dropped the session's packets from the tunnel as NEW without SYN: its conntrack had no entry for the session" ;;
		*in_notsyn*|*in_drop*) x="node $b's input chain dropped the LAN host's packets to the VIP as NEW: no conntrack/NAT entry for the session" ;;
		*) x="no drop counted on node $b" ;;
		esac
		fo_result tcp_broke_at "$x"
	fi
}
