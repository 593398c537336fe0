#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A tree written by Debian 12's dkms 3.0.10 is read, uninstalled,
# reinstalled and removed by ours exactly as by 3.4.3.  Needs the 3.0.10
# script, which we do not ship: Debian 12's /usr/sbin/dkms, or
# DKMS_3010=/path/to/dkms, e.g.
#   apt-get download dkms && dpkg -x dkms_3.0.10-*_all.deb x &&
#   DKMS_3010=$PWD/x/usr/sbin/dkms make check TESTS=tests/cycle/from-3.0.10.sh
. "$top_srcdir/tests/lib.sh"
# Debian 12's own package is that version
if [ -z "${DKMS_3010:-}" ] && [ -x /usr/sbin/dkms ] &&
	[ "$(/usr/sbin/dkms --version 2>/dev/null)" = "dkms-3.0.10" ]; then
	DKMS_3010=/usr/sbin/dkms
fi
[ -x "${DKMS_3010:-}" ] || skip_all "DKMS_3010 (a dkms 3.0.10 script) is not set"
r=$(have_ref) || skip_all "$r"
K=6.1.0-56-amd64
have_real_kernel $K || skip_all "kernel headers for $K are not installed"

scratch; A=$T
scratch; B=$T
for T in "$A" "$B"; do
	mk_trees "$T"
	real_kernel "$T" $K
	copy_module hello-0.1
	mkdir -p "$T/lib/$K/kernel"
	# 3.0.10 looks for the headers in /lib/modules only
	ref_sandbox "$DKMS_3010" add hello/0.1 --dkmstree "$T/dkms" \
		--sourcetree "$T/src" --installtree "$T/lib" >/dev/null 2>&1
	ref_sandbox "$DKMS_3010" install hello/0.1 -k $K --dkmstree "$T/dkms" \
		--sourcetree "$T/src" --installtree "$T/lib" >/dev/null 2>&1 ||
		bail_out "dkms 3.0.10 could not install hello"
done

same() {
	local name=$1 ra rb
	shift
	side_by_side "$A" "$B" "$@"
	is "$rb" "$ra" "$name: exit code"
	is "$(normalize_output "$B" <"$B/.o")" "$(normalize_output "$A" <"$A/.o")" "$name: stdout"
	is "$(normalize_output "$B" <"$B/.e")" "$(normalize_output "$A" <"$A/.e")" "$name: stderr"
}

same "status of a 3.0.10 tree" status
same "uninstall" uninstall hello/0.1 -k $K
same "status after uninstall" status
same "install again" install hello/0.1 -k $K
same "remove --all" remove hello/0.1 --all
is "$(T=$B tree_listing "$B/dkms")" "$(T=$A tree_listing "$A/dkms")" "dkms trees alike"

done_testing
