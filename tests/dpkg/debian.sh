#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian's own acpi-call-dkms and v4l2loopback-dkms (apt-get download),
# installed with apt through our .deb in a disposable overlay of the
# machine: built side by side for two real kernels' headers (Debian 12's
# linux-headers-6.1.0-56-amd64 and -54), each module with its kernel's
# vermagic; then a new kernel's headers arrive with apt
# (linux-headers-6.1.0-57-amd64; DPKG_NEW_KERNEL=K for another) and both
# follow it; then both are purged, nothing of them left.  Real kbuild
# runs: the release build only.
. "$top_srcdir/tests/dpkg/dpkg-lib.sh"
dp_need_handler
dp_release_only
[ "$(id -u)" = 0 ] || skip_all "real dpkg runs as root"
K1=6.1.0-56-amd64 K2=6.1.0-54-amd64 KN=${DPKG_NEW_KERNEL:-6.1.0-57-amd64}
for k in $K1 $K2; do
	dpkg-query -W -f '${Status}' linux-headers-$k 2>/dev/null | grep -q 'install ok installed' ||
		skip_all "linux-headers-$k is not installed (scripts/install-deps.sh)"
done
dp_ovl_init
scratch

# the packages, downloaded once per build dir
cache=$top_builddir/tests/debian-sources
sh "$top_srcdir/scripts/fetch-debian-sources.sh" "$cache" acpi-call-dkms \
	v4l2loopback-dkms >/dev/null 2>"$T/fetch.err" ||
	skip_all "apt-get download failed: $(head -n 1 "$T/fetch.err")"
mkdir -p "$cache/headers"
if ! ls "$cache/headers/linux-headers-${KN}_"*.deb >/dev/null 2>&1; then
	(cd "$cache/headers" && apt-get -q -o APT::Sandbox::User=root download \
		"linux-headers-$KN" >/dev/null 2>&1) ||
		cp /var/cache/apt/archives/linux-headers-${KN}_*.deb "$cache/headers/" 2>/dev/null ||
		skip_all "cannot download linux-headers-$KN (apt-get update first?)"
fi
dp_our_deb
plan 18

inside() {
	dp_in "$@" >"$T/out" 2>&1
	rc=$?
	out=$(cat "$T/out")
}
apt_in() {
	inside apt-get install -y -q --no-install-recommends \
		-o APT::Sandbox::User=root -o Dpkg::Use-Pty=0 "$@"
}
state() { dp_in dkms status -m "$1" -v "$2" -k "$3" 2>&1 | sed 's/.*: //'; }
# vermagic M K: the kernel the installed module M was built for
vermagic() {
	dp_in sh -c "modinfo -F vermagic /lib/modules/$2/updates/dkms/$1.ko* 2>&1 | cut -d' ' -f1"
}

# ---- the machine with only K1's and K2's headers, our dkms in place
inside sh -c '
	set -e
	for p in $(dpkg-query -W -f "\${Package}\n" "linux-headers-*-amd64" 2>/dev/null); do
		case $p in linux-headers-'"$K1"'|linux-headers-'"$K2"') ;;
		*) dpkg --purge --force-depends "$p" >/dev/null ;; esac
	done
	dpkg --purge --force-depends linux-headers-amd64 >/dev/null'
[ "$rc" = 0 ] || bail_out "cannot prepare the overlay: $out"
apt_in "$DP_DEB"
is 0 "$rc" "our .deb installed" || diag "$(tail -n 20 "$T/out")"

# ---- Debian's packages, with apt
apt_in "$cache"/debs/acpi-call-dkms_*.deb "$cache"/debs/v4l2loopback-dkms_*.deb
is 0 "$rc" "acpi-call-dkms and v4l2loopback-dkms installed with apt" ||
	diag "$(tail -n 30 "$T/out")"
like "$out" "^source-added /usr/src/acpi-call-" "acpi-call-dkms's postinst hands its source over"
like "$out" "^source-added /usr/src/v4l2loopback-" "v4l2loopback-dkms's postinst hands its source over"
acpi=$(dp_in dkms status acpi-call 2>/dev/null | sed -n '1s|^acpi-call/\([^,]*\),.*|\1|p')
v4l=$(dp_in dkms status v4l2loopback 2>/dev/null | sed -n '1s|^v4l2loopback/\([^,]*\),.*|\1|p')
for k in $K1 $K2; do
	is "installed installed" "$(state acpi-call "$acpi" $k) $(state v4l2loopback "$v4l" $k)" \
		"both installed for $k"
	is "$k $k" "$(vermagic acpi_call $k) $(vermagic v4l2loopback $k)" \
		"both built for $k (vermagic)"
done
is "" "$(dp_in dpkg --audit 2>&1)" "dpkg --audit: clean"

# ---- a new kernel's headers, with apt: both follow
apt_in "$cache"/headers/linux-headers-${KN}_*.deb
is 0 "$rc" "linux-headers-$KN installed with apt" || diag "$(tail -n 30 "$T/out")"
like "$out" "^kernel-added $KN\$" "its header_postinst.d hook hands the kernel over"
is "installed installed" "$(state acpi-call "$acpi" $KN) $(state v4l2loopback "$v4l" $KN)" \
	"both installed for $KN"
is "$KN $KN" "$(vermagic acpi_call $KN) $(vermagic v4l2loopback $KN)" "both built for $KN (vermagic)"
is "" "$(dp_in dpkg --audit 2>&1)" "dpkg --audit: clean"

# ---- purged: nothing of them left
inside apt-get purge -y -q -o Dpkg::Use-Pty=0 acpi-call-dkms v4l2loopback-dkms
is 0 "$rc" "both purged with apt" || diag "$(tail -n 30 "$T/out")"
is "" "$(dp_in dkms status 2>&1)" "dkms status: empty"
is "" "$(dp_in sh -c 'ls /lib/modules/*/updates/dkms/*.ko* 2>/dev/null')" "no module left in a kernel's tree"
is "" "$(dp_in dpkg --audit 2>&1)" "dpkg --audit: clean"
done_testing
