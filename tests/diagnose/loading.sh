#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dkms diagnose on what the kernel makes of an installed module: a .ko
# built for another kernel (vermagic), modules.dep listing it or not (and
# the distribution's module of that name), loaded or not on the running
# kernel (<root>/proc/sys/kernel/osrelease, <root>/sys/module).  Text and
# JSON.
. "$top_srcdir/tests/diagnose/diag-lib.sh"
K1=6.1.0-1-fake K2=6.1.0-2-fake
dg_init $K1 $K2
copy_module hello-0.1
: >"$T/lib/$K1/modules.dep"
dk add hello/0.1
dk install hello/0.1 -k $K1 --no-sandbox
is 0 "$rc" "setup: installed on $K1"
dk build hello/0.1 -k $K2 --no-sandbox
is 0 "$rc" "setup: built on $K2"
ko=$T/lib/$K1/updates/dkms/hello.ko
# facts: the lines of hello's screen on $K1 after the headers
facts() {
	dg hello/0.1 -k $K1 "$@"
	printf '%s\n' "$out" | grep -Ev '^  (headers|build log|build report|secure boot):|^    (sandbox|signature|will load):'
}

# ---- modules.dep
is "hello/0.1, $K1, $A: installed
  verdict: ok
  hello.ko: <T>/lib/$K1/updates/dkms/hello.ko
    vermagic: $K1 SMP preempt mod_unload modversions
    modules.dep: lists it" "$(facts)" "modules.dep lists it"
printf 'kernel/drivers/misc/hello.ko:\nkernel/drivers/misc/other.ko:\n' >"$T/lib/$K1/modules.dep"
is "hello/0.1, $K1, $A: installed
  verdict: not usable
  problem: modules.dep of kernel $K1 does not list hello.ko: modprobe will not find it (run depmod $K1)
  note: modules.dep also lists kernel/drivers/misc/hello.ko
  hello.ko: <T>/lib/$K1/updates/dkms/hello.ko
    vermagic: $K1 SMP preempt mod_unload modversions
    modules.dep: does not list it" "$(facts)" "modules.dep does not list it, lists the kernel's own"
is '["not listed",["kernel/drivers/misc/hello.ko"],false]' \
	"$(dgj '.entries[0] | [.modules[0].modules_dep, .modules[0].modules_dep_others, .usable]' hello/0.1 -k $K1)" \
	"json: not listed, the other of that name"
rm "$T/lib/$K1/modules.dep"
is "hello/0.1, $K1, $A: installed
  verdict: ok
  note: kernel $K1 has no modules.dep: depmod has not run for it
  hello.ko: <T>/lib/$K1/updates/dkms/hello.ko
    vermagic: $K1 SMP preempt mod_unload modversions
    modules.dep: no modules.dep for this kernel" "$(facts)" "no modules.dep: a note"
is '"no modules.dep"' "$(dgj '.entries[0].modules[0].modules_dep' hello/0.1 -k $K1)" "json: no modules.dep"
# put back as depmod writes it
(cd "$T/lib/$K1" && echo "updates/dkms/hello.ko:" >modules.dep)

# ---- loaded (only the running kernel says)
unlike "$(facts)" "loaded:" "not the running kernel: nothing said of loading"
is 'null' "$(dgj '.entries[0].modules[0].loaded' hello/0.1 -k $K1)" "json: not the running kernel: loaded null"
running $K1
like "$(facts)" "^    loaded: no\$" "running kernel, not loaded"
is '[true,"no"]' "$(dgj '.entries[0] | [.running, .modules[0].loaded]' hello/0.1 -k $K1)" "json: not loaded"
src=$(modinfo -F srcversion "$ko")
mkdir -p "$T/root/sys/module/hello"
echo live >"$T/root/sys/module/hello/initstate"
echo "$src" >"$T/root/sys/module/hello/srcversion"
is "hello/0.1, $K1, $A: installed
  verdict: ok
  hello.ko: <T>/lib/$K1/updates/dkms/hello.ko
    vermagic: $K1 SMP preempt mod_unload modversions
    modules.dep: lists it
    loaded: yes" "$(facts)" "loaded, this build"
is '["yes",null]' "$(dgj '.entries[0].modules[0] | [.loaded, .notes]' hello/0.1 -k $K1)" "json: loaded"
echo 0123456789ABCDEF01234567 >"$T/root/sys/module/hello/srcversion"
is "hello/0.1, $K1, $A: installed
  verdict: ok
  note: the loaded hello is another version (srcversion 0123456789ABCDEF01234567): this one runs once it is loaded again
  hello.ko: <T>/lib/$K1/updates/dkms/hello.ko
    vermagic: $K1 SMP preempt mod_unload modversions
    modules.dep: lists it
    loaded: another version (srcversion 0123456789ABCDEF01234567)" "$(facts)" "loaded, another version"
is '["another version","0123456789ABCDEF01234567"]' \
	"$(dgj '.entries[0].modules[0] | [.loaded, .loaded_srcversion]' hello/0.1 -k $K1)" "json: another version loaded"
rm "$T/root/sys/module/hello/initstate" "$T/root/sys/module/hello/srcversion"
like "$(facts)" "^  problem: hello is built into the running kernel: this module is not used\$" "built into the kernel"
is '"built-in"' "$(dgj '.entries[0].modules[0].loaded' hello/0.1 -k $K1)" "json: built-in"
rm -rf "$T/root/sys/module/hello"
running 5.10.0-0-none

# ---- vermagic: the module built for K2 put in K1's place
cp "$T/dkms/hello/0.1/$K2/$A/module/hello.ko" "$T/dkms/hello/0.1/$K1/$A/module/hello.ko"
cp "$T/dkms/hello/0.1/$K2/$A/module/hello.ko" "$ko"
is "hello/0.1, $K1, $A: installed
  verdict: not usable
  problem: hello.ko was built for kernel $K2, not $K1: the kernel will not load it
  hello.ko: <T>/lib/$K1/updates/dkms/hello.ko
    vermagic: $K2 SMP preempt mod_unload modversions
    modules.dep: lists it" "$(facts)" "built for another kernel"
is "[\"$K2 SMP preempt mod_unload modversions\",false,\"$K1\",false]" \
	"$(dgj '.entries[0] | [.modules[0].vermagic, .modules[0].vermagic_matches, .kernel_release, .usable]' hello/0.1 -k $K1)" \
	"json: vermagic mismatch"
# a clean build again, then only the installed copy replaced
dk unbuild hello/0.1 -k $K1 --no-sandbox
dk install hello/0.1 -k $K1 --no-sandbox
is 0 "$rc" "setup: built and installed again"
cp "$T/dkms/hello/0.1/$K2/$A/module/hello.ko" "$ko"
like "$(facts)" "^  note: the installed hello\.ko differs from the built one\$" "the installed copy differs from the built one"
is '[true,false]' "$(dgj '.entries[0].modules[0] | [.differs, .vermagic_matches]' hello/0.1 -k $K1)" \
	"json: differs; the installed copy is the one looked at"

# ---- the kernel's own module of that name kept aside
fake_kernel_module "$T" $K2 hello 0.0 >/dev/null || bail_out "cannot build the kernel's hello"
dk install hello/0.1 -k $K2 --no-sandbox
is 0 "$rc" "setup: installed over the kernel's own hello"
dg hello/0.1 -k $K2
like "$out" "^hello/0\.1, $K2, $A: installed \(Original modules exist\)\$" "the original module kept: said as status says it"
is 'true' "$(dgj '.entries[0].original_kept' hello/0.1 -k $K2)" "json: original kept"

# ---- installed-weak: another kernel's weak-updates links to the module
K3=6.1.0-3-fake
headless $K3
mkdir -p "$T/lib/$K3/weak-updates"
ln -s "$T/lib/$K2/updates/dkms/hello.ko" "$T/lib/$K3/weak-updates/hello.ko"
dg hello/0.1 -k $K3
is "hello/0.1, $K3, $A: installed-weak from $K2
  verdict: ok
  note: the headers of kernel $K3 are missing: it cannot be rebuilt for it (install the headers package for kernel $K3)
  note: the modules built for kernel $K2 are linked into its weak-updates
  headers: missing: <T>/lib/$K3/build" "$out" "installed-weak"
is "[\"installed-weak\",\"$K2\",true]" "$(dgj '.entries[0] | [.state, .weak_from, .usable]' hello/0.1 -k $K3)" \
	"json: installed-weak"
done_testing
