# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile module sources built in the sandbox (fake kernel): writes outside
# the build dir, reads of secrets, a network connection, a process meant to
# outlive the build, a PRE_BUILD replacing the source link, a .ko that is a
# symlink or huge, memory filling, a build running forever.  Nothing outside
# the build dir changes, nothing survives, the limits trigger.
. "$top_srcdir/tests/lib.sh"

K=6.1.0-1-fake
sandbox_scratch "$K"
MARK=dkms-evil-$$-$RANDOM

o=(--root "$T/root" --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib")
run() { "$DKMS" "$@" "${o[@]}"; }

# evil NAME SCRIPT [CONF...]: a module whose MAKE runs SCRIPT (bash, in the
# build dir) before building hello.ko with the fake kernel.
evil() {
	local name=$1 script=$2 d
	shift 2
	d=$T/src/$name-0.1
	mkdir -p "$d"
	cp "$top_srcdir/tests/modules/hello-0.1/hello.c" "$d/$name.c"
	echo "obj-m := $name.o" >"$d/Kbuild"
	printf '%s\n' "$script" >"$d/evil.sh"
	{
		echo "PACKAGE_NAME=$name"
		echo "PACKAGE_VERSION=0.1"
		echo "BUILT_MODULE_NAME[0]=$name"
		echo "DEST_MODULE_LOCATION[0]=/extra"
		echo 'MAKE[0]="bash ./evil.sh && make -C ${kernel_source_dir} M=${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build"'
		printf '%s\n' "$@"
	} >"$d/dkms.conf"
}

# a loopback listener recording connections
listen_loopback

evil writer "
echo x > /etc/dkms-evil-$$ && echo WROTE-ETC
mkdir -p $T/lib/$K/kernel && echo x > $T/lib/$K/evil.ko && echo WROTE-INSTALLTREE
echo x > $T/dkms/evil && echo WROTE-DKMSTREE
echo x > $T/src/writer-0.1/evil && echo WROTE-SOURCE
echo x > /tmp/dkms-evil-$$ && echo WROTE-PRIVATE-TMP
echo \"shadow: \$(head -c 5 /etc/shadow 2>&1)\"
echo \"root: \$(ls /root 2>&1 | head -n 1)\"
(echo hi > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && echo CONNECTED
setsid bash -c 'exec -a $MARK sleep 300' </dev/null >/dev/null 2>&1 &
(exec -a $MARK-2 sleep 300) </dev/null >/dev/null 2>&1 &
echo \"uid: \$(id -u) host: \$(hostname) uts: \$(readlink /proc/self/ns/uts)\"
echo \"run: \$(ls -A /run | wc -l) procs: \$(ls -d /proc/[0-9]* | wc -l)\"
true"

run add writer/0.1 >/dev/null
before=$(tree_listing "$T/lib"; tree_listing "$T/src"; ls -la /etc)
out=$(run build writer/0.1 -k "$K" 2>&1)
is 0 "$?" "the hostile build itself succeeds"
log=$(cat "$T/dkms/writer/0.1/$K/x86_64/log/make.log" 2>/dev/null)
like "$(cat "$T/dkms/writer/0.1/$K/x86_64/log/dkms-build-report" 2>/dev/null)" \
	"^sandbox: yes" "the build report: sandboxed"
check "no /etc/dkms-evil" test ! -e "/etc/dkms-evil-$$"
check "no evil.ko in the install tree" test ! -e "$T/lib/$K/evil.ko"
check "nothing written to the dkms tree" test ! -e "$T/dkms/evil"
check "nothing written to the source" test ! -e "$T/src/writer-0.1/evil"
check "private /tmp is gone" test ! -e "/tmp/dkms-evil-$$"
like "$log" "^WROTE-PRIVATE-TMP$" "private /tmp was writable"
is "$before" "$(tree_listing "$T/lib"; tree_listing "$T/src"; ls -la /etc)" \
	"install tree, sources and /etc unchanged"
like "$log" "^shadow: head: cannot open '/etc/shadow'" "/etc/shadow unreadable"
like "$log" "^root: ls: cannot open directory '/root'" "/root unreadable"
check "no WROTE-ETC/INSTALLTREE/DKMSTREE in make.log" \
	sh -c "! grep -q 'WROTE-ETC\|WROTE-INSTALLTREE\|WROTE-DKMSTREE' '$T/dkms/writer/0.1/$K/x86_64/log/make.log'"
# the source dir is writable, as in 3.4.3, but what is written there goes
# to a copy that goes with the build (checked above: the source unchanged)
like "$log" "^WROTE-SOURCE$" "the source dir was writable (its copy)"
check "its copy is gone" test ! -e "$T/dkms/writer/0.1/.source-copy"
# the host's name (modules may record it, as under 3.4.3), in a UTS
# namespace of its own
like "$log" "^uid: 65534 host: $(hostname) uts: uts:\[[0-9]+\]$" "runs as nobody, the host's name"
unlike "$log" "uts: $(readlink /proc/self/ns/uts | sed 's/[][]/\\&/g')$" "in its own UTS namespace"
like "$log" "^run: 0 procs: [0-9]$" "an empty /run, a /proc of its own"
sleep 0.3
check "no connection to the loopback listener" test ! -e "$T/connected"
check "no CONNECTED in make.log" sh -c "! grep -q CONNECTED '$T/dkms/writer/0.1/$K/x86_64/log/make.log'"
# (a bracket so that the pattern does not match the grep itself)
check "nothing outlives the build" sh -c "! grep -qa '[${MARK:0:1}]${MARK:1}' /proc/[0-9]*/cmdline"
kill "$LISTENER" 2>/dev/null
wait "$LISTENER" 2>/dev/null
check "module built" test -f "$T/dkms/writer/0.1/$K/x86_64/module/writer.ko"
check "build dir removed" test ! -e "$T/dkms/writer/0.1/build"
if command -v jq >/dev/null; then
	is true "$(run status --json -m writer | jq -c '.[0].sandboxed')" "status --json: sandboxed"
else
	skip "jq is not installed"
fi

# PRE_BUILD replacing the source symlink with one to /etc
evil relink "true" 'PRE_BUILD="pre.sh"'
printf '#!/bin/bash\nln -sfn /etc %s/dkms/relink/0.1/source; ln -sfn /etc %s/dkms/relink/0.1/build/etclink; exit 0\n' "$T" "$T" \
	>"$T/src/relink-0.1/pre.sh"
chmod +x "$T/src/relink-0.1/pre.sh"
run add relink/0.1 >/dev/null
run build relink/0.1 -k "$K" >/dev/null 2>&1
is "$T/src/relink-0.1" "$(readlink "$T/dkms/relink/0.1/source")" "PRE_BUILD could not replace the source link"
check "relink built" test -f "$T/dkms/relink/0.1/$K/x86_64/module/relink.ko"

# a .ko that is a symlink to /etc/shadow
evil shadow "true" 'MAKE[0]="ln -s /etc/shadow shadow.ko"'
run add shadow/0.1 >/dev/null
out=$(run build shadow/0.1 -k "$K" 2>&1)
is 7 "$?" "a symlinked .ko is refused (7)"
like "$out" "Refusing .*/shadow\.ko built in the sandbox: not a regular file" "clear message"
check "shadow's content went nowhere" sh -c "! grep -rqsF '$(head -n 1 /etc/shadow)' '$T/dkms' '$T/lib'"

# a .ko in a directory that is a symlink
evil subdir "true" 'MAKE[0]="ln -s /lib/modules sub"' 'BUILT_MODULE_LOCATION[0]=sub/'
run add subdir/0.1 >/dev/null
out=$(run build subdir/0.1 -k "$K" 2>&1)
is 7 "$?" "a .ko behind a symlinked directory is refused"

# a huge .ko (sparse)
evil huge "true" 'MAKE[0]="truncate -s 700M huge.ko"'
run add huge/0.1 >/dev/null
out=$(run build huge/0.1 -k "$K" 2>&1)
is 7 "$?" "a huge .ko is refused (7)"
like "$out" "too big for a module" "clear message"

# a .ko that is not a module
evil junk "true" 'MAKE[0]="echo junk > junk.ko"'
run add junk/0.1 >/dev/null
out=$(run build junk/0.1 -k "$K" 2>&1)
is 7 "$?" "a .ko that is not a module is refused (7)"

# a dkms.conf that needs bash and writes outside when evaluated
evil confw "true" "touch $T/conf-wrote /etc/dkms-conf-evil-$$ 2>/dev/null; X=\$(id -u)" 'PACKAGE_VERSION="0.$((1))"'
run add confw/0.1 >/dev/null 2>&1
is 0 "$?" "a conf evaluated by bash is added"
check "its evaluation wrote nothing" test ! -e "$T/conf-wrote" -a ! -e "/etc/dkms-conf-evil-$$"
run build confw/0.1 -k "$K" --no-sandbox >/dev/null 2>&1
check "control: without the sandbox it writes" test -e "$T/conf-wrote"
rm -f "/etc/dkms-conf-evil-$$"

# limits, from framework.conf
cat >"$T/root/etc/dkms/framework.conf" <<EOF
build_time_limit=2
build_memory_limit=64
EOF
evil forever "sleep 1000"
run add forever/0.1 >/dev/null
t0=$(date +%s)
out=$(run build forever/0.1 -k "$K" 2>&1)
rc=$?
t1=$(date +%s)
is 10 "$rc" "a build running forever fails (10)"
check "killed after the time limit" test $((t1 - t0)) -lt 15
like "$out" "killed after 2 seconds" "clear message on stderr"
like "$(cat "$T/dkms/forever/0.1/build/dkms-build-report")" "^warning: Building module\(s\): the command was killed after 2 seconds" \
	"and in the build report left in the build dir"

evil hog 'x=y; while :; do x=$x$x; done'
run add hog/0.1 >/dev/null
out=$(run build hog/0.1 -k "$K" 2>&1)
is 10 "$?" "a build filling memory fails (10)"
log=$(cat "$T/dkms/hog/0.1/build/make.log")
rep=$(cat "$T/dkms/hog/0.1/build/dkms-build-report")
like "$rep" "memory limit of 64 MiB" "the build report names the memory limit"
# a cgroup when the machine lets us (sandbox-cgroup.c), else RLIMIT_AS;
# the report says which, and the kill is reported either way
if [[ $rep == *"memory limit 64 MiB for the whole build (cgroup"* ]]; then
	diag "memory limit here: cgroup"
	like "$rep" "^warning: Building module\(s\): the command ran out of memory: the kernel killed it at the build sandbox's memory limit of 64 MiB for the whole build \(cgroup v[12] " \
		"cgroup: the report says the kernel killed it at the limit"
	like "$out" "Warning: The build was killed at the sandbox's memory limit of 64 MiB" \
		"cgroup: and so does stderr"
	# in our own memory cgroup, none left by a dkms that has ended
	left=
	for d in /sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)/dkms-sandbox-* \
		 /sys/fs/cgroup$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)/dkms-sandbox-*; do
		[ -d "$d" ] || continue
		p=${d##*/dkms-sandbox-}
		kill -0 "${p%%-*}" 2>/dev/null || left="$left $d"
	done
	is "" "$left" "cgroup: removed afterwards"
else
	diag "memory limit here: RLIMIT_AS"
	like "$rep" "memory limit 64 MiB per process \(RLIMIT_AS" "rlimit: the report says which limit"
	like "$log" "cannot allocate" "rlimit: the allocation failed"
	skip "no cgroup here: no stderr report" 1
fi
# the same without cgroups (hidden): RLIMIT_AS, said in the build report
out=$(unshare -m sh -c 'mount -t tmpfs none /sys/fs/cgroup && exec "$@"' - \
	"$DKMS" build hog/0.1 -k "$K" --force "${o[@]}" 2>&1)
is 10 "$?" "without cgroups: a build filling memory fails (10)"
rep=$(cat "$T/dkms/hog/0.1/build/dkms-build-report")
like "$rep" "^memory limit: 64 MiB per process \(RLIMIT_AS" "without cgroups: the report says RLIMIT_AS applied"
like "$rep" "^warning: Building module\(s\): the command failed in the build sandbox, which has a memory limit of 64 MiB per process" \
	"without cgroups: the report names the limit"
rm -f "$T/root/etc/dkms/framework.conf"

# a failing build that forges the build report it leaves in the build
# dir: the report there is dkms's own, written after the build
evil forge "printf 'build: forge/0.1 for kernel $K (x86_64)\\nsandbox: no (forged)\\nwarning: forged\\n' >dkms-build-report; echo 'warning: forged'; exit 1"
run add forge/0.1 >/dev/null
run build forge/0.1 -k "$K" >/dev/null 2>&1
rep=$(cat "$T/dkms/forge/0.1/build/dkms-build-report" 2>/dev/null)
like "$rep" "^sandbox: yes" "a forged build report is replaced by dkms's"
unlike "$rep" "forged" "nothing of the forgery is left in it"

# the same hostile build without the sandbox does write (a control), in
# scratch paths only
evil plain "echo x > $T/plain-wrote"
run add plain/0.1 >/dev/null
run build plain/0.1 -k "$K" --no-sandbox >/dev/null 2>&1
check "control: --no-sandbox runs unconfined" test -e "$T/plain-wrote"
like "$(cat "$T/dkms/plain/0.1/$K/x86_64/log/dkms-build-report")" "^sandbox: no \(disabled by --no-sandbox\)" "the build report says why"
command -v jq >/dev/null && is false "$(run status --json -m plain | jq -c '.[0].sandboxed')" "status --json: not sandboxed"
echo 'build_sandbox="no"' >"$T/root/etc/dkms/framework.conf"
rm -f "$T/plain-wrote"
run build plain/0.1 -k "$K" --force >/dev/null 2>&1
check "build_sandbox=no in framework.conf" test -e "$T/plain-wrote"
rm -f "$T/plain-wrote"
run build plain/0.1 -k "$K" --force --sandbox >/dev/null 2>&1
check "--sandbox wins over framework.conf" test ! -e "$T/plain-wrote"
rm -f "/etc/dkms-evil-$$" "/tmp/dkms-evil-$$"

# a set-up the kernel refuses (in a user namespace, uid 65534 is not
# mapped): one warning naming the cause, the build runs unsandboxed
rm -f "$T/root/etc/dkms/framework.conf"
if unshare -Ur true 2>/dev/null; then
	copy_module hello-0.1
	run add hello/0.1 >/dev/null 2>&1
	out=$(unshare -Ur "$DKMS" build hello/0.1 -k "$K" "${o[@]}" 2>&1)
	is 0 "$?" "refused set-up: the build still succeeds"
	is 1 "$(printf '%s\n' "$out" | grep -c "Warning: Building without the sandbox: its set-up failed (setgroups: Operation not permitted)")" \
		"refused set-up: one warning naming the cause"
	like "$(cat "$T/dkms/hello/0.1/$K/x86_64/log/dkms-build-report")" "^sandbox: no \(its set-up failed" "refused set-up: the build report says why"
else
	skip "no user namespaces" 3
fi

# trees the sandbox user cannot reach (a 0700 dir outside /tmp): one
# warning naming the cause, and the build runs without the sandbox
T0=$T
TMPDIR=/var/tmp scratch
mk_trees "$T"
fake_kernel "$T" "$K"
copy_module hello-0.1
o=(--root "$T0/root" --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib")
rm -f "$T0/root/etc/dkms/framework.conf"
run add hello/0.1 >/dev/null 2>&1
out=$(run build hello/0.1 -k "$K" 2>&1 >/dev/null)
is 0 "$?" "unreachable trees: the build still succeeds"
is "Warning: Building without the sandbox: user 65534 cannot reach $T/dkms/hello/0.1/build." \
	"$(printf '%s\n' "$out" | grep -v "^$" | grep -v "^stat: ")" "one warning naming the cause"
like "$(cat "$T/dkms/hello/0.1/$K/x86_64/log/dkms-build-report")" "^sandbox: no \(user 65534 cannot reach" "the build report says why"

done_testing
