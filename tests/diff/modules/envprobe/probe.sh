#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# PRE_BUILD: what the build sees of the environment, into make.log.
echo "probe: ENVPROBE_VAR=${ENVPROBE_VAR-unset} LANG=${LANG-unset}" \
	"LC_ALL=${LC_ALL-unset} CC=${CC-unset} CFLAGS=${CFLAGS-unset}" \
	"LDFLAGS=${LDFLAGS-unset} TZ=${TZ-unset}"
# a tool's message in that locale (find quotes as the locale says)
find /nonexistent-envprobe-build 2>&1 | sed 's/^/probe: /'
exit 0
