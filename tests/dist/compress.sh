#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Module compression from the kernel's .config (CONFIG_MODULE_COMPRESS_*),
# done with zlib/liblzma/libzstd: install, status, uninstall for every
# suffix; the installed file is a module libkmod reads.  Where the
# .config says nothing, the install tree decides, as in 3.4.3.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
cy_init
copy_module hello-0.1
dk add hello/0.1
is 0 "$rc" "add"

# decompress FILE: the module inside, on stdout (with whatever tool is here)
decompress() {
	case $1 in
	*.gz) gzip -dc "$1" ;;
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -qdc "$1" ;;
	esac
}

n=0
for c in GZIP:gz XZ:xz ZSTD:zst; do
	n=$((n + 1))
	K=6.1.0-$((10 + n))-fake cfg=${c%%:*} sfx=${c#*:}
	fake_kernel "$T" "$K" CONFIG_MODULE_COMPRESS_$cfg=y
	dk install hello/0.1 -k "$K"
	is 0 "$rc" "$cfg: install"
	f=$T/lib/$K/updates/dkms/hello.ko.$sfx
	check "$cfg: installed as hello.ko.$sfx" test -f "$f"
	check "$cfg: no uncompressed copy" test ! -e "$T/lib/$K/updates/dkms/hello.ko"
	check "$cfg: built module kept compressed" \
		test -f "$T/dkms/hello/0.1/$K/x86_64/module/hello.ko.$sfx"
	if [ "$sfx" = gz ] && ! kmod --version | grep -q '+ZLIB'; then
		skip "this libkmod has no zlib (Debian's kmod: -ZLIB)"
	else
		is "0.1" "$(modinfo -F version "$f" 2>&1)" "$cfg: libkmod reads the compressed module"
	fi
	if command -v "${sfx/zst/zstd}" >/dev/null || [ "$sfx" = gz ]; then
		decompress "$f" >"$T/plain.ko"
		is "0.1" "$(modinfo -F version "$T/plain.ko" 2>&1)" "$cfg: decompresses to a valid module"
	else
		skip "no ${sfx} program to cross-check"
	fi
	dk status hello/0.1 -k "$K"
	is "hello/0.1, $K, x86_64: installed" "$out" "$cfg: status"
	dk uninstall hello/0.1 -k "$K"
	is 0 "$rc" "$cfg: uninstall"
	check "$cfg: uninstall removed hello.ko.$sfx" test ! -e "$f"
	dk status hello/0.1 -k "$K"
	is "hello/0.1, $K, x86_64: built" "$out" "$cfg: status after uninstall"
done

# xz: the kernel's in-kernel decompressor needs crc32 (the default here)
K=6.1.0-12-fake
dk install hello/0.1 -k "$K"
if command -v xz >/dev/null; then
	like "$(xz --robot --list "$T/lib/$K/updates/dkms/hello.ko.xz")" "CRC32" "xz: crc32 check"
else
	skip "xz is not installed"
fi
dk uninstall hello/0.1 -k "$K"

# framework.conf's options reach the compressor (level 1 vs 9 differ)
K=6.1.0-11-fake
cp "$T/root/etc/dkms/framework.conf" "$T/fw.orig"
echo 'compress_gzip_opts="-1"' >>"$T/root/etc/dkms/framework.conf"
dk build hello/0.1 -k "$K" --force
s1=$(stat -c %s "$T/dkms/hello/0.1/$K/x86_64/module/hello.ko.gz")
echo 'compress_gzip_opts="-9"' >>"$T/root/etc/dkms/framework.conf"
dk build hello/0.1 -k "$K" --force
s9=$(stat -c %s "$T/dkms/hello/0.1/$K/x86_64/module/hello.ko.gz")
check "compress_gzip_opts: -9 is no bigger than -1 ($s9 <= $s1)" test "$s9" -le "$s1"
cp "$T/fw.orig" "$T/root/etc/dkms/framework.conf"

# no compression in .config: the install tree decides, as 3.4.3
K=6.1.0-20-fake
fake_kernel "$T" "$K"
mkdir -p "$T/lib/$K/kernel/drivers"
gzip -c "$T/plain.ko" >"$T/lib/$K/kernel/drivers/other.ko.gz" 2>/dev/null ||
	: >"$T/lib/$K/kernel/drivers/other.ko.gz"
dk install hello/0.1 -k "$K"
check "config silent: the tree's .gz is followed" test -f "$T/lib/$K/updates/dkms/hello.ko.gz"
dk uninstall hello/0.1 -k "$K"
K=6.1.0-21-fake
fake_kernel "$T" "$K"
dk install hello/0.1 -k "$K"
check "config silent, tree plain: not compressed" test -f "$T/lib/$K/updates/dkms/hello.ko"

# the config wins over the tree (where we differ from 3.4.3)
K=6.1.0-22-fake
fake_kernel "$T" "$K" CONFIG_MODULE_COMPRESS_ZSTD=y
mkdir -p "$T/lib/$K/kernel/drivers"
: >"$T/lib/$K/kernel/drivers/other.ko.xz"
dk install hello/0.1 -k "$K"
check "config zstd, tree xz: .zst" test -f "$T/lib/$K/updates/dkms/hello.ko.zst"
# a module compressed another way is still recognised (config changed)
sed -i 's/^CONFIG_MODULE_COMPRESS_ZSTD=y/CONFIG_MODULE_COMPRESS_GZIP=y/' \
	"$T/lib/$K/build/.config" "$T/lib/$K/build/include/config/auto.conf"
rm "$T/lib/$K/kernel/drivers/other.ko.xz"
dk status hello/0.1 -k "$K"
is "hello/0.1, $K, x86_64: installed" "$out" "status finds .zst when .gz is expected"
dk uninstall hello/0.1 -k "$K"
is 0 "$rc" "uninstall of a .zst when .gz is expected"
check "... removed it" test ! -e "$T/lib/$K/updates/dkms/hello.ko.zst"

# Where 3.4.3 and we disagree, shown with the reference itself: a kernel
# configured for xz whose module tree has no compressed module yet.
if why=$(have_ref); then
	for who in ref ours; do
		T=$(mktemp -d "${TMPDIR:-/tmp}/dkms-test.XXXXXX")
		tap_scratch_dirs+=("$T")
		mk_trees "$T"
		fake_kernel "$T" 6.1.0-30-fake CONFIG_MODULE_COMPRESS_XZ=y
		copy_module hello-0.1
		if [ $who = ref ]; then
			dkms_ref install hello/0.1 -k 6.1.0-30-fake >/dev/null 2>&1
		else
			mkdir -p "$T/root/etc/dkms"
			dkms_ours install hello/0.1 -k 6.1.0-30-fake --root "$T/root" >/dev/null 2>&1
		fi
		eval "$who=\$(cd \"\$T/lib/6.1.0-30-fake/updates/dkms\" 2>/dev/null && echo *)"
	done
	is "hello.ko" "$ref" "3.4.3: config asks xz, tree has none: uncompressed"
	is "hello.ko.xz" "$ours" "ours: config asks xz: hello.ko.xz"
else
	skip "no reference: $why" 2
fi
done_testing
