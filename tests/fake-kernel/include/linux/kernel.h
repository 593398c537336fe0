/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fake <linux/kernel.h>. */
#ifndef FAKE_LINUX_KERNEL_H
#define FAKE_LINUX_KERNEL_H

#include <linux/printk.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
