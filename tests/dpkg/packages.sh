#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Our .deb (dpkg-buildpackage from this tree) in place of Debian's dkms
# 3.0.10, with real apt and dpkg in a disposable overlay of the machine:
# the module 3.0.10 built kept and read, Debian's conffiles taken over;
# then driver packages made as dh_dkms makes them, fake kernels' headers
# and images run their hooks as Debian's kernel packages do: installs,
# an upgrade, removals, a kernel without headers, a build that fails,
# strict mode.  Each time: what the hooks and the trigger did, the tree,
# the modules, depmod once per kernel, and dpkg's status clean (dpkg
# --audit says nothing).
. "$top_srcdir/tests/dpkg/dpkg-lib.sh"
dp_need_handler
dp_release_only
[ "$(id -u)" = 0 ] || skip_all "real dpkg runs as root"
dpkg-query -W -f '${Status}' dkms 2>/dev/null | grep -q 'install ok installed' ||
	skip_all "Debian's dkms is not installed (scripts/install-deps.sh installs it)"
dp_ovl_init
scratch
dp_our_deb
plan 58

K1=6.1.0-921-fake K2=6.1.0-922-fake K4=6.1.0-924-fake KI=6.1.0-55-amd64

# inside CMD...: CMD in the overlay, its output in $out, status in $rc
inside() {
	dp_in "$@" >"$T/out" 2>&1
	rc=$?
	out=$(cat "$T/out")
	printf '$ %s\n%s\n[%s]\n' "$*" "$out" "$rc" >>"$T/log"
}
state() { dp_in dkms status -m "$1" -v "$2" -k "$3" 2>&1 | sed 's/.*: //'; }
audit() { dp_in dpkg --audit 2>&1; }
depmods() { dp_in grep -c -- "-a $1\( \|\$\)" /var/log/dkms-test-depmod.log; }
depmods_reset() { dp_in sh -c ': >/var/log/dkms-test-depmod.log'; }
has() { dp_in test "$@"; }

# ---- the machine as the scenario wants it: only fake kernels, depmod
# counted, an apt list that knows the headers of the kernel KI
inside sh -c '
	set -e
	dpkg --purge --force-depends linux-headers-amd64 $(dpkg-query -W \
		-f "\${Package}\n" "linux-headers-*-amd64" 2>/dev/null) >/dev/null
	rm -f /usr/sbin/depmod
	printf "#!/bin/bash\necho \"\$*\" >>/var/log/dkms-test-depmod.log\nexec -a depmod /bin/kmod \"\$@\"\n" \
		>/usr/sbin/depmod
	chmod 755 /usr/sbin/depmod
	printf "Package: linux-headers-%s\nVersion: 1\nArchitecture: amd64\nDescription: headers\n\n" '"$KI"' \
		>/var/lib/apt/lists/dkms-test_Packages'
[ "$rc" = 0 ] || bail_out "cannot prepare the overlay: $out"

for k in $K1 $K2; do dp_headers_pkg $k >/dev/null; done
DP_NOSCRIPTS=1 dp_headers_pkg $K4 >/dev/null
for k in $K1 $KI; do dp_image_pkg $k >/dev/null; done
deb() { echo "$T/debs/$1_$2_all.deb"; }
dp_driver_pkg old 1.0 AUTOINSTALL=yes >/dev/null
dp_driver_pkg foo 1.0 AUTOINSTALL=yes >/dev/null
dp_driver_pkg foo 1.1 AUTOINSTALL=yes >/dev/null
dp_driver_pkg noauto 1.0 >/dev/null
dp_driver_pkg bad 1.0 AUTOINSTALL=yes 'MAKE[0]="false"' >/dev/null
dp_driver_pkg worse 1.0 AUTOINSTALL=yes 'MAKE[0]="false"' >/dev/null
DP_NOSCRIPTS=1 dp_driver_pkg vendor 1.0 AUTOINSTALL=yes >/dev/null

# ---- with Debian's dkms 3.0.10: a kernel and a module it builds
inside dpkg -i "$(deb dkms-test-headers-$K1 1)" "$(deb dkms-test-image-$K1 1)" \
	"$(deb old-dkms 1.0)"
is 0 "$rc" "Debian's dkms: a kernel and a driver package installed" || diag "$out"
like "$(dp_in /usr/sbin/dkms --version 2>&1)" "3\.0\.10" "Debian's dkms 3.0.10 built it"
has -f /lib/modules/$K1/updates/dkms/old.ko
is 0 "$?" "Debian's dkms: the module installed for the kernel"

# ---- our package in its place, with apt
inside apt-get install -y -q --no-install-recommends -o APT::Sandbox::User=root \
	-o Dpkg::Use-Pty=0 "$DP_DEB"
is 0 "$rc" "apt installs our .deb in place of Debian's dkms" || diag "$(tail -n 20 "$T/out")"
like "$out" "Removing dkms " "apt removes Debian's dkms (Conflicts, Replaces)"
is "dkms=rc;dkms-c=ii;" "$(dp_in dpkg-query -W -f '${Package}=${db:Status-Abbrev};' dkms-c dkms | tr -d ' ')" \
	"ours installed, Debian's left with its configuration files"
unlike "$(dp_in /usr/sbin/dkms --version 2>&1)" "3\.0\.10" "the dkms on the PATH is ours"
unlike "$out" "error while loading shared libraries" "the trigger handler starts on the first install"
check "the trigger handler ran when ours was configured" \
	dp_in test -f /var/lib/dkms/.dpkg-trigger-seen
for f in /etc/dkms/framework.conf /etc/kernel/postinst.d/dkms \
	/etc/kernel/header_postinst.d/dkms /etc/kernel/prerm.d/dkms /etc/kernel/install.d/dkms; do
	is "dkms-c: $f" "$(dp_in dpkg -S "$f" 2>&1)" "Debian's conffile $f is ours now"
done
like "$(dp_in cat /etc/kernel/postinst.d/dkms)" "batch-events" "the kernel hook is ours"
is installed "$(state old 1.0 $K1)" "the module 3.0.10 built: kept, and read by ours"
inside dpkg --purge dkms
is 0 "$rc" "Debian's dkms purged" || diag "$out"
check "its conffiles, now ours, stay" dp_in test -f /etc/dkms/framework.conf -a -f /etc/kernel/postinst.d/dkms
is "" "$(audit)" "dpkg --audit: clean"

# ---- a driver package, as dh_dkms makes them
depmods_reset
inside dpkg -i "$(deb foo-dkms 1.0)"
is 0 "$rc" "a driver package: dpkg -i succeeds" || diag "$out"
like "$out" "^# common\.postinst foo 1\.0: as one batch" "its postinst hands the source over as a batch"
like "$out" "^source-added /usr/src/foo-1\.0\$" "the event, as dkms batch reads it"
like "$out" "^Processing triggers for dkms-c " "our trigger ran"
is installed "$(state foo 1.0 $K1)" "installed for the kernel with headers"
is 1 "$(depmods $K1)" "depmod once for the kernel"

# ---- a kernel's headers arriving: its hook builds every module for it
depmods_reset
inside dpkg -i "$(deb dkms-test-headers-$K2 1)"
is 0 "$rc" "new headers: dpkg -i succeeds" || diag "$out"
like "$out" "^kernel-added $K2\$" "new headers: the hook hands the kernel over"
is "installed installed" "$(state foo 1.0 $K2) $(state old 1.0 $K2)" \
	"new headers: both modules built for it, the one 3.0.10 built too"
has -f /lib/modules/$K2/updates/dkms/foo.ko -a -f /lib/modules/$K2/updates/dkms/old.ko
is 0 "$?" "new headers: the modules are in the kernel's tree"

# ---- packages that run no hook: the trigger finds them
inside dpkg -i "$(deb dkms-test-headers-$K4 1)" "$(deb vendor-dkms 1.0)"
is 0 "$rc" "a source and headers without scripts: dpkg -i succeeds" || diag "$out"
like "$out" "^# dkms-dpkg-trigger: what dpkg changed, as one batch" "the trigger hands over what it found"
like "$out" "^source-added /usr/src/vendor-1\.0\$" "the trigger: the source no script handed over"
is "installed installed installed" \
	"$(state vendor 1.0 $K1) $(state vendor 1.0 $K4) $(state foo 1.0 $K4)" \
	"the trigger: the source built everywhere, the kernel given every module"

# ---- a kernel image without its headers: the package to install named
inside dpkg -i "$(deb dkms-test-image-$KI 1)"
is 0 "$rc" "an image without headers: dpkg -i succeeds" || diag "$out"
like "$out" "^dkms: the headers of kernel $KI are not installed: install linux-headers-$KI\$" \
	"an image without headers: the headers' package named"

# ---- a build that fails: reported, recorded, dpkg's status clean
inside dpkg -i "$(deb bad-dkms 1.0)"
is 0 "$rc" "a build failing: dpkg -i succeeds" || diag "$out"
like "$out" "^dkms:   bad/1\.0 failed for kernel $K1: the build failed; see /var/lib/dkms/bad/1\.0/\.$K1-x86_64\.make\.log\$" \
	"a build failing: module, kernel and make.log said"
check "a build failing: its make.log kept" dp_in test -s /var/lib/dkms/bad/1.0/.$K1-x86_64.make.log
is "ii " "$(dp_in dpkg-query -W -f '${db:Status-Abbrev}' bad-dkms)" "a build failing: the package is installed"
is "" "$(audit)" "a build failing: dpkg --audit clean (nothing half-configured, no trigger pending)"

# ---- an upgrade, as dh_dkms's scripts run it
depmods_reset
inside dpkg -i "$(deb foo-dkms 1.1)"
is 0 "$rc" "an upgrade: dpkg -i succeeds" || diag "$out"
is "installed installed installed" \
	"$(state foo 1.1 $K1) $(state foo 1.1 $K2) $(state foo 1.1 $K4)" "an upgrade: the new version installed"
is "" "$(dp_in dkms status foo/1.0 2>&1)" "an upgrade: the old version gone"

# ---- removals: a module only added, a driver package, a kernel
inside dpkg -i "$(deb noauto-dkms 1.0)"
is "0 added" "$rc $(state noauto 1.0 $K1)" "a module without AUTOINSTALL: added only"
inside dpkg --purge noauto-dkms
is 0 "$rc" "a module only added: its prerm's dkms remove --all works" || diag "$out"
is "" "$(dp_in dkms status noauto 2>&1)" "a module only added: gone"
inside dpkg --purge foo-dkms
is 0 "$rc" "a driver package purged" || diag "$out"
check "a driver package purged: its modules gone" \
	dp_in sh -c "! ls /lib/modules/*/updates/dkms/foo.ko 2>/dev/null"
inside dpkg --purge dkms-test-headers-$K4
is 0 "$rc" "a kernel with headers only removed" || diag "$out"
like "$out" "^kernel-removing $K4\$" "the trigger: the kernel gone, its modules go"
check "a kernel with headers only removed: nothing left in its tree" \
	dp_in test ! -e /lib/modules/$K4/updates/dkms/vendor.ko
# image and headers together: the headers go first
inside apt-get purge -y -q -o Dpkg::Use-Pty=0 dkms-test-image-$K1 dkms-test-headers-$K1
is 0 "$rc" "a kernel removed, image and headers together" || diag "$out"
like "$out" "^kernel-removing $K1\$" "its prerm hook hands the kernel over"
is "" "$(dp_in sh -c "ls /lib/modules/$K1/updates/dkms 2>/dev/null")" "its modules gone"
is "" "$(audit)" "dpkg --audit: clean"

# ---- strict mode: a failure fails the package's configuration
dp_in sh -c 'echo strict_transactions=\"yes\" >>/etc/dkms/framework.conf'
inside dpkg -i "$(deb worse-dkms 1.0)"
check "strict_transactions=\"yes\": a failing build fails dpkg" test "$rc" -ne 0
like "$(audit)" "worse-dkms" "strict_transactions=\"yes\": the package is left to configure again"
dp_in sed -i '/^strict_transactions=/d' /etc/dkms/framework.conf
inside dpkg --configure -a
is "0 " "$rc $(audit)" "strict mode off: dpkg --configure -a completes"
done_testing
