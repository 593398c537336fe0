#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: what /etc/dkms changes (framework.conf values, per-module
# overrides, no-autoinstall), the same files given to both programs.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
d_todo "*post_transaction with \$kernelver*" "ours reads framework.conf as data: no \$kernelver in values"
K1=6.1.0-1-fake
d_plan 20

d_kernel $K1 fake
d_module hello 1.0
d_module noauto 1.0

d_etc framework.conf 'symlink_modules="true"
parallel_jobs=1
'
d_step "install with symlink_modules" 0 install hello/1.0 -k $K1
d_tree "after install with symlink_modules"
d_step "uninstall" 0 uninstall hello/1.0 -k $K1
d_etc_clear
d_etc framework.conf.d/jobs.conf 'parallel_jobs=3
'
d_step "framework.conf.d: build with -j3" 0 build hello/1.0 -k $K1 --force
d_etc_clear
d_etc noauto.conf 'AUTOINSTALL="yes"
'
d_step "add noauto" 0 add noauto/1.0
d_step "autoinstall: /etc/dkms/noauto.conf turns AUTOINSTALL on" 0 autoinstall -k $K1
d_tree "noauto autoinstalled"
d_etc_clear
d_step "uninstall hello" 0 uninstall hello/1.0 -k $K1
d_etc hello-1.0.conf 'AUTOINSTALL="maybe"
'
d_step "autoinstall stops at a bad AUTOINSTALL in an override" 8 autoinstall -k $K1
d_etc_clear
d_etc no-autoinstall
d_step "no-autoinstall" 0 autoinstall -k $K1
d_step "kernel_postinst honours it too" 0 kernel_postinst -k $K1
d_etc_clear
d_step "kernel_prerm" 0 kernel_prerm -k $K1
d_tree "after kernel_prerm"

d_step "generate_mok" 0 generate_mok
d_etc framework.conf 'mok_signing_key=/nonexistent/dir/mok.key
'
d_step "generate_mok where the key cannot be written" 1 generate_mok
d_etc_clear
d_etc framework.conf 'post_transaction="echo transaction done"
'
d_step "post_transaction: after install" 0 install hello/1.0 -k $K1
d_step "post_transaction: after uninstall" 0 uninstall hello/1.0 -k $K1
d_tree "post_transaction: its log"
d_etc framework.conf 'post_transaction="echo transaction for $kernelver"
'
d_step "post_transaction with \$kernelver: install" 0 install hello/1.0 -k $K1
d_tree "post_transaction with \$kernelver: its log"
d_done
