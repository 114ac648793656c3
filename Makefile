# SPDX-License-Identifier: GPL-2.0
#
# ovpnha top-level Makefile.
#
#   make                      build the module for KERNEL_SRC (default: the
#                             running kernel) in place, and the tool
#   make KERNEL_SRC=/path     what dkms runs
#   make check                the whole test suite: host tests, static checks,
#                             then the selftests inside a QEMU guest
#   make demo                 boot the guest and run the scripted demo
#   make check-matrix         the guest selftests on 5.10, 6.1 and 6.12
#   make guest-module         build the module for the guest kernel (SUITE)
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
	guest-module test-vm demo install checkpatch sparse check-matrix

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

static-checks: checkpatch sparse

test-vm: guest-module tool
	selftests/vm/run --suite $(SUITE) -- selftests/run_tests.sh

# The test command (README and .ci/run run exactly this).
check:
	selftests/check

# The kernel matrix: 5.10, 6.1 and 6.12 guests (see selftests/matrix).
check-matrix:
	selftests/matrix

demo: guest-module tool
	selftests/vm/run --suite $(SUITE) -- selftests/demo.sh

install:
	$(MAKE) -C tools install

clean:
	$(MAKE) -C $(KERNEL_SRC) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tools clean
	rm -rf build
