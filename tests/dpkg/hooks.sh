#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel packages' hooks (postinst.d, header_postinst.d, prerm.d) and
# common.postinst, as `make install` puts them down, at work on a scratch
# root (DKMS_ROOT) with fake kernels: each hands its work to dkms as one
# batch, printing the events first; a module that fails is reported with
# its make.log and fails nothing, unless framework.conf sets
# strict_transactions; a kernel without headers is named.
. "$top_srcdir/tests/dpkg/dpkg-lib.sh"
[ "$(id -u)" = 0 ] || skip_all "builds and installs as root"
plan 56
scratch
D=$T/dest

mk() { make -s --no-print-directory -C "$top_builddir" "$@"; }
var() { mk --eval='print-var: ; @echo $('"$1"')' print-var; }
mk install DESTDIR="$D" >"$T/install.log" 2>&1 ||
	bail_out "make install DESTDIR failed: $(tail -n 5 "$T/install.log")"
sbindir=$(var sbindir) libexec=$(var dkmslibdir) hooks=$(var kernelhookdir)
[ "$hooks" != no ] || skip_all "configured --with-kernelhookdir=no: no kernel hooks"
# the installed scripts name each other where they are installed: here,
# under $D
for f in "$D$libexec/common.postinst" "$D$hooks"/*/dkms; do
	sed -i "s|$libexec/|$D$libexec/|g" "$f"
done

R=$T/root
K1=6.1.0-901-fake K2=6.1.0-902-noheaders K3=6.1.0-903-fake
mkdir -p "$R/etc/dkms" "$R/var/lib/dkms" "$R/usr/src" "$T/bin"
echo 'try_sign_modules="false"' >"$R/etc/dkms/framework.conf"
printf 'ID=debian\nVERSION_ID="12"\n' >"$R/etc/os-release"
for k in $K1 $K3; do
	mkdir -p "$R/lib/modules/$k/kernel"
	sh "$top_srcdir/tests/fake-kernel/mkfake.sh" "$R/lib/modules/$k/build" "$k" \
		>/dev/null || bail_out "mkfake.sh failed for $k"
done
# K2: an image without its headers
mkdir -p "$R/lib/modules/$K2/kernel"
: >"$R/lib/modules/$K2/modules.order"
for k in $K1 $K2 $K3; do
	: >"$R/lib/modules/$k/modules.dep"
done
# a depmod that counts its runs (the last word: the kernel) and leaves
# modules.dep not empty, as a real one would (an empty one tells dkms
# the kernel is gone)
cat >"$T/bin/depmod" <<EOF
#!/bin/sh
echo "\$*" >>"$T/depmod.log"
[ "\$1" = -b ] && echo "fake.ko:" >"\$2/lib/modules/\$4/modules.dep"
exit 0
EOF
chmod +x "$T/bin/depmod"
export PATH="$D$sbindir:$T/bin:$PATH" DKMS_ROOT=$R
unset DKMS_TREE_LOCK

ours() { "$D$sbindir/dkms" --root "$R" "$@"; }
state() { ours status -m "$1" -v "$2" -k "$3" 2>&1 | sed 's/.*: //'; }
depmods() { grep -c -- " $1\$" "$T/depmod.log"; }
# run NAME ARGS...: the installed script NAME; sets rc, out, err
run() {
	local s=$1
	shift
	: >"$T/depmod.log"
	"$s" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}
mkmod() {
	local d=$R/usr/src/$1-$2
	mkdir -p "$d"
	printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' >"$d/$1.c"
	echo "obj-m := $1.o" >"$d/Makefile"
	printf 'PACKAGE_NAME="%s"\nPACKAGE_VERSION="%s"\nBUILT_MODULE_NAME[0]="%s"\nDEST_MODULE_LOCATION[0]="/updates"\n' \
		"$1" "$2" "$1" >"$d/dkms.conf"
	shift 2
	[ $# -eq 0 ] || printf '%s\n' "$@" >>"$d/dkms.conf"
}
strict() { echo 'strict_transactions="yes"' >>"$R/etc/dkms/framework.conf"; }
lenient() { sed -i '/^strict_transactions=/d' "$R/etc/dkms/framework.conf"; }

# ------------------------------------------------------- the kernel hooks
mkmod pkg 2.0 AUTOINSTALL=yes
ours add pkg/2.0 >/dev/null 2>&1 || bail_out "cannot add pkg/2.0"
run "$D$hooks/postinst.d/dkms" $K1 /boot/vmlinuz-$K1
is 0 "$rc" "postinst.d K: exit 0" || diag "$err"
like "$out" "^# $D$hooks/postinst\.d/dkms: as one batch \(to replay: dkms batch, with these lines\)\$" \
	"postinst.d K: says what it hands over, replayable"
like "$out" "^kernel-added $K1\$" "postinst.d K: the event, as dkms batch reads it"
is installed "$(state pkg 2.0 $K1)" "postinst.d K: the AUTOINSTALL module is installed for K"
is 1 "$(depmods $K1)" "postinst.d K: depmod once for K"

run "$D$hooks/header_postinst.d/dkms" $K3
is "0 installed" "$rc $(state pkg 2.0 $K3)" "header_postinst.d K: installed for the kernel whose headers came"

run "$D$hooks/postinst.d/dkms" $K2 /boot/vmlinuz-$K2
is 0 "$rc" "a kernel without headers: exit 0"
like "$out" "^dkms: the headers of kernel $K2 are not installed: install the package that provides $R/lib/modules/$K2/build\$" \
	"a kernel without headers: what to install is said"
check "a kernel without headers: nothing installed for it" \
	test ! -e "$R/lib/modules/$K2/updates"
run "$D$hooks/postinst.d/dkms"
is "0  " "$rc $out $err" "no kernel given: nothing, exit 0"

# a module that fails to build: reported, recorded, the package goes on
mkmod bad 1.0 AUTOINSTALL=yes
echo 'int x = ;' >>"$R/usr/src/bad-1.0/bad.c"
ours add bad/1.0 >/dev/null 2>&1 || bail_out "cannot add bad/1.0"
run "$D$hooks/header_postinst.d/dkms" $K1
is 0 "$rc" "a module failing to build: exit 0"
like "$err" "^dkms:   bad/1\.0 failed for kernel $K1: the build failed; see $R/var/lib/dkms/bad/1\.0/\.$K1-x86_64\.make\.log\$" \
	"a module failing to build: module, kernel and make.log said"
check "a module failing to build: its make.log kept" \
	test -s "$R/var/lib/dkms/bad/1.0/.$K1-x86_64.make.log"
like "$(ours status --json -m bad -v 1.0 -k $K1 2>/dev/null)" '"reason": *"the build failed"' \
	"a module failing to build: recorded (status --json)"
strict
run "$D$hooks/header_postinst.d/dkms" $K1
is 1 "$rc" "strict_transactions=\"yes\": a failure fails the hook"
lenient
ours remove bad/1.0 --all >/dev/null 2>&1

# the prerm hook: what dkms put on the kernel goes
run "$D$hooks/prerm.d/dkms" $K1 /boot/vmlinuz-$K1
is 0 "$rc" "prerm.d K: exit 0" || diag "$err"
like "$out" "^kernel-removing $K1\$" "prerm.d K: the event"
check "prerm.d K: the module is gone from the kernel" \
	test ! -e "$R/lib/modules/$K1/updates/dkms/pkg.ko"
isnt_state=$(state pkg 2.0 $K1)
unlike "$isnt_state" "installed|built" "prerm.d K: neither installed nor built for K"
# removing image and headers together removes the headers first
mv "$R/lib/modules/$K3/build" "$T/build-$K3"
run "$D$hooks/prerm.d/dkms" $K3 /boot/vmlinuz-$K3
is 0 "$rc" "prerm.d K without its headers: exit 0" || diag "$err"
check "prerm.d K without its headers: the module is gone from the kernel" \
	test ! -e "$R/lib/modules/$K3/updates/dkms/pkg.ko"
mkdir -p "$R/lib/modules/$K3/kernel"
: >"$R/lib/modules/$K3/modules.dep"
mv "$T/build-$K3" "$R/lib/modules/$K3/build"
ours remove pkg/2.0 --all >/dev/null 2>&1

# dkms batch failing for another reason than a module (the tree's lock,
# say): reported, nothing failed unless strict
mkdir -p "$T/fail"
printf '#!/bin/sh\ncat >/dev/null\necho "dkms batch: the tree is locked" >&2\nexit 1\n' \
	>"$T/fail/dkms"
chmod +x "$T/fail/dkms"
PATH="$T/fail:$PATH" run "$D$hooks/postinst.d/dkms" $K1
is 0 "$rc" "dkms batch failing itself: the hook exits 0"
like "$err" "dkms batch exited with status 1; going on" "dkms batch failing itself: said"
strict
PATH="$T/fail:$PATH" run "$D$hooks/postinst.d/dkms" $K1
is 1 "$rc" "dkms batch failing itself, strict: the hook fails"
lenient

# ------------------------------------------------------ common.postinst
post() { run "$D$libexec/common.postinst" "$@"; }
mkmod new 1.0 AUTOINSTALL=yes
post new 1.0 /usr/share/new-dkms "" ""
is 0 "$rc" "common.postinst: exit 0" || diag "$err"
like "$out" "^Loading new new/1\.0 DKMS files\.\.\.\$" "common.postinst: loads the source, as 3.4.3's says"
like "$out" "^source-added /usr/src/new-1\.0\$" "common.postinst: hands it over as source-added"
is "installed installed" "$(state new 1.0 $K1) $(state new 1.0 $K3)" \
	"common.postinst: installed for every kernel with headers"
is "1 1" "$(depmods $K1) $(depmods $K3)" "common.postinst: depmod once per kernel"
post new 1.0 /usr/share/new-dkms "" 1.0
is 0 "$rc" "common.postinst again (a reinstall): exit 0"
like "$out" "^Removing old new/1\.0 DKMS files\.\.\.\$" "common.postinst again: the earlier registration goes first"
is "installed installed" "$(state new 1.0 $K1) $(state new 1.0 $K3)" "common.postinst again: built and installed again"

ours mktarball new/1.0 --source-only --archive "$T/new-1.0.dkms.tar.gz" >/dev/null 2>&1
ours remove new/1.0 --all >/dev/null 2>&1
rm -rf "$R/usr/src/new-1.0"
post new 1.0 "$T" "" ""
is 0 "$rc" "common.postinst from TARBALL_DIR/NAME-VERSION.dkms.tar.gz: exit 0" || diag "$err"
like "$out" "^source-added new/1\.0\$" "common.postinst from a tarball: the version loaded, then handed over"
is installed "$(state new 1.0 $K1)" "common.postinst from a tarball: installed"

mkmod noauto 1.0
post noauto 1.0 "" "" ""
is 0 "$rc" "common.postinst of a module without AUTOINSTALL: exit 0"
is "added" "$(state noauto 1.0 $K1)" "common.postinst of a module without AUTOINSTALL: added, not built"

post
is 1 "$rc" "common.postinst without NAME and VERSION: exit 1"
like "$out" "^Need NAME and VERSION defined\$" "common.postinst without NAME and VERSION: says so"

mkmod broken 1.0 AUTOINSTALL=yes
echo 'int x = ;' >>"$R/usr/src/broken-1.0/broken.c"
post broken 1.0 "" "" ""
is 0 "$rc" "common.postinst of a module that fails to build: exit 0, the package is configured"
like "$err" "^dkms: 2 step\(s\) of this transaction failed:\$" "common.postinst of a failing module: every kernel tried"
like "$err" "^dkms:   broken/1\.0 failed for kernel $K3: the build failed; see $R/var/lib/dkms/broken/1\.0/\.$K3-x86_64\.make\.log\$" \
	"common.postinst of a failing module: each failure with its make.log"
strict
post broken 1.0 "" "" ""
is 1 "$rc" "common.postinst, strict_transactions=\"yes\": a failure fails it"
lenient

mkmod arch 1.0 AUTOINSTALL=yes
post arch 1.0 "" x86_64 ""
is 0 "$rc" "common.postinst with ARCH: exit 0" || diag "$err"
like "$out" "^install arch/1\.0 $K3 x86_64\$" "common.postinst with ARCH: an install for ARCH on each kernel with headers"
is "installed installed" "$(state arch 1.0 $K1) $(state arch 1.0 $K3)" "common.postinst with ARCH: installed"

# the running kernel installed in the root limits nothing: every kernel
# with headers gets the module
mkdir -p "$R/lib/modules/$(uname -r)"
mkmod cur 1.0 AUTOINSTALL=yes
post cur 1.0 "" "" ""
is "0 installed installed" "$rc $(state cur 1.0 $K1) $(state cur 1.0 $K3)" \
	"the running kernel installed: every kernel with headers, not only it and the newest"
rmdir "$R/lib/modules/$(uname -r)"

touch "$R/etc/dkms/no-autoinstall"
mkmod off 1.0 AUTOINSTALL=yes
post off 1.0 "" "" ""
is 0 "$rc" "common.postinst with no-autoinstall: exit 0"
like "$out" "^autoinstall for dkms modules has been disabled\.\$" "common.postinst with no-autoinstall: says so"
is "" "$(ours status off/1.0 2>&1)" "common.postinst with no-autoinstall: nothing added"
rm "$R/etc/dkms/no-autoinstall"

# the scripts as installed
for f in "$D$libexec/batch-events" "$D$libexec/common.postinst" \
	"$D$hooks/postinst.d/dkms" "$D$hooks/header_postinst.d/dkms" \
	"$D$hooks/prerm.d/dkms"; do
	check "sh -n ${f#"$D"}" sh -n "$f"
done
cmp -s "$D$hooks/postinst.d/dkms" "$D$hooks/header_postinst.d/dkms"
is 0 "$?" "postinst.d and header_postinst.d run the same hook"
done_testing
