# SPDX-License-Identifier: GPL-2.0
#
# ovpnha top-level Makefile.
#
#   make                      build the module for KERNEL_SRC (default: the
#                             running kernel) in place, and the tool
#   make KERNEL_SRC=/path     what dkms runs
#   make check                the whole test suite: host tests, static checks,
#                             then the selftests inside a QEMU guest
#   make demo                 boot the guest and run the demo: a two-node
#                             OpenVPN cluster, two clients, a crash of the
#                             master and the takeover (selftests/demo.sh)
#   make check-matrix         the guest selftests on 5.10, 6.1 and 6.12
#   make bench                every benchmark in the guest, one report
#                             (build/bench/report.md and report.json)
#   make guest-module         build the module for the guest kernel (SUITE)
#   make install              ovpnhactl, man pages, bash completion, systemd
#                             unit, modules-load.d, OCF agent and the contrib/
#                             examples under $(DESTDIR)$(PREFIX) (PREFIX
#                             default /usr/local)
#   make install-dkms         the module sources for DKMS into
#                             $(DESTDIR)/usr/src/ovpnha-$(VERSION)
#   make check-host           the host-side packaging tests (version, man
#                             pages, install, completion, OCF agent)
#
# SUITE=bullseye|bookworm|trixie picks the guest kernel (default bookworm).

KVER		?= $(shell uname -r)
KERNEL_SRC	?= /lib/modules/$(KVER)/build
SUITE		?= bookworm
VERSION		:= $(shell cat $(CURDIR)/VERSION)
CHECKPATCH	:= $(CURDIR)/.cache/ksrc/scripts/checkpatch.pl
KSRC_TARBALL	:= /usr/src/linux-source-6.1.tar.xz

export SUITE

.PHONY: all module tool modules clean check test-host static-checks \
	guest-module test-vm demo install checkpatch sparse check-matrix \
	install-dkms check-host check-version bench static-lint

all: module tool

# In-place build (dkms and real servers).
module modules:
	$(MAKE) -C $(KERNEL_SRC) M=$(CURDIR) modules

tool:
	$(MAKE) -C tools

# Build for the guest kernel in a private copy of the sources so that
# several kernels (and the debug build) never share object files.
# Produces build/<kver>/ovpnha.ko and build/<kver>/debug/ovpnha.ko.
guest-module:
	@selftests/vm/build-module

test-host: tool
	$(MAKE) -C tools check
	$(MAKE) check-host

# Packaging tests that need no kernel (selftests/host/, KTAP).
check-host: tool
	selftests/host/run

# VERSION is the single source of the version: dkms.conf must agree.
check-version:
	@v=$$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf); \
	if [ "$$v" != "$(VERSION)" ]; then \
		echo "dkms.conf: PACKAGE_VERSION=\"$$v\" but VERSION is $(VERSION)" >&2; \
		exit 1; \
	fi

$(CHECKPATCH):
	@mkdir -p .cache/ksrc
	@echo "extracting checkpatch.pl from $(KSRC_TARBALL)" >&2
	tar -xJf $(KSRC_TARBALL) -C .cache/ksrc --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch

checkpatch: $(CHECKPATCH)
	$(CHECKPATCH) --strict --no-tree --quiet --show-types \
		-f kmod/*.c kmod/*.h kmod/selftest/*.c uapi/linux/ovpnha.h

sparse:
	@selftests/vm/build-module --sparse

static-checks: checkpatch sparse static-lint

# cppcheck and clang-tidy on the tool, cppcheck on the test programs.
static-lint:
	$(MAKE) -C tools/ovpnhactl lint
	$(MAKE) -C selftests/progs lint

test-vm: guest-module tool
	selftests/vm/run --suite $(SUITE) -- selftests/run_tests.sh

# The test command (README and .ci/run run exactly this).
check:
	selftests/check

# The kernel matrix: 5.10, 6.1 and 6.12 guests (see selftests/matrix).
check-matrix:
	selftests/matrix

bench: guest-module tool
	$(MAKE) -C selftests/progs
	selftests/bench

# The demo's elapsed times count from the guest's boot (OVPNHA_DEMO_T0,
# passed into the guest by selftests/vm/run like every OVPNHA_* variable).
demo: guest-module tool
	@echo "== booting the QEMU guest: Debian $(SUITE)'s kernel, this machine's root filesystem read-only (0 s) =="
	OVPNHA_DEMO_T0=$$(date +%s.%N) selftests/vm/run --suite $(SUITE) -- selftests/demo.sh

# ---- installation ---------------------------------------------------------
PREFIX		?= /usr/local
DESTDIR		?=
INSTALL		?= install
SBINDIR		:= $(PREFIX)/sbin
MANDIR		:= $(PREFIX)/share/man
DOCDIR		:= $(PREFIX)/share/doc/ovpnha
COMPLETIONDIR	:= $(PREFIX)/share/bash-completion/completions
MODLOADDIR	:= $(PREFIX)/lib/modules-load.d
OCFDIR		:= $(PREFIX)/lib/ocf/resource.d/ovpnha
# systemd looks in /lib/systemd/system for packaged units, not /usr/lib/...
# on Debian 12; other prefixes keep everything under PREFIX.
ifeq ($(PREFIX),/usr)
UNITDIR		:= /lib/systemd/system
else
UNITDIR		:= $(PREFIX)/lib/systemd/system
endif
# Every file under contrib/ is an example (sorted: reproducible output).
CONTRIB_FILES	:= $(sort $(shell find contrib -type f ! -name '*~' ! -name '.*' 2>/dev/null))

install: tool
	$(MAKE) -C tools install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	$(INSTALL) -D -m 0644 Documentation/man/ovpnhactl.8 $(DESTDIR)$(MANDIR)/man8/ovpnhactl.8
	$(INSTALL) -D -m 0644 Documentation/man/ovpnha.4 $(DESTDIR)$(MANDIR)/man4/ovpnha.4
	$(INSTALL) -D -m 0644 contrib/bash-completion/ovpnhactl \
		$(DESTDIR)$(COMPLETIONDIR)/ovpnhactl
	$(INSTALL) -D -m 0644 contrib/modules-load.d/ovpnha.conf \
		$(DESTDIR)$(MODLOADDIR)/ovpnha.conf
	$(INSTALL) -D -m 0755 contrib/pacemaker/ovpnha $(DESTDIR)$(OCFDIR)/ovpnha
	$(INSTALL) -d $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/local/sbin/ovpnhactl|$(SBINDIR)/ovpnhactl|g' \
	    -e 's|/usr/share/doc/ovpnha/|$(DOCDIR)/|g' \
		contrib/systemd/ovpnha-sync.service \
		> $(DESTDIR)$(UNITDIR)/ovpnha-sync.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ovpnha-sync.service
	$(INSTALL) -D -m 0644 -t $(DESTDIR)$(DOCDIR) README Documentation/*.rst Documentation/*.svg
	@set -e; for f in $(CONTRIB_FILES); do \
		m=0644; [ ! -x "$$f" ] || m=0755; \
		echo "$(INSTALL) -D -m $$m $$f $(DESTDIR)$(DOCDIR)/examples/$${f#contrib/}"; \
		$(INSTALL) -D -m $$m "$$f" "$(DESTDIR)$(DOCDIR)/examples/$${f#contrib/}"; \
	done

# What DKMS needs to build the module (README: "Installing on a real
# server").  DKMS then runs `make KERNEL_SRC=... module` in a copy of it.
DKMS_FILES	:= Kbuild Makefile VERSION dkms.conf COPYING \
		   $(wildcard kmod/*.c kmod/*.h kmod/selftest/*.c) uapi/linux/ovpnha.h
DKMS_SRCDIR	:= /usr/src/ovpnha-$(VERSION)

install-dkms: check-version
	@set -e; for f in $(DKMS_FILES); do \
		$(INSTALL) -D -m 0644 "$$f" "$(DESTDIR)$(DKMS_SRCDIR)/$$f"; \
	done
	@echo "installed the module sources in $(DESTDIR)$(DKMS_SRCDIR); now:"
	@echo "  dkms add ovpnha/$(VERSION) && dkms install ovpnha/$(VERSION)"

clean:
	$(MAKE) -C $(KERNEL_SRC) M=$(CURDIR) clean 2>/dev/null || true
	[ ! -d tools ] || $(MAKE) -C tools clean
	rm -rf build
