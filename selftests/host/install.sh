#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install into a scratch DESTDIR: exactly the expected files, with the
# expected modes, paths rewritten for the PREFIX, and usable from there.
# Also make install-dkms (the sources DKMS builds from).
. "$(dirname "$0")/lib.sh"
need_tool
cd "$REPO"
v=$(cat VERSION)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The list of installed files (relative to DESTDIR) with their modes.
listing() { (cd "$1" && find . -type f -printf '%m %P\n' | LC_ALL=C sort); }

# expected PREFIX UNITDIR
expected() {
	local p=${1#/} u=${2#/} f
	{
		echo "755 $p/sbin/ovpnhactl"
		echo "644 $p/lib/openvpn/ovpnha-openvpn.so"
		echo "644 $p/share/man/man8/ovpnhactl.8"
		echo "644 $p/share/man/man4/ovpnha.4"
		echo "644 $p/share/bash-completion/completions/ovpnhactl"
		echo "644 $p/lib/modules-load.d/ovpnha.conf"
		echo "755 $p/lib/ocf/resource.d/ovpnha/ovpnha"
		echo "644 $u/ovpnha-sync.service"
		echo "644 $p/share/doc/ovpnha/README"
		for f in Documentation/*.rst Documentation/*.svg; do
			echo "644 $p/share/doc/ovpnha/${f#Documentation/}"
		done
		# every file under contrib/ is an example, executables stay so
		while IFS= read -r f; do
			if [ -x "$f" ]; then
				echo "755 $p/share/doc/ovpnha/examples/${f#contrib/}"
			else
				echo "644 $p/share/doc/ovpnha/examples/${f#contrib/}"
			fi
		done < <(find contrib -type f ! -name '*~' ! -name '.*')
	} | LC_ALL=C sort
}

# 1. PREFIX=/usr, as a distribution package would.
d=$tmp/usr
out=$(make -s install DESTDIR="$d" PREFIX=/usr 2>&1) || fail "make install PREFIX=/usr: $out"
got=$(listing "$d")
want=$(expected /usr /lib/systemd/system)
if [ "$got" != "$want" ]; then
	diff <(echo "$want") <(echo "$got") | sed 's/^/  /' >&2
	fail "make install PREFIX=/usr: file list differs (< expected, > installed)"
fi
log "ok: make install PREFIX=/usr installed the $(wc -l <<<"$got") expected files with their modes"

expect_eq "installed ovpnhactl --version" "$("$d/usr/sbin/ovpnhactl" --version)" "ovpnhactl $v"
unit=$d/lib/systemd/system/ovpnha-sync.service
expect_eq "unit ExecStart" "$(sed -n 's/^ExecStart=//p' "$unit")" \
	"/usr/sbin/ovpnhactl sync -c /etc/ovpnha/sync.conf"
doc=$(sed -n 's/^Documentation=file://p' "$unit")
expect_eq "unit Documentation" "$doc" "/usr/share/doc/ovpnha/sync.rst"
[ -f "$d$doc" ] || fail "the unit's Documentation= file $doc is not installed"
! grep -q /usr/local "$unit" || fail "the unit still names /usr/local: $(grep /usr/local "$unit")"
cmp -s contrib/modules-load.d/ovpnha.conf "$d/usr/lib/modules-load.d/ovpnha.conf" ||
	fail "modules-load.d/ovpnha.conf differs from contrib/"
expect_eq "modules-load.d loads" "$(grep -v '^#' "$d/usr/lib/modules-load.d/ovpnha.conf" | sed '/^$/d')" ovpnha
if command -v man >/dev/null; then
	expect_eq "man -w finds ovpnhactl(8)" "$(man -M "$d/usr/share/man" -w 8 ovpnhactl)" \
		"$d/usr/share/man/man8/ovpnhactl.8"
	expect_eq "man -w finds ovpnha(4)" "$(man -M "$d/usr/share/man" -w 4 ovpnha)" \
		"$d/usr/share/man/man4/ovpnha.4"
fi
bash -n "$d/usr/share/bash-completion/completions/ovpnhactl" || fail "installed completion does not parse"
expect_eq "installed OCF agent meta-data name" \
	"$("$d/usr/lib/ocf/resource.d/ovpnha/ovpnha" meta-data | sed -n 's/^<resource-agent name="\([^"]*\)".*/\1/p')" ovpnha

# 2. The default PREFIX (/usr/local): everything, the unit included, under it.
d=$tmp/local
out=$(make -s install DESTDIR="$d" 2>&1) || fail "make install: $out"
got=$(listing "$d")
want=$(expected /usr/local /usr/local/lib/systemd/system)
if [ "$got" != "$want" ]; then
	diff <(echo "$want") <(echo "$got") | sed 's/^/  /' >&2
	fail "make install (PREFIX=/usr/local): file list differs (< expected, > installed)"
fi
expect_eq "unit ExecStart (/usr/local)" \
	"$(sed -n 's/^ExecStart=//p' "$d/usr/local/lib/systemd/system/ovpnha-sync.service")" \
	"/usr/local/sbin/ovpnhactl sync -c /etc/ovpnha/sync.conf"
log "ok: make install with the default PREFIX /usr/local"

# 3. make install-dkms: what DKMS needs, nothing else.
d=$tmp/dkms
out=$(make -s install-dkms DESTDIR="$d" 2>&1) || fail "make install-dkms: $out"
src=usr/src/ovpnha-$v
got=$(cd "$d" && find . -type f -printf '%P\n' | LC_ALL=C sort)
want=$({
	for f in Kbuild Makefile VERSION dkms.conf COPYING uapi/linux/ovpnha.h; do
		echo "$src/$f"
	done
	find kmod -name '*.[ch]' | sed "s|^|$src/|"
} | LC_ALL=C sort)
if [ "$got" != "$want" ]; then
	diff <(echo "$want") <(echo "$got") | sed 's/^/  /' >&2
	fail "make install-dkms: file list differs (< expected, > installed)"
fi
# every object Kbuild links has its source in the DKMS tree
for o in $(sed -n 's/^ovpnha-y[[:space:]]*[:+]=//p' Kbuild); do
	[ -f "$d/$src/${o%.o}.c" ] || fail "Kbuild links $o but $src/${o%.o}.c is not installed"
done
cmp -s dkms.conf "$d/$src/dkms.conf" || fail "installed dkms.conf differs"
log "ok: make install-dkms installed the $(wc -l <<<"$got") module sources in /$src"
