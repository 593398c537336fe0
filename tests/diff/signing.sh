#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential: signing on a fake kernel that asks for sha256 signatures
# (try_sign_modules="true": both runs look like a chroot).  Whatever the
# sign command does (fails, "succeeds" without signing, signs with another
# hash, signs for real, fails on a certificate that is not the key's) and
# a module built for another kernel, stdout, stderr and make.log are
# 3.4.3's: its "Failed to sign module" warning and nothing else.  Our
# checks of the result are in dkms-build-report and status --json.
. "$top_srcdir/tests/diff/diff-lib.sh"
d_init
command -v openssl >/dev/null || d_skip_all "openssl is not installed"
command -v jq >/dev/null || d_skip_all "jq is not installed"
SF=$(ls /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null | head -n 1)
[ -x "$SF" ] || d_skip_all "no Debian sign-file"
K=6.1.0-1-fake
KX=6.1.0-3-fake
d_plan 35

d_kernel $K fake CONFIG_MODULE_SIG=y 'CONFIG_MODULE_SIG_HASH="sha256"'
d_shared_module hello-0.1

# One key pair for both sides (framework.conf is shared), and sign
# commands in the scratch dir, which both runs see.
keys=$D_SCRATCH/keys bin=$D_SCRATCH/bin
mkdir -p "$keys" "$bin"
openssl req -new -x509 -nodes -days 1 -subj "/CN=DKMS module signing key" \
	-newkey rsa:2048 -keyout "$keys/mok.key" -addext extendedKeyUsage=codeSigning \
	-outform DER -out "$keys/mok.pub" 2>/dev/null
openssl req -new -x509 -nodes -days 1 -subj "/CN=Other" -newkey rsa:2048 \
	-keyout "$keys/other.key" -outform DER -out "$keys/other.pub" 2>/dev/null
printf '#!/bin/sh\necho "At main.c:298:"\necho "- SSL error:FFFFFFFF80000002:system library::No such file or directory: ../crypto/bio/bss_file.c:67"\nexit 2\n' >"$bin/sign-fails"
printf '#!/bin/sh\nexit 0\n' >"$bin/sign-nothing"
printf '#!/bin/sh\nshift\nexec %s sha1 "$@"\n' "$SF" >"$bin/sign-sha1"
chmod +x "$bin"/*

# signing SIGN_FILE [CERT]: framework.conf signing with them
signing() {
	d_etc framework.conf "try_sign_modules=\"true\"
sign_file=\"$1\"
mok_signing_key=\"$keys/mok.key\"
mok_certificate=\"${2:-$keys/mok.pub}\"
"
}

LOG=dkms/hello/0.1/$K/x86_64/log
d_log() {
	d_same "make.log: $1" "sed '2s/^[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* [A-Z]* [0-9]*\$/@DATE@/' \"\$R/$LOG/make.log\""
}
# ours NAME EXPECTED ACTUAL: a check of our side alone
ours() {
	if [ "$2" = "$3" ]; then
		d_ok "$1"
	else
		d_notok "$1"
		printf 'expected: %s\ngot:      %s\n' "$2" "$3" | d_diag
	fi
}
report() { sed -n "s/^$1: //p" "$D_OUR/$LOG/dkms-build-report" 2>/dev/null; }
# json FILTER: of hello's entry on $K in our status --json
json() {
	# shellcheck disable=SC2046
	"$DKMS" status --json -m hello -k $K $(d_tree_opts "$D_OUR") | jq -c ".[0] | $1"
}

d_step "add" 0 add hello/0.1

# 1. the sign command fails: 3.4.3's warning with its words, nothing more
signing "$bin/sign-fails"
d_step "sign-file fails: 3.4.3's warning only" 0 build hello/0.1 -k $K
d_log "sign-file fails"
ours "sign-file fails: its words in our report" \
	"At main.c:298: - SSL error:FFFFFFFF80000002:system library::No such file or directory: ../crypto/bio/bss_file.c:67" \
	"$(report "hello.ko signing failed")"
ours "sign-file fails: our check's warning in the report" \
	"hello.ko is not signed after signing it." "$(report warning)"
ours "sign-file fails: status --json" \
	'[false,"signing failed: At main.c:298: - SSL error:FFFFFFFF80000002:system library::No such file or directory: ../crypto/bio/bss_file.c:67",["hello.ko is not signed after signing it."]]' \
	"$(json '[.signatures[0].signed, .signatures[0].error, .warnings]')"
d_step "unbuild" 0 unbuild hello/0.1 -k $K

# 2. the sign command exits 0 and signs nothing: 3.4.3 says nothing
signing "$bin/sign-nothing"
d_step "sign-file signs nothing: no warning" 0 build hello/0.1 -k $K
d_log "sign-file signs nothing"
ours "signs nothing: the check's warning in our report" \
	"hello.ko is not signed after signing it." "$(report warning)"
ours "signs nothing: status --json" '[false,null,["hello.ko is not signed after signing it."]]' \
	"$(json '[.signatures[0].signed, .signatures[0].error, .warnings]')"
d_step "unbuild" 0 unbuild hello/0.1 -k $K

# 3. signed with another hash than the kernel's
signing "$bin/sign-sha1"
d_step "signed with sha1 for a sha256 kernel: no warning" 0 build hello/0.1 -k $K
d_log "signed with sha1"
ours "sha1: the check's warning in our report" \
	"hello.ko is signed with sha1, not sha256 as the kernel asks." "$(report warning)"
ours "sha1: status --json" '[true,"sha1",["hello.ko is signed with sha1, not sha256 as the kernel asks."]]' \
	"$(json '[.signatures[0].signed, .signatures[0].hash_algo, .warnings]')"
d_step "unbuild" 0 unbuild hello/0.1 -k $K

# 4. signed as asked
signing "$SF"
d_step "signed: same output" 0 build hello/0.1 -k $K
d_log "signed"
ours "signed: our report has the signature read back, no warning" \
	"signed by 'DKMS module signing key' (sha256):" \
	"$(report "hello.ko signature" | sed 's/, key [0-9A-F:]*);.*/):/')$(report warning)"
ours "signed: status --json" '[true,"DKMS module signing key","sha256",null,[]]' \
	"$(json '[.signatures[0].signed, .signatures[0].signer, .signatures[0].hash_algo, .signatures[0].error, .warnings]')"
d_step "unbuild" 0 unbuild hello/0.1 -k $K

# 5. a certificate that is not the key's: the real sign-file fails
signing "$SF" "$keys/other.pub"
d_step "wrong certificate: 3.4.3's warning only" 0 build hello/0.1 -k $K
d_log "wrong certificate"
ours "wrong certificate: sign-file's failure in our report" yes \
	"$(report "hello.ko signing failed" | grep -q . && echo yes)"
ours "wrong certificate: status --json" '[false,true]' \
	"$(json '[.signatures[0].signed, (.signatures[0].error | startswith("signing failed: "))]')"
d_tree "after the signed builds (our report aside)"
d_step "unbuild" 0 unbuild hello/0.1 -k $K

# 6. a module built for another kernel (another kernel's headers behind
# <kver>/build): 3.4.3 says nothing; our warning goes to the report
d_etc_clear
d_both 'mkdir -p "$R/lib/'$KX'" && ln -s "$R/lib/'$K'/build" "$R/lib/'$KX'/build"'
LOG=dkms/hello/0.1/$KX/x86_64/log
d_step "vermagic of another kernel: no warning" 0 build hello/0.1 -k $KX
d_log "vermagic of another kernel"
ours "vermagic: the warning in our report" \
	"hello.ko was built for kernel '$K', not $KX; it will not load into $KX." "$(report warning)"
d_step "install it: no warning either" 0 install hello/0.1 -k $KX
ours "vermagic: status --json" \
	"[\"installed\",[\"hello.ko was built for kernel '$K', not $KX; it will not load into $KX.\"]]" \
	"$("$DKMS" status --json -m hello -k $KX $(d_tree_opts "$D_OUR") | jq -c '.[0] | [.state, .warnings]')"
d_tree "after the install for another kernel (our report aside)"
d_step "remove" 0 remove hello/0.1 --all
d_done
