#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dkms diagnose on signatures and Secure Boot (efivars faked under the
# root, <root>/sys/firmware/efi/efivars): a signed module with its key
# enrolled or not, Secure Boot on or off, no efivars; an unsigned one
# with Secure Boot on and off.  Text and JSON.
. "$top_srcdir/tests/diagnose/diag-lib.sh"
command -v python3 >/dev/null || skip_all "python3 is not installed"
K=6.1.0-1-fake KU=6.1.0-2-fake
dg_init
fake_signing_kernel "$T" $K
fake_signing_kernel "$T" $KU
copy_module hello-0.1
fw=$T/root/etc/dkms/framework.conf
ev=$T/root/sys/firmware/efi/efivars
mkdir -p "$T/keys"
signing() {
	cat >"$fw" <<EOF2
try_sign_modules="$1"
sign_file="$sf"
mok_signing_key="$T/keys/mok.key"
mok_certificate="$T/keys/mok.pub"
EOF2
}

# efivars NAME=FILE...: a fresh efivars dir; SecureBoot=0|1, MokListRT as
# an EFI_SIGNATURE_LIST of the given DER files
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

signing true
dk install hello/0.1 -k $K --no-sandbox
is 0 "$rc" "setup: signed and installed"
signing false
dk install hello/0.1 -k $KU --no-sandbox
is 0 "$rc" "setup: unsigned and installed"
serial=$(openssl x509 -inform DER -in "$T/keys/mok.pub" -noout -serial |
	sed 's/^serial=//; s/^\(00\)*//; s/../&:/g; s/:$//')
openssl req -new -x509 -nodes -days 1 -subj "/CN=Other" -newkey rsa:2048 \
	-keyout "$T/other.key" -outform DER -out "$T/other.pub" 2>/dev/null

# sig: the signature lines of hello's screen on kernel $1
sig() {
	dg hello/0.1 -k "$1"
	printf '%s\n' "$out" | grep -E '^ *(verdict|problem|signature|will load|secure boot):'
}
# sigj: signed, signer, key id, hash, enrolled, will load, usable
sigj() {
	dgj '.entries[0] | [.modules[0].signed, .modules[0].signer, .modules[0].key_id, .modules[0].hash_algo, .modules[0].enrolled, .modules[0].will_load, .usable]' \
		hello/0.1 -k "$1"
}
signed="    signature: signed by 'DKMS module signing key', key $serial, sha256"

# no efivars: nothing can be said
is "  verdict: ok
$signed; enrolled: unknown
    will load: unknown (the Secure Boot state is unknown: no EFI variables)
  secure boot: unknown (no EFI variables)" "$(sig $K)" "signed, no efivars"
is "[true,\"DKMS module signing key\",\"$serial\",\"sha256\",\"unknown\",\"unknown\",true]" "$(sigj $K)" \
	"json: signed, no efivars"

efivars SecureBoot=1 MokListRT="$T/other.pub,$T/keys/mok.pub"
is "  verdict: ok
$signed; enrolled: yes
    will load: yes (signed with an enrolled key)
  secure boot: enabled" "$(sig $K)" "signed, enrolled, Secure Boot on"
is "[true,\"DKMS module signing key\",\"$serial\",\"sha256\",\"yes\",\"yes\",true]" "$(sigj $K)" \
	"json: signed, enrolled, Secure Boot on"
is '"enabled"' "$(dgj '.secure_boot')" "json: the Secure Boot state"

efivars SecureBoot=1 MokListRT="$T/other.pub"
is "  verdict: not usable
  problem: the kernel will not load hello.ko: the signing key is not enrolled, and Secure Boot is on
$signed; enrolled: no
    will load: no (the signing key is not enrolled, and Secure Boot is on)
  secure boot: enabled" "$(sig $K)" "signed, not enrolled, Secure Boot on"
is "[true,\"DKMS module signing key\",\"$serial\",\"sha256\",\"no\",\"no\",false]" "$(sigj $K)" \
	"json: signed, not enrolled, Secure Boot on"
is '"the signing key is not enrolled, and Secure Boot is on"' "$(dgj '.entries[0].modules[0].will_load_why' hello/0.1 -k $K)" \
	"json: why it will not load"

efivars SecureBoot=0 MokListRT="$T/other.pub"
is "  verdict: ok
$signed; enrolled: no
    will load: yes (Secure Boot is off: the kernel is only tainted)
  secure boot: disabled" "$(sig $K)" "signed, not enrolled, Secure Boot off"
is "[true,\"DKMS module signing key\",\"$serial\",\"sha256\",\"no\",\"yes\",true]" "$(sigj $K)" \
	"json: signed, not enrolled, Secure Boot off"

# unsigned
efivars SecureBoot=1 MokListRT="$T/keys/mok.pub"
is "  verdict: not usable
  problem: the kernel will not load hello.ko: unsigned, and Secure Boot is on
    signature: none
    will load: no (unsigned, and Secure Boot is on)
  secure boot: enabled" "$(sig $KU)" "unsigned, Secure Boot on"
is '[false,null,null,null,null,"no",false]' "$(sigj $KU)" "json: unsigned, Secure Boot on"
efivars SecureBoot=0
is "  verdict: ok
    signature: none
    will load: yes (Secure Boot is off: the kernel is only tainted)
  secure boot: disabled" "$(sig $KU)" "unsigned, Secure Boot off"
is '[false,null,null,null,null,"yes",true]' "$(sigj $KU)" "json: unsigned, Secure Boot off"

# the default output: the pair that will not load gets its screen
efivars SecureBoot=1 MokListRT="$T/other.pub"
dg
is "hello/0.1, $K, $A: installed
hello/0.1, $KU, $A: installed" "$(printf '%s\n' "$out" | grep '^[a-z]')" \
	"default: both pairs that will not load, a screen each"
done_testing
