# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the tests/pacman scenarios: real pacman transactions on a
# scratch root in which our dkms is installed (`make install
# DESTDIR=root` of this build), with the hooks it installs.  pacman runs
# the hooks chrooted into the root, so the root has what a build needs:
# its /usr is a copy-on-write overlay of this machine's (bash, make, gcc,
# kmod, libkmod, libsolv), with an empty usr/lib/modules and usr/src of
# its own; /etc, /var and the overlay's upper layer live on a tmpfs of
# the test's own mount namespace, so everything goes when the test ends
# and nothing of the machine is written.
#
#   pm_init             skips, or re-runs the test in a mount namespace,
#                       then makes the root $R ($T/w/root)
#   pm_source NAME VER REL [CONF_LINE...]   $T/pkgs/NAME-dkms-VER-REL.pkg.tar.zst:
#                       usr/src/NAME-VER, a module that builds with any
#                       kernel; AUTOINSTALL=yes unless CONF_LINEs are given
#   pm_kernel PKG KVER [VER]  $T/pkgs/PKG-VER.pkg.tar.zst (VER 1-1): kernel
#                       KVER's image (usr/lib/modules/KVER/vmlinuz, its
#                       pkgbase PKG)
#   pm_headers PKG KVER [VER]  $T/pkgs/PKG-headers-VER.pkg.tar.zst: a fake
#                       kernel build dir in usr/lib/modules/KVER/build
#   pm_other NAME       $T/pkgs/NAME-1-1.pkg.tar.zst: a package with
#                       nothing for dkms (usr/share/NAME/README)
#   pm ARGS...          pacman on the root; sets $rc (also its status),
#                       $out (stdout and stderr, in order)
#   pm_U FILE... / pm_R PKG...   pacman -U $T/pkgs/FILE... / -R PKG...
#   pm_Q PKG...         pacman -Q on the root
#   pm_dkms ARGS...     the root's dkms, chrooted (its status, ...)
#   pm_state M/V KVER   the state dkms status gives M/V on KVER (installed,
#                       built, ...), or M/V's when it is on no kernel (added)
#   pm_on_kernel KVER   dkms status's lines for KVER
#   pm_ko KVER NAME     the module NAME installed for KVER, or nothing
#   pm_tree             the dkms tree's listing (to see that it is unchanged)
. "$top_srcdir/tests/lib.sh"

# ---- the machine ----------------------------------------------------------

pm_skip_reason() {
	local t
	[ "$(id -u)" = 0 ] || { echo "needs root (mount namespace, chroot)"; return; }
	if grep -qs '^SANITIZER_CFLAGS = .*-fsanitize' "$top_builddir/Makefile"; then
		echo "real pacman transactions run in the release build only (sanitizers here)"
		return
	fi
	PM_HOOKDIR=$(pm_hookdir)
	if [ -z "$PM_HOOKDIR" ] || [ "$PM_HOOKDIR" = no ]; then
		echo "the pacman hooks are not built (configure found no libalpm; --enable-pacman-hook)"
		return
	fi
	for t in pacman bsdtar zstd unshare chroot; do
		command -v "$t" >/dev/null ||
			{ echo "$t is not installed (scripts/install-deps.sh)"; return; }
	done
	grep -qw overlay /proc/filesystems || modprobe -q overlay 2>/dev/null ||
		{ echo "overlayfs is not available"; return; }
	unshare -m --propagation private true 2>/dev/null ||
		echo "mount namespaces are refused here"
}

# pm_hookdir: where the build installs the hooks (configure's
# --with-alpmhookdir, "no" when they are not built)
pm_hookdir() {
	sed -n 's/^alpmhookdir = //p' "$top_builddir/Makefile"
}

# pm_init: the test again in a private mount namespace (nothing mounted
# is seen outside nor outlives it), then the root.
pm_init() {
	local why
	if [ -z "${PM_IN_NS:-}" ]; then
		why=$(pm_skip_reason)
		[ -z "$why" ] || skip_all "$why"
		PM_IN_NS=1 exec unshare -m --propagation private "$BASH" "$0" "$@"
	fi
	PM_HOOKDIR=$(pm_hookdir)
	scratch
	mkdir -p "$T/w"
	mount -t tmpfs -o mode=0755 pm-test "$T/w" || bail_out "cannot mount a tmpfs"
	# the mounts go before the scratch dir: rm -rf never sees them
	trap 'umount -R -l "$T/w" 2>/dev/null; tap_cleanup' EXIT
	R=$T/w/root
	pm_root
	mkdir -p "$T/pkgs" "$T/build" "$T/w/cache" "$T/w/hooks"
	# what Arch's 60-depmod.hook does for a kernel arriving, before our
	# 70-dkms-install.hook: dkms runs depmod only where modules.dep is
	cat >"$T/w/hooks/60-depmod.hook" <<-'EOF'
	[Trigger]
	Type = Path
	Operation = Install
	Operation = Upgrade
	Target = usr/lib/modules/*/vmlinuz

	[Action]
	Description = Updating module dependencies...
	When = PostTransaction
	Exec = /bin/sh -c 'for i in /usr/lib/modules/*/vmlinuz; do [ -e "$i" ] || continue; k=${i%/vmlinuz}; depmod "${k##*/}"; done'
	EOF
	cat >"$T/w/pacman.conf" <<-EOF
	[options]
	Architecture = auto
	SigLevel = Never
	LocalFileSigLevel = Never
	EOF
}

# The root: /usr an overlay of the machine's, the rest its own.
pm_root() {
	local d f
	mkdir -p "$R" "$T/w/up" "$T/w/work"
	# a mount point, as a system's / is (the build sandbox makes it
	# private)
	mount -t tmpfs -o mode=0755 pm-root "$R" || bail_out "cannot mount the root"
	for d in usr etc var/lib/pacman var/cache var/log tmp run proc sys dev; do
		mkdir -p "$R/$d"
	done
	chmod 1777 "$R/tmp"
	# merged /usr, as Arch has it (and this machine)
	for d in bin sbin lib lib64; do
		ln -s "usr/$d" "$R/$d"
	done
	mount -t overlay pm-usr -o "lowerdir=/usr,upperdir=$T/w/up,workdir=$T/w/work" \
		"$R/usr" || bail_out "cannot mount an overlay of /usr"
	# the machine's kernels and sources are not the root's
	for d in usr/lib/modules usr/src usr/local; do
		mount -t tmpfs -o mode=0755 pm-empty "$R/$d" || bail_out "cannot hide /$d"
	done
	mount -t proc proc "$R/proc" || bail_out "cannot mount /proc"
	mount -t sysfs -o ro sysfs "$R/sys" 2>/dev/null || true
	mount -t tmpfs -o mode=0755 pm-dev "$R/dev" || bail_out "cannot mount /dev"
	for f in null zero full random urandom tty; do
		: >"$R/dev/$f"
		mount --bind "/dev/$f" "$R/dev/$f" 2>/dev/null || rm -f "$R/dev/$f"
	done
	# what /usr needs of /etc: the loader's paths, Debian's alternatives
	# (awk, cc), users
	cp -a /etc/ld.so.conf /etc/ld.so.conf.d /etc/alternatives /etc/passwd \
		/etc/group "$R/etc/"
	printf 'NAME="Arch Linux"\nID=arch\n' >"$R/etc/os-release"
	# the machine's own dkms (Debian's) is not the root's: only ours is
	rm -rf "$R/usr/sbin/dkms" "$R/usr/lib/dkms"
	make -s --no-print-directory -C "$top_builddir" install DESTDIR="$R" \
		>"$T/install.log" 2>&1 ||
		bail_out "make install DESTDIR=root: $(tail -n 5 "$T/install.log")"
	ldconfig -r "$R" || bail_out "ldconfig -r root"
	PM_DKMS=/$(cd "$R" && find usr -path '*/sbin/dkms' -type f | head -n 1)
}

# ---- packages ---------------------------------------------------------------

# pm_assemble DIR NAME PKGVER [PKGBASE] [ARCH]: DIR (a tree) into
# $T/pkgs/NAME-PKGVER.pkg.tar.zst as makepkg assembles one: .PKGINFO
# first, then the tree.
pm_assemble() {
	local dir=$1 name=$2 ver=$3 base=${4:-$2} arch=${5:-x86_64}
	cat >"$dir/.PKGINFO" <<-EOF
	pkgname = $name
	pkgbase = $base
	pkgver = $ver
	pkgdesc = $name for the tests
	builddate = 1700000000
	packager = dkms-c tests <tests@example.org>
	size = 1024
	arch = $arch
	license = GPL2
	EOF
	(cd "$dir" && bsdtar --zstd -cf "$T/pkgs/$name-$ver.pkg.tar.zst" .PKGINFO usr) ||
		bail_out "bsdtar $name"
}

pm_source() {
	local name=$1 ver=$2 rel=$3 d
	shift 3
	d=$T/build/$name-dkms-$ver-$rel
	rm -rf "$d"
	mkdir -p "$d/usr/src/$name-$ver"
	printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\nMODULE_VERSION("%s");\n' \
		"$ver" >"$d/usr/src/$name-$ver/$name.c"
	echo "obj-m := $name.o" >"$d/usr/src/$name-$ver/Makefile"
	printf 'PACKAGE_NAME="%s"\nPACKAGE_VERSION="%s"\nBUILT_MODULE_NAME[0]="%s"\nDEST_MODULE_LOCATION[0]="/updates"\n' \
		"$name" "$ver" "$name" >"$d/usr/src/$name-$ver/dkms.conf"
	if [ $# -eq 0 ]; then
		echo AUTOINSTALL=yes >>"$d/usr/src/$name-$ver/dkms.conf"
	else
		printf '%s\n' "$@" >>"$d/usr/src/$name-$ver/dkms.conf"
	fi
	pm_assemble "$d" "$name-dkms" "$ver-$rel" "$name-dkms" any
}

pm_kernel() {
	local pkg=$1 k=$2 ver=${3:-1-1} d=$T/build/$1
	rm -rf "$d"
	mkdir -p "$d/usr/lib/modules/$k/kernel"
	echo "fake kernel image $k" >"$d/usr/lib/modules/$k/vmlinuz"
	# what depmod reads beside the modules (none here)
	: >"$d/usr/lib/modules/$k/modules.order"
	: >"$d/usr/lib/modules/$k/modules.builtin"
	: >"$d/usr/lib/modules/$k/modules.builtin.modinfo"
	echo "$pkg" >"$d/usr/lib/modules/$k/pkgbase"
	pm_assemble "$d" "$pkg" "$ver"
}

pm_headers() {
	local pkg=$1 k=$2 ver=${3:-1-1} d=$T/build/$1-headers
	rm -rf "$d"
	mkdir -p "$d/usr/lib/modules/$k"
	sh "$top_srcdir/tests/fake-kernel/mkfake.sh" "$d/usr/lib/modules/$k/build" "$k" \
		>/dev/null || bail_out "mkfake.sh $k"
	pm_assemble "$d" "$pkg-headers" "$ver" "$pkg"
}

pm_other() {
	local d=$T/build/$1
	rm -rf "$d"
	mkdir -p "$d/usr/share/$1"
	echo "nothing for dkms" >"$d/usr/share/$1/README"
	pm_assemble "$d" "$1" 1-1 "$1" any
}

# ---- pacman and dkms on the root ------------------------------------------

pm() {
	out=$(pacman --config "$T/w/pacman.conf" --root "$R" \
		--dbpath "$R/var/lib/pacman" --cachedir "$T/w/cache" \
		--hookdir "$T/w/hooks" --hookdir "$R$PM_HOOKDIR" --noconfirm --noprogressbar --color never \
		"$@" 2>&1)
	rc=$?
	return $rc
}

pm_Q() {
	pacman --config "$T/w/pacman.conf" --root "$R" --dbpath "$R/var/lib/pacman" \
		--color never -Q "$@"
}

pm_U() {
	pm -U "${@/#/$T/pkgs/}"
}

pm_R() {
	pm -R "$@"
}

pm_dkms() {
	chroot "$R" "$PM_DKMS" "$@"
}

pm_state() {
	local st
	st=$(pm_dkms status "$1" 2>/dev/null)
	grep -q "^$1, $2, " <<<"$st" || { sed -n "s|^$1: ||p" <<<"$st"; return; }
	sed -n "s|^$1, $2, [^:]*: ||p" <<<"$st"
}

pm_on_kernel() {
	pm_dkms status 2>/dev/null | grep ", $1, "
}

pm_ko() {
	find "$R/usr/lib/modules/$1" -name "$2.ko*" 2>/dev/null
}

pm_tree() {
	(cd "$R/var/lib/dkms" && find . | LC_ALL=C sort)
}
