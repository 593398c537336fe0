#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rpm and dnf: the package of a kernel's headers is the provider of
# kernel-devel-uname-r = KVER, named name-version-release.arch, as the
# rpmdb (written here by rpm --root) or the repository metadata in dnf's
# cache (made by createrepo_c) know it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pkgdb/lib.sh"

need_libsolv
need rpm rpmbuild createrepo_c
plan 18
scratch
V=6.5.6 REL=300.fc39
K=$V-$REL.x86_64
R=$T/root
mkdir -p "$R"

# The kernel's packages as Fedora's kernel.spec declares them: -core
# installs the kernel, -devel and -debug-devel the headers, providing
# kernel-devel-uname-r = KVER (the debug kernel's KVER ends in +debug).
cat >"$T/kernel.spec" <<SPEC
Name: kernel
Version: $V
Release: $REL
Summary: kernel for the tests
License: GPL-2.0-only
%description
kernel for the tests
%package core
Summary: kernel for the tests
%description core
kernel for the tests
%package devel
Summary: headers for the tests
Provides: kernel-devel-uname-r = $K
%description devel
headers for the tests
%package debug-devel
Summary: debug headers for the tests
Provides: kernel-devel-uname-r = $K+debug
%description debug-devel
debug headers for the tests
%install
mkdir -p %{buildroot}/lib/modules/$K %{buildroot}/usr/src/kernels/$K %{buildroot}/usr/src/kernels/$K+debug
echo vmlinuz >%{buildroot}/lib/modules/$K/vmlinuz
echo 'all:' >%{buildroot}/usr/src/kernels/$K/Makefile
echo 'all:' >%{buildroot}/usr/src/kernels/$K+debug/Makefile
%files core
/lib/modules/$K/vmlinuz
%files devel
/usr/src/kernels/$K/Makefile
%files debug-devel
/usr/src/kernels/$K+debug/Makefile
SPEC
rpmbuild -bb --nodeps --target x86_64 --define "_topdir $T/rpmbuild" \
	--define "debug_package %{nil}" --define "_build_id_links none" \
	"$T/kernel.spec" >"$T/rpmbuild.log" 2>&1 ||
	bail_out "rpmbuild: $(tail -5 "$T/rpmbuild.log")"
rpms=$T/rpmbuild/RPMS/x86_64

# rpm_i NAME: installed into the scratch root's rpmdb by rpm
rpm_i() {
	rpm --force-debian --root "$R" --dbpath /var/lib/rpm -i --nodeps \
		"$rpms/$1-$V-$REL.x86_64.rpm" >"$T/rpm.log" 2>&1 ||
		bail_out "rpm -i $1: $(cat "$T/rpm.log")"
}

# dnf_cache DIR [createrepo_c OPTION...]: a repository of the -devel
# packages, its repodata where dnf caches it, in DIR under the root
dnf_cache() {
	local dir=$1
	shift
	rm -rf "$T/repo" "$R/var/cache/dnf" "$R/var/cache/libdnf5"
	mkdir -p "$T/repo" "$R/$dir"
	cp "$rpms"/kernel-devel-*.rpm "$rpms"/kernel-debug-devel-*.rpm "$T/repo/"
	createrepo_c -q "$@" "$T/repo" >"$T/createrepo.log" 2>&1 ||
		bail_out "createrepo_c: $(cat "$T/createrepo.log")"
	cp -r "$T/repo/repodata" "$R/$dir/"
}

is ENOENT "$(headers_pkg "$R" $K)" "no rpmdb: unknown"

rpm_i kernel-core
is "kernel-core-$V-$REL.x86_64" \
	"$(rpm --force-debian --root "$R" --dbpath /var/lib/rpm -qa 2>&1)" \
	"rpm installed the kernel"
is ENOENT "$(headers_pkg "$R" $K)" "the kernel installed, no repository cached: unknown"

dnf_cache var/cache/dnf/fedora-0123456789abcdef
is "kernel-devel-$K" "$(headers_pkg "$R" $K)" "dnf's cache names kernel-devel-$K"
is "" "$(cat "$T/hp.err")" "nothing said on stderr"
is "kernel-debug-devel-$K" "$(headers_pkg "$R" "$K+debug")" \
	"the debug kernel's headers: kernel-debug-devel"
is ENOENT "$(headers_pkg "$R" 6.5.7-200.fc39.x86_64)" \
	"a kernel whose headers no repository has: unknown"
is ENOENT "$(headers_pkg "$R" $V-$REL)" "KVER is matched whole, not as a version"

dnf_cache var/cache/dnf/updates-0123456789abcdef --general-compress-type xz
like "$(ls "$R"/var/cache/dnf/*/repodata)" 'primary\.xml\.xz$' "createrepo_c wrote an xz primary.xml"
is "kernel-devel-$K" "$(headers_pkg "$R" $K)" "an xz-compressed primary.xml is read"
# Fedora's are zstd-compressed; Debian's createrepo_c cannot write them
if command -v zstd >/dev/null; then
	for f in "$R"/var/cache/dnf/*/repodata/*-primary.xml.xz; do
		xz -dc "$f" | zstd -q -o "${f%.xz}.zst" && rm "$f"
	done
	is "kernel-devel-$K" "$(headers_pkg "$R" $K)" "a zstd-compressed primary.xml is read"
else
	skip "zstd is not installed"
fi

dnf_cache var/cache/libdnf5/fedora-0123456789abcdef
is "kernel-devel-$K" "$(headers_pkg "$R" $K)" "dnf5's cache is read"
is "kernel-devel-$K" "$(headers_pkg -n "$R" $K)" \
	"the rpmdb left alone (inside an rpm transaction): dnf's cache is read"

# the headers installed (their build link since lost), no cache
rm -rf "$R/var/cache/libdnf5"
rpm_i kernel-devel
is "kernel-devel-$K" "$(headers_pkg "$R" $K)" "the rpmdb names the installed kernel-devel"
is ENOENT "$(headers_pkg -n "$R" $K)" "the rpmdb left alone: it names nothing"
like "$(cat "$T/hp.log")" "the rpmdb is left alone" "the log says it was left alone"

out=$(no_libsolv "$R" $K)
is EOPNOTSUPP "$out" "libsolv cannot be loaded: unknown (EOPNOTSUPP)"
is "" "$(cat "$T/hp.err")" "nothing said on stderr"

done_testing
