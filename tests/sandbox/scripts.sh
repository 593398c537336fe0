#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# PRE_INSTALL, POST_INSTALL, POST_ADD and POST_REMOVE run in the sandbox
# (fake kernel): a POST_INSTALL writing /etc and the install tree, a
# POST_ADD connecting to the loopback, a POST_REMOVE leaving a process
# behind, a PRE_INSTALL running forever, one filling memory.  Nothing
# outside a private /tmp changes, nothing survives, the limits trigger;
# exit codes mean what they mean in 3.4.3; script_sandbox="no" runs them
# as root.
. "$top_srcdir/tests/lib.sh"

K=6.1.0-1-fake
sandbox_scratch "$K"
MARK=dkms-evil-$$-$RANDOM
EVIL=/etc/dkms-evil-$$
FW=$T/root/etc/dkms/framework.conf

o=(--root "$T/root" --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib")
run() { "$DKMS" "$@" "${o[@]}"; }

# scripted NAME TYPE=BODY...: a hello module NAME/0.1 built with the fake
# kernel, whose TYPE script (pre_install, post_install, post_add,
# post_remove) is a bash script BODY.
scripted() {
	local name=$1 d=$T/src/$1-0.1 kv type
	shift
	mkdir -p "$d"
	cp "$top_srcdir/tests/modules/hello-0.1/hello.c" "$d/$name.c"
	echo "obj-m := $name.o" >"$d/Kbuild"
	{
		echo "PACKAGE_NAME=$name"
		echo "PACKAGE_VERSION=0.1"
		echo "BUILT_MODULE_NAME[0]=$name"
		echo "DEST_MODULE_LOCATION[0]=/extra"
		echo 'MAKE[0]="make -C ${kernel_source_dir} M=${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build"'
	} >"$d/dkms.conf"
	for kv; do
		type=${kv%%=*}
		printf '#!/bin/bash\n%s\n' "${kv#*=}" >"$d/$type.sh"
		chmod +x "$d/$type.sh"
		echo "${type^^}=\"$type.sh\"" >>"$d/dkms.conf"
	done
}

# a loopback listener recording connections
listen_loopback

WRITES="
echo x > $EVIL && echo WROTE-ETC
mkdir -p $T/lib/$K/extra && echo x > $T/lib/$K/evil.ko && echo WROTE-INSTALLTREE
echo x > $T/lib/$K/extra/evil.ko && echo WROTE-MODDIR
echo x > $T/dkms/evil && echo WROTE-DKMSTREE
echo x > $T/dkms/evil/0.1/evil && echo WROTE-VERSIONDIR
echo x > $T/src/evil-0.1/evil && echo WROTE-SOURCE
echo x > ./cwd-evil && echo WROTE-CWD
echo x > /tmp/dkms-evil-$$ && echo WROTE-PRIVATE-TMP
echo \"shadow: \$(head -c 5 /etc/shadow 2>&1)\"
echo \"uid: \$(id -u) pwd: \$(pwd)\""

scripted evil \
	"post_add=$WRITES
(echo hi > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && echo CONNECTED || echo NO-NETWORK" \
	"pre_install=echo pre-install: \$(id -u)" \
	"post_install=$WRITES" \
	"post_remove=setsid bash -c 'exec -a $MARK sleep 300' </dev/null >/dev/null 2>&1 &
(exec -a $MARK-2 sleep 300) </dev/null >/dev/null 2>&1 &
echo post-remove left two sleeps"

before=$(tree_listing "$T/lib"; tree_listing "$T/src"; ls -la /etc)
out=$(run add evil/0.1 2>&1)
is 0 "$?" "add with a hostile POST_ADD succeeds"
like "$out" "^Running the post_add script:$" "post_add announced as 3.4.3 does"
like "$out" "^uid: 65534 pwd: $T/dkms/evil/0.1/source$" "post_add: nobody, in the source dir"
like "$out" "^WROTE-PRIVATE-TMP$" "post_add: a private /tmp is writable"
like "$out" "^NO-NETWORK$" "post_add: no network"
sleep 0.3
check "post_add: no connection reached the listener" test ! -e "$T/connected"
kill "$LISTENER" 2>/dev/null
wait "$LISTENER" 2>/dev/null
check "post_add: no WROTE-ETC/INSTALLTREE/DKMSTREE/SOURCE/CWD" \
	sh -c "! printf '%s\n' \"\$1\" | grep -q 'WROTE-[EIMDVSC]'" - "$out"
like "$out" "^shadow: head: cannot open '/etc/shadow'" "post_add: /etc/shadow unreadable"

run build evil/0.1 -k "$K" >/dev/null 2>&1
is 0 "$?" "evil builds"
out=$(run install evil/0.1 -k "$K" 2>&1)
is 0 "$?" "install with a hostile POST_INSTALL succeeds"
like "$out" "^pre-install: 65534$" "pre_install runs as nobody"
like "$out" "^Running the post_install script:$" "post_install announced"
like "$out" "^uid: 65534 pwd: $T/dkms/evil/0.1/source$" "post_install: nobody, in the source dir"
check "post_install: no /etc/dkms-evil" test ! -e "$EVIL"
check "post_install: no evil.ko in the install tree" test ! -e "$T/lib/$K/evil.ko"
check "post_install: nothing written to the dkms tree" test ! -e "$T/dkms/evil/0.1/evil" -a ! -e "$T/dkms/evil/0.1/source/cwd-evil"
check "post_install: private /tmp is gone" test ! -e "/tmp/dkms-evil-$$"
check "post_install: no WROTE- but the private /tmp" \
	sh -c "! printf '%s\n' \"\$1\" | grep -q 'WROTE-[EIMDVSC]'" - "$out"
inst=$(cd "$T/lib/$K" && find . -name evil.ko)
is "./updates/dkms/evil.ko" "$inst" "only the real module is installed (Debian's updates/dkms)"
check "and it is the built one" cmp "$T/dkms/evil/0.1/$K/x86_64/module/evil.ko" "$T/lib/$K/updates/dkms/evil.ko"
after=$(tree_listing "$T/lib" | grep -v "/updates"; tree_listing "$T/src"; ls -la /etc)
is "$(printf '%s\n' "$before" | grep -v "modules\.")" "$(printf '%s\n' "$after" | grep -v "modules\.")" \
	"install tree (but the module and depmod's files), sources, /etc unchanged"

out=$(run uninstall evil/0.1 -k "$K" 2>&1)
is 0 "$?" "uninstall with a POST_REMOVE leaving processes succeeds"
like "$out" "^post-remove left two sleeps$" "post_remove ran"
sleep 0.3
# (a bracket so that the pattern does not match the grep itself)
check "nothing outlives post_remove" sh -c "! grep -qa '[${MARK:0:1}]${MARK:1}' /proc/[0-9]*/cmdline"
check "no sandbox process left" sh -c "! ps -u nobody -o args= | grep -q '[s]leep 300'"

# exit codes as in 3.4.3: a failing PRE_INSTALL aborts (101), a failing
# POST_ADD/POST_INSTALL/POST_REMOVE is ignored
scripted fail "post_add=echo failing post_add; exit 3" \
	"pre_install=echo failing pre_install; exit 4" \
	"post_install=exit 5" "post_remove=exit 6"
run add fail/0.1 >/dev/null 2>&1
is 0 "$?" "a failing post_add: add still succeeds"
run build fail/0.1 -k "$K" >/dev/null 2>&1
out=$(run install fail/0.1 -k "$K" 2>&1)
is 101 "$?" "a failing pre_install aborts the install (101)"
like "$out" "^Error! pre_install failed, aborting install\.$" "with 3.4.3's message"
out=$(run install fail/0.1 -k "$K" --force 2>&1)
is 0 "$?" "--force: a failing pre_install and post_install, installed"
run uninstall fail/0.1 -k "$K" >/dev/null 2>&1
is 0 "$?" "a failing post_remove: uninstalled"

# a script only root may run (mode 0700) is refused, not run as root
scripted private "pre_install=echo \"ran as \$(id -u)\""
chmod 0700 "$T/src/private-0.1/pre_install.sh"
run add private/0.1 >/dev/null 2>&1
run build private/0.1 -k "$K" >/dev/null 2>&1
out=$(run install private/0.1 -k "$K" 2>&1)
is 101 "$?" "a pre_install only root may run: install aborted (101)"
like "$out" "^Warning: The pre_install script cannot be run by the sandbox user 65534 \(file modes\); script_sandbox=\"no\"" \
	"clear message"
check "it did not run" sh -c "! printf '%s\n' \"\$1\" | grep -q 'ran as'" - "$out"

# limits (framework.conf): a PRE_INSTALL running forever, a POST_INSTALL
# filling memory
cat >"$FW" <<EOF
build_time_limit=2
build_memory_limit=64
EOF
scripted slow "pre_install=(exec -a $MARK-3 sleep 1000) & sleep 1000" \
	'post_install=x=y; while :; do x=$x$x; done'
run add slow/0.1 >/dev/null 2>&1
run build slow/0.1 -k "$K" >/dev/null 2>&1
t0=$(date +%s)
out=$(run install slow/0.1 -k "$K" 2>&1)
rc=$?
t1=$(date +%s)
is 101 "$rc" "a pre_install running forever: install aborted (101)"
check "killed after the time limit" test $((t1 - t0)) -lt 15
like "$out" "^Warning: The pre_install script was killed after 2 seconds \(build_time_limit in framework.conf\)\.$" \
	"clear message on stderr"
check "nothing outlives the pre_install" sh -c "! grep -qa '[${MARK:0:1}]${MARK:1}-3' /proc/[0-9]*/cmdline"
out=$(run install slow/0.1 -k "$K" --force 2>&1)
is 0 "$?" "a post_install filling memory: the install stands"
if grep -q "for the whole build (cgroup" "$T/dkms/slow/0.1/$K/x86_64/log/dkms-build-report"; then
	like "$out" "^Warning: The post_install script was killed at the sandbox's memory limit of 64 MiB" \
		"the cgroup's memory limit triggered, said on stderr"
else
	like "$out" "cannot allocate|out of memory" "the memory limit (RLIMIT_AS) triggered"
fi
rm -f "$FW"

# script_sandbox="no": the scripts run as root, where 3.4.3 runs them
# (depmod, update-alternatives, files in /etc); builds stay sandboxed
scripted root "post_install=echo \"uid: \$(id -u)\"; echo x > $T/root-wrote"
run add root/0.1 >/dev/null 2>&1
run build root/0.1 -k "$K" >/dev/null 2>&1
echo 'script_sandbox="no"' >"$FW"
out=$(run install root/0.1 -k "$K" 2>&1)
is 0 "$?" "script_sandbox=no: installed"
like "$out" "^uid: 0$" "script_sandbox=no: post_install runs as root"
check "script_sandbox=no: it writes outside" test -e "$T/root-wrote"
rm -f "$T/root-wrote"
run uninstall root/0.1 -k "$K" >/dev/null 2>&1
out=$(run install root/0.1 -k "$K" --sandbox 2>&1)
like "$out" "^uid: 65534$" "--sandbox wins over script_sandbox=no"
check "--sandbox: nothing written" test ! -e "$T/root-wrote"
run uninstall root/0.1 -k "$K" >/dev/null 2>&1
rm -f "$FW"
run build root/0.1 -k "$K" --force >/dev/null 2>&1
like "$(cat "$T/dkms/root/0.1/$K/x86_64/log/dkms-build-report")" "^sandbox: yes" \
	"the build itself stays sandboxed"
out=$(run install root/0.1 -k "$K" --no-sandbox 2>&1)
like "$out" "^uid: 0$" "--no-sandbox: scripts run as root too"
rm -f "$T/root-wrote"
run uninstall root/0.1 -k "$K" >/dev/null 2>&1
echo 'build_sandbox="no"' >"$FW"
out=$(run install root/0.1 -k "$K" 2>&1)
like "$out" "^uid: 0$" "build_sandbox=no: scripts unsandboxed too"
run uninstall root/0.1 -k "$K" >/dev/null 2>&1
rm -f "$FW" "$T/root-wrote"

# an override script in /etc/dkms/<module>/ runs there, sandboxed
mkdir -p "$T/root/etc/dkms/root"
printf '#!/bin/sh\necho "override: $(id -u) $(pwd)"\n' >"$T/root/etc/dkms/root/post_install.sh"
chmod +x "$T/root/etc/dkms/root/post_install.sh"
out=$(run install root/0.1 -k "$K" 2>&1)
like "$out" "^override: 65534 $T/root/etc/dkms/root$" "an /etc/dkms/<module> override runs sandboxed, there"
run uninstall root/0.1 -k "$K" >/dev/null 2>&1
rm -rf "$T/root/etc/dkms/root"

# a set-up the kernel refuses: one warning naming the cause, then the
# script runs unsandboxed
if unshare -Ur true 2>/dev/null; then
	out=$(unshare -Ur "$DKMS" install root/0.1 -k "$K" "${o[@]}" 2>&1)
	is 1 "$(printf '%s\n' "$out" | grep -c "^Warning: Running the post_install script without the sandbox: its set-up failed (setgroups: Operation not permitted)\.$")" \
		"refused set-up: one warning naming the cause"
	rm -f "$T/root-wrote"
else
	skip "no user namespaces"
fi

rm -f "$EVIL" "/tmp/dkms-evil-$$"
done_testing
