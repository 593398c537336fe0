#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: make.log is 3.4.3's, byte for byte (once the roots, the
# date line and the elapsed times are evened out), on fake kernels and on
# a real kernel's headers: a plain build, PATCH, PRE_BUILD/POST_BUILD, a
# failed build (build/make.log), a parallel autoinstall under dkms's
# jobserver, commands with escapes (3.4.3 echoes them with echo -e, on
# stdout too).  Our own facts (sandbox, memory limit, jobserver) are in
# dkms-build-report beside it, which goes where make.log goes, through
# mktarball and ldtarball too, and status --json reads.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
K=6.1.0-1-fake
KR=6.1.0-56-amd64
d_plan 48

d_kernel $K fake
for m in hello-0.1 patched-0.1 scripts-0.1 broken-0.1 multi-0.1; do
	d_shared_module $m
done

# d_log NAME FILE: FILE (under each side's root) is the same on both
# sides; the second line of a make.log is the date the build began.
d_log() {
	d_same "make.log: $1" "sed '2s/^[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* [A-Z]* [0-9]*\$/@DATE@/' \"\$R/$2\""
}

# ours NAME 'shell test using $R': a check of our side alone.
ours() {
	local R=$D_OUR
	if eval "$2"; then
		d_ok "$1"
	else
		d_notok "$1"
	fi
}

# report FILE KEY: the value of KEY's last line in our report FILE.
report() { sed -n "s/^$2: //p" "$D_OUR/$1" 2>/dev/null | tail -n 1; }

# json FILTER ARGS...: jq FILTER of our status --json
json() {
	local f=$1
	shift
	# shellcheck disable=SC2046
	"$DKMS" status --json "$@" $(d_tree_opts "$D_OUR") | jq -c "$f"
}


L=dkms/hello/0.1/$K/x86_64/log
d_step "add hello" 0 add hello/0.1
d_step "build hello" 0 build hello/0.1 -k $K
d_log "a plain build" $L/make.log
ours "our report beside make.log, for this build" \
	'[ "$(report $L/dkms-build-report build)" = "hello/0.1 for kernel '$K' (x86_64)" ]'
ours "the report says how the sandbox ran" \
	'report $L/dkms-build-report sandbox | grep -Eq "^(yes \(uid [0-9]+, .*memory limit [0-9]+ MiB |no \()"'
ours "make.log has no line of ours" '! grep -q "^DKMS:\|sandbox" "$R/$L/make.log"'
if command -v jq >/dev/null; then
	ours "status --json: the report, its memory limit, no warnings" \
		'[ "$(json "[.[0].report, .[0].memory_limit // \"\", .[0].warnings]" -m hello)" = \
		   "$(jq -cn --arg r "$R/$L/dkms-build-report" --arg m "$(report $L/dkms-build-report "memory limit")" "[\$r, \$m, []]")" ]'
else
	d_skip 1 "jq is not installed"
fi

for m in patched scripts; do
	d_step "add $m" 0 add $m/0.1
	d_step "build $m" 0 build $m/0.1 -k $K
	d_log "$m" dkms/$m/0.1/$K/x86_64/log/make.log
done
ours "POST_BUILD's stamp and our report side by side in log/" \
	'[ -f "$R/dkms/scripts/0.1/'$K'/x86_64/log/post-build.stamp" ] &&
	 [ -f "$R/dkms/scripts/0.1/'$K'/x86_64/log/dkms-build-report" ]'

d_step "add broken" 0 add broken/0.1
d_step "build broken: make fails" 10 build broken/0.1 -k $K
d_log "a failed build's, in build/" dkms/broken/0.1/build/make.log
ours "the failed build's report in build/ beside make.log" \
	'[ "$(report dkms/broken/0.1/build/dkms-build-report build)" = "broken/0.1 for kernel '$K' (x86_64)" ]'
if command -v jq >/dev/null; then
	ours "status --json: the failed build's report" \
		'[ "$(json ".[0] | [.state, .reason, .report]" -m broken -k '$K')" = \
		   "[\"added\",\"make failed with exit 2\",\"$R/dkms/broken/0.1/build/dkms-build-report\"]" ]'
else
	d_skip 1 "jq is not installed"
fi
d_step "remove broken" 0 remove broken/0.1 --all
d_tree "after the builds (our report aside)"

# 3.4.3 prints a command and its description with echo -e, in make.log
# and on stdout: escapes are interpreted, and \c ends the line there.
# esc's MAKE has \t, \n, \x41, \0102 and a comment ending in \c;
# escfail's fails, for the "Failed command:" lines.
# conf LINE...: hello-0.1's dkms.conf with these lines instead of MAKE
conf() {
	local name=$1
	shift
	d_both 'rm -rf "$R/src/'$name'-0.1" && cp -a "$R/src/hello-0.1" "$R/src/'$name'-0.1" &&
		sed -i -e "/^MAKE/d" -e "s/^PACKAGE_NAME=.*/PACKAGE_NAME=\"'$name'\"/" \
			-e "s/^BUILT_MODULE_NAME\[0\]=.*/BUILT_MODULE_NAME[0]=\"hello\"/" "$R/src/'$name'-0.1/dkms.conf"'
	for line; do
		d_both 'printf "%s\n" "$line" >>"$R/src/'$name'-0.1/dkms.conf"'
	done
}
# shellcheck disable=SC2016 # dkms.conf text
conf esc 'MAKE[0]="make -C ${kernel_source_dir} M=${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build KCPPFLAGS=-DX=a\\\\tb\\\\nc\\\\x41\\\\0102 #\\\\c ends here"'
conf escfail 'MAKE[0]="false a\\\\tb \\\\x41"'
d_step "add esc" 0 add esc/0.1
d_step "build esc --verbose: the command echoed" 0 build esc/0.1 -k $K --verbose
d_log "escapes and \\c in the command" dkms/esc/0.1/$K/x86_64/log/make.log
d_step "add escfail" 0 add escfail/0.1
d_step "build escfail: Failed command, echoed" 10 build escfail/0.1 -k $K
d_log "a failed command with escapes" dkms/escfail/0.1/build/make.log
d_step "remove esc" 0 remove esc/0.1 --all
d_step "remove escfail" 0 remove escfail/0.1 --all

# Several builds in one autoinstall: ours runs them side by side, their
# makes under dkms's jobserver; make.log still shows 3.4.3's command.
K2=6.1.0-2-fake
d_kernel $K2 fake
d_step "add multi" 0 add multi/0.1
d_step "autoinstall on $K2" 0 autoinstall -k $K2
for m in hello patched scripts; do
	d_log "autoinstall: $m" dkms/$m/0.1/$K2/x86_64/log/make.log
done
ours "every build's report in its log dir" \
	'n=0; for m in hello patched scripts multi; do
		[ -f "$R/dkms/$m/0.1/'$K2'/x86_64/log/dkms-build-report" ] && n=$((n + 1))
	 done; [ $n = 4 ]'
grep -l "^jobserver: " "$D_OUR"/dkms/*/0.1/$K2/x86_64/log/dkms-build-report 2>/dev/null |
	wc -l | sed 's/^/builds under the jobserver: /' | d_diag

# mktarball carries the log dir, report and all; ldtarball brings it back
TB=dkms/hello/0.1/tarball/hello-0.1-kernel$K-x86_64.dkms.tar.gz
d_step "mktarball" 0 mktarball hello/0.1 -k $K
ours "the tarball holds make.log and our report" \
	'tar -tzf "$R/'$TB'" | grep -q "dkms_main_tree/'$K'/x86_64/log/make.log$" &&
	 tar -tzf "$R/'$TB'" | grep -q "dkms_main_tree/'$K'/x86_64/log/dkms-build-report$"'
d_both 'mkdir -p "$R/keep" && cp "$R/'$TB'" "$R/keep/"'
d_step "remove hello" 0 remove hello/0.1 --all
ours "remove takes the report with make.log" '! [ -e "$R/$L" ]'
d_step "ldtarball" 0 ldtarball @ROOT@/keep/hello-0.1-kernel$K-x86_64.dkms.tar.gz
d_log "after ldtarball" $L/make.log
ours "ldtarball brings the report back" \
	'[ "$(report $L/dkms-build-report build)" = "hello/0.1 for kernel '$K' (x86_64)" ]'
d_tree "after ldtarball (our report aside)"

# a real kernel's headers: kbuild's own output, BTF and all
if d_have_headers; then
	d_kernel $KR real
	d_step "build hello on $KR" 0 build hello/0.1 -k $KR
	d_log "real headers" dkms/hello/0.1/$KR/x86_64/log/make.log
	ours "real headers: our report" \
		'[ "$(report dkms/hello/0.1/'$KR'/x86_64/log/dkms-build-report build)" = "hello/0.1 for kernel '$KR' (x86_64)" ]'
	d_step "unbuild hello on $KR" 0 unbuild hello/0.1 -k $KR
	ours "unbuild takes the report with make.log" '! [ -e "$R/dkms/hello/0.1/'$KR'" ]'
else
	d_skip 5 "no Debian kernel headers ($D_REAL_KERNELS)"
fi
d_done
