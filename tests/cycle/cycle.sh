#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole cycle on fake kernels: add, build, install, status, uninstall,
# unbuild, remove; messages as dkms 3.4.3 prints them, and its tree layout.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
K1=6.1.0-1-fake K2=6.1.0-2-fake
cy_init $K1 $K2
copy_module hello-0.1
copy_module multi-0.1

dk status
dk_is 0 "" "" "status of an empty tree"

dk add hello/0.1
dk_is 0 "Creating symlink <T>/dkms/hello/0.1/source -> <T>/src/hello-0.1" "" "add"
is "$T/src/hello-0.1" "$(readlink "$T/dkms/hello/0.1/source")" "source link"
check "empty build dir after add" test -d "$T/dkms/hello/0.1/build"

dk add -m hello -v 0.1
dk_is 3 "" "
Error! DKMS tree already contains: hello/0.1
You cannot add the same module/version combo more than once." "add twice"

dk status
dk_is 0 "hello/0.1: added" "" "status: added"

dk build hello/0.1 -k $K1
dk_is 0 "$NOSIGN

Building module(s)... done." "" "build"
M=$T/dkms/hello/0.1/$K1/x86_64
check "built module" test -f "$M/module/hello.ko"
check "Module.symvers kept" test -f "$M/module/Module.symvers"
check "make.log kept" test -f "$M/log/make.log"
check "build dir gone" test ! -e "$T/dkms/hello/0.1/build"
log=$(cat "$M/log/make.log")
like "$log" "^DKMS \(dkms-3\.4\.3\) make\.log for hello/0\.1 for kernel $K1 \(x86_64\)$" "make.log header"
like "$log" "^# command: make -j[0-9]* KERNELRELEASE=$K1 -C $T/lib/$K1/build M=$T/dkms/hello/0.1/build$" "make.log command"
like "$log" "^# exit code: 0$" "make.log exit code"
like "$log" "^# elapsed time: [0-9][0-9]:[0-9][0-9]:[0-9][0-9]$" "make.log elapsed time"
is "$K1" "$(modinfo -F vermagic "$M/module/hello.ko" | cut -d' ' -f1)" "vermagic of the built module"

dk build hello/0.1 -k $K1
dk_is 0 "Module hello/0.1 already built for kernel $K1 (x86_64), skip. You may override by specifying --force." "" "build again is skipped"

dk status
dk_is 0 "hello/0.1, $K1, x86_64: built" "" "status: built"

dk install hello/0.1 -k $K1 -k $K2
dk_is 0 "Installing <T>/lib/$K1/updates/dkms/hello.ko
Running depmod... done.
$NOSIGN

Building module(s)... done.
Installing <T>/lib/$K2/updates/dkms/hello.ko
Running depmod... done." "" "install on two kernels (builds the second)"
is "0.1/$K1/x86_64" "$(readlink "$T/dkms/hello/kernel-$K1-x86_64")" "kernel link"
check "installed copy" cmp "$M/module/hello.ko" "$T/lib/$K1/updates/dkms/hello.ko"

dk status
dk_is 0 "hello/0.1, $K1, x86_64: installed
hello/0.1, $K2, x86_64: installed" "" "status: installed"

dk install hello/0.1 -k $K1
dk_is 0 "Module hello/0.1 already installed on kernel $K1 (x86_64), skip. You may override by specifying --force." "" "install again is skipped"

dk status -k $K2
dk_is 0 "hello/0.1, $K2, x86_64: installed" "" "status -k"
dk status -m nothere
dk_is 0 "" "" "status of an unknown module"

dk uninstall hello/0.1 -k $K2
dk_is 0 "Module hello/0.1 for kernel $K2 (x86_64):
Before uninstall, this module version was ACTIVE on this kernel.
Deleting <T>/lib/$K2/updates/dkms/hello.ko
Running depmod... done." "" "uninstall"
check "installed copy deleted" test ! -e "$T/lib/$K2/updates/dkms/hello.ko"
check "empty updates dir pruned" test ! -e "$T/lib/$K2/updates"
check "kernel link deleted" test ! -L "$T/dkms/hello/kernel-$K2-x86_64"

dk uninstall hello/0.1 -k $K2
dk_is 0 "Module hello/0.1 is not installed for kernel $K2 (x86_64). Skipping..." "" "uninstall again"

dk unbuild hello/0.1 -k $K2
dk_is 0 "Module hello/0.1 is not installed for kernel $K2 (x86_64). Skipping..." "" "unbuild"
check "kernel dir gone" test ! -e "$T/dkms/hello/0.1/$K2"
dk unbuild hello/0.1 -k $K2
dk_is 0 "Module hello/0.1 is not installed for kernel $K2 (x86_64). Skipping...
Module hello/0.1 is not built for kernel $K2 (x86_64). Skipping..." "" "unbuild again"

dk install multi/0.1 -k $K1
dk_is 0 "Creating symlink <T>/dkms/multi/0.1/source -> <T>/src/multi-0.1

$NOSIGN

Building module(s)... done.
Installing <T>/lib/$K1/updates/dkms/multi_a.ko
Installing <T>/lib/$K1/updates/dkms/multi_b.ko
Running depmod... done." "" "install of two modules (adds and builds first)"

dk status
dk_is 0 "hello/0.1, $K1, x86_64: installed
multi/0.1, $K1, x86_64: installed" "" "status of two modules"

dk remove multi/0.1 --all
dk_is 0 "Module multi/0.1 for kernel $K1 (x86_64):
Before uninstall, this module version was ACTIVE on this kernel.
Deleting <T>/lib/$K1/updates/dkms/multi_a.ko
Deleting <T>/lib/$K1/updates/dkms/multi_b.ko
Running depmod... done.

Deleting module multi/0.1 completely from the DKMS tree." "" "remove --all"
check "module dir gone with its last version" test ! -e "$T/dkms/multi"

dk remove hello/0.1 -k $K2
dk_is 0 "Module hello/0.1 is not installed for kernel $K2 (x86_64). Skipping...
Module hello/0.1 is not built for kernel $K2 (x86_64). Skipping..." "" "remove for a kernel it is not on keeps the version"
check "version kept while built elsewhere" test -d "$T/dkms/hello/0.1/$K1"

dk remove hello/0.1 -k $K1
dk_is 0 "Module hello/0.1 for kernel $K1 (x86_64):
Before uninstall, this module version was ACTIVE on this kernel.
Deleting <T>/lib/$K1/updates/dkms/hello.ko
Running depmod... done.

Deleting module hello/0.1 completely from the DKMS tree." "" "remove the last kernel"
check "dkms tree empty again" test -z "$(ls "$T/dkms")"

# a source tree given by path: copied to the source tree, then built
mkdir -p "$T/up" && cp -a "$top_srcdir/tests/modules/hello-0.1" "$T/up/hello"
dk build "$T/up/hello" -k $K1
dk_is 0 "Creating symlink <T>/dkms/hello/0.1/source -> <T>/src/hello-0.1

$NOSIGN

Building module(s)... done." "" "build DIR adds it first"
dk status
dk_is 0 "hello/0.1, $K1, x86_64: built" "" "status after build DIR"
dk remove hello/0.1 --all
is 0 "$rc" "remove --all of a built module"

done_testing
