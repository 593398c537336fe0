#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# When dkms itself is killed (SIGKILL: nothing of ours runs any more), the
# sandboxed code it started dies with it: a dkms.conf that loops forever
# and a build that loops forever leave no process behind.
. "$top_srcdir/tests/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "the sandbox needs root"
scratch
mkdir -p "$T/src"
cat >"$T/src/dkms.conf" <<'CONF'
PACKAGE_NAME=orphan$(while :; do :; done)
PACKAGE_VERSION=1
CONF

gone() {
	local i
	for i in $(seq 50); do
		pgrep -f "$1" >/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# (its scratch dir in $T: a dkms killed cannot remove it)
mkdir -p "$T/tmp"
TMPDIR=$T/tmp "$DKMS" conf --json -k 6.1.0-1-fake -a x86_64 --shell "$T/src/dkms.conf" \
	>/dev/null 2>&1 &
pid=$!
sleep 1
check "the looping dkms.conf runs" pgrep -u nobody -f "$T/src/dkms.conf"
kill -9 "$pid"
wait "$pid" 2>/dev/null
check "killing dkms ends the sandboxed dkms.conf evaluation" gone "$T/src/dkms.conf"
pkill -9 -f "$T/src/dkms.conf" 2>/dev/null
done_testing
