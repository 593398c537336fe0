#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dkms-dpkg-trigger on a scratch root that real dpkg (--root) installs
# packages into, run as our postinst runs it when triggered: what dpkg's
# packages hold compared with the dkms tree and with what they held last
# time, the difference handed to dkms as one batch.  Sources arriving,
# going, upgraded without the old version's prerm; kernels' headers
# arriving and going; what the packages' scripts did already and what the
# admin removed left alone; failures reported and not retried; strict
# mode; framework.conf's dkms_tree; a dry run; a database it cannot read.
# The packages have no maintainer scripts (dpkg --root would run them
# chrooted in a root with no shell) and relative build links, so that
# the fake kernels build from outside the root.
. "$top_srcdir/tests/dpkg/dpkg-lib.sh"
dp_need_handler
[ "$(id -u)" = 0 ] || skip_all "dpkg --root and the builds run as root"
command -v dpkg-deb >/dev/null || skip_all "dpkg-deb is not installed"
plan 51
scratch
H=$top_builddir/dpkg-trigger/dkms-dpkg-trigger
R=$T/root
K1=6.1.0-911-fake K2=6.1.0-912-fake
export DP_NOSCRIPTS=1 DP_RELATIVE=1

mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" \
	"$R/var/lib/dpkg/triggers" "$R/etc/dkms" "$R/var/lib/dkms" "$T/bin"
: >"$R/var/lib/dpkg/status"
echo 'try_sign_modules="false"' >"$R/etc/dkms/framework.conf"
printf 'ID=debian\nVERSION_ID="12"\n' >"$R/etc/os-release"
cat >"$T/bin/depmod" <<EOF
#!/bin/sh
echo "\$*" >>"$T/depmod.log"
[ "\$1" = -b ] && echo "fake.ko:" >"\$2/lib/modules/\$4/modules.dep"
exit 0
EOF
chmod +x "$T/bin/depmod"

dpi() {
	dpkg --root="$R" --force-depends "$@" >"$T/dpkg.log" 2>&1 ||
		bail_out "dpkg $*: $(tail -n 3 "$T/dpkg.log")"
}
# a kernel's headers, and the modules.dep depmod left (not a package's)
headers() {
	dpi -i "$(dp_headers_pkg "$1")"
	: >"$R/lib/modules/$1/modules.dep"
}
# trig [ARGS]: the handler as the postinst runs it; sets rc, out, err
trig() {
	: >"$T/depmod.log"
	PATH="$T/bin:$PATH" "$H" --root "$R" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}
ours() { "$DKMS" --root "$R" "$@"; }
state() { ours status -m "$1" -v "$2" -k "$3" 2>&1 | sed 's/.*: //'; }
depmods() { grep -c -- " $1\$" "$T/depmod.log"; }
events() { grep -v '^#' "$T/out" | grep -E '^(source|kernel)-(added|removing) ' | tr '\n' ';'; }
header="# dkms-dpkg-trigger: what dpkg changed, as one batch (to replay: dkms batch, with these lines)"
seen=$R/var/lib/dkms/.dpkg-trigger-seen

# ---- a kernel's headers and a driver source arrive together
headers $K1
dpi -i "$(dp_driver_pkg foo 1.0 AUTOINSTALL=yes)"
trig
is 0 "$rc" "first run: exit 0" || diag "$err"
like "$out" "^$(printf '%s' "$header" | sed 's/[().]/\\&/g')\$" "first run: says what it hands over, replayable"
is "source-added /usr/src/foo-1.0;" "$(events)" "first run: the new source (the tree held no module to build for the kernel)"
is installed "$(state foo 1.0 $K1)" "first run: foo built and installed for the kernel with headers"
is 1 "$(depmods $K1)" "first run: depmod once"
is "source foo-1.0,headers $K1," "$(grep -v '^#' "$seen" | tr '\n' ',')" \
	"first run: what dpkg's packages held is kept for next time"
trig
is "0||" "$rc|$out|$err" "nothing changed: nothing said, nothing done"

# ---- another kernel's headers
headers $K2
trig
is "kernel-added $K2;" "$(events)" "new headers: kernel-added"
is installed "$(state foo 1.0 $K2)" "new headers: foo installed for that kernel"
is "0 1" "$(depmods $K1) $(depmods $K2)" "new headers: depmod once, for that kernel only"

# ---- what the packages' own scripts did is not done again
dpi -i "$(dp_driver_pkg bar 1.0 AUTOINSTALL=yes)"
ours add bar/1.0 >/dev/null 2>&1
ours install bar/1.0 -k $K1 -k $K2 >/dev/null 2>&1
trig
is "0|" "$rc|$(events)" "a source its postinst added and built: nothing to do"
is 0 "$(cat "$T/depmod.log" | wc -l)" "a source its postinst added and built: no depmod"

# ---- a source that fails to build: reported, recorded, not retried
dpi -i "$(dp_driver_pkg baz 1.0 AUTOINSTALL=yes)"
echo 'int x = ;' >>"$R/usr/src/baz-1.0/baz.c"
trig
is 0 "$rc" "a build failing: exit 0"
for k in $K1 $K2; do
	like "$err" "^dkms:   baz/1\.0 failed for kernel $k: the build failed; see $R/var/lib/dkms/baz/1\.0/\.$k-x86_64\.make\.log\$" \
		"a build failing on $k: module, kernel and make.log said"
done
trig
is "0|" "$rc|$(events)" "a build failing: not tried again at the next run"
echo 'strict_transactions="yes"' >>"$R/etc/dkms/framework.conf"
dpi -i "$(dp_driver_pkg qux 1.0 AUTOINSTALL=yes)"
echo 'int x = ;' >>"$R/usr/src/qux-1.0/qux.c"
trig
is 1 "$rc" "strict_transactions=\"yes\": a failure fails the trigger"
sed -i '/^strict_transactions=/d' "$R/etc/dkms/framework.conf"

# ---- an upgrade: the old version's prerm removed it (dh_dkms's does)
ours remove foo/1.0 --all >/dev/null 2>&1
dpi -i "$(dp_driver_pkg foo 1.1 AUTOINSTALL=yes)"
trig
is 0 "$rc" "an upgrade: exit 0" || diag "$err"
is "source-added /usr/src/foo-1.1;" "$(events)" "an upgrade: the new version handed over"
is "installed installed" "$(state foo 1.1 $K1) $(state foo 1.1 $K2)" "an upgrade: the new version installed"

# ---- what the admin removed stays removed
ours remove bar/1.0 --all >/dev/null 2>&1
dpi -i "$(dp_driver_pkg other 1.0)"
trig
is "source-added /usr/src/other-1.0;" "$(events)" "a source the admin removed is not added again"
is added "$(state other 1.0 $K1)" "a source without AUTOINSTALL: added only"

# ---- headers going: the kernel stays while its image is there
dpi -i "$(dp_image_pkg $K1)"
dpi -r dkms-test-headers-$K1
trig
is "0|" "$rc|$(events)" "headers removed, image still there: nothing goes"
is installed "$(state foo 1.1 $K1)" "headers removed, image still there: the module stays installed"
# a kernel with headers only (a chroot): its headers going, it goes
dpi -r dkms-test-headers-$K2
trig
is "kernel-removing $K2;" "$(events)" "the last of a kernel gone: kernel-removing"
check "the last of a kernel gone: its modules gone" test ! -e "$R/lib/modules/$K2/updates/dkms/foo.ko"
is "" "$(ls -d "$R"/var/lib/dkms/*/*/$K2 2>/dev/null)" "the last of a kernel gone: nothing for it left in the tree"

# ---- only configured packages count
dpi --unpack "$(dp_driver_pkg late 1.0 AUTOINSTALL=yes)"
trig
is "0|" "$rc|$(events)" "a package unpacked, not configured: left to its postinst"
dpi --configure late-dkms
trig
is "source-added /usr/src/late-1.0;" "$(events)" "configured: its source handed over"

# ---- a dry run: the events and the plan, nothing done
headers $K2
dpi -i "$(dp_driver_pkg dry 1.0 AUTOINSTALL=yes)"
cp "$seen" "$T/seen.before"
trig --dry-run
is 0 "$rc" "dry run: exit 0"
is "source-added /usr/src/dry-1.0;kernel-added $K2;" "$(events)" "dry run: the events"
like "$out" "dry/1\.0" "dry run: the plan names the source"
is "" "$(ours status dry/1.0 2>&1)" "dry run: nothing added"
cmp -s "$seen" "$T/seen.before"
is 0 "$?" "dry run: what was seen is left as it was"
trig
is "source-added /usr/src/dry-1.0;kernel-added $K2;" "$(events)" "after the dry run: the same events, run"
is "added installed" "$(state dry 1.0 $K1) $(state dry 1.0 $K2)" \
	"after the dry run: done (for the kernel with headers)"
is installed "$(state late 1.0 $K2)" "the kernel arriving again: its modules built again"

# ---- framework.conf's dkms_tree is where it looks
echo 'dkms_tree="/srv/dkms"' >>"$R/etc/dkms/framework.conf"
mkdir -p "$R/srv/dkms"
trig
like "$(events)" "source-added /usr/src/late-1\.0;" "another dkms_tree: the sources registered elsewhere are new there"
check "another dkms_tree: the batch works there" test -L "$R/srv/dkms/late/1.0/source"
check "another dkms_tree: what was seen kept there" test -f "$R/srv/dkms/.dpkg-trigger-seen"
sed -i '/^dkms_tree=/d' "$R/etc/dkms/framework.conf"

# ---- a database it cannot read: said, dpkg not failed
cp "$R/var/lib/dpkg/status" "$T/status"
printf 'Package: broken\nthis is not a field\n' >"$R/var/lib/dpkg/status"
trig
is 0 "$rc" "an unreadable dpkg database: exit 0"
like "$err" "^dkms-dpkg-trigger: cannot read the dpkg database" "an unreadable dpkg database: said"
is "" "$(events)" "an unreadable dpkg database: nothing done"
cp "$T/status" "$R/var/lib/dpkg/status"

# ---- a package removed without a prerm that removes its source: by
# now its dkms.conf is gone, dkms cannot remove it (3.4.3's "broken"):
# said once, nothing attempted
dpi -r foo-dkms
trig
is "0|" "$rc|$(events)" "a source package gone without its prerm: no event"
like "$err" "^dkms-dpkg-trigger: $R/usr/src/foo-1\.1 went with its package, which did not remove foo/1\.1 from dkms: " \
	"a source package gone without its prerm: said"
trig
is "0||" "$rc|$out|$err" "a source package gone without its prerm: said once"

# ---- the command line
"$H" --bogus >/dev/null 2>"$T/err"
is 2 "$?" "an unknown option: exit 2"
like "$(cat "$T/err")" "^Usage: dkms-dpkg-trigger " "an unknown option: the usage"
"$H" --help >"$T/out"
is 0 "$?" "--help: exit 0"
like "$(cat "$T/out")" "^Usage: dkms-dpkg-trigger \[--root DIR\]" "--help: the usage"
trig
is "0|" "$rc|$(events)" "in line again: nothing to do"
done_testing
