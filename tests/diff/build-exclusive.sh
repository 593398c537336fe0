#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: BUILD_EXCLUSIVE_* in packages of two and three module
# records, on fake kernels.  In bash a plain X is X[0], so the unindexed
# directives and the [0] ones are one and the same, and 3.4.3 applies
# them to every record; X[n>0] applies to record n only.  A build whose
# every record is excluded is refused (77); one with some records left
# builds, installs, shows, uninstalls and removes only those.  Also the
# reader's subscripts: bash reads them as arithmetic (010 is 8, 08 an
# error).
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
K1=6.1.0-1-fake
K2=5.10.0-9-fake
d_plan 59

d_kernel $K1 fake CONFIG_DKMS_TEST=y
d_kernel $K2 fake

# Package tN of the trio fixture (records tNa, tNb, tNc), with lines
# added to its dkms.conf; "-2" first drops record 2.
pkg() {
	local n=$1 lines
	shift
	d_module "t$n" 1.0 trio "$n"
	if [ "$1" = -2 ]; then
		d_both 'sed -i "/\[2\]/d" "$R/src/t'"$n"'-1.0/dkms.conf"'
		shift
	fi
	lines=$(printf '%s\n' "$@")
	d_both 'printf "%s\n" "$lines" >>"$R/src/t'"$n"'-1.0/dkms.conf"'
}

# n, what `build -k K1` and `install -k K1` exit (the comments: what K1
# and K2 build)
cases=(
	1 77 77		# global ARCH: nothing anywhere
	2 77 77		# [0] for every record: nothing, whatever [1] says
	3 0 0		# [1]: a, c
	4 0 0		# CONFIG[2]: K1 a, b, c; K2 a, b
	5 0 0		# MIN[1], MAX[2]: K1 a, b; K2 a, c
	6 77 77		# global then [0]: the last one (^5) holds for all
	7 77 77		# OBSOLETE_BY is a global KERNEL_MAX: K2 only
	8 0 6		# ... but not beside a KERNEL_MAX[n]: both kernels
			# build; the install stays obsoleted above 5.99
	9 0 0		# global MIN, two records: K1 only
	10 77 77	# global CONFIG: K2 only, a and b
	11 0 0		# every record but 0 excluded: a alone, not 77
	14 77 77	# [00] is [0]
)
pkg 1 -2 'BUILD_EXCLUSIVE_ARCH="none"'
pkg 2 'BUILD_EXCLUSIVE_KERNEL[0]="^99\..*"' 'BUILD_EXCLUSIVE_KERNEL[1]=".*"' \
	'BUILD_EXCLUSIVE_ARCH[1]="none"'
pkg 3 'BUILD_EXCLUSIVE_KERNEL[1]="^99"'
pkg 4 'BUILD_EXCLUSIVE_CONFIG[2]="CONFIG_DKMS_TEST"'
pkg 5 'BUILD_EXCLUSIVE_KERNEL_MIN[1]="6.0"' 'BUILD_EXCLUSIVE_KERNEL_MAX[2]="5.99"'
pkg 6 'BUILD_EXCLUSIVE_KERNEL="^6\."' 'BUILD_EXCLUSIVE_KERNEL[0]="^5\."'
pkg 7 'OBSOLETE_BY="5.99"'
pkg 8 'OBSOLETE_BY="5.99"' 'BUILD_EXCLUSIVE_KERNEL_MAX[2]="7.0"'
pkg 9 -2 'BUILD_EXCLUSIVE_KERNEL_MIN="6.0"'
pkg 10 'BUILD_EXCLUSIVE_CONFIG="!CONFIG_DKMS_TEST"' 'BUILD_EXCLUSIVE_ARCH[2]="none"'
pkg 11 'BUILD_EXCLUSIVE_ARCH[1]="none"' 'BUILD_EXCLUSIVE_KERNEL[2]="^99"'
pkg 12 'BUILD_EXCLUSIVE_ARCH[08]="none"'
pkg 13 'DEST_MODULE_LOCATION[010]="/updates"'
pkg 14 'BUILD_EXCLUSIVE_KERNEL[00]="^99"'

d_step "add: subscript 08 is an error" 8 add t12/1.0
d_step "add: subscript 010 is record 8" 8 add t13/1.0
for ((i = 0; i < ${#cases[@]}; i += 3)); do
	d_step "add t${cases[i]}" 0 add "t${cases[i]}/1.0"
done
for ((i = 0; i < ${#cases[@]}; i += 3)); do
	d_step "build t${cases[i]} on $K1" "${cases[i + 1]}" build "t${cases[i]}/1.0" -k $K1
done
d_tree "after the builds"
for ((i = 0; i < ${#cases[@]}; i += 3)); do
	d_step "install t${cases[i]} on $K1" "${cases[i + 2]}" install "t${cases[i]}/1.0" -k $K1
done
d_step "autoinstall on $K2" 0 autoinstall -k $K2
d_step "status" 0 status
d_tree "after the installs"

# an installed module differs from its build: the excluded record is
# not looked for
d_both 'echo tampered >>"$R/lib/'$K1'/updates/dkms/t3c.ko"'
d_step "status of t3 with a changed module" 0 status t3
d_step "uninstall t3 from $K1" 0 uninstall t3/1.0 -k $K1
d_step "uninstall t5 from $K2" 0 uninstall t5/1.0 -k $K2
d_step "status after the uninstalls" 0 status
for ((i = 0; i < ${#cases[@]}; i += 3)); do
	d_step "remove t${cases[i]} --all" 0 remove "t${cases[i]}/1.0" --all
done
d_tree "after remove --all"
d_done
