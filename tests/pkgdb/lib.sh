# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the tests/pkgdb tests (after tests/lib.sh): the package of a
# kernel's headers as dkms_kernel_headers_package names it, on a scratch
# root holding databases the real package tools wrote.

HEADERS_PKG=$top_builddir/tests/pkgdb/headers-pkg

# need TOOL...: skip the whole test without one of them
# (scripts/install-deps.sh installs them).
need() {
	local t
	for t; do
		command -v "$t" >/dev/null ||
			skip_all "$t is not installed (scripts/install-deps.sh)"
	done
}

# have_libsolv: whether configure found libsolv (--with-libsolv)
have_libsolv() {
	grep -q '^#define HAVE_LIBSOLV 1' "$top_builddir/config.h"
}

# need_libsolv: skip the whole test in a build without libsolv, where
# every answer is unknown (unknown.sh checks that)
need_libsolv() {
	have_libsolv || skip_all "built without libsolv"
}

# headers_pkg ROOT KVER: the answer (the package, or ENOENT,
# EOPNOTSUPP, ...); the library's debug log in $T/hp.log, what it wrote
# on stderr besides in $T/hp.err
headers_pkg() {
	"$HEADERS_PKG" -v "$@" 2>"$T/hp.log"
	grep -v '^# ' "$T/hp.log" >"$T/hp.err" || true
}

# no_libsolv ROOT KVER: headers_pkg where libsolv cannot be loaded (a
# file of its soname that is no library comes first on the library
# path), as on a system without it
no_libsolv() {
	mkdir -p "$T/nolib"
	echo "not a library" >"$T/nolib/libsolv.so.1"
	LD_LIBRARY_PATH=$T/nolib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} headers_pkg "$@"
}
