# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the tests/batch scenarios: a scratch machine with fake kernels,
# a depmod and an initramfs command that count their runs, and `dkms batch`
# on it.
#
#   bt_init KVER...     scratch $T (cycle-lib's cy_init), an empty
#                       modules.dep per kernel, $T/bin/depmod logging to
#                       $T/depmod.log, initramfs_command logging to
#                       $T/initramfs.log
#   bt ARGS... <EVENTS  `dkms batch` on $T; sets $rc, $out, $err
#   bt_module NAME VERSION [CONF_LINE...]   tiny_module with AUTOINSTALL
#   bt_fail_on NAME VERSION KVER   that module's build fails on KVER only
#   runs LOG WORD       how many lines of LOG end with WORD
. "$top_srcdir/tests/cycle/cycle-lib.sh"

bt_init() {
	local k
	cy_init "$@"
	for k; do
		: >"$T/lib/$k/modules.dep"
	done
	mkdir -p "$T/bin"
	# it leaves modules.dep not empty, as a real depmod would (an empty
	# one tells dkms the kernel is gone)
	cat >"$T/bin/depmod" <<-EOF
	#!/bin/sh
	echo "\$*" >>"$T/depmod.log"
	[ "\$1" = -b ] && echo "fake.ko:" >"\$2/lib/modules/\$4/modules.dep"
	exit 0
	EOF
	chmod +x "$T/bin/depmod"
	# shellcheck disable=SC2016 # expanded by dkms, for each kernel
	echo 'initramfs_command="echo $kernelver >>'"$T"'/initramfs.log"' \
		>>"$T/root/etc/dkms/framework.conf"
	: >"$T/depmod.log"
	: >"$T/initramfs.log"
}

bt() {
	PATH="$T/bin:$PATH" "$DKMS" batch "$@" --root "$T/root" \
		--dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib" \
		>"$T/.out" 2>"$T/.err"
	rc=$?
	out=$(normalize_output <"$T/.out")
	err=$(normalize_output <"$T/.err")
}

bt_module() {
	local name=$1 version=$2
	shift 2
	tiny_module "$name" "$version" AUTOINSTALL=yes REMAKE_INITRD=yes "$@"
}

bt_fail_on() {
	local d=$T/src/$1-$2
	{
		echo "ifeq (\$(KERNELRELEASE),$3)"
		echo "\$(error $1 $2 does not build for $3)"
		echo "endif"
		echo "obj-m := $1.o"
	} >"$d/Makefile"
}

runs() {
	grep -c -- "$2\$" "$1"
}
