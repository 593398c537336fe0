#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The summary of a parallel autoinstall on a terminal (progress-live.c)
# says how each build ended from what its step knows (exit status, the
# make.log its build left, the BUILD_EXCLUSIVE skip), not from the text
# the build printed: modules whose scripts print 3.4.3's wording as
# decoys must not change it.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
command -v script >/dev/null || skip_all "script(1) (util-linux) is not installed"
K=6.1.0-1-fake
cy_init $K
A=(--root "$T/root" --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib")

# mod NAME [dkms.conf lines...]: a module NAME/1.0 that builds
mod() { tiny_module "$1" 1.0 AUTOINSTALL=yes "${@:2}"; }
# script NAME FILE BODY: an executable script in NAME's source
script_in() {
	printf '#!/bin/sh\n%s\n' "$3" >"$T/src/$1-1.0/$2"
	chmod 755 "$T/src/$1-1.0/$2"
}

# q1 succeeds, its post-install script saying it was skipped
mod q1 'POST_INSTALL="post.sh"'
script_in q1 post.sh "echo 'Module q1/1.0 already installed on kernel $K (x86_64), skip.'; echo BUILD_EXCLUSIVE"
# q2 is not for this kernel
mod q2 'BUILD_EXCLUSIVE_KERNEL="^7\."'
# q3's make fails with exit status 2
mod q3 'MAKE[0]="exit 2"'
# q4 builds, its pre-install script fails naming a log that is not its
mod q4 'PRE_INSTALL="pre.sh"'
script_in q4 pre.sh "echo 'Consult /decoy/make.log for more information.'; exit 1"
for n in q1 q2 q3 q4; do
	dk add -m $n -v 1.0
	is 0 "$rc" "$n added"
done

env TERM=xterm NO_COLOR=1 script -qfec "$(printf '%q ' "$DKMS" autoinstall -k $K -j 2 "${A[@]}")" \
	/dev/null </dev/null >"$T/.tty" 2>&1
tty=$(tr -d '\r' <"$T/.tty")
summary=$(sed -n '/^Autoinstall summary:/,/^$/p' <<<"$tty")
log=$T/dkms/q3/1.0/build/make.log
like "$summary" "^Autoinstall summary: 1 succeeded, 1 skipped, 2 failed in [0-9]+s" "the counts"
like "$summary" "^  succeeded q1/1\.0 for $K \([0-9]+s\)$" "q1: succeeded, whatever its script printed"
like "$summary" "^  skipped   q2/1\.0 for $K \([0-9]+s\): BUILD_EXCLUSIVE does not match this kernel$" "q2: skipped for BUILD_EXCLUSIVE"
like "$summary" "^  failed    q3/1\.0 for $K \([0-9]+s\): exit status 10, log $log$" "q3: make failed (exit 2), its own make.log"
check "q3: the make.log named is there" test -s "$log"
like "$summary" "^  failed    q4/1\.0 for $K \([0-9]+s\): exit status 101, pre_install failed, aborting install\. You may override by specifying --force\.$" \
	"q4: failed at install, no log (its build's is gone): dkms's own error, on one line"
is "" "$(grep decoy <<<"$summary")" "no decoy in the summary"
is 4 "$(grep -c '^  [a-z]' <<<"$summary")" "one line per build"
done_testing
