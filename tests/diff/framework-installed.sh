#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: the framework.conf `make install` puts in /etc/dkms
# (scripts/framework.conf), reference vs ours.  The same life of a module
# runs without a framework.conf, with ours as installed (every setting
# commented) and with every setting uncommented: each run the same on
# both sides, and the three runs the same on each side, so the values
# the file gives are the defaults indeed (3.4.3's and ours).
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
K=6.1.0-1-fake
CONF=$top_srcdir/scripts/framework.conf
[ -f "$CONF" ] || d_skip_all "no scripts/framework.conf"
d_plan 32

d_kernel $K fake
d_module hello 1.0

# step NAME RC ARGS...: d_step, its outputs kept for the run ($run)
step() {
	local name=$1 side
	d_step "$run: $name" "${@:2}"
	for side in ref our; do
		{ echo "== $name $(cat "$D_SCRATCH/out.$side.rc")"
		  cat "$D_SCRATCH/out.$side.n1" "$D_SCRATCH/out.$side.n2"; } \
			>>"$D_SCRATCH/run.$run.$side"
	done
}
life() {
	step "add" 0 add hello/1.0
	step "build" 0 build hello/1.0 -k $K
	# how many jobs make was given (framework.conf's parallel_jobs)
	d_same "$run: make.log's make command" \
		"grep '^# command: ' \"\$R/dkms/hello/1.0/$K/x86_64/log/make.log\""
	step "install" 0 install hello/1.0 -k $K
	d_tree "$run: installed"
	step "status" 0 status
	step "uninstall" 0 uninstall hello/1.0 -k $K
	step "remove" 0 remove hello/1.0 --all
	d_tree "$run: removed"
}

run=none
life
run=installed
d_etc framework.conf "$(cat "$CONF")"
d_etc framework.conf.d/.keep ""
life
run=uncommented
d_etc framework.conf "$(sed 's/^#\([a-z_]*=\)/\1/' "$CONF")"
life
d_etc_clear

for side in ref our; do
	for run in installed uncommented; do
		if cmp -s "$D_SCRATCH/run.none.$side" "$D_SCRATCH/run.$run.$side"; then
			d_ok "$side: the $run framework.conf changes nothing"
		else
			d_notok "$side: the $run framework.conf changes nothing"
			diff -u "$D_SCRATCH/run.none.$side" "$D_SCRATCH/run.$run.$side" |
				tail -n +3 | head -n 40 | d_diag
		fi
	done
done
# the uncommented run set every setting 3.4.3's own framework.conf lists
names() { sed -n 's/^#[[:space:]]*\([a-z_]*\)=.*/\1/p' "$1" | sort -u; }
missing=$(comm -23 <(names "$(dirname "$DKMS_REFERENCE")/dkms_framework.conf") \
	<(sed 's/^#\([a-z_]*=\)/\1/' "$CONF" | sed -n 's/^\([a-z_]*\)=.*/\1/p' | sort -u))
if [ -z "$missing" ]; then
	d_ok "the uncommented run set every setting 3.4.3's framework.conf lists"
else
	d_notok "the uncommented run set every setting 3.4.3's framework.conf lists"
	echo "missing: $missing" | d_diag
fi
d_done
