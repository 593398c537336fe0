#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile input is refused with one error naming the value or file, a
# non-zero exit, and nothing written: locations leaving their roots, module
# names with '/' or '..', unsafe -m/-v/-k, symlinks out of a source tree,
# sources another user can write (as root, without --force), tarball
# members with absolute or '..' names.  Legitimate odd confs still work.
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

# ---- symlinks out of a source tree
mod "$T/in/ln" ln 'DEST_MODULE_LOCATION[0]="/extra"'
ln -s /etc/passwd "$T/in/ln/passwd"
refused "symlink to an absolute path outside" 9 \
	"symlink $T/in/ln/passwd leads outside" add "$T/in/ln"
rm "$T/in/ln/passwd"
mkdir "$T/in/ln/sub"
ln -s ../../../secret "$T/in/ln/sub/up"
refused "relative symlink climbing out" 9 "symlink $T/in/ln/sub/up leads" \
	add "$T/in/ln"
rm "$T/in/ln/sub/up"
ln -s "$T/in/ln/ln.c" "$T/in/ln/abs.c"
refused "absolute symlink, even into the tree" 9 "symlink $T/in/ln/abs.c" \
	add "$T/in/ln"
rm "$T/in/ln/abs.c"
ln -s ../ln.c "$T/in/ln/sub/inside.c"
out=$(dkms_ours add "$T/in/ln" 2>&1)
is 0 $? "symlinks staying inside are copied" || diag "$out"
# a link planted in the registered source is refused by build
ln -s /etc "$T/src/ln-0.1/etc"
refused "build of a source with a link out" 9 "symlink $T/src/ln-0.1/etc" \
	build -m ln -v 0.1 -k "$K"
rm "$T/src/ln-0.1/etc"
out=$(dkms_ours build -m ln -v 0.1 -k "$K" 2>&1)
is 0 $? "the same source builds once the link is gone" || diag "$out"

# ---- sources another user can write
if [ "$(id -u)" = 0 ]; then
	mod "$T/in/ww" ww 'DEST_MODULE_LOCATION[0]="/extra"'
	chmod o+w "$T/in/ww/dkms.conf"
	refused "world-writable dkms.conf" 9 "$T/in/ww/dkms.conf is writable" \
		add "$T/in/ww"
	chmod o-w "$T/in/ww/dkms.conf"
	chown nobody "$T/in/ww"
	refused "source dir owned by another user" 9 "$T/in/ww is writable" \
		add "$T/in/ww"
	out=$(dkms_ours add "$T/in/ww" --force 2>&1)
	is 0 $? "--force accepts it" || diag "$out"
else
	skip "not root" 14
fi

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
