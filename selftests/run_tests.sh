#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the ovpnha selftests (kselftest conventions: KTAP output, exit 0 =
# pass, 4 = skip, anything else = fail; per-test timeout from ./settings).
# Runs inside the guest (selftests/vm/run); refuses to run on a host whose
# kernel cannot load modules.
#
#   run_tests.sh [TEST...]     default: every selftests/*.sh test in TESTS order
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.." || exit 1

timeout=600
if [ -f "$here/settings" ]; then
	t=$(sed -n 's/^timeout=\([0-9]\+\)$/\1/p' "$here/settings")
	[ -n "$t" ] && timeout=$t
fi

# Order matters only for readability; each test is independent.
TESTS=(
	module_load.sh
	debug_selftest.sh
	peer_basic.sh
	iroute_lpm.sh
	invalid_input.sh
	permissions.sh
	netns.sh
	dump_large.sh
	proc_stat.sh
	stats_drops.sh
	dns_guard.sh
	dns_router.sh
	dns_bridge.sh
	dns_dnat.sh
	openvpn_hooks.sh
	openvpn_iroute.sh
	openvpn_tcp.sh
	openvpn_plugin.sh
	sync_basic.sh
	sync_3node.sh
	sync_auth.sh
	sync_netem.sh
	sync_tamper.sh
	sync_certs.sh
	sync_churn.sh
	role_garp.sh
	sync_failover.sh
	failover_stock.sh
	failover_ovpnha.sh
	failover_switch.sh
	vip_vlan.sh
	fuzz_netlink.sh
	churn_netns.sh
	rmmod_load.sh
	dkms.sh
)
[ $# -gt 0 ] && TESTS=("$@")

pass=0 fail=0 skip=0
echo "KTAP version 1"
echo "1..${#TESTS[@]}"
summary=()
n=0
for t in "${TESTS[@]}"; do
	n=$((n + 1))
	name="selftests: ovpnha: $t"
	echo "# $name"
	start=$(date +%s.%N)
	# A test may need longer: a "# settings: timeout=N" line in it.
	t_max=$(sed -n 's/^# settings: timeout=\([0-9]\+\)$/\1/p' "$here/$t" 2>/dev/null | head -n1)
	t_max=${t_max:-$timeout}
	rm -f /tmp/ovpnha-fail-reason /tmp/ovpnha-skip-reason
	if [ ! -x "$here/$t" ]; then
		rc=1
		echo "# missing or not executable: selftests/$t"
	else
		timeout --foreground -k 10 "$t_max" "$here/$t" 2>&1 | sed -u 's/^/# /'
		rc=${PIPESTATUS[0]}
	fi
	secs=$(echo "$(date +%s.%N) $start" | awk '{printf "%.1f", $1 - $2}')
	case $rc in
	0)
		pass=$((pass + 1))
		echo "# $t: ${secs}s"
		echo "ok $n $name" ;;
	4)
		skip=$((skip + 1))
		reason=$(cat "/tmp/ovpnha-skip-reason" 2>/dev/null || echo "no reason given")
		rm -f /tmp/ovpnha-skip-reason
		echo "ok $n $name # SKIP $reason"
		summary+=("skipped: $t: $reason") ;;
	124)
		fail=$((fail + 1))
		echo "not ok $n $name # TIMEOUT ${t_max}s"
		summary+=("failed: $t: timeout after ${t_max}s") ;;
	*)
		fail=$((fail + 1))
		reason=$(head -n1 /tmp/ovpnha-fail-reason 2>/dev/null)
		reason=${reason:-exit status $rc}
		rm -f /tmp/ovpnha-fail-reason
		echo "# $t: exit status $rc after ${secs}s"
		echo "not ok $n $name # FAIL $reason"
		summary+=("failed: $t: $reason") ;;
	esac
done

for line in "${summary[@]}"; do
	echo "# $line"
done

if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
