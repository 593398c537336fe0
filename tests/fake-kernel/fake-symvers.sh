#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fake-symvers.sh M: gather the exports of every module of M (in
# modules.order order) into M/Module.symvers, as modpost does.
set -eu
m=$1
: > "$m/Module.symvers.tmp"
if [ -f "$m/modules.order" ]; then
	while read -r ko; do
		part=${ko%.ko}.symvers-part
		[ -f "$part" ] && cat "$part" >> "$m/Module.symvers.tmp"
	done < "$m/modules.order"
fi
sort -k2,2 "$m/Module.symvers.tmp" > "$m/Module.symvers"
rm -f "$m/Module.symvers.tmp"
