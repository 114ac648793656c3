# SPDX-License-Identifier: GPL-2.0
#
# OpenVPN helpers of the ovpnha guest selftests: a throwaway PKI, and a
# server with two clients in network namespaces.  Source after lib.sh:
#   . "$(dirname "$0")/lib.sh"; . "$(dirname "$0")/lib_openvpn.sh"
#
#   lan (192.168.50.10, fd00:50::10) --- srv (OpenVPN server, tun0)
#   srv 192.0.2.1/30 --- 192.0.2.2 cla (client "alice", LANs 172.20.1.0/24,
#                                       172.20.100.0/24, fd00:a1::/64,
#                                       fd00:a100::/64 on a dummy device)
#   srv 192.0.2.5/30 --- 192.0.2.6 clb (client "bob", nothing behind it)
#
# Tunnel: 10.8.0.0/24 and fd00:8::/64, topology subnet; alice's ccd file
# pushes 10.8.0.10 / fd00:8::10, bob takes the first pool addresses
# (10.8.0.2, fd00:8::1000).

OVPN_DIR=
OVPN_PKI=$REPO/build/openvpn-pki	# throwaway test PKI (git-ignored)
OVPN_PROTO=udp
OVPN_PIDS=()
# OVPNHA_OPENVPN_PLUGIN=1: the hooks as the OpenVPN plugin
# (tools/ovpnhactl/ovpnha-openvpn.so) instead of `ovpnhactl openvpn` programs.
OVPN_PLUGIN=${OVPNHA_OPENVPN_PLUGIN:-0}
OVPN_PLUGIN_SO=$REPO/tools/ovpnhactl/ovpnha-openvpn.so

# The server.conf lines that feed ovpnha: the plugin, or the hook programs.
ovpn_hook_lines() {
	if [ "$OVPN_PLUGIN" = 1 ]; then
		echo "plugin $OVPN_PLUGIN_SO"
	else
		printf '%s\n' "script-security 2" \
			"learn-address \"$OVPNHACTL openvpn learn-address\"" \
			"client-connect \"$OVPNHACTL openvpn client-connect\"" \
			"client-disconnect \"$OVPNHACTL openvpn client-disconnect\""
	fi
}
NS_SRV=ovs NS_LAN=ovl NS_A=ova NS_B=ovb

command -v openvpn >/dev/null || skip "openvpn is not installed"
command -v openssl >/dev/null || skip "openssl is not installed"

ovpn_cleanup() {
	local rc=$? p
	if [ "$rc" != 0 ] && [ -n "$OVPN_DIR" ]; then
		tail -n 40 "$OVPN_DIR"/server.log >&2 || true
	fi
	for p in "${OVPN_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${OVPN_PIDS[@]}"; do
		while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
	done
	OVPN_PIDS=()
	# Tunnel devices, enforce and peers go with the server's namespace.
	cleanup_netns
	[ -z "$OVPN_DIR" ] || rm -rf "$OVPN_DIR"
}

# ovpn_pki DIR: CA, server and client certificates (EC P-256: fast).
ovpn_pki() {
	local d=$1 cn
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 30 -subj /CN=ovpnha-test-ca -keyout "$d/ca.key" \
		-out "$d/ca.crt" 2>/dev/null
	printf 'extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyAgreement\n' >"$d/server.ext"
	printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyAgreement\n' >"$d/client.ext"
	for cn in server alice bob; do
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -subj "/CN=$cn" -keyout "$d/$cn.key" \
			-out "$d/$cn.csr" 2>/dev/null
		openssl x509 -req -in "$d/$cn.csr" -CA "$d/ca.crt" \
			-CAkey "$d/ca.key" -CAcreateserial -days 30 \
			-extfile "$d/$([ $cn = server ] && echo server || echo client).ext" \
			-out "$d/$cn.crt" 2>/dev/null
	done
}

# ip_batch NETNS LINE...: one `ip -batch` per namespace (each ip run costs
# 0.2-0.4 s in the guest).
ip_batch() {
	local ns=$1 f=$OVPN_DIR/batch
	shift
	printf '%s\n' "$@" >"$f"
	ip -n "$ns" -batch "$f"
}

ovpn_netns() {
	netns_add $NS_SRV
	netns_add $NS_LAN
	netns_add $NS_A
	netns_add $NS_B
	ip_batch $NS_SRV \
		"link add lan0 type veth peer name lan0 netns $NS_LAN" \
		"link add wana type veth peer name wan0 netns $NS_A" \
		"link add wanb type veth peer name wan0 netns $NS_B" \
		"addr add 192.168.50.1/24 dev lan0" \
		"addr add fd00:50::1/64 dev lan0 nodad" \
		"addr add 192.0.2.1/30 dev wana" \
		"addr add 192.0.2.5/30 dev wanb" \
		"link set lan0 up" "link set wana up" "link set wanb up"
	ip_batch $NS_LAN \
		"addr add 192.168.50.10/24 dev lan0" \
		"addr add fd00:50::10/64 dev lan0 nodad" \
		"link set lan0 up" \
		"route add default via 192.168.50.1" \
		"route add ::/0 via fd00:50::1"
	ip_batch $NS_A \
		"addr add 192.0.2.2/30 dev wan0" "link set wan0 up" \
		"link add lan1 type dummy" \
		"addr add 172.20.1.1/24 dev lan1" \
		"addr add 172.20.100.1/24 dev lan1" \
		"addr add fd00:a1::1/64 dev lan1 nodad" \
		"addr add fd00:a100::1/64 dev lan1 nodad" \
		"link set lan1 up"
	ip_batch $NS_B "addr add 192.0.2.6/30 dev wan0" "link set wan0 up"
	ip netns exec $NS_SRV sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv4.icmp_ratelimit=0 \
		net.ipv6.icmp.ratelimit=0
}

# ovpn_setup udp|tcp: PKI, namespaces, configuration files.
ovpn_setup() {
	OVPN_PROTO=$1
	OVPN_DIR=$(mktemp -d /tmp/ovpnha-openvpn.XXXXXX)
	# The guest's /dev has no tun node until the module is in.
	modprobe tun 2>/dev/null || true
	if [ ! -c /dev/net/tun ]; then
		mkdir -p /dev/net
		mknod /dev/net/tun c 10 200
	fi
	# openssl under TCG takes ~25 s for the PKI: made once, kept in build/.
	if ! openssl x509 -checkend 86400 -noout -in "$OVPN_PKI/bob.crt" 2>/dev/null; then
		rm -rf "$OVPN_PKI.tmp"
		ovpn_pki "$OVPN_PKI.tmp"
		rm -rf "$OVPN_PKI"
		mv "$OVPN_PKI.tmp" "$OVPN_PKI"
		log "PKI made in $OVPN_PKI after ${SECONDS}s"
	fi
	ovpn_netns
	mkdir -p "$OVPN_DIR/ccd"
	local sproto cproto exitnotify=
	if [ "$OVPN_PROTO" = tcp ]; then
		sproto=tcp4-server cproto=tcp4-client
	else
		sproto=udp4 cproto=udp4 exitnotify="explicit-exit-notify 1"
	fi
	# The server.conf lines of Documentation/openvpn.rst, plus the test's
	# addressing.
	cat >"$OVPN_DIR/server.conf" <<-EOF
	dev tun0
	proto $sproto
	port 1194
	topology subnet
	server 10.8.0.0 255.255.255.0
	server-ipv6 fd00:8::/64
	ca $OVPN_PKI/ca.crt
	cert $OVPN_PKI/server.crt
	key $OVPN_PKI/server.key
	dh none
	client-config-dir $OVPN_DIR/ccd
	route 172.20.1.0 255.255.255.0
	route 172.20.100.0 255.255.255.0
	route-ipv6 fd00:a1::/64
	route-ipv6 fd00:a100::/64
	push "route 192.168.50.0 255.255.255.0"
	push "route-ipv6 fd00:50::/64"
	# long: hooks block OpenVPN for a while under emulation, and a
	# client's exit is seen at once (explicit-exit-notify, TCP close)
	keepalive 10 120
	disable-dco
	data-ciphers AES-256-GCM
	$(ovpn_hook_lines)
	verb 3
	EOF
	# alice's ccd file: the LAN 172.20.100.0/24 behind her is missing.
	cat >"$OVPN_DIR/ccd/alice" <<-EOF
	ifconfig-push 10.8.0.10 255.255.255.0
	ifconfig-ipv6-push fd00:8::10/64 fd00:8::1
	iroute 172.20.1.0 255.255.255.0
	iroute-ipv6 fd00:a1::/64
	EOF
	local cn
	for cn in alice bob; do
		cat >"$OVPN_DIR/$cn.conf" <<-EOF
		client
		dev tun0
		proto $cproto
		remote $([ $cn = alice ] && echo 192.0.2.1 || echo 192.0.2.5) 1194
		nobind
		ca $OVPN_PKI/ca.crt
		cert $OVPN_PKI/$cn.crt
		key $OVPN_PKI/$cn.key
		remote-cert-tls server
		disable-dco
		data-ciphers AES-256-GCM
		connect-retry 1 1
		$exitnotify
		verb 3
		EOF
	done
}

# ovpn_start NETNS NAME: openvpn --config $OVPN_DIR/NAME.conf in NETNS.
ovpn_start() {
	local ns=$1 name=$2
	ip netns exec "$ns" openvpn --config "$OVPN_DIR/$name.conf" \
		--log "$OVPN_DIR/$name.log" --writepid "$OVPN_DIR/$name.pid" \
		--daemon "ovpnha-$name"
	local i
	for i in $(seq 1 50); do
		[ -s "$OVPN_DIR/$name.pid" ] && break
		sleep 0.1
	done
	[ -s "$OVPN_DIR/$name.pid" ] || fail "openvpn $name did not start: $(cat "$OVPN_DIR/$name.log")"
	OVPN_PIDS+=("$(cat "$OVPN_DIR/$name.pid")")
}

# ovpn_stop NAME: end that openvpn and wait for it.
ovpn_stop() {
	local name=$1 pid
	pid=$(cat "$OVPN_DIR/$name.pid")
	kill "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	rm -f "$OVPN_DIR/$name.pid"
}

# ovpn_wait_peer CN present|absent [TIMEOUT]: poll the server's peer table.
ovpn_wait_peer() {
	local cn=$1 want=$2 t=${3:-60} i n
	for i in $(seq 1 $((t * 5))); do
		n=$("$OVPNHACTL" -n $NS_SRV -j peer show cn "$cn" | jq length)
		if { [ "$want" = present ] && [ "$n" -gt 0 ]; } ||
		   { [ "$want" = absent ] && [ "$n" -eq 0 ]; }; then
			return 0
		fi
		sleep 0.2
	done
	tail -n 30 "$OVPN_DIR"/*.log >&2 || true
	fail "peer $cn not $want after ${t}s"
}

# ovpn_wait_up NETNS ADDR [TIMEOUT]: the client's tunnel is up with ADDR
# and the pushed routes.
ovpn_wait_up() {
	local ns=$1 addr=$2 t=${3:-60} i
	for i in $(seq 1 $((t * 5))); do
		ip -n "$ns" -6 route show fd00:50::/64 2>/dev/null | grep -q tun0 &&
			ip -n "$ns" addr show dev tun0 2>/dev/null | grep -q "inet $addr/" &&
			return 0
		sleep 0.2
	done
	tail -n 30 "$OVPN_DIR"/*.log >&2 || true
	fail "client in $ns did not come up with $addr after ${t}s"
}

# stat_field NAME: one counter of `ovpnhactl stats -j` in the server netns.
stat_field() {
	"$OVPNHACTL" -n $NS_SRV -j stats | jq -r ".ovpnha.$1"
}
