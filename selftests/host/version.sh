#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VERSION is the only place the version is written by hand.  Everything that
# carries a copy must agree with it: dkms.conf (make check-version), the
# tool (-DOVPNHA_VERSION), the module (Kbuild -> MODULE_VERSION), the man
# pages' footers and the OCF agent.
. "$(dirname "$0")/lib.sh"
need_tool
cd "$REPO"

v=$(cat VERSION)
[ "$(wc -l <VERSION)" = 1 ] || fail "VERSION must be exactly one line"
[[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+([~+-][0-9A-Za-z.]+)?$ ]] ||
	fail "VERSION '$v' is not a version number"
log "ok: VERSION is $v"

out=$(make -s check-version 2>&1) || fail "make check-version: $out"
expect_eq "dkms.conf PACKAGE_VERSION" \
	"$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)" "$v"
expect_eq "dkms.conf PACKAGE_NAME" "$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' dkms.conf)" ovpnha
expect_eq "dkms.conf BUILT_MODULE_NAME" \
	"$(sed -n 's/^BUILT_MODULE_NAME\[0\]="\(.*\)"$/\1/p' dkms.conf)" ovpnha

# make check-version notices a dkms.conf that was not bumped.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp Makefile dkms.conf "$tmp/"
echo 9.9.9 >"$tmp/VERSION"
rc=0
out=$(make -s -C "$tmp" check-version 2>&1) || rc=$?
[ $rc -ne 0 ] || fail "make check-version accepted dkms.conf $v with VERSION 9.9.9"
case $out in
*"PACKAGE_VERSION=\"$v\" but VERSION is 9.9.9"*) log "ok: a stale dkms.conf is refused: $out" ;;
*) fail "make check-version: unexpected message: $out" ;;
esac
# ... and so does make install-dkms, which depends on it.
! make -s -C "$tmp" install-dkms DESTDIR="$tmp/root" >/dev/null 2>&1 ||
	fail "make install-dkms installed a stale dkms.conf"

expect_eq "ovpnhactl --version" "$("$OVPNHACTL" --version)" "ovpnhactl $v"
# The module gets it from Kbuild; the guest test dkms.sh checks modinfo.
grep -q 'OVPNHA_VERSION=.*cat $(src)/VERSION' Kbuild ||
	fail "Kbuild does not pass VERSION to the module as OVPNHA_VERSION"
grep -q '^MODULE_VERSION(OVPNHA_VERSION);' kmod/main.c ||
	fail "kmod/main.c lacks MODULE_VERSION(OVPNHA_VERSION)"
log "ok: Kbuild passes VERSION to MODULE_VERSION"

for page in Documentation/man/ovpnhactl.8 Documentation/man/ovpnha.4; do
	expect_eq "$page footer" \
		"$(sed -n 's/^\.TH [^ ]* [0-9] [^ ]* "\([^"]*\)".*/\1/p' "$page")" "ovpnha $v"
done
expect_eq "OCF agent version" \
	"$(sed -n 's/^AGENT_VERSION=//p' contrib/pacemaker/ovpnha)" "$v"
