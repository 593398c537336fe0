# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/fetch-debian-sources.sh unpacks real Debian *-dkms sources
# (acpi-call, v4l2loopback) without installing them, and both build with
# plain make against the real headers.  Skipped without apt access.
. "$top_srcdir/tests/lib.sh"

REAL=6.1.0-56-amd64
have_real_kernel "$REAL" || skip_all "headers for $REAL are not installed"

scratch
if ! dirs=$(sh "$top_srcdir/scripts/fetch-debian-sources.sh" "$T/deb" 2> "$T/fetch.err"); then
	skip_all "apt-get download failed: $(head -n 1 "$T/fetch.err")"
fi
is "$T/deb/usr/src/acpi-call-1.2.2
$T/deb/usr/src/v4l2loopback-0.12.7" "$dirs" "the unpacked source dirs"
mkdir "$T/bin"
printf '#!/bin/sh\necho "apt-get called" >&2\nexit 1\n' > "$T/bin/apt-get"
chmod +x "$T/bin/apt-get"
check "cached: a second run downloads nothing" \
	env PATH="$T/bin:$PATH" sh "$top_srcdir/scripts/fetch-debian-sources.sh" "$T/deb"
check "nothing was installed" test ! -e /usr/src/acpi-call-1.2.2

for d in $dirs; do
	name=$(basename "$d")
	cp -a "$d" "$T/$name"
	start=$(date +%s%N)
	out=$(make -C "/lib/modules/$REAL/build" M="$T/$name" KERNELRELEASE="$REAL" -j2 2>&1)
	rc=$?
	diag "$name: $((($(date +%s%N) - start) / 1000000)) ms"
	is 0 "$rc" "$name builds with plain make against $REAL" || diag "$out"
done
is "$REAL SMP preempt mod_unload modversions " \
	"$(modinfo -F vermagic "$T/v4l2loopback-0.12.7/v4l2loopback.ko" 2>/dev/null)" \
	"v4l2loopback.ko vermagic"

done_testing
