/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fake <linux/module.h>: the MODULE_* macros emit the same .modinfo
 * strings as the kernel's, which is all dkms and libkmod look at. */
#ifndef FAKE_LINUX_MODULE_H
#define FAKE_LINUX_MODULE_H

#include <linux/export.h>
#include <linux/init.h>
#include <linux/kernel.h>

struct module;
#define THIS_MODULE ((struct module *)0)

#define __FAKE_CAT2(a, b) a##b
#define __FAKE_CAT(a, b) __FAKE_CAT2(a, b)
#define MODULE_INFO(tag, info)                                          \
	static const char __FAKE_CAT(__modinfo_##tag##_, __COUNTER__)[]  \
	__attribute__((section(".modinfo"), used, aligned(1))) = #tag "=" info

#define MODULE_LICENSE(x) MODULE_INFO(license, x)
#define MODULE_VERSION(x) MODULE_INFO(version, x)
#define MODULE_AUTHOR(x) MODULE_INFO(author, x)
#define MODULE_DESCRIPTION(x) MODULE_INFO(description, x)
#define MODULE_ALIAS(x) MODULE_INFO(alias, x)
#define MODULE_SOFTDEP(x) MODULE_INFO(softdep, x)
#define MODULE_FIRMWARE(x) MODULE_INFO(firmware, x)
#define MODULE_IMPORT_NS(ns) MODULE_INFO(import_ns, #ns)
#define MODULE_PARM_DESC(p, desc) MODULE_INFO(parm, #p ":" desc)
#define MODULE_DEVICE_TABLE(type, name)
#define module_param(name, type, perm) MODULE_INFO(parmtype, #name ":" #type)

#endif
