#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: modules without MODULE_VERSION or with an empty one, the
# "already installed (unversioned module)" refusal, and a dependency that
# fails to build in autoinstall.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
K1=6.1.0-1-fake
d_plan 16

d_kernel $K1 fake
d_module nover 1.0
d_module nover 2.0
d_module nover 3.0 nover 2.0
d_module emptyver 1.0
d_module failing 1.0
d_module faildep 1.0

d_step "install an unversioned module" 0 install nover/1.0 -k $K1
d_step "install one with an empty version" 0 install emptyver/1.0 -k $K1
d_step "status" 0 status
d_step "install unversioned 2.0 (other source)" 0 install nover/2.0 -k $K1
d_step "build unversioned 3.0 (2.0's source)" 0 build nover/3.0 -k $K1
d_step "install 3.0: the same module is already installed" 6 install nover/3.0 -k $K1
d_tree "nothing changed by the refusal"
d_step "install 3.0 --force" 0 install nover/3.0 -k $K1 --force
d_step "remove 3.0" 0 remove nover/3.0 --all
d_tree "after remove of 3.0"
d_step "remove emptyver" 0 remove emptyver/1.0 --all
d_step "add failing" 0 add failing/1.0
d_step "add faildep (depends on failing)" 0 add faildep/1.0
d_step "autoinstall: the dependency fails, its dependent too" 11 autoinstall -k $K1
d_tree "after the failed autoinstall"
d_step "status at the end" 0 status
d_done
