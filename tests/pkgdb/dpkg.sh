#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dpkg and apt: the package of a kernel's headers is linux-headers-KVER,
# or a package that provides it, as dpkg's status (written here by dpkg
# --root) or apt's package lists (made by dpkg-scanpackages, as the
# archive's are) know it.  A headers package neither installed nor in a
# list is unknown: without lists apt installs nothing anyway.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pkgdb/lib.sh"

need_libsolv
need dpkg dpkg-deb dpkg-scanpackages gzip xz
plan 17
scratch
K=6.1.0-99-amd64
R=$T/root
lists=$R/var/lib/apt/lists
list=deb.example.org_debian_dists_bookworm_main_binary-amd64_Packages
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$T/debs"

# mkdeb NAME [FIELD: VALUE]...: $T/debs/NAME.deb, holding one file
mkdeb() {
	local name=$1 d=$T/build/$1
	shift
	mkdir -p "$d/DEBIAN" "$d/usr/share/doc/$name"
	echo "$name" >"$d/usr/share/doc/$name/README"
	{
		echo "Package: $name"
		echo "Version: 6.1.999-1"
		echo "Architecture: amd64"
		echo "Maintainer: dkms-c tests <tests@example.org>"
		[ $# -eq 0 ] || printf '%s\n' "$@"
		echo "Description: $name for the tests"
	} >"$d/DEBIAN/control"
	dpkg-deb --root-owner-group -b "$d" "$T/debs/$name.deb" >/dev/null ||
		bail_out "dpkg-deb -b $name"
}

# dpkg_i NAME: installed into the scratch root by dpkg
dpkg_i() {
	dpkg --root="$R" --force-not-root -i "$T/debs/$1.deb" >"$T/dpkg.log" 2>&1 ||
		bail_out "dpkg -i $1: $(cat "$T/dpkg.log")"
}

# apt_list FILE NAME...: apt's list FILE of the packages NAME..., as
# the archive's Packages file is made from them
apt_list() {
	local f=$1 n
	shift
	rm -rf "$T/pool" "$lists"
	mkdir -p "$T/pool" "$lists"
	for n; do
		cp "$T/debs/$n.deb" "$T/pool/"
	done
	(cd "$T" && dpkg-scanpackages pool /dev/null 2>/dev/null) >"$lists/$f"
	grep -q '^Package: ' "$lists/$f" || bail_out "dpkg-scanpackages: no list"
}

mkdeb linux-image-$K
mkdeb linux-headers-$K
mkdeb linux-headers-6.1.0-98-amd64
mkdeb linux-headers-6.1.0-97-amd64 "Provides: linux-headers-6.1.0-99-rt-amd64"
mkdeb custom-headers-6.2 "Provides: linux-headers-6.2.0-1-custom"

is ENOENT "$(headers_pkg "$R" $K)" "no dpkg database: unknown"

touch "$R/var/lib/dpkg/status"
dpkg_i linux-image-$K
like "$(cat "$R/var/lib/dpkg/status")" "^Package: linux-image-$K" "dpkg installed the kernel"
is ENOENT "$(headers_pkg "$R" $K)" "the kernel installed, no package list: unknown"

apt_list "$list" linux-headers-6.1.0-98-amd64 linux-headers-$K custom-headers-6.2
is "linux-headers-$K" "$(headers_pkg "$R" $K)" "apt's list names linux-headers-$K"
is "" "$(cat "$T/hp.err")" "nothing said on stderr"
is ENOENT "$(headers_pkg "$R" 6.1.0-96-amd64)" "a kernel whose headers no list has: unknown"
is custom-headers-6.2 "$(headers_pkg "$R" 6.2.0-1-custom)" \
	"a package that provides linux-headers-KVER, named otherwise, is named"

# apt keeps its lists compressed when told to (Acquire::GzipIndexes)
gzip "$lists/$list"
is "linux-headers-$K" "$(headers_pkg "$R" $K)" "a list kept gzip-compressed is read"
gzip -d "$lists/$list.gz"
xz "$lists/$list"
is "linux-headers-$K" "$(headers_pkg "$R" $K)" "a list kept xz-compressed is read"
if command -v lz4 >/dev/null; then
	xz -d "$lists/$list.xz"
	lz4 -q --rm "$lists/$list" "$lists/$list.lz4"
	is ENOENT "$(headers_pkg "$R" $K)" "a list kept lz4-compressed cannot be read: unknown"
	like "$(cat "$T/hp.log")" "$list\.lz4: compressed in a way libsolv cannot read" \
		"the log says which list was left out"
else
	skip "lz4 is not installed" 2
fi

# the headers installed (their build link since lost), no list
rm -rf "$lists"
dpkg_i linux-headers-$K
is "linux-headers-$K" "$(headers_pkg "$R" $K)" "dpkg's status names the installed linux-headers-$K"
# the package named so first, a provider of the name second
dpkg_i linux-headers-6.1.0-97-amd64
is linux-headers-6.1.0-97-amd64 "$(headers_pkg "$R" 6.1.0-99-rt-amd64)" \
	"an installed provider of linux-headers-KVER is named"

out=$(no_libsolv "$R" $K)
is EOPNOTSUPP "$out" "libsolv cannot be loaded: unknown (EOPNOTSUPP)"
like "$(cat "$T/hp.log")" 'cannot load libsolv\.so\.1' "the log says why"
is "" "$(cat "$T/hp.err")" "nothing said on stderr"

# This machine's own status and lists (copied, lz4 ones unpacked as apt
# keeps them by default): the real archive's size, a real answer.
host=$(dpkg-query -W -f '${Status} ${Package}\n' 'linux-headers-*-amd64' 2>/dev/null |
	sed -n 's/^install ok installed linux-headers-//p' | sort -V | tail -1)
if [ -z "$host" ] || ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
	skip "no linux-headers-*-amd64 installed or no apt lists here" 1
else
	R=$T/host
	mkdir -p "$R/var/lib/dpkg" "$R/var/lib/apt/lists"
	cp /var/lib/dpkg/status "$R/var/lib/dpkg/"
	for f in /var/lib/apt/lists/*_Packages*; do
		case $f in
		*.lz4) command -v lz4 >/dev/null &&
			lz4 -dcq "$f" >"$R/var/lib/apt/lists/$(basename "${f%.lz4}")" ;;
		*) cp "$f" "$R/var/lib/apt/lists/" ;;
		esac
	done
	start=$(date +%s.%N)
	is "linux-headers-$host" "$(headers_pkg "$R" "$host")" \
		"this machine's databases name linux-headers-$host"
	diag "$(du -sh "$R/var/lib/apt/lists" | cut -f1) of lists read in" \
		"$(echo "$(date +%s.%N) - $start" | bc) s"
fi

done_testing
