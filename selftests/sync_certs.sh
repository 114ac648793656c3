#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Certificates of the right CA and a configured name that must still be
# refused: an expired one, and a revoked one (the nodes read a CRL, `crl =`
# in sync.conf, as OpenVPN operators use crl-verify).  Each attempt is a
# refused handshake, counted and logged with the verification error, and
# changes no table; the configured nodes stay in sync meanwhile.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sync.sh"
require_guest
load_module
sync_require
mark=$(dmesg_mark)
trap sync_cleanup EXIT

pki=$SYNC_DIR/pki
mkpki "$pki" a b
# openssl ca with the test CA: an expired certificate and a revoked one,
# both for the name b, and the CRL that lists the revoked one.
mkdir -p "$pki/db"
: > "$pki/db/index.txt"
echo 1000 > "$pki/db/serial"
echo 1000 > "$pki/db/crlnumber"
cat > "$pki/ca.cnf" <<EOC
[ca]
default_ca = test
[test]
database = $pki/db/index.txt
serial = $pki/db/serial
crlnumber = $pki/db/crlnumber
new_certs_dir = $pki/db
certificate = $pki/ca.crt
private_key = $pki/ca.key
default_md = sha256
default_crl_days = 2
policy = any
unique_subject = no
[any]
commonName = supplied
EOC
for c in expired revoked; do
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$pki/$c.key" -out "$pki/$c.csr" -subj "/CN=b" 2>/dev/null
done
openssl ca -batch -config "$pki/ca.cnf" -in "$pki/expired.csr" -out "$pki/expired.crt" \
	-startdate 20200101000000Z -enddate 20200102000000Z >/dev/null 2>&1 ||
	fail "openssl ca: cannot issue the expired certificate"
openssl ca -batch -config "$pki/ca.cnf" -in "$pki/revoked.csr" -out "$pki/revoked.crt" \
	-days 2 >/dev/null 2>&1 || fail "openssl ca: cannot issue the revoked certificate"
openssl ca -config "$pki/ca.cnf" -revoke "$pki/revoked.crt" >/dev/null 2>&1 ||
	fail "openssl ca: cannot revoke"
openssl ca -config "$pki/ca.cnf" -gencrl -out "$pki/crl.pem" >/dev/null 2>&1 ||
	fail "openssl ca: cannot write the CRL"
# What openssl itself says of them (the premise of the test).
v=$(openssl verify -CAfile "$pki/ca.crt" "$pki/expired.crt" 2>&1 || true)
[[ "$v" == *"certificate has expired"* ]] || fail "openssl verify of the expired certificate: $v"
v=$(openssl verify -crl_check -CAfile "$pki/ca.crt" -CRLfile "$pki/crl.pem" "$pki/revoked.crt" 2>&1 || true)
[[ "$v" == *"certificate revoked"* ]] || fail "openssl verify of the revoked certificate: $v"

sync_bridge_up
node_add a 1
node_add b 2
sync_conf a "$pki" "crl = $pki/crl.pem"
sync_conf b "$pki" "crl = $pki/crl.pem"
node_add e 3		# not in a's or b's configuration
sync_start a
sync_start b
wait_in_sync 30 a b
"$OVPNHACTL" -n a peer add cn alice remote 192.0.2.1 port 1194 id 100 >/dev/null
wait_counts 20 "1 0" b
"$OVPNHACTL" -n e peer add cn intruder remote 192.0.2.66 port 1194 id 666 >/dev/null

counter() { sync_json a | jq ".$1"; }
# attempt KIND ERROR: e claims to be b with KIND.crt; a refuses the
# handshakes with ERROR, and counts them.
attempt() {
	local kind=$1 err=$2 hs0 i
	cat > "$SYNC_DIR/e-$kind.conf" <<-EOC
	[sync]
	name = b
	node-id = 3
	listen = 192.168.77.3:$SYNC_PORT
	ca = $pki/ca.crt
	cert = $pki/$kind.crt
	key = $pki/$kind.key
	status-socket = $SYNC_DIR/e-$kind.sock
	keepalive = 0.5
	timeout = 4
	reconnect = 0.2
	[peer a]
	address = 192.168.77.1:$SYNC_PORT
	EOC
	hs0=$(counter handshake_failures)
	"$OVPNHACTL" -n e sync -c "$SYNC_DIR/e-$kind.conf" >> "$SYNC_DIR/e-$kind.log" 2>&1 &
	SYNC_PID[e$kind]=$!
	for i in $(seq 1 60); do
		[ "$(counter handshake_failures)" -ge $((hs0 + 2)) ] && break
		sleep 0.3
	done
	[ "$(counter handshake_failures)" -ge $((hs0 + 2)) ] ||
		fail "$kind certificate: a's handshake_failures $(counter handshake_failures), want >= $((hs0 + 2))"
	sync_stop "e$kind"
	grep -q "certificate refused: $err" "$SYNC_DIR/a.log" ||
		fail "$kind certificate: a did not log \"certificate refused: $err\": $(grep -i 'handshake' "$SYNC_DIR/a.log" | tail -n 3)"
	log "ok: $kind certificate refused ($(( $(counter handshake_failures) - hs0 )) handshakes): $err"
}
attempt expired "certificate has expired"
attempt revoked "certificate revoked"

expect_eq "a's auth failures (no certificate got as far as the name check)" \
	"$(counter auth_failures)" 0
expect_eq "intruder absent on a" "$("$OVPNHACTL" -n a -j peer show | jq -c '[.[].id]')" '[100]'
expect_eq "intruder absent on b" "$("$OVPNHACTL" -n b -j peer show | jq -c '[.[].id]')" '[100]'
wait_in_sync 20 a b
expect_tables_equal a b

sync_cleanup
dmesg_clean_since "$mark"
