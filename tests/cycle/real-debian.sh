#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real Debian module packages (acpi-call-dkms, v4l2loopback-dkms, unpacked
# with apt-get download + dpkg-deb -x, never installed) added from their
# source dirs, built and installed by our dkms for two real kernels into a
# scratch install tree; the installed modules carry each kernel's vermagic.
. "$top_srcdir/tests/cycle/cycle-lib.sh"
KERNELS="6.1.0-56-amd64 6.1.0-54-amd64"
cy_init
real_kernel "$T" $KERNELS
# One download per build dir: both CI phases and reruns share the cache.
cache=$top_builddir/tests/debian-sources
if ! dirs=$(sh "$top_srcdir/scripts/fetch-debian-sources.sh" "$cache" 2>"$T/fetch.err"); then
	skip_all "apt-get download failed: $(head -n 1 "$T/fetch.err")"
fi

# module name, version, the .ko files it installs
declare -A kos=([acpi-call]="acpi_call" [v4l2loopback]="v4l2loopback")
for d in $dirs; do
	base=$(basename "$d")
	name=${base%-*} ver=${base##*-}
	[ -n "${kos[$name]:-}" ] || continue
	cp -a "$d" "$T/$base"
	dk add "$T/$base"
	is 0 "$rc" "$name: add from its source dir" || diag "$err"
	check "$name: source copied into the source tree" test -f "$T/src/$base/dkms.conf"
	for k in $KERNELS; do
		dk install "$name/$ver" -k "$k"
		is 0 "$rc" "$name: build and install for $k" ||
			diag "$(tail -n 20 "$T/dkms/$name/$ver/build/make.log" 2>/dev/null)"
		for m in ${kos[$name]}; do
			ko=$T/lib/$k/updates/dkms/$m.ko
			is "$k" "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" \
				"$name: vermagic of installed $m.ko for $k"
		done
		is "installed" "$("$DKMS" status "$name/$ver" -k "$k" --root "$T/root" \
			--dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib" |
			sed 's/.*: //')" "$name: status for $k"
	done
	dk remove "$name/$ver" --all
	is 0 "$rc" "$name: remove --all"
	for k in $KERNELS; do
		for m in ${kos[$name]}; do
			check "$name: $m.ko gone for $k" test ! -e "$T/lib/$k/updates/dkms/$m.ko"
		done
	done
	check "$name: nothing left in the dkms tree" test ! -e "$T/dkms/$name"
done

done_testing
