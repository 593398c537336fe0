#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The rpm plugin on Debian's real kernel headers (tests/rpm/rpm-lib.sh):
# a driver source package installed with rpm --root into a root whose
# only kernel is this machine's 6.1.0-56-amd64 is built by the real
# kbuild there (its build link and Makefiles hold absolute paths: the
# build runs chrooted into the root), installed with that kernel's
# vermagic, and goes with its package.
. "$top_srcdir/tests/rpm/rpm-lib.sh"

K=${DEBIAN_KERNEL:-6.1.0-56-amd64}
rpm_need
rpm_heavy
have_real_kernel "$K" || skip_all "kernel headers for $K are not installed"
command -v modinfo >/dev/null || skip_all "modinfo is not installed (kmod)"

rpm_init "$K"
spec_source foo 1.0
rpms

rpm_run -i "$(rpm_of foo-dkms)"
is 0 "$rc" "rpm -i on real headers: exit 0"
is "" "$(grep -i 'error' <<<"$err")" "no error"
is "foo/1.0, $K, x86_64: installed" "$(root_dkms status 2>&1)" "built and installed for $K"
ko=/lib/modules/$K/updates/dkms/foo.ko
like "$(in_root chroot "$R" modinfo -F vermagic "$ko" 2>&1)" "^$K SMP " \
	"the module has the kernel's vermagic"

rpm_run -e foo-dkms
is 0 "$rc" "rpm -e: exit 0"
check "the module is gone" root_test ! -e "$ko"
is "" "$(root_dkms status 2>&1)" "nothing left in the tree"

done_testing
