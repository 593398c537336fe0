#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# depmod: skipped without modules.dep (said only with --verbose), run on
# our install tree when it is there, not at all with --no-depmod.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
command -v depmod >/dev/null || skip_all "depmod is not installed"
K=6.1.0-1-fake
cy_init $K
copy_module hello-0.1
dk build hello/0.1 -k $K

dk install hello/0.1 -k $K --verbose
is 0 "$rc" "install --verbose"
like "$out" "^do_depmod $K$" "--verbose shows the command"
like "$out" "^Skipping depmod because '<T>/lib/$K/modules.dep' is missing\.$" "no modules.dep: skipped"
check "no modules.dep made" test ! -e "$T/lib/$K/modules.dep"
dk uninstall hello/0.1 -k $K

: >"$T/lib/$K/modules.dep"
dk install hello/0.1 -k $K --no-depmod
is 0 "$rc" "install --no-depmod"
like "$out" "^Running depmod\.\.\. done\.$" "--no-depmod still says it"
check "--no-depmod: modules.dep untouched" test ! -s "$T/lib/$K/modules.dep"
dk uninstall hello/0.1 -k $K --no-depmod

dk install hello/0.1 -k $K
is 0 "$rc" "install with modules.dep"
like "$(cat "$T/lib/$K/modules.dep")" "^updates/dkms/hello\.ko:" "depmod ran on our install tree"
dk uninstall hello/0.1 -k $K
is 0 "$rc" "uninstall with modules.dep"
# nothing left in the tree: an empty modules.dep means the kernel is gone,
# and 3.4.3 then drops depmod's files
check "empty modules.dep dropped" test ! -e "$T/lib/$K/modules.dep"
check "other depmod files dropped" test ! -e "$T/lib/$K/modules.alias"

done_testing
