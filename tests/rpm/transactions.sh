#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The rpm plugin under the real rpm (rpm --root, tests/rpm/rpm-lib.sh):
# driver source packages and a kernel's packages made by rpmbuild,
# installed, upgraded and erased on a scratch root; each transaction is
# one batch of the root's own dkms, whose events rpm's output lists.
# Source then kernel, a failing build next to a good one, an upgrade, the
# source erased, the kernel erased; then kernel then source, and both in
# one transaction, on a fresh root; and rpm run on the system itself (no
# --root), with the plugin and the macros file where make install put
# them.
. "$top_srcdir/tests/rpm/rpm-lib.sh"

rpm_need
rpm_heavy
V=6.1.99 REL=1.fake
K=$V-$REL.x86_64

rpm_init
spec_source foo 1.0
spec_source foo 2.0
spec_source bar 1.0
spec_source bad 1.0 fail
spec_kernel $V $REL
rpms
status() {
	root_dkms status 2>&1
}
# the events the output lists, sorted (they come in rpm's order)
events() {
	sed -n 's/^dkms: event: //p' <<<"$out" | sort
}

# ---- a source, then its kernel ----
rpm_run -i "$(rpm_of foo-dkms 1.0)"
is 0 "$rc" "a source, no kernel yet: rpm exits 0"
is "source-added /usr/src/foo-1.0" "$(events)" "the event is listed as dkms batch reads it"
like "$out" "^dkms: no kernel has its headers installed: the new module is built for none$" \
	"nothing to build for"
is "foo/1.0: added" "$(status)" "foo is added"

rpm_run -i "$(rpm_of kernel-core)" "$(rpm_of kernel-devel)"
is 0 "$rc" "the kernel arrives: rpm exits 0"
is "kernel-added $K" "$(events)" "its two packages are one event"
is "foo/1.0, $K, x86_64: installed" "$(status)" "foo is built and installed for the new kernel"
check "foo.ko is in the kernel's tree" root_test -f "/lib/modules/$K/updates/dkms/foo.ko"

# ---- a source whose build fails next to one that builds ----
rpm_run -i "$(rpm_of bar-dkms)" "$(rpm_of bad-dkms)"
is 0 "$rc" "a failing build does not fail the transaction"
like "$err" "^dkms:   bad/1\.0 failed for kernel $K: the build failed; see /var/lib/dkms/bad/1\.0/\.$K-x86_64\.make\.log$" \
	"the failure is named, with its kernel and make.log"
check "that make.log is kept" root_test -s "/var/lib/dkms/bad/1.0/.$K-x86_64.make.log"
like "$(status)" "^bar/1\.0, $K, x86_64: installed$" "the good one is installed"
rpm_run -q bar-dkms bad-dkms
is 0 "$rc" "both packages are installed"

# ---- the source upgraded ----
rpm_run -U "$(rpm_of foo-dkms 2.0)"
is 0 "$rc" "upgrade: rpm exits 0"
is "source-added /usr/src/foo-2.0
source-removing /usr/src/foo-1.0" "$(events)" "the events of both versions"
like "$(status)" "^foo/2\.0, $K, x86_64: installed$" "the new version is installed"
unlike "$(status)" "^foo/1\.0" "the old version is gone from the tree"
check "the old source is gone" root_test ! -e /usr/src/foo-1.0

# ---- the source erased ----
rpm_run -e foo-dkms
is 0 "$rc" "erase: rpm exits 0"
is "source-removing /usr/src/foo-2.0" "$(events)" "its event"
unlike "$(status)" "^foo/" "foo is gone from the tree"
check "and from the kernel" root_test ! -e "/lib/modules/$K/updates/dkms/foo.ko"

# ---- the kernel erased ----
rpm_run -e kernel-core kernel-devel
is 0 "$rc" "the kernel erased: rpm exits 0"
is "dkms: removing module bar/1.0 for kernel $K (x86_64)" "$err" \
	"on stderr, dkms's word (as kernel_prerm's), nothing of rpm's"
is "kernel-removing $K" "$(events)" "one event, for its image"
is "bad/1.0: added
bar/1.0: added" "$(status)" "nothing is left built for it; the sources stay"

# ---- a kernel, then a source; both in one transaction ----
rpm_init
rpm_run -i "$(rpm_of kernel-core)" "$(rpm_of kernel-devel)"
rpm_run -i "$(rpm_of foo-dkms 1.0)"
is 0 "$rc" "kernel then source: rpm exits 0"
is "foo/1.0, $K, x86_64: installed" "$(status)" "the source is built for the kernel there"

rpm_init
rpm_run -i "$(rpm_of kernel-core)" "$(rpm_of kernel-devel)" "$(rpm_of foo-dkms 1.0)" \
	"$(rpm_of bar-dkms)"
is 0 "$rc" "kernel and sources in one transaction: rpm exits 0"
is "kernel-added $K
source-added /usr/src/bar-1.0
source-added /usr/src/foo-1.0" "$(events)" "one batch of three events"
is 1 "$(grep -c '^Autoinstall of module foo/1\.0 ' <<<"$out")" "foo is built once"
is "bar/1.0, $K, x86_64: installed
foo/1.0, $K, x86_64: installed" "$(status)" "both installed"

# ---- rpm on the system itself ----
rpm_init
rpm_inside -i "$(rpm_of kernel-core)" "$(rpm_of kernel-devel)" "$(rpm_of foo-dkms 1.0)"
is 0 "$rc" "no --root: rpm exits 0"
is "kernel-added $K
source-added /usr/src/foo-1.0" "$(events)" "the plugin installed in the system acts"
is "foo/1.0, $K, x86_64: installed" "$(status)" "foo is installed"
rpm_inside -e foo-dkms
is "" "$(status)" "erased: foo is gone"

done_testing
