#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The build line a person sees: on a terminal (a pty from script(1)) the
# "Building module(s)..." line counts the elapsed time in place and ends
# with the total; through a pipe it is 3.4.3's dots and " done.".
# NO_COLOR and TERM=dumb: no escape sequence at all.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
command -v script >/dev/null || skip_all "script(1) (util-linux) is not installed"
K=6.1.0-1-fake
cy_init $K
copy_module hello-0.1
conf=$T/src/hello-0.1/dkms.conf
# a build that takes a few seconds, and one that fails after them
echo 'MAKE[0]="sleep 3; make KERNELRELEASE=$kernelver -C $kernel_source_dir M=$dkms_tree/$module/$module_version/build"' >>"$conf"
A=(--root "$T/root" --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib")
dk add hello/0.1

# on_tty ENV... -- ARGS...: dkms ARGS on a pty, its output in $T/.tty
on_tty() {
	local env=()
	while [ "$1" != -- ]; do env+=("$1"); shift; done
	shift
	env "${env[@]}" script -qfec "$(printf '%q ' "$DKMS" "$@" "${A[@]}")" /dev/null \
		</dev/null >"$T/.tty" 2>&1
}
esc=$(printf '\033')
cr=$(printf '\r')

on_tty TERM=xterm -- build hello/0.1 -k $K
tty=$(cat "$T/.tty")
like "$tty" "${cr}Building module\(s\)\.\.\.\.* [12]s" "tty: the elapsed time, updated in place"
like "$tty" "${cr}Building module\(s\)\.\.\.\.* ${esc}\[32mdone${esc}\[0m \([3-9]\.[0-9]s\)\." "tty: the total at the end, done in green"
check "tty: the module is built" test -d "$T/dkms/hello/0.1/$K"
dk unbuild hello/0.1 -k $K

on_tty TERM=xterm NO_COLOR=1 -- build hello/0.1 -k $K
tty=$(cat "$T/.tty")
like "$tty" "${cr}Building module\(s\)\.\.\.\.* [12]s" "NO_COLOR: still the counter"
like "$tty" "${cr}Building module\(s\)\.\.\.\.* done \([3-9]\.[0-9]s\)\." "NO_COLOR: the total, plain"
check "NO_COLOR: no escape sequence" sh -c "! grep -q \"\$(printf '\\033')\" '$T/.tty'"
dk unbuild hello/0.1 -k $K

on_tty TERM=dumb -- build hello/0.1 -k $K
check "TERM=dumb: no escape sequence" sh -c "! grep -q \"\$(printf '\\033')\" '$T/.tty'"
like "$(tr -d '\r' <"$T/.tty")" "^Building module\(s\)\.\.\.\.* done\.$" "TERM=dumb: 3.4.3's plain line"
dk unbuild hello/0.1 -k $K

# a pipe: exactly 3.4.3's lines (tests/diff compares them byte for byte)
dk build hello/0.1 -k $K
like "$out" "^Building module\(s\)\.\.\.\.* done\.$" "pipe: dots and done"
check "pipe: no carriage return, no escape" sh -c "! grep -q \"\$(printf '[\\r\\033]')\" '$T/.out'"
check "pipe: no elapsed time" sh -c "! grep -q 'done (' '$T/.out'"

# a failure on a terminal: the counter goes, 3.4.3's ending follows
sed -i "s/sleep 3; make.*\"/sleep 2; exit 1\"/" "$conf"
on_tty TERM=xterm NO_COLOR=1 -- build hello/0.1 -k $K --force
last=$(grep -a 'bad exit status' "$T/.tty" | tr '\r' '\n' | grep -a 'bad exit status')
is "Building module(s)...(bad exit status: 1)" "$last" "tty failure: the line ends as 3.4.3's, no counter left"
like "$(cat "$T/.tty")" "${cr}Building module\(s\)\.\.\. 1s" "tty failure: the counter ran"
# A parallel autoinstall (progress-live.c): on a terminal, status lines
# for the running builds, with their elapsed time, redrawn in place and
# erased before each build's held output is written; then a summary.
# In a pipe, 3.4.3's output alone.
dk remove hello/0.1 --all
for i in 01 02 03 04; do
	tiny_module p$i 1.0 AUTOINSTALL=yes \
		'MAKE[0]="sleep 2; make KERNELRELEASE=$kernelver -C $kernel_source_dir M=$dkms_tree/$module/$module_version/build"'
done
# p03 does not compile, p04 is not for this kernel
echo 'syntax error' >>"$T/src/p03-1.0/p03.c"
echo 'BUILD_EXCLUSIVE_KERNEL="^7\."' >>"$T/src/p04-1.0/dkms.conf"
# fresh: the four added, nothing built
fresh() {
	local i
	for i in 01 02 03 04; do
		dk remove p$i/1.0 --all
		dk add -m p$i -v 1.0
	done
}
# the tty's text without the status lines (they end with an erase to the
# end of line) and the moves that take them away
without_status() {
	sed -E "/${esc}\[K${cr}?\$/d; s/${cr}?${esc}\[[0-9]+A${esc}\[J//g; s/${cr}\$//" "$T/.tty"
}
log=$T/dkms/p03/1.0/build/make.log

fresh
"$DKMS" autoinstall -k $K -j 2 "${A[@]}" >"$T/.pipe" 2>&1
is 11 "$?" "autoinstall pipe: p03 fails (11)"
pipe_out=$(cat "$T/.pipe")
check "autoinstall pipe: no carriage return, no escape" sh -c "! grep -q \"\$(printf '[\\r\\033]')\" '$T/.pipe'"
check "autoinstall pipe: no status line, no summary" sh -c "! grep -Eq 'running|summary|^  (succeeded|failed)' '$T/.pipe'"

fresh
on_tty TERM=xterm -- autoinstall -k $K -j 2
tty=$(cat "$T/.tty")
like "$tty" "^autoinstall: [0-4]/4 done, [1-4] running, [0-9]+s${esc}\[K" "tty: a status line: done, running, elapsed"
like "$tty" "^  building p01/1\.0 for $K \.\.\. [1-9]s${esc}\[K" "tty: a line per running build with its elapsed time"
like "$tty" "${esc}\[[0-9]+A${esc}\[Jautoinstall: " "tty: redrawn in place"
like "$tty" "^Autoinstall summary: 2 succeeded, 1 skipped, 1 failed in [0-9]+s" "tty: the summary at the end"
like "$tty" "^  ${esc}\[32msucceeded${esc}\[0m p01/1\.0 for $K \([0-9]+s\)" "tty: what succeeded, in green"
like "$tty" "^  ${esc}\[33mskipped${esc}\[0m   p04/1\.0 for $K \([0-9]+s\): BUILD_EXCLUSIVE does not match this kernel" "tty: what was skipped, and why"
like "$tty" "^  ${esc}\[31mfailed${esc}\[0m    p03/1\.0 for $K \([0-9]+s\): exit status 10, log $log" "tty: what failed, with its make.log"
check "tty: the make.log named is there" test -s "$log"

fresh
on_tty TERM=xterm NO_COLOR=1 -- autoinstall -k $K -j 2
tty=$(cat "$T/.tty")
like "$tty" "^  building p02/1\.0 for $K \.\.\. [1-9]s" "NO_COLOR: the status lines still"
like "$tty" "^  failed    p03/1\.0 for $K \([0-9]+s\): exit status 10, log $log" "NO_COLOR: the summary, plain"
check "NO_COLOR: no color escape" sh -c "! grep -Eq \"\$(printf '\\033')\\[[0-9;]*m\" '$T/.tty'"
# what is left without the status lines: 3.4.3's output, then the summary
# before 3.4.3's own last lines
shown=$(without_status | sed '/^Autoinstall summary:/,/^$/d')
is "$pipe_out" "$shown" "NO_COLOR: the status lines erased, the output is the pipe's"

fresh
on_tty TERM=dumb -- autoinstall -k $K -j 2
check "TERM=dumb autoinstall: no escape sequence" sh -c "! grep -q \"\$(printf '\\033')\" '$T/.tty'"
check "TERM=dumb autoinstall: no status line, no summary" sh -c "! grep -Eq 'running|summary' '$T/.tty'"
is "$pipe_out" "$(tr -d '\r' <"$T/.tty")" "TERM=dumb autoinstall: the pipe's output"
# two kernels in one plan: the summary names each build's kernel, after
# a blank line (the last kernel's output ends with 3.4.3's error)
K2=6.1.0-2-fake
fake_kernel "$T" $K2
fresh
on_tty TERM=xterm NO_COLOR=1 -- autoinstall -k $K -k $K2 -j 2
tty=$(tr -d '\r' <"$T/.tty")
like "$tty" "^Autoinstall summary: 4 succeeded, 2 skipped, 2 failed in [0-9]+s" "two kernels: one summary for both"
like "$tty" "^  succeeded p01/1\.0 for $K2 \([0-9]+s\)" "two kernels: the kernel of each build"
is "" "$(grep -B1 '^Autoinstall summary' <<<"$tty" | head -1)" "two kernels: a blank line before the summary"
done_testing
