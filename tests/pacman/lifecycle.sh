#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real pacman transactions on a root with our dkms and its hooks
# installed (pacman-lib.sh): a driver source before its kernel and a
# kernel before a source, a source upgraded to a new version and
# reinstalled at the same version, a kernel upgraded, the headers of a
# kernel that stays removed, a source and a kernel removed.  The hooks
# run chrooted into the root; the dkms tree and the modules installed
# there are checked after each transaction.
. "$top_srcdir/tests/pacman/pacman-lib.sh"
pm_init
plan 54

K1=6.6.7-arch1-1 K2=6.1.66-1-lts K3=6.6.8-arch1-1
pm_source foo 1.0 1
pm_source foo 1.1 1
pm_source foo 1.1 2
pm_source bar 1.0 1
pm_kernel linux $K1
pm_headers linux $K1
pm_kernel linux $K3 2-1
pm_headers linux $K3 2-1
pm_kernel linux-lts $K2
pm_headers linux-lts $K2

# events: the event lines this transaction's hooks logged
events() {
	sed -n 's/^dkms: event: //p' <<<"$out"
}

# ---- the hooks installed in the root ----
exec_of() { sed -n 's/^Exec = //p' "$R$PM_HOOKDIR/$1"; }
like "$(exec_of 70-dkms-install.hook)" "/dkms-alpm-hook install\$" "the install hook runs the program"
like "$(exec_of 71-dkms-remove.hook)" "/dkms-alpm-hook remove\$" "the remove hook runs the program"
prog=$(exec_of 70-dkms-install.hook)
prog=${prog% install}
check "the program the hooks name is installed in the root" test -x "$R$prog"
is "PostTransaction PreTransaction" \
	"$(sed -n 's/^When = //p' "$R$PM_HOOKDIR/70-dkms-install.hook" "$R$PM_HOOKDIR/71-dkms-remove.hook" | tr '\n' ' ' | sed 's/ $//')" \
	"install after the transaction, remove before it"
is "" "$(grep -h AbortOnFail "$R$PM_HOOKDIR"/7?-dkms-*.hook)" "no hook may abort a transaction"

# ---- a source, then its kernel ----
pm_U foo-dkms-1.0-1.pkg.tar.zst
is 0 "$rc" "source first: pacman succeeds" || diag "$out"
is "source-added /usr/src/foo-1.0" "$(events)" "source first: one event, the source by its path"
is "added" "$(pm_state foo/1.0 $K1)" "source first: added, no kernel to build for"
is "/usr/src/foo-1.0" "$(readlink "$R/var/lib/dkms/foo/1.0/source")" \
	"source first: the hook ran inside the root (the source link names its path there)"
like "$out" "no kernel has its headers installed" "source first: says that nothing is built"

pm_U linux-1-1.pkg.tar.zst linux-headers-1-1.pkg.tar.zst
is 0 "$rc" "then the kernel: pacman succeeds" || diag "$out"
is "kernel-added $K1" "$(events)" "then the kernel: its image and headers are one event"
is "installed" "$(pm_state foo/1.0 $K1)" "then the kernel: foo installed for it"
check "then the kernel: foo.ko in the kernel's updates/dkms" test -n "$(pm_ko $K1 foo)"
like "$(cat "$R/usr/lib/modules/$K1/modules.dep")" "updates/dkms/foo\.ko" \
	"then the kernel: depmod ran in the root"

# ---- a kernel, then a source ----
pm_U linux-lts-1-1.pkg.tar.zst linux-lts-headers-1-1.pkg.tar.zst
is 0 "$rc" "kernel first: pacman succeeds"
is "installed" "$(pm_state foo/1.0 $K2)" "kernel first: the module there already follows the new kernel"
pm_U bar-dkms-1.0-1.pkg.tar.zst
is 0 "$rc" "then a source: pacman succeeds"
is "source-added /usr/src/bar-1.0" "$(events)" "then a source: one event"
is "installed installed" "$(pm_state bar/1.0 $K1) $(pm_state bar/1.0 $K2)" \
	"then a source: built and installed for both kernels"

# ---- the source upgraded to a new version ----
pm_U foo-dkms-1.1-1.pkg.tar.zst
is 0 "$rc" "upgrade: pacman succeeds" || diag "$out"
is "source-removing /usr/src/foo-1.0
source-added /usr/src/foo-1.1" "$(events)" \
	"upgrade: the old version goes before, the new one comes after"
like "$(sed -n '/Remove DKMS modules/,/upgrading foo-dkms/p' <<<"$out")" \
	"event: source-removing /usr/src/foo-1\.0" "upgrade: the old version goes while its files are there"
check "upgrade: foo/1.0 is gone from the tree" test ! -e "$R/var/lib/dkms/foo/1.0"
is "installed installed" "$(pm_state foo/1.1 $K1) $(pm_state foo/1.1 $K2)" \
	"upgrade: foo/1.1 installed for both kernels"
is "1.1" "$(modinfo -F version "$(pm_ko $K1 foo)")" "upgrade: the module installed is 1.1's"
is "1" "$(pm_ko $K2 foo | wc -l)" "upgrade: one foo.ko per kernel"

# ---- the same version again (a new package release) ----
before=$(pm_tree; stat -c %Y "$(pm_ko $K1 foo)")
pm_U foo-dkms-1.1-2.pkg.tar.zst
is 0 "$rc" "same version again: pacman succeeds"
is "source-added /usr/src/foo-1.1" "$(events)" \
	"same version again: only the install hook (a path both packages ship is an Upgrade)"
unlike "$out" "Remove DKMS modules" "same version again: the remove hook does not run"
is "$before" "$(pm_tree; stat -c %Y "$(pm_ko $K1 foo)")" \
	"same version again: nothing removed, nothing rebuilt"

# ---- the kernel upgraded (a new release: K1 goes, K3 comes) ----
pm_U linux-2-1.pkg.tar.zst linux-headers-2-1.pkg.tar.zst
is 0 "$rc" "kernel upgrade: pacman succeeds" || diag "$out"
is "kernel-removing $K1
kernel-added $K3" "$(events)" "kernel upgrade: the old kernel goes before, the new one comes after"
is "" "$(pm_on_kernel $K1)" "kernel upgrade: nothing left built for the old kernel"
check "kernel upgrade: the old kernel's dkms tree entries are gone" \
	test -z "$(find "$R/var/lib/dkms" -path "*/$K1*")"
is "installed installed" "$(pm_state foo/1.1 $K3) $(pm_state bar/1.0 $K3)" \
	"kernel upgrade: both modules installed for the new kernel"
is "installed" "$(pm_state foo/1.1 $K2)" "kernel upgrade: the other kernel is left alone"

# ---- a kernel's headers removed, the kernel stays ----
pm_R linux-headers
is 0 "$rc" "headers removed: pacman succeeds"
is "" "$(events)" "headers removed: no event"
like "$out" "the headers of kernel $K3 are going, the kernel stays: its modules stay installed" \
	"headers removed: says why nothing is done"
is "installed" "$(pm_state foo/1.1 $K3)" "headers removed: the modules stay installed"

# ---- a source removed ----
pm_R foo-dkms
is 0 "$rc" "source removed: pacman succeeds" || diag "$out"
is "source-removing /usr/src/foo-1.1" "$(events)" "source removed: one event, the source by its path"
check "source removed: gone from the tree" test ! -e "$R/var/lib/dkms/foo"
is "" "$(pm_ko $K2 foo)$(pm_ko $K3 foo)" "source removed: its modules are gone from every kernel"
is "installed" "$(pm_state bar/1.0 $K2)" "source removed: the other module stays"

# ---- a kernel removed ----
pm_R linux-lts linux-lts-headers
is 0 "$rc" "kernel removed: pacman succeeds" || diag "$out"
is "kernel-removing $K2" "$(events)" "kernel removed: one event for image and headers"
is "" "$(pm_on_kernel $K2)" "kernel removed: nothing left built for it"
check "kernel removed: its module is gone" test -z "$(pm_ko $K2 bar)"
is "installed" "$(pm_state bar/1.0 $K3)" "kernel removed: the other kernel keeps its module"

# ---- what pacman logged: the events, replayable ----
log=$(sed -n 's/^\[[^]]*\] \[ALPM-SCRIPTLET\] dkms: event: //p' "$R/var/log/pacman.log")
like "$log" "source-removing /usr/src/foo-1\.0" "pacman.log holds the events"
printf '%s\n' "$log" >"$R/tmp/events"
pm_dkms batch --dry-run /tmp/events >"$T/replay.out" 2>&1
is 0 "$?" "dkms batch reads pacman.log's events" || diag "$(cat "$T/replay.out")"
like "$(cat "$T/replay.out")" "^add, build and install for every kernel with headers: bar/1\.0\$" \
	"dkms batch plans them again"

done_testing
