#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What the sandboxes of one dkms run share (core/lib/run/sandbox-shared.c):
# the builds of a parallel autoinstall join one empty network namespace,
# made once, never the host's; a build on its own gets its own.  Each
# make prints its network namespace and interfaces into its make.log
# (kept in the tree).  Every build still has its memory cgroup, and none
# is left behind.
. "$top_srcdir/tests/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root (the sandbox)"
plan 9
K=6.1.0-1-fake
host_ns=$(readlink /proc/self/ns/net)

setup() {
	scratch
	mk_trees "$T"
	fake_kernel "$T" $K
	local i d
	for i in 1 2 3 4; do
		d=$T/src/n$i-1.0
		mkdir -p "$d"
		printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' > "$d/n$i.c"
		echo "obj-m := n$i.o" > "$d/Kbuild"
		{
			echo 'all:'
			printf '\t@echo "NETNS $$(readlink /proc/self/ns/net)"\n'
			printf '\t@echo "IFACES $$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\\n" " ")"\n'
			printf '\t$(MAKE) -C $(KDIR) M=$(CURDIR) modules\n'
		} > "$d/ns.mk"
		printf 'PACKAGE_NAME="n%s"\nPACKAGE_VERSION="1.0"\nBUILT_MODULE_NAME[0]="n%s"\nDEST_MODULE_LOCATION[0]="/updates"\nAUTOINSTALL=yes\nMAKE[0]="make -f ns.mk KDIR=$kernel_source_dir"\n' \
			"$i" "$i" > "$d/dkms.conf"
		dkms_ours add -m "n$i" -v 1.0 >/dev/null 2>&1 || bail_out "add n$i"
	done
}
# the network namespaces the makes of the tree's logs ran in, one a line
namespaces() {
	grep -h '^NETNS ' "$T"/dkms/n*/1.0/$K/*/log/make.log | cut -d' ' -f2
}

setup
dkms_ours autoinstall -k $K -j 2 > "$T/out" 2>&1
is "$?" 0 "autoinstall of four modules in sandboxes"
is "$(namespaces | wc -l)" 4 "each make.log names its network namespace"
is "$(namespaces | sort -u | wc -l)" 1 "the four builds joined one network namespace"
check "not the host's" test "$(namespaces | head -n1)" != "$host_ns"
is "$(grep -h '^IFACES ' "$T"/dkms/n*/1.0/$K/*/log/make.log | sort -u)" "IFACES lo " \
	"in it, only a loopback"
ncg=$(grep -l '^memory limit: .* for the whole build (cgroup' "$T"/dkms/n*/1.0/$K/*/log/dkms-build-report | wc -l)
if [ "$ncg" -gt 0 ]; then
	is "$ncg" 4 "each build had its memory cgroup"
else
	skip "no cgroup here (RLIMIT_AS)" 1
fi

# a build on its own: a namespace of its own (not the host's), with only
# a loopback
setup
dkms_ours build -m n1 -v 1.0 -k $K > "$T/out1" 2>&1
is "$?" 0 "a lone build"
alone=$(grep -h '^NETNS ' "$T"/dkms/n1/1.0/$K/*/log/make.log | cut -d' ' -f2)
check "in a network namespace, not the host's" test -n "$alone" -a "$alone" != "$host_ns"
is "$(grep -h '^IFACES ' "$T"/dkms/n1/1.0/$K/*/log/make.log)" "IFACES lo " "only a loopback"
