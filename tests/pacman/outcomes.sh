#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What a pacman transaction shows and how it ends (pacman-lib.sh): a
# module that fails to build beside one that builds (the transaction
# succeeds, the failure is named with its make.log, nothing says
# "command failed to execute correctly"), a package with nothing for
# dkms (no output, no change), a kernel arriving without its headers
# (the package to install named from the root's pacman databases), and
# framework.conf's strict_transactions.
. "$top_srcdir/tests/pacman/pacman-lib.sh"
. "$top_srcdir/tests/pkgdb/lib.sh"
pm_init
plan 26

K1=6.6.7-arch1-1 K2=6.6.9-zen1-1
pm_kernel linux $K1
pm_headers linux $K1
pm_source good 1.0 1
pm_source bad 1.0 1
echo 'int broken = ;' >>"$T/build/bad-dkms-1.0-1/usr/src/bad-1.0/bad.c"
pm_assemble "$T/build/bad-dkms-1.0-1" bad-dkms 1.0-1 bad-dkms any
pm_source worse 1.0 1
echo 'int broken = ;' >>"$T/build/worse-dkms-1.0-1/usr/src/worse-1.0/worse.c"
pm_assemble "$T/build/worse-dkms-1.0-1" worse-dkms 1.0-1 worse-dkms any
pm_other hello
pm_kernel linux-zen $K2
pm_headers linux-zen $K2

pm_U linux-1-1.pkg.tar.zst linux-headers-1-1.pkg.tar.zst
is 0 "$rc" "a kernel installed" || diag "$out"

# ---- a failing build beside a good one ----
pm_U good-dkms-1.0-1.pkg.tar.zst bad-dkms-1.0-1.pkg.tar.zst
is 0 "$rc" "a failing build: pacman succeeds" || diag "$out"
is "installed" "$(pm_state good/1.0 $K1)" "a failing build: the good module is installed"
log=/var/lib/dkms/bad/1.0/.$K1-x86_64.make.log
like "$out" "^dkms: 1 step\(s\) of this transaction failed:\$" "a failing build: summed up at the end"
like "$out" "^dkms:   bad/1\.0 failed for kernel $K1: the build failed; see ${log//./\\.}\$" \
	"a failing build: named, with its make.log"
like "$(cat "$R$log")" "int broken = ;" "a failing build: the make.log is kept, with the compiler's error"
unlike "$out" "command failed to execute correctly" "a failing build: the hook does not fail"
check "a failing build: both packages are installed" \
	pm_Q good-dkms bad-dkms
like "$(grep 'ALPM-SCRIPTLET' "$R/var/log/pacman.log")" "bad/1\.0 failed for kernel $K1" \
	"a failing build: pacman.log has the summary"
like "$(pm_dkms status bad/1.0 2>&1)" "^bad/1\.0: added\$" "a failing build: dkms status shows it added, not built"
# the same version again (a new package release): tried again where it
# is not installed
pm_assemble "$T/build/bad-dkms-1.0-1" bad-dkms 1.0-2 bad-dkms any
pm_U bad-dkms-1.0-2.pkg.tar.zst
like "$out" "^dkms:   bad/1\.0 failed for kernel $K1: the build failed" \
	"the same version again: the build that failed is tried again"

# ---- a package with nothing for dkms ----
before=$(pm_tree; find "$R/usr/lib/modules" | LC_ALL=C sort)
pm_U hello-1-1.pkg.tar.zst
is 0 "$rc" "an unrelated package: pacman succeeds"
unlike "$out" "DKMS|dkms|hooks" "an unrelated package: no hook runs, nothing said"
pm_R hello
is 0 "$rc" "an unrelated package removed: pacman succeeds"
unlike "$out" "DKMS|dkms|hooks" "an unrelated package removed: nothing said"
is "$before" "$(pm_tree; find "$R/usr/lib/modules" | LC_ALL=C sort)" \
	"an unrelated package: the dkms tree and the kernels are unchanged"

# ---- a kernel without its headers ----
pm_U linux-zen-1-1.pkg.tar.zst
is 0 "$rc" "a kernel without headers: pacman succeeds" || diag "$out"
is "kernel-added $K2" "$(sed -n 's/^dkms: event: //p' <<<"$out")" \
	"a kernel without headers: its image is the event"
if have_libsolv && command -v repo-add >/dev/null; then
	# the sync database pacman -Sy would download
	mkdir -p "$T/repo" "$R/var/lib/pacman/sync"
	(cd "$T/pkgs" && repo-add -q "$T/repo/extra.db.tar.zst" linux-zen-headers-1-1.pkg.tar.zst) \
		>"$T/repo-add.log" 2>&1 || bail_out "repo-add: $(cat "$T/repo-add.log")"
	cp -L "$T/repo/extra.db" "$R/var/lib/pacman/sync/"
	pm_R linux-zen
	pm_U linux-zen-1-1.pkg.tar.zst
	like "$out" "^dkms:   kernel $K2: the headers of kernel $K2 are not installed: install linux-zen-headers\$" \
		"a kernel without headers: the package to install is named from the sync database"
else
	like "$out" "^dkms:   kernel $K2: the headers of kernel $K2 are not installed: install the package" \
		"a kernel without headers: said in general words (no libsolv or repo-add here)"
fi
unlike "$out" "command failed to execute correctly" "a kernel without headers: the hook does not fail"
pm_U linux-zen-headers-1-1.pkg.tar.zst
is 0 "$rc" "its headers later: pacman succeeds"
is "kernel-added $K2" "$(sed -n 's/^dkms: event: //p' <<<"$out")" "its headers later: the kernel again"
is "installed" "$(pm_state good/1.0 $K2)" "its headers later: the modules follow"

# ---- strict transactions ----
echo 'strict_transactions="yes"' >>"$R/etc/dkms/framework.conf"
pm_U worse-dkms-1.0-1.pkg.tar.zst
like "$out" "worse/1\.0 failed for kernel $K1" "strict: the failure is named"
like "$out" "command failed to execute correctly" "strict: the hook fails, pacman says so"
check "strict: the package is installed all the same (a PostTransaction hook cannot undo it)" \
	pm_Q worse-dkms

done_testing
