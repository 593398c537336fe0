#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: match installs on a kernel what a template kernel has, and
# kernel_prerm removes everything built for a kernel.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
d_have_headers || d_skip_all "needs the Debian kernel headers of $D_REAL_KERNELS"
K1=6.1.0-56-amd64
K2=6.1.0-54-amd64
d_plan 21

d_kernel $K1
d_kernel $K2
d_module hello 1.0
d_module noauto 1.0

d_step "match without --templatekernel" 1 match -k $K2
d_step "match onto the template itself" 2 match --templatekernel=$K1 -k $K1
d_step "match of an unknown module" 3 match --templatekernel $K1 -k $K2 -m nosuch
d_step "match with nothing installed" 0 match --templatekernel=$K1 -k $K2
d_step "install hello on $K1" 0 install hello/1.0 -k $K1
d_step "install noauto on $K1" 0 install noauto/1.0 -k $K1
d_step "match $K2 to $K1" 0 match --templatekernel=$K1 -k $K2
d_tree "after match"
d_step "match again: already there" 0 match --templatekernel=$K1 -k $K2 -m hello
d_step "kernel_prerm without a kernel" 4 kernel_prerm
d_step "kernel_prerm with two kernels" 4 kernel_prerm -k $K1 -k $K2
d_step "kernel_prerm $K2" 0 kernel_prerm -k $K2
d_tree "after kernel_prerm"
d_step "kernel_prerm $K2 again does nothing" 0 kernel_prerm -k $K2
d_step "uninstall hello from $K1" 0 uninstall hello/1.0 -k $K1
d_step "kernel_prerm $K1 (one built, one installed)" 0 kernel_prerm -k $K1
d_tree "after kernel_prerm of $K1"
d_step "install hello on $K2 again" 0 install hello/1.0 -k $K2
d_both 'sed -i "/^PACKAGE_VERSION/d" "$R/src/hello-1.0/dkms.conf"'
d_step "kernel_preinst with a broken dkms.conf" 8 kernel_preinst -k $K2
d_step "kernel_prerm: unbuilding fails (14)" 14 kernel_prerm -k $K2
d_tree "after the failed kernel_prerm"
d_done
