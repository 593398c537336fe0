#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: error paths, their messages and exit codes.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
d_have_headers || d_skip_all "needs the Debian kernel headers of $D_REAL_KERNELS"
K1=6.1.0-56-amd64
NOHDR=6.1.0-99-amd64
NOKERNEL=6.1.0-77-amd64
d_plan 26

d_kernel $K1
d_kernel $NOHDR noheaders
for m in hello badconf failing excl; do d_module $m 1.0; done

# Command line
d_step "unknown option" 2 status --frobnicate
d_step "no action" 0
d_step "two actions" 4 add build -m hello -v 1.0
d_step "--all with -k" 2 remove -m hello -v 1.0 --all -k $K1
d_step "--all with -a" 3 remove -m hello -v 1.0 --all -a x86_64
d_step "--all with add" 5 add -m hello -v 1.0 --all
d_step "remove without module" 1 remove
d_step "--binaries-only with --source-only" 8 mktarball hello/1.0 --binaries-only --source-only
d_step "more arches than kernels" 1 build hello/1.0 -a x86_64 -a i386 -k $K1
d_step "--version" 0 --version

# add
d_step "add: missing source directory" 2 add -m nosuch -v 1.0
d_step "add: bad dkms.conf" 8 add -m badconf -v 1.0
d_tree "nothing written by a failed add"
d_step "add" 0 add -m hello -v 1.0
d_step "add twice" 3 add -m hello -v 1.0
d_step "remove: not added" 3 remove -m nosuch -v 1.0 --all
d_step "uninstall: not added" 3 uninstall -m nosuch -v 1.0 -k $K1

# build
d_step "build: make fails" 10 build -m failing -v 1.0 -k $K1
d_tree "after a failed build"
d_step "build: BUILD_EXCLUSIVE does not match" 77 build -m excl -v 1.0 -k $K1
d_step "build: missing kernel headers" 21 build -m hello -v 1.0 -k $NOHDR
d_tree "after refused builds"

# install
d_step "install onto a kernel that is not installed" 6 \
	install -m hello -v 1.0 -k $NOKERNEL --kernelsourcedir "$(d_headers $K1)"
d_tree "after install onto a missing kernel"
d_step "status with a module built for a missing kernel" 0 status
d_step "remove it" 0 remove -m hello -v 1.0 -k $NOKERNEL
d_done
