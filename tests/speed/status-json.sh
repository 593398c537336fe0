#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dkms status --json: one object per (module, version, kernel, arch) with
# state, reason (BUILD_EXCLUSIVE, make failure), log, installed paths and
# the original module kept (schema in core/lib/cmd/status-json.c, README).
. "$top_srcdir/tests/lib.sh"

command -v jq >/dev/null || skip_all "jq is not installed"
plan 12
scratch
mk_trees "$T"
K1=6.1.0-1-fake K2=5.10.0-1-fake
fake_kernel "$T" $K1
fake_kernel "$T" $K2
fake_kernel_module "$T" $K1 hello 0.0.1 >/dev/null || bail_out "no shipped hello"
for m in hello-0.1 exclusive-0.1 broken-0.1; do
	copy_module $m
	dkms_ours add -m ${m%-*} -v ${m##*-} >/dev/null 2>&1 || bail_out "add $m"
done
dkms_ours install -m hello -v 0.1 -k $K1 >/dev/null 2>&1
dkms_ours build -m broken -v 0.1 -k $K1 >/dev/null 2>&1
dkms_ours build -m exclusive -v 0.1 -k $K2 >/dev/null 2>&1

json=$(dkms_ours status --json)
is 0 "$?" "status --json succeeds"
check "output is JSON" jq -e 'type == "array"' <<< "$json"
one() { jq -c --arg m "$1" --arg k "$2" "[.[] | select(.module == \$m and .kernel == \$k)] | .[0] | $3" <<< "$json"; }
is '"installed"' "$(one hello $K1 .state)" "hello installed on $K1"
is "[\"$T/lib/$K1/updates/dkms/hello.ko\"]" "$(one hello $K1 .installed_paths)" "installed path"
is true "$(one hello $K1 .original_kept)" "the shipped hello.ko was kept"
is "\"$T/dkms/hello/0.1/$K1/x86_64/log/make.log\"" "$(one hello $K1 .log)" "build log of the install"
is '"added"' "$(one hello $K2 .state)" "hello only added for $K2"
is '"excluded by BUILD_EXCLUSIVE_KERNEL"' "$(one exclusive $K2 .reason)" "BUILD_EXCLUSIVE reason"
like "$(one broken $K1 .reason)" '^"make failed with exit [1-9][0-9]*"$' "make failure reason"
is "\"$T/dkms/broken/0.1/build/make.log\"" "$(one broken $K1 .log)" "failed build's log"
is 6 "$(jq length <<< "$json")" "3 modules x 2 kernels"
is "[\"$K2\"]" "$(dkms_ours status --json -k $K2 -m hello | jq -c '[.[].kernel]')" "filters -m and -k"
done_testing
