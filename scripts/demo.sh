#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh: build and install the example module tests/modules/hello-0.1
# with our dkms for the newest kernel whose headers are installed
# (/lib/modules/*/build), into scratch trees, and show `dkms status`.
#
#   scripts/demo.sh                 # after ./configure && make
#   DKMS=/path/to/dkms scripts/demo.sh
#   KEEP=1 scripts/demo.sh          # keep the scratch trees
#
# Nothing outside the scratch dir is written by the demo itself, but dkms
# may sign the module and, like any dkms, create its key
# /var/lib/dkms/mok.key on first use.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
DKMS=${DKMS:-$top/core/cli/dkms}
if [ ! -x "$DKMS" ]; then
	echo "demo: $DKMS not found; build first (./configure && make)" >&2
	exit 1
fi

build=$(ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$build" ]; then
	echo "demo: no kernel headers in /lib/modules/*/build;" \
		"install linux-headers-amd64 (scripts/install-deps.sh)" >&2
	exit 1
fi
kver=${build#/lib/modules/}
kver=${kver%/build}

T=$(mktemp -d "${TMPDIR:-/tmp}/dkms-demo.XXXXXX")
if [ -n "${KEEP:-}" ]; then
	echo "demo: scratch trees kept in $T"
else
	trap 'rm -rf "$T"' EXIT
fi
mkdir -p "$T/dkms" "$T/src" "$T/lib/$kver"
ln -s "/lib/modules/$kver/build" "$T/lib/$kver/build"
cp -a "$top/tests/modules/hello-0.1" "$T/src/hello-0.1"
trees=(--dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib")

run() {
	echo "+ dkms $*"
	"$DKMS" "$@" "${trees[@]}"
}

echo "demo: dkms is $DKMS, kernel $kver, trees in $T"
run add -m hello -v 0.1
run build -m hello -v 0.1 -k "$kver"
run install -m hello -v 0.1 -k "$kver" --no-depmod
echo "+ modinfo -F vermagic .../$kver/.../hello.ko"
modinfo -F vermagic "$(find "$T/lib/$kver" -name 'hello.ko*' | head -n 1)"
run status -m hello
