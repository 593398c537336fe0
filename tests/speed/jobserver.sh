#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The scheduler's make jobserver (core/lib/exec/scheduler.c): the makes of builds
# run side by side share one job budget.  Each module's make runs four
# independent recipes that print their start and end times (into its
# make.log, kept in the tree); merged over all builds, never more recipes
# run at once than the budget, and one make ran two recipes at once (it got
# a token beyond its own).  The fds reach the makes through the sandbox.  A
# build on its own still gets make -jN.
. "$top_srcdir/tests/lib.sh"

plan 10
K=6.1.0-1-fake
setup() {
	scratch
	mk_trees "$T"
	fake_kernel "$T" $K
	local i
	for i in 1 2 3 4; do
		tiny_module c$i 1.0 AUTOINSTALL=yes 'MAKE[0]="make -f conc.mk KDIR=$kernel_source_dir"'
		# four recipes of 0.3 s, then the module
		{
			echo 'JOBS := j1 j2 j3 j4'
			echo 'all: $(JOBS)'
			printf '\t$(MAKE) -C $(KDIR) M=$(CURDIR) modules\n'
			echo '$(JOBS):'
			printf '\t@echo "RECIPE start $$(date +%%s%%N) $@"; sleep 0.3; echo "RECIPE end $$(date +%%s%%N) $@"\n'
			echo '.PHONY: all $(JOBS)'
		} > "$T/src/c$i-1.0/conc.mk"
	done
}
add_all() {
	local i
	for i in "$@"; do
		dkms_ours add -m c$i -v 1.0 >/dev/null 2>&1 || bail_out "add c$i"
	done
}
# The most recipes running at once over the make.logs of the tree, and
# the most of one make; "max_all max_one".
concurrency() {
	local f
	for f in "$T"/dkms/c*/1.0/$K/*/log/make.log; do
		grep '^RECIPE ' "$f" | sed "s|\$| $f|"
	done | awk '{ t = $3; ev[NR] = t " " ($2 == "start" ? 1 : -1) " " $5 }
		END { for (i in ev) print ev[i] }' | sort -n -k1,1 -k2,2n |
	awk '{ all += $2; one[$3] += $2; if (all > ma) ma = all
		if (one[$3] > mo) mo = one[$3] } END { print ma + 0, mo + 0 }'
}

setup
add_all 1 2 3 4
dkms_ours autoinstall -k $K -j 2 > "$T/out" 2>&1
is 0 "$?" "autoinstall -j 2 of four modules"
read -r all one < <(concurrency)
diag "-j 2: at most $all recipes at once, $one in one make"
check "-j 2: never more than 2 recipes at once" test "$all" -le 2
check "-j 2: builds overlapped or a make ran 2 recipes (a token)" test "$all" -eq 2
like "$(cat "$T"/dkms/c1/1.0/$K/*/log/dkms-build-report)" "^jobserver: make ran under dkms's jobserver" \
	"the build report says the make ran under the jobserver"
unlike "$(cat "$T"/dkms/c1/1.0/$K/*/log/make.log)" "dkms's jobserver" "make.log stays 3.4.3's"
if grep -q 'jobserver unavailable\|forced in submake' "$T"/dkms/c*/1.0/$K/*/log/make.log; then
	not_ok "no make warned about the jobserver"
else
	ok "no make warned about the jobserver"
fi
like "$(cat "$T"/dkms/c1/1.0/$K/*/log/make.log)" '^# command: make -j2 KERNELRELEASE=' \
	"the command shown and logged is still 3.4.3's"

setup
add_all 1 2 3 4
dkms_ours autoinstall -k $K -j 3 > /dev/null 2>&1
is 0 "$?" "autoinstall -j 3 of four modules"
read -r all one < <(concurrency)
diag "-j 3: at most $all recipes at once, $one in one make"
check "-j 3: never more than 3 recipes at once" test "$all" -le 3

setup
add_all 1
dkms_ours build -m c1 -v 1.0 -k $K -j 3 > /dev/null 2>&1
read -r all one < <(concurrency)
if [ "$one" -eq 3 ] && grep -q '^# command: make -j3 ' "$T"/dkms/c1/1.0/$K/*/log/make.log &&
	! grep -q '^jobserver:' "$T"/dkms/c1/1.0/$K/*/log/dkms-build-report; then
	ok "a build on its own: make -j3, 3 recipes at once"
else
	not_ok "a build on its own: make -j3, 3 recipes at once (got $all/$one)"
fi
done_testing
