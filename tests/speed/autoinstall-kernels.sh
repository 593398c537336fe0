#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# autoinstall -k A -k B -k C in one call (ours; 3.4.3 takes one kernel):
# every kernel's builds in one plan under one budget.  Its output, exit
# code and trees are those of one call per kernel in a row; depmod runs
# once per kernel.  With a BUILD_DEPENDS around, the kernels go one after
# the other, the same again.  One kernel given twice is refused (4).
. "$top_srcdir/tests/lib.sh"

plan 17
KA=6.1.0-1-fake KB=6.1.0-2-fake KC=6.1.0-3-fake NOHDR=6.1.0-9-noheaders
module() { tiny_module "$1" 1.0 AUTOINSTALL=yes "${@:2}"; } # NAME [CONF LINE...]
setup() { # [deps]
	scratch
	mk_trees "$T"
	local k
	for k in $KA $KB $KC; do
		fake_kernel "$T" $k
		: > "$T/lib/$k/modules.dep"
	done
	mkdir -p "$T/lib/$NOHDR/kernel"
	module m1
	module m2
	module m3 "BUILD_EXCLUSIVE_KERNEL=\"^6\\.1\\.0-2-\""
	module m4
	echo 'syntax error' >> "$T/src/m4-1.0/m4.c"
	module m5 'POST_INSTALL=post.sh'
	printf '#!/bin/sh\necho post-install of m5 for $kernelver\n' > "$T/src/m5-1.0/post.sh"
	chmod +x "$T/src/m5-1.0/post.sh"
	[ "${1:-}" = deps ] && module m6 'BUILD_DEPENDS="m1"'
	for d in "$T"/src/*; do
		dkms_ours add "$d" >/dev/null 2>&1 || bail_out "add $d"
	done
	# depmod calls counted by a stand-in in front of the real one
	mkdir -p "$T/bin"
	printf '#!/bin/sh\necho "$*" >> %s/depmod.calls\nexec %s "$@"\n' "$T" "$(command -v depmod)" > "$T/bin/depmod"
	chmod +x "$T/bin/depmod"
}
listing() { { tree_listing "$T/dkms"; tree_listing "$T/lib"; } | sed -E 's/^(.*(make\.log|dkms-build-report) f [0-9]+) .*/\1/'; }
norm() { normalize_output | sed -E 's/ -j[0-9]+ / -jN /'; }

# separate OUT: one call per kernel; the first non-zero exit code
separate() {
	local k rc=0 r
	for k in "$@"; do
		PATH=$T/bin:$PATH dkms_ours autoinstall -k $k -j 4 >> "$T/.out" 2>&1
		r=$?
		[ $rc = 0 ] && rc=$r
	done
	echo $rc
}
compare() { # WHAT DEPS KERNELS...
	local what=$1 deps=$2 s_rc s_out s_tree o_rc o_out o_tree
	shift 2
	setup $deps
	s_rc=$(separate "$@")
	s_out=$(norm < "$T/.out")
	s_tree=$(listing)
	setup $deps
	local args=() k
	for k in "$@"; do args+=(-k $k); done
	PATH=$T/bin:$PATH dkms_ours autoinstall "${args[@]}" -j 4 > "$T/.out" 2>&1
	o_rc=$?
	o_out=$(norm < "$T/.out")
	o_tree=$(listing)
	is "$s_rc" "$o_rc" "$what: exit code of the first failing kernel ($s_rc)"
	is "$s_out" "$o_out" "$what: the output of one call per kernel"
	is "$s_tree" "$o_tree" "$what: the same trees"
}

compare "three kernels" "" $KA $KB $KC
like "$(cat "$T/.out")" 'Autoinstall on 6.1.0-3-fake failed for module\(s\) m4' "each kernel's summary"
is "$(sort "$T/depmod.calls" | uniq -c | awk '{print $1}' | sort -u)" 1 "depmod once per kernel"
is "$(wc -l < "$T/depmod.calls")" 3 "depmod for the three kernels"
compare "a kernel without headers in the middle" "" $KA $NOHDR $KC
like "$(cat "$T/.out")" 'Autoinstall on 6.1.0-3-fake succeeded for module\(s\) m1 m2 m5' "the kernel after it is done"
compare "with BUILD_DEPENDS, one kernel after the other" deps $KA $KB
setup
dkms_ours autoinstall -k $KA -k $KB -k $KA > "$T/.out" 2>&1
is 4 "$?" "a kernel given twice is refused, as 3.4.3 refuses several"
like "$(cat "$T/.out")" 'does not support multiple kernel version parameters' "in 3.4.3's words"
is "$(find "$T/dkms" -name module -type d | wc -l)" 0 "nothing was built"
setup
dkms_ours autoinstall --all > "$T/.out" 2>&1
is 5 "$?" "--all is still refused"
done_testing
