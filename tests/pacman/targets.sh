#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dkms-alpm-hook on its own, from the build tree: its arguments, and the
# paths pacman's patterns match that are not a source or a kernel (a
# '*' of the hooks also matches '/', pacman's fnmatch takes no
# FNM_PATHNAME): ignored, so nothing is handed to the core, which then
# reads and writes nothing.  Whatever it is given, it exits 0 and says
# nothing.  The paths that do count are in lifecycle.sh, with pacman.
. "$top_srcdir/tests/lib.sh"

hookdir=$(sed -n 's/^alpmhookdir = //p' "$top_builddir/Makefile")
[ -n "$hookdir" ] && [ "$hookdir" != no ] ||
	skip_all "the pacman hooks are not built (configure found no libalpm; --enable-pacman-hook)"
HOOK=$top_builddir/pacman-hook/dkms-alpm-hook
plan 8
scratch

"$HOOK" </dev/null >"$T/out" 2>&1
is "2" "$?" "no operation: exit 2"
like "$(cat "$T/out")" "^Usage: .*dkms-alpm-hook install[|]remove <TARGETS\$" "no operation: the usage"
"$HOOK" upgrade </dev/null >"$T/out" 2>&1
is "2" "$?" "another operation: exit 2"

ignored='usr/src/dkms.conf
usr/src//dkms.conf
usr/src/../dkms.conf
usr/src/foo 1.0/dkms.conf
usr/src/foo-1.0/dkms.conf.orig
usr/src/foo-1.0/sub/dkms.conf
usr/src/foo-1.0/
usr/lib/modules/vmlinuz
usr/lib/modules//vmlinuz
usr/lib/modules/6.6.7-arch1-1/vmlinuz.old
usr/lib/modules/6.6.7-arch1-1/kernel/build
usr/lib/modules/6.6.7-arch1-1/buildx
usr/lib/modules/../build/
usr/lib/modules/6.6.7 arch1/build
lib/modules/6.6.7-arch1-1/vmlinuz
usr/share/doc/foo/dkms.conf'
for op in install remove; do
	out=$("$HOOK" $op <<<"$ignored" 2>&1)
	is "0" "$?" "$op: paths that are no source and no kernel: exit 0"
	is "" "$out" "$op: paths that are no source and no kernel: nothing said, nothing done"
done
out=$("$HOOK" install </dev/null 2>&1)
is "0 " "$? $out" "no paths at all: exit 0, nothing said"

done_testing
