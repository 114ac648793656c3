/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Debug builds only (DEBUG=1): /sys/kernel/debug/ovpnha/lpm_bench times the
 * iroute lookup beside the kernel's FIB lookup (bench.c).  Other builds
 * have neither the file nor the code.
 */
#ifndef _OVPNHA_BENCH_H
#define _OVPNHA_BENCH_H

#ifdef DEBUG
void ovpnha_bench_init(void);
void ovpnha_bench_exit(void);
#else
static inline void ovpnha_bench_init(void)
{
}

static inline void ovpnha_bench_exit(void)
{
}
#endif

#endif /* _OVPNHA_BENCH_H */
