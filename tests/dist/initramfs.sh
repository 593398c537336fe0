#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Initramfs regeneration with a recording stand-in for the command:
# off unless framework.conf sets initramfs_command; then once per kernel
# at the end of a batch, for modules asking (REMAKE_INITRD=yes) or
# already in the initramfs; --no-initrd skips it.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
K1=6.1.0-1-fake
K2=6.1.0-2-fake
cy_init $K1 $K2
copy_module hello-0.1
copy_module multi-0.1
fw=$T/root/etc/dkms/framework.conf
mkdir -p "$T/bin"
cat >"$T/bin/record" <<EOS
#!/bin/sh
echo "\$*" >>"$T/calls"
EOS
chmod +x "$T/bin/record"
calls() { if [ -e "$T/calls" ]; then cat "$T/calls"; fi; rm -f "$T/calls"; }

# not configured: 3.4.3's behaviour, nothing run, nothing said
for m in hello multi; do
	echo 'REMAKE_INITRD="yes"' >>"$T/src/$m-0.1/dkms.conf"
done
dk install hello/0.1 -k $K1
is 0 "$rc" "unconfigured: install"
check "unconfigured: nothing said about the initramfs" \
	sh -c "! printf '%s' \"\$1\" | grep -qi initramfs" sh "$out"
dk uninstall hello/0.1 -k $K1

echo "initramfs_command=\"$T/bin/record \$kernelver\"" >>"$fw"
# a batch installing two modules for one kernel: one regeneration
dk add multi/0.1
dk autoinstall -k $K1
is 0 "$rc" "autoinstall of two modules"
like "$out" "^Updating initramfs for kernel $K1\.\.\. done\.$" "autoinstall: says so"
is "$K1" "$(calls)" "autoinstall: once for the kernel"
dk status -k $K1
like "$out" "^multi/0.1, $K1, x86_64: installed" "both installed (multi)"
like "$out" "^hello/0.1, $K1, x86_64: installed" "both installed (hello)"

# one module each for two kernels in one command: once per kernel
dk install multi/0.1 -k $K2 -k $K1 --force
is "$K2
$K1" "$(calls)" "install for two kernels: once each"

# uninstall regenerates too; --no-initrd skips (3.4.3's notice stays)
dk uninstall hello/0.1 -k $K1
is "$K1" "$(calls)" "uninstall: once"
dk uninstall multi/0.1 -k $K1 --no-initrd
is "" "$(calls)" "--no-initrd: nothing run"
like "$err" "^Deprecated feature: --no-initrd$" "--no-initrd: 3.4.3's notice"

# neither asking nor in the initramfs: nothing
sed -i '/^REMAKE_INITRD=/d' "$T/src/hello-0.1/dkms.conf"
dk install hello/0.1 -k $K2
is "" "$(calls)" "a module not asking: nothing run"
dk uninstall hello/0.1 -k $K2
is "" "$(calls)" "... nor on uninstall"

# a module the kernel's initramfs holds (lsinitramfs stand-in)
mkdir -p "$T/root/boot"
: >"$T/root/boot/initrd.img-$K2"
cat >"$T/bin/lsinitramfs" <<EOS
#!/bin/sh
echo "usr/lib/modules/$K2/updates/dkms/hello.ko"
EOS
chmod +x "$T/bin/lsinitramfs"
PATH=$T/bin:$PATH dk install hello/0.1 -k $K2
is "$K2" "$(calls)" "a module in the initramfs: regenerated"

# kernel_prerm unbuilds for a kernel on its way out: no new image for it
echo 'REMAKE_INITRD="yes"' >>"$T/src/hello-0.1/dkms.conf"
dk kernel_prerm -k $K2
is 0 "$rc" "kernel_prerm"
is "" "$(calls)" "kernel_prerm: nothing run"
sed -i '/^REMAKE_INITRD=/d' "$T/src/hello-0.1/dkms.conf"

# a failing command is reported, the install stands
printf '#!/bin/sh\nexit 3\n' >"$T/bin/record"
echo 'REMAKE_INITRD="yes"' >>"$T/src/hello-0.1/dkms.conf"
dk install hello/0.1 -k $K1
is 0 "$rc" "failing initramfs command: install still succeeds"
like "$out" "^Updating initramfs for kernel $K1\.\.\.\(bad exit status: 3\)$" "failing initramfs command: reported"
done_testing
