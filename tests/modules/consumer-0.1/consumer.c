// SPDX-License-Identifier: GPL-2.0-or-later
#include <linux/init.h>
#include <linux/module.h>

int provider_answer(void);

static int __init consumer_init(void)
{
	return provider_answer() == 42 ? 0 : -1;
}

static void __exit consumer_exit(void)
{
}

module_init(consumer_init);
module_exit(consumer_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
