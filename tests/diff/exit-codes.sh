#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: exit codes on their way out.  A PRE_BUILD script's exit
# status is the one 3.4.3 exits with (42, not one of its codes; 77, which
# autoinstall then counts as skipped), for a build and in autoinstall run
# one module at a time and side by side (-j 2: our scheduler's children
# hand the status back as their exit status); a forced reinstall whose
# uninstall dies (a dkms.conf gone bad) ends there.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
K=6.1.0-1-fake
d_plan 14

d_kernel $K fake
d_module prestatus 1.0
d_both 'echo 42 >"$R/src/prestatus-1.0/exit-status"'
d_step "add prestatus" 0 add prestatus/1.0
d_step "build: PRE_BUILD exits 42" 42 build prestatus/1.0 -k $K
d_step "autoinstall, one module: failed (42)" 11 autoinstall -k $K
d_module hello 1.0
d_step "add hello" 0 add hello/1.0
d_step "autoinstall -j 2, two modules side by side: failed (42)" 11 autoinstall -k $K -j 2
d_tree "after the failed autoinstalls"

d_both 'echo 77 >"$R/src/prestatus-1.0/exit-status"'
d_step "build: PRE_BUILD exits 77" 77 build prestatus/1.0 -k $K
d_module hello 2.0
d_step "add hello 2.0" 0 add hello/2.0
d_step "autoinstall -j 2: PRE_BUILD's 77 is a skip" 0 autoinstall -k $K -j 2
d_step "autoinstall, one module: skipped" 0 autoinstall -k $K
d_tree "after the skips"

d_both 'echo "DEST_MODULE_LOCATION[0]=/usr/lib" >>"$R/src/hello-2.0/dkms.conf"'
d_step "install --force over a module whose dkms.conf went bad" 8 install hello/2.0 -k $K --force
d_tree "after the refused reinstall"
d_step "status" 0 status
d_done
