# SPDX-License-Identifier: GPL-2.0-or-later
# The fixture modules of tests/modules behave as documented, checked with
# the reference dkms 3.4.3 on the fake kernel: what other tests rely on.
. "$top_srcdir/tests/lib.sh"

reason=$(have_ref) || skip_all "$reason"

K=6.1.0-99-fake
OTHER=6.12.9-fake
scratch
mk_trees "$T"
fake_kernel "$T" "$K"
fake_kernel "$T" "$OTHER"
for m in hello-0.1 multi-0.1 broken-0.1 exclusive-0.1 provider-0.1 \
	consumer-0.1 patched-0.1 scripts-0.1; do
	copy_module "$m"
	dkms_ref add "${m%-*}/${m##*-}" >/dev/null 2>&1 ||
		not_ok "add $m"
done

# ref NAME ARGS...: run the reference, print its exit status.
ref() {
	local out rc
	out=$(dkms_ref "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" > "$T/last.out"
	return $rc
}
lastdiag() { diag "$(cat "$T/last.out")"; }

ref install -m hello -v 0.1 -k "$K" --no-depmod
is 0 "$?" "hello installs" || lastdiag

ref install -m multi -v 0.1 -k "$K" --no-depmod
is 0 "$?" "multi installs" || lastdiag
is "multi_a.ko multi_b.ko" "$(cd "$T/lib/$K/updates/dkms" 2>/dev/null && ls multi_*.ko | tr '\n' ' ' | sed 's/ $//')" \
	"multi: both modules installed"

ref build -m broken -v 0.1 -k "$K"
is 10 "$?" "broken: build fails (10)"
like "$(cat "$T/dkms/broken/0.1/build/make.log" 2>/dev/null)" 'error' "broken: make.log has the compiler error"

ref build -m exclusive -v 0.1 -k "$K"
is 0 "$?" "exclusive: builds for a 6.1 kernel" || lastdiag
ref build -m exclusive -v 0.1 -k "$OTHER"
is 77 "$?" "exclusive: excluded on $OTHER (77)"

ref build -m consumer -v 0.1 -k "$K"
is 13 "$?" "consumer: missing BUILD_DEPENDS (13)"
ref install -m provider -v 0.1 -k "$K" --no-depmod
is 0 "$?" "provider installs" || lastdiag
ref install -m consumer -v 0.1 -k "$K" --no-depmod
is 0 "$?" "consumer installs once provider is" || lastdiag
is provider "$(modinfo -F depends "$T/lib/$K/updates/dkms/consumer.ko" 2>/dev/null)" \
	"consumer depends on provider"

ref build -m patched -v 0.1 -k "$K"
is 0 "$?" "patched: builds with its patch applied" || lastdiag
like "$(cat "$T/dkms/patched/0.1/$K/x86_64/log/make.log" 2>/dev/null)" 'fix-build.patch' \
	"patched: the patch is in make.log"

ref build -m scripts -v 0.1 -k "$K"
is 0 "$?" "scripts: builds (PRE_BUILD made its header)" || lastdiag
is "post-build ran for $K x86_64" \
	"$(cat "$T/dkms/scripts/0.1/$K/x86_64/log/post-build.stamp" 2>/dev/null)" \
	"scripts: POST_BUILD left its stamp"

is "broken/0.1: added
consumer/0.1, $K, x86_64: installed
exclusive/0.1, $K, x86_64: built
hello/0.1, $K, x86_64: installed
multi/0.1, $K, x86_64: installed
patched/0.1, $K, x86_64: built
provider/0.1, $K, x86_64: installed
scripts/0.1, $K, x86_64: built" "$(dkms_ref status 2>&1 | sort)" "status of all fixtures"

done_testing
