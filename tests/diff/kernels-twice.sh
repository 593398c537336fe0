#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: the same kernel given twice on the command line, reference
# vs ours.  autoinstall takes several distinct kernels in one call (ours;
# tests/speed/autoinstall-kernels.sh) but refuses one kernel twice, as
# 3.4.3 refuses several; the other actions (the kernel hooks, match,
# build, install, status, mktarball, uninstall, unbuild) do what 3.4.3
# does with it.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
K1=6.1.0-1-fake
K2=6.1.0-2-fake
d_plan 21

d_kernel $K1 fake
d_kernel $K2 fake
d_module hello 1.0

d_step "add" 0 add hello/1.0
d_step "autoinstall -k K -k K" 4 autoinstall -k $K1 -k $K1
d_step "autoinstall -k K -k K/ARCH" 4 autoinstall -k $K1 -k $K1/x86_64
d_step "autoinstall -k K -k K -a ARCH" 4 autoinstall -k $K1 -k $K1 -a x86_64
d_step "autoinstall --kernelver K --kernelver=K" 4 \
	autoinstall --kernelver $K1 --kernelver=$K1
d_step "autoinstall -k K1 -k K2 -k K1" 4 autoinstall -k $K1 -k $K2 -k $K1
d_step "autoinstall -k K -k K --all" 2 autoinstall -k $K1 -k $K1 --all
d_tree "nothing built"
d_step "kernel_postinst -k K -k K" 4 kernel_postinst -k $K1 -k $K1
d_step "kernel_preinst -k K -k K" 4 kernel_preinst -k $K1 -k $K1
d_step "kernel_prerm -k K -k K" 4 kernel_prerm -k $K1 -k $K1
d_step "match -k K -k K" 4 match --templatekernel $K2 -k $K1 -k $K1
d_step "build -k K -k K" 0 build hello/1.0 -k $K1 -k $K1
d_step "install -k K -k K" 0 install hello/1.0 -k $K1 -k $K1
d_tree "installed once"
d_step "status -k K -k K" 0 status hello/1.0 -k $K1 -k $K1
d_step "mktarball -k K -k K" 0 mktarball hello/1.0 -k $K1 -k $K1 \
	--archive @ROOT@/twice.tar.gz
# (our build report beside make.log has no counterpart in 3.4.3's)
d_same "mktarball -k K -k K: the same members" \
	'tar tzf "$R/twice.tar.gz" | grep -v /dkms-build-report | sort'
d_step "uninstall -k K -k K" 0 uninstall hello/1.0 -k $K1 -k $K1
d_step "unbuild -k K -k K" 0 unbuild hello/1.0 -k $K1 -k $K1
d_tree "unbuilt"
d_done
