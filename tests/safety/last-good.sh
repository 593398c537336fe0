#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Last known good: an installed module whose rebuild fails stays installed.
# deprebuild (BUILD_DEPENDS=hello, BUILD_DEPENDS_REBUILD=yes) is rebuilt
# when hello 2.0 is installed; its source now fails to compile.  3.4.3
# leaves the kernel without deprebuild (checked against the reference
# when it can run); we put its last good build back and say so.
. "$top_srcdir/tests/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "dkms add/install need root"
K=6.1.0-1-fake
A=$(uname -m)
FIX=$top_srcdir/tests/diff/modules

# setup: hello 1.0 and deprebuild 1.0 installed, hello 2.0 added, the
# deprebuild source broken
setup() {
	local v run=$1
	mk_trees "$T"
	fake_kernel "$T" "$K"
	for v in 1.0 2.0; do
		mkdir -p "$T/src/hello-$v"
		cp -a "$FIX/hello/." "$T/src/hello-$v/"
		find "$T/src/hello-$v" -type f -exec sed -i "s/@VERSION@/$v/g" {} +
	done
	mkdir -p "$T/src/deprebuild-1.0"
	cp -a "$FIX/deprebuild/." "$T/src/deprebuild-1.0/"
	find "$T/src/deprebuild-1.0" -type f -exec sed -i "s/@VERSION@/1.0/g" {} +
	$run add hello/1.0 && $run install hello/1.0 -k "$K" &&
		$run add deprebuild/1.0 && $run install deprebuild/1.0 -k "$K" &&
		$run add hello/2.0 || return 1
	echo '#error this source does not build any more' >>"$T/src/deprebuild-1.0/deprebuild.c"
}
ours() { dkms_nosb "$@"; }

scratch
setup ours >/dev/null 2>&1 || bail_out "cannot set up"
ko=$T/lib/$K/updates/dkms/deprebuild.ko
[ -f "$ko" ] || bail_out "deprebuild.ko is not installed at $ko"
good=$(md5sum <"$ko")
out=$(ours install hello/2.0 -k "$K" 2>&1)
rc=$?
diag "exit $rc"
like "$out" "Rebuilding module deprebuild/1.0 due to updated dependencies" "the rebuild ran"
like "$out" "Rebuilding module deprebuild/1.0 for kernel $K \($A\) failed: installing its last good build again\." "it says the rebuild failed"
like "$out" "^Kept the last good build of deprebuild/1.0 installed for kernel $K \($A\)\.$" "it says the last good build was kept"
like "$(ours status deprebuild 2>&1)" "^deprebuild/1.0, $K, $A: installed" "deprebuild stays installed"
is "$good" "$(md5sum <"$ko" 2>/dev/null)" "the same deprebuild.ko is in place"
like "$(ours status hello 2>&1)" "^hello/2.0, $K, $A: installed" "hello 2.0 is installed"
is "" "$(find "$T/dkms" -name '*.dkms-lkg' -o -name '.dkms-journal*')" "nothing left aside"
is "1.0" "$(cat "$T/dkms/deprebuild/1.0/$K/$A/.dep_hello" 2>/dev/null)" "the kept build still says what it was built against"

# a rebuild that succeeds drops the kept copy
sed -i '/#error/d' "$T/src/deprebuild-1.0/deprebuild.c"
out=$(ours install hello/2.0 -k "$K" --force 2>&1)
ours uninstall hello/2.0 -k "$K" >/dev/null 2>&1
out=$(ours install hello/2.0 -k "$K" 2>&1)
like "$out" "Rebuilding module deprebuild/1.0 due to updated dependencies" "a working rebuild runs"
is "2.0" "$(cat "$T/dkms/deprebuild/1.0/$K/$A/.dep_hello" 2>/dev/null)" "and records the new dependency"
is "" "$(find "$T/dkms" -name '*.dkms-lkg')" "nothing kept aside after it"

# what 3.4.3 does (the difference dkms(8) documents)
if have_ref >/dev/null 2>&1; then
	rm -rf "$T/dkms" "$T/src" "$T/lib"
	setup dkms_ref >/dev/null 2>&1 || bail_out "cannot set up for 3.4.3"
	dkms_ref install hello/2.0 -k "$K" >/dev/null 2>&1
	is "" "$(dkms_ref status deprebuild 2>/dev/null | grep installed)" "3.4.3 leaves deprebuild uninstalled"
	check "and without its module" test ! -e "$ko"
else
	skip "no reference dkms" 2
fi
done_testing
