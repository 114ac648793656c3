#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host tests of the built ovpnhactl binary: exit codes and messages that do
# not need the module, and a valgrind run.  KTAP-style output.
set -u

OVPNHACTL=${OVPNHACTL:-$(dirname "$0")/../ovpnhactl}
VERSION_FILE=${VERSION_FILE:-$(dirname "$0")/../../../VERSION}
VALGRIND=${VALGRIND:-valgrind}
n=0 failed=0 skipped=0

result() {	# result OK|FAIL|SKIP NAME [DETAIL]
	n=$((n + 1))
	case $1 in
	OK) echo "ok $n - $2" ;;
	SKIP) echo "ok $n - $2 # SKIP ${3:-}"; skipped=$((skipped + 1)) ;;
	*) echo "not ok $n - $2"; [ -n "${3:-}" ] && printf '    # %s\n' "$3"
	   failed=$((failed + 1)) ;;
	esac
}

# expect NAME WANT_RC WANT_STDOUT_SUBSTR WANT_STDERR_SUBSTR ARGS...
expect() {
	local name=$1 want_rc=$2 want_out=$3 want_err=$4 rc=0 out err
	shift 4
	out=$("$OVPNHACTL" "$@" 2>/tmp/ovpnhactl-cli.$$) || rc=$?
	err=$(cat /tmp/ovpnhactl-cli.$$)
	rm -f /tmp/ovpnhactl-cli.$$
	if [ "$rc" != "$want_rc" ] || [[ "$out" != *"$want_out"* ]] ||
	   [[ "$err" != *"$want_err"* ]]; then
		result FAIL "$name" "exit $rc (want $want_rc), stdout [$out], stderr [$err]"
	else
		result OK "$name"
	fi
}

echo "KTAP version 1"
expect "--version" 0 "ovpnhactl $(cat "$VERSION_FILE")" "" --version
expect "-V" 0 "ovpnhactl $(cat "$VERSION_FILE")" "" -V
expect "help" 0 "iroute get ADDRESS" "" help
expect "peer help" 0 "peer del cn CN" "" peer help
expect "no object" 2 "" "Try 'ovpnhactl help'." 
expect "unknown object" 2 "" "ovpnhactl: unknown object \"frob\"" frob
expect "unknown command" 2 "" "unknown command \"peer frob\"" peer frob
expect "bad prefix" 2 "" "invalid prefix \"1.2.3.4/x\"" iroute add 1.2.3.4/x peer 1
expect "missing value" 2 "" "missing value after \"cn\"" peer add cn
expect "bad netns" 1 "" "cannot open network namespace \"ovpnhactl-test-none\"" \
	-n ovpnhactl-test-none info

# Without the module (the host never has it): the modprobe hint, exit 1.
if [ -d /sys/module/ovpnha ]; then
	result SKIP "module not loaded message" "ovpnha is loaded"
else
	out=$("$OVPNHACTL" peer show 2>&1); rc=$?
	if [[ "$out" == *"generic netlink socket"* ]]; then
		result SKIP "module not loaded message" "no generic netlink here"
	elif [ $rc = 1 ] && [ "$out" = "ovpnhactl: module ovpnha not loaded: run modprobe ovpnha" ]; then
		result OK "module not loaded message"
	else
		result FAIL "module not loaded message" "exit $rc: $out"
	fi
fi

# valgrind: no invalid access, no definite leak, on help and error paths.
if command -v "$VALGRIND" >/dev/null 2>&1; then
	for args in "help" "peer help" "--version" "frob" "peer show" "stats"; do
		rc=0
		# shellcheck disable=SC2086
		"$VALGRIND" -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect \
			"$OVPNHACTL" $args >/dev/null 2>/tmp/ovpnhactl-vg.$$ || rc=$?
		if [ $rc = 99 ]; then
			result FAIL "valgrind $args" "$(head -c 2000 /tmp/ovpnhactl-vg.$$)"
		else
			result OK "valgrind $args"
		fi
		rm -f /tmp/ovpnhactl-vg.$$
	done
else
	result SKIP "valgrind" "valgrind not installed"
fi

echo "1..$n"
echo "# $((n - failed - skipped)) passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
