# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the tests/rpm scenarios: the rpm plugin run by the real rpm
# and dnf on a scratch root, with packages made by rpmbuild.
#
# The root, $R, is a copy-on-write overlay of this machine's / (so it has
# the compiler, make, kmod and bash builds need), mounted afresh in a
# private mount namespace for each command that looks at it (in_root);
# what is written lands in $T/upper and stays from one command to the
# next, and nothing of the machine changes.  Its kernels, dkms tree and
# settings are the machine's hidden, and this build is installed in it
# (make install DESTDIR), plugin and dkms included; rpm and dnf load the
# installed plugin through $HOME/.rpmmacros: the installed macros file,
# %__plugindir pointing at the plugin installed in $R.
#
#   rpm_need [TOOL...]     skip the script where this cannot run (no
#                          plugin built, no rpm, rpmbuild or TOOL, no
#                          overlayfs in a mount namespace)
#   rpm_heavy              skip it in a sanitizer build (real builds)
#   rpm_init [KVER...]     a scratch $T (the first time) and a fresh root
#                          $R in it, the machine's kernels KVER kept (their
#                          headers are real), the others hidden; what
#                          rpms built stays
#   in_root CMD...         CMD with $R mounted
#   rpm_run ARGS...        rpm --root $R --dbpath /var/lib/rpm ARGS; sets
#                          $rc, $out, $err (the scratch dir as <T>)
#   rpm_inside ARGS...     rpm ARGS run chrooted into $R, no --root: the
#                          plugin and macros file where make install put
#                          them in $R; sets $rc, $out, $err
#   dnf_run ARGS...        dnf --installroot $R from the local repository
#                          $T/repo (createrepo_c); sets $rc, $out, $err
#   root_dkms ARGS...      the root's dkms, chrooted, e.g. status
#   spec_source NAME VERSION [fail]   NAME-dkms-VERSION: /usr/src/NAME-VERSION
#                          with an AUTOINSTALL module (whose build fails)
#   spec_kernel V REL      kernel-core and kernel-devel for KVER V-REL.x86_64:
#                          vmlinuz, and a fake kernel build dir
#                          (tests/fake-kernel/mkfake.sh) as
#                          /usr/src/kernels/KVER, /lib/modules/KVER/build
#                          linking to it
#   spec_unrelated         unrelated-1.0: one file in /usr/share
#   rpms                   build the specs written: $T/rpms/NAME-...rpm
. "$top_srcdir/tests/lib.sh"

rpm_need() {
	local p
	p=$(sed -n 's/^RPM_PLUGIN = //p' "$top_builddir/Makefile")
	[ "$p" = yes ] || skip_all "the rpm plugin is not built: $(sed -n 's/^RPM_PLUGIN_WHY = //p' "$top_builddir/Makefile")"
	for p in rpm rpmbuild "$@"; do
		command -v "$p" >/dev/null ||
			skip_all "$p is not installed (scripts/install-deps.sh)"
	done
	p=$(can_sandbox) || skip_all "$p"
}

rpm_heavy() {
	if grep -qs '^SANITIZER_CFLAGS = .*-fsanitize' "$top_builddir/Makefile"; then
		skip_all "real rpm transactions run in the release build only (sanitizers here)"
	fi
}

# in_root CMD...: CMD where $R is the overlay, with its own /proc, /sys
# and a /dev of the usual nodes (binds of the machine's would leave
# them writable through $R)
in_root() {
	unshare -m --propagation private bash -c '
		R=$1 T=$2; shift 2
		mount -t overlay overlay -o "lowerdir=/,upperdir=$T/upper,workdir=$T/work" "$R" || exit 125
		mount -t proc proc "$R/proc" && mount -t sysfs -o ro sysfs "$R/sys" &&
			mount -t tmpfs -o mode=755 tmpfs "$R/dev" || exit 125
		cp -a /dev/null /dev/zero /dev/full /dev/random /dev/urandom "$R/dev/" || exit 125
		ln -s /proc/self/fd "$R/dev/fd"
		exec "$@"' in-root "$R" "$T" "$@"
}

# rpm_init [KVER...]
rpm_init() {
	local keep=" $* " k d
	[ -n "${R:-}" ] || scratch
	R=$T/root
	rm -rf "$T/upper" "$T/work"
	mkdir -p "$R" "$T/upper" "$T/work" "$T/home" "$T/specs" "$T/rpms"
	# what the machine has that a fresh root would not, hidden
	in_root bash -c '
		R=$1 keep=$2
		for k in "$R"/usr/lib/modules/*; do
			case $keep in *" ${k##*/} "*) ;; *) rm -rf "$k" ;; esac
		done
		rm -rf "$R/var/lib/dkms" "$R/etc/dkms" "$R/var/lib/rpm" "$R/var/cache/dnf" \
			"$R/etc/yum.repos.d" "$R/etc/dnf"' - "$R" "$keep" ||
		bail_out "cannot prepare the scratch root"
	in_root make -C "$top_builddir" install DESTDIR="$R" >"$T/install.log" 2>&1 ||
		bail_out "make install DESTDIR=root: $(tail -5 "$T/install.log")"
	d=$(sed -n 's/^rpmplugindir = //p' "$top_builddir/Makefile")
	k=$(sed -n 's/^rpmmacrosdir = //p' "$top_builddir/Makefile")
	in_root cat "$R$k/macros.transaction_dkms" >"$T/macros" ||
		bail_out "make install left no $k/macros.transaction_dkms"
	{
		echo "%__plugindir $R$d"
		echo "%_dbpath /var/lib/rpm"
		cat "$T/macros"
	} >"$T/home/.rpmmacros"
	RPM_SBINDIR=$(sed -n 's/^sbindir = //p' "$top_builddir/Makefile")
	RPM_SBINDIR=${RPM_SBINDIR/\$\{exec_prefix\}/$(sed -n 's/^exec_prefix = //p' "$top_builddir/Makefile")}
	RPM_SBINDIR=${RPM_SBINDIR/\$\{prefix\}/$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")}
}

# the outcome of a command: $rc, $out and $err with $T as <T>
_outcome() {
	rc=$1
	out=$(normalize_output <"$T/.out")
	err=$(normalize_output <"$T/.err")
}

rpm_run() {
	in_root env HOME="$T/home" rpm --force-debian --root "$R" \
		--dbpath /var/lib/rpm "$@" >"$T/.out" 2>"$T/.err"
	_outcome $?
}

rpm_inside() {
	in_root chroot "$R" env HOME=/nonexistent rpm --force-debian \
		--dbpath /var/lib/rpm "$@" >"$T/.out" 2>"$T/.err"
	_outcome $?
}

dnf_run() {
	rm -rf "$T/repo/repodata"
	createrepo_c -q "$T/repo" >"$T/createrepo.log" 2>&1 ||
		bail_out "createrepo_c: $(cat "$T/createrepo.log")"
	in_root env HOME="$T/home" dnf -y --installroot="$R" --releasever=1 \
		--disablerepo='*' --repofrompath=local,"file://$T/repo" \
		--setopt=local.gpgcheck=0 --setopt=install_weak_deps=0 --refresh \
		"$@" >"$T/.out" 2>"$T/.err"
	_outcome $?
}

root_dkms() {
	in_root chroot "$R" "$RPM_SBINDIR/dkms" "$@"
}

# root_test TEST-ARGS...: test(1) on a path inside the root
root_test() {
	in_root chroot "$R" test "$@"
}

spec_source() {
	local name=$1 version=$2 fail=${3:-}
	cat >"$T/specs/$name-dkms-$version.spec" <<-SPEC
	Name: $name-dkms
	Version: $version
	Release: 1
	Summary: $name driver sources for the tests
	License: GPL-2.0-or-later
	BuildArch: noarch
	AutoReqProv: no
	%description
	$name driver sources for the tests
	%install
	d=%{buildroot}/usr/src/$name-$version
	mkdir -p \$d
	printf '#include <linux/module.h>\\nMODULE_LICENSE("GPL");\\n' >\$d/$name.c
	printf 'obj-m := $name.o\\n' >\$d/Makefile
	${fail:+printf '\$(error $name $version does not build)\\n' >>\$d/Makefile}
	printf 'PACKAGE_NAME="$name"\\nPACKAGE_VERSION="$version"\\nBUILT_MODULE_NAME[0]="$name"\\nDEST_MODULE_LOCATION[0]="/updates"\\nAUTOINSTALL="yes"\\n' >\$d/dkms.conf
	%files
	/usr/src/$name-$version
	SPEC
}

spec_kernel() {
	local v=$1 rel=$2 k=$1-$2.x86_64
	cat >"$T/specs/kernel-$v-$rel.spec" <<-SPEC
	Name: kernel
	Version: $v
	Release: $rel
	Summary: kernel for the tests
	License: GPL-2.0-only
	ExclusiveArch: x86_64
	AutoReqProv: no
	%description
	kernel for the tests
	%package core
	Summary: kernel for the tests
	AutoReqProv: no
	%description core
	kernel for the tests
	%package devel
	Summary: kernel headers for the tests
	AutoReqProv: no
	Provides: kernel-devel-uname-r = $k
	%description devel
	kernel headers for the tests
	%install
	mkdir -p %{buildroot}/lib/modules/$k %{buildroot}/usr/src/kernels
	echo "fake kernel image" >%{buildroot}/lib/modules/$k/vmlinuz
	: >%{buildroot}/lib/modules/$k/modules.order
	sh $top_srcdir/tests/fake-kernel/mkfake.sh %{buildroot}/usr/src/kernels/$k $k
	ln -s /usr/src/kernels/$k %{buildroot}/lib/modules/$k/build
	%files core
	/lib/modules/$k/vmlinuz
	/lib/modules/$k/modules.order
	%dir /lib/modules/$k
	%files devel
	/lib/modules/$k/build
	/usr/src/kernels/$k
	SPEC
}

spec_unrelated() {
	cat >"$T/specs/unrelated.spec" <<-SPEC
	Name: unrelated
	Version: 1.0
	Release: 1
	Summary: a package neither dkms nor a kernel
	License: GPL-2.0-or-later
	BuildArch: noarch
	AutoReqProv: no
	%description
	a package neither dkms nor a kernel
	%install
	mkdir -p %{buildroot}/usr/share/unrelated
	echo data >%{buildroot}/usr/share/unrelated/data
	%files
	/usr/share/unrelated
	SPEC
}

rpms() {
	local s
	for s in "$T"/specs/*.spec; do
		rpmbuild -bb --define "_topdir $T/rpmbuild" --define "_rpmdir $T/rpms" \
			--define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
			--define "debug_package %{nil}" --define "_build_id_links none" \
			--define "__brp_strip %{nil}" --define "__os_install_post %{nil}" \
			"$s" >"$T/rpmbuild.log" 2>&1 ||
			bail_out "rpmbuild $(basename "$s"): $(tail -5 "$T/rpmbuild.log")"
		rm "$s"
	done
}

# rpm_of NAME [VERSION]: the rpm file of NAME (of that version)
rpm_of() {
	local f
	for f in "$T/rpms/$1-"${2:+"$2-"}[0-9]*.rpm; do
		[ -e "$f" ] && echo "$f" && return 0
	done
	echo "rpm_of: no package $1 ${2:-} was built" >&2
	return 1
}
