# SPDX-License-Identifier: GPL-2.0-or-later
# The reference dkms 3.4.3 runs hermetically in ref_sandbox: it builds and
# installs into the scratch trees, and what it writes to /etc and
# /var/lib (its signing key) stays in $T/.sandbox.
. "$top_srcdir/tests/lib.sh"

reason=$(have_ref) || skip_all "$reason"

KVER=6.1.0-99-fake
scratch
mk_trees "$T"
fake_kernel "$T" "$KVER"
copy_module hello-0.1

# What the machine has (Debian's dkms package may be installed).
machine() {
	local d
	for d in /etc/dkms /var/lib/dkms; do
		echo "$d:"
		[ -d "$d" ] && tree_listing "$d"
	done
}
machine_before=$(machine)

out=$(dkms_ref add -m hello -v 0.1 2>&1)
is 0 "$?" "reference add"
is "Creating symlink <T>/dkms/hello/0.1/source -> <T>/src/hello-0.1" \
	"$(printf '%s\n' "$out" | normalize_output)" "add output, normalized"

out=$(dkms_ref install -m hello -v 0.1 -k "$KVER" --no-depmod 2>&1)
rc=$?
is 0 "$rc" "reference install with the fake kernel"
[ "$rc" = 0 ] || diag "$out"
check "module installed in the scratch install tree" \
	test -f "$T/lib/$KVER/updates/dkms/hello.ko"
is "$KVER SMP preempt mod_unload modversions " \
	"$(modinfo -F vermagic "$T/lib/$KVER/updates/dkms/hello.ko")" "installed vermagic"
is "hello/0.1, $KVER, x86_64: installed" "$(dkms_ref status 2>&1)" "reference status"

# A signing kernel: the key is generated inside the sandbox only.
echo 'try_sign_modules="true"' | ref_write /etc/dkms/framework.conf
fake_kernel "$T" 6.1.0-97-fake CONFIG_MODULE_SIG=y CONFIG_MODULE_SIG_HASH='"sha256"'
out=$(dkms_ref build -m hello -v 0.1 -k 6.1.0-97-fake 2>&1)
is 0 "$?" "reference build for a signing kernel"
check "signing key written in the sandbox" test -s "$T/.sandbox/var/lib/dkms/mok.key"
is "$machine_before" "$(machine)" \
	"the machine's /etc/dkms and /var/lib/dkms are untouched"
is 'try_sign_modules="true"' "$(ref_sandbox cat /etc/dkms/framework.conf)" \
	"the sandbox has its own framework.conf"

# The failure path goes through the sandbox too.
copy_module broken-0.1
dkms_ref add -m broken -v 0.1 >/dev/null 2>&1
out=$(dkms_ref build -m broken -v 0.1 -k "$KVER" 2>&1)
is 10 "$?" "reference build of broken fails with 10"

done_testing
