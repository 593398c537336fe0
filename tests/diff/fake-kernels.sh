#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential, on fake kernels (tests/fake-kernel): the shared fixture
# modules (several modules per package, patches, build scripts,
# BUILD_DEPENDS with symbols, BUILD_EXCLUSIVE, a broken build) through
# autoinstall, compressed installs, mktarball and the kernel hooks.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
K1=6.1.0-1-fake
K2=5.10.0-9-fake
KX=6.1.0-2-fake
d_plan 25

d_kernel $K1 fake
d_kernel $K2 fake
d_kernel $KX fake CONFIG_MODULE_COMPRESS_NONE=n CONFIG_MODULE_COMPRESS_XZ=y
# 3.4.3 compresses like the modules already in the install tree
d_both 'echo stub | xz >"$R/lib/'$KX'/kernel/stub.ko.xz"'
for m in multi-0.1 provider-0.1 consumer-0.1 patched-0.1 scripts-0.1 exclusive-0.1; do
	d_shared_module $m
	d_step "add $m" 0 add "${m%-*}/${m##*-}"
done

d_step "autoinstall on $K1: provider before consumer" 0 autoinstall -k $K1
d_tree "after autoinstall on $K1"
d_step "status" 0 status
d_step "autoinstall on $K2: exclusive skipped" 0 autoinstall -k $K2
d_tree "after autoinstall on $K2"
d_step "install multi on a compressing kernel" 0 install multi/0.1 -k $KX
d_tree "compressed modules"
d_step "status with compressed modules" 0 status -k $KX
d_step "mktarball of consumer" 0 mktarball consumer/0.1 -k $K1 -k $K2
# (our build report aside, as in d_tree)
d_same "consumer tarball members" 'tar -tzf "$R/dkms/consumer/0.1/tarball/consumer-0.1-kernel'$K1'-x86_64-kernel'$K2'-x86_64.dkms.tar.gz" | grep -v "/dkms-build-report$" | sort'
d_step "kernel_preinst $K2" 0 kernel_preinst -k $K2
d_tree "after kernel_preinst"
d_shared_module broken-0.1
d_step "add broken" 0 add broken/0.1
d_step "kernel_postinst $K2: broken fails" 11 kernel_postinst -k $K2
d_step "kernel_prerm $K1" 0 kernel_prerm -k $K1
d_tree "after kernel_prerm"

# mktarball names the archive "manykernels" past 200 characters of list
d_shared_module hello-0.1
many=()
for i in 11 12 13 14 15 16 17 18; do
	d_kernel 6.1.0-$i-fake fake
	many+=(-k 6.1.0-$i-fake)
done
d_step "build hello on eight kernels" 0 build hello/0.1 "${many[@]}"
d_step "mktarball for eight kernels" 0 mktarball hello/0.1 "${many[@]}"
d_tree "a manykernels archive"
d_done
