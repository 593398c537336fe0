#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential (tests/diff harness): ordinary PRE_INSTALL, POST_INSTALL,
# POST_ADD and POST_REMOVE scripts, run by 3.4.3 as root and by ours in
# the sandbox (the default), print the same, exit the same, leave the
# same trees: arguments, the dir they run in, reading their source, a
# scratch file in /tmp, failing exit codes, an /etc/dkms/<module>
# override.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
K=6.1.0-1-fake
d_plan 19

d_kernel $K fake
d_module hello 1.0
d_module stop 1.0 hello
# script NAME FILE BODY: an executable FILE in both copies of NAME-1.0
script() {
	local side
	for side in "$D_REF" "$D_OUR"; do
		printf '#!/bin/sh\n%s\n' "$3" >"$side/src/$1-1.0/$2"
		chmod +x "$side/src/$1-1.0/$2"
	done
}
script hello post-add.sh 'echo "post_add: $# args: $*"; echo "in: $(pwd | sed "s|.*/dkms/|<tree>/|")"; ls'
script hello pre-install.sh 'echo "pre_install $1 $2"; head -n 3 dkms.conf; t=$(mktemp); echo scratch >"$t"; cat "$t"; rm -f "$t"'
script hello post-install.sh 'echo "post_install, then a failure"; exit 3'
script hello post-remove.sh 'echo "post_remove: $(basename "$(pwd)")"; echo on stderr >&2'
d_both 'cat >>"$R/src/hello-1.0/dkms.conf" <<EOF
POST_ADD="post-add.sh one two"
PRE_INSTALL="pre-install.sh \${kernelver} x"
POST_INSTALL=post-install.sh
POST_REMOVE=post-remove.sh
EOF'
script stop pre-install.sh 'echo "refusing"; exit 7'
d_both 'sed -i "s/^PACKAGE_NAME=.*/PACKAGE_NAME=stop/; s/^BUILT_MODULE_NAME\[0\]=.*/BUILT_MODULE_NAME[0]=stop/" "$R/src/stop-1.0/dkms.conf"
mv "$R/src/stop-1.0/hello.c" "$R/src/stop-1.0/stop.c"
sed -i "s/hello/stop/g" "$R/src/stop-1.0/Makefile" "$R/src/stop-1.0/stop.c"
echo "PRE_INSTALL=pre-install.sh" >>"$R/src/stop-1.0/dkms.conf"'

d_step "add: POST_ADD with arguments" 0 add hello/1.0
d_step "build" 0 build hello/1.0 -k $K
d_step "install: PRE_INSTALL reads its source and /tmp, POST_INSTALL fails" 0 install hello/1.0 -k $K
d_tree "after install"
d_step "uninstall: POST_REMOVE" 0 uninstall hello/1.0 -k $K
d_tree "after uninstall"
d_step "add stop" 0 add stop/1.0
d_step "build stop" 0 build stop/1.0 -k $K
d_step "install: a failing PRE_INSTALL aborts (101)" 101 install stop/1.0 -k $K
d_step "install --force: goes on" 0 install stop/1.0 -k $K --force
d_tree "after a forced install"
d_step "remove stop" 0 remove stop/1.0 --all

# an override script in /etc/dkms/<module>/ runs from there
d_etc hello/post-install.sh '#!/bin/sh
echo "override in $(pwd)"; echo "$0"'
d_both 'chmod +x "$D_SCRATCH/etc-dkms/hello/post-install.sh"'
d_step "install: POST_INSTALL from /etc/dkms/hello" 0 install hello/1.0 -k $K
d_tree "after the override"
d_etc_clear
d_step "remove: POST_REMOVE" 0 remove hello/1.0 --all
d_tree "after remove"
# the same as a whole cycle through autoinstall
d_step "add again" 0 add hello/1.0
d_step "autoinstall: PRE_INSTALL and POST_INSTALL" 0 autoinstall -k $K
d_step "remove --all" 0 remove hello/1.0 --all
d_done
