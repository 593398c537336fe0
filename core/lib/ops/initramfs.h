/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Initramfs regeneration, ours: 3.4.3 ignores REMAKE_INITRD.
 * Nothing happens unless framework.conf sets initramfs_command; then a
 * kernel is noted when a module asking for it (REMAKE_INITRD=yes) or one
 * already in its initramfs is installed or uninstalled, and each noted
 * kernel's initramfs is regenerated once, at the end of the command.
 */
#ifndef DKMS_INITRAMFS_H
#define DKMS_INITRAMFS_H

#include "base/base.h"

/* After installing or uninstalling op's modules (described by mc). */
void initramfs_note(struct dkms_session *s, const struct dkms_op *op,
		    const struct modconf *mc);
/* Run the command once per noted kernel, then forget them.  0, or the
 * first failing command's exit status (reported already). */
int initramfs_run_pending(struct dkms_session *s);

#endif
