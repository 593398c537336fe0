# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for the shell tests (bash).  Source it, then:
#
#   . "$top_srcdir/tests/lib.sh"
#   plan 3                       # or nothing, and done_testing at the end
#   scratch                      # $T: a scratch dir, removed on exit
#   mk_trees "$T"; fake_kernel "$T" 6.1.0-1-fake
#   copy_module hello-0.1        # into $T/src/hello-0.1
#   dkms_ours add -m hello -v 0.1
#   is 0 "$?" "add succeeds"
#   done_testing
#
# TAP: plan N, ok NAME, not_ok NAME, check NAME CMD..., is EXP ACT NAME,
# like ACT REGEX NAME, unlike ACT REGEX NAME, diag TEXT, skip REASON [N], skip_all REASON,
# bail_out REASON, done_testing.  Trees: scratch, mk_trees, fake_kernel,
# fake_signing_kernel, fake_kernel_module, have_real_kernel, real_kernel,
# copy_module, tiny_module, hello_built, install_step.  The build
# sandbox: need_sandbox, sandbox_scratch, listen_loopback.  Running dkms:
# dkms_ours, dkms_nosb, dkms_ours_sandboxed, dkms_ref (the reference
# 3.4.3 in a throw-away overlay of /etc and /var/lib), side_by_side,
# have_ref, can_sandbox, ref_sandbox, ref_write.  Comparing:
# normalize_output, tree_listing.

if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fi
: "${top_builddir:=$top_srcdir}"
: "${DKMS:=$top_builddir/core/cli/dkms}"
: "${DKMS_REF:=$top_srcdir/../shared/reference/dkms-3.4.3/dkms}"
export top_srcdir top_builddir DKMS DKMS_REF
export LC_ALL=C
# As under dkms: no make of ours around the makes a test runs.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS

# ------------------------------------------------------------------ TAP

tap_n=0
tap_failed=0
tap_skipped=0
tap_planned=

plan() {
	tap_planned=$1
	echo "1..$1"
}

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

# diag TEXT...: TAP comment lines (each line of TEXT prefixed by "# ").
diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# check NAME CMD...: one test, passing when CMD exits 0; its output is
# shown as diagnostics when it fails.
check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "$name"
	else
		not_ok "$name"
		diag "command failed (exit $rc): $*"
		[ -n "$out" ] && diag "$out"
	fi
	return "$rc"
}

# is EXPECTED ACTUAL NAME
is() {
	if [ "$1" == "$2" ]; then
		ok "$3"
		return 0
	fi
	not_ok "$3"
	if [[ $1 == *$'\n'* || $2 == *$'\n'* ]]; then
		diag "$(diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$2") |
			sed '1s/.*/--- expected/;2s/.*/+++ actual/')"
	else
		diag "expected: '$1'"
		diag "  actual: '$2'"
	fi
	return 1
}

# like ACTUAL REGEX NAME: ACTUAL has a line matching the extended REGEX.
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok "$3"
		return 0
	fi
	not_ok "$3"
	diag "no line matches /$2/ in:"
	diag "$1"
	return 1
}

# unlike ACTUAL REGEX NAME: no line of ACTUAL matches the extended REGEX.
unlike() {
	if ! printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok "$3"
		return 0
	fi
	not_ok "$3"
	diag "a line matches /$2/ in:"
	diag "$1"
	return 1
}

# skip REASON [N]: N (default 1) skipped tests.
skip() {
	local i
	for ((i = 0; i < ${2:-1}; i++)); do
		tap_n=$((tap_n + 1))
		tap_skipped=$((tap_skipped + 1))
		echo "ok $tap_n - # SKIP $1"
	done
}

# skip_all REASON: nothing more can run.  Before the plan: the whole
# script is skipped; after it, the planned tests not run yet are each
# reported skipped (a second plan would be an error, not a skip).
skip_all() {
	if [ -n "$tap_planned" ]; then
		[ "$tap_n" -lt "$tap_planned" ] && skip "$*" $((tap_planned - tap_n))
		done_testing
	fi
	echo "1..0 # SKIP $*"
	exit 0
}

bail_out() {
	echo "Bail out! $*"
	exit 1
}

# done_testing: the plan (when none was given) and a summary.  The exit
# status is 0: failures are in the TAP stream, and a non-zero status would
# be counted a second time by the driver.
done_testing() {
	[ -z "$tap_planned" ] && echo "1..$tap_n"
	if [ -n "$tap_planned" ] && [ "$tap_planned" != "$tap_n" ]; then
		diag "planned $tap_planned tests but ran $tap_n"
	fi
	diag "$((tap_n - tap_failed - tap_skipped)) passed, $tap_failed failed, $tap_skipped skipped"
	exit 0
}

# -------------------------------------------------------------- scratch

tap_scratch_dirs=()

tap_cleanup() {
	local d
	for d in "${tap_scratch_dirs[@]}"; do
		if [ -n "${KEEP_SCRATCH:-}" ]; then
			echo "# kept scratch dir $d"
		else
			rm -rf "$d"
		fi
	done
}
trap tap_cleanup EXIT

# scratch: make a scratch dir under ${TMPDIR:-/tmp}, set $T to it; it is
# removed on exit (kept with KEEP_SCRATCH=1).  Each call gives a new one.
scratch() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/dkms-test.XXXXXX") ||
		bail_out "cannot create a scratch dir"
	tap_scratch_dirs+=("$T")
}

# mk_trees T: the three trees dkms is pointed at: T/dkms (--dkmstree),
# T/src (--sourcetree), T/lib (--installtree).
mk_trees() {
	mkdir -p "$1/dkms" "$1/src" "$1/lib"
}

# fake_kernel T KVER [CONFIG_X=y ...]: T/lib/KVER/build is a fake kernel
# build dir (tests/fake-kernel/mkfake.sh), T/lib/KVER/kernel an empty
# module tree (see fake_kernel_module).
fake_kernel() {
	local t=$1 kver=$2
	shift 2
	mkdir -p "$t/lib/$kver/kernel"
	sh "$top_srcdir/tests/fake-kernel/mkfake.sh" "$t/lib/$kver/build" \
		"$kver" "$@" || bail_out "mkfake.sh failed for $kver"
}

# fake_signing_kernel T KVER: fake_kernel T KVER signing its modules
# (sha256) with Debian's sign-file, whose path is set in $sf.  Skips the
# whole script without openssl or that sign-file.
fake_signing_kernel() {
	command -v openssl >/dev/null || skip_all "openssl is not installed"
	sf=$(ls /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null | head -n1)
	[ -x "$sf" ] || skip_all "no Debian sign-file"
	fake_kernel "$1" "$2" CONFIG_MODULE_SIG=y CONFIG_MODULE_SIG_HASH='"sha256"'
}

# fake_kernel_module T KVER NAME [VERSION] [SUBDIR]: a module the
# "distribution" shipped, T/lib/KVER/kernel/SUBDIR/NAME.ko (SUBDIR
# defaults to drivers/misc), built with the fake kernel; MODULE_VERSION
# is VERSION unless it is empty.  Prints the .ko path (fails, with a
# message on stderr, when the fake kernel cannot build it).
fake_kernel_module() {
	local t=$1 kver=$2 name=$3 version=${4-} subdir=${5:-drivers/misc}
	local src
	src=$(mktemp -d "$t/.kmod.XXXXXX") || return 1
	{
		echo '#include <linux/module.h>'
		echo 'static int __init ship_init(void) { return 0; }'
		echo 'module_init(ship_init);'
		echo 'MODULE_LICENSE("GPL");'
		echo 'MODULE_DESCRIPTION("shipped with the kernel");'
		[ -n "$version" ] && echo "MODULE_VERSION(\"$version\");"
	} > "$src/$name.c"
	echo "obj-m := $name.o" > "$src/Kbuild"
	if ! make -s -C "$t/lib/$kver/build" M="$src" >/dev/null; then
		# Usually called in $(...): a bail_out would only end the subshell.
		echo "fake_kernel_module: cannot build $name.ko for $kver" >&2
		return 1
	fi
	mkdir -p "$t/lib/$kver/kernel/$subdir"
	cp "$src/$name.ko" "$t/lib/$kver/kernel/$subdir/$name.ko"
	rm -rf "$src"
	echo "$t/lib/$kver/kernel/$subdir/$name.ko"
}

# have_real_kernel KVER: Debian's headers for KVER are installed.
have_real_kernel() {
	[ -e "/lib/modules/$1/build/Makefile" ] && [ -d "/lib/modules/$1/build/include" ]
}

# real_kernel T KVER...: T/lib/KVER/build -> /lib/modules/KVER/build
# (read only) for each KVER.  Skips the whole script when the headers of
# one are absent (before linking any); test with have_real_kernel first
# to do something else.
real_kernel() {
	local t=$1 k
	shift
	for k; do
		have_real_kernel "$k" || skip_all "kernel headers for $k are not installed"
	done
	for k; do
		mkdir -p "$t/lib/$k"
		ln -sfn "/lib/modules/$k/build" "$t/lib/$k/build"
	done
}

# copy_module NAME-VERSION [T]: tests/modules/NAME-VERSION into T/src.
copy_module() {
	local t=${2:-$T}
	mkdir -p "$t/src"
	cp -a "$top_srcdir/tests/modules/$1" "$t/src/$1" ||
		bail_out "no fixture module $1"
}

# tiny_module NAME VERSION [CONF_LINE...]: $T/src/NAME-VERSION, a module
# that builds with any kernel (NAME.c and a Makefile) and installs to
# /updates; the CONF_LINEs (e.g. AUTOINSTALL=yes) end its dkms.conf.
tiny_module() {
	local name=$1 version=$2 d=$T/src/$1-$2
	shift 2
	mkdir -p "$d"
	printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' >"$d/$name.c"
	echo "obj-m := $name.o" >"$d/Makefile"
	printf 'PACKAGE_NAME="%s"\nPACKAGE_VERSION="%s"\nBUILT_MODULE_NAME[0]="%s"\nDEST_MODULE_LOCATION[0]="/updates"\n' \
		"$name" "$version" "$name" >"$d/dkms.conf"
	[ $# -eq 0 ] || printf '%s\n' "$@" >>"$d/dkms.conf"
}

# hello_built KVER: a scratch $T (the trees, fake kernel KVER) in which
# hello/0.1 is added and built by dkms_nosb; bails out when it cannot be.
hello_built() {
	scratch
	mk_trees "$T"
	fake_kernel "$T" "$1"
	copy_module hello-0.1
	dkms_nosb add hello/0.1 >/dev/null 2>&1 &&
		dkms_nosb build hello/0.1 -k "$1" >/dev/null 2>&1 ||
		bail_out "cannot build hello"
}

# install_step KVER STEP: the number of the step named STEP (fault.c) in
# a clean `install hello/0.1 -k KVER`, from its DKMS_FAULT_LOG, which is
# left in $T/fault.log; the install is undone and the dkms tree put back.
install_step() {
	rm -f "$T/fault.log"
	cp -a "$T/dkms" "$T/dkms.save"
	DKMS_FAULT_LOG=$T/fault.log dkms_nosb install hello/0.1 -k "$1" >/dev/null 2>&1
	dkms_nosb uninstall hello/0.1 -k "$1" >/dev/null 2>&1
	rm -rf "$T/dkms" && mv "$T/dkms.save" "$T/dkms"
	grep -m1 " $2\$" "$T/fault.log" | cut -d' ' -f1
}

# ------------------------------------------------------ the build sandbox

# need_sandbox: skips the whole script where dkms's build sandbox cannot
# work (it drops from root into mount, network and pid namespaces).
need_sandbox() {
	[ "$(id -u)" = 0 ] || skip_all "needs root (the sandbox drops from root)"
	unshare -mnp --fork true 2>/dev/null || skip_all "namespaces are refused here"
}

# sandbox_scratch KVER: need_sandbox, then a scratch $T with the trees,
# fake kernel KVER and an empty $T/root/etc/dkms (for --root "$T/root").
sandbox_scratch() {
	need_sandbox
	scratch
	mk_trees "$T"
	fake_kernel "$T" "$1"
	mkdir -p "$T/root/etc/dkms"
}

# listen_loopback: a listener on a random port of 127.0.0.1, $PORT, for
# 60 s; $T/connected is made when something connects.  Its pid is
# $LISTENER: kill and wait for it when done.
listen_loopback() {
	PORT=$((20000 + RANDOM % 20000))
	/usr/bin/python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5); s.settimeout(60)
try:
    c, _ = s.accept(); open(sys.argv[2], "w").write("connected\n")
except Exception: pass
' "$PORT" "$T/connected" &
	# shellcheck disable=SC2034 # for the caller
	LISTENER=$!
	sleep 0.3
}

# ----------------------------------------------------------------- dkms

# dkms_ours ARGS...: our dkms on the trees of $T.  $DKMS_WRAPPER, when
# set, is put in front (e.g. DKMS_WRAPPER="valgrind -q --error-exitcode=99").
dkms_ours() {
	# shellcheck disable=SC2086
	${DKMS_WRAPPER:-} "$DKMS" "$@" --dkmstree "$T/dkms" --sourcetree "$T/src" \
		--installtree "$T/lib"
}

# dkms_ours_sandboxed ARGS...: the same inside ref_sandbox, for runs that
# may write outside the trees (a signing key in /var/lib/dkms), or to see
# what the reference sees.
dkms_ours_sandboxed() {
	# shellcheck disable=SC2086
	ref_sandbox ${DKMS_WRAPPER:-} "$DKMS" "$@" --dkmstree "$T/dkms" \
		--sourcetree "$T/src" --installtree "$T/lib"
}

# dkms_nosb ARGS...: dkms_ours with --no-sandbox when $DKMS takes it
# (ours does; the bash dkms refuses it), for tests the build sandbox is
# not about (quicker off).  Probed on the first call (make that one
# outside a subshell).
dkms_nosb() {
	if [ -z "${tap_nosb_probed:-}" ]; then
		tap_nosb=()
		"$DKMS" --no-sandbox --version >/dev/null 2>&1 && tap_nosb=(--no-sandbox)
		tap_nosb_probed=1
	fi
	dkms_ours "$@" "${tap_nosb[@]}"
}

# can_sandbox: whether ref_sandbox can work here (root, mount namespaces,
# overlayfs); the reason is printed when it cannot.
can_sandbox() {
	if [ "$(id -u)" != 0 ]; then
		echo "not root: no mount namespace for the reference dkms"
		return 1
	fi
	if ! command -v unshare >/dev/null; then
		echo "unshare is not installed"
		return 1
	fi
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "mount namespaces are refused here"
		return 1
	fi
	if ! grep -qw overlay /proc/filesystems && ! modprobe -q overlay 2>/dev/null; then
		echo "overlayfs is not available"
		return 1
	fi
	return 0
}

# The directories ref_sandbox lays a copy-on-write overlay on.
SANDBOX_DIRS="/etc /var/lib /usr/lib/modules /usr/src /boot"

# ref_sandbox CMD...: run CMD where /etc, /var/lib, /lib/modules,
# /usr/src and /boot are copy-on-write overlays whose upper layers live
# in $T/.sandbox (kept for the life of $T, so what the reference writes
# there persists from one call to the next, as on a real machine, and
# tests can look at it, e.g. $T/.sandbox/var/lib/dkms/mok.key).  (3.4.3
# writes its key to /var/lib/dkms whatever --dkmstree says, and runs a
# plain `depmod -a KVER` on the machine's /lib/modules when the install
# tree has a modules.dep.)  The machine's /etc/dkms and /var/lib/dkms are
# replaced by empty dirs (as a fresh install of dkms leaves them), so the
# reference runs with its defaults; give it a framework.conf with
# ref_write.  Everything else, $T included, is the real file system.
# Note: dkms sees a mount namespace as a chroot ("Running in chroot,
# modules won't be signed") unless framework.conf says
# try_sign_modules="true".
ref_sandbox() {
	local sb=$T/.sandbox
	local reason d
	if ! reason=$(can_sandbox); then
		echo "ref_sandbox: $reason" >&2
		return 125
	fi
	for d in $SANDBOX_DIRS; do
		mkdir -p "$sb$d" "$sb/.work$d"
	done
	unshare -m --propagation private bash -c '
		sb=$1 dirs=$2; shift 2
		for d in $dirs; do
			[ -d "$d" ] || continue
			mount -t overlay overlay -o "lowerdir=$d,upperdir=$sb$d,workdir=$sb/.work$d" "$d" ||
				exit 125
		done
		if [ ! -e "$sb/.hidden" ]; then
			rm -rf /etc/dkms /var/lib/dkms
			mkdir -p /etc/dkms /var/lib/dkms
			: > "$sb/.hidden"
		fi
		exec "$@"' ref-sandbox "$sb" "$SANDBOX_DIRS" "$@"
}

# ref_write FILE: stdin into FILE as the sandbox sees it (e.g.
# /etc/dkms/framework.conf), for the reference's next runs.
ref_write() {
	ref_sandbox sh -c 'mkdir -p "$(dirname "$1")" && cat > "$1"' ref-write "$1"
}

# have_ref: the reference dkms and a sandbox for it are available (the
# reason is printed otherwise).  Use: r=$(have_ref) || skip_all "$r".
have_ref() {
	if [ ! -x "$DKMS_REF" ]; then
		echo "reference dkms not found at $DKMS_REF"
		return 1
	fi
	can_sandbox
}

# dkms_ref ARGS...: the reference dkms 3.4.3 on the trees of $T, inside
# ref_sandbox.  Exit status 125 means it could not be started.
# Its output goes through files: during builds 3.4.3 leaves a "sleep 3"
# behind (its progress dots) holding stdout, which would make a $(...)
# capture wait for it.  When stdout and stderr are the same file, their
# interleaving is kept.
dkms_ref() {
	local rc out=$T/.ref-out err=$T/.ref-err
	if [ /proc/self/fd/1 -ef /proc/self/fd/2 ]; then
		ref_sandbox "$DKMS_REF" "$@" --dkmstree "$T/dkms" \
			--sourcetree "$T/src" --installtree "$T/lib" > "$out" 2>&1
		rc=$?
		cat "$out"
	else
		ref_sandbox "$DKMS_REF" "$@" --dkmstree "$T/dkms" \
			--sourcetree "$T/src" --installtree "$T/lib" > "$out" 2> "$err"
		rc=$?
		cat "$out"
		cat "$err" >&2
	fi
	rm -f "$out" "$err"
	return "$rc"
}

# side_by_side A B ARGS...: `dkms ARGS...` by ours on the scratch machine
# A and by the reference on B, both inside ref_sandbox (as $T: it is left
# at B); exit codes in $ra and $rb, stdout and stderr in A/.o, A/.e, B/.o
# and B/.e.
# shellcheck disable=SC2034 # ra and rb are for the caller
side_by_side() {
	local a=$1 b=$2
	shift 2
	T=$a
	dkms_ours_sandboxed "$@" >"$a/.o" 2>"$a/.e"
	ra=$?
	T=$b
	dkms_ref "$@" >"$b/.o" 2>"$b/.e"
	rb=$?
}

# ------------------------------------------------------------ comparing

# normalize_output [T]: stdin to stdout with the scratch root (default
# $T) replaced by <T>.
normalize_output() {
	local t=${1:-${T:-}}
	if [ -z "$t" ]; then
		cat
		return
	fi
	awk -v t="$t" '{
		out = ""
		while ((i = index($0, t)) > 0) {
			out = out substr($0, 1, i - 1) "<T>"
			$0 = substr($0, i + length(t))
		}
		print out $0
	}'
}

# tree_listing DIR: one line per entry below DIR, sorted by path:
#   PATH d MODE | PATH f MODE SHA256 | PATH l -> TARGET | PATH other TYPE
# PATH is relative to DIR; scratch roots in link targets read <T>.  No
# timestamps, owners or inode numbers, so two trees built the same way
# list the same.
tree_listing() {
	local dir=$1
	(
		cd "$dir" || exit 1
		find . -mindepth 1 -printf '%P\t%y\t%m\t%l\n' | sort |
		while IFS=$'\t' read -r p type mode target; do
			case $type in
			d) echo "$p d $mode" ;;
			f) echo "$p f $mode $(sha256sum < "$p" | cut -d' ' -f1)" ;;
			l) echo "$p l -> $target" ;;
			*) echo "$p other $type" ;;
			esac
		done
	) | normalize_output "${T:-}"
}
