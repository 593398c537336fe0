// SPDX-License-Identifier: GPL-2.0-or-later
/* A real, minimal kernel module: builds against Debian's headers and
 * against tests/fake-kernel alike. */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>

static int __init hello_init(void)
{
	pr_info("hello: loaded\n");
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("hello: unloaded\n");
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dkms test module");
MODULE_VERSION("0.1");
