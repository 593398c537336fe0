/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fake <linux/init.h>: module_init/module_exit as the kernel spells them
 * for modules, aliases named init_module and cleanup_module. */
#ifndef FAKE_LINUX_INIT_H
#define FAKE_LINUX_INIT_H

#define __init __attribute__((section(".init.text"), cold))
#define __exit __attribute__((section(".exit.text"), cold))
#define __initdata __attribute__((section(".init.data")))
#define __exitdata __attribute__((section(".exit.data")))

typedef int (*initcall_t)(void);
typedef void (*exitcall_t)(void);

#define module_init(fn)                                                 \
	static inline initcall_t __attribute__((unused)) __inittest(void) \
	{ return fn; }                                                  \
	int init_module(void) __attribute__((alias(#fn)))
#define module_exit(fn)                                                 \
	static inline exitcall_t __attribute__((unused)) __exittest(void) \
	{ return fn; }                                                  \
	void cleanup_module(void) __attribute__((alias(#fn)))

#endif
