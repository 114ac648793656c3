# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the ovpnha guest selftests.  Source it from a test:
#   . "$(dirname "$0")/lib.sh"
# Tests run with `set -e`; every check is an exact assertion.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OVPNHACTL=${OVPNHACTL:-$REPO/tools/ovpnhactl/ovpnhactl}
KVER=${OVPNHA_KVER:-$(uname -r)}
MODDIR=${OVPNHA_MODULE_DIR:-$REPO/build/$KVER}
NETNS_CREATED=()

log() { printf '%s\n' "$*"; }
# bench_result KEY VALUE: one figure of a benchmark, for the summary table
# selftests/bench builds from selftests/bench_targets.
bench_result() { printf 'bench: %s=%s\n' "$1" "$2"; }
# The first failure's reason also goes to a file: run_tests.sh repeats it
# on the "not ok" line and in the closing summary, after any log dumps.
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	[ -s /tmp/ovpnha-fail-reason ] || printf '%s\n' "$*" > /tmp/ovpnha-fail-reason
	exit 1
}
# wait_for SECONDS WHAT CMD...: until CMD succeeds (polled every 0.2 s),
# then "ok: WHAT" (unless WAIT_FOR_QUIET=1); fail when SECONDS pass first.
wait_for() {
	local secs=$1 what=$2 t0=$SECONDS
	shift 2
	until "$@"; do
		if [ $((SECONDS - t0)) -ge "$secs" ]; then
			# WAIT_FOR_DIAG: a command that says why, run before failing.
			[ -z "${WAIT_FOR_DIAG:-}" ] || $WAIT_FOR_DIAG >&2 || true
			fail "$what: not within ${secs}s"
		fi
		sleep 0.2
	done
	[ "${WAIT_FOR_QUIET:-0}" = 1 ] || log "ok: $what"
}
skip() {
	printf '%s\n' "$*" > /tmp/ovpnha-skip-reason
	printf 'SKIP: %s\n' "$*"
	exit 4
}

require_guest() {
	[ "${OVPNHA_IN_GUEST:-0}" = 1 ] ||
		skip "not inside the test guest (run through selftests/vm/run)"
}

ovpnhactl() { "$OVPNHACTL" "$@"; }

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" != "$3" ]; then
		fail "$1: got '$2', want '$3'"
	fi
	log "ok: $1 = $3"
}

# expect_fail WANT_RC WANT_SUBSTRING CMD...: CMD must exit WANT_RC and print
# WANT_SUBSTRING on stderr.
expect_fail() {
	local want_rc=$1 want_msg=$2 rc=0 err
	shift 2
	err=$("$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" = "$want_rc" ] ||
		fail "'$*': exit status $rc, want $want_rc (stderr: $err)"
	case "$err" in
	*"$want_msg"*) ;;
	*) fail "'$*': stderr '$err' lacks '$want_msg'" ;;
	esac
	log "ok: '$*' refused: $err"
}

module_loaded() { [ -d /sys/module/ovpnha ]; }

load_module() {
	local ko=${1:-$MODDIR/ovpnha.ko}
	module_loaded && return 0
	[ -f "$ko" ] || fail "no module at $ko (run make guest-module)"
	modprobe nf_conntrack 2>/dev/null || true
	insmod "$ko"
}

unload_module() {
	module_loaded || return 0
	rmmod ovpnha
}

dmesg_mark() { dmesg | wc -l; }

# Fail when the kernel log since the mark holds a warning, oops or splat.
dmesg_clean_since() {
	local mark=$1 bad
	bad=$(dmesg | tail -n +"$((mark + 1))" |
		grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection|refcount_t|KASAN|kmemleak|lockdep|RCU stall|soft lockup' || true)
	[ -z "$bad" ] || fail "kernel log: $bad"
}

netns_add() {
	ip netns add "$1"
	ip -n "$1" link set lo up
	NETNS_CREATED+=("$1")
}

cleanup_netns() {
	local ns
	for ns in "${NETNS_CREATED[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	NETNS_CREATED=()
}

# info_field KEY [NETNS]: one value of `ovpnhactl info -j`.
info_field() {
	if [ -n "${2:-}" ]; then
		"$OVPNHACTL" -n "$2" -j info | jq -r "(if type == \"array\" then .[0] else . end).$1"
	else
		"$OVPNHACTL" -j info | jq -r "(if type == \"array\" then .[0] else . end).$1"
	fi
}

# Wait (RCU callbacks run asynchronously) until module-wide object counters
# balance: every peer and trie node created has been freed.
wait_objects_balanced() {
	local i a f na nf
	for i in $(seq 1 100); do
		a=$(info_field obj_peers_alloc); f=$(info_field obj_peers_free)
		na=$(info_field obj_nodes_alloc); nf=$(info_field obj_nodes_free)
		if [ "$a" = "$f" ] && [ "$na" = "$nf" ]; then
			log "ok: objects balanced: peers $a/$f, trie nodes $na/$nf"
			return 0
		fi
		sleep 0.2
	done
	fail "objects leaked: peers alloc $a free $f, nodes alloc $na free $nf"
}
