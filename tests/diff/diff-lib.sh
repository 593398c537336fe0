# SPDX-License-Identifier: GPL-2.0-or-later
# Differential testing: the same dkms command line is run by the reference
# bash dkms 3.4.3 and by ours ($DKMS), each on its own scratch trees, and
# the exit codes, stdout, stderr and resulting trees are compared.
#
# Both programs run inside a disposable copy-on-write view of / (a private
# mount namespace with an overlay whose upper layer is thrown away), so what
# they write outside the scratch trees (/etc/dkms, /var/lib/dkms/mok.*) never
# reaches the machine, and both see the same "chroot" environment.
#
# A scenario file sources this, calls d_init, then describes its steps:
#   d_kernel KVER [real|fake|noheaders|none]
#   d_module NAME VERSION [FIXTURE]   copy a fixture into both source trees
#   d_step NAME RC ARGS...            run on both sides, one TAP line
#                                     (RC '*': whatever the reference exits)
#   d_tree NAME                       compare both trees, one TAP line
# The reference must exit RC (a check of the scenario itself); ours must
# match the reference in exit code, stdout and stderr.

: "${top_srcdir:?top_srcdir must be set}"
: "${DKMS:?DKMS must be set}"
DKMS_REFERENCE=${DKMS_REFERENCE:-/work/shared/reference/dkms-3.4.3/dkms}
D_FIXTURES="$top_srcdir/tests/diff/modules"
# Kernels whose real Debian headers the tests may use (read-only).
D_REAL_KERNELS=${D_REAL_KERNELS:-"6.1.0-56-amd64 6.1.0-54-amd64"}

# Same locale for both programs (glob order, messages), and no make of
# ours leaking its jobserver into the builds they run.
export LC_ALL=C
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS

d_n=0
d_failed=0

d_planned=
d_plan() { d_planned=$1; echo "1..$1"; }
# d_skip_all REASON: nothing can run.  Before the plan: a skipped script;
# after it: the steps not run yet are each reported skipped (a second
# plan would be an error, not a skip).
d_skip_all() {
	if [ -z "$d_planned" ]; then
		echo "1..0 # SKIP $*"
		exit 0
	fi
	while [ "$d_n" -lt "$d_planned" ]; do
		d_n=$((d_n + 1))
		echo "ok $d_n - # SKIP $*"
	done
	exit 0
}

# d_skip N REASON: N steps that cannot run here, reported skipped.
d_skip() {
	local i
	for ((i = 0; i < $1; i++)); do
		d_n=$((d_n + 1))
		echo "ok $d_n - # SKIP $2"
	done
}

d_ok() {
	d_n=$((d_n + 1))
	echo "ok $d_n - $*"
}

# d_todo GLOB REASON: a failing step whose name matches GLOB is a known
# gap of ours, reported as TAP "# TODO" (a pass stays a plain "ok", so a
# fixed gap never turns into an unexpected pass).
d_todo_globs=()
d_todo_reasons=()
d_todo() {
	d_todo_globs+=("$1")
	d_todo_reasons+=("$2")
}

d_todo_reason() {
	local i
	for i in "${!d_todo_globs[@]}"; do
		# shellcheck disable=SC2053
		[[ $1 == ${d_todo_globs[i]} ]] && { echo "${d_todo_reasons[i]}"; return 0; }
	done
	return 1
}

d_notok() {
	local reason
	d_n=$((d_n + 1))
	if reason=$(d_todo_reason "$*"); then
		echo "not ok $d_n - $* # TODO $reason"
		return
	fi
	d_failed=$((d_failed + 1))
	echo "not ok $d_n - $*"
}

# Prefix every line of stdin with "# " (TAP diagnostics).
d_diag() { sed 's/^/# /'; }

# D_KEEP=1 keeps the scratch trees (their place goes to stderr).
d_cleanup() {
	if [ -n "${D_KEEP:-}" ]; then
		echo "kept: $D_SCRATCH" >&2
		return 0
	fi
	[ -n "${D_SCRATCH:-}" ] && [ -d "$D_SCRATCH" ] && rm -rf "$D_SCRATCH"
	[ -n "${D_OVL:-}" ] && [ -d "$D_OVL" ] && rm -rf "$D_OVL"
	return 0
}

# Can we give each run a private overlay of / ?
d_can_overlay() {
	[ "$(id -u)" = 0 ] || return 1
	command -v unshare >/dev/null || return 1
	unshare -m --propagation private true 2>/dev/null
}

d_init() {
	[ -x "$DKMS_REFERENCE" ] || d_skip_all "reference dkms not found at $DKMS_REFERENCE"
	[ -x "$DKMS" ] || d_skip_all "our dkms not built ($DKMS)"
	d_can_overlay || d_skip_all "needs root and mount namespaces for the overlay runner"
	D_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/dkms-diff.XXXXXX")
	trap d_cleanup EXIT
	D_REF="$D_SCRATCH/ref"
	D_OUR="$D_SCRATCH/our"
	local side
	for side in "$D_REF" "$D_OUR"; do
		mkdir -p "$side/dkms" "$side/src" "$side/lib" "$side/etc"
	done
	# Overlay layers live apart from the scratch trees, which are bound in.
	D_OVL=$(mktemp -d "${TMPDIR:-/tmp}/dkms-diff-ovl.XXXXXX")
	# Files the next runs find in their /etc/dkms (d_etc).
	D_ETC_DIR=
}

# Run "$@" with / replaced by a throw-away overlay.  The scratch directory,
# the source and build trees and the reference stay shared (bind mounts).
d_overlay() {
	local w
	w=$(mktemp -d "$D_OVL/run.XXXXXX")
	mkdir -p "$w/upper" "$w/work" "$w/root"
	unshare -m --propagation private /bin/bash -c '
		set -e
		w=$1; etc=$2; binds=$3; shift 3
		mount -t overlay overlay \
			-o "lowerdir=/,upperdir=$w/upper,workdir=$w/work" "$w/root"
		for d in /proc /dev /sys; do
			mount --rbind "$d" "$w/root$d"
		done
		for d in $binds; do
			[ -d "$d" ] || continue
			mkdir -p "$w/root$d"
			mount --bind "$d" "$w/root$d"
		done
		# Nothing of the machine'"'"'s dkms configuration leaks in.
		rm -rf "$w/root/etc/dkms"
		mkdir -p "$w/root/etc/dkms"
		[ -z "$etc" ] || cp -a "$etc/." "$w/root/etc/dkms/"
		set +e
		exec chroot "$w/root" /usr/bin/env -C "$PWD" "$@"
	' d-overlay "$w" "${D_ETC_DIR:-}" \
		"$D_SCRATCH $top_srcdir ${top_builddir:-} $(dirname "$DKMS_REFERENCE") $(dirname "$DKMS")" \
		"$@"
	local rc=$?
	rm -rf "$w"
	return $rc
}

# d_etc FILE [CONTENT]: the next runs see /etc/dkms/FILE (both sides).
d_etc() {
	D_ETC_DIR="$D_SCRATCH/etc-dkms"
	mkdir -p "$D_ETC_DIR/$(dirname "$1")"
	printf '%s' "${2:-}" >"$D_ETC_DIR/$1"
}
d_etc_clear() { rm -rf "$D_SCRATCH/etc-dkms"; D_ETC_DIR=; }

# Options that point a dkms at one side's scratch trees.
d_tree_opts() {
	echo "--dkmstree $1/dkms --sourcetree $1/src --installtree $1/lib"
}

# d_kernel KVER [real|noheaders|none|dir]: make a kernel known to both sides.
#   real      <installtree>/KVER/build -> Debian headers (KVER must be one
#             of $D_REAL_KERNELS), or tests/fake-kernel when available
#   noheaders <installtree>/KVER exists, no build dir
#   none      nothing (the kernel is not installed)
#   fake      a fake build dir (tests/fake-kernel/mkfake.sh) in each
#             side's <installtree>/KVER/build; more arguments are its
#             CONFIG_X=y options
d_kernel() {
	local kver=$1 kind=${2:-real} side
	shift $(($# < 2 ? $# : 2))
	for side in "$D_REF" "$D_OUR"; do
		case $kind in
		real)
			mkdir -p "$side/lib/$kver"
			ln -sfn "$(d_headers "$kver")" "$side/lib/$kver/build"
			;;
		fake)
			mkdir -p "$side/lib/$kver/kernel"
			sh "$top_srcdir/tests/fake-kernel/mkfake.sh" \
				"$side/lib/$kver/build" "$kver" "$@" >/dev/null ||
				d_skip_all "mkfake.sh failed for $kver"
			;;
		noheaders)
			mkdir -p "$side/lib/$kver"
			;;
		none) ;;
		esac
	done
}

# Where the headers of a kernel are: the real ones for the two Debian
# kernels, otherwise the first real one (modules built for a made-up kernel
# version carry the real vermagic, which dkms never checks).
d_headers() {
	local k
	for k in $D_REAL_KERNELS; do
		if [ "$k" = "$1" ] && [ -d "/lib/modules/$k/build/include" ]; then
			echo "/lib/modules/$k/build"
			return
		fi
	done
	for k in $D_REAL_KERNELS; do
		[ -d "/lib/modules/$k/build/include" ] && { echo "/lib/modules/$k/build"; return; }
	done
	echo "/nonexistent-kernel-headers"
}

d_have_headers() {
	local k
	for k in $D_REAL_KERNELS; do
		[ -d "/lib/modules/$k/build/include" ] || return 1
	done
}

# d_module NAME VERSION [FIXTURE]: copy fixture tests/diff/modules/FIXTURE
# (default NAME) into both source trees as NAME-VERSION; @VERSION@ in its
# files becomes VERSION.
# A 4th argument is put for @VERSION@ instead (two versions, one source).
d_module() {
	local name=$1 ver=$2 fix=${3:-$1} subst=${4:-$2} side
	for side in "$D_REF" "$D_OUR"; do
		rm -rf "${side:?}/src/$name-$ver"
		d_fixture "$fix" "$subst" "$side/src/$name-$ver"
		sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=$ver/" "$side/src/$name-$ver/dkms.conf"
	done
}

# d_shared_module NAME-VERSION: tests/modules/NAME-VERSION (the shared
# fixtures, README there) into both source trees.
d_shared_module() {
	local side
	for side in "$D_REF" "$D_OUR"; do
		rm -rf "${side:?}/src/$1"
		cp -a "$top_srcdir/tests/modules/$1" "$side/src/$1"
	done
}

# d_fixture FIXTURE VERSION DEST: one instantiated copy of a fixture.
d_fixture() {
	mkdir -p "$3"
	cp -a "$D_FIXTURES/$1/." "$3/"
	find "$3" -type f -exec sed -i "s/@VERSION@/$2/g" {} +
}

# Replace what differs only because the sides live in different places.
d_normalize() {
	sed -e "s|$D_REF|@ROOT@|g" -e "s|$D_OUR|@ROOT@|g" \
	    -e "s|$DKMS_REFERENCE|@DKMS@|g" -e "s|$DKMS|@DKMS@|g" \
	    -e "s|$D_SCRATCH|@SCRATCH@|g" \
	    -e 's|\.tmp_\([a-z0-9_]*\)_[A-Za-z0-9]\{6\}|.tmp_\1_XXXXXX|g' \
	    -e 's|dkms\.[A-Za-z0-9]\{6\}|dkms.XXXXXX|g' \
	    -e 's|\.\.\.\.*|...|g' \
	    -e 's|^# elapsed time: .*|# elapsed time: @TIME@|' \
	    -e '/^@DKMS@: line [0-9]*: /d' \
	    -e '/^--[0-9]*-- /d'
	# The last ones drop bash's own runtime diagnostics (e.g. 3.4.3's
	# ldtarball re-declaring a readonly local) and valgrind's notes
	# (--pid--; its errors, ==pid==, stay): not dkms messages.
}

# Run one side: d_run SIDE-ROOT PROGRAM ARGS...; output in $D_SCRATCH/out.*
d_run() {
	local root=$1 prog=$2 tag a
	local -a args=()
	shift 2
	tag=$(basename "$root")
	# @ROOT@ in an argument stands for the side's root.
	for a in "$@"; do
		args+=("${a//@ROOT@/$root}")
	done
	# $DKMS_WRAPPER (e.g. "valgrind -q --error-exitcode=99") goes in front
	# of ours: what it reports lands in stderr and fails the step.
	local -a wrap=()
	if [ "$prog" = "$DKMS" ] && [ -n "${DKMS_WRAPPER:-}" ]; then
		read -r -a wrap <<<"$DKMS_WRAPPER"
	fi
	# $D_CWD (@ROOT@ for the side's root): the directory both run in,
	# for relative paths on the command line.
	local cwd=${D_CWD:-$PWD}
	# shellcheck disable=SC2046
	(cd "${cwd//@ROOT@/$root}" &&
	 d_overlay "${wrap[@]}" "$prog" "${args[@]}" $(d_tree_opts "$root")) \
		>"$D_SCRATCH/out.$tag.1" 2>"$D_SCRATCH/out.$tag.2" </dev/null
	echo $? >"$D_SCRATCH/out.$tag.rc"
	d_normalize <"$D_SCRATCH/out.$tag.1" >"$D_SCRATCH/out.$tag.n1"
	d_normalize <"$D_SCRATCH/out.$tag.2" >"$D_SCRATCH/out.$tag.n2"
}

# d_step NAME EXPECTED-RC ARGS...
d_step() {
	local name=$1 want=$2 rref rour why=
	shift 2
	d_run "$D_REF" "$DKMS_REFERENCE" "$@"
	d_run "$D_OUR" "$DKMS" "$@"
	rref=$(cat "$D_SCRATCH/out.ref.rc")
	rour=$(cat "$D_SCRATCH/out.our.rc")
	[ "$want" = "*" ] || [ "$rref" = "$want" ] ||
		why="$why reference exited $rref, scenario expects $want;"
	[ "$rour" = "$rref" ] || why="$why exit code: ours $rour, reference $rref;"
	cmp -s "$D_SCRATCH/out.ref.n1" "$D_SCRATCH/out.our.n1" || why="$why stdout differs;"
	cmp -s "$D_SCRATCH/out.ref.n2" "$D_SCRATCH/out.our.n2" || why="$why stderr differs;"
	if [ -n "${D_VERBOSE:-}" ]; then
		{ echo "\$ dkms $*"; cat "$D_SCRATCH/out.ref.n1"
		  sed 's/^/2> /' "$D_SCRATCH/out.ref.n2"; } | d_diag
	fi
	if [ -z "$why" ]; then
		d_ok "$name (exit $rref)"
		return 0
	fi
	d_notok "$name"
	{
		echo "command: dkms $*"
		echo "why:$why"
		echo "--- stdout (reference vs ours)"
		diff -u "$D_SCRATCH/out.ref.n1" "$D_SCRATCH/out.our.n1" | tail -n +3
		echo "--- stderr (reference vs ours)"
		diff -u "$D_SCRATCH/out.ref.n2" "$D_SCRATCH/out.our.n2" | tail -n +3
	} | head -n 80 | d_diag
	return 1
}

# Build products differ between any two builds: compare them by presence.
d_is_product() {
	case ${1##*/} in
	*.ko|*.ko.gz|*.ko.xz|*.ko.zst|make.log|Module.symvers|*.o|*.mod|*.mod.c|\
	.*.cmd|modules.order|*.tar.gz|*.tar.xz|*.tar.bz2|*.tar) return 0 ;;
	esac
	return 1
}

# One line per entry below a side's root: kind, relative path, and the
# symlink target or a content digest (build products: presence only).
# Our build report (dkms-build-report beside make.log) has no counterpart
# in 3.4.3's tree: tests/diff/make-log.sh checks it.
d_list() {
	local root=$1 p rel
	(cd "$root" && find . -mindepth 1 ! -name dkms-build-report | LC_ALL=C sort) |
	while IFS= read -r p; do
		rel=${p#./}
		if [ -L "$root/$rel" ]; then
			echo "l $rel -> $(readlink "$root/$rel" | d_normalize)"
		elif [ -d "$root/$rel" ]; then
			echo "d $rel"
		elif d_is_product "$rel"; then
			echo "f $rel (build product)"
		else
			echo "f $rel $(d_normalize <"$root/$rel" | md5sum | cut -c1-12)"
		fi
	done
}

# d_tree NAME: the two sides' trees are the same.
d_tree() {
	d_list "$D_REF" >"$D_SCRATCH/tree.ref"
	d_list "$D_OUR" >"$D_SCRATCH/tree.our"
	if cmp -s "$D_SCRATCH/tree.ref" "$D_SCRATCH/tree.our"; then
		d_ok "tree: $1"
		return 0
	fi
	d_notok "tree: $1"
	diff -u "$D_SCRATCH/tree.ref" "$D_SCRATCH/tree.our" | tail -n +3 |
		head -n 60 | d_diag
	return 1
}

# d_same NAME 'shell command using $R': its normalized output is the same
# on both sides (e.g. the member list of a tarball).
d_same() {
	local R
	R=$D_REF; eval "$2" 2>&1 | d_normalize >"$D_SCRATCH/same.ref"
	R=$D_OUR; eval "$2" 2>&1 | d_normalize >"$D_SCRATCH/same.our"
	if cmp -s "$D_SCRATCH/same.ref" "$D_SCRATCH/same.our"; then
		d_ok "$1"
		return 0
	fi
	d_notok "$1"
	diff -u "$D_SCRATCH/same.ref" "$D_SCRATCH/same.our" | tail -n +3 |
		head -n 60 | d_diag
	return 1
}

# Do the same thing to both sides: d_both 'shell command using $R'.
d_both() {
	local R
	# shellcheck disable=SC2034 # R is for the evaluated command
	for R in "$D_REF" "$D_OUR"; do
		eval "$1"
	done
}

# Build a module .ko outside dkms (an "original" module shipped with the
# kernel): d_build_ko FIXTURE VERSION KVER, then d_place_ko REL-PATH puts a
# copy in both install trees.
d_build_ko() {
	local fix=$1 ver=$2 kver=$3 tmp
	tmp=$(mktemp -d "$D_SCRATCH/ko.XXXXXX")
	d_fixture "$fix" "$ver" "$tmp"
	if ! make -s -C "$(d_headers "$kver")" M="$tmp" modules >"$tmp/.log" 2>&1; then
		d_diag <"$tmp/.log"
		return 1
	fi
	D_KO="$tmp/$fix.ko"
}

d_place_ko() {
	local side
	for side in "$D_REF" "$D_OUR"; do
		mkdir -p "$side/lib/$(dirname "$1")"
		cp "$D_KO" "$side/lib/$1"
	done
}

d_done() {
	[ "$d_failed" = 0 ]
}
