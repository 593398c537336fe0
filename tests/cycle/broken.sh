#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Broken modules (source or its link gone) in status and actions, and the
# status filters.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
K=6.1.0-1-fake
cy_init $K
copy_module hello-0.1
copy_module multi-0.1

dk add hello/0.1
dk install multi/0.1 -k $K
rm "$T/dkms/hello/0.1/source"
dk status
dk_is 0 "hello/0.1: broken
multi/0.1, $K, x86_64: installed" "
Error! hello/0.1: Missing the module source directory or the symbolic link pointing to it.
Manual intervention is required!" "source link deleted"

dk uninstall hello/0.1
dk_is 4 "" "
Error! hello/0.1 is broken!
Missing the source directory or the symbolic link pointing to it.
Manual intervention is required!" "uninstall of a broken module"

dk add hello/0.1
is 0 "$rc" "add repairs a missing link"
dk status -m hello
dk_is 0 "hello/0.1: added" "" "added again"

rm -rf "$T/src/hello-0.1"
dk status -m hello
dk_is 0 "hello/0.1: broken" "
Error! hello/0.1: Missing the module source directory or the symbolic link pointing to it.
Manual intervention is required!" "source dir deleted"

dk status -m 'mul*' -k $K -a x86_64
dk_is 0 "multi/0.1, $K, x86_64: installed" "" "status filters (glob, kernel, arch)"
dk status -a i386
dk_is 0 "hello/0.1: broken
multi/0.1: added" "
Error! hello/0.1: Missing the module source directory or the symbolic link pointing to it.
Manual intervention is required!" "status -a of another arch"

done_testing
