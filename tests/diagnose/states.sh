#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dkms diagnose, text and JSON, on fake kernels: a module installed and
# fine, one built and not installed, a failed build (its first errors
# and make.log), a kernel without headers (and one whose build link
# dangles), a broken module version; the short default output, the exit
# codes, and the command line around the word.
. "$top_srcdir/tests/diagnose/diag-lib.sh"
K1=6.1.0-1-fake K2=6.1.0-2-fake K8=6.1.0-8-fake K9=6.1.0-9-fake
dg_init $K1 $K2
copy_module hello-0.1
copy_module broken-0.1
tiny_module plain 1.0
: >"$T/lib/$K1/modules.dep" # depmod runs: modules.dep lists what dkms installs
for m in hello/0.1 broken/0.1 plain/1.0; do
	dk add $m
done
dk install hello/0.1 -k $K1 --no-sandbox
is 0 "$rc" "setup: hello installed"
dk build plain/1.0 -k $K1 --no-sandbox
is 0 "$rc" "setup: plain built"
dk build broken/0.1 -k $K1 --no-sandbox
is 10 "$rc" "setup: broken fails to build"

# ---- installed and fine
dg hello/0.1 -k $K1
dk_is 0 "hello/0.1, $K1, $A: installed
  verdict: ok
  headers: <T>/lib/$K1/build
  build log: <T>/dkms/hello/0.1/$K1/$A/log/make.log
  build report: <T>/dkms/hello/0.1/$K1/$A/log/dkms-build-report
    sandbox: no (disabled by --no-sandbox)
  hello.ko: <T>/lib/$K1/updates/dkms/hello.ko
    vermagic: $K1 SMP preempt mod_unload modversions
    signature: none
    will load: yes (the kernel checks no signature: CONFIG_MODULE_SIG is not set)
    modules.dep: lists it
  secure boot: unknown (no EFI variables)" "" "installed, fine"
is '["installed",true,[],[]]' "$(dgj '.entries[0] | [.state, .usable, .problems, .notes]' hello/0.1 -k $K1)" \
	"json: installed, usable, no problem, no note"
is "[\"<T>/lib/$K1/updates/dkms/hello.ko\",\"<T>/dkms/hello/0.1/$K1/$A/module/hello.ko\",\"listed\",true,\"yes\",false]" \
	"$(dgj '.entries[0].modules[0] | [.installed, .built, .modules_dep, .vermagic_matches, .will_load, .signed]' hello/0.1 -k $K1)" \
	"json: the module's files, modules.dep, vermagic, will load, unsigned"
is "[\"<T>/lib/$K1/build\",true,\"$K1\",null]" \
	"$(dgj '.entries[0] | [.headers.dir, .headers.present, .kernel_release, .loaded]' hello/0.1 -k $K1)" \
	"json: headers, the kernel's release; loaded only on the running kernel"
is 1 "$(dgj '.entries | length' hello/0.1 -k $K1)" "json: one entry for one module and kernel"

# ---- built, not installed
dg plain/1.0 -k $K1
dk_is 0 "plain/1.0, $K1, $A: built
  verdict: not usable
  problem: it is built but not installed: \`dkms install plain/1.0 -k $K1\` installs it
  headers: <T>/lib/$K1/build
  build log: <T>/dkms/plain/1.0/$K1/$A/log/make.log
  build report: <T>/dkms/plain/1.0/$K1/$A/log/dkms-build-report
    sandbox: no (disabled by --no-sandbox)
  plain.ko: <T>/dkms/plain/1.0/$K1/$A/module/plain.ko
    vermagic: $K1 SMP preempt mod_unload modversions
    signature: none
    will load: yes (the kernel checks no signature: CONFIG_MODULE_SIG is not set)
  secure boot: unknown (no EFI variables)" "" "built, not installed"
is "[\"built\",false,null,null]" "$(dgj '.entries[0] | [.state, .usable, .modules[0].installed, .modules[0].modules_dep]' plain/1.0 -k $K1)" \
	"json: built, not usable, nothing installed"

# ---- a failed build: its first errors, make.log and build report
dg broken/0.1 -k $K1
dk_is 0 "broken/0.1, $K1, $A: added
  verdict: not usable
  problem: its last build for kernel $K1 failed (make exit 2)
  headers: <T>/lib/$K1/build
  build log: <T>/dkms/broken/0.1/build/make.log
    broken.c:7:17: error: expected ';' before '}' token
    make[1]: *** [<T>/lib/$K1/build/scripts/Makefile.build:50: <T>/dkms/broken/0.1/build/broken.o] Error 1
    make: *** [Makefile:51: modules] Error 2
  build report: <T>/dkms/broken/0.1/build/dkms-build-report
    sandbox: no (disabled by --no-sandbox)" "" "failed build"
is "[true,2,\"<T>/dkms/broken/0.1/build/make.log\",\"broken.c:7:17: error: expected ';' before '}' token\",3,\"<T>/dkms/broken/0.1/build/dkms-build-report\"]" \
	"$(dgj '.entries[0].build | [.failed, .exit_code, .log, .errors[0], (.errors | length), .report]' broken/0.1 -k $K1)" \
	"json: failed, exit code, log, errors, report"
# the failed build's log is another kernel's: nothing said of it on K2
dg broken/0.1 -k $K2
like "$out" "^  problem: it is not built for kernel $K2: " "a failed build for another kernel is not this kernel's"
unlike "$out" "build log:" "no make.log of another kernel's build"

# ---- no headers
headless $K9
dg hello/0.1 -k $K9
dk_is 0 "hello/0.1, $K9, $A: added
  verdict: not usable
  problem: the headers of kernel $K9 are missing: install the headers package for kernel $K9
  headers: missing: <T>/lib/$K9/build" "" "headers missing"
is "[false,null,null,[\"the headers of kernel $K9 are missing: install the headers package for kernel $K9\"]]" \
	"$(dgj '.entries[0] | [.headers.present, .headers.link_target, .headers.package, .problems]' hello/0.1 -k $K9)" \
	"json: headers missing, no package known here"
mkdir -p "$T/lib/$K8"
ln -s "$T/usr/src/linux-headers-$K8" "$T/lib/$K8/build"
dg hello/0.1 -k $K8
like "$out" "^  headers: missing: <T>/lib/$K8/build -> <T>/usr/src/linux-headers-$K8\$" "a dangling build link: where it points"
is "\"<T>/usr/src/linux-headers-$K8\"" "$(dgj '.entries[0].headers.link_target' hello/0.1 -k $K8)" "json: the link's target"
# a kernel neither installed nor built for
dg hello/0.1 -k 6.1.0-7-fake
like "$out" "^  note: kernel 6\.1\.0-7-fake is not installed\$" "a kernel that is not installed: said"
is 0 "$rc" "a kernel that is not installed: diagnosed, exit 0"

# ---- a broken module version
tiny_module gone 1.0
dk add gone/1.0
rm -rf "$T/src/gone-1.0"
dg gone/1.0
dk_is 0 "gone/1.0: broken
  verdict: not usable
  problem: its source is missing: the source link of gone/1.0 points to nothing" "" "broken"
is '[null,"broken",false]' "$(dgj '.entries[0] | [.kernel, .state, .usable]' gone/1.0)" "json: broken, no kernel"
rm -rf "$T/dkms/gone"

# ---- the default output: a screen for each pair not fine, one line for the rest
dg
is 0 "$rc" "default: exit 0"
is "ok: hello/0.1 on $K1" "$(printf '%s\n' "$out" | tail -n 1)" "default: one line for what is fine"
is "broken/0.1, $K1, $A: added
broken/0.1, $K2, $A: added
broken/0.1, $K8, $A: added
broken/0.1, $K9, $A: added
hello/0.1, $K2, $A: added
hello/0.1, $K8, $A: added
hello/0.1, $K9, $A: added
plain/1.0, $K1, $A: built
plain/1.0, $K2, $A: added
plain/1.0, $K8, $A: added
plain/1.0, $K9, $A: added" "$(printf '%s\n' "$out" | grep '^[a-z]' | grep -v '^ok: ')" \
	"default: every installed kernel (headers or not), a screen each for the pairs not fine"
unlike "$out" "^hello/0\.1, $K1" "default: no screen for the fine pair"
dg --verbose
like "$out" "^hello/0\.1, $K1, $A: installed\$" "--verbose: a screen for the fine pair too"
unlike "$out" "^ok: " "--verbose: no summary line"
dg hello
is "hello/0.1, $K1, $A: installed
hello/0.1, $K2, $A: added
hello/0.1, $K8, $A: added
hello/0.1, $K9, $A: added" "$(printf '%s\n' "$out" | grep '^[a-z]')" "a module named: every kernel, a screen each"
dg -k $K1
is "broken/0.1, $K1, $A: added
hello/0.1, $K1, $A: installed
plain/1.0, $K1, $A: built" "$(printf '%s\n' "$out" | grep '^[a-z]')" "a kernel named: every module, a screen each"
is 12 "$(dgj '.entries | length')" "json: every pair, the fine one included"
is '["hello","0.1","6.1.0-1-fake",true]' "$(dgj '[.entries[] | select(.usable)][0] | [.module, .version, .kernel, .usable]')" \
	"json: the fine pair is there"
is '"unknown"' "$(dgj '.secure_boot')" "json: the Secure Boot state (no efivars)"
is '"5.10.0-0-none"' "$(dgj '.running_kernel')" "json: the running kernel, from the root"

# ---- exit codes
dg nosuch/1.0
dk_is 3 "" "
Error! The module/version combo: nosuch/1.0 is not located in the DKMS tree." "a module version not in the tree: 3"
dg nosuch
dk_is 3 "" "
Error! The module nosuch is not located in the DKMS tree." "a module not in the tree: 3"
dg --all
dk_is 5 "" "
Error! The action diagnose does not support the --all parameter." "--all: 5"
dg -k $K1 -a x -a y
is 1 "$rc" "more arches than kernels: 1, as every action"
"$DKMS" diagnose --root "$T/root" --dkmstree "$T/nonexistent" >"$T/.out" 2>"$T/.err"
is "1|
Error! The DKMS tree $T/nonexistent cannot be read: No such file or directory." "$?|$(cat "$T/.err")" "a tree that cannot be read: 1"
scratch_t=$T
scratch
mk_trees "$T"
mkdir -p "$T/root/etc"
printf 'ID=debian\n' >"$T/root/etc/os-release"
dg
dk_is 0 "No module is added to <T>/dkms." "" "an empty tree: said, exit 0"
is '[]' "$(dgj '.entries')" "json: an empty tree"
T=$scratch_t

# ---- the command line: `diagnose` is ours as the first word only
dk status diagnose
dk_is 0 "" "" "status diagnose: a module named diagnose, as 3.4.3 reads it"
dk diagnose status
is 4 "$rc" "diagnose status: two actions"
out=$("$DKMS" diagnose --help)
like "$out" "^Usage: .*dkms diagnose \[<module>\[/<version>\]\] \[-k <kernel>\[/<arch>\]\]\.\.\. \[--json\] \[--verbose\]\$" "diagnose --help"
done_testing
