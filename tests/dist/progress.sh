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
done_testing
