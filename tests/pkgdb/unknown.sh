#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What names no kernel is refused (-EINVAL); a root without any package
# database is unknown (-ENOENT), libsolv or not; one with a database but
# no libsolv (not built with it, or not loadable) is unknown too
# (-EOPNOTSUPP).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pkgdb/lib.sh"

plan 9
scratch
mkdir -p "$T/root"

is EINVAL "$(headers_pkg "$T/root" "")" "an empty KVER: EINVAL"
is EINVAL "$(headers_pkg "$T/root" ../6.1.0-1-amd64)" "a KVER with a slash: EINVAL"
is EINVAL "$(headers_pkg "$T/root" ..)" "KVER ..: EINVAL"
is ENOENT "$(headers_pkg "$T/root" 6.1.0-1-amd64)" "no package database: ENOENT"
is ENOENT "$(headers_pkg "$T/nonexistent" 6.1.0-1-amd64)" "a root that is not there: ENOENT"
is ENOENT "$(no_libsolv "$T/root" 6.1.0-1-amd64)" \
	"no package database and no libsolv: ENOENT, nothing to read"
is "" "$(cat "$T/hp.err")" "nothing said on stderr"

# an empty status: the database dpkg starts a root with
mkdir -p "$T/dpkg/var/lib/dpkg"
: >"$T/dpkg/var/lib/dpkg/status"
if have_libsolv; then
	out=$(no_libsolv "$T/dpkg" 6.1.0-1-amd64)
else
	out=$(headers_pkg "$T/dpkg" 6.1.0-1-amd64)
fi
is EOPNOTSUPP "$out" "a dpkg database but no libsolv: EOPNOTSUPP"
is "" "$(cat "$T/hp.err")" "nothing said on stderr"

done_testing
