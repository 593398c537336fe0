#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One writer at a time on a tree: two builds at once do the work once;
# a dkms called from a module's script while the tree is locked goes on.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
K=6.1.0-1-fake
cy_init $K
copy_module hello-0.1
copy_module provider-0.1
echo "MAKE=\"sleep 2; make -C \${kernel_source_dir} M=\${dkms_tree}/hello/0.1/build\"" \
	>>"$T/src/hello-0.1/dkms.conf"
dk add hello/0.1

o=(--root "$T/root" --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib")
"$DKMS" build hello/0.1 -k $K "${o[@]}" >"$T/o1" 2>&1 &
first=$!
sleep 0.5
"$DKMS" build hello/0.1 -k $K "${o[@]}" >"$T/o2" 2>&1
is 0 "$?" "second build exit code"
wait $first
is 0 "$?" "first build exit code"
like "$(cat "$T/o1")" "^Building module\(s\)\.\.\. done\.$" "the first one builds"
is "Module hello/0.1 already built for kernel $K (x86_64), skip. You may override by specifying --force." \
	"$(cat "$T/o2")" "the second one waited and found it built"

# POST_INSTALL calling dkms on the same tree: no deadlock
cat >"$T/src/hello-0.1/nested.sh" <<EOF
#!/bin/sh
exec "$DKMS" add provider/0.1 ${o[*]}
EOF
chmod +x "$T/src/hello-0.1/nested.sh"
echo 'POST_INSTALL="nested.sh"' >>"$T/src/hello-0.1/dkms.conf"
# (a sandboxed script cannot write the tree: this one must run as root)
echo 'script_sandbox="no"' >>"$T/root/etc/dkms/framework.conf"
timeout 60 "$DKMS" install hello/0.1 -k $K "${o[@]}" >"$T/o3" 2>&1
is 0 "$?" "install with a nested dkms"
like "$(cat "$T/o3")" "^Creating symlink <T>/dkms/provider/0.1/source|^Creating symlink $T/dkms/provider/0.1/source" "the nested dkms ran"
check "nothing added to the tree's layout" test -z "$(ls -A "$T/dkms" | grep '^\.')"

done_testing
