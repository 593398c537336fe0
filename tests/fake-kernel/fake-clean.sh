#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fake-clean.sh M: remove what the fake kbuild wrote under M.
set -eu
m=$1
find "$m" -type f \( -name '*.o' -o -name '*.ko' -o -name '*.symvers-part' \
	-o -name '*.ko.tmp*' -o -name modules.order \) -delete
rm -f "$m/Module.symvers"
