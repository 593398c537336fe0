#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Parallel autoinstall (core/lib/exec/scheduler.c): with a job budget above one
# the independent builds of a pass run side by side; output, exit code and
# the resulting trees are those of a serial run (-j 1).
. "$top_srcdir/tests/lib.sh"

plan 6
K=6.1.0-1-fake
setup() {
	scratch
	mk_trees "$T"
	fake_kernel "$T" $K
	local i
	for i in 01 02 03 04 05; do
		tiny_module p$i 1.0 AUTOINSTALL=yes
	done
	# p04 does not compile; p05 has a noisy POST_INSTALL (no BUILD_DEPENDS:
	# with one anywhere autoinstall stays serial, see autoinstall.c)
	echo 'syntax error' >> "$T/src/p04-1.0/p04.c"
	printf '#!/bin/sh\necho post-install of p05\necho to stderr >&2\n' > "$T/src/p05-1.0/post.sh"
	chmod +x "$T/src/p05-1.0/post.sh"
	echo 'POST_INSTALL=post.sh' >> "$T/src/p05-1.0/dkms.conf"
	for i in 01 02 03 04 05; do
		dkms_ours add -m p$i -v 1.0 >/dev/null 2>&1 || bail_out "add p$i"
	done
	# a kernel with modules.dep: depmod runs (once, at the end, in parallel)
	: > "$T/lib/$K/modules.dep"
}
# trees without build logs' contents (dates, timings; the build report
# says which makes ran under the jobserver)
listing() { tree_listing "$1" | sed -E 's/^(.*(make\.log|dkms-build-report) f [0-9]+) .*/\1/'; }

# autoinstall_j N: a fresh setup autoinstalled with -j N; its exit code,
# output and trees in $rc, $out and $tree.  The make command line shows
# -j: the budget, the only difference.
autoinstall_j() {
	setup
	dkms_ours autoinstall -k $K -j "$1" > "$T/.out" 2>&1
	rc=$?
	out=$(normalize_output < "$T/.out" | sed -E 's/ -j[0-9]+ / -jN /')
	rm -f "$T/.out"
	tree=$( { listing "$T/dkms"; listing "$T/lib/$K"; })
}
autoinstall_j 1
serial_rc=$rc serial_out=$out serial_tree=$tree
autoinstall_j 4
par_rc=$rc par_out=$out par_tree=$tree

is 11 "$serial_rc" "serial: one module fails (11)"
is "$serial_rc" "$par_rc" "parallel: same exit code"
is "$serial_out" "$par_out" "parallel: same output, same order"
like "$par_out" '^post-install of p05$' "a script's output is kept"
is "$serial_tree" "$par_tree" "parallel: same dkms tree and installed modules"
like "$(cat "$T/lib/$K/modules.dep")" 'p01' "depmod ran after the parallel installs"
done_testing
