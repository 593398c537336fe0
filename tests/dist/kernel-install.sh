#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/kernel-install.d/40-dkms.install with a stand-in dkms on PATH
# that records its arguments.
. "$top_srcdir/tests/lib.sh"
P=$top_srcdir/scripts/kernel-install.d/40-dkms.install
scratch
mkdir -p "$T/bin"
cat >"$T/bin/dkms" <<EOS
#!/bin/sh
echo "\$*" >>"$T/calls"
exit \${STANDIN_RC:-0}
EOS
chmod +x "$T/bin/dkms"
export PATH="$T/bin:$PATH"

plugin() { # ARGS...: exit status; the calls made are in $T/calls
	rm -f "$T/calls"
	"$P" "$@" >"$T/out" 2>"$T/err"
}

check "the plugin is executable" test -x "$P"
plugin add 6.1.0-9-amd64 /boot/efi/x/6.1.0-9-amd64 /boot/vmlinuz-6.1.0-9-amd64
is 0 "$?" "add: exit 0"
is "kernel_postinst --kernelver 6.1.0-9-amd64" "$(cat "$T/calls")" "add: kernel_postinst for the kernel"
plugin remove 6.1.0-9-amd64 /boot/efi/x/6.1.0-9-amd64
is 0 "$?" "remove: exit 0"
is "kernel_prerm --kernelver 6.1.0-9-amd64" "$(cat "$T/calls")" "remove: kernel_prerm for the kernel"
plugin inspect 6.1.0-9-amd64
is "0 no" "$? $(test -e "$T/calls" && echo yes || echo no)" "another command: nothing run"
plugin add
is "0 no" "$? $(test -e "$T/calls" && echo yes || echo no)" "no kernel version: nothing run"
STANDIN_RC=11 plugin add 6.1.0-9-amd64 /x /y
is 0 "$?" "a dkms failure does not fail kernel-install"
like "$(cat "$T/err")" "kernel_postinst for kernel 6\.1\.0-9-amd64 failed \(exit 11\)" "the failure is reported"
KERNEL_INSTALL_VERBOSE=1 plugin add 6.1.0-9-amd64 /x /y
like "$(cat "$T/out")" "^dkms: kernel_postinst for kernel 6\.1\.0-9-amd64$" "verbose: says what it does"
rm "$T/bin/dkms"
PATH="$T/bin:/nonexistent" "$P" add 6.1.0-9-amd64 /x /y >"$T/out" 2>&1
is "0 " "$? $(cat "$T/out")" "no dkms installed: exit 0, silently"
done_testing
