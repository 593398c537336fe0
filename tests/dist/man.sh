#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The manual pages format without a single warning, and name every
# action and option the program knows.
. "$top_srcdir/tests/lib.sh"
command -v man >/dev/null || skip_all "man-db is not installed"
command -v groff >/dev/null || skip_all "groff-base is not installed"

pages=(man/dkms.8 man/dkms.conf.5)
for p in "${pages[@]}"; do
	f=$top_srcdir/$p
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$f" 2>&1 >/dev/null)
	is "" "$w" "$p: man --warnings is silent"
	w=$(groff -ww -z -man "$f" 2>&1)
	is "" "$w" "$p: groff -ww is silent"
done

# has TEXT REGEX NAME: like, without dumping the whole page on failure
has() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok "$3"; else not_ok "$3"; diag "no line matches /$2/"; fi
}

text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -E UTF-8 -l "$top_srcdir/man/dkms.8" 2>/dev/null)
# every action of the usage text and ours, every option
for a in add remove build unbuild install uninstall match autoinstall \
	mktarball ldtarball status generate_mok kernel_preinst \
	kernel_postinst kernel_prerm diagnose; do
	has "$text" "^ +$a( |\$)" "dkms.8 describes $a"
done
for o in -m -v -k -a -c -q --force --force-version-override --all \
	--templatekernel --directive --config --archive --kernelsourcedir \
	--rpm_safe_upgrade --dkmstree --sourcetree --installtree \
	--binaries-only --source-only --verbose --no-depmod \
	--modprobe-on-install -j --version --help --root --no-initrd; do
	has "$text" "^ +(.*, )?${o}( |,|\$)" "dkms.8 describes $o"
done
for s in "EXIT STATUS" FILES SIGNING COMPRESSION INITRAMFS; do
	has "$text" "^$s\$" "dkms.8 has $s"
done

conf=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -E UTF-8 -l "$top_srcdir/man/dkms.conf.5" 2>/dev/null)
for v in source_tree dkms_tree install_tree tmp_location verbose \
	symlink_modules autoinstall_all_kernels modprobe_on_install \
	parallel_jobs compress_gzip_opts compress_xz_opts compress_zstd_opts \
	build_environment post_transaction sign_file mok_signing_key \
	mok_certificate try_sign_modules initramfs_command \
	PACKAGE_NAME PACKAGE_VERSION 'BUILT_MODULE_NAME\[n\]' \
	'BUILT_MODULE_LOCATION\[n\]' 'DEST_MODULE_NAME\[n\]' \
	'DEST_MODULE_LOCATION\[n\]' 'STRIP\[n\]' 'MAKE\[n\]' 'MAKE_MATCH\[n\]' \
	CLEAN 'PATCH\[n\]' 'PATCH_MATCH\[n\]' AUTOINSTALL 'BUILD_DEPENDS\[n\]' \
	BUILD_DEPENDS_REBUILD BUILD_EXCLUSIVE_KERNEL BUILD_EXCLUSIVE_KERNEL_MIN \
	BUILD_EXCLUSIVE_KERNEL_MAX BUILD_EXCLUSIVE_ARCH BUILD_EXCLUSIVE_CONFIG \
	NO_WEAK_MODULES PRE_BUILD POST_BUILD POST_ADD PRE_INSTALL POST_INSTALL \
	POST_REMOVE OBSOLETE_BY REMAKE_INITRD MODULES_CONF; do
	has "$conf" "^ +$v( |\$)" "dkms.conf.5 describes $v"
done
done_testing
