#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libkmod (and the libcrypto it brings), zlib, liblzma, libzstd, libsolv
# and libsolvext (and the librpm it brings) are loaded with dlopen when a
# command needs them (core/lib/base/dlopen.c), not at exec: the binary
# names none of them; status, add, build and install of uncompressed
# modules map none of them (modinfo.c reads .modinfo in place), nor does a
# cached status; compressed modules load the compressor and libkmod (to
# read them as modinfo(8) does); naming a kernel's headers package loads
# libsolv; a library that cannot be loaded is named in the error.  What the dynamic loader opens is read from LD_DEBUG=libs
# (strace would stop LSan in the sanitizer build).
. "$top_srcdir/tests/lib.sh"

plan 16
scratch
mk_trees "$T"
K=6.1.0-1-fake KZ=6.1.0-2-fake
fake_kernel "$T" $K
fake_kernel "$T" $KZ CONFIG_MODULE_COMPRESS_GZIP=y
d=$T/src/lazy-1.0
mkdir -p "$d"
printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\nMODULE_VERSION("1.0");\n' > "$d/lazy.c"
echo "obj-m := lazy.o" > "$d/Makefile"
printf 'PACKAGE_NAME="lazy"\nPACKAGE_VERSION="1.0"\nBUILT_MODULE_NAME[0]="lazy"\nDEST_MODULE_LOCATION[0]="/updates"\n' \
	> "$d/dkms.conf"

lazy_re='find library=lib(kmod|crypto|z|lzma|zstd|solv|solvext|rpm)\.so'
# loaded ARGS...: the lazy libraries the dynamic loader looks up in the
# dkms process of `dkms ARGS...` (not its children: make, ld, depmod),
# one a line, "" when none; the command's own output in $T/out
loaded() {
	loaded_by "$DKMS" "$@" \
		--dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib"
}
# loaded_by PROGRAM ARGS...: the same for any program
loaded_by() {
	rm -f "$T"/ld.*
	(
		echo "$BASHPID" > "$T/pid"
		exec env LD_DEBUG=libs LD_DEBUG_OUTPUT="$T/ld" "$@"
	) >"$T/out" 2>&1
	# No loader trace at all is a failure, never "nothing loaded".
	local trace="$T/ld.$(cat "$T/pid")"
	[ -s "$trace" ] || { echo "no LD_DEBUG trace ($trace)"; return; }
	grep -oE "$lazy_re" "$trace" | sed 's/.*=//' | sort -u
}

if ! command -v readelf >/dev/null; then
	skip "readelf is not installed"
elif ! head -c4 "$DKMS" | grep -q ELF; then
	skip "$DKMS is not an ELF file (a libtool wrapper?)"
else
	needed=$(readelf -d "$DKMS" | grep NEEDED |
		grep -E 'lib(kmod|crypto|z|lzma|zstd|solv|solvext|rpm)\.so' || true)
	is "" "$needed" "the binary needs none of the lazy libraries"
fi

is "" "$(loaded add -m lazy -v 1.0)" "add loads none of them"
like "$(cat "$T/out")" '^Creating symlink ' "it is added"
is "" "$(loaded build -m lazy -v 1.0 -k $K)" "build loads none of them"
like "$(cat "$T/out")" '^Building module\(s\)\.+ done\.' "it is built"

is "" "$(loaded status)" "status walking added modules loads none of them"

# uncompressed modules: vermagic and versions are read in place (modinfo.c)
is "" "$(loaded install -m lazy -v 1.0 -k $K)" "install of an uncompressed module loads none of them"
like "$(cat "$T/out")" '^Installing ' "it is installed"
is "" "$(loaded status)" "status walking installed modules loads none of them"

# compressed ones: zlib to compress, libkmod to read them as modinfo(8)
libs=$(loaded install -m lazy -v 1.0 -k $KZ)
check "the module is installed compressed" test -n "$(find "$T/lib/$KZ" -name lazy.ko.gz)"
like "$libs" '^libz\.so' "the gzip kernel's install loads zlib"
like "$(loaded status)" '^libkmod\.so' "status reads compressed modules' versions with libkmod"

# a large tree: its plain status is replayed from the status cache once
# walked
for i in $(seq -w 1 50); do
	cp -a "$d" "$T/src/lazy-1.$i"
	sed -i "s/VERSION=\"1.0\"/VERSION=\"1.$i\"/" "$T/src/lazy-1.$i/dkms.conf"
	dkms_ours add -m lazy -v "1.$i" >/dev/null 2>&1 || bail_out "add lazy/1.$i"
done
dkms_ours status >/dev/null 2>&1
is "" "$(loaded status)" "status replayed from the cache loads none of them"
like "$(cat "$T/out")" "^lazy/1.0, $KZ, x86_64: installed" "the replayed status shows the installed modules"

# a libkmod that is no library: the error names it
mkdir -p "$T/bad"
echo "not a library" > "$T/bad/libkmod.so.2"
LD_LIBRARY_PATH=$T/bad dkms_ours status -m lazy -v 1.0 >"$T/out" 2>&1
like "$(cat "$T/out")" 'cannot load libkmod\.so\.2, needed to read module information' \
	"a libkmod that cannot be loaded is named"

# what does load libsolv: the library naming a kernel's headers package
# from a dpkg database (tests/pkgdb)
if grep -q '^#define HAVE_LIBSOLV 1' "$top_builddir/config.h"; then
	mkdir -p "$T/root/var/lib/dpkg"
	: > "$T/root/var/lib/dpkg/status"
	like "$(loaded_by "$top_builddir/tests/pkgdb/headers-pkg" "$T/root" $K)" \
		'^libsolv\.so' "naming a kernel's headers package loads libsolv"
else
	skip "built without libsolv"
fi
