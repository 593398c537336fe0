#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/sandbox-cost.sh [OUR_DKMS]: what the build sandbox costs per build.
# A benchmark, not a test.  `dkms build --force` of a module whose MAKE
# only copies a prebuilt .ko (so the build itself is nearly free and the
# sandbox's namespaces, mounts and ownership changes are what is left),
# then of the hello fixture on the fake kernel, each with --sandbox and
# --no-sandbox, with hyperfine.  Prints hyperfine's table and the mean
# difference per build.  Needs root and hyperfine.
#
#   OUR_DKMS   our binary (default: $DKMS, else ../build/core/cli/dkms)
#   RUNS=N     runs per command (default 30)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
export LC_ALL=C
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS
DKMS=${1:-${DKMS:-$top/../build/core/cli/dkms}}
RUNS=${RUNS:-30}
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }
[ -x "$DKMS" ] || { echo "no dkms at $DKMS" >&2; exit 1; }

T=$(mktemp -d /tmp/dkms-bench-sandbox.XXXXXX)
trap 'rm -rf "$T"' EXIT
K=6.1.0-1-fake
mkdir -p "$T/dkms" "$T/src" "$T/lib/$K/kernel" "$T/root/etc/dkms"
sh "$top/tests/fake-kernel/mkfake.sh" "$T/lib/$K/build" "$K" >/dev/null
cp -a "$top/tests/modules/hello-0.1" "$T/src/hello-0.1"

# "copy": the hello module prebuilt once, copied by MAKE
mkdir -p "$T/pre"
cp "$top/tests/modules/hello-0.1/hello.c" "$T/pre/copy.c"
echo "obj-m := copy.o" >"$T/pre/Kbuild"
make -s -C "$T/lib/$K/build" M="$T/pre" >/dev/null
mkdir -p "$T/src/copy-0.1"
cp "$T/pre/copy.ko" "$T/src/copy-0.1/prebuilt.ko"
cat >"$T/src/copy-0.1/dkms.conf" <<'EOF'
PACKAGE_NAME=copy
PACKAGE_VERSION=0.1
BUILT_MODULE_NAME[0]=copy
DEST_MODULE_LOCATION[0]=/extra
MAKE[0]="cp prebuilt.ko copy.ko"
EOF

o="--root $T/root --dkmstree $T/dkms --sourcetree $T/src --installtree $T/lib"
for m in copy hello; do
	"$DKMS" add $m/0.1 $o >/dev/null
	"$DKMS" build $m/0.1 -k $K $o >/dev/null
done

hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$T/h.json" \
	-n "copy, sandbox" "$DKMS build copy/0.1 -k $K --force --sandbox $o" \
	-n "copy, no sandbox" "$DKMS build copy/0.1 -k $K --force --no-sandbox $o" \
	-n "hello, sandbox" "$DKMS build hello/0.1 -k $K --force --sandbox $o" \
	-n "hello, no sandbox" "$DKMS build hello/0.1 -k $K --force --no-sandbox $o"

# The machine is shared: the medians and minimums say more than the means,
# and the CPU time (user + system, of dkms and its children) more still.
if command -v jq >/dev/null; then
	jq -r 'def ms(x): (x * 10000 | round) / 10;
		def cpu(r): r.user + r.system;
		.results as $r |
		"sandbox cost per build, wall (median, min): copy \(ms($r[0].median - $r[1].median)) ms, \(ms($r[0].min - $r[1].min)) ms; " +
		"hello \(ms($r[2].median - $r[3].median)) ms, \(ms($r[2].min - $r[3].min)) ms",
		"sandbox cost per build, CPU (user+system): copy \(ms(cpu($r[0]) - cpu($r[1]))) ms, hello \(ms(cpu($r[2]) - cpu($r[3]))) ms"' "$T/h.json"
fi
