#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: source trees as real packages and developers have them.
# Symlinks out of the tree (Debian's iptables-netflow-dkms ships
# README.gz -> ../../share/doc/...; an absolute one; a dir) through add by
# path, add, build, install, mktarball, ldtarball and remove: exit codes,
# output and trees (links copied as links) as 3.4.3's.  A tree owned by
# another user: add by path and add as 3.4.3; its build, where it is,
# prints ours' one warning more (what is at stake), nothing else differs.
# A package building in its source dir (M=/usr/src/<m>-<v>) builds.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
K=6.1.0-1-fake
d_plan 32

d_kernel $K fake

# links NAME-VERSION DIR: the links a source tree at DIR gets.
links() {
	mkdir -p "$2/sub"
	ln -sfn "../../share/doc/$1/README.gz" "$2/README.gz"
	ln -sfn /etc/os-release "$2/os-release"
	ln -sfn ../../../include "$2/sub/include"
	ln -sfn ../hello.c "$2/sub/hello.c"
}
d_both 'mkdir -p "$R/share/doc/hello-1.0" && echo docs | gzip >"$R/share/doc/hello-1.0/README.gz"'
d_both 'd_fixture hello 1.0 "$R/pkg/hello-1.0" && links hello-1.0 "$R/pkg/hello-1.0"'

d_step "add PATH of a tree with links out" 0 add @ROOT@/pkg/hello-1.0
d_tree "the links copied as links"
d_step "build" 0 build hello/1.0 -k $K
d_step "install" 0 install hello/1.0 -k $K
d_step "status" 0 status
d_tree "installed"
d_step "mktarball" 0 mktarball hello/1.0 -k $K
d_same "the tarball's links" 'tar -tvzf "$R/dkms/hello/1.0/tarball/hello-1.0-kernel'$K'-x86_64.dkms.tar.gz" |
	awk "/^l/ { print \$6, \$7, \$8 }" | LC_ALL=C sort'
d_both 'mkdir -p "$R/keep" && cp "$R/dkms/hello/1.0/tarball/"*.tar.gz "$R/keep/hello.tar.gz"'
d_step "remove --all" 0 remove hello/1.0 --all
d_both 'rm -rf "$R/src/hello-1.0"'
d_step "ldtarball of it" 0 ldtarball @ROOT@/keep/hello.tar.gz
d_tree "loaded, links as links"
d_step "install from the tarball's build" 0 install hello/1.0 -k $K
d_step "remove --all again" 0 remove hello/1.0 --all
d_tree "removed"

# as the package's postinst adds it: in place, by name
d_both 'd_fixture hello 2.0 "$R/src/hello-2.0" && links hello-2.0 "$R/src/hello-2.0"'
d_step "add -m/-v of a tree with links out" 0 add -m hello -v 2.0
d_step "install (builds)" 0 install hello/2.0 -k $K
d_tree "installed from the tree in place"
d_step "remove" 0 remove hello/2.0 --all

# a package that builds in its source dir (west-chamber-dkms builds with
# M=/usr/src/<m>-<v>): 3.4.3 writes there as root; ours' sandboxed build
# finds its build dir there, and the source stays as it was
d_both 'd_fixture hello 4.0 "$R/src/hello-4.0" && sed -i "/^BUILT_MODULE_NAME/i MAKE[0]=\"make -C \${kernel_source_dir} M=\${source_tree}/hello-4.0 \&\& mv \${source_tree}/hello-4.0/hello.ko \${dkms_tree}/hello/4.0/build/\"" "$R/src/hello-4.0/dkms.conf"'
d_step "add a package building in its source dir" 0 add hello/4.0
d_step "build it" 0 build hello/4.0 -k $K
d_step "install it" 0 install hello/4.0 -k $K
d_same "the dkms and install trees" 'd_list "$R" | grep -v "^. src/"'
if [ -z "$(find "$D_OUR/src/hello-4.0" -newer "$D_OUR/src/hello-4.0/dkms.conf" ! -type d)" ]; then
	d_ok "ours left the source as it was"
else
	d_notok "ours left the source as it was"
fi
d_step "remove it" 0 remove hello/4.0 --all
# (3.4.3 left its objects in the source)
d_both 'rm -rf "$R/src/hello-4.0"'

# d_step_warned NAME RC REGEX ARGS...: d_step, but ours' stderr has one
# line more, matching REGEX, that 3.4.3 does not print.
d_step_warned() {
	local name=$1 want=$2 re=$3 why=
	shift 3
	d_run "$D_REF" "$DKMS_REFERENCE" "$@"
	d_run "$D_OUR" "$DKMS" "$@"
	[ "$(cat "$D_SCRATCH/out.ref.rc")" = "$want" ] || why="$why reference exited $(cat "$D_SCRATCH/out.ref.rc");"
	[ "$(cat "$D_SCRATCH/out.our.rc")" = "$want" ] || why="$why ours exited $(cat "$D_SCRATCH/out.our.rc");"
	cmp -s "$D_SCRATCH/out.ref.n1" "$D_SCRATCH/out.our.n1" || why="$why stdout differs;"
	[ "$(grep -cE "$re" "$D_SCRATCH/out.our.n2")" = 1 ] || why="$why not one warning;"
	grep -vE "$re" "$D_SCRATCH/out.our.n2" | cmp -s "$D_SCRATCH/out.ref.n2" - ||
		why="$why stderr differs otherwise;"
	if [ -z "$why" ]; then
		d_ok "$name (exit $want, one warning more)"
		return 0
	fi
	d_notok "$name"
	{
		echo "why:$why"
		diff -u "$D_SCRATCH/out.ref.n1" "$D_SCRATCH/out.our.n1" | tail -n +3
		diff -u "$D_SCRATCH/out.ref.n2" "$D_SCRATCH/out.our.n2" | tail -n +3
	} | head -n 60 | d_diag
	return 1
}

# a developer's checkout: owned by another user, group-writable
d_both 'd_fixture hello 3.0 "$R/home/hello-3.0" && links hello-3.0 "$R/home/hello-3.0" &&
	chown -R nobody "$R/home/hello-3.0" && chmod -R g+w "$R/home/hello-3.0"'
d_step "add PATH of another user's tree" 0 add @ROOT@/home/hello-3.0
d_tree "copied"
d_step "install from the copy" 0 install hello/3.0 -k $K
d_step "remove it" 0 remove hello/3.0 --all
d_both 'rm -rf "$R/src/hello-3.0" && ln -s "$R/home/hello-3.0" "$R/src/hello-3.0"'
d_step "add -m/-v of another user's tree in place" 0 add -m hello -v 3.0
d_step_warned "build of it: one warning of what is at stake" 0 \
	"^Warning: @ROOT@/home/hello-3.0 is owned by nobody: the module built from it is loaded by the kernel" \
	build hello/3.0 -k $K
d_step "install" 0 install hello/3.0 -k $K
d_tree "installed from another user's tree"
d_done
