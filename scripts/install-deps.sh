#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install-deps.sh: the Debian 12 packages needed to build dkms-c and run
# all its tests (root; idempotent; quiet; non-interactive).  `dkms` is
# Debian's own dkms 3.0.10, the older generation the cross-generation
# tests read trees from.  libxtables-dev is what iptables-netflow-dkms
# needs to build (tests/diff/debian-packages.sh).  rpm, createrepo-c,
# pacman, makepkg (repo-add) and bsdtar make the package databases the
# headers-package lookup is tested on (tests/pkgdb/); with dnf, the rpm
# plugin runs under both (tests/rpm/).  libalpm-dev's libalpm.pc is how
# configure finds pacman (pacman-hook/).  debhelper builds our .deb
# (debian/), dh-dkms has the maintainer scripts dh_dkms writes, which the
# tests' driver packages carry (tests/dpkg/).
set -eu

packages="
	build-essential autoconf automake libtool pkg-config git
	libkmod-dev kmod check jq patch xz-utils zstd gzip bc file binutils
	libelf-dev openssl util-linux python3 locales zsh systemd
	zlib1g-dev liblzma-dev libzstd-dev man-db groff-base
	valgrind clang libclang-rt-14-dev hyperfine time strace
	librpm-dev rpm dnf
	libdpkg-dev dpkg-dev debhelper dh-dkms
	libsolv-dev libsolvext-dev
	createrepo-c pacman-package-manager makepkg libarchive-tools lz4
	libalpm-dev
	dkms
	linux-headers-amd64 linux-headers-6.1.0-56-amd64 linux-headers-6.1.0-54-amd64
	libxtables-dev
"

if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: run as root" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts="-q -y -o Dpkg::Use-Pty=0 -o APT::Color=0"

# Skip the network when everything is already there.
missing=
for p in $packages; do
	s=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
	[ "$s" = "install ok installed" ] || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps.sh: all packages present"
	exit 0
fi

echo "install-deps.sh: installing$missing"
# shellcheck disable=SC2086
apt-get $apt_opts update >/dev/null
# shellcheck disable=SC2086
apt-get $apt_opts install --no-install-recommends $missing >/dev/null
echo "install-deps.sh: done"
