#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: mktarball writes 3.4.3's layout; ldtarball loads it back.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
d_have_headers || d_skip_all "needs the Debian kernel headers of $D_REAL_KERNELS"
K1=6.1.0-56-amd64
K2=6.1.0-54-amd64
d_plan 32

d_kernel $K1
d_kernel $K2
d_module hello 1.0

# Members of a tarball, sorted, without the ./ prefix; our build report
# (log/dkms-build-report, carried with make.log) has no counterpart in
# 3.4.3's (tests/diff/make-log.sh checks it).
members() { tar -tzf "$1" | sed 's|^\./||' | grep -v '/dkms-build-report$' | LC_ALL=C sort; }
# shellcheck disable=SC2034 # used by the d_same commands
TB=dkms/hello/1.0/tarball

d_step "mktarball of a module not added" 3 mktarball -m hello -v 1.0 -k $K1
d_step "add" 0 add hello/1.0
d_step "mktarball of a module not built" 6 mktarball -m hello -v 1.0 -k $K1
d_step "build on two kernels" 0 build hello/1.0 -k $K1 -k $K2
d_step "mktarball for two kernels" 0 mktarball -m hello -v 1.0 -k $K1 -k $K2
d_tree "tarball written"
d_same "tarball members" 'members "$R/$TB/hello-1.0-kernel$K1-x86_64-kernel$K2-x86_64.dkms.tar.gz"'
d_step "mktarball --source-only" 0 mktarball hello/1.0 --source-only
d_same "source-only members" 'members "$R/$TB/hello-1.0-source-only.dkms.tar.gz"'
d_step "mktarball --binaries-only --archive" 0 mktarball hello/1.0 -k $K1 --binaries-only --archive=@ROOT@/out/bin.tar.gz
d_same "binaries-only members" 'members "$R/out/bin.tar.gz"'
d_same "binaries-only PACKAGE_NAME" 'tar -xzOf "$R/out/bin.tar.gz" ./dkms_binaries_only/PACKAGE_NAME ./dkms_binaries_only/PACKAGE_VERSION'
d_both 'mkdir -p "$R/keep" && cp "$R/$TB/"*.tar.gz "$R/keep/"'
d_step "remove --all" 0 remove hello/1.0 --all
d_both 'rm -rf "$R/src/hello-1.0"'

d_step "ldtarball of a missing file" 2 ldtarball @ROOT@/keep/nosuch.tar.gz
d_step "ldtarball (source and binaries)" 0 ldtarball @ROOT@/keep/hello-1.0-kernel$K1-x86_64-kernel$K2-x86_64.dkms.tar.gz
d_tree "after ldtarball"
d_step "status after ldtarball" 0 status
d_step "ldtarball again: already added" 8 ldtarball --archive @ROOT@/keep/hello-1.0-kernel$K1-x86_64-kernel$K2-x86_64.dkms.tar.gz
d_step "install from the loaded binaries" 0 install hello/1.0 -k $K2
d_step "remove --all" 0 remove hello/1.0 --all
d_both 'rm -rf "$R/src/hello-1.0"'
d_step "ldtarball of a binaries-only tarball (3.4.3 exits 1)" 1 ldtarball @ROOT@/out/bin.tar.gz
d_tree "after loading binaries only"
d_step "status of a binaries-only module" 0 status

d_both 'mkdir -p "$R/plain/x" && d_fixture hello 3.0 "$R/plain/x/hello-3.0" && tar -C "$R/plain/x" -czf "$R/plain/hello-3.0.tar.gz" .'
d_step "ldtarball of a plain source tarball" 0 ldtarball @ROOT@/plain/hello-3.0.tar.gz
d_tree "after loading a plain source tarball"
d_both 'mkdir -p "$R/empty/x/d" && echo hi >"$R/empty/x/d/README" && tar -C "$R/empty/x" -czf "$R/empty/no-conf.tar.gz" .'
d_step "ldtarball without a dkms.conf" 3 ldtarball @ROOT@/empty/no-conf.tar.gz
d_both 'echo "not a tarball" >"$R/empty/junk.tar"'
d_step "ldtarball of something that is not a tarball" 3 ldtarball @ROOT@/empty/junk.tar
d_step "remove hello 3.0" 0 remove hello/3.0 --all
d_both 'rm -rf "$R/src/hello-3.0" "$R/dkms/hello"'
d_step "add of a plain source tarball" 0 add @ROOT@/plain/hello-3.0.tar.gz
d_step "add of a mktarball archive" 0 add @ROOT@/keep/hello-1.0-source-only.dkms.tar.gz
d_tree "after add of archives"
d_step "add of a binaries-only archive already added" 8 add @ROOT@/out/bin.tar.gz
d_done
