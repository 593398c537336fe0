/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fake <linux/printk.h>: printk stays an undefined symbol, as in a real
 * module, resolved by the (absent) kernel. */
#ifndef FAKE_LINUX_PRINTK_H
#define FAKE_LINUX_PRINTK_H

#define KERN_SOH "\001"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"

int _printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define printk _printk

#define pr_err(fmt, ...) printk(KERN_ERR fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) do { } while (0)

#endif
