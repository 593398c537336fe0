#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: autoinstall picks the newest version of every AUTOINSTALL
# module, in BUILD_DEPENDS order, and rebuilds dependents whose dependency
# changed (BUILD_DEPENDS_REBUILD).
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
d_have_headers || d_skip_all "needs the Debian kernel headers of $D_REAL_KERNELS"
K1=6.1.0-56-amd64
K2=6.1.0-54-amd64
d_plan 21

d_kernel $K1
d_kernel $K2
d_module hello 1.0
d_module hello 2.0
d_module dep 1.0
d_module deprebuild 1.0
d_module noauto 1.0

d_step "autoinstall --all is refused" 5 autoinstall --all
# Several -k in one autoinstall are ours (3.4.3 refuses them with 4):
# tests/speed/autoinstall-kernels.sh compares them with one call per kernel.
d_step "autoinstall with nothing added" 0 autoinstall -k $K1
d_step "add hello 1.0" 0 add hello/1.0
d_step "add dep (BUILD_DEPENDS=hello)" 0 add dep/1.0
d_step "add noauto (AUTOINSTALL=no)" 0 add noauto/1.0
d_step "autoinstall: dependency first" 0 autoinstall -k $K1
d_tree "after autoinstall"
d_step "autoinstall again does nothing" 0 autoinstall -k $K1
d_step "add deprebuild (BUILD_DEPENDS_REBUILD)" 0 add deprebuild/1.0
d_step "autoinstall on $K1" 0 autoinstall -k $K1
d_tree "dependency versions recorded"
d_step "add hello 2.0" 0 add hello/2.0
d_step "autoinstall: newest version, dependents rebuilt" 0 autoinstall -k $K1
d_tree "after upgrade to hello 2.0"
d_step "status" 0 status
d_etc no-autoinstall
d_step "autoinstall disabled by /etc/dkms/no-autoinstall" 0 autoinstall -k $K2
d_etc_clear
d_step "kernel_postinst on $K2" 0 kernel_postinst -k $K2
d_tree "after kernel_postinst"
d_step "kernel_preinst on $K2" 0 kernel_preinst -k $K2
d_tree "after kernel_preinst"
d_step "status at the end" 0 status
d_done
