#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dkms diagnose names the package that has a kernel's missing headers
# when the package databases under the root know it (dpkg's status and
# apt's list written by the real tools, as tests/pkgdb does), and says
# it in general words when they do not.  Text and JSON.
. "$top_srcdir/tests/diagnose/diag-lib.sh"
. "$top_srcdir/tests/pkgdb/lib.sh"
need_libsolv
need dpkg dpkg-deb dpkg-scanpackages
K=6.1.0-99-amd64 KX=6.1.0-98-amd64
dg_init
headless $K
headless $KX
tiny_module tiny 1.0
dk add tiny/1.0
R=$T/root

# mkdeb NAME: $T/debs/NAME.deb, one file in it
mkdeb() {
	local d=$T/build/$1
	mkdir -p "$d/DEBIAN" "$d/usr/share/doc/$1" "$T/debs"
	echo "$1" >"$d/usr/share/doc/$1/README"
	printf 'Package: %s\nVersion: 6.1.999-1\nArchitecture: amd64\nMaintainer: dkms-c tests <tests@example.org>\nDescription: %s for the tests\n' \
		"$1" "$1" >"$d/DEBIAN/control"
	dpkg-deb --root-owner-group -b "$d" "$T/debs/$1.deb" >/dev/null ||
		bail_out "dpkg-deb -b $1"
}
mkdeb linux-image-$K
mkdeb linux-headers-$K
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/apt/lists" "$T/pool"
dpkg --root="$R" --force-not-root -i "$T/debs/linux-image-$K.deb" >"$T/dpkg.log" 2>&1 ||
	bail_out "dpkg -i: $(cat "$T/dpkg.log")"
cp "$T/debs/linux-headers-$K.deb" "$T/pool/"
(cd "$T" && dpkg-scanpackages pool /dev/null 2>/dev/null) \
	>"$R/var/lib/apt/lists/deb.example.org_debian_dists_bookworm_main_binary-amd64_Packages"

dg tiny/1.0 -k $K
dk_is 0 "tiny/1.0, $K, $A: added
  verdict: not usable
  problem: the headers of kernel $K are missing: install linux-headers-$K
  headers: missing: <T>/lib/$K/build" "" "the headers package named from apt's list"
is "[false,\"linux-headers-$K\"]" "$(dgj '.entries[0].headers | [.present, .package]' tiny/1.0 -k $K)" \
	"json: the headers package"
# a kernel no database knows: general words, still exit 0
dg tiny/1.0 -k $KX
like "$out" "^  problem: the headers of kernel $KX are missing: install the headers package for kernel $KX\$" \
	"a kernel the databases do not know: general words"
is 0 "$rc" "a kernel the databases do not know: exit 0"
is 'null' "$(dgj '.entries[0].headers.package' tiny/1.0 -k $KX)" "json: no package known"
# every module without a build there gets the answer
tiny_module other 1.0
dk add other/1.0
dg -k $K
is 2 "$(printf '%s\n' "$out" | grep -c "install linux-headers-$K\$")" "each module of the kernel gets the answer"
done_testing
