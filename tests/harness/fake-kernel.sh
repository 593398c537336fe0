# SPDX-License-Identifier: GPL-2.0-or-later
# The fake kernel build dir builds real modules that libkmod reads, fast;
# and the fixture hello builds against Debian's real headers too.
. "$top_srcdir/tests/lib.sh"

KVER=6.1.0-99-fake
REAL=6.1.0-56-amd64
M=$top_srcdir/tests/modules

scratch
mk_trees "$T"
fake_kernel "$T" "$KVER" CONFIG_FOO=m CONFIG_MODVERSIONS=n
B=$T/lib/$KVER/build

check "include/ exists" test -d "$B/include"
is "$KVER" "$(cat "$B/include/config/kernel.release")" "kernel.release"
like "$(cat "$B/.config")" '^CONFIG_FOO=m$' ".config has the given option"
like "$(cat "$B/.config")" '^# CONFIG_MODVERSIONS is not set$' "CONFIG_X=n is written as not set"
like "$(cat "$B/include/config/auto.conf")" '^CONFIG_SMP=y$' "auto.conf has the defaults"

# hello: kbuild-style Makefile, build in a scratch copy, as dkms does.
cp -a "$M/hello-0.1" "$T/hello"
start=$(date +%s%N)
out=$(make -C "$B" M="$T/hello" KERNELRELEASE="$KVER" -j2 2>&1)
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
is 0 "$rc" "make -C fake M=hello succeeds"
[ "$rc" = 0 ] || diag "$out"
diag "fake build of hello: ${ms} ms"
is "$KVER SMP preempt mod_unload " "$(modinfo -F vermagic "$T/hello/hello.ko")" \
	"vermagic follows .config"
is "0.1" "$(modinfo -F version "$T/hello/hello.ko")" "version from MODULE_VERSION"
like "$(modinfo -F srcversion "$T/hello/hello.ko")" '^[0-9A-F]{24}$' "srcversion"
is "hello" "$(modinfo -F name "$T/hello/hello.ko")" "name"
is "GPL" "$(modinfo -F license "$T/hello/hello.ko")" "license"
like "$(file -b "$T/hello/hello.ko")" '^ELF 64-bit LSB relocatable' "a relocatable ELF"
check "Module.symvers written" test -f "$T/hello/Module.symvers"
is "$T/hello/hello.ko" "$(cat "$T/hello/modules.order")" "modules.order"
check "make clean" make -s -C "$B" M="$T/hello" clean
check "clean removed the module" test ! -e "$T/hello/hello.ko"

# Same sources, same bytes, whatever the scratch path.
cp -a "$M/hello-0.1" "$T/hello2"
make -s -C "$B" M="$T/hello" && make -s -C "$B" M="$T/hello2"
is "$(sha256sum < "$T/hello/hello.ko")" "$(sha256sum < "$T/hello2/hello.ko")" \
	"builds are reproducible"

# Default kernel: modversions on; multi: subdirs and a composite module.
fake_kernel "$T" 6.1.0-98-fake
cp -a "$M/multi-0.1" "$T/multi"
check "multi builds" make -s -C "$T/lib/6.1.0-98-fake/build" M="$T/multi" -j2
is "6.1.0-98-fake SMP preempt mod_unload modversions " \
	"$(modinfo -F vermagic "$T/multi/b/multi_b.ko")" "default vermagic"
is "multi_a multi_b" "$(modinfo -F name "$T/multi/a/multi_a.ko" "$T/multi/b/multi_b.ko" | tr '\n' ' ' | sed 's/ $//')" \
	"both modules of multi"

# Exports and depends.
cp -a "$M/provider-0.1" "$T/provider"
cp -a "$M/consumer-0.1" "$T/consumer"
make -s -C "$B" M="$T/provider"
like "$(cat "$T/provider/Module.symvers")" \
	$'^0x[0-9a-f]{8}\tprovider_answer\t.*/provider\tEXPORT_SYMBOL_GPL' "exports in Module.symvers"
make -s -C "$B" M="$T/consumer" KBUILD_EXTRA_SYMBOLS="$T/provider/Module.symvers"
is "provider" "$(modinfo -F depends "$T/consumer/consumer.ko")" "depends from KBUILD_EXTRA_SYMBOLS"

# Kbuild is read before Makefile, with .config's CONFIG_ values; parts
# may be assembly; ccflags-y reaches the compiler.
mkdir "$T/kb"
echo 'this Makefile is not read by kbuild' > "$T/kb/Makefile"
cat > "$T/kb/Kbuild" <<'KBUILD'
obj-$(CONFIG_FOO) := kb.o
kb-y := main.o part.o
ccflags-y := -DANSWER=7
KBUILD
cat > "$T/kb/main.c" <<'C'
#include <linux/module.h>
int part(void);
static int __init kb_init(void) { return part() - ANSWER; }
module_init(kb_init);
MODULE_LICENSE("GPL");
C
printf '.text\n.globl part\npart:\n\tmov $7, %%eax\n\tret\n.section .note.GNU-stack,"",@progbits\n' > "$T/kb/part.S"
check "Kbuild with obj-\$(CONFIG_FOO), an .S part and ccflags-y" \
	make -s -C "$B" M="$T/kb"
is "kb" "$(modinfo -F name "$T/kb/kb.ko" 2>/dev/null)" "composite module from Kbuild"

# Failure: a syntax error fails make.
cp -a "$M/broken-0.1" "$T/broken"
make -s -C "$B" M="$T/broken" >/dev/null 2>&1
rc=$?
check "a compile error fails make (exit $rc)" test "$rc" -ne 0
check "and leaves no module" test ! -e "$T/broken/broken.ko"

# A module the distribution shipped, for original_module tests.
ko=$(fake_kernel_module "$T" "$KVER" hello 0.0.1)
is "$T/lib/$KVER/kernel/drivers/misc/hello.ko" "$ko" "fake_kernel_module path"
is "0.0.1" "$(modinfo -F version "$ko")" "fake_kernel_module version"

# The same fixture against Debian's real headers.
if have_real_kernel "$REAL"; then
	cp -a "$M/hello-0.1" "$T/real"
	start=$(date +%s%N)
	out=$(make -C "/lib/modules/$REAL/build" M="$T/real" 2>&1)
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	is 0 "$rc" "hello builds with the real $REAL headers"
	[ "$rc" = 0 ] || diag "$out"
	diag "real build of hello: ${ms} ms"
	is "$REAL SMP preempt mod_unload modversions " \
		"$(modinfo -F vermagic "$T/real/hello.ko" 2>/dev/null)" "real vermagic"
	is "0.1" "$(modinfo -F version "$T/real/hello.ko" 2>/dev/null)" "real version"
else
	skip "headers for $REAL are not installed" 3
fi

done_testing
