#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The rpm plugin under dnf (dnf --installroot, from a local repository
# made by createrepo_c; tests/rpm/rpm-lib.sh): dnf drives librpm in its
# own process, so the same plugin acts.  A source installed, a kernel
# arriving without its headers (the package to install is named, from
# the repository dnf has in its cache, while the transaction holds the
# rpmdb), its headers arriving, the source upgraded, then erased, the
# kernel erased, and a kernel arriving with its headers.
. "$top_srcdir/tests/rpm/rpm-lib.sh"

rpm_need dnf createrepo_c
rpm_heavy
V=6.1.99 REL=1.fake
K=$V-$REL.x86_64

rpm_init
spec_source foo 1.0
spec_source foo 2.0
spec_kernel $V $REL
rpms
mkdir -p "$T/repo"
cp "$(rpm_of foo-dkms 1.0)" "$(rpm_of kernel-core)" "$(rpm_of kernel-devel)" "$T/repo/"
status() {
	root_dkms status 2>&1
}

dnf_run install foo-dkms
is 0 "$rc" "dnf install foo-dkms: exit 0"
like "$out" "^dkms: event: source-added /usr/src/foo-1\.0$" "the event is listed"
is "foo/1.0: added" "$(status)" "foo is added"

start=$SECONDS
dnf_run install kernel-core
is 0 "$rc" "a kernel without its headers: exit 0"
like "$out" "^dkms: the headers of kernel $K are not installed: install kernel-devel-$K$" \
	"the package to install is named"
check "no wait on the rpmdb the transaction holds" test $((SECONDS - start)) -lt 60
is "foo/1.0: added" "$(status)" "nothing built"

dnf_run install kernel-devel
is 0 "$rc" "its headers arrive: exit 0"
like "$out" "^dkms: event: kernel-added $K$" "the kernel's event"
is "foo/1.0, $K, x86_64: installed" "$(status)" "foo is built and installed for it"

cp "$(rpm_of foo-dkms 2.0)" "$T/repo/"
dnf_run upgrade foo-dkms
is 0 "$rc" "dnf upgrade foo-dkms: exit 0"
like "$out" "^dkms: event: source-removing /usr/src/foo-1\.0$" "the old version's event"
like "$out" "^dkms: event: source-added /usr/src/foo-2\.0$" "the new version's event"
is "foo/2.0, $K, x86_64: installed" "$(status)" "the new version replaces the old one"

dnf_run remove foo-dkms
is 0 "$rc" "dnf remove foo-dkms: exit 0"
is "" "$(status)" "foo is gone from the tree"
check "and from the kernel" root_test ! -e "/lib/modules/$K/updates/dkms/foo.ko"

dnf_run install foo-dkms-1.0
dnf_run remove kernel-core kernel-devel
is 0 "$rc" "dnf remove the kernel: exit 0"
like "$out" "^dkms: event: kernel-removing $K$" "the kernel's event"
is "foo/1.0: added" "$(status)" "nothing left built for it; the source stays"

dnf_run install kernel-core kernel-devel
is 0 "$rc" "dnf install kernel-core kernel-devel: exit 0"
is "foo/1.0, $K, x86_64: installed" "$(status)" "the kernel and its headers together: foo built for it"

done_testing
