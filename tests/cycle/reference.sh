#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Side by side with the reference dkms 3.4.3: the same commands on two
# identical scratch machines, both run in the reference's sandbox (so both
# see the same "chroot" and an empty /etc/dkms); exit code, stdout and
# stderr must be the same once the scratch roots read <T>.
. "$top_srcdir/tests/lib.sh"
r=$(have_ref) || skip_all "$r"
K=6.1.0-1-fake

scratch; A=$T
scratch; B=$T
for T in "$A" "$B"; do
	mk_trees "$T"
	fake_kernel "$T" $K
	for m in hello-0.1 broken-0.1 exclusive-0.1 multi-0.1 scripts-0.1 provider-0.1 consumer-0.1; do
		copy_module $m
	done
	fake_kernel_module "$T" $K hello 0.0.1 >/dev/null
done

# same NAME ARGS...
same() {
	local name=$1 ra rb oa ob ea eb
	shift
	side_by_side "$A" "$B" "$@"
	# usage names the program as it was called
	oa=$(normalize_output "$A" <"$A/.o" | sed "s|^Usage: $DKMS |Usage: dkms |")
	ob=$(normalize_output "$B" <"$B/.o" | sed "s|^Usage: $DKMS_REF |Usage: dkms |")
	ea=$(normalize_output "$A" <"$A/.e"); eb=$(normalize_output "$B" <"$B/.e")
	is "$rb" "$ra" "$name: exit code"
	is "$ob" "$oa" "$name: stdout"
	is "$eb" "$ea" "$name: stderr"
}

same "status, empty" status
same "add" add hello/0.1
same "add again" add hello/0.1
same "install over a shipped module" install hello/0.1 -k $K
same "status" status
same "make failure" build broken/0.1 -k $K -j 1
same "BUILD_EXCLUSIVE" install exclusive/0.1 -k 5.10.0-1-fake
same "missing BUILD_DEPENDS" build consumer/0.1 -k $K
same "BUILD_DEPENDS --force" build consumer/0.1 -k $K --force
same "two modules, scripts" install multi/0.1 -k $K
same "PRE/POST_BUILD" install scripts/0.1 -k $K --verbose
same "status of several" status
same "uninstall restores" uninstall hello/0.1 -k $K
same "unbuild" unbuild multi/0.1 -k $K
same "remove --all" remove scripts/0.1 --all
same "status filters" status -m 'h*' -k $K
rm "$A/dkms/hello/0.1/source" "$B/dkms/hello/0.1/source"
same "broken status" status
same "broken remove" remove hello/0.1 --all
# a kernel tree with compressed modules: 3.4.3 compresses ours the same way
# (set_module_suffix looks at the tree, not the kernel config)
K2=6.1.0-2-fake
for T in "$A" "$B"; do
	fake_kernel "$T" $K2
	mkdir -p "$T/lib/$K2/kernel/x"
	echo x | xz >"$T/lib/$K2/kernel/x/other.ko.xz"
done
same "install with .ko.xz in the tree" install multi/0.1 -k $K2
same "status of compressed modules" status -m multi
check "installed compressed" test -f "$A/lib/$K2/updates/dkms/multi_a.ko.xz"
same "uninstall of compressed modules" uninstall multi/0.1 -k $K2
same "unknown option" status --nope
same "two actions" build install

done_testing
