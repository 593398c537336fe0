#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The intent journal's recovery (journal.c): status never waits for the
# lock to recover; the next command completes a committed journal or
# rolls back a prepared one and says which; dkms 3.4.3 reads a tree that
# holds a journal as usual.
. "$top_srcdir/tests/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "dkms add/install need root"
command -v flock >/dev/null || skip_all "no flock(1)"
K=6.1.0-1-fake
A=$(uname -m)
hello_built "$K"
run() { dkms_nosb "$@"; }
journals() { find "$T/dkms" -maxdepth 1 -name '.dkms-journal*' | wc -l; }
n_place=$(install_step "$K" "place hello.ko")
n_stage=$(install_step "$K" "stage file")
[ -n "$n_place" ] && [ -n "$n_stage" ] || bail_out "no such steps: $(cat "$T/fault.log")"

DKMS_FAULT_STEP=$n_place DKMS_FAULT_MODE=kill run install hello/0.1 -k "$K" >/dev/null 2>&1
is 1 "$(journals)" "a killed install leaves its journal"

# 3.4.3 does not see it
if have_ref >/dev/null 2>&1; then
	out=$(dkms_ref status 2>&1)
	like "$out" "^hello/0.1, $K, $A: built" "3.4.3 reads the tree with a journal in it"
	unlike=$(printf '%s\n' "$out" | grep -c journal)
	is 0 "$unlike" "and does not mention it"
else
	skip "no reference dkms" 2
fi

# status with the lock held elsewhere: no wait, no recovery
flock "$T/dkms" sleep 3 &
holder=$!
sleep 0.5
start=$(date +%s%N)
out=$(timeout 4 "$DKMS" status --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib" 2>&1)
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is 0 "$rc" "status with the tree locked: exit 0"
check "and it did not wait ($ms ms)" test "$ms" -lt 2000
is 1 "$(journals)" "the journal stays for the lock's holder"
wait "$holder"

# the next command completes it
out=$(run status 2>&1)
like "$out" "^dkms: completed the interrupted install of hello/0.1 for kernel $K \($A\)$" "status completes it and says so"
like "$out" "^hello/0.1, $K, $A: installed" "the module is installed"
is 0 "$(journals)" "no journal left"
check "the module is in place" test -f "$T/lib/$K/updates/dkms/hello.ko"
run uninstall hello/0.1 -k "$K" >/dev/null 2>&1

# one killed before its commit is rolled back, by a writer too
DKMS_FAULT_STEP=$n_stage DKMS_FAULT_MODE=kill run install hello/0.1 -k "$K" >/dev/null 2>&1
is 1 "$(journals)" "a killed install leaves its prepare journal"
out=$(run build hello/0.1 -k "$K" 2>&1)
like "$out" "^dkms: rolled back the interrupted install of hello/0.1 for kernel $K \($A\)$" "build rolls it back and says so"
is 0 "$(journals)" "no journal left"
is "" "$(find "$T/dkms" "$T/lib" -name '*.dkms-tmp.*')" "no staged file left"
check "nothing installed" test ! -e "$T/lib/$K/updates/dkms/hello.ko"

# an I/O error after the commit: the command fails, the next completes
out=$(DKMS_FAULT_STEP=$n_place run install hello/0.1 -k "$K" 2>&1)
rc=$?
is 6 "$rc" "an I/O error while installing: exit 6"
like "$out" "The next dkms command completes it\.$" "it says the next command completes it"
out=$(run install hello/0.1 -k "$K" 2>&1)
like "$out" "^dkms: completed the interrupted install" "the next install completes it first"
like "$out" "already installed on kernel $K" "and then finds it installed"
done_testing
