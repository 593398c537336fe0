#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Module signing as 3.4.3 decides it: by policy, kernel config and
# sign-file; the MOK key pair made with openssl when missing.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
K=6.1.0-1-fake
cy_init
fake_signing_kernel "$T" $K
copy_module hello-0.1
fw=$T/root/etc/dkms/framework.conf

dk build hello/0.1 -k $K
like "$out" "^Module signing is disabled by policy, modules won't be signed$" "try_sign_modules=false"
dk unbuild hello/0.1 -k $K

# sign_file may name $kernelver, as 3.4.3's framework.conf says
cat >"$fw" <<EOF
try_sign_modules="true"
sign_file="$T/sign/\$kernelver/sign-file"
mok_signing_key="$T/mok.key"
mok_certificate=$T/mok.pub
EOF
dk build hello/0.1 -k $K
is 0 "$rc" "sign-file missing: still built"
like "$out" "^Sign command: <T>/sign/$K/sign-file$" "sign_file with \$kernelver"
like "$out" "^Binary <T>/sign/$K/sign-file not found, modules won't be signed$" "sign-file missing"
dk unbuild hello/0.1 -k $K

mkdir -p "$T/sign/$K" && ln -s "$sf" "$T/sign/$K/sign-file"
dk build hello/0.1 -k $K
dk_is 0 "Sign command: <T>/sign/$K/sign-file
Signing key: <T>/mok.key
Public certificate (MOK): <T>/mok.pub
Certificate or key are missing, generating self signed certificate for MOK...

Building module(s)... done.
Signing module <T>/dkms/hello/0.1/build/hello.ko" "" "signs, making the key pair"
is 0 "$rc" "signed build"
like "$out" "^Certificate or key are missing, generating self signed certificate for MOK\.\.\.$" "key pair made"
like "$out" "^Signing module <T>/dkms/hello/0.1/build/hello\.ko$" "module signed"
check "key made" test -s "$T/mok.key"
check "certificate made" test -s "$T/mok.pub"
is "DKMS module signing key" "$(modinfo -F signer "$T/dkms/hello/0.1/$K/x86_64/module/hello.ko")" "signer of the built module"
dk build hello/0.1 -k $K --force
check "no new key when there is one" sh -c "! printf '%s' \"\$1\" | grep -q 'generating'" sh "$out"

# a kernel without signing facility
K2=6.1.0-2-fake
fake_kernel "$T" $K2
dk build hello/0.1 -k $K2
like "$out" "^The kernel is built without module signing facility, modules won't be signed$" "kernel without CONFIG_MODULE_SIG_HASH"
rm "$T/lib/$K2/build/.config" "$T/lib/$K2/build/include/config/auto.conf"
dk build hello/0.1 -k $K2 --force
like "$out" "^Kernel config <T>/lib/$K2/build/\.config not found, modules won't be signed$" "kernel without a config"

done_testing
