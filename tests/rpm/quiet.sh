#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# When the rpm plugin does nothing (tests/rpm/rpm-lib.sh): a package that
# is neither a driver source nor a kernel (not a word, nothing written
# but the package and the rpmdb), a test transaction, a --justdb one, and
# a root without dkms (said once, nothing done).  No module is built:
# this also runs in sanitizer builds.
. "$top_srcdir/tests/rpm/rpm-lib.sh"

rpm_need
rpm_init
spec_unrelated
spec_source foo 1.0
rpms
# written: what changed in the root since $T/stamp, but the rpmdb and
# the unrelated package's own files
written() {
	(cd "$T/upper" && find . -newer "$T/stamp" ! -type d) |
		grep -v -e '^\./var/lib/rpm/' -e '^\./usr/share/unrelated/' | sort
}

touch "$T/stamp"
sleep 1
rpm_run -i "$(rpm_of unrelated)"
is "0||" "$rc|$out|$err" "an unrelated package: rpm exits 0, and not a word"
is "" "$(written)" "nothing written but the package and the rpmdb"
rpm_run -e unrelated
is "0||" "$rc|$out|$err" "erased: not a word"
is "" "$(written)" "nothing written"

rpm_run -i --test "$(rpm_of foo-dkms)"
is "0||" "$rc|$out|$err" "a test transaction: not a word"
check "nothing added" root_test ! -e /var/lib/dkms/foo
rpm_run -i --justdb "$(rpm_of foo-dkms)"
is "0||" "$rc|$out|$err" "--justdb: not a word"
check "nothing added" root_test ! -e /var/lib/dkms/foo
rpm_run -e --justdb foo-dkms
is "0||" "$rc|$out|$err" "--justdb erase: not a word"

# the plugin is what acts: without its macro, rpm leaves dkms alone
mv "$T/home/.rpmmacros" "$T/rpmmacros"
echo "%_dbpath /var/lib/rpm" >"$T/home/.rpmmacros"
rpm_run -i "$(rpm_of foo-dkms)"
is "0||" "$rc|$out|$err" "without %__transaction_dkms: not a word"
check "nothing added" root_test ! -e /var/lib/dkms/foo
rpm_run -e foo-dkms
mv "$T/rpmmacros" "$T/home/.rpmmacros"

# a root without dkms: said once, the events listed, nothing done
in_root rm -f "$R$RPM_SBINDIR/dkms"
rpm_run -i "$(rpm_of foo-dkms)"
is 0 "$rc" "a root without dkms: rpm exits 0"
is "dkms: $RPM_SBINDIR/dkms is not installed in <T>/root: the modules and kernels of this transaction are left as they are; once it is, \`dkms batch\` takes these events" \
	"$err" "said once, on stderr"
is "dkms: event: source-added /usr/src/foo-1.0" "$out" "the events listed"
check "nothing added" root_test ! -e /var/lib/dkms/foo

done_testing
