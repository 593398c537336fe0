#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fetch-debian-sources.sh DIR [PACKAGE...]
# Download real Debian *-dkms packages (default: acpi-call-dkms
# v4l2loopback-dkms) with apt-get download and unpack them under DIR
# (dpkg-deb -x; nothing is installed).  The .deb files are cached in
# DIR/debs, so a second run needs no network.  Prints the unpacked
# DIR/usr/src/NAME-VERSION directories, one a line.
set -eu

if [ $# -lt 1 ]; then
	echo "usage: $0 DIR [PACKAGE...]" >&2
	exit 2
fi
dir=$1
shift
[ $# -gt 0 ] || set -- acpi-call-dkms v4l2loopback-dkms

mkdir -p "$dir/debs"
dir=$(cd "$dir" && pwd)

for pkg; do
	if ! ls "$dir/debs/${pkg}_"*.deb >/dev/null 2>&1; then
		(cd "$dir/debs" &&
			apt-get -q -o APT::Sandbox::User=root download "$pkg" >/dev/null) || {
			echo "$0: cannot download $pkg (apt-get update first?)" >&2
			exit 1
		}
	fi
	for deb in "$dir/debs/${pkg}_"*.deb; do
		dpkg-deb -x "$deb" "$dir"
	done
done

# The source dirs these packages ship (they hold a dkms.conf).
for conf in "$dir"/usr/src/*/dkms.conf; do
	[ -f "$conf" ] && dirname "$conf"
done
