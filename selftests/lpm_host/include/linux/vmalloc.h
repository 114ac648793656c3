/* SPDX-License-Identifier: GPL-2.0 */
/* Host build of kmod/lpm.c: every kernel header is the shim. */
#include "../../kshim.h"
