#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A module the kernel already ships under the same name: moved aside into
# original_module/ on install, put back on uninstall and on remove; a
# newer or identical one refuses the install unless --force.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
K=6.1.0-1-fake
cy_init $K
copy_module hello-0.1
L=$T/lib/$K
O=$T/dkms/hello/original_module/$K/x86_64

ship=$(fake_kernel_module "$T" $K hello 0.0.1)
cp "$ship" "$T/shipped.ko"
dk install hello/0.1 -k $K
is 0 "$rc" "install over an older shipped module"
like "$out" "^Found pre-existing <T>/lib/$K/kernel/drivers/misc/hello.ko, archiving for uninstallation$" "says it moves it aside"
check "moved aside" cmp "$T/shipped.ko" "$O/hello.ko"
is "$L/kernel/drivers/misc/hello.ko" "$(cat "$O/hello.ko.origin")" ".origin records where it was"
check "gone from the kernel tree" test ! -e "$L/kernel/drivers/misc/hello.ko"
dk status
dk_is 0 "hello/0.1, $K, x86_64: installed (Original modules exist)" "" "status notes the original"

dk uninstall hello/0.1 -k $K
dk_is 0 "Module hello/0.1 for kernel $K (x86_64):
Before uninstall, this module version was ACTIVE on this kernel.
Deleting <T>/lib/$K/updates/dkms/hello.ko
Restoring archived original module <T>/lib/$K/kernel/drivers/misc/hello.ko
Running depmod... done." "" "uninstall restores it"
check "restored" cmp "$T/shipped.ko" "$L/kernel/drivers/misc/hello.ko"
check "original_module dir gone" test ! -e "$T/dkms/hello/original_module"

dk install hello/0.1 -k $K
check "moved aside again" test -f "$O/hello.ko"
dk remove hello/0.1 --all
is 0 "$rc" "remove"
check "remove restores it" cmp "$T/shipped.ko" "$L/kernel/drivers/misc/hello.ko"
check "remove leaves nothing" test ! -e "$T/dkms/hello"

# a newer one in the kernel: refused, --force overrides
rm "$L/kernel/drivers/misc/hello.ko"
fake_kernel_module "$T" $K hello 9.0 >/dev/null
dk install hello/0.1 -k $K
is 6 "$rc" "not newer: exit 6"
is "
Error! Module version 0.1 for hello.ko
is not newer than what is already found in kernel $K (9.0).
You may override by specifying --force.

Error! Installation aborted." "$err" "not newer: messages"
check "not newer: not installed" test ! -L "$T/dkms/hello/kernel-$K-x86_64"
dk status
dk_is 0 "hello/0.1, $K, x86_64: built" "" "not newer: stays built"
dk install hello/0.1 -k $K --force
is 0 "$rc" "--force installs anyway"
check "--force: the newer one moved aside" test -f "$O/hello.ko"
dk remove hello/0.1 --all
check "--force: put back on remove" test -f "$L/kernel/drivers/misc/hello.ko"
rm "$L/kernel/drivers/misc/hello.ko"

# the very same module already there
dk build hello/0.1 -k $K
cp "$T/dkms/hello/0.1/$K/x86_64/module/hello.ko" "$L/kernel/hello.ko"
dk install hello/0.1 -k $K
is 6 "$rc" "same module: exit 6"
is "Module <T>/lib/$K/kernel/hello.ko already installed at version 0.1, override by specifying --force

Error! Installation aborted." "$err" "same module: messages"
dk install hello/0.1 -k $K --force-version-override
is 0 "$rc" "--force-version-override installs"
like "$out" "^Found pre-existing <T>/lib/$K/kernel/hello.ko, archiving for uninstallation$" "--force-version-override: moved aside"

# incomplete states in status
rm "$L/updates/dkms/hello.ko"
dk status
dk_is 0 "hello/0.1, $K, x86_64: installed (Original modules exist) (Differences between built and installed modules)" "" "installed module deleted behind dkms's back"
rm "$T/dkms/hello/0.1/$K/x86_64/module/hello.ko"
dk status
dk_is 0 "hello/0.1, $K, x86_64: installed (Original modules exist) (Built modules are missing in the kernel modules folder)" "" "built module deleted behind dkms's back"
dk uninstall hello/0.1 -k $K
is 0 "$rc" "uninstall of an incomplete install"
like "$out" "^Module hello.ko was not found within <T>/lib/$K/$" "says the installed copy is missing"
check "original restored all the same" test -f "$L/kernel/hello.ko"

# distributions can force installs: /usr/share/dkms/modules_to_force_install
dk remove hello/0.1 --all
dk build hello/0.1 -k $K
cp "$T/dkms/hello/0.1/$K/x86_64/module/hello.ko" "$L/kernel/hello.ko"
mkdir -p "$T/root/usr/share/dkms/modules_to_force_install"
echo "other hello_version-override" >"$T/root/usr/share/dkms/modules_to_force_install/list"
dk install hello/0.1 -k $K
is 0 "$rc" "modules_to_force_install: NAME_version-override installs"
like "$out" "^Forcing version override of hello$" "modules_to_force_install: says so"

# an original archived by an older dkms, without a .origin file: put back
# under the conf's own DEST_MODULE_LOCATION
dk remove hello/0.1 --all
rm -rf "$T/root/usr/share/dkms" "$L/kernel/hello.ko"
dk install hello/0.1 -k $K
mkdir -p "$O"
cp "$T/shipped.ko" "$O/hello.ko"
dk uninstall hello/0.1 -k $K
dk_is 0 "Module hello/0.1 for kernel $K (x86_64):
Before uninstall, this module version was ACTIVE on this kernel.
Deleting <T>/lib/$K/updates/dkms/hello.ko
Restoring archived original module
Running depmod... done.
Removing original module(s) from DKMS tree for kernel $K (x86_64)" "" "older dkms's archive restored"
check "restored to DEST_MODULE_LOCATION" cmp "$T/shipped.ko" "$L/extra/hello.ko"

done_testing
