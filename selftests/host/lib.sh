# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers of the host-side tests: those of the guest tests (../lib.sh:
# set -euo pipefail, REPO, OVPNHACTL, log, fail, expect_eq), a skip() that
# reports to selftests/host/run, and set comparisons.

. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

skip() {
	printf '%s\n' "$*" >"${OVPNHA_SKIP_FILE:-/dev/null}"
	printf 'SKIP: %s\n' "$*"
	exit 4
}

# expect_same_set WHAT LEFT_NAME LEFT RIGHT_NAME RIGHT: two newline-separated
# lists hold the same lines (order and duplicates aside); else name the
# lines only one of them has.
expect_same_set() {
	local what=$1 ln=$2 l=$3 rn=$4 r=$5 only_l only_r
	only_l=$(comm -23 <(sort -u <<<"$l") <(sort -u <<<"$r") | sed '/^$/d')
	only_r=$(comm -13 <(sort -u <<<"$l") <(sort -u <<<"$r") | sed '/^$/d')
	if [ -n "$only_l" ] || [ -n "$only_r" ]; then
		[ -z "$only_l" ] || printf '%s: only in %s:\n%s\n' "$what" "$ln" "$(sed 's/^/    /' <<<"$only_l")" >&2
		[ -z "$only_r" ] || printf '%s: only in %s:\n%s\n' "$what" "$rn" "$(sed 's/^/    /' <<<"$only_r")" >&2
		fail "$what: $ln and $rn differ"
	fi
	[ -n "$l" ] || fail "$what: both lists are empty"
	log "ok: $what: $(sort -u <<<"$l" | wc -l) entries agree ($ln = $rn)"
}

# The built tool (selftests/host/run runs after `make tool`).
need_tool() {
	[ -x "$OVPNHACTL" ] || fail "$OVPNHACTL not built (make tool)"
}
