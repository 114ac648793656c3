#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Only configured nodes with certificates of the configured CA get in: a
# node with a certificate from another CA (claiming a valid name), a client
# with no certificate, and a certificate of the right CA for a name not in
# the configuration are refused and counted; none of them changes a table.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sync.sh"
require_guest
load_module
sync_require
mark=$(dmesg_mark)
trap sync_cleanup EXIT

mkpki "$SYNC_DIR/pki" a b mallory
mkpki "$SYNC_DIR/evil" b
sync_bridge_up
node_add a 1
node_add b 2
sync_conf a
sync_conf b
node_add e 3		# not in a's or b's configuration
sync_start a
sync_start b
wait_in_sync 30 a b
"$OVPNHACTL" -n a peer add cn alice remote 192.0.2.1 port 1194 id 100 >/dev/null
wait_counts 20 "1 0" b

counter() { sync_json a | jq ".$1"; }
wait_counter() {	# NAME MIN
	local i
	for i in $(seq 1 60); do
		[ "$(counter "$1")" -ge "$2" ] && return 0
		sleep 0.3
	done
	fail "a's $1 stayed at $(counter "$1"), want >= $2"
}

# e claims to be b with a certificate of another CA.
"$OVPNHACTL" -n e peer add cn intruder remote 192.0.2.66 port 1194 id 666 >/dev/null
cat > "$SYNC_DIR/e.conf" <<EOC
[sync]
name = b
node-id = 3
listen = 192.168.77.3:$SYNC_PORT
ca = $SYNC_DIR/evil/ca.crt
cert = $SYNC_DIR/evil/b.crt
key = $SYNC_DIR/evil/b.key
status-socket = $SYNC_DIR/e.sock
keepalive = 0.5
timeout = 4
reconnect = 0.2
[peer a]
address = 192.168.77.1:$SYNC_PORT
EOC
hs0=$(counter handshake_failures)
sync_start e
wait_counter handshake_failures $((hs0 + 2))
sync_stop e
grep -q "certificate refused\|unknown ca\|certificate verify failed" "$SYNC_DIR/a.log" "$SYNC_DIR/e.log" ||
	fail "no certificate refusal logged"
log "ok: another CA's certificate refused ($(( $(counter handshake_failures) - hs0 )) handshakes)"

# A client without a certificate: exactly one more refusal.
sleep 1
hs1=$(counter handshake_failures)
ip netns exec e timeout 20 openssl s_client -connect 192.168.77.1:$SYNC_PORT \
	-CAfile "$SYNC_DIR/pki/ca.crt" -servername a </dev/null >/dev/null 2>&1 || true
for i in $(seq 1 30); do
	[ "$(counter handshake_failures)" -gt "$hs1" ] && break
	sleep 0.3
done
expect_eq "refusals after a client without certificate" "$(counter handshake_failures)" $((hs1 + 1))

# The right CA, but a name the configuration does not list.
sed -e "s|^name = b|name = mallory|" -e "s|$SYNC_DIR/evil/ca.crt|$SYNC_DIR/pki/ca.crt|" \
	-e "s|$SYNC_DIR/evil/b\.|$SYNC_DIR/pki/mallory.|g" "$SYNC_DIR/e.conf" > "$SYNC_DIR/m.conf"
au0=$(counter auth_failures)
"$OVPNHACTL" -n e sync -c "$SYNC_DIR/m.conf" >> "$SYNC_DIR/m.log" 2>&1 &
SYNC_PID[m]=$!
wait_counter auth_failures $((au0 + 1))
sync_stop m
grep -q "names no configured node" "$SYNC_DIR/a.log" || fail "unknown name not logged"

# Nothing of e reached a or b, and a and b are still in sync.
expect_eq "intruder absent on a" "$("$OVPNHACTL" -n a -j peer show | jq -c '[.[].id]')" '[100]'
expect_eq "intruder absent on b" "$("$OVPNHACTL" -n b -j peer show | jq -c '[.[].id]')" '[100]'
wait_in_sync 20 a b
expect_tables_equal a b

sync_cleanup
dmesg_clean_since "$mark"
