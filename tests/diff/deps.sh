#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: BUILD_DEPENDS outside autoinstall (build refused with 13,
# --force), a module depending on itself, and BUILD_DEPENDS_REBUILD
# triggered by a plain install of a new dependency version.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
K1=6.1.0-1-fake
d_plan 31

d_kernel $K1 fake
d_module dep 1.0
d_module hello 1.0
d_module hello 2.0
d_module deprebuild 1.0
d_module selfdep 1.0

d_step "add dep" 0 add dep/1.0
d_step "build without its dependency" 13 build dep/1.0 -k $K1
d_step "build --force without its dependency" 0 build dep/1.0 -k $K1 --force
d_step "install it" 0 install dep/1.0 -k $K1
d_step "autoinstall: nothing to do" 0 autoinstall -k $K1
d_step "unbuild it" 0 unbuild dep/1.0 -k $K1
d_step "autoinstall: dependency not registered" 0 autoinstall -k $K1
d_step "add selfdep" 0 add selfdep/1.0
d_step "autoinstall: a module depending on itself" 11 autoinstall -k $K1
d_step "autoinstall -q: the same exit code, nothing printed" 11 autoinstall -k $K1 -q
d_step "remove selfdep" 0 remove selfdep/1.0 --all
d_step "add hello 1.0" 0 add hello/1.0
d_step "add deprebuild" 0 add deprebuild/1.0
d_step "autoinstall" 0 autoinstall -k $K1
d_tree "dependency versions recorded"
d_step "install hello 2.0 by hand: deprebuild rebuilt" 0 install hello/2.0 -k $K1
d_tree "after the rebuild"
d_step "install hello 1.0 --force: no rebuild under --force" 0 install hello/1.0 -k $K1 --force
d_tree "after the forced downgrade"
d_step "status" 0 status
# 3.4.3 records the newest registered dependency version, built or not
d_module hello 3.0
d_step "add hello 3.0 (not built)" 0 add hello/3.0
d_step "unbuild deprebuild" 0 unbuild deprebuild/1.0 -k $K1
d_step "build deprebuild again: records hello 3.0" 0 build deprebuild/1.0 -k $K1
d_tree "dependency version with an unbuilt newer hello"
d_step "uninstall dep" 0 uninstall dep/1.0 -k $K1
d_step "install dep: no rebuild of deprebuild" 0 install dep/1.0 -k $K1
d_step "remove hello 3.0" 0 remove hello/3.0 --all
d_step "kernel_prerm --verbose" 0 kernel_prerm -k $K1 --verbose
d_step "autoinstall --verbose" 0 autoinstall -k $K1 --verbose
d_step "kernel_preinst --verbose" 0 kernel_preinst -k $K1 --verbose
d_tree "at the end"
d_done
