#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mkfake.sh DIR KVER [CONFIG_X=y ...]
#
# Create a fake kernel build dir (what /lib/modules/KVER/build points to)
# for fast tests: include/, .config and include/config/auto.conf,
# include/config/kernel.release, Module.symvers and a Makefile that builds
# external modules (make -C DIR M=SRC) with the host compiler into real
# ELF .ko files with a proper .modinfo (see kbuild.mk, build.mk).
# CONFIG_X=n writes "# CONFIG_X is not set"; a given option replaces the
# default of the same name.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 DIR KVER [CONFIG_X=y ...]" >&2
	exit 2
fi
dir=$1 kver=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)

for opt; do
	case $opt in
	CONFIG_*=*) ;;
	*) echo "$0: not a CONFIG_X=value option: $opt" >&2; exit 2 ;;
	esac
done

mkdir -p "$dir/include/linux" "$dir/include/config" "$dir/include/generated" \
	"$dir/scripts"
cp "$here/kbuild.mk" "$dir/Makefile"
cp "$here/build.mk" "$dir/scripts/Makefile.build"
cp "$here/fake-modpost.sh" "$here/fake-symvers.sh" "$here/fake-clean.sh" \
	"$dir/scripts/"
cp "$here"/include/linux/*.h "$dir/include/linux/"
printf '%s\n' "$kver" > "$dir/include/config/kernel.release"
printf '#define UTS_RELEASE "%s"\n' "$kver" > "$dir/include/generated/utsrelease.h"
: > "$dir/Module.symvers"

# Defaults: an x86_64 Debian-like kernel without module signing or
# compression, so that dkms neither signs nor compresses unless asked.
defaults='CONFIG_64BIT=y
CONFIG_X86_64=y
CONFIG_LOCALVERSION=""
CONFIG_CC_VERSION_TEXT="gcc (fake kernel) 12.2.0"
CONFIG_CC_IS_GCC=y
CONFIG_SMP=y
CONFIG_PREEMPT_BUILD=y
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_MODVERSIONS=y
CONFIG_MODULE_SRCVERSION_ALL=y
CONFIG_MODULE_COMPRESS_NONE=y'

given=
for opt; do
	given="$given ${opt%%=*}"
done

{
	echo "# Fake kernel $kver (tests/fake-kernel/mkfake.sh)"
	printf '%s\n' "$defaults" | while IFS= read -r line; do
		case " $given " in
		*" ${line%%=*} "*) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
	for opt; do
		case $opt in
		*=n) echo "# ${opt%=n} is not set" ;;
		*) printf '%s\n' "$opt" ;;
		esac
	done
} > "$dir/.config"
grep '^CONFIG_' "$dir/.config" > "$dir/include/config/auto.conf"

# A signing kernel needs scripts/sign-file; Debian's works for any kernel.
if grep -q '^CONFIG_MODULE_SIG_HASH=' "$dir/.config"; then
	for f in /usr/lib/linux-kbuild-*/scripts/sign-file; do
		[ -x "$f" ] && ln -sf "$f" "$dir/scripts/sign-file" && break
	done
fi
exit 0
