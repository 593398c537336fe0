#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `dkms batch`: a transaction's events planned once and run as one, on
# fake kernels.  Sources and kernels arriving, a failure recorded and
# summed up without failing the batch, depmod and the initramfs once per
# kernel, a kernel without headers named, strict mode, the dry run, and
# the same trees whatever the job budget.
. "$top_srcdir/tests/batch/batch-lib.sh"
K1=6.1.0-1-fake
K2=6.1.0-2-fake
K3=6.1.0-3-fake

# ---- two sources (one fails everywhere), a kernel without headers ----
bt_init $K1 $K2
mkdir -p "$T/lib/$K3/kernel"
bt_module foo 1.0
bt_module bar 1.0
echo 'int x = ;' >>"$T/src/bar-1.0/bar.c"
events="source-added foo/1.0
source-added bar/1.0
kernel-added $K3"

bt --dry-run <<<"$events"
is 0 "$rc" "dry run: exit 0"
like "$out" "^add, build and install for every kernel with headers: foo/1\.0$" "dry run: foo planned"
like "$out" "^autoinstall for kernel $K3 \(x86_64\)$" "dry run: the new kernel planned"
like "$out" "nothing will be built: the headers of kernel $K3 are not installed" "dry run: no headers said"
check "dry run: nothing added" test -z "$(ls "$T/dkms")"

bt <<<"$events"
is 0 "$rc" "a failing build does not fail the batch"
for k in $K1 $K2; do
	check "foo installed for $k" test -f "$T/lib/$k/updates/dkms/foo.ko"
	check "bar not installed for $k" test ! -e "$T/lib/$k/updates/dkms/bar.ko"
	is 1 "$(runs "$T/depmod.log" "$k")" "depmod once for $k"
	is 1 "$(runs "$T/initramfs.log" "$k")" "initramfs once for $k"
	like "$err" "^dkms:   bar/1\.0 failed for kernel $k: the build failed; see <T>/dkms/bar/1\.0/\.$k-x86_64\.make\.log$" \
		"summary names bar's failure on $k and its log"
	like "$(cat "$T/dkms/bar/1.0/.$k-x86_64.make.log")" "for kernel $k " \
		"the kept log is $k's build"
done
like "$err" "^dkms: 3 step\(s\) of this transaction failed:$" "summary counts the failures"
like "$err" "^dkms:   kernel $K3: the headers of kernel $K3 are not installed: install " \
	"summary names the kernel without headers"
is 0 "$(runs "$T/depmod.log" "$K3")" "no depmod for the kernel without headers"

json=$("$DKMS" status --json --root "$T/root" --dkmstree "$T/dkms" \
	--sourcetree "$T/src" --installtree "$T/lib")
bar_k1=$(python3 -c 'import json,sys
for e in json.loads(sys.argv[1]):
    if e["module"] == "bar" and e["kernel"] == sys.argv[2]:
        print(e["state"], e["reason"], e["log"])' "$json" "$K1")
is "added the build failed $T/dkms/bar/1.0/.$K1-x86_64.make.log" "$bar_k1" \
	"status --json shows the recorded failure"

# the same batch again: everything there already, nothing rebuilt
: >"$T/depmod.log"
bt <<<"source-added foo/1.0"
is 0 "$rc" "again: exit 0"
is "" "$(cat "$T/depmod.log")" "again: nothing installed, no depmod"

# ---- strict mode ----
echo 'strict_transactions="yes"' >>"$T/root/etc/dkms/framework.conf"
bt <<<"source-added bar/1.0"
is 1 "$rc" "strict mode: a failure fails the batch"
like "$err" "bar/1\.0 failed for kernel $K1" "strict mode: still summed up"

# ---- bad input: named, nothing done ----
printf 'source-added foo/1.0\nfrobnicate foo/1.0\n' >"$T/events"
bt "$T/events"
is 2 "$rc" "a bad line: exit 2"
is "dkms batch: <T>/events:2: not an event: frobnicate foo/1.0" "$err" "a bad line is named with its file and line"

# ---- nothing to do: nothing written, not even the tree opened ----
if command -v strace >/dev/null; then
	# (LeakSanitizer cannot run under ptrace: off for this one run)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	PATH="$T/bin:$PATH" strace -f -qq -e trace=openat,mkdir,mkdirat,unlink,unlinkat,rename,renameat2,flock \
		-o "$T/strace" "$DKMS" batch --root "$T/root" --dkmstree "$T/dkms" \
		--sourcetree "$T/src" --installtree "$T/lib" </dev/null
	is 0 "$?" "an empty batch: exit 0"
	is "" "$(grep -E 'O_WRONLY|O_RDWR|O_CREAT|mkdir|unlink|rename|flock' "$T/strace")" \
		"an empty batch writes nothing and takes no lock"
	is "" "$(grep -F "$T/dkms" "$T/strace")" "an empty batch does not look at the tree"
else
	skip "strace is not installed" 3
fi

# ---- another dkms holds the tree: the batch gives up, named ----
flock "$T/dkms" sleep 30 &
holder=$!
sleep 0.3
bt --lock-timeout 1 <<<"source-added foo/1.0"
is 1 "$rc" "the tree locked: exit 1 after the time limit"
like "$err" "^dkms: the DKMS tree <T>/dkms is locked by another dkms: gave up after 1 s$" \
	"the lock's holder is waited for, then named"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# ---- parallel and serial give the same trees ----
for j in 1 4; do
	bt_init $K1 $K2
	for m in a b c d; do
		bt_module "m$m" 1.0
	done
	bt -j $j <<<"source-added ma/1.0
source-added mb/1.0
source-added mc/1.0
source-added md/1.0"
	is 0 "$rc" "-j $j: exit 0"
	# paths, types and modes: make.log and the .ko differ in their dates
	listing[$j]=$(tree_listing "$T/dkms" | awk '{ print $1, $2, $3 }')
	libs[$j]=$(cd "$T/lib" && find . -name '*.ko' | sort)
	for k in $K1 $K2; do
		is 1 "$(runs "$T/depmod.log" "$k")" "-j $j: depmod once for $k"
	done
done
is "${listing[1]}" "${listing[4]}" "parallel and serial: same dkms trees"
is "${libs[1]}" "${libs[4]}" "parallel and serial: same installed modules"

done_testing
