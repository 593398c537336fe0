#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Cross-generation: trees written by Debian 12's dkms 3.0.10 (/usr/sbin/dkms
# from the dkms package) are read, upgraded and removed by ours exactly as
# dkms 3.4.3 does it; and 3.0.10 reads what ours leaves.  Both generations
# run on scratch trees in a throw-away overlay of / (tests/diff/diff-lib.sh),
# so the key 3.0.10 generates in /var/lib/dkms stays there.
. "$top_srcdir/tests/diff/diff-lib.sh"
DKMS_OLD=${DKMS_OLD:-/usr/sbin/dkms}
d_init
[ -x "$DKMS_OLD" ] || d_skip_all "Debian's dkms is not installed ($DKMS_OLD; apt-get install dkms)"
case $("$DKMS_OLD" --version 2>/dev/null) in
*3.0.*) ;;
*) d_skip_all "$DKMS_OLD is not dkms 3.0.x" ;;
esac
d_have_headers || d_skip_all "needs the Debian kernel headers of $D_REAL_KERNELS"
K1=6.1.0-56-amd64
K2=6.1.0-54-amd64
d_plan 33

# d_old NAME RC ARGS...: 3.0.10 does the same on both sides.
d_old() {
	local name=$1 want=$2 rref rour
	shift 2
	d_run "$D_REF" "$DKMS_OLD" "$@"
	d_run "$D_OUR" "$DKMS_OLD" "$@"
	rref=$(cat "$D_SCRATCH/out.ref.rc")
	rour=$(cat "$D_SCRATCH/out.our.rc")
	[ -z "${D_VERBOSE:-}" ] || cat "$D_SCRATCH/out.our.n1" "$D_SCRATCH/out.our.n2" | d_diag
	if [ "$rref" = "$want" ] && [ "$rour" = "$want" ]; then
		d_ok "3.0.10: $name (exit $want)"
		return 0
	fi
	d_notok "3.0.10: $name"
	{ echo "exit codes $rref and $rour, expected $want"; cat "$D_SCRATCH/out.our.1" "$D_SCRATCH/out.our.2"; } |
		head -n 40 | d_diag
}

# d_readers NAME ARGS...: on our side, 3.0.10 and ours print the same.
d_readers() {
	local name=$1
	shift
	d_run "$D_OUR" "$DKMS_OLD" "$@"
	# the one wording that changed between the generations
	sed 's/ (original_module exists)/ (Original modules exist)/' \
		"$D_SCRATCH/out.our.n1" >"$D_SCRATCH/old.n1"
	d_run "$D_OUR" "$DKMS" "$@"
	if cmp -s "$D_SCRATCH/old.n1" "$D_SCRATCH/out.our.n1"; then
		d_ok "$name"
		return 0
	fi
	d_notok "$name"
	diff -u "$D_SCRATCH/old.n1" "$D_SCRATCH/out.our.n1" | tail -n +3 | d_diag
}

d_kernel $K1
d_kernel $K2
d_module hello 1.0
d_module hello 2.0
d_module noauto 1.0
# K2 ships its own, older hello.ko: 3.0.10 archives it without a .origin
d_build_ko hello 0.5 $K2 || exit 1
d_place_ko $K2/kernel/drivers/misc/hello.ko

d_old "install hello 1.0 on $K1" 0 install hello/1.0 -k $K1
d_old "install hello 1.0 on $K2 over the kernel's own" 0 install hello/1.0 -k $K2
d_old "add noauto" 0 add noauto/1.0
d_old "build noauto on $K1" 0 build noauto/1.0 -k $K1
d_old "mktarball of hello 1.0" 0 mktarball hello/1.0 -k $K1 -k $K2 --archive=@ROOT@/old/hello-1.0.dkms.tar.gz
d_tree "3.0.10 wrote the same trees"

d_readers "status: ours reads what 3.0.10 wrote as 3.0.10 does" status
d_readers "status -k $K2: the same" status -k $K2
d_step "status of a 3.0.10 tree" 0 status
d_step "add hello 2.0" 0 add hello/2.0
d_step "install hello 2.0 over 3.0.10's 1.0 on $K1" 0 install hello/2.0 -k $K1
d_tree "after upgrade"
d_readers "status: 3.0.10 reads what ours wrote" status
d_step "uninstall hello 2.0 from $K1" 0 uninstall hello/2.0 -k $K1
d_step "uninstall hello 1.0 from $K2: 3.0.10's archive restored" 0 uninstall hello/1.0 -k $K2
d_tree "original module back in place"
d_step "unbuild noauto" 0 unbuild noauto/1.0 -k $K1
d_step "autoinstall on $K2" 0 autoinstall -k $K2
d_tree "after autoinstall"
d_readers "status after autoinstall: 3.0.10 agrees" status
d_step "remove hello 2.0" 0 remove hello/2.0 --all
d_step "remove hello 1.0" 0 remove hello/1.0 --all
d_step "remove noauto" 0 remove noauto/1.0 --all
d_tree "everything removed"
d_step "status of the empty tree" 0 status
d_readers "3.0.10 sees nothing either" status
d_both 'rm -rf "$R/src/hello-1.0"'
d_step "ldtarball of 3.0.10's archive" 0 ldtarball @ROOT@/old/hello-1.0.dkms.tar.gz
d_tree "after ldtarball of 3.0.10's archive"
d_readers "3.0.10 reads the loaded module" status
d_step "install on $K2 after ldtarball" 0 install hello/1.0 -k $K2
d_step "remove it" 0 remove hello/1.0 --all
d_old "3.0.10 can add again after ours removed" 0 add hello/1.0
d_step "and ours sees it" 0 status
d_done
