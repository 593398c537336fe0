// SPDX-License-Identifier: GPL-2.0-or-later
#include <linux/export.h>
#include <linux/init.h>
#include <linux/module.h>

int provider_answer(void);

int provider_answer(void)
{
	return 42;
}
EXPORT_SYMBOL_GPL(provider_answer);

static int __init provider_init(void)
{
	return 0;
}

static void __exit provider_exit(void)
{
}

module_init(provider_init);
module_exit(provider_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
