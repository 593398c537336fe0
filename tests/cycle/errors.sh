#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Failures of the cycle and their exit codes, as dkms 3.4.3 has them.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
K=6.1.0-1-fake
cy_init $K
for m in hello-0.1 broken-0.1 exclusive-0.1 consumer-0.1 provider-0.1 scripts-0.1; do
	copy_module $m
done

dk build hello/0.1 -k $K
check "build adds first" test -L "$T/dkms/hello/0.1/source"
dk remove hello/0.1 --all

dk remove hello/0.1
dk_is 3 "" "
Error! The module/version combo: hello/0.1 is not located in the DKMS tree." "remove of a module not added"
dk uninstall hello/0.1 -k $K
dk_is 3 "" "
Error! The module/version combo: hello/0.1 is not located in the DKMS tree." "uninstall of a module not added"

dk add nosrc/1.0
dk_is 2 "" "
Error! Could not find module source directory.
Directory: <T>/src/nosrc-1.0 does not exist." "add without a source dir"

mkdir -p "$T/src/bad-1"
printf 'PACKAGE_NAME=bad\nBUILT_MODULE_NAME=bad\nDEST_MODULE_LOCATION=/nowhere\n' >"$T/src/bad-1/dkms.conf"
dk add bad/1
dk_is 8 "" "dkms.conf: Error! No 'PACKAGE_VERSION' directive specified.
dkms.conf: Error! Directive 'DEST_MODULE_LOCATION' does not begin with
'/kernel', '/updates', or '/extra' in record #0.

Error! Bad conf file.
File: <T>/src/bad-1/dkms.conf does not represent a valid dkms.conf file." "add of a bad dkms.conf"
check "nothing added for a bad conf" test ! -e "$T/dkms/bad"

dk add broken/0.1
dk build broken/0.1 -k $K -j 1
dk_is 10 "$NOSIGN

Building module(s)...(bad exit status: 2)
Failed command:
make -j1 KERNELRELEASE=$K -C <T>/lib/$K/build M=<T>/dkms/broken/0.1/build" "
Error! Bad return status for module build on kernel: $K (x86_64)
Consult <T>/dkms/broken/0.1/build/make.log for more information." "make failure"
check "make failure: log kept" grep -q "^# exit code: 2$" "$T/dkms/broken/0.1/build/make.log"
check "make failure: no kernel dir" test ! -e "$T/dkms/broken/0.1/$K"
dk status -m broken
dk_is 0 "broken/0.1: added" "" "make failure leaves the module added"

dk install exclusive/0.1 -k 5.10.0-1-fake
dk_is 77 "Creating symlink <T>/dkms/exclusive/0.1/source -> <T>/src/exclusive-0.1" "Warning: The <T>/dkms/exclusive/0.1/5.10.0-1-fake/x86_64/dkms.conf
for module exclusive/0.1 includes BUILD_EXCLUSIVE directives
which do not match this kernel/arch/config for any modules.
This indicates that it should not be built." "BUILD_EXCLUSIVE skip"
dk uninstall exclusive/0.1 -k 5.10.0-1-fake
dk_is 0 "" "" "uninstall of an excluded module says nothing"

dk build consumer/0.1 -k $K
dk_is 13 "Creating symlink <T>/dkms/consumer/0.1/source -> <T>/src/consumer-0.1

$NOSIGN" "
Error! Aborting build of module consumer/0.1 for kernel $K (x86_64) due to missing BUILD_DEPENDS: provider.
You may override by specifying --force." "missing BUILD_DEPENDS"

dk build hello/0.1 -k 6.1.0-9-fake
dk_is 21 "Creating symlink <T>/dkms/hello/0.1/source -> <T>/src/hello-0.1" "
Error! Your kernel headers for kernel 6.1.0-9-fake cannot be found at <T>/lib/6.1.0-9-fake/build or <T>/lib/6.1.0-9-fake/source.
Please install your distribution's kernel headers package matching 6.1.0-9-fake, or use the --kernelsourcedir option to tell DKMS where it's located." "no headers"

dk install hello/0.1 -k 6.1.0-9-fake --kernelsourcedir "$T/lib/$K/build"
is 6 "$rc" "install onto a kernel without a module dir: exit 6"
like "$err" "^Error! The directory <T>/lib/6.1.0-9-fake doesn't exist\.$" "install onto a kernel without a module dir: message"
like "$err" "^You cannot install a module onto a non-existent kernel\.$" "install onto a kernel without a module dir: reason"

dk build hello/0.1 -k $K
dk build hello/0.1 -k $K --force
is 0 "$rc" "build --force rebuilds"
is "$NOSIGN

Building module(s)... done." "$out" "build --force output"

# PRE_INSTALL failing stops the install (101), --force goes on
printf '#!/bin/sh\necho pre-install "$@"\nexit 3\n' >"$T/src/scripts-0.1/pi.sh"
chmod +x "$T/src/scripts-0.1/pi.sh"
echo 'PRE_INSTALL="pi.sh a b"' >>"$T/src/scripts-0.1/dkms.conf"
dk install scripts/0.1 -k $K
is 101 "$rc" "failing PRE_INSTALL: exit 101"
like "$out" "^Running the pre_install script:$" "failing PRE_INSTALL: announced"
like "$out" "^pre-install a b$" "failing PRE_INSTALL: its output"
like "$err" "^Error! pre_install failed, aborting install\.$" "failing PRE_INSTALL: message"
like "$(cat "$T/dkms/scripts/0.1/$K/x86_64/log/make.log")" "^pre-build: generating generated.h$" "PRE_BUILD output in make.log"
check "POST_BUILD ran with its arguments" grep -q "post-build ran for $K x86_64" \
	"$T/dkms/scripts/0.1/$K/x86_64/log/post-build.stamp"
dk install scripts/0.1 -k $K --force
is 0 "$rc" "failing PRE_INSTALL with --force: installed"

# ours: headers of another kernel behind <kver>/build give modules that
# will not load; 3.4.3 says nothing (and still installs): our warning goes
# to the build report and status --json, stderr stays 3.4.3's
mkdir -p "$T/lib/6.1.0-3-fake"
ln -s "$T/lib/$K/build" "$T/lib/6.1.0-3-fake/build"
dk install hello/0.1 -k 6.1.0-3-fake
is 0 "$rc" "vermagic mismatch: still installed"
unlike "$err" "will not load" "vermagic mismatch: nothing on stderr (as 3.4.3)"
like "$(cat "$T/dkms/hello/0.1/6.1.0-3-fake/x86_64/log/dkms-build-report")" \
	"^warning: hello\.ko was built for kernel '$K', not 6\.1\.0-3-fake; it will not load into 6\.1\.0-3-fake\.$" \
	"vermagic mismatch: a warning in the build report"
if command -v jq >/dev/null; then
	dk status --json -m hello -k 6.1.0-3-fake
	is "[\"hello.ko was built for kernel '$K', not 6.1.0-3-fake; it will not load into 6.1.0-3-fake.\"]" \
		"$(jq -c '.[0].warnings' <<<"$out")" "vermagic mismatch: the warning in status --json"
else
	skip "jq is not installed"
fi

# actions on a broken module are refused
rm "$T/dkms/hello/0.1/source"
dk build hello/0.1 -k $K
dk_is 4 "" "
Error! hello/0.1 is broken!
Missing the source directory or the symbolic link pointing to it.
Manual intervention is required!" "build of a broken module"
dk remove hello/0.1 --all
is 4 "$rc" "remove of a broken module"

done_testing
