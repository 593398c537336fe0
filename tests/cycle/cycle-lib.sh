# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the tests/cycle scenarios: one scratch machine per script.
#
#   . "$top_srcdir/tests/cycle/cycle-lib.sh"
#   cy_init [KVER...]   scratch $T: trees, fake kernels (default
#                       6.1.0-1-fake), $T/root/etc/dkms/framework.conf
#                       (no signing) and an os-release saying Debian
#   dk ARGS...          our dkms on $T; sets $rc, $out, $err (scratch root
#                       written <T>)
#   dk_is RC OUT ERR NAME   three checks: exit code, stdout, stderr
. "$top_srcdir/tests/lib.sh"

cy_init() {
	local k
	scratch
	mk_trees "$T"
	[ $# -gt 0 ] || set -- 6.1.0-1-fake
	for k; do
		fake_kernel "$T" "$k"
	done
	mkdir -p "$T/root/etc/dkms"
	# signing is 3.4.3's business on real machines; keep it out of the way
	echo 'try_sign_modules="false"' > "$T/root/etc/dkms/framework.conf"
	printf 'ID=debian\nVERSION_ID="12"\n' > "$T/root/etc/os-release"
}

dk() {
	"$DKMS" "$@" --root "$T/root" --dkmstree "$T/dkms" --sourcetree "$T/src" \
		--installtree "$T/lib" >"$T/.out" 2>"$T/.err"
	rc=$?
	out=$(normalize_output <"$T/.out")
	err=$(normalize_output <"$T/.err")
}

# dk_is RC STDOUT STDERR NAME
dk_is() {
	is "$1" "$rc" "$4: exit code"
	is "$2" "$out" "$4: stdout"
	is "$3" "$err" "$4: stderr"
}

NOSIGN="Module signing is disabled by policy, modules won't be signed"
