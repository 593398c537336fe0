#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash safety: install, uninstall and remove of a module whose kernel
# ships a module of the same name, stopped at each of their mutating steps
# (DKMS_FAULT_STEP=N, fault.c) by SIGKILL or by an I/O error.  After each:
# the shipped module is in place or in its backup, no temp file is left,
# and the next command (the same one, again) ends in the state an
# uninterrupted run gives.
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
copy_module hello-0.1
nosb=()
"$DKMS" --help 2>&1 | grep -q -- --no-sandbox && nosb=(--no-sandbox)
run() { dkms_ours "$@" "${nosb[@]}"; }

run add -m hello -v 0.1 >/dev/null 2>&1 &&
	run build -m hello -v 0.1 -k "$K" >/dev/null 2>&1 ||
	bail_out "cannot build hello"
mkdir -p "$BASE/t-built" "$BASE/t-installed"
cp -a "$T/dkms" "$T/src" "$T/lib" "$BASE/t-built/"
run install -m hello -v 0.1 -k "$K" >/dev/null 2>&1 || bail_out "cannot install"
cp -a "$T/dkms" "$T/src" "$T/lib" "$BASE/t-installed/"

# from STATE: the trees as saved
from() {
	rm -rf "$T/dkms" "$T/src" "$T/lib"
	cp -a "$BASE/t-$1/dkms" "$BASE/t-$1/src" "$BASE/t-$1/lib" "$T/"
}
# snapshot: names, types, link targets, file contents of the trees
snapshot() {
	(cd "$T" && find dkms lib -path '*/build' -prune -o -printf '%p %y %l\n' | sort
	 find lib dkms -name '*.ko*' -type f -exec md5sum {} + | sort -k2)
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
	find "$T/dkms" "$T/lib" \( -name '*.dkms-tmp.*' -o -name '.*.tmp' \) 2>/dev/null
}

points=0
# scenario NAME FROM COMMAND...
scenario() {
	local name=$1 start=$2 after n total rc mode out
	shift 2
	from "$start"
	run "$@" >/dev/null 2>&1 || { not_ok "$name: runs without faults"; return; }
	after=$(snapshot)
	from "$start"
	rm -f "$BASE/fault.log"
	DKMS_FAULT_LOG=$BASE/fault.log run "$@" >/dev/null 2>&1
	total=$(wc -l <"$BASE/fault.log")
	diag "$name: $total steps: $(cut -d' ' -f2- "$BASE/fault.log" | paste -sd, -)"
	[ "$total" -gt 0 ] || { not_ok "$name: has injection points"; return; }
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
			shipped || bad+=("shipped module lost after the fault")
			[ -z "$(temps)" ] || bad+=("temp files: $(temps)")
			out=$(run "$@" 2>&1)
			rc=$?
			[ "$rc" -eq 0 ] || [ "$1" = remove -a "$rc" -eq 3 ] ||
				bad+=("the next $1 failed ($rc): $out")
			shipped || bad+=("shipped module lost after the next command")
			[ "$(snapshot)" = "$after" ] ||
				bad+=("state after the next command: $(diff <(echo "$after") <(snapshot) | grep '^[<>]' | head -5)")
			points=$((points + 1))
			if [ ${#bad[@]} -eq 0 ]; then
				ok "$name: $mode at step $n ($what)"
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
diag "$points injections"
done_testing
