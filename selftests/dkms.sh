#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS for real: install the module sources the way README says
# (make install-dkms -> /usr/src/ovpnha-<VERSION>), then dkms add, build and
# install for the guest kernel, modprobe (depmod must know the module and its
# dependency on nf_conntrack), modinfo, unload, dkms remove --all.
#
# The guest's root is the host's, read-only; /lib/modules/<kver> is the
# extracted kernel inside the repository's cache.  So the test runs in a
# private mount namespace with throw-away overlays on /usr/src,
# /var/lib/dkms and /lib/modules/<kver>: nothing it writes survives it.
#
# Under TCG the build takes minutes (far more on a loaded host):
# settings: timeout=2400
. "$(dirname "$0")/lib.sh"
require_guest

command -v dkms >/dev/null || skip "dkms is not installed (apt-get install dkms)"

if [ "${OVPNHA_DKMS_PRIVATE:-0}" != 1 ]; then
	OVPNHA_DKMS_PRIVATE=1 exec unshare --mount --propagation private "$0" "$@"
fi

VERSION=$(cat "$REPO/VERSION")
MODDIR_SYS=/lib/modules/$KVER
SCRATCH=$(mktemp -d /tmp/dkms.XXXXXX)

# overlay_dir DIR: make DIR writable, changes kept in $SCRATCH.
overlay_dir() {
	local d=$1 n
	n=$(echo "$d" | tr / _)
	mkdir -p "$SCRATCH/$n/upper" "$SCRATCH/$n/work" "$d"
	mount -t overlay "overlay$n" \
		-o "lowerdir=$d,upperdir=$SCRATCH/$n/upper,workdir=$SCRATCH/$n/work" "$d" ||
		fail "cannot mount an overlay on $d"
	OVERLAYS=("$d" "${OVERLAYS[@]}")
}

OVERLAYS=()
cleanup() {
	local d
	modprobe -r ovpnha 2>/dev/null || true
	for d in "${OVERLAYS[@]}"; do
		umount "$d" 2>/dev/null || umount -l "$d" 2>/dev/null || true
	done
	umount -l "$MODDIR_SYS" "$REPO/.cache/kernels" "$SCRATCH/hostroot" 2>/dev/null || true
	rm -rf --one-file-system "$SCRATCH"
}
trap cleanup EXIT

# DKMS compiles with the compiler the kernel was built with
# (CONFIG_CC_VERSION_TEXT via the headers' .kernelvariables).
build=$MODDIR_SYS/build
[ -e "$build/Makefile" ] || fail "no kernel headers at $build"
cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ "]*\).*/\1/p' "$build/.config")
command -v "$cc" >/dev/null ||
	skip "$KVER was built with $cc, which is not installed, and DKMS builds with the kernel's compiler"

# The guest kernel's tree (modules, headers) lives in the repository's
# cache, which the guest sees through the uncached repository share: every
# header the compiler opens and every module depmod reads is a round trip
# to the host.  The host-root share shows the same files page-cached
# (cache=loose, read-only): use that view here.  Several times faster
# under TCG, and nothing is written there.
kcache=$REPO/.cache/kernels
hostroot=$SCRATCH/hostroot
mkdir -p "$hostroot"
if mount --bind -o ro / "$hostroot" && [ -d "$hostroot$kcache/$KVER/lib/modules/$KVER" ]; then
	mount --bind "$hostroot$kcache" "$kcache"
	mount --bind "$kcache/$KVER/lib/modules/$KVER" "$MODDIR_SYS"
	log "ok: the kernel tree through the page-cached host-root share"
fi

mkdir -p /var/lib/dkms
overlay_dir /usr/src
overlay_dir /var/lib/dkms
overlay_dir "$MODDIR_SYS"
log "ok: private overlays on /usr/src, /var/lib/dkms and $MODDIR_SYS"

# Whatever the host's dkms may hold of ovpnha stays out of this test
# (removed in the overlays only).
rm -rf /var/lib/dkms/ovpnha "/usr/src/ovpnha-$VERSION"
expect_eq "dkms status before the test" "$(dkms status ovpnha)" ""

mark=$(dmesg_mark)
unload_module
module_loaded && fail "ovpnha is still loaded"
# The module file as DKMS installs it: compressed (ovpnha.ko.xz) when the
# kernel's own modules are (Debian's 6.12), else ovpnha.ko.
installed_ko() {
	local f
	for f in "$MODDIR_SYS"/updates/dkms/ovpnha.ko{,.xz,.zst,.gz}; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}
! installed_ko >/dev/null ||
	fail "$(installed_ko) exists before the test"
! modinfo ovpnha >/dev/null 2>&1 || fail "modinfo finds an ovpnha module before dkms install"

# 1. The sources, as a packager or README's reader installs them.
make -s -C "$REPO" install-dkms >/dev/null
src=/usr/src/ovpnha-$VERSION
[ -f "$src/dkms.conf" ] || fail "make install-dkms did not create $src/dkms.conf"
expect_eq "dkms.conf PACKAGE_VERSION" \
	"$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$src/dkms.conf")" "$VERSION"

# 2. dkms add / build / install for the guest kernel.
dkms_run() {
	local out rc=0
	out=$(dkms "$@" 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/  | /'
	[ $rc -eq 0 ] || {
		local log=/var/lib/dkms/ovpnha/$VERSION/build/make.log
		[ -f "$log" ] && tail -n 40 "$log" | sed 's/^/  make.log| /'
		fail "dkms $* exited with status $rc"
	}
}
dkms_run add "ovpnha/$VERSION"
expect_eq "dkms status after add" "$(dkms status ovpnha)" "ovpnha/$VERSION: added"
t0=$(date +%s)
dkms_run build "ovpnha/$VERSION" -k "$KVER"
log "dkms build took $(( $(date +%s) - t0 ))s"
arch=$(uname -m)
expect_eq "dkms status after build" "$(dkms status ovpnha)" \
	"ovpnha/$VERSION, $KVER, $arch: built"
dkms_run install "ovpnha/$VERSION" -k "$KVER"
expect_eq "dkms status after install" "$(dkms status ovpnha)" \
	"ovpnha/$VERSION, $KVER, $arch: installed"
ko=$(installed_ko) ||
	fail "dkms install did not put the module at $MODDIR_SYS/updates/dkms/ovpnha.ko{,.xz,.zst,.gz}"
grep -q "^updates/dkms/${ko##*/}: " "$MODDIR_SYS/modules.dep" ||
	fail "depmod did not record updates/dkms/${ko##*/} in modules.dep"
log "ok: $ko installed and in modules.dep"

# 3. modinfo: everything comes from the sources (VERSION, MODULE_*).
expect_eq "modinfo filename" "$(modinfo -F filename ovpnha)" "$ko"
expect_eq "modinfo version" "$(modinfo -F version ovpnha)" "$VERSION"
expect_eq "modinfo license" "$(modinfo -F license ovpnha)" "GPL"
want_desc=$(sed -n 's/^MODULE_DESCRIPTION("\(.*\)");$/\1/p' "$REPO"/kmod/*.c)
[ -n "$want_desc" ] || fail "no MODULE_DESCRIPTION in kmod/*.c"
expect_eq "modinfo description" "$(modinfo -F description ovpnha)" "$want_desc"
case ",$(modinfo -F depends ovpnha)," in
*,nf_conntrack,*) log "ok: modinfo depends lists nf_conntrack" ;;
*) fail "modinfo depends lacks nf_conntrack: '$(modinfo -F depends ovpnha)'" ;;
esac
expect_eq "modinfo vermagic kernel" "$(modinfo -F vermagic ovpnha | cut -d' ' -f1)" "$KVER"
want_parms=$(sed -n 's/^module_param\(_named\)\{0,1\}(\([a-z_0-9]*\),.*/\2/p' "$REPO"/kmod/*.c | sort)
[ -n "$want_parms" ] || fail "no module_param in kmod/*.c"
got_parms=$(modinfo -F parm ovpnha | cut -d: -f1 | sort)
expect_eq "modinfo parameters" "$(tr "\n" " " <<<"$got_parms")" "$(tr "\n" " " <<<"$want_parms")"
modinfo -F parm ovpnha | while IFS= read -r p; do
	case $p in
	*:?*' ('*')') ;;
	*) fail "parameter without description or type: '$p'" ;;
	esac
done
signer=$(modinfo -F signer ovpnha)
log "module signer: '${signer:-unsigned}'"

# 4. modprobe resolves the dependency through depmod's data.
deps=$(modprobe --show-depends ovpnha | awk '{print $2}' | xargs -n1 basename |
	sed -E 's/\.ko\.(xz|zst|gz)$/.ko/')
expect_eq "last module modprobe loads" "$(echo "$deps" | tail -n1)" "ovpnha.ko"
echo "$deps" | grep -qx 'nf_conntrack.ko' ||
	fail "modprobe --show-depends ovpnha lacks nf_conntrack: $deps"
modprobe ovpnha
module_loaded || fail "modprobe ovpnha did not load it"
[ -d /sys/module/nf_conntrack ] || fail "nf_conntrack not loaded with ovpnha"
expect_eq "loaded version" "$(cat /sys/module/ovpnha/version)" "$VERSION"
expect_eq "loaded srcversion" "$(cat /sys/module/ovpnha/srcversion)" \
	"$(modinfo -F srcversion ovpnha)"
for p in $want_parms; do
	[ -r "/sys/module/ovpnha/parameters/$p" ] ||
		fail "/sys/module/ovpnha/parameters/$p missing"
done
expect_eq "tool sees the module version" "$(info_field version)" "$VERSION"
modprobe -r ovpnha
! module_loaded || fail "modprobe -r ovpnha left it loaded"
log "ok: modprobe and modprobe -r"

# 5. dkms remove --all takes every trace away again.
dkms_run remove "ovpnha/$VERSION" --all
expect_eq "dkms status after remove" "$(dkms status ovpnha)" ""
[ ! -e "$ko" ] || fail "$ko still there after dkms remove"
! grep -q 'ovpnha' "$MODDIR_SYS/modules.dep" ||
	fail "modules.dep still names ovpnha after dkms remove"
! modinfo ovpnha >/dev/null 2>&1 || fail "modinfo still finds ovpnha after dkms remove"
[ ! -e "/var/lib/dkms/ovpnha/$VERSION" ] ||
	fail "/var/lib/dkms/ovpnha/$VERSION left behind"
log "ok: dkms remove --all: module, modules.dep entry and dkms tree gone"
dmesg_clean_since "$mark"
