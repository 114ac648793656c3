# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the replication selftests (sync_*.sh): a throwaway PKI, nodes
# (network namespaces, each an independent ovpnha table) joined by a "back
# channel" bridge, their `ovpnhactl sync` daemons, and table comparison.
# Source after lib.sh.

SYNC_DIR=/tmp/sync
SYNC_LOAD=$REPO/selftests/progs/sync_load
SYNC_PORT=7410
SYNC_NODES=()
declare -A SYNC_PID SYNC_IDX

sync_require() {
	command -v openssl >/dev/null || skip "openssl not installed"
	command -v jq >/dev/null || skip "jq not installed"
	[ -x "$SYNC_LOAD" ] || fail "$SYNC_LOAD missing (make -C selftests/progs)"
	"$OVPNHACTL" sync help >/dev/null 2>&1 || fail "ovpnhactl has no sync command"
	mkdir -p "$SYNC_DIR"
}

# mkpki DIR CN...: a CA and one EC certificate per CN under DIR.
mkpki() {
	local dir=$1 cn
	shift
	mkdir -p "$dir"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/ca.key" -out "$dir/ca.crt" -days 2 \
		-subj "/CN=ovpnha test CA $(basename "$dir")" 2>/dev/null
	for cn in "$@"; do
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$dir/$cn.key" -out "$dir/$cn.csr" -subj "/CN=$cn" \
			2>/dev/null
		openssl x509 -req -in "$dir/$cn.csr" -CA "$dir/ca.crt" \
			-CAkey "$dir/ca.key" -CAcreateserial -out "$dir/$cn.crt" \
			-days 2 2>/dev/null
	done
}

sync_bridge_up() {
	ip link add sbr type bridge 2>/dev/null || true
	ip link set sbr up
}

# node_add NAME INDEX: netns NAME, back-channel address 192.168.77.INDEX.
node_add() {
	local ns=$1 i=$2
	netns_add "$ns"
	ip link add "s-$ns" type veth peer name bc0 netns "$ns"
	ip link set "s-$ns" master sbr up
	ip -n "$ns" addr add "192.168.77.$i/24" dev bc0
	ip -n "$ns" link set bc0 up
	"$OVPNHACTL" -n "$ns" peer flush
	"$OVPNHACTL" -n "$ns" config set node-id "$i"
	SYNC_NODES+=("$ns")
	SYNC_IDX[$ns]=$i
}

# sync_conf NAME [PKI_DIR] [KEY=VALUE...]: the config of node NAME, every
# other node of SYNC_NODES as a peer (call after all node_add).
sync_conf() {
	local ns=$1 pki=${2:-$SYNC_DIR/pki} other f
	shift 2 || shift $#
	f=$SYNC_DIR/$ns.conf
	{
		echo "# node $ns"
		echo "[sync]"
		echo "name = $ns"
		echo "node-id = ${SYNC_IDX[$ns]}"
		echo "listen = 192.168.77.${SYNC_IDX[$ns]}:$SYNC_PORT"
		echo "ca = $pki/ca.crt"
		echo "cert = $pki/$ns.crt"
		echo "key = $pki/$ns.key"
		echo "status-socket = $SYNC_DIR/$ns.sock"
		echo "keepalive = 0.5"
		echo "timeout = 4"
		echo "reconnect = 0.2"
		for kv in "$@"; do echo "$kv"; done
		for other in "${SYNC_NODES[@]}"; do
			[ "$other" = "$ns" ] && continue
			echo
			echo "[peer $other]"
			echo "address = 192.168.77.${SYNC_IDX[$other]}:$SYNC_PORT"
		done
	} > "$f"
}

sync_start() {
	local ns=$1 i
	rm -f "$SYNC_DIR/$ns.sock"
	"$OVPNHACTL" -n "$ns" sync -c "$SYNC_DIR/$ns.conf" \
		>> "$SYNC_DIR/$ns.log" 2>&1 &
	SYNC_PID[$ns]=$!
	# Up when its status socket answers (start-up is slow under TCG).
	for i in $(seq 1 100); do
		[ -S "$SYNC_DIR/$ns.sock" ] && return 0
		kill -0 "${SYNC_PID[$ns]}" 2>/dev/null ||
			{ tail -n 5 "$SYNC_DIR/$ns.log"; fail "sync daemon of $ns exited"; }
		sleep 0.2
	done
	fail "sync daemon of $ns did not start"
}

# sync_pair_conf: nodes a (id 1) and b (id 2) with their PKI and configs.
sync_pair_conf() {
	mkpki "$SYNC_DIR/pki" a b
	sync_bridge_up
	node_add a 1
	node_add b 2
	sync_conf a
	sync_conf b
}

# sync_pair_up: sync_pair_conf, both daemons started and in sync.
sync_pair_up() {
	sync_pair_conf
	sync_start a
	sync_start b
	wait_in_sync 60 a b
}

sync_stop() {
	local ns=$1 pid=${SYNC_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	unset "SYNC_PID[$ns]"
}

sync_status() { "$OVPNHACTL" sync status -c "$SYNC_DIR/$1.conf" "${@:2}"; }
sync_json() { "$OVPNHACTL" -j sync status -c "$SYNC_DIR/$1.conf" || true; }

# wait_in_sync SECONDS NODE...: every daemon reports every node in sync.
wait_in_sync() {
	local secs=$1 ns t0=$SECONDS ok
	shift
	while :; do
		ok=1
		for ns in "$@"; do
			sync_status "$ns" >/dev/null 2>&1 || ok=0
		done
		[ $ok = 1 ] && return 0
		[ $((SECONDS - t0)) -lt "$secs" ] || break
		sleep 0.3
	done
	for ns in "$@"; do sync_status "$ns" || true; tail -n 20 "$SYNC_DIR/$ns.log"; done
	fail "not in sync after ${secs}s"
}

# table NAME: the whole table, canonical (sorted; node-local fields out).
table() {
	"$OVPNHACTL" -n "$1" -j peer show |
		jq -c 'map(del(.updated_ns, .seen_ns, .return, .return_after_ns) | .iroutes |= sort) | sort_by(.id)'
}

counts() {
	"$OVPNHACTL" -n "$1" -j info | jq -r '(if type == "array" then .[0] else . end) | "\(.peers) \(.iroutes)"'
}

# wait_counts SECONDS "PEERS IROUTES" NODE...
# sync_gen_peers FIRST LAST ROUND: batch lines adding peers FIRST..LAST,
# each with a virtual address and a /26 iroute, the source port depending
# on ROUND (a reconnecting client comes from a new port).
sync_gen_peers() {
	awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { for (i = a; i <= b; i++) {
		x = int(i / 250); y = i % 250 + 1; h = int(x / 256); l = x % 256
		printf "peer add cn user%d remote 198.%d.%d.%d port %d id %d vpn-ip 100.%d.%d.%d\n", i, 18 + h, l, y, 10000 + (i + r) % 50000, i, 64 + h, l, y
		printf "iroute add 10.%d.%d.%d/26 peer %d\n", int(i / 1024) % 256, int(i / 4) % 256, i % 4 * 64, i } }'
}

wait_counts() {
	local secs=$1 want=$2 ns t0=$SECONDS ok
	shift 2
	while :; do
		ok=1
		for ns in "$@"; do
			[ "$(counts "$ns")" = "$want" ] || ok=0
		done
		[ $ok = 1 ] && return 0
		[ $((SECONDS - t0)) -lt "$secs" ] || break
		sleep 1
	done
	for ns in "$@"; do log "$ns: $(counts "$ns")"; sync_status "$ns" || true; tail -n 20 "$SYNC_DIR/$ns.log"; done
	fail "tables did not reach '$want' (peers iroutes) in ${secs}s"
}

# expect_tables_equal NODE...: byte-identical canonical dumps.
expect_tables_equal() {
	local first=$1 ns
	table "$first" > "$SYNC_DIR/table.$first"
	for ns in "${@:2}"; do
		table "$ns" > "$SYNC_DIR/table.$ns"
		cmp -s "$SYNC_DIR/table.$first" "$SYNC_DIR/table.$ns" || {
			diff <(jq -c '.[]' "$SYNC_DIR/table.$first") \
				<(jq -c '.[]' "$SYNC_DIR/table.$ns") | head -n 20
			fail "tables of $first and $ns differ"
		}
	done
	log "ok: tables of $* are identical ($(jq length "$SYNC_DIR/table.$first") peers)"
}

sync_cleanup() {
	local ns
	for ns in "${!SYNC_PID[@]}"; do sync_stop "$ns"; done
	cleanup_netns
	ip link del sbr 2>/dev/null || true
}
