#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/rpm-plugin.sh [-q] [BUILDDIR]: what the rpm plugin costs a
# transaction that touches neither driver sources nor kernels.  The same
# `rpm --root SCRATCH -i unrelated.rpm` is timed with hyperfine with the
# plugin loaded (%__transaction_dkms pointing at BUILDDIR's
# rpm-plugin/.libs/dkms.so) and without (the macro undefined), each run
# from the same state (the package erased again by --prepare, not
# timed); the difference of the means is printed.  A benchmark, not a
# test: nothing in `make check` runs it.
#
#   BUILDDIR  a configured and built tree with the plugin (default:
#             $top_builddir, else ../build)
#   -q        quick: fewer runs (numbers are noisier)
#   BENCH_KEEP=1 keeps the scratch dir.
#
# Needs root (rpm writes the scratch root as root), hyperfine, jq, rpm
# and rpmbuild.  Nothing outside the scratch dir is written: HOME is an
# empty dir there, so no ~/.rpmmacros counts, and the rpmdb is the
# scratch root's (--dbpath /var/lib/rpm).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
export LC_ALL=C
runs=(--warmup 5 --min-runs 40)
if [ "${1:-}" = -q ]; then
	runs=(--warmup 2 --min-runs 10)
	shift
fi
build=$(realpath "${1:-${top_builddir:-$top/../build}}")
so=$build/rpm-plugin/.libs/dkms.so

die() {
	echo "bench: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (rpm --root writes the scratch root as root)"
for t in hyperfine jq rpm rpmbuild; do
	command -v $t >/dev/null || die "$t is missing (apt-get install -y $t)"
done
[ -f "$so" ] || die "no plugin built at $so (configure found librpm? give the build dir)"

W=$(mktemp -d /tmp/dkms-bench-rpm.XXXXXX)
cleanup() {
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "bench: kept $W" >&2
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
mkdir -p "$W/home" "$W/root"

cat >"$W/unrelated.spec" <<'SPEC'
Name: unrelated
Version: 1.0
Release: 1
Summary: a package neither dkms nor a kernel
License: GPL-2.0-or-later
BuildArch: noarch
AutoReqProv: no
%description
a package neither dkms nor a kernel
%install
mkdir -p %{buildroot}/usr/share/unrelated
for i in $(seq 1 50); do echo "$i" >%{buildroot}/usr/share/unrelated/f$i; done
%files
/usr/share/unrelated
SPEC
rpmbuild -bb --define "_topdir $W/rpmbuild" --define "_rpmdir $W" \
	--define "_build_name_fmt unrelated.rpm" "$W/unrelated.spec" \
	>"$W/rpmbuild.log" 2>&1 || die "rpmbuild: $(tail -3 "$W/rpmbuild.log")"

rpm=(env HOME="$W/home" rpm --force-debian --root "$W/root" --dbpath /var/lib/rpm
	--define "__plugindir $(dirname "$so")")
q() { printf '%q ' "$@"; }
on="$(q "${rpm[@]}" --define "__transaction_dkms %{__plugindir}/dkms.so") -i $W/unrelated.rpm"
off="$(q "${rpm[@]}") -i $W/unrelated.rpm"
erase="$(q "${rpm[@]}") -e unrelated >/dev/null 2>&1 || true"

# the plugin is loaded, and silent: nothing said, nothing written but
# the package and the rpmdb
out=$(eval "$on" 2>&1; eval "$erase" 2>&1)
[ -z "$out" ] || die "the plugin said something for an unrelated package: $out"
[ ! -e "$W/root/var/lib/dkms" ] || die "the plugin wrote to the root's dkms tree"
eval "$(q "${rpm[@]}") --define '__transaction_dkms $W/missing.so' -i $W/unrelated.rpm" \
	>/dev/null 2>&1 && die "rpm did not try to load the plugin (is $so's dir the plugin dir?)"
rm -rf "${W:?}/root" && mkdir "$W/root"

hyperfine "${runs[@]}" --export-json "$W/times.json" \
	--prepare "$erase" -n "plugin off" "$off" \
	--prepare "$erase" -n "plugin on" "$on" >&2

jq -r '
	(.results | map({(.command): .}) | add) as $r |
	($r["plugin off"].mean * 1000) as $off | ($r["plugin on"].mean * 1000) as $on |
	(($r["plugin off"].stddev * 1000) as $s1 | ($r["plugin on"].stddev * 1000) as $s2 |
	 (($s1 * $s1 + $s2 * $s2) | sqrt)) as $sd |
	"rpm -i of an unrelated package: plugin off \($off * 100 | round / 100) ms, on \($on * 100 | round / 100) ms",
	"difference: \(($on - $off) * 100 | round / 100) ms ± \($sd * 100 | round / 100) ms"' \
	"$W/times.json"
