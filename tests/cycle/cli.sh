#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dkms 3.4.3's command line: option forms, usage, and the checks done
# before any action.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
cy_init
copy_module hello-0.1

usage="Usage: $DKMS [action] [options]
  [action]  = { add | remove | build | unbuild | install | uninstall | match |
               autoinstall | mktarball | ldtarball | status | generate_mok |
               kernel_preinst | kernel_postinst | kernel_prerm }
  [options] = [-m module] [-v module-version] [-k kernel-version] [-a arch]
              [-c dkms.conf-location] [-q] [--force] [--force-version-override] [--all]
              [--templatekernel=kernel] [--directive='cli-directive=cli-value']
              [--config=kernel-include/config/auto.conf-location] [--archive=tarball-location]
              [--kernelsourcedir=source-location] [--rpm_safe_upgrade]
              [--dkmstree path] [--sourcetree path] [--installtree path]
              [--binaries-only] [--source-only] [--verbose]
              [--no-depmod] [--modprobe-on-install] [-j number] [--version] [--help]"

out=$("$DKMS" --version); rc=$?
is 0 "$rc" "--version exit code"
is "dkms-3.4.3" "$out" "--version"
out=$("$DKMS" -V status --bogus)
is "dkms-3.4.3" "$out" "-V stops the scan"
out=$("$DKMS" --help); rc=$?
is "0 $usage" "$rc $out" "--help"

dk status --bogus
dk_is 2 "$usage" "
Error! Unknown option: --bogus" "unknown option"
dk status -m=hello
is 2 "$rc" "-m=VALUE is not an option of 3.4.3"

dk
dk_is 0 "$usage" "
Error! Unknown action specified: \"\"" "no action"
dk add build
dk_is 4 "" "
Error! Cannot specify more than one action." "two actions"
dk status hello/0.1 extra
dk_is 0 "" "Warning: I do not know how to handle extra." "stray word"
dk --no-initrd status
dk_is 0 "" "Deprecated feature: --no-initrd" "deprecated option"

dk remove
dk_is 1 "" "
Error! Arguments <module> and <module-version> are not specified.
Usage: remove <module>/<module-version> or
       remove -m <module>/<module-version> or
       remove -m <module> -v <module-version>" "remove without module"
dk status --binaries-only --source-only
dk_is 8 "" "
Error! You have specified both --binaries-only and --source-only.
You cannot do this." "--binaries-only with --source-only"
dk status -k a -a x -a y
dk_is 1 "" "
Error! If more than one arch is specified on the command line, then there
must be an equal number of kernel versions also specified (1:1 relationship)." "arch/kernel count mismatch"
dk status -k a --all
dk_is 2 "" "
Error! You cannot specify a kernel version and also specify
--all on the command line." "-k with --all"
dk status -a x --all
dk_is 3 "" "
Error! You cannot specify an arch and also specify
--all on the command line." "-a with --all"
dk build hello/0.1 --all
dk_is 5 "" "
Error! The action build does not support the --all parameter." "--all banned for build"
dk kernel_prerm
dk_is 4 "" "
Error! The action kernel_prerm requires exactly one kernel version parameter on the command line." "kernel_prerm needs one kernel"

# option forms: -m M -v V, -m M/V, --module=M/V, M/V; -k K/A and --kernelver=K
for form in "-m hello -v 0.1" "-m hello/0.1" "--module=hello/0.1" "--module hello/0.1" "hello/0.1"; do
	# shellcheck disable=SC2086
	dk add $form
	is "0 Creating symlink <T>/dkms/hello/0.1/source -> <T>/src/hello-0.1" "$rc $out" "add $form"
	rm -rf "$T/dkms/hello"
done
mkdir -p "$T/other"
"$DKMS" add hello/0.1 --root "$T/root" --dkmstree="$T/other" --sourcetree="$T/src" >/dev/null
is "0" "$?" "--dkmstree=DIR form"
check "--dkmstree=DIR used" test -L "$T/other/hello/0.1/source"
dk build hello/0.1 --kernelver=6.1.0-1-fake/x86_64 -j 1
is 0 "$rc" "--kernelver=K/A"
check "K/A form builds for that arch" test -d "$T/dkms/hello/0.1/6.1.0-1-fake/x86_64/module"
like "$(cat "$T/dkms/hello/0.1/6.1.0-1-fake/x86_64/log/make.log")" "^# command: make -j1 KERNELRELEASE=" "-j 1 reaches make"
dk build hello/0.1 -k 6.1.0-1-fake -a x86_64 --force -j 0 -q
is "0||" "$rc|$out|$err" "-q silences everything"
like "$(cat "$T/dkms/hello/0.1/6.1.0-1-fake/x86_64/log/make.log")" "^# command: make -j KERNELRELEASE=" "-j 0 gives make -j"

# framework.conf: read as data, the command line wins
mkdir -p "$T/root/fw"
cat >"$T/root/etc/dkms/framework.conf" <<EOF
try_sign_modules="false"
dkms_tree=/fw
parallel_jobs=3
verbose=\$(touch $T/ran)
EOF
mkdir -p "$T/root/etc/dkms/framework.conf.d"
echo "# comment" >"$T/root/etc/dkms/framework.conf.d/a.conf"
"$DKMS" add hello/0.1 --root "$T/root" --sourcetree "$T/src" --installtree "$T/lib" >/dev/null
check "framework.conf dkms_tree (under --root)" test -L "$T/root/fw/hello/0.1/source"
check "framework.conf never runs code" test ! -e "$T/ran"
"$DKMS" build hello/0.1 -k 6.1.0-1-fake --root "$T/root" --sourcetree "$T/src" --installtree "$T/lib" >/dev/null
like "$(cat "$T/root/fw/hello/0.1/6.1.0-1-fake/x86_64/log/make.log")" "^# command: make -j3 " "framework.conf parallel_jobs"

done_testing
