# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/demo.sh, run with the reference dkms (known good) and with
# ours; both in the sandbox of tests/lib.sh, so the machine is untouched.
. "$top_srcdir/tests/lib.sh"

demo=$top_srcdir/scripts/demo.sh
kver=$(ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1)
[ -n "$kver" ] || skip_all "no kernel headers under /lib/modules"
kver=${kver#/lib/modules/}
kver=${kver%/build}

scratch
if reason=$(have_ref); then
	out=$(ref_sandbox env DKMS="$DKMS_REF" bash "$demo" 2>&1)
	rc=$?
	is 0 "$rc" "demo with the reference dkms"
	like "$out" "^hello/0.1, $kver, x86_64: installed" "reference: hello installed for $kver"
	[ "$rc" = 0 ] || diag "$out"
else
	skip "$reason" 2
fi

# In the sandbox too: our dkms may create a signing key in /var/lib/dkms.
if reason=$(can_sandbox); then
	out=$(ref_sandbox env DKMS="$DKMS" bash "$demo" 2>&1)
	rc=$?
	is 0 "$rc" "demo with our dkms"
	like "$out" "^hello/0.1, $kver, x86_64: installed" "ours: hello installed for $kver"
	[ "$rc" = 0 ] || diag "$(printf '%s\n' "$out" | tail -n 20)"
else
	skip "$reason" 2
fi

done_testing
