#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# status --json says whether each built module is signed (signer, key id,
# hash, read back with libkmod) and whether it will load under Secure
# Boot: the state and the MOK list from a fake efivars dir
# (<root>/sys/firmware/efi/efivars): enrolled, not enrolled, revoked, no
# efivars at all ("unknown", as on this machine).  A signing failure is
# an error in the JSON, not only a line on stderr.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v python3 >/dev/null || skip_all "python3 is not installed"
K=6.1.0-1-fake
cy_init
fake_signing_kernel "$T" $K
copy_module hello-0.1
fw=$T/root/etc/dkms/framework.conf
ev=$T/root/sys/firmware/efi/efivars
cat >"$fw" <<EOF2
try_sign_modules="true"
sign_file="$sf"
mok_signing_key="$T/keys/mok.key"
mok_certificate="$T/keys/mok.pub"
EOF2
mkdir -p "$T/keys"

js() {
	"$DKMS" status --json "$@" --root "$T/root" --dkmstree "$T/dkms" \
		--sourcetree "$T/src" --installtree "$T/lib" 2>"$T/.jerr"
}
# q FILTER: of hello's entry on $K
q() { js -m hello -k $K | jq -c ".[0] | $1"; }

# efivars NAME=FILE...: a fresh efivars dir; SecureBoot=0|1, MokListRT,
# MokListRT1, MokListXRT as EFI_SIGNATURE_LISTs of the given DER files
efivars() {
	rm -rf "$ev" && mkdir -p "$ev"
	python3 - "$ev" "$@" <<'PY'
import struct, sys, uuid
ev = sys.argv[1]
x509 = uuid.UUID("a5c059a1-94e4-4aa7-87b5-ab155c2bf072").bytes_le
owner = uuid.UUID("605dab50-e046-4300-abb6-3dd810dd8b23").bytes_le
attrs = struct.pack("<I", 0x06)
for arg in sys.argv[2:]:
    name, value = arg.split("=", 1)
    if name == "SecureBoot":
        data, guid = bytes([int(value)]), "8be4df61-93ca-11d2-aa0d-00e098032b8c"
    else:
        data, guid = b"", "605dab50-e046-4300-abb6-3dd810dd8b23"
        for f in value.split(","):
            der = open(f, "rb").read()
            data += x509 + struct.pack("<III", 28 + 16 + len(der), 0,
                                       16 + len(der)) + owner + der
    open(f"{ev}/{name}-{guid}", "wb").write(attrs + data)
PY
}

dk install hello/0.1 -k $K
is 0 "$rc" "signed build and install"
like "$out" "^Signing module <T>/dkms/hello/0.1/build/hello\.ko$" "module signed"
serial=$(openssl x509 -inform DER -in "$T/keys/mok.pub" -noout -serial | sed 's/^serial=//; s/^\(00\)*//; s/../&:/g; s/:$//')
openssl req -new -x509 -nodes -days 1 -subj "/CN=Other" -newkey rsa:2048 \
	-keyout "$T/other.key" -outform DER -out "$T/other.pub" 2>/dev/null

# no efivars (this machine's case)
ko=$T/dkms/hello/0.1/$K/x86_64/module/hello.ko
is "[{\"file\":\"$ko\",\"signed\":true,\"signer\":\"DKMS module signing key\",\"key_id\":\"$serial\",\"hash_algo\":\"sha256\",\"enrolled\":\"unknown\",\"will_load\":\"unknown\",\"error\":null}]" \
	"$(q .signatures)" "no efivars: signed, signer, key id = certificate serial, hash; enrolled unknown"
is '{"state":"unknown","will_load":"unknown"}' "$(q .secure_boot)" "no efivars: Secure Boot unknown"
is "" "$(cat "$T/.jerr")" "no efivars: nothing on stderr"
is 0 "$(js | jq '[.[] | select(.secure_boot == null and .state != "added" and .state != "broken")] | length')" \
	"every built entry has a secure_boot object"

efivars SecureBoot=1 MokListRT="$T/other.pub,$T/keys/mok.pub"
is '["yes","yes"]' "$(q '[.signatures[0].enrolled, .signatures[0].will_load]')" "enrolled (second of two in MokListRT): will load"
is '{"state":"enabled","will_load":"yes"}' "$(q .secure_boot)" "Secure Boot enabled, entry loads"

efivars SecureBoot=1 MokListRT="$T/other.pub"
is '["no","no"]' "$(q '[.signatures[0].enrolled, .signatures[0].will_load]')" "not enrolled, Secure Boot on: will not load"
is '{"state":"enabled","will_load":"no"}' "$(q .secure_boot)" "entry will not load"

efivars SecureBoot=1
is '["no","no"]' "$(q '[.signatures[0].enrolled, .signatures[0].will_load]')" "efivars without MokListRT: nothing enrolled"

efivars SecureBoot=0 MokListRT="$T/other.pub"
is '["no","yes"]' "$(q '[.signatures[0].enrolled, .signatures[0].will_load]')" "Secure Boot off: loads though not enrolled"
is '"disabled"' "$(q .secure_boot.state)" "Secure Boot disabled"

efivars SecureBoot=1 MokListRT="$T/other.pub" MokListRT1="$T/keys/mok.pub"
is '"yes"' "$(q .signatures[0].enrolled)" "MokListRT1 (a split list) is read too"

efivars SecureBoot=1 MokListRT="$T/keys/mok.pub" MokListXRT="$T/keys/mok.pub"
is '["no","no"]' "$(q '[.signatures[0].enrolled, .signatures[0].will_load]')" "revoked in MokListXRT"

efivars MokListRT="$T/keys/mok.pub"
is '["yes","yes","unknown"]' "$(q '[.signatures[0].enrolled, .signatures[0].will_load, .secure_boot.state]')" \
	"no SecureBoot variable: state unknown, an enrolled key loads"

printf 'garbage' >"$ev/MokListRT-605dab50-e046-4300-abb6-3dd810dd8b23"
is '"no"' "$(q .signatures[0].enrolled)" "a damaged MokListRT: not enrolled, no crash"

# a signing failure: a certificate that is not the key's
efivars SecureBoot=1 MokListRT="$T/keys/mok.pub"
sed -i "s|^mok_certificate=.*|mok_certificate=\"$T/other.pub\"|" "$fw"
dk build hello/0.1 -k $K --force
is 0 "$rc" "signing fails: the build still succeeds (as 3.4.3)"
like "$err" "Failed to sign module '<T>/dkms/hello/0\.1/build/hello\.ko'!" "signing failure on stderr"
like "$(q .signatures[0].error)" '^"signing failed: .*(SSL error|sign-file).*"$' "signing failure in the JSON, sign-file's words"
is '[false,"no"]' "$(q '[.signatures[0].signed, .signatures[0].will_load]')" "unsigned after the failure: will not load with Secure Boot"
is '"no"' "$(q .secure_boot.will_load)" "the entry will not load"
check "the build report keeps the failure" grep -q '^hello\.ko signing failed: ' \
	"$T/dkms/hello/0.1/$K/x86_64/log/dkms-build-report"
check "the build report: the Secure Boot state of the root's efivars" grep -q '^hello\.ko signature: unsigned; Secure Boot: enabled$' \
	"$T/dkms/hello/0.1/$K/x86_64/log/dkms-build-report"
check "make.log says nothing of it (as 3.4.3's)" sh -c "! grep -q 'hello\.ko signature\|signing failed\|^DKMS:' '$T/dkms/hello/0.1/$K/x86_64/log/make.log'"
is '["hello.ko is not signed after signing it."]' "$(q .warnings)" "status --json: the check's warning"
efivars SecureBoot=0
is '"yes"' "$(q .signatures[0].will_load)" "unsigned, Secure Boot off: loads (tainted)"

# a kernel that forces signatures, and one that checks none
K2=6.1.0-2-fake K3=6.1.0-3-fake
fake_kernel "$T" $K2 CONFIG_MODULE_SIG=y CONFIG_MODULE_SIG_FORCE=y CONFIG_MODULE_SIG_HASH='"sha256"'
fake_kernel "$T" $K3
echo 'try_sign_modules="false"' >"$fw"
dk build hello/0.1 -k $K2
dk build hello/0.1 -k $K3
is '[false,"no",null]' "$(js -m hello -k $K2 | jq -c '.[0].signatures[0] | [.signed, .will_load, .error]')" \
	"unsigned, CONFIG_MODULE_SIG_FORCE: will not load even with Secure Boot off"
is '[false,"yes",null]' "$(js -m hello -k $K3 | jq -c '.[0].signatures[0] | [.signed, .will_load, .error]')" \
	"unsigned, a kernel without CONFIG_MODULE_SIG: loads"

# entries with nothing built
K4=6.1.0-4-fake
fake_kernel "$T" $K4
is '[[],null]' "$(js -m hello -k $K4 | jq -c '.[0] | [.signatures, .secure_boot]')" "added only: no signatures, secure_boot null"

# the default efivars dir, without --root: this machine's
if [ ! -e /sys/firmware/efi/efivars ]; then
	is '"unknown"' "$("$DKMS" status --json -m hello -k $K --dkmstree "$T/dkms" --sourcetree "$T/src" \
		--installtree "$T/lib" | jq -c '.[0].secure_boot.state')" "this machine has no efivars: unknown"
else
	skip "this machine has efivars"
fi
done_testing
