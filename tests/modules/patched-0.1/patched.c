// SPDX-License-Identifier: GPL-2.0-or-later
#include <linux/init.h>
#include <linux/module.h>

#ifndef PATCH_APPLIED
#error "patches/fix-build.patch was not applied"
#endif

static int __init patched_init(void)
{
	return 0;
}

module_init(patched_init);
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
