#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real Debian 12 *-dkms packages (apt-get download, unpacked with dpkg-deb
# -x, never installed) through the whole cycle, with dkms 3.4.3 and ours
# on a real kernel's headers: add by path, remove, add -m/-v as the
# packages' postinst does, build, install, status, uninstall, remove.
# Every step's exit code, stdout and stderr, the trees, the make.log
# (its date and our "DKMS: " notes aside, lines sorted: make -jN
# interleaves them) and the built .ko files (build-id, srcversion and
# debug info aside; the two sides' roots are as long as each other) are
# compared.  A package whose dkms.conf names /usr/src and /var/lib/dkms
# itself also runs in the real layout (real_layout below).
#
# By default the packages whose source trees need something special:
# iptables-netflow-dkms ships README.gz -> ../../share/doc/..., a
# symlink out of its tree (dh_installdocs makes them).
#   DEBIAN_PACKAGES="all"            every *-dkms package apt-cache knows
#   DEBIAN_PACKAGES="pkg-dkms ..."   these
#   DEBIAN_TABLE=FILE                the per-package result table, also
#                                    printed as TAP diagnostics
# The whole archive (30 packages) takes about 20 minutes
# on 2 CPUs: it runs by hand, not in make check (from the build dir):
#   top_srcdir=$PWD/.. top_builddir=$PWD DKMS=$PWD/core/cli/dkms \
#     DEBIAN_PACKAGES=all bash ../tests/diff/debian-packages.sh
# A package's build needs what the package depends on (libxtables-dev
# for iptables-netflow-dkms: scripts/install-deps.sh); without it both
# fail alike, which still compares.
# Real kbuild runs are heavy: skipped in sanitizer builds (release only).
. "$top_srcdir/tests/diff/diff-lib.sh"

K=${DEBIAN_KERNEL:-6.1.0-56-amd64}
PACKAGES=${DEBIAN_PACKAGES:-iptables-netflow-dkms}

if grep -qs '^SANITIZER_CFLAGS = .*-fsanitize' "${top_builddir:-.}/Makefile"; then
	d_skip_all "real packages run in the release build only (sanitizers here)"
fi
[ -d "/lib/modules/$K/build/include" ] || d_skip_all "no headers for $K"
d_init

if [ "$PACKAGES" = all ]; then
	PACKAGES=$(apt-cache search --names-only -- '-dkms$' 2>/dev/null |
		cut -d' ' -f1 | grep -v '^dh-dkms$' | sort)
	[ -n "$PACKAGES" ] || d_skip_all "apt-cache knows no *-dkms package (apt-get update first?)"
fi
# One download per build dir, shared with tests/cycle/real-debian.sh.
cache=${top_builddir:-$D_SCRATCH}/tests/debian-sources
# shellcheck disable=SC2086
if ! sh "$top_srcdir/scripts/fetch-debian-sources.sh" "$cache" $PACKAGES \
	>/dev/null 2>"$D_SCRATCH/fetch.err"; then
	d_skip_all "apt-get download failed: $(head -n 1 "$D_SCRATCH/fetch.err")"
fi

# The source dir a package ships (usr/src/NAME-VERSION with a dkms.conf).
pkg_srcdir() {
	local deb
	for deb in "$cache/debs/${1}_"*.deb; do
		dpkg-deb -c "$deb" | sed -n 's|.* \./\(usr/src/[^/]*\)/dkms\.conf$|\1|p' |
			head -n 1
	done
}

# The module name as dkms.conf spells it (the dir is NAME-VERSION).
conf_name() {
	sed -n 's/^[[:space:]]*PACKAGE_NAME=["'\'']\{0,1\}\([^"'\'' ]*\).*/\1/p' "$1" |
		head -n 1
}

# make.log of every build on side $1: date line and our notes dropped,
# paths evened out, lines sorted.
d_makelogs() {
	local f
	(cd "$1/dkms" && find . -name make.log | LC_ALL=C sort) | while read -r f; do
		echo "== $f"
		sed -e 2d -e '/^DKMS: /d' "$1/dkms/$f" | d_normalize | LC_ALL=C sort
	done
}

# The built and installed modules on side $1: each one's digest once its
# build-id is gone and the side's root reads as the other side's (the same
# length, so no offset moves).
d_modules() {
	local f tmp dbg
	tmp=$(mktemp "$D_SCRATCH/ko.XXXXXX")
	(cd "$1" && find dkms lib -name '*.ko*' -type f | LC_ALL=C sort) | while read -r f; do
		case $f in
		*.ko) cp "$1/$f" "$tmp" ;;
		*.ko.xz) xz -dc "$1/$f" >"$tmp" ;;
		*.ko.gz) gzip -dc "$1/$f" >"$tmp" ;;
		*.ko.zst) zstd -qdc "$1/$f" >"$tmp" ;;
		esac
		# debug info (dkms strips it unless STRIP[]="no") orders its
		# strings by the paths in them: said, not compared
		dbg=
		readelf -S -W "$tmp" 2>/dev/null | grep -q '\.debug_info' && dbg=" (debug info)"
		objcopy --strip-debug -R .note.gnu.build-id "$tmp" 2>/dev/null
		# srcversion sums the sources, which some packages' generated
		# headers write the scratch root into
		echo "$f$dbg $(perl -0777 -pe "s|\Q$D_REF\E|$D_OUR|g;
			s/(srcversion=)([0-9A-F]+)/\$1 . 'X' x length(\$2)/ge" "$tmp" |
			md5sum | cut -c1-12)"
	done
	rm -f "$tmp"
}

# r KEY STEP...: one d_step; its verdict and the reference's exit code
# (or both codes) go in the table's column KEY.
declare -A col
r() {
	local key=$1
	shift
	if d_step "$@"; then
		col[$key]="ok $(cat "$D_SCRATCH/out.ref.rc")"
	else
		col[$key]="DIFF $(cat "$D_SCRATCH/out.ref.rc")/$(cat "$D_SCRATCH/out.our.rc")"
	fi
}
# same KEY NAME COMMAND: one d_same, its verdict in column KEY.
same() {
	if d_same "$2" "$3"; then col[$1]=same; else col[$1]=DIFF; fi
}

# Packages whose dkms.conf names /usr/src and /var/lib/dkms itself
# (west-chamber-dkms builds in /usr/src/<m>-<v>, after xtables-addons-dkms,
# and moves its modules to /var/lib/dkms/...) cannot build in the scratch
# trees, with either dkms.  They also run in the real layout: each side's
# whole cycle in one throw-away overlay of /, after the packages it needs,
# its output (and the modules it built) compared.
declare -A real_layout=([west-chamber-dkms]="xtables-addons-dkms")
# In the scratch trees its /usr/src/<m>-<v> does not exist: 3.4.3, as root,
# makes it (empty) and its make "succeeds" building nothing; the sandbox
# keeps /usr/src read-only.  Not a gap: the real layout compares it.
for s in build install make.log; do
	d_todo "west-chamber-dkms: $s" "its dkms.conf names /usr/src/<m>-<v>, not the scratch tree; see the real layout step"
done

# in_place DKMS PKG...: add, build, install, status of each package's
# tree put in /usr/src, with the default trees, in one overlay; then the
# modules built for the last one.
in_place() {
	local prog=$1 pkg rel base name
	shift
	local -a dirs=() names=()
	for pkg; do
		rel=$(pkg_srcdir "$pkg")
		base=${rel##*/}
		name=$(conf_name "$cache/$rel/dkms.conf")
		dirs+=("$cache/$rel")
		names+=("$name/${base#"$name"-}")
	done
	d_overlay /bin/bash -c '
		prog=$1 k=$2 n=$3
		shift 3
		for ((i = 0; i < n; i++)); do cp -a "$1" /usr/src/; shift; done
		for m; do
			echo "== $m"
			"$prog" add "$m" 2>&1; echo "add: $?"
			"$prog" install "$m" -k "$k" 2>&1; echo "install: $?"
			"$prog" status "$m" 2>&1
		done
		echo "== modules"
		ls "/var/lib/dkms/${m%/*}/${m#*/}/$k/x86_64/module" 2>&1
	' in-place "$prog" "$K" "${#dirs[@]}" "${dirs[@]}" "${names[@]}" |
		d_normalize
}

d_kernel "$K" real
table="package|add PATH|add|build|install|status|uninstall|remove|make.log|.ko|trees|real layout"
for pkg in $PACKAGES; do
	rel=$(pkg_srcdir "$pkg")
	if [ -z "$rel" ] || [ ! -f "$cache/$rel/dkms.conf" ]; then
		d_notok "$pkg: no source dir with a dkms.conf in the package"
		table="$table"$'\n'"$pkg|no source dir"
		continue
	fi
	base=${rel##*/}
	name=$(conf_name "$cache/$rel/dkms.conf")
	ver=${base#"$name"-}
	col=()
	mkdir -p "$D_SCRATCH/pkgs"
	rm -rf "${D_SCRATCH:?}/pkgs/$base"
	cp -a "$cache/$rel" "$D_SCRATCH/pkgs/$base"
	d_both 'rm -rf "$R/src/$base"'
	# what links out of the tree find on a real system (their docs)
	if [ -d "$cache/usr/share/doc/$pkg" ]; then
		for R in "$D_SCRATCH" "$D_REF" "$D_OUR"; do
			mkdir -p "$R/share/doc"
			rm -rf "${R:?}/share/doc/$pkg"
			cp -a "$cache/usr/share/doc/$pkg" "$R/share/doc/"
		done
	fi

	r addp "$pkg: add PATH" 0 add "$D_SCRATCH/pkgs/$base"
	r rm0 "$pkg: remove after add PATH" 0 remove "$name/$ver" --all
	# as the postinst does: the tree dpkg put in place, added by name
	d_both 'rm -rf "$R/src/$base"; cp -a "$cache/$rel" "$R/src/$base"'
	r add "$pkg: add" 0 add "$name/$ver"
	r build "$pkg: build" '*' build "$name/$ver" -k "$K"
	r install "$pkg: install" '*' install "$name/$ver" -k "$K"
	r status "$pkg: status" '*' status "$name/$ver"
	same log "$pkg: make.log" 'd_makelogs $R'
	same ko "$pkg: modules" 'd_modules $R'
	[ "${col[ko]}" = DIFF ] || col[ko]="same ($(d_modules "$D_OUR" | grep -c '^lib/') installed)"
	d_tree "$pkg: installed" && col[tree]=same || col[tree]=DIFF
	r uninstall "$pkg: uninstall" '*' uninstall "$name/$ver" -k "$K"
	r remove "$pkg: remove" '*' remove "$name/$ver" --all
	d_tree "$pkg: removed" || col[tree]=DIFF
	col[real]=-
	if [ -n "${real_layout[$pkg]+set}" ]; then
		# shellcheck disable=SC2086
		same real "$pkg: in the real layout, after ${real_layout[$pkg]:-nothing}" \
			'if [ "$R" = "$D_REF" ]; then in_place "$DKMS_REFERENCE" ${real_layout[$pkg]} $pkg
			 else in_place "$DKMS" ${real_layout[$pkg]} $pkg; fi'
	fi
	[ "${col[rm0]}" = "${col[rm0]#DIFF}" ] || col[addp]="${col[addp]}, remove DIFF"
	table="$table"$'\n'"$pkg ($name/$ver)|${col[addp]}|${col[add]}|${col[build]}|${col[install]}|${col[status]}|${col[uninstall]}|${col[remove]}|${col[log]}|${col[ko]}|${col[tree]}|${col[real]}"
	d_both 'rm -rf "$R/src/$base"'
done

printf '%s\n' "$table" | column -t -s '|' | d_diag
[ -z "${DEBIAN_TABLE:-}" ] || printf '%s\n' "$table" >"$DEBIAN_TABLE"
echo "1..$d_n"
d_done
