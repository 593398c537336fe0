#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: autoinstall's skipped, deferred and failed summaries.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
d_have_headers || d_skip_all "needs the Debian kernel headers of $D_REAL_KERNELS"
K1=6.1.0-56-amd64
NOHDR=6.1.0-99-amd64
d_plan 23

d_kernel $K1
d_kernel $NOHDR noheaders
for m in hello excl orphan failing cyca cycb; do d_module $m 1.0; done

d_step "add hello" 0 add hello/1.0
d_step "add excl (BUILD_EXCLUSIVE)" 0 add excl/1.0
d_step "autoinstall: excl skipped" 0 autoinstall -k $K1
d_tree "after autoinstall with a skipped module"
d_step "add orphan (dependency not registered)" 0 add orphan/1.0
d_step "autoinstall: orphan deferred" 0 autoinstall -k $K1
d_step "autoinstall: missing headers" 21 autoinstall -k $NOHDR
d_step "add failing" 0 add failing/1.0
d_step "autoinstall: a build fails" 11 autoinstall -k $K1
d_tree "after a failed autoinstall"
d_step "remove failing" 0 remove failing/1.0 --all
d_step "add cyca and cycb (circular BUILD_DEPENDS)" 0 add cyca/1.0
d_step "add cycb" 0 add cycb/1.0
d_step "autoinstall: circular dependencies" 11 autoinstall -k $K1
d_step "kernel_postinst fails the same way" 11 kernel_postinst -k $K1
d_step "status" 0 status
d_module noauto 1.0
d_step "build noauto" 0 build noauto/1.0 -k $K1
d_both 'rm -rf "$R/src/noauto-1.0"'
d_step "autoinstall with a broken module" 11 autoinstall -k $K1
d_step "match with a broken module (no headers for the target)" 21 match --templatekernel $K1 -k $NOHDR
d_step "kernel_preinst with a broken module built" 4 kernel_preinst -k $K1
d_step "kernel_prerm with a broken module built" 0 kernel_prerm -k $K1
d_tree "after kernel_prerm with a broken module"
d_step "status with a broken module" 0 status
d_done
