#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Batches that take things away: an upgrade (the old version gone where
# the new one installs, kept where it does not), a source going (removed
# from every kernel, the distribution's module put back), a kernel going
# (everything unbuilt for it, sources stay), and sources given by their
# paths inside the root, as a package manager lists them (arriving: named
# by their dkms.conf; going: by what the tree added from there).
. "$top_srcdir/tests/batch/batch-lib.sh"
K1=6.1.0-1-fake
K2=6.1.0-2-fake

# ---- upgrade foo 1.0 -> 2.0, 2.0 fails on K2 ----
bt_init $K1 $K2
orig=$(fake_kernel_module "$T" $K1 foo "" updates/dkms) || bail_out "no shipped foo.ko"
cp "$orig" "$T/foo.orig.ko"
bt_module foo 1.0
bt <<<"source-added foo/1.0"
is 0 "$rc" "foo 1.0 installed"
check "foo 1.0 on $K2" test -f "$T/lib/$K2/updates/dkms/foo.ko"
check "the shipped foo.ko is put aside" test ! -e "$orig"
bt_module foo 2.0
bt_fail_on foo 2.0 $K2
: >"$T/depmod.log"

bt --dry-run <<<"source-removing foo/1.0
source-added foo/2.0"
like "$out" "^upgrade foo/1\.0 to foo/2\.0: foo/1\.0 is removed where foo/2\.0 is installed$" "dry run: the upgrade paired"

bt <<<"source-removing foo/1.0
source-added foo/2.0"
is 0 "$rc" "upgrade: exit 0"
status=$("$DKMS" status --root "$T/root" --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib" 2>&1)
like "$status" "^foo/2\.0, $K1, x86_64: installed" "2.0 installed on $K1"
unlike "$status" "^foo/1\.0, $K1," "1.0 gone from $K1"
like "$status" "^foo/1\.0, $K2, x86_64: installed" "$K2 keeps 1.0 installed"
like "$err" "foo/2\.0 failed for kernel $K2: the build failed" "the failure is summed up"
like "$out" "^dkms: kernel $K2 keeps foo/1\.0: foo/2\.0 did not install on it\.$" "the kept version is said"
check "1.0's source copied into the tree" test -f "$T/dkms/foo/1.0/.source-kept/dkms.conf"
is "$T/dkms/foo/1.0/.source-kept" "$(readlink "$T/dkms/foo/1.0/source")" "1.0's source link points at the copy"
for k in $K1 $K2; do
	is 1 "$(runs "$T/depmod.log" "$k")" "upgrade: depmod once for $k"
done
# the package manager takes 1.0's files away: the kept version still works
rm -rf "$T/src/foo-1.0"
status=$("$DKMS" status --root "$T/root" --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib" 2>&1)
like "$status" "^foo/1\.0, $K2, x86_64: installed" "$K2 keeps 1.0 once its package is gone"
unlike "$status" "broken" "nothing broken"

# ---- the fixed 2.0 arrives again: it takes $K2 over; then the source goes ----
bt_module foo 2.0
bt <<<"source-added foo/2.0"
is 0 "$rc" "2.0 reinstalled: exit 0"
bt <<<"source-removing foo/1.0"
is 0 "$rc" "1.0 goes"
status=$("$DKMS" status --root "$T/root" --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib" 2>&1)
like "$status" "^foo/2\.0, $K2, x86_64: installed" "2.0 on $K2"
unlike "$status" "^foo/1\.0" "1.0 gone"
bt <<<"source-removing foo/2.0"
is 0 "$rc" "2.0 goes"
check "nothing of foo left in the tree" test ! -e "$T/dkms/foo"
is "$(sha256sum <"$T/foo.orig.ko")" "$(sha256sum <"$orig")" \
	"the shipped foo.ko is back on $K1"
check "nothing on $K2" test ! -e "$T/lib/$K2/updates/dkms/foo.ko"

# ---- a kernel going ----
bt_init $K1 $K2
bt_module foo 1.0
bt <<<"source-added foo/1.0"
bt <<<"kernel-removing $K2"
is 0 "$rc" "kernel going: exit 0"
status=$("$DKMS" status --root "$T/root" --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib" 2>&1)
unlike "$status" "$K2" "nothing left for $K2"
like "$status" "^foo/1\.0, $K1, x86_64: installed" "$K1 untouched"
check "the source stays" test -L "$T/dkms/foo/1.0/source"
# gone and back in one transaction (a reinstall): the kernel stays
bt <<<"kernel-removing $K1
kernel-added $K1"
like "$("$DKMS" status --root "$T/root" --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib")" \
	"^foo/1\.0, $K1, x86_64: installed" "a kernel reinstalled keeps its modules"

# ---- a source by its path inside the root ----
bt_init $K1
mkdir -p "$T/root/usr/src"
T_src=$T/src
T=$T bt_module bar 3.0
mv "$T_src/bar-3.0" "$T/root/usr/src/bar-3.0"
PATH="$T/bin:$PATH" "$DKMS" batch --root "$T/root" --dkmstree "$T/dkms" \
	--installtree "$T/lib" <<<"source-added /usr/src/bar-3.0/dkms.conf" >"$T/.out" 2>&1
is 0 "$?" "a path inside the root: exit 0"
check "bar installed" test -f "$T/lib/$K1/updates/dkms/bar.ko"
is "$T/root/usr/src/bar-3.0" "$(readlink "$T/dkms/bar/3.0/source")" "added from the root's /usr/src"

# ---- sources going by their paths inside the root ----
# named after what the tree added from there, as a package manager
# lists its files; a source that cannot be named is left out, and one
# before it takes nothing with it
T=$T bt_module baz 1.0
mv "$T_src/baz-1.0" "$T/root/usr/src/baz-1.0"
bt_root() {
	PATH="$T/bin:$PATH" "$DKMS" batch "$@" --root "$T/root" --dkmstree "$T/dkms" \
		--installtree "$T/lib" >"$T/.out" 2>"$T/.err"
	rc=$?
	out=$(normalize_output <"$T/.out")
	err=$(normalize_output <"$T/.err")
}
bt_root <<<"source-added /usr/src/nothing-here
source-added /usr/src/baz-1.0"
is 0 "$rc" "a source that cannot be named next to one that can: exit 0"
check "baz installed" test -f "$T/lib/$K1/updates/dkms/baz.ko"
like "$err" "^dkms:   <T>/root/usr/src/nothing-here must contain a dkms\.conf file!$" \
	"the source that cannot be named is summed up by its path"
bt_root --dry-run <<<"source-removing /usr/src/bar-3.0/
source-removing /usr/src/baz-1.0/dkms.conf
source-removing /usr/src/never-added-1.0"
like "$out" "^remove from every kernel: bar/3\.0$" "dry run: bar named from the tree"
like "$out" "^remove from every kernel: baz/1\.0$" "dry run: baz named from its dkms.conf's path"
unlike "$out" "never-added" "dry run: a source the tree never had is left out"
bt_root <<<"source-removing /usr/src/bar-3.0
source-removing /usr/src/never-added-1.0"
is 0 "$rc" "a source going by its path: exit 0"
is "" "$err" "nothing failed"
check "bar gone from the tree" test ! -e "$T/dkms/bar"
check "bar gone from $K1" test ! -e "$T/lib/$K1/updates/dkms/bar.ko"
# its files gone (the package manager's doing): still named, from the
# tree (removing it then is 3.4.3's "broken" case, not this one's)
rm -rf "$T/root/usr/src/baz-1.0"
bt_root --dry-run <<<"source-removing /usr/src/baz-1.0"
like "$out" "^remove from every kernel: baz/1\.0$" "named from the tree once its files are gone"

# ---- an upgrade by paths: the old one named from the tree ----
bt_init $K1
mkdir -p "$T/root/usr/src"
for v in 1.0 2.0; do
	T=$T bt_module qux $v
	mv "$T/src/qux-$v" "$T/root/usr/src/qux-$v"
done
bt_root <<<"source-added /usr/src/qux-1.0"
bt_root --dry-run <<<"source-removing /usr/src/qux-1.0
source-added /usr/src/qux-2.0"
like "$out" "^upgrade qux/1\.0 to qux/2\.0: " "dry run: the upgrade paired"
bt_root <<<"source-removing /usr/src/qux-1.0
source-added /usr/src/qux-2.0"
is 0 "$rc" "upgrade by paths: exit 0"
check "1.0 gone" test ! -e "$T/dkms/qux/1.0"
like "$("$DKMS" status --root "$T/root" --dkmstree "$T/dkms" --installtree "$T/lib")" \
	"^qux/2\.0, $K1, x86_64: installed" "2.0 installed"

done_testing
