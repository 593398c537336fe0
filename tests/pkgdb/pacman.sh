#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pacman: the package of a kernel's headers is the kernel's pkgbase +
# "-headers" (the pkgbase from usr/lib/modules/KVER/pkgbase, else the
# name of the local package that owns the kernel's vmlinuz), as the sync
# or local databases (written here by repo-add and pacman --root) know
# it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pkgdb/lib.sh"

need_libsolv
need pacman repo-add bsdtar zstd
plan 14
scratch
R=$T/root
sync=$R/var/lib/pacman/sync
mkdir -p "$R" "$T/pkgs" "$T/cache"
cat >"$T/pacman.conf" <<CONF
[options]
Architecture = x86_64
SigLevel = Never
LocalFileSigLevel = Never
CONF

# mkpkg NAME KVER FILE [PKGBASE]: $T/pkgs/NAME.pkg.tar.zst installing
# usr/lib/modules/KVER/FILE (and its pkgbase file when PKGBASE is given),
# as makepkg assembles one: .PKGINFO and the files
mkpkg() {
	local name=$1 kver=$2 file=$3 base=${4:-} d=$T/build/$1
	mkdir -p "$d/usr/lib/modules/$kver"
	echo "$name" >"$d/usr/lib/modules/$kver/$file"
	[ -z "$base" ] || echo "$base" >"$d/usr/lib/modules/$kver/pkgbase"
	cat >"$d/.PKGINFO" <<INFO
pkgname = $name
pkgbase = ${base:-$name}
pkgver = 6.6.7.arch1-1
pkgdesc = $name for the tests
builddate = 1700000000
packager = dkms-c tests <tests@example.org>
size = 64
arch = x86_64
license = GPL2
INFO
	(cd "$d" && bsdtar --zstd -cf "$T/pkgs/$name.pkg.tar.zst" .PKGINFO usr) ||
		bail_out "bsdtar $name"
}

# pacman_u NAME: installed into the scratch root by pacman
pacman_u() {
	mkdir -p "$R/var/lib/pacman"
	pacman --config "$T/pacman.conf" --root "$R" --dbpath "$R/var/lib/pacman" \
		--cachedir "$T/cache" --noconfirm -U "$T/pkgs/$1.pkg.tar.zst" \
		>"$T/pacman.log" 2>&1 || bail_out "pacman -U $1: $(cat "$T/pacman.log")"
}

# sync_db NAME.db.tar.EXT PKG...: the sync database NAME.db as pacman
# downloads it, made by repo-add
sync_db() {
	local db=$1
	shift
	rm -rf "$T/repo" "$sync"
	mkdir -p "$T/repo" "$sync"
	(cd "$T/pkgs" && repo-add -q "$T/repo/$db" "${@/%/.pkg.tar.zst}") \
		>"$T/repo-add.log" 2>&1 || bail_out "repo-add: $(cat "$T/repo-add.log")"
	cp -L "$T/repo/${db%%.db.*}.db" "$sync/"
}

K=6.6.7-arch1-1 KL=6.1.66-1-lts KF=6.6.7-foo1-1
mkpkg linux $K vmlinuz linux
mkpkg linux-headers $K build-marker linux
mkpkg linux-lts $KL vmlinuz
mkpkg linux-lts-headers $KL build-marker linux-lts
mkpkg linux-foo-bin $KF vmlinuz linux-foo
mkpkg linux-foo-headers $KF build-marker linux-foo

is ENOENT "$(headers_pkg "$R" $K)" "no pacman database: unknown"

pacman_u linux
check "pacman installed the kernel" test -d "$R/var/lib/pacman/local/linux-6.6.7.arch1-1"
is ENOENT "$(headers_pkg "$R" $K)" "the kernel installed, no sync database: unknown"

sync_db core.db.tar.gz linux-headers linux-lts-headers linux-foo-headers
is linux-headers "$(headers_pkg "$R" $K)" "the sync database names linux-headers"
is "" "$(cat "$T/hp.err")" "nothing said on stderr"

# no pkgbase file: the owner of vmlinuz, from the local database
pacman_u linux-lts
is linux-lts-headers "$(headers_pkg "$R" $KL)" \
	"without a pkgbase file, the package owning vmlinuz gives it"
# the pkgbase file over the package's own name
pacman_u linux-foo-bin
is linux-foo-headers "$(headers_pkg "$R" $KF)" \
	"the pkgbase file names the base of a package named otherwise"
is ENOENT "$(headers_pkg "$R" 6.6.8-arch1-1)" "a kernel no package installed: unknown"

sync_db extra.db.tar.zst linux-headers
like "$(file -L "$sync/extra.db")" 'Zstandard' "repo-add wrote a zstd sync database"
is linux-headers "$(headers_pkg "$R" $K)" "a zstd-compressed sync database is read"
is ENOENT "$(headers_pkg "$R" $KL)" "headers no database knows: unknown"

# dpkg's database comes first; one that knows nothing of the kernel
# leaves the answer to the next
mkdir -p "$R/var/lib/dpkg"
: >"$R/var/lib/dpkg/status"
is linux-headers "$(headers_pkg "$R" $K)" "an empty dpkg database beside it changes nothing"

out=$(no_libsolv "$R" $K)
is EOPNOTSUPP "$out" "libsolv cannot be loaded: unknown (EOPNOTSUPP)"
is "" "$(cat "$T/hp.err")" "nothing said on stderr"

done_testing
