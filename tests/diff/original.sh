#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: a same-named module shipped with the kernel is moved aside
# on install and put back on uninstall; a newer one is never replaced.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
d_have_headers || d_skip_all "needs the Debian kernel headers of $D_REAL_KERNELS"
K1=6.1.0-56-amd64
K2=6.1.0-54-amd64
d_plan 18

d_kernel $K1
d_kernel $K2
d_module hello 1.0
d_build_ko hello 0.5 $K1 || exit 1
d_place_ko $K1/kernel/drivers/misc/hello.ko
d_build_ko hello 9.0 $K2 || exit 1
d_place_ko $K2/kernel/drivers/misc/hello.ko

d_step "install over an older original module" 0 install -m hello -v 1.0 -k $K1
d_tree "original moved to original_module/"
d_step "status shows original modules" 0 status
d_step "uninstall restores the original" 0 uninstall -m hello -v 1.0 -k $K1
d_tree "original restored"
d_step "install again" 0 install -m hello -v 1.0 -k $K1
d_step "remove --all restores the original" 0 remove -m hello/1.0 --all
d_tree "after remove --all"

d_step "add again" 0 add -m hello -v 1.0
d_step "install refused: kernel's module is newer" 6 install -m hello -v 1.0 -k $K2
d_tree "nothing installed when refused"
d_step "status: built only" 0 status
d_step "install --force replaces a newer module" 0 install -m hello -v 1.0 -k $K2 --force
d_tree "forced install"
d_step "uninstall puts the newer module back" 0 uninstall -m hello -v 1.0 -k $K2
d_tree "newer module back"
d_step "install over the original once more" 0 install -m hello -v 1.0 -k $K1
d_step "remove --all" 0 remove -m hello -v 1.0 --all
d_done
