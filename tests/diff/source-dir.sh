#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: build and install of a module named only by a path (a
# source dir never added, its dkms.conf, an archive), reference vs ours.
# The module's name and version come from its dkms.conf and must reach
# the install after the add and the build done on the way.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
K1=6.1.0-1-fake
K2=6.1.0-2-fake
d_plan 42

d_kernel $K1 fake
d_kernel $K2 fake
# The dir's name is not the module's: only dkms.conf names it.
d_both 'd_fixture hello 1.0 "$R/pkg/test/foo-src"
	tar -C "$R/pkg/test" -czf "$R/pkg/plain.tar.gz" foo-src
	d_fixture hello 1.0 "$R/pkg/noconf"; rm "$R/pkg/noconf/dkms.conf"'
D_CWD=@ROOT@/pkg

# Nothing names a module: no name reaches a message as "(null)".
d_step "build, no module" 1 build -k $K1
d_step "install, no module" 1 install -k $K1
d_step "install, a dir without dkms.conf" 1 install -k $K1 noconf
d_step "install, a path that does not exist" 1 install -k $K1 nosuch/
d_step "build, a dkms.conf that does not exist" 2 build -k $K1 nosuch/dkms.conf

d_step "install by a relative path, never added" 0 install -k $K1 test/foo-src
d_tree "installed from a relative path"
d_step "status" 0 status
# 3.4.3 adds again on the way, and the add refuses: 3
d_step "install by path once added" 3 install -k $K2 test/foo-src
d_step "remove" 0 remove hello/1.0 --all

d_step "install by an absolute path with a trailing slash" 0 \
	install -k $K1 @ROOT@/pkg/test/foo-src/
d_tree "installed from an absolute path"
d_step "remove" 0 remove hello/1.0 --all

d_step "install by a path to dkms.conf" 0 install -k $K1 test/foo-src/dkms.conf
d_tree "installed from a dkms.conf path"
d_step "remove" 0 remove hello/1.0 --all

# The first kernel installs; the second adds again and is refused (3).
d_step "install for two kernels by ./path/" 3 \
	install -k $K1 -k $K2 ./test/foo-src/
d_tree "installed for the first kernel"
d_step "remove" 0 remove hello/1.0 --all

d_step "build by a relative path with a trailing slash" 0 build -k $K2 test/foo-src/
d_tree "built from a relative path"
d_step "install by name after a build by path" 0 install hello/1.0 -k $K2
d_step "remove" 0 remove hello/1.0 --all
d_step "build by an absolute path" 0 build -k $K1 @ROOT@/pkg/test/foo-src
d_tree "built from an absolute path"
d_step "remove" 0 remove hello/1.0 --all

# An archive names the module the same way (3.4.3's load_tarball).
d_step "build a plain archive" 0 build -k $K1 plain.tar.gz
d_tree "built from a plain archive"
d_step "remove" 0 remove hello/1.0 --all
d_step "install a plain archive" 0 install -k $K2 plain.tar.gz
d_tree "installed from a plain archive"
d_step "mktarball --source-only" 0 mktarball hello/1.0 --source-only \
	--archive @ROOT@/pkg/source-only.tar.gz
d_step "remove" 0 remove hello/1.0 --all
d_step "install --archive=ARCHIVE" 0 install -k $K1 --archive=source-only.tar.gz
d_tree "installed from --archive"
d_step "mktarball with binaries" 0 mktarball hello/1.0 -k $K1 \
	--archive @ROOT@/pkg/binaries.tar.gz
d_step "remove" 0 remove hello/1.0 --all
# Its binaries are loaded before the build, which then finds them: 3.
d_step "install an archive with binaries" 3 install -k $K1 binaries.tar.gz
d_tree "after the archive with binaries"
d_step "remove" 0 remove hello/1.0 --all
d_step "add an archive" 0 add plain.tar.gz
d_tree "added from an archive"
d_done
