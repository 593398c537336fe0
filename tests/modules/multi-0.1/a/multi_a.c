// SPDX-License-Identifier: GPL-2.0-or-later
#include <linux/init.h>
#include <linux/module.h>

static int __init multi_a_init(void)
{
	return 0;
}

static void __exit multi_a_exit(void)
{
}

module_init(multi_a_init);
module_exit(multi_a_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
