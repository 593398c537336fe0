// SPDX-License-Identifier: GPL-2.0-or-later
#include <linux/module.h>

/* Deliberate syntax error: this module never builds. */
static int broken_init(void)
{
	return 0
}

MODULE_LICENSE("GPL");
