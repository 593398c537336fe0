#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ldtarball refuses archives whose members could land outside the
# directory they are unpacked into (absolute names, ".." components), and
# writes nothing; a well-formed archive made by mktarball loads back.
. "$top_srcdir/tests/lib.sh"
plan 9

KV=6.1.0-1-fake
scratch
mk_trees "$T"
fake_kernel "$T" "$KV"
copy_module hello-0.1

# An archive in 3.4.3's layout, plus one member named $2, made with -P so
# tar keeps the name as given.
evil() {
	local out=$1 member=$2 w
	w=$(mktemp -d "$T/.evil.XXXXXX")
	mkdir -p "$w/pkg/dkms_main_tree" "$w/pkg/dkms_source_tree"
	cp -a "$T/src/hello-0.1/." "$w/pkg/dkms_source_tree/"
	echo owned >"$w/escape"
	case $member in /*) echo owned >"$member" ;; esac
	(cd "$w/pkg" && tar -cPzf "$out" ./dkms_main_tree ./dkms_source_tree "$member") ||
		bail_out "cannot make $out"
	case $member in /*) rm -f "$member" ;; esac
	rm -rf "$w"
}

before=$(tree_listing "$T")

evil "$T/dotdot.tar.gz" ../escape
out=$(dkms_ours ldtarball "$T/dotdot.tar.gz" 2>&1)
is 7 "$?" "a '..' member: exit 7"
like "$out" "Member \.\./escape is an absolute path or contains '\.\.'" "it says which member"
is "$before" "$(tree_listing "$T" | grep -v '\.tar\.gz ')" "nothing written"

evil "$T/abs.tar.gz" "$T/evil-target"
out=$(dkms_ours ldtarball --archive="$T/abs.tar.gz" 2>&1)
is 7 "$?" "an absolute member: exit 7"
check "nothing unpacked at the absolute path" test ! -e "$T/evil-target"

dkms_ours add hello/0.1 >/dev/null 2>&1
dkms_ours build hello/0.1 -k "$KV" >/dev/null 2>&1
out=$(dkms_ours mktarball hello/0.1 -k "$KV" --archive="$T/good.tar.gz" 2>&1)
is 0 "$?" "mktarball of a built module"
dkms_ours remove hello/0.1 --all >/dev/null 2>&1
rm -rf "$T/src/hello-0.1"
out=$(dkms_ours ldtarball "$T/good.tar.gz" 2>&1)
is 0 "$?" "ldtarball of our own archive"
like "$(dkms_ours status 2>&1)" "^hello/0\.1, $KV, [^:]*: built$" "the module is back, built"
check "and its source too" test -f "$T/src/hello-0.1/dkms.conf"
done_testing
