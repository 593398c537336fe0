/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fake <linux/export.h>: an export is a __ksymtab_<sym> object in section
 * ___ksymtab+<sym> (___ksymtab_gpl+<sym>), as in the kernel; the fake
 * modpost turns them into Module.symvers lines. */
#ifndef FAKE_LINUX_EXPORT_H
#define FAKE_LINUX_EXPORT_H

#define __FAKE_EXPORT(sym, sec)                                          \
	extern __typeof__(sym) sym;                                      \
	static const char __kstrtab_##sym[]                              \
	__attribute__((section("__ksymtab_strings"), used, aligned(1))) = #sym; \
	static const void *const __ksymtab_##sym                         \
	__attribute__((section("___ksymtab" sec "+" #sym), used)) = &sym

#define EXPORT_SYMBOL(sym) __FAKE_EXPORT(sym, "")
#define EXPORT_SYMBOL_GPL(sym) __FAKE_EXPORT(sym, "_gpl")

#endif
