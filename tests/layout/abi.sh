#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The library's public face: libdkms.sym lists by name exactly the
# functions libdkms.h declares, the built libdkms.so exports exactly
# those, and a program that sees only the installed header, pkg-config
# file and shared library (tests/layout/client.c) builds and works.
. "$top_srcdir/tests/lib.sh"

plan 5
lib=$top_srcdir/core/lib
so=$top_builddir/core/lib/.libs/libdkms.so

declared=$(grep -oE '\bdkms_[a-z0-9_]+[[:space:]]*\(' "$lib/libdkms.h" |
	sed 's/[[:space:]]*($//' | sort -u)
listed=$(sed -n 's/^[[:space:]]*\(dkms_[a-z0-9_]*\);$/\1/p' "$lib/libdkms.sym" | sort)
is "$declared" "$listed" "libdkms.sym names every function of libdkms.h, and only those"
if grep -q '\*' <(sed -n '/^global:/,/^local:/p' "$lib/libdkms.sym"); then
	not_ok "libdkms.sym exports by name, no pattern"
else
	ok "libdkms.sym exports by name, no pattern"
fi

if [ ! -e "$so" ]; then
	skip "no shared library built ($so)" 3
	done_testing
fi
exported=$(nm -D --defined-only "$so" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort)
is "$listed" "$exported" "libdkms.so exports exactly the listed functions"

scratch
dest=$T/dest
if ! make -C "$top_builddir" install DESTDIR="$dest" >"$T/install.log" 2>&1; then
	not_ok "make install DESTDIR"
	diag "$(tail -20 "$T/install.log")"
	skip "nothing installed" 1
	done_testing
fi
pc=$(find "$dest" -name libdkms.pc | head -1)
prefix=$(sed -n 's/^prefix=//p' "$pc")
libdir=$(dirname "$(dirname "$pc")")
cflags=$(PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$dest pkg-config --cflags libdkms)
libs=$(PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$dest pkg-config --libs libdkms)
# a sanitizer build's library needs its runtime in the client too
san=
nm -D "$so" | grep -q __asan_init && san="-fsanitize=address,undefined"
check "a client builds against the installed header, pkg-config file and library" \
	${CC:-cc} $san -Wall -Wextra -Werror -o "$T/client" "$top_srcdir/tests/layout/client.c" \
	$cflags $libs
diag "prefix $prefix, libdir $libdir"

mkdir -p "$T/root/usr/src" "$T/root/var/lib/dkms" "$T/root/etc/dkms"
cp -a "$top_srcdir/tests/modules/hello-0.1" "$T/root/usr/src/"
out=$(LD_LIBRARY_PATH=$libdir "$T/client" "$T/root" 2>&1)
rc=$?
is "0 conf: hello 1 module(s)
Creating symlink $T/root/var/lib/dkms/hello/0.1/source -> $T/root/usr/src/hello-0.1
add: 0 of 1" "$rc $out" "the client reads a dkms.conf and adds a module through the installed library"
done_testing
