// SPDX-License-Identifier: GPL-2.0-or-later
#include <linux/init.h>
#include <linux/module.h>

static int __init exclusive_init(void)
{
	return 0;
}

module_init(exclusive_init);
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
