#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: what dkms takes from the environment it is started with.
# 3.4.3 is a bash script: the framework.conf variables it only defaults
# when unset (parallel_jobs, post_transaction, build_environment, the
# signing ones), ADDON_MODULES_DIR, NO_WEAK_MODULES and TMPDIR are the
# caller's when exported, a framework.conf file goes over them and the
# command line over both; the ones it resets at start (verbose,
# symlink_modules, ...) are not taken.  Its children inherit the
# environment: the locale reaches a dkms.conf's tools and the builds.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
K1=6.1.0-1-fake
K2=6.1.0-2-fake
K3=6.1.0-3-fake
d_plan 58

# e_prep 'shell commands': run inside each side's overlay before dkms
# (an /etc/os-release or /etc/sysconfig file the harness does not give).
eval "$(declare -f d_overlay | sed '1s/^d_overlay/d_overlay_plain/')"
E_PREP=
d_overlay() {
	if [ -n "$E_PREP" ]; then
		d_overlay_plain /bin/sh -c "$E_PREP"' && exec "$@"' e-prep "$@"
	else
		d_overlay_plain "$@"
	fi
}

# e_has FILE TEXT NAME: FILE has a line starting with TEXT (a check that
# a d_same comparison compared something).
e_has() {
	if awk -v t="$2" 'index($0, t) == 1 { f = 1 } END { exit !f }' "$1" 2>/dev/null; then
		d_ok "$3"
	else
		d_notok "$3"
		{ echo "no line starting with: $2"; grep '^probe:' "$1"; } 2>&1 | d_diag
	fi
}


d_kernel $K1 fake
d_kernel $K2 fake 'CONFIG_MODULE_SIG=y' 'CONFIG_MODULE_SIG_HASH="sha256"'
# a kernel with its own signing key, certs/signing_key.pem (key and
# certificate in one PEM, as kbuild makes it)
d_kernel $K3 fake 'CONFIG_MODULE_SIG=y' 'CONFIG_MODULE_SIG_HASH="sha256"' \
	'CONFIG_MODULE_SIG_KEY="certs/signing_key.pem"'
openssl req -new -x509 -nodes -days 1 -subj /CN=dkms-test -newkey rsa:2048 \
	-keyout "$D_SCRATCH/k.pem" -out "$D_SCRATCH/c.pem" >/dev/null 2>&1 ||
	d_skip_all "openssl cannot make a key"
d_both 'mkdir -p $R/lib/$K3/build/certs &&
	cat "$D_SCRATCH/k.pem" "$D_SCRATCH/c.pem" >$R/lib/$K3/build/certs/signing_key.pem'
d_module hello 1.0
d_module envprobe 1.0

# ---- parallel_jobs: environment < framework.conf < -j -----------------
d_step "add" 0 add hello/1.0
parallel_jobs=1 d_step "parallel_jobs from the environment" 0 \
	build hello/1.0 -k $K1 --verbose
d_etc framework.conf 'parallel_jobs=3
'
parallel_jobs=1 d_step "framework.conf's parallel_jobs over the environment's" 0 \
	build hello/1.0 -k $K1 --verbose --force
parallel_jobs=1 d_step "-j over both" 0 \
	build hello/1.0 -k $K1 --verbose --force -j 4
d_etc framework.conf 'parallel_jobs=
'
parallel_jobs=1 d_step "an empty parallel_jobs in framework.conf: the CPUs" 0 \
	build hello/1.0 -k $K1 --verbose --force
d_etc_clear
parallel_jobs= d_step "an empty parallel_jobs in the environment: the CPUs" 0 \
	build hello/1.0 -k $K1 --verbose --force
parallel_jobs=0 d_step "parallel_jobs=0: make -j" 0 \
	build hello/1.0 -k $K1 --verbose --force
d_step "-j '': the CPUs" 0 build hello/1.0 -k $K1 --verbose --force -j ''

# ---- what 3.4.3 resets at start is not taken ---------------------------
verbose=1 symlink_modules=1 compress_xz_opts=-9 d_step \
	"verbose, symlink_modules from the environment are not taken" 0 \
	install hello/1.0 -k $K1
d_tree "the module copied, not linked"
verbose=1 d_step "uninstall" 0 uninstall hello/1.0 -k $K1

# ---- post_transaction ---------------------------------------------------
post_transaction='echo from the environment' d_step \
	"post_transaction from the environment" 0 install hello/1.0 -k $K1
d_tree "post_transaction.log written"
d_etc framework.conf 'post_transaction="echo from framework.conf"
'
post_transaction='echo from the environment' d_step \
	"framework.conf's post_transaction over the environment's" 0 \
	uninstall hello/1.0 -k $K1
d_tree "post_transaction.log of framework.conf's command"
d_etc_clear

# ---- ADDON_MODULES_DIR, from the environment or sysconfig ---------------
ADDON_MODULES_DIR=extra/addon d_step "ADDON_MODULES_DIR from the environment" 0 \
	install hello/1.0 -k $K1
d_tree "installed under extra/addon"
ADDON_MODULES_DIR=extra/addon d_step "uninstall from there" 0 \
	uninstall hello/1.0 -k $K1
E_PREP='mkdir -p /etc/sysconfig && echo ADDON_MODULES_DIR=sysconfig/dir >/etc/sysconfig/module-init-tools'
d_step "ADDON_MODULES_DIR from /etc/sysconfig/module-init-tools" 0 \
	install hello/1.0 -k $K1
d_tree "installed under sysconfig/dir"
d_step "uninstall from there" 0 uninstall hello/1.0 -k $K1
ADDON_MODULES_DIR=extra/addon d_step "the environment's over sysconfig" 0 \
	install hello/1.0 -k $K1
ADDON_MODULES_DIR=extra/addon d_step "uninstall from there" 0 \
	uninstall hello/1.0 -k $K1
E_PREP=
d_tree "nothing installed"

# ---- signing variables --------------------------------------------------
try_sign_modules=false d_step "try_sign_modules=false from the environment" 0 \
	build hello/1.0 -k $K2
try_sign_modules=true sign_file=/nonexistent/sign-file d_step \
	"try_sign_modules, sign_file from the environment" 0 \
	build hello/1.0 -k $K2 --force
d_etc framework.conf 'sign_file=/nonexistent/from-framework/sign-file
'
try_sign_modules=true sign_file=/nonexistent/sign-file d_step \
	"framework.conf's sign_file over the environment's" 0 \
	build hello/1.0 -k $K2 --force
d_etc_clear
mok_signing_key=/nonexistent/dir/mok.key d_step \
	"mok_signing_key from the environment" 1 generate_mok
mok_signing_key= mok_certificate= d_step \
	"empty mok_signing_key, mok_certificate: the defaults" 0 generate_mok
d_etc framework.conf 'mok_signing_key=/nonexistent/dir2/mok.key
'
mok_signing_key=/nonexistent/dir/mok.key d_step \
	"framework.conf's mok_signing_key over the environment's" 1 generate_mok
d_etc_clear

# ---- Gentoo: Portage's MODULES_SIGN_KEY, MODULES_SIGN_CERT ----------------
GENTOO='rm -f /etc/os-release && echo ID=gentoo >/etc/os-release'
E_PREP=$GENTOO
MODULES_SIGN_KEY=/nonexistent/env.key MODULES_SIGN_CERT=/nonexistent/env.crt \
	d_step "gentoo: MODULES_SIGN_KEY, MODULES_SIGN_CERT from the environment" 1 \
	generate_mok
E_PREP="$GENTOO"' && mkdir -p /etc/portage && echo MODULES_SIGN_KEY=\"/nonexistent/portage.key\" >/etc/portage/make.conf'
d_step "gentoo: MODULES_SIGN_KEY from make.conf" 1 generate_mok
d_etc framework.conf 'mok_signing_key=/nonexistent/framework.key
'
MODULES_SIGN_KEY=/nonexistent/env.key d_step \
	"gentoo: framework.conf's mok_signing_key over MODULES_SIGN_KEY" 1 generate_mok
d_etc_clear
E_PREP=$GENTOO
try_sign_modules=true d_step "gentoo: the kernel's CONFIG_MODULE_SIG_KEY" 0 \
	build hello/1.0 -k $K3
E_PREP=

# ---- NO_WEAK_MODULES (weak-modules are RHEL's and SUSE's) ---------------
E_PREP='rm -f /etc/os-release && echo ID=rhel >/etc/os-release &&
	printf "#!/bin/sh\necho weak-modules \"\$*\"; sed s/^/stdin:/\n" >/usr/sbin/weak-modules &&
	chmod +x /usr/sbin/weak-modules'
d_step "rhel: install runs weak-modules" 0 install hello/1.0 -k $K1
d_tree "rhel: installed under /extra"
d_step "rhel: uninstall runs weak-modules" 0 uninstall hello/1.0 -k $K1
NO_WEAK_MODULES=1 d_step "rhel: NO_WEAK_MODULES from the environment" 0 \
	install hello/1.0 -k $K1
NO_WEAK_MODULES=1 d_step "rhel: NO_WEAK_MODULES, uninstall" 0 \
	uninstall hello/1.0 -k $K1
E_PREP=

# ---- the locale: a dkms.conf's tools, the build's ----------------------
LC_ALL= LANG=C.UTF-8 d_step "dkms.conf evaluated in the caller's locale" 0 \
	add envprobe/1.0
LC_ALL= LANG=C.UTF-8 TZ=UTC ENVPROBE_VAR=from-env CFLAGS=-O9 LDFLAGS=-s \
	d_step "build in the caller's locale" 0 build envprobe/1.0 -k $K1
LOG=dkms/envprobe/1.0/$K1/x86_64/log/make.log
d_same "what the build's script saw (make.log)" "grep '^probe:' \$R/$LOG"
e_has "$D_OUR/$LOG" "probe: ENVPROBE_VAR=from-env LANG=C.UTF-8 LC_ALL= CC=gcc CFLAGS=unset LDFLAGS=unset TZ=UTC" \
	"ours: the build saw the environment, less CFLAGS and LDFLAGS"
e_has "$D_OUR/$LOG" "probe: find: ‘/nonexistent-envprobe-build’" \
	"ours: the build's tools spoke in its locale"
printf 'export ENVPROBE_VAR=from-build-environment\n' >"$D_SCRATCH/buildenv"
build_environment=$D_SCRATCH/buildenv ENVPROBE_VAR=from-env d_step \
	"build_environment from the environment" 0 \
	build envprobe/1.0 -k $K1 --force
d_same "what the build's script saw with build_environment" "grep '^probe:' \$R/$LOG"
e_has "$D_OUR/$LOG" "probe: ENVPROBE_VAR=from-build-environment " \
	"ours: build_environment's export over the environment's"

# A translated locale (compiled here, copied into each overlay's
# /usr/lib/locale): the tools' words, the make.log date's format.
mkdir -p "$D_SCRATCH/locale"
if localedef -i de_DE -f UTF-8 "$D_SCRATCH/locale/de_DE.UTF-8" >/dev/null 2>&1 ||
   [ -d "$D_SCRATCH/locale/de_DE.UTF-8" ]; then
	E_PREP="cp -a '$D_SCRATCH/locale/de_DE.UTF-8' /usr/lib/locale/"
	LC_ALL= LANG=de_DE.UTF-8 d_step "de_DE.UTF-8: dkms.conf's tools" 0 \
		status envprobe/1.0
	LC_ALL= LANG=de_DE.UTF-8 d_step "de_DE.UTF-8: build" 0 \
		build envprobe/1.0 -k $K1 --force
	E_PREP=
	d_same "de_DE.UTF-8: what the build's script saw" "grep '^probe:' \$R/$LOG"
	e_has "$D_OUR/$LOG" "probe: find: ‘/nonexistent-envprobe-build’: Datei oder Verzeichnis nicht gefunden" \
		"ours: the build's tools spoke German"
	d_same "de_DE.UTF-8: make.log's date, digits aside" \
		"sed -n 2p \$R/$LOG | sed 's/[0-9]/N/g'"
else
	d_skip 5 "no de_DE.UTF-8 locale (localedef, locales)"
fi

# A deliberate difference: the dkms.conf evaluation (sandboxed) gets the
# locale and a few harmless variables, not the rest (dkms(8)).
d_both 'sed -i "s/^echo \"conf: /echo \"conf: SECRET=\${ENVPROBE_SECRET-unset} /" $R/src/envprobe-1.0/dkms.conf'
ENVPROBE_SECRET=s3cret d_run "$D_REF" "$DKMS_REFERENCE" status envprobe/1.0
ENVPROBE_SECRET=s3cret d_run "$D_OUR" "$DKMS" status envprobe/1.0
if grep -q 'SECRET=s3cret' "$D_SCRATCH/out.ref.2" &&
   grep -q 'SECRET=unset' "$D_SCRATCH/out.our.2"; then
	d_ok "other variables: 3.4.3's dkms.conf sees them, ours does not"
else
	d_notok "other variables: 3.4.3's dkms.conf sees them, ours does not"
	cat "$D_SCRATCH/out.ref.2" "$D_SCRATCH/out.our.2" | d_diag
fi

# ---- TMPDIR --------------------------------------------------------------
mkdir -p "$D_SCRATCH/tmp"
TMPDIR=$D_SCRATCH/tmp d_step "mktarball in \$TMPDIR" 0 \
	mktarball hello/1.0 --source-only
d_tree "the tarball"
TMPDIR=/nonexistent-tmpdir d_step "a TMPDIR that cannot be written" 1 status
LC_ALL= LANG=C.UTF-8 TMPDIR=/nonexistent-tmpdir d_step \
	"a TMPDIR that cannot be written, UTF-8 locale" 1 --version
TMPDIR= d_step "an empty TMPDIR: /tmp" 0 status
d_done
