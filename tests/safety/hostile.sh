#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile input is refused with one error naming the value or file, a
# non-zero exit, and nothing written: locations leaving their roots, module
# names with '/' or '..', unsafe -m/-v/-k, a dkms.conf leading out of its
# source tree, sources another user can write where their code would run
# as root (as root, without --force), hard links to others' files,
# tarball members with absolute or '..' names.  Links out of a source
# tree are copied as links and never followed by root; legitimate odd
# confs still work.
. "$top_srcdir/tests/lib.sh"

K=6.1.0-1-fake
scratch
mk_trees "$T"
fake_kernel "$T" "$K"

# mod DIR NAME CONF-LINES...: a source tree at DIR for module NAME (0.1).
mod() {
	local d=$1 name=$2
	shift 2
	mkdir -p "$d"
	cp "$top_srcdir/tests/modules/hello-0.1/hello.c" "$d/$name.c"
	printf 'obj-m := %s.o\n' "$name" >"$d/Makefile"
	{
		echo "PACKAGE_NAME=\"$name\""
		echo 'PACKAGE_VERSION="0.1"'
		echo "BUILT_MODULE_NAME[0]=\"$name\""
		echo 'MAKE[0]="make -C ${kernel_source_dir} M=${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build"'
		printf '%s\n' "$@"
	} >"$d/dkms.conf"
}

# snapshot: everything under the trees (names, types, link targets).
snapshot() {
	(cd "$T" && find dkms src lib -printf '%p %y %l\n' | sort)
}

# refused NAME CODE REGEX ARGS...: dkms ARGS exits CODE, says REGEX once
# as an error, and the trees are as before.
refused() {
	local name=$1 code=$2 re=$3 before out rc
	shift 3
	before=$(snapshot)
	out=$(dkms_ours "$@" 2>&1)
	rc=$?
	is "$code" "$rc" "$name: exit $code"
	like "$out" "$re" "$name: the error names it"
	is "1" "$(grep -c 'Error!' <<<"$out")" "$name: one error"
	is "$before" "$(snapshot)" "$name: nothing written"
}

# ---- dkms.conf locations and names (add by path, then add -m/-v)
mod "$T/in/dl" dl 'DEST_MODULE_LOCATION[0]="/kernel/../../../../etc"'
refused "DEST_MODULE_LOCATION climbing out" 8 \
	"DEST_MODULE_LOCATION in record #0 .*/kernel/\.\./\.\./\.\./\.\./etc.* leads outside" \
	add "$T/in/dl"
mod "$T/src/dl-0.1" dl 'DEST_MODULE_LOCATION[0]="/updates/../.."'
refused "DEST_MODULE_LOCATION climbing out (add -m/-v)" 8 \
	"Unsafe dkms.conf: $T/src/dl-0.1/dkms.conf" add -m dl -v 0.1
rm -rf "$T/src/dl-0.1"

mod "$T/in/bl" bl 'BUILT_MODULE_LOCATION[0]="../../../tmp"' \
	'DEST_MODULE_LOCATION[0]="/extra"'
refused "BUILT_MODULE_LOCATION climbing out" 8 \
	"BUILT_MODULE_LOCATION in record #0" add "$T/in/bl"

mod "$T/in/bn" bn 'BUILT_MODULE_NAME[0]="../../bn"' \
	'DEST_MODULE_LOCATION[0]="/extra"'
refused "BUILT_MODULE_NAME with .." 8 "BUILT_MODULE_NAME in record #0" \
	add "$T/in/bn"
mod "$T/in/dn" dn 'DEST_MODULE_NAME[0]="sub/dn"' \
	'DEST_MODULE_LOCATION[0]="/extra"'
refused "DEST_MODULE_NAME with /" 8 "DEST_MODULE_NAME in record #0" \
	add "$T/in/dn"

mod "$T/in/pn" pn 'DEST_MODULE_LOCATION[0]="/extra"'
sed -i 's|^PACKAGE_NAME=.*|PACKAGE_NAME="../../pn"|' "$T/in/pn/dkms.conf"
refused "PACKAGE_NAME with .." 8 'PACKAGE_NAME="\.\./\.\./pn" is not a single' \
	add "$T/in/pn"
mod "$T/in/pv" pv 'DEST_MODULE_LOCATION[0]="/extra"'
sed -i 's|^PACKAGE_VERSION=.*|PACKAGE_VERSION=".."|' "$T/in/pv/dkms.conf"
refused "PACKAGE_VERSION ..'" 8 'PACKAGE_VERSION="\.\."' add "$T/in/pv"

# ---- the command line
refused "-m with .." 1 "Invalid module name: '\.\.'" add -m .. -v 0.1
refused "-v with /" 1 "Invalid module version: '\.\./x'" \
	build -m hello -v ../x -k "$K"
refused "-v .." 1 "Invalid module version: '\.\.'" remove -m hello -v .. --all
refused "-k with .." 1 "Invalid kernel version: '\.\.'" install -m hello -v 0.1 -k ..

# ---- symlinks out of a source tree: copied as links, never followed by
# root; only a dkms.conf leading out (root reads it) is refused
mod "$T/in/ln" ln 'DEST_MODULE_LOCATION[0]="/extra"'
echo "secret-$$" >"$T/secret"
mkdir "$T/in/ln/sub"
ln -s /etc/passwd "$T/in/ln/passwd"
ln -s ../../../secret "$T/in/ln/sub/up"
ln -s "$T/secret" "$T/in/ln/abs"
ln -s ../ln.c "$T/in/ln/sub/inside.c"
out=$(dkms_ours add "$T/in/ln" 2>&1)
is 0 $? "links out of the tree are accepted" || diag "$out"
is "/etc/passwd ../../../secret $T/secret ../ln.c" \
	"$(cd "$T/src/ln-0.1" && readlink passwd sub/up abs sub/inside.c | tr '\n' ' ' | sed 's/ $//')" \
	"and copied as links, their targets as they were"
check "nothing was read through them" sh -c "! grep -rqs 'secret-$$\|^root:' '$T/src/ln-0.1'"
out=$(dkms_ours build -m ln -v 0.1 -k "$K" 2>&1)
is 0 $? "a source with links out builds" || diag "$out"

mod "$T/in/cl" cl 'DEST_MODULE_LOCATION[0]="/extra"'
mv "$T/in/cl/dkms.conf" "$T/cl.conf"
ln -s "$T/cl.conf" "$T/in/cl/dkms.conf"
refused "dkms.conf a link out of the tree" 9 \
	"symlink $T/in/cl/dkms.conf leads outside $T/in/cl" add "$T/in/cl"
mkdir -p "$T/src/cl-0.1"
cp -a "$T/in/cl/." "$T/src/cl-0.1/"
refused "dkms.conf a link out (add -m/-v)" 9 \
	"symlink $T/src/cl-0.1/dkms.conf leads outside" add -m cl -v 0.1
rm -rf "$T/src/cl-0.1" "$T/in/cl/dkms.conf"
mkdir "$T/in/cl/debian"
mv "$T/cl.conf" "$T/in/cl/debian/dkms.conf"
ln -s debian/dkms.conf "$T/in/cl/dkms.conf"
out=$(dkms_ours add "$T/in/cl" 2>&1)
is 0 $? "dkms.conf a link inside the tree is accepted" || diag "$out"
# made a link out in the registered source after add: refused by build
cp "$T/src/cl-0.1/debian/dkms.conf" "$T/cl-out.conf"
ln -sfn "$T/cl-out.conf" "$T/src/cl-0.1/dkms.conf"
refused "build of a source whose dkms.conf became a link out" 9 \
	"symlink $T/src/cl-0.1/dkms.conf leads outside" build -m cl -v 0.1 -k "$K"

# what root writes and reads in the build dir around the make is the
# build dir's own file, whatever the source has there (dkms's make.log
# header, a Module.symvers the make did not write)
mod "$T/src/wl-0.1" wl 'DEST_MODULE_LOCATION[0]="/extra"'
echo "victim-$$" >"$T/victim"
ln -s "$T/victim" "$T/src/wl-0.1/make.log"
ln -s "$T/secret" "$T/src/wl-0.1/Module.symvers"
sed -i 's|^MAKE\[0\]=.*|MAKE[0]="make -C ${kernel_source_dir} M=${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build modules; rm -f Module.symvers"|' \
	"$T/src/wl-0.1/dkms.conf"
out=$(dkms_ours add -m wl -v 0.1 2>&1 && dkms_nosb build -m wl -v 0.1 -k "$K" 2>&1)
is 0 $? "a source with make.log and Module.symvers links builds" || diag "$out"
is "victim-$$" "$(cat "$T/victim")" "the make.log link's target is untouched"
check "the secret is not in the tree" sh -c "! grep -rqs 'secret-$$' '$T/dkms'"
like "$(cat "$T/dkms/wl/0.1/$K/x86_64/log/make.log" 2>&1)" "^DKMS .*make.log for wl/0.1" \
	"make.log is the build's own"

# /etc/dkms/<module>/patches goes into the build dir's patches/, never
# through a link of the source out of the tree
mod "$T/src/pl-0.1" pl 'DEST_MODULE_LOCATION[0]="/extra"'
mkdir -p "$T/root/etc/dkms/pl/patches" "$T/outside"
echo "x" >"$T/root/etc/dkms/pl/patches/extra.patch"
ln -s "$T/outside" "$T/src/pl-0.1/patches"
dkms_ours add -m pl -v 0.1 >/dev/null 2>&1
out=$(dkms_nosb build -m pl -v 0.1 -k "$K" --root "$T/root" 2>&1)
is 9 $? "patches a link out, with /etc/dkms patches to add: refused (9)"
like "$out" "Error! Unsafe source tree: the symlink $T/src/pl-0.1/patches leads outside $T/src/pl-0.1\.$" \
	"the error names it"
check "nothing written through it" test -z "$(ls -A "$T/outside")"
rm "$T/src/pl-0.1/patches"
mkdir -p "$T/src/pl-0.1/debian/patches"
ln -s debian/patches "$T/src/pl-0.1/patches"
out=$(dkms_nosb build -m pl -v 0.1 -k "$K" --root "$T/root" 2>&1)
is 0 $? "patches a link inside the tree is written through" || diag "$out"
check "into the build dir's copy, not the source" \
	test -z "$(ls -A "$T/src/pl-0.1/debian/patches")"

# ---- sources another user can write: what is at stake depends on what
# runs from them as root
if [ "$(id -u)" = 0 ]; then
	mod "$T/in/ww" ww 'DEST_MODULE_LOCATION[0]="/extra"'
	chmod o+w "$T/in/ww/dkms.conf"
	chown -R nobody "$T/in/ww"
	out=$(dkms_ours add "$T/in/ww" 2>&1)
	is 0 $? "add PATH of another user's tree: accepted" || diag "$out"
	unlike "$out" "Warning|Error" "silently, as 3.4.3"
	is "0 0" "$(stat -c %u "$T/src/ww-0.1") $((0$(stat -c %a "$T/src/ww-0.1/dkms.conf") & 022))" \
		"the copy is root's, no one else may write it"
	dkms_ours remove -m ww -v 0.1 --all >/dev/null 2>&1
	rm -rf "$T/src/ww-0.1"

	# the same tree registered as it is (a link to a developer's checkout)
	ln -s "$T/in/ww" "$T/src/ww-0.1"
	refused "add -m/-v, scripts unsandboxed" 9 \
		"$T/in/ww is owned by nobody, and its code would run as root" \
		add -m ww -v 0.1 --no-sandbox
	out=$(dkms_ours add -m ww -v 0.1 2>&1)
	is 0 $? "add -m/-v, scripts sandboxed: accepted" || diag "$out"
	unlike "$out" "Warning|Error" "silently"
	refused "build unsandboxed" 9 \
		"$T/in/ww is owned by nobody, and its code would run as root, not in the sandbox \(use --force to accept\)" \
		build -m ww -v 0.1 -k "$K" --no-sandbox
	out=$(dkms_ours build -m ww -v 0.1 -k "$K" 2>&1)
	is 0 $? "build sandboxed: accepted" || diag "$out"
	is 1 "$(grep -c "^Warning: $T/in/ww is owned by nobody: the module built from it is loaded by the kernel" <<<"$out")" \
		"with one warning saying what is at stake"
	# (make.log, or the build report beside it, says so)
	like "$(cat "$T/dkms/ww/0.1/$K/x86_64/log/"*)" "^(DKMS: build )?sandbox: yes" \
		"and built in the sandbox"
	out=$(dkms_ours build -m ww -v 0.1 -k "$K" --no-sandbox --force 2>&1)
	is 0 $? "--force accepts it unsandboxed" || diag "$out"
	unlike "$out" "owned by nobody" "--force: no warning"
	dkms_ours unbuild -m ww -v 0.1 -k "$K" >/dev/null 2>&1
	chown -R root "$T/in/ww"
	chmod o-w "$T/in/ww/dkms.conf"
	chgrp nogroup "$T/in/ww/ww.c"
	chmod g+w "$T/in/ww/ww.c"
	refused "a file its group can write, unsandboxed" 9 \
		"$T/in/ww/ww.c is writable by its group" \
		build -m ww -v 0.1 -k "$K" --no-sandbox
	chmod g-w "$T/in/ww/ww.c"
	out=$(dkms_ours build -m ww -v 0.1 -k "$K" --no-sandbox 2>&1)
	is 0 $? "root's again: accepted unsandboxed" || diag "$out"

	# a file another user hard-linked into their tree (possible where
	# fs.protected_hardlinks is off) is not copied by root
	mod "$T/in/hl" hl 'DEST_MODULE_LOCATION[0]="/extra"'
	ln "$T/secret" "$T/in/hl/secret.h"
	chown -R nobody "$T/in/hl"
	chown root "$T/in/hl/secret.h"
	refused "a hard link to a file the tree's owner does not own" 9 \
		"$T/in/hl/secret.h is a hard link to a file the owner of $T/in/hl does not own" \
		add "$T/in/hl"
else
	skip "not root" 26
fi

# ---- a tree changing while root copies it: links swapped in for files
# and a dir are copied as links (or the file, or the dir), never read
# through; --force, so that only the copy stands between (bounded: 100
# copies against a swapping loop)
mod "$T/in/rc" rc 'DEST_MODULE_LOCATION[0]="/extra"'
mkdir -p "$T/secretdir" "$T/in/rc/sub"
echo "secret-$$" >"$T/secretdir/secret.h"
echo "/* benign */" >"$T/in/rc/sub/secret.h"
for n in $(seq 20); do echo "/* benign */" >"$T/in/rc/swap$n.h"; done
(
	cd "$T/in/rc" || exit 1
	end=$((SECONDS + 60))
	while [ $SECONDS -lt $end ] && [ -d "$T/in/rc" ]; do
		for n in $(seq 20); do
			ln -sfn "$T/secretdir/secret.h" "l$n" && mv -T "l$n" "swap$n.h"
		done
		mv -T sub sub.real && ln -sfn "$T/secretdir" sub
		for n in $(seq 20); do
			echo "/* benign */" >"f$n" && mv -T "f$n" "swap$n.h"
		done
		rm -f sub && mv -T sub.real sub
	done
) 2>/dev/null &
swapper=$!
leaked=0
for i in $(seq 100); do
	dkms_ours add "$T/in/rc" --force >/dev/null 2>&1
	grep -rqs "secret-$$" "$T/src/rc-0.1" && leaked=$((leaked + 1))
	dkms_ours remove -m rc -v 0.1 --all >/dev/null 2>&1
	rm -rf "$T/src/rc-0.1"
done
kill "$swapper" 2>/dev/null
wait "$swapper" 2>/dev/null
is 0 "$leaked" "100 copies of a changing tree: the secret behind its links never read"

# ---- tarballs (ldtarball.c checks members before unpacking)
mkdir -p "$T/tar/dkms_source_tree"
echo x >"$T/tar/evil"
tar -C "$T/tar" -czf "$T/abs.tar.gz" dkms_source_tree \
	--transform 's|^dkms_source_tree|dkms_source_tree/../../evil|' 2>/dev/null
tar -C "$T/tar" -czf "$T/abs2.tar.gz" -P "$T/tar/evil" 2>/dev/null
refused "tarball member with .." 7 "contains '\.\.'" ldtarball "$T/abs.tar.gz"
refused "tarball member with an absolute path" 7 "absolute path" \
	ldtarball "$T/abs2.tar.gz"

# ---- what real packages write still works
mod "$T/in/ok" ok 'DEST_MODULE_LOCATION[0]="/kernel/../updates"' \
	'BUILT_MODULE_LOCATION[0]="./"'
out=$(dkms_ours add "$T/in/ok" 2>&1 &&
	dkms_ours install -m ok -v 0.1 -k "$K" 2>&1)
is 0 $? "DEST_MODULE_LOCATION=/kernel/../updates is accepted" || diag "$out"
out=$(dkms_ours status ok 2>&1)
like "$out" "^ok/0.1, $K, .*: installed" "and installed"

done_testing
