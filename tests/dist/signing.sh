#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Signing hello built for the real Debian headers with a key pair made in
# a scratch dir; the signature read back (modinfo, and the build report's
# line from libkmod); Secure Boot reported; a wrong certificate is 3.4.3's
# warning, and ours in the build report.  Keys only where framework.conf
# says: never /var/lib/dkms.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
K=6.1.0-56-amd64
command -v openssl >/dev/null || skip_all "openssl is not installed"
have_real_kernel $K || skip_all "no headers for $K"
grep -q '^CONFIG_MODULE_SIG=y' /lib/modules/$K/build/.config ||
	skip_all "$K has no module signing"
before=$(stat -c %Y /var/lib/dkms/mok.key /var/lib/dkms/mok.pub 2>&1)
cy_init
real_kernel "$T" $K
copy_module hello-0.1
fw=$T/root/etc/dkms/framework.conf
keys=$T/keys
mkdir -p "$keys"
hash=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"/\1/p' /lib/modules/$K/build/.config)

# The default policy, not_in_chroot: on this machine 3.4.3's chroot test
# (process 1's root or mounts differ from ours, or /proc/1/root cannot be
# examined) may say "chroot"; try_sign_modules=true overrides it.
cat >"$fw" <<EOF2
mok_signing_key="$keys/mok.key"
mok_certificate="$keys/mok.pub"
EOF2
dk build hello/0.1 -k $K
is 0 "$rc" "build with the default policy"
if printf '%s\n' "$out" | grep -q "^Running in chroot, modules won't be signed$"; then
	diag "this machine looks like a chroot to 3.4.3's test: signing skipped by default"
	check "in a chroot: no key made" test ! -e "$keys/mok.key"
else
	diag "this machine is no chroot to 3.4.3's test: signed by default"
	ok "not in a chroot"
fi
dk unbuild hello/0.1 -k $K
rm -f "$keys"/*

echo 'try_sign_modules="true"' >>"$fw"
dk build hello/0.1 -k $K
is 0 "$rc" "forced signing: build"
like "$out" "^Certificate or key are missing, generating self signed certificate for MOK\.\.\.$" "key pair made on first use"
like "$out" "^Signing module <T>/dkms/hello/0.1/build/hello\.ko$" "module signed"
is "" "$err" "no warning"
check "key in the scratch dir" test -s "$keys/mok.key"
check "certificate in the scratch dir" test -s "$keys/mok.pub"
subj=$(openssl x509 -inform DER -in "$keys/mok.pub" -noout -subject 2>&1)
like "$subj" "CN ?= ?DKMS module signing key" "certificate subject"
like "$(openssl x509 -inform DER -in "$keys/mok.pub" -noout -text 2>&1)" "Code Signing" "codeSigning EKU"
like "$(openssl x509 -inform DER -in "$keys/mok.pub" -noout -text 2>&1)" "Public-Key: \(2048 bit\)" "RSA 2048"
ko=$T/dkms/hello/0.1/$K/x86_64/module/hello.ko
is "DKMS module signing key" "$(modinfo -F signer "$ko")" "modinfo: signer is our CN"
is "$hash" "$(modinfo -F sig_hashalgo "$ko")" "modinfo: hash of CONFIG_MODULE_SIG_HASH"
log=$T/dkms/hello/0.1/$K/x86_64/log/make.log
sb=unknown
[ -e /sys/firmware/efi/efivars ] && sb='(enabled|disabled|unknown)'
like "$(cat "${log%/*}/dkms-build-report")" "^hello\.ko signature: signed by 'DKMS module signing key' \($hash, key [0-9A-F:]+\); Secure Boot: $sb$" "build report: signature read back, Secure Boot"
unlike "$(cat "$log")" "^DKMS:|signed by" "make.log: 3.4.3's lines only"

# status --json reads the same signature back (secureboot.c); the root
# has no efivars: enrollment and loading are unknown
if command -v jq >/dev/null; then
	json=$("$DKMS" status --json -m hello -k $K --root "$T/root" --dkmstree "$T/dkms" \
		--sourcetree "$T/src" --installtree "$T/lib" 2>&1)
	is "[true,\"DKMS module signing key\",\"$hash\",\"unknown\",\"unknown\",null]" \
		"$(jq -c '.[0].signatures[0] | [.signed, .signer, .hash_algo, .enrolled, .will_load, .error]' <<<"$json")" \
		"status --json: the signature of the real build"
	is "$(openssl x509 -inform DER -in "$keys/mok.pub" -noout -serial | sed 's/^serial=//; s/^\(00\)*//; s/../&:/g; s/:$//')" \
		"$(jq -r '.[0].signatures[0].key_id' <<<"$json")" "status --json: key id is the certificate's serial"
else
	skip "jq is not installed" 2
fi

# the same key is used again, not remade
cp "$keys/mok.pub" "$T/first.pub"
dk build hello/0.1 -k $K --force
check "no new key" cmp -s "$keys/mok.pub" "$T/first.pub"

# a certificate that does not match the key: sign-file fails, 3.4.3's
# warning on stderr; the module is reported unsigned in the build report
openssl req -new -x509 -nodes -days 1 -subj "/CN=Other" -newkey rsa:2048 \
	-keyout "$T/other.key" -outform DER -out "$T/other.pub" 2>/dev/null
sed -i "s|^mok_certificate=.*|mok_certificate=\"$T/other.pub\"|" "$fw"
dk build hello/0.1 -k $K --force
is 0 "$rc" "mismatched certificate: the build still succeeds (as 3.4.3)"
like "$err" "^Warning: Failed to sign module '<T>/dkms/hello/0\.1/build/hello\.ko'!$" "mismatched certificate: 3.4.3's warning"
unlike "$err" "is not signed after signing it|not by the certificate" "mismatched certificate: no warning of ours on stderr"
like "$(cat "$T/dkms/hello/0.1/$K/x86_64/log/dkms-build-report")" "^warning: hello\.ko is not signed after signing it\.$" \
	"mismatched certificate: the check's warning in the build report"
if command -v jq >/dev/null; then
	like "$("$DKMS" status --json -m hello -k $K --root "$T/root" --dkmstree "$T/dkms" \
		--sourcetree "$T/src" --installtree "$T/lib" | jq -c '.[0].signatures[0] | [.signed, .error]')" \
		'^\[false,"signing failed: .+"\]$' "mismatched certificate: an error in status --json"
else
	skip "jq is not installed"
fi

# a kernel that does not sign: the build report says nothing of signatures
K2=6.1.0-3-fake
fake_kernel "$T" $K2
dk build hello/0.1 -k $K2
check "no signature line for a kernel without signing" \
	sh -c "! grep -q '^hello.ko signature:' '$T/dkms/hello/0.1/$K2/x86_64/log/dkms-build-report'"
# generate_mok: the pair alone, where framework.conf says
cat >"$fw" <<EOF2
mok_signing_key="$T/gen/mok.key"
mok_certificate="$T/gen/mok.pub"
EOF2
mkdir -p "$T/gen"
dk generate_mok
is 0 "$rc" "generate_mok"
check "generate_mok: key" test -s "$T/gen/mok.key"
like "$(openssl x509 -inform DER -in "$T/gen/mok.pub" -noout -text 2>&1)" "Signature Algorithm: sha256WithRSAEncryption" "generate_mok: SHA-256 certificate"
is "$before" "$(stat -c %Y /var/lib/dkms/mok.key /var/lib/dkms/mok.pub 2>&1)" \
	"the machine's /var/lib/dkms keys untouched"
done_testing
