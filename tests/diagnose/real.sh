#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dkms diagnose on Debian's real headers (6.1.0-56-amd64): a tiny module
# installed (vermagic, the kernel's release from its headers, depmod's
# modules.dep), and one that does not compile (gcc's error lines).
. "$top_srcdir/tests/diagnose/diag-lib.sh"
K=6.1.0-56-amd64
have_real_kernel $K || skip_all "kernel headers for $K are not installed"
dg_init
real_kernel "$T" $K
tiny_module tiny 1.0
tiny_module bad 1.0
printf '#include <linux/module.h>\nstatic int x = undeclared_thing;\nMODULE_LICENSE("GPL");\n' >"$T/src/bad-1.0/bad.c"
: >"$T/lib/$K/modules.dep"
dk add tiny/1.0
dk add bad/1.0
dk install tiny/1.0 -k $K --no-sandbox
is 0 "$rc" "setup: tiny built and installed on the real headers"
dk build bad/1.0 -k $K --no-sandbox
is 10 "$rc" "setup: bad fails to build"

dg tiny/1.0 -k $K
like "$out" "^tiny/1\.0, $K, $A: installed\$" "installed"
like "$out" "^  verdict: ok\$" "usable"
like "$out" "^    vermagic: $K SMP preempt mod_unload modversions\$" "vermagic: the real kernel's"
like "$out" "^    modules.dep: lists it\$" "depmod's modules.dep lists it"
like "$out" "^    will load: unknown \(the Secure Boot state is unknown: no EFI variables\)\$" \
	"a signing kernel, unsigned, Secure Boot unknown"
is "[true,\"$K\",true,\"listed\",true]" \
	"$(dgj '.entries[0] | [.usable, .kernel_release, .modules[0].vermagic_matches, .modules[0].modules_dep, .headers.present]' tiny/1.0 -k $K)" \
	"json: usable, release from the headers, vermagic, modules.dep"

dg bad/1.0 -k $K
like "$out" "^  problem: its last build for kernel $K failed \(make exit 2\)\$" "failed build"
like "$out" "^  build log: <T>/dkms/bad/1\.0/build/make\.log\$" "its make.log"
like "$out" "^    <T>/dkms/bad/1\.0/build/bad\.c:2:16: error: .*undeclared_thing" "gcc's error line, file:line:col"
like "$out" "^    make(\[[0-9]+\])?: \*\*\* .* Error [0-9]+\$" "make's error line"
is "true" "$(dgj '[.entries[0].build.errors[] | select(test("error: .*undeclared_thing"))] | length == 1' bad/1.0 -k $K)" \
	"json: the compiler error"
done_testing
