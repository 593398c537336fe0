#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The status cache (core/lib/ops/status-cache.c): plain `dkms status` on a
# large tree replays the last walk while nothing changed, and walks again
# (same output as without a cache) after any change to the trees.
. "$top_srcdir/tests/lib.sh"

plan 13
scratch
mk_trees "$T"
K=6.1.0-1-fake
fake_kernel "$T" $K
mkmod() {
	tiny_module "$1" "$2"
	dkms_ours add -m "$1" -v "$2" >/dev/null 2>&1 || bail_out "add $1/$2"
}
for i in $(seq -w 1 30); do
	mkmod "m$i" 1.0
	mkmod "m$i" 2.0
done
dkms_ours install -m m01 -v 2.0 -k $K >/dev/null 2>&1 || bail_out "install m01"
cache=$T/dkms/.status-cache/status
ino() { stat -c %i "$cache" 2>/dev/null; }
# the answer without a cache, then the cache restored as it was
fresh() {
	mv "$T/dkms/.status-cache" "$T/.keep"
	dkms_ours status 2>&1
	rm -rf "$T/dkms/.status-cache"
	mv "$T/.keep" "$T/dkms/.status-cache"
}

first=$(dkms_ours status 2>&1)
check "a large tree's status is cached" test -s "$cache"
i1=$(ino)
second=$(dkms_ours status 2>&1)
is "$first" "$second" "the cached answer is the walk's"
is "$i1" "$(ino)" "the second status replays the cache"

mkmod m99 1.0
out=$(dkms_ours status 2>&1)
like "$out" '^m99/1.0: added$' "an added module shows"
is "$(fresh)" "$out" "after add: the walk's answer"

before=$(dkms_ours status -m m01 -v 2.0 2>&1)
ko=$(ls "$T/lib/$K/updates/dkms/m01.ko"* 2>/dev/null)
check "the installed copy is where dkms put it" test -n "$ko"
rm -f $ko
out=$(dkms_ours status 2>&1)
unlike "$out" "^m01/2.0, $K, x86_64: installed\$" "installed copy deleted behind dkms: no longer installed"
is "$(fresh)" "$out" "installed copy deleted behind dkms: the walk's answer"

rm -rf "$T/src/m02-1.0"
out=$(dkms_ours status 2>&1)
like "$out" '^m02/1.0: broken$' "a source removed behind dkms shows broken"
is "$(fresh)" "$out" "broken: the walk's answer (stderr too)"

i1=$(ino)
like "$(dkms_ours status -m m01 -v 2.0 2>&1)" "^m01/2.0, $K, x86_64: installed" "a filtered status walks"
is "$i1" "$(ino)" "a filtered status leaves the cache alone"

scratch
mk_trees "$T"
mkmod small 1.0
dkms_ours status >/dev/null 2>&1
check "a small tree has no cache" test ! -e "$T/dkms/.status-cache"
done_testing
