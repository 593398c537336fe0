// SPDX-License-Identifier: GPL-2.0-or-later
/* Fixture module for the differential tests. */
#include <linux/module.h>
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dkms differential test module prestatus");
MODULE_VERSION("@VERSION@");
static int __init fixture_init(void) { return 0; }
static void __exit fixture_exit(void) { }
module_init(fixture_init);
module_exit(fixture_exit);
