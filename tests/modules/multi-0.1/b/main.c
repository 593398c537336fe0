// SPDX-License-Identifier: GPL-2.0-or-later
#include <linux/init.h>
#include <linux/module.h>

int multi_b_helper(void);

static int __init multi_b_init(void)
{
	return multi_b_helper();
}

static void __exit multi_b_exit(void)
{
}

module_init(multi_b_init);
module_exit(multi_b_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
