# SPDX-License-Identifier: GPL-2.0-or-later
# Real builds in the sandbox: the hello fixture and real Debian *-dkms
# sources (acpi-call, v4l2loopback) against the real Debian headers of
# 6.1.0-56-amd64 and 6.1.0-54-amd64, sandbox on and off: the same .ko,
# byte for byte.
. "$top_srcdir/tests/lib.sh"

need_sandbox

KERNELS=
for k in 6.1.0-56-amd64 6.1.0-54-amd64; do
	have_real_kernel "$k" && KERNELS="$KERNELS $k"
done
[ -n "$KERNELS" ] || skip_all "no real kernel headers installed"

scratch
mk_trees "$T"
mkdir -p "$T/root/etc/dkms"
real_kernel "$T" $KERNELS
o=(--root "$T/root" --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib")

mods="hello/0.1"
copy_module hello-0.1
if dirs=$(sh "$top_srcdir/scripts/fetch-debian-sources.sh" "$T/deb" 2>"$T/fetch.err"); then
	for d in $dirs; do
		cp -a "$d" "$T/src/"
		n=$(basename "$d")
		mods="$mods ${n%-*}/${n##*-}"
	done
else
	diag "no Debian sources: $(head -n 1 "$T/fetch.err")"
fi

for mv in $mods; do
	"$DKMS" add "$mv" "${o[@]}" >/dev/null 2>&1
	for k in $KERNELS; do
		mdir=$T/dkms/$mv/$k/x86_64
		"$DKMS" build "$mv" -k "$k" "${o[@]}" >"$T/out" 2>&1
		is 0 "$?" "$mv on $k: sandboxed build" || diag "$(cat "$T/out")"
		like "$(cat "$mdir/log/dkms-build-report" 2>/dev/null)" "^sandbox: yes" \
			"$mv on $k: the build report says sandboxed"
		rm -rf "$T/on"
		cp -a "$mdir/module" "$T/on"
		"$DKMS" build "$mv" -k "$k" --force --no-sandbox "${o[@]}" >"$T/out" 2>&1
		is 0 "$?" "$mv on $k: unsandboxed build" || diag "$(cat "$T/out")"
		same=yes
		for ko in "$T"/on/*.ko*; do
			cmp -s "$ko" "$mdir/module/${ko##*/}" || same="no: ${ko##*/}"
		done
		ls "$T"/on/*.ko* >/dev/null 2>&1 || same="no module"
		is yes "$same" "$mv on $k: identical .ko with and without the sandbox"
	done
done

done_testing
