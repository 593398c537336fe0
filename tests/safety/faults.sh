#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash safety: install, uninstall, remove and ldtarball of a module whose
# kernel ships a module of the same name, and an install whose dependent
# module's rebuild fails (last known good), stopped at each of their
# mutating steps (DKMS_FAULT_STEP=N, fault.c), once by SIGKILL and once by
# an I/O error.  The steps are those a clean run logs (DKMS_FAULT_LOG).
# After each, `dkms status` (the next command) completes or rolls back
# the journal (journal.c), and then:
#   - the tree and the module directories (names, types, link targets,
#     contents) are exactly as before the command or as after it;
#   - the tree is consistent, no journal and no temporary file is left;
#   - the shipped module is in place or in its backup, intact;
#   - the same command again ends in the state an uninterrupted run gives.
. "$top_srcdir/tests/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "dkms add/install need root"
K=6.1.0-1-fake
A=$(uname -m)
scratch
BASE=$T
mk_trees "$T"
fake_kernel "$T" "$K"
orig=$(fake_kernel_module "$T" "$K" hello 0.0.1) || bail_out "no shipped module"
orig_rel=${orig#"$T"/}
orig_sum=$(md5sum <"$orig")
# a modules.dep: depmod runs, and its files are part of the state
: >"$T/lib/$K/modules.dep"
copy_module hello-0.1
run() { dkms_nosb "$@"; }

save() {
	mkdir -p "$BASE/t-$1"
	cp -a "$T/dkms" "$T/src" "$T/lib" "$BASE/t-$1/"
}
run add -m hello -v 0.1 >/dev/null 2>&1 &&
	run build -m hello -v 0.1 -k "$K" >/dev/null 2>&1 ||
	bail_out "cannot build hello"
save built
run install -m hello -v 0.1 -k "$K" >/dev/null 2>&1 || bail_out "cannot install"
save installed
run mktarball -m hello -v 0.1 -k "$K" --archive="$BASE/hello.tar.gz" >/dev/null 2>&1 ||
	bail_out "cannot mktarball"
run remove -m hello -v 0.1 --all >/dev/null 2>&1 || bail_out "cannot remove"
rm -rf "$T/src/hello-0.1"
save removed
# a rebuild that fails (last known good): hello 1.0 and deprebuild
# (BUILD_DEPENDS_REBUILD on hello) installed, hello 2.0 added, and
# deprebuild's source broken since (hello 2.0 built: builds are not
# journaled, their result is one rename)
fixture() {
	mkdir -p "$T/src/$1-$2"
	cp -a "$top_srcdir/tests/diff/modules/$1/." "$T/src/$1-$2/"
	find "$T/src/$1-$2" -type f -exec sed -i "s/@VERSION@/$2/g" {} +
}
fixture hello 1.0
fixture hello 2.0
fixture deprebuild 1.0
{ run add hello/1.0 && run install hello/1.0 -k "$K" &&
	run add deprebuild/1.0 && run install deprebuild/1.0 -k "$K" &&
	run add hello/2.0 && run build hello/2.0 -k "$K"; } >/dev/null 2>&1 ||
	bail_out "cannot set up the rebuild"
echo '#error broken since' >>"$T/src/deprebuild-1.0/deprebuild.c"
save rebuild
rm -rf "$T/dkms/.status-cache"

# from STATE: the trees as saved
from() {
	rm -rf "$T/dkms" "$T/src" "$T/lib"
	cp -a "$BASE/t-$1/dkms" "$BASE/t-$1/src" "$BASE/t-$1/lib" "$T/"
}
# snapshot: names, types, link targets and contents of the trees (the
# build dirs and status's own cache aside)
snapshot() {
	(cd "$T" && find dkms src lib \( -path '*/build' -o -name .status-cache \) -prune \
		-o -printf '%p %y %l\n' | sort
	 find dkms src lib \( -path '*/build' -o -name .status-cache \) -prune \
		-o -type f -exec md5sum {} + | sort -k2)
}
# shipped: the shipped module is in place or backed up, intact
shipped() {
	local b=$T/dkms/hello/original_module/$K/$A/hello.ko
	if [ -f "$T/$orig_rel" ]; then
		[ "$(md5sum <"$T/$orig_rel")" = "$orig_sum" ]
	else
		[ -f "$b" ] && [ "$(md5sum <"$b")" = "$orig_sum" ]
	fi
}
temps() {
	find "$T/dkms" "$T/src" "$T/lib" \( -name '*.dkms-tmp.*' -o -name '.*.tmp' \
		-o -name '.dkms-journal*' -o -name '*.dkms-lkg' \) 2>/dev/null
}
# consistent: what the tree says is installed is installed, and nothing
# else; every backup has its .origin; every source link resolves
consistent() {
	local l ko inst v
	for l in "$T"/dkms/hello/kernel-*; do
		[ -L "$l" ] || continue
		ko=$(readlink -f "$l")/module/hello.ko
		inst=$T/lib/$K/updates/dkms/hello.ko
		[ -f "$ko" ] || { echo "link $l: no $ko"; return 1; }
		cmp -s "$ko" "$inst" || { echo "installed $inst differs from $ko"; return 1; }
	done
	if [ ! -L "$T/dkms/hello/kernel-$K-$A" ] && [ -e "$T/lib/$K/updates/dkms/hello.ko" ]; then
		echo "hello.ko installed without a kernel link"
		return 1
	fi
	for l in "$T"/dkms/hello/original_module/*/*/*.ko; do
		[ -e "$l" ] || continue
		[ -f "$l.origin" ] || { echo "backup $l without .origin"; return 1; }
	done
	for v in "$T"/dkms/hello/*/source; do
		[ -e "$v" ] || [ ! -L "$v" ] || { echo "dangling $v"; return 1; }
	done
	return 0
}

points=0
injections=0
# scenario NAME FROM COMMAND...
scenario() {
	local name=$1 start=$2 before after n total rc mode out what state
	shift 2
	from "$start"
	before=$(snapshot)
	run "$@" >/dev/null 2>&1 || [ "$1" = ldtarball ] || [ "$name" = rebuild ] ||
		{ not_ok "$name: runs without faults"; return; }
	after=$(snapshot)
	[ "$before" != "$after" ] || { not_ok "$name: changes something"; return; }
	from "$start"
	rm -f "$BASE/fault.log"
	DKMS_FAULT_LOG=$BASE/fault.log run "$@" >/dev/null 2>&1
	total=$(wc -l <"$BASE/fault.log")
	diag "$name: $total steps: $(cut -d' ' -f2- "$BASE/fault.log" | paste -sd, -)"
	[ "$total" -gt 0 ] || { not_ok "$name: has injection points"; return; }
	points=$((points + total))
	for mode in kill eio; do
		for ((n = 1; n <= total; n++)); do
			from "$start"
			out=$(DKMS_FAULT_STEP=$n DKMS_FAULT_MODE=$mode run "$@" 2>&1)
			rc=$?
			what=$(sed -n "${n}s/^[0-9]* //p" "$BASE/fault.log")
			local bad=()
			if [ "$mode" = kill ] && [ "$rc" -ne 137 ]; then
				bad+=("not killed (exit $rc)")
			elif [ "$mode" = eio ] && [ "$rc" -ge 128 ]; then
				bad+=("crashed (exit $rc)")
			fi
			shipped || bad+=("shipped module lost by the fault")
			out=$(run status 2>&1) || bad+=("status failed: $out")
			state=$(snapshot)
			if [ "$state" = "$before" ]; then
				state=before
			elif [ "$state" = "$after" ]; then
				state=after
			else
				bad+=("neither before nor after: $(diff <(echo "$after") <(echo "$state") | grep '^[<>]' | head -6)")
			fi
			out=$(consistent) || bad+=("inconsistent: $out")
			[ -z "$(temps)" ] || bad+=("left: $(temps)")
			shipped || bad+=("shipped module lost after recovery")
			out=$(run "$@" 2>&1)
			[ "$(snapshot)" = "$after" ] ||
				bad+=("the same $1 again: $(diff <(echo "$after") <(snapshot) | grep '^[<>]' | head -5) $out")
			injections=$((injections + 1))
			if [ ${#bad[@]} -eq 0 ]; then
				ok "$name: $mode at step $n ($what): $state"
			else
				not_ok "$name: $mode at step $n ($what)"
				diag "${bad[@]}"
			fi
		done
	done
}

scenario install built install -m hello -v 0.1 -k "$K"
scenario uninstall installed uninstall -m hello -v 0.1 -k "$K"
scenario remove installed remove -m hello -v 0.1 --all
scenario ldtarball removed ldtarball "$BASE/hello.tar.gz"
scenario rebuild rebuild install hello/2.0 -k "$K"
diag "$points injection points, $injections injections"
done_testing
