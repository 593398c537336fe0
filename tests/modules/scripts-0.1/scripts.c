// SPDX-License-Identifier: GPL-2.0-or-later
#include <linux/init.h>
#include <linux/module.h>

#include "generated.h" /* written by pre-build.sh */

static int __init scripts_init(void)
{
	return 0;
}

module_init(scripts_init);
MODULE_LICENSE("GPL");
MODULE_VERSION(SCRIPTS_VERSION);
