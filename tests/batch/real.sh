#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A batch on Debian's real kernel headers: two sources arriving for two
# kernels, built side by side; each kernel gets modules built for it.
. "$top_srcdir/tests/batch/batch-lib.sh"
KA=6.1.0-56-amd64
KB=6.1.0-54-amd64
have_real_kernel $KA || skip_all "kernel headers for $KA are not installed"
have_real_kernel $KB || skip_all "kernel headers for $KB are not installed"
command -v modinfo >/dev/null || skip_all "modinfo is not installed"

cy_init
rm -rf "$T/lib"/*
real_kernel "$T" $KA $KB
for k in $KA $KB; do
	mkdir -p "$T/lib/$k/kernel"
done
bt_module one 1.0
bt_module two 1.0
bt -j 2 <<<"source-added one/1.0
source-added two/1.0"
is 0 "$rc" "batch on real headers: exit 0"
is "" "$(grep 'failed' <<<"$err")" "nothing failed"
for k in $KA $KB; do
	for m in one two; do
		ko=$T/lib/$k/updates/dkms/$m.ko
		check "$m installed for $k" test -f "$ko"
		like "$(modinfo -F vermagic "$ko" 2>/dev/null)" "^$k " "$m's vermagic is $k's"
	done
done
like "$("$DKMS" status --root "$T/root" --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib")" \
	"^two/1\.0, $KB, x86_64: installed" "status lists them"

done_testing
