# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the tests/dpkg scenarios: .deb packages made in the test with
# dpkg-deb (driver sources whose maintainer scripts are the ones dh_dkms
# writes, fake kernel headers and images whose scripts run the kernel
# hooks as Debian's kernel packages do), our own package built from this
# tree with dpkg-buildpackage (once per state of the sources), and a
# disposable overlay of the machine where real dpkg and apt install them
# (nothing reaches the machine).
#
#   dp_need_handler          skip all unless configure built the handler
#   dp_release_only          skip all in a sanitizer build
#   dp_pkg DIR NAME VERSION [CONTROL-LINE...]
#                            DIR (its tree, DIR/DEBIAN/ scripts) packed as
#                            $T/debs/NAME_VERSION_all.deb (its path printed)
#   dp_driver_pkg NAME VERSION [CONF-LINE...]
#                            NAME-dkms: /usr/src/NAME-VERSION (a module
#                            that builds on any kernel), dh_dkms's postinst
#                            and prerm unless DP_NOSCRIPTS is set
#   dp_headers_pkg KVER      dkms-test-headers-KVER: a fake build dir in
#                            /usr/src/linux-headers-KVER, the
#                            /lib/modules/KVER/build link (relative when
#                            DP_RELATIVE is set) and Debian's postinst
#                            (header_postinst.d) unless DP_NOSCRIPTS is set
#   dp_image_pkg KVER        dkms-test-image-KVER: /boot/vmlinuz-KVER and
#                            /lib/modules/KVER/{kernel/,modules.order},
#                            Debian's postinst (postinst.d) and prerm
#                            (prerm.d) unless DP_NOSCRIPTS is set; no
#                            headers
#   dp_our_deb               our .deb in $DP_DEB (built, or from the cache
#                            $top_builddir/tests/dpkg/deb/)
#   dp_ovl_init              a persistent overlay of / for dp_in
#   dp_in CMD...             CMD in that overlay ($T, the source and the
#                            build dirs bound in; changes kept from one
#                            call to the next, thrown away at the end)
. "$top_srcdir/tests/lib.sh"

dp_need_handler() {
	grep -qs '^DPKG_TRIGGER = yes' "$top_builddir/Makefile" ||
		skip_all "the dpkg trigger handler is not built: $(sed -n 's/^DPKG_TRIGGER_WHY = //p' "$top_builddir/Makefile")"
}

dp_release_only() {
	if grep -qs '^SANITIZER_CFLAGS = .*-fsanitize' "$top_builddir/Makefile"; then
		skip_all "real dpkg runs in the release build only (sanitizers here)"
	fi
}

dp_pkg() {
	local dir=$1 name=$2 version=$3 deb
	shift 3
	mkdir -p "$dir/DEBIAN" "$T/debs"
	{
		echo "Package: $name"
		echo "Version: $version"
		echo "Architecture: all"
		echo "Maintainer: dkms tests <root@localhost>"
		[ $# -eq 0 ] || printf '%s\n' "$@"
		echo "Description: dkms test package $name"
	} >"$dir/DEBIAN/control"
	deb=$T/debs/${name}_${version}_all.deb
	dpkg-deb --root-owner-group -Zgzip -b "$dir" "$deb" >/dev/null ||
		bail_out "dpkg-deb cannot pack $name"
	echo "$deb"
}

# The maintainer script dh_dkms writes (KIND postinst or prerm), as it
# fills debhelper's autoscript in.
dp_dh_script() {
	local f=/usr/share/debhelper/autoscripts/$1-dkms
	[ -f "$f" ] || skip_all "no $f (apt-get install dh-dkms)"
	printf '#!/bin/sh\nset -e\n# Automatically added by dh_dkms\n'
	sed -e "s/#MODULE_NAME#/$2/g" -e "s/#MODULE_VERSION#/$3/g" "$f"
	printf '# End automatically added section\n'
}

dp_driver_pkg() {
	local name=$1 version=$2 d
	shift 2
	d=$(mktemp -d "$T/pkg.XXXXXX")
	mkdir -p "$d/usr/src/$name-$version"
	printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' \
		>"$d/usr/src/$name-$version/$name.c"
	echo "obj-m := $name.o" >"$d/usr/src/$name-$version/Makefile"
	{
		printf 'PACKAGE_NAME="%s"\nPACKAGE_VERSION="%s"\n' "$name" "$version"
		printf 'BUILT_MODULE_NAME[0]="%s"\nDEST_MODULE_LOCATION[0]="/updates"\n' "$name"
		[ $# -eq 0 ] || printf '%s\n' "$@"
	} >"$d/usr/src/$name-$version/dkms.conf"
	if [ -z "${DP_NOSCRIPTS:-}" ]; then
		mkdir -p "$d/DEBIAN"
		dp_dh_script postinst "$name" "$version" >"$d/DEBIAN/postinst"
		dp_dh_script prerm "$name" "$version" >"$d/DEBIAN/prerm"
		chmod 755 "$d/DEBIAN/postinst" "$d/DEBIAN/prerm"
	fi
	dp_pkg "$d" "$name-dkms" "$version" "Depends: dkms (>= 3.0.3-4~)"
}

dp_headers_pkg() {
	local k=$1 d target
	d=$(mktemp -d "$T/pkg.XXXXXX")
	sh "$top_srcdir/tests/fake-kernel/mkfake.sh" "$d/usr/src/linux-headers-$k" \
		"$k" >/dev/null || bail_out "mkfake.sh failed for $k"
	mkdir -p "$d/lib/modules/$k"
	target=/usr/src/linux-headers-$k
	[ -z "${DP_RELATIVE:-}" ] || target=../../..$target
	ln -s "$target" "$d/lib/modules/$k/build"
	if [ -z "${DP_NOSCRIPTS:-}" ]; then
		mkdir -p "$d/DEBIAN"
		cat >"$d/DEBIAN/postinst" <<-EOF
		#!/bin/sh -e
		# as Debian's linux-headers-* run the headers' hooks
		if [ -d /etc/kernel/header_postinst.d ]; then
		  DEB_MAINT_PARAMS="\$*" run-parts --report --exit-on-error --arg=$k \\
		    /etc/kernel/header_postinst.d
		fi
		EOF
		chmod 755 "$d/DEBIAN/postinst"
	fi
	dp_pkg "$d" "dkms-test-headers-$k" 1
}

dp_image_pkg() {
	local k=$1 d
	d=$(mktemp -d "$T/pkg.XXXXXX")
	mkdir -p "$d/boot" "$d/lib/modules/$k/kernel"
	echo "not a kernel" >"$d/boot/vmlinuz-$k"
	: >"$d/lib/modules/$k/modules.order"
	if [ -n "${DP_NOSCRIPTS:-}" ]; then
		dp_pkg "$d" "dkms-test-image-$k" 1
		return
	fi
	mkdir -p "$d/DEBIAN"
	# as Debian's linux-image-* run the kernel hooks
	cat >"$d/DEBIAN/postinst" <<-EOF
	#!/bin/sh -e
	[ "\$1" = configure ] || exit 0
	if [ -d /etc/kernel/postinst.d ]; then
	  DEB_MAINT_PARAMS="\$*" run-parts --report --exit-on-error --arg=$k \\
	    --arg=/boot/vmlinuz-$k /etc/kernel/postinst.d
	fi
	EOF
	cat >"$d/DEBIAN/prerm" <<-EOF
	#!/bin/sh -e
	[ "\$1" = remove ] || exit 0
	if [ -d /etc/kernel/prerm.d ]; then
	  DEB_MAINT_PARAMS="\$*" run-parts --report --exit-on-error --arg=$k \\
	    --arg=/boot/vmlinuz-$k /etc/kernel/prerm.d
	fi
	EOF
	chmod 755 "$d/DEBIAN/postinst" "$d/DEBIAN/prerm"
	dp_pkg "$d" "dkms-test-image-$k" 1
}

# The files dpkg-buildpackage is given: the checkout's, as git knows
# them (tracked or not ignored), that are there.
dp_source_files() {
	(cd "$top_srcdir" && git ls-files -co --exclude-standard) |
		while IFS= read -r f; do
			if [ -f "$top_srcdir/$f" ] || [ -L "$top_srcdir/$f" ]; then
				printf '%s\n' "$f"
			fi
		done | LC_ALL=C sort
}

dp_our_deb() {
	local cache=$top_builddir/tests/dpkg/deb key src
	command -v dpkg-buildpackage >/dev/null || skip_all "dpkg-buildpackage is not installed (dpkg-dev)"
	command -v dh >/dev/null || skip_all "dh is not installed (debhelper)"
	git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1 ||
		skip_all "$top_srcdir is not a git checkout: our .deb is built from one"
	dp_source_files >"$T/source-files"
	# the tests are not in the package: changing one builds nothing
	key=$(grep -v '^tests/' "$T/source-files" |
		(cd "$top_srcdir" && xargs -d '\n' sha1sum; cat tests/local.mk) |
		sha1sum | cut -c1-16)
	mkdir -p "$cache"
	exec 8>"$cache/.lock"
	flock 8
	if [ ! -f "$cache/$key/ok" ]; then
		rm -rf "${cache:?}"/*/
		mkdir -p "$cache/$key"
		src=$T/src/dkms-c
		mkdir -p "$src/m4"
		(cd "$top_srcdir" && xargs -d '\n' cp --parents -a -t "$src" <"$T/source-files")
		if (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
			dpkg-buildpackage -us -uc -b) >"$cache/$key/build.log" 2>&1; then
			mv "$T"/src/dkms-c_*.deb "$cache/$key/" && touch "$cache/$key/ok"
		fi
		rm -rf "$T/src"
	fi
	exec 8>&-
	DP_DEB=$(ls "$cache/$key"/dkms-c_*_*.deb 2>/dev/null | head -n 1)
	[ -n "$DP_DEB" ] && [ -f "$cache/$key/ok" ] ||
		bail_out "dpkg-buildpackage failed: $(tail -n 5 "$cache/$key/build.log" 2>/dev/null)"
}

dp_ovl_init() {
	[ "$(id -u)" = 0 ] || skip_all "real dpkg runs as root"
	unshare -m --propagation private true 2>/dev/null ||
		skip_all "no mount namespaces here for the overlay"
	grep -qw overlay /proc/filesystems || modprobe -q overlay 2>/dev/null ||
		skip_all "overlayfs is not available"
	DP_OVL=$(mktemp -d "${TMPDIR:-/tmp}/dkms-dpkg-ovl.XXXXXX")
	tap_scratch_dirs+=("$DP_OVL")
	mkdir -p "$DP_OVL/upper" "$DP_OVL/work" "$DP_OVL/root"
}

dp_in() {
	unshare -m --propagation private /bin/bash -c '
		set -e
		o=$1 binds=$2
		shift 2
		mount -t overlay overlay \
			-o "lowerdir=/,upperdir=$o/upper,workdir=$o/work" "$o/root"
		for d in /proc /dev /sys; do
			mount --rbind "$d" "$o/root$d"
		done
		for d in $binds; do
			[ -d "$d" ] || continue
			mkdir -p "$o/root$d"
			mount --bind "$d" "$o/root$d"
		done
		set +e
		exec chroot "$o/root" /usr/bin/env -C / DEBIAN_FRONTEND=noninteractive "$@"
	' dp-in "$DP_OVL" "$T $top_srcdir $top_builddir" "$@"
}
