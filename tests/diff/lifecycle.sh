#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: the life of one module on two kernels, reference vs ours.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
d_have_headers || d_skip_all "needs the Debian kernel headers of $D_REAL_KERNELS"
K1=6.1.0-56-amd64
K2=6.1.0-54-amd64
d_plan 27

d_kernel $K1
d_kernel $K2
d_module hello 1.0

d_step "status of an empty tree" 0 status
d_step "add" 0 add -m hello -v 1.0
d_tree "after add"
d_step "status: added" 0 status
d_step "build for $K1" 0 build -m hello -v 1.0 -k $K1
d_tree "after build"
d_step "build again is skipped" 0 build hello/1.0 -k $K1
d_step "status: built" 0 status
d_step "install for $K1 and $K2" 0 install -m hello/1.0 -k $K1 -k $K2
d_tree "after install on two kernels"
d_step "status: installed" 0 status
d_step "status -m hello" 0 status -m hello
d_step "status -m hello -v 1.0 -k $K2" 0 status -m hello -v 1.0 -k $K2
d_step "status -k $K1" 0 status -k $K1
d_step "status of an unknown module" 0 status -m nosuch
d_step "install again is skipped" 0 install -m hello -v 1.0 -k $K1
d_step "uninstall from $K2" 0 uninstall -m hello -v 1.0 -k $K2
d_tree "after uninstall of one kernel"
d_step "status after uninstall" 0 status
d_step "unbuild $K2" 0 unbuild -m hello -v 1.0 -k $K2
d_step "remove --all" 0 remove -m hello -v 1.0 --all
d_tree "after remove --all"
d_step "status after remove" 0 status
d_both 'd_fixture hello 2.0 "$R/pkg/hello-2.0"'
d_step "add by directory path" 0 add @ROOT@/pkg/hello-2.0
d_tree "after add by directory path"
d_step "install 2.0 by module/version" 0 install hello/2.0 -k $K1
d_tree "after install of 2.0"
d_done
