#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dkms diagnose names the BUILD_EXCLUSIVE directive that keeps a module
# off a kernel (the one dkms build skips with 77): _KERNEL, _ARCH (text
# and JSON in full), _KERNEL_MIN, _KERNEL_MAX set by OBSOLETE_BY,
# _CONFIG; a per-record one that leaves one module of two out is a note.
. "$top_srcdir/tests/diagnose/diag-lib.sh"
K1=6.1.0-1-fake
dg_init $K1
tiny_module excl 1.0 'BUILD_EXCLUSIVE_KERNEL="^5\."'
tiny_module archx 1.0 'BUILD_EXCLUSIVE_ARCH="^aarch64$"'
tiny_module kmin 1.0 'BUILD_EXCLUSIVE_KERNEL_MIN="6.5"'
tiny_module obs 1.0 'OBSOLETE_BY="6.0"'
tiny_module cfg 1.0 'BUILD_EXCLUSIVE_CONFIG="CONFIG_NOPE"'
tiny_module two 1.0 'BUILT_MODULE_NAME[1]="two2"' 'DEST_MODULE_LOCATION[1]="/updates"' \
	'BUILD_EXCLUSIVE_KERNEL[1]="^5\."'
printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' >"$T/src/two-1.0/two2.c"
echo "obj-m := two.o two2.o" >"$T/src/two-1.0/Makefile"
for m in excl archx kmin obs cfg two; do
	dk add $m/1.0
done

# what dkms build says of the same kernel
dk build excl/1.0 -k $K1 --no-sandbox
is 77 "$rc" "setup: build skips excl (77)"
dk build archx/1.0 -k $K1 --no-sandbox
is 77 "$rc" "setup: build skips archx (77)"

dg excl/1.0 -k $K1
dk_is 0 "excl/1.0, $K1, $A: added
  verdict: not usable
  problem: excluded by BUILD_EXCLUSIVE (dkms build skips it, exit 77): BUILD_EXCLUSIVE_KERNEL=\"^5\\.\" does not match kernel $K1
  headers: <T>/lib/$K1/build" "" "BUILD_EXCLUSIVE_KERNEL"
is '[true,[{"module":"excl","directive":"BUILD_EXCLUSIVE_KERNEL","index":0,"value":"^5\\.","from_obsolete_by":false}],false]' \
	"$(dgj '.entries[0] | [.excluded, .exclusions, .usable]' excl/1.0 -k $K1)" "json: BUILD_EXCLUSIVE_KERNEL"

dg archx/1.0 -k $K1
dk_is 0 "archx/1.0, $K1, $A: added
  verdict: not usable
  problem: excluded by BUILD_EXCLUSIVE (dkms build skips it, exit 77): BUILD_EXCLUSIVE_ARCH=\"^aarch64\$\" does not match arch $A
  headers: <T>/lib/$K1/build" "" "BUILD_EXCLUSIVE_ARCH"
is '[true,[{"module":"archx","directive":"BUILD_EXCLUSIVE_ARCH","index":0,"value":"^aarch64$","from_obsolete_by":false}],false]' \
	"$(dgj '.entries[0] | [.excluded, .exclusions, .usable]' archx/1.0 -k $K1)" "json: BUILD_EXCLUSIVE_ARCH"
# the arch asked for is the one looked at
dg archx/1.0 -k $K1 -a aarch64
unlike "$out" "BUILD_EXCLUSIVE" "-a aarch64: not excluded"
is '"aarch64"' "$(dgj '.entries[0].arch' archx/1.0 -k $K1/aarch64)" "json: -k K/ARCH"

dg kmin/1.0 -k $K1
like "$out" "^  problem: excluded by BUILD_EXCLUSIVE \(dkms build skips it, exit 77\): kernel $K1 is older than BUILD_EXCLUSIVE_KERNEL_MIN=\"6\.5\"\$" \
	"BUILD_EXCLUSIVE_KERNEL_MIN"
dg obs/1.0 -k $K1
like "$out" "^  problem: excluded by BUILD_EXCLUSIVE \(dkms build skips it, exit 77\): kernel $K1 is newer than BUILD_EXCLUSIVE_KERNEL_MAX=\"6\.0\" \(from OBSOLETE_BY\)\$" \
	"BUILD_EXCLUSIVE_KERNEL_MAX from OBSOLETE_BY"
is '["BUILD_EXCLUSIVE_KERNEL_MAX","6.0",true]' "$(dgj '.entries[0].exclusions[0] | [.directive, .value, .from_obsolete_by]' obs/1.0 -k $K1)" \
	"json: OBSOLETE_BY"
dg cfg/1.0 -k $K1
like "$out" "^  problem: excluded by BUILD_EXCLUSIVE \(dkms build skips it, exit 77\): BUILD_EXCLUSIVE_CONFIG=\"CONFIG_NOPE\" does not hold in the kernel's config\$" \
	"BUILD_EXCLUSIVE_CONFIG"

# one record of two left out: built and installed, a note
dk install two/1.0 -k $K1 --no-sandbox
is 0 "$rc" "setup: two installed without two2"
dg two/1.0 -k $K1
like "$out" "^  verdict: ok\$" "one record left out: still usable"
like "$out" "^  note: two2\.ko is left out of the build: BUILD_EXCLUSIVE_KERNEL\[1\]=\"\^5\\\\\.\" does not match kernel $K1\$" \
	"one record left out: a note naming the directive and its index"
like "$out" "^  two\.ko: <T>/lib/$K1/updates/dkms/two\.ko\$" "the record built is looked at"
unlike "$out" "^  two2\.ko:" "the record left out is not"
is '[false,"two2","BUILD_EXCLUSIVE_KERNEL",1,true]' \
	"$(dgj '.entries[0] | [.excluded, .exclusions[0].module, .exclusions[0].directive, .exclusions[0].index, .usable]' two/1.0 -k $K1)" \
	"json: a per-record directive"
done_testing
