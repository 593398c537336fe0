#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The core's layers stay layers: core/lib holds one folder per layer,
# lowest first in the list below, and a layer uses only those under it.
#   - includes: a file of a layer includes its own folder's headers, the
#     umbrella header (<layer>/<layer>.h) of a lower layer, libdkms.h
#     (the public vocabulary) and config.h, nothing else of the project;
#   - calls: every symbol an object of the built library takes from
#     another object is defined in its own layer or a lower one (nm);
#   - the command line and the adapters come in through api/api.h.
. "$top_srcdir/tests/lib.sh"

layers="base tree kernel run conf exec ops cmd api"
lib=$top_srcdir/core/lib
plan 5

rank() {
	local i=0 l
	for l in $layers; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo 99
}

# No source outside the layer folders but the public header.
stray=$(cd "$lib" && ls ./*.c ./*.h 2>/dev/null | grep -v '^\./libdkms\.h$')
is "" "$stray" "core/lib holds only the layer folders and libdkms.h"

folders=$(cd "$lib" && find . -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | tr '\n' ' ')
is "$(echo "$layers" | tr ' ' '\n' | sort | tr '\n' ' ')" "$folders" \
	"the folders are the layers: $layers"

# bad_includes: one line per include that points up, sideways into
# another layer's internals, or out of the layers.
bad_includes() {
	local f own inc dir
	for f in "$lib"/*/*.[ch]; do
		own=$(basename "$(dirname "$f")")
		grep -o '^#include "[^"]*"' "$f" | sed 's/^#include "//; s/"$//' |
		while read -r inc; do
			case $inc in
			config.h | libdkms.h) continue ;;
			*/*) dir=${inc%%/*} ;;
			*) echo "${f#"$lib"/}: \"$inc\" names no layer"; continue ;;
			esac
			if [ "$dir" = "$own" ]; then
				continue
			elif [ "$(rank "$dir")" -ge "$(rank "$own")" ]; then
				echo "${f#"$lib"/}: \"$inc\" is not below $own"
			elif [ "$inc" != "$dir/$dir.h" ]; then
				echo "${f#"$lib"/}: \"$inc\": another layer is used through $dir/$dir.h"
			fi
		done
	done
}
is "" "$(bad_includes)" "every #include points down a layer, through its header"

# bad_calls: what an object takes from an object of a higher layer.
bad_calls() {
	local o src own sym def
	declare -A layer_of def_of
	for o in "$top_builddir"/core/lib/*/.libs/*.o; do
		src=${o##*/libdkms_internal_la-}
		src=${src%.o}
		own=$(basename "$(dirname "$(dirname "$o")")")
		layer_of[$src]=$own
		while read -r sym; do
			def_of[$sym]=$src
		done < <(nm --defined-only "$o" | awk '$2 ~ /^[TDBR]$/ {print $3}')
	done
	for o in "$top_builddir"/core/lib/*/.libs/*.o; do
		src=${o##*/libdkms_internal_la-}
		src=${src%.o}
		own=${layer_of[$src]}
		while read -r sym; do
			def=${def_of[$sym]:-}
			[ -n "$def" ] || continue
			if [ "$(rank "${layer_of[$def]}")" -gt "$(rank "$own")" ]; then
				echo "$own/$src calls $sym of ${layer_of[$def]}/$def"
			fi
		done < <(nm --undefined-only "$o" | awk '{print $2}')
	done
}
if ! command -v nm >/dev/null; then
	skip "nm is not installed"
elif ! ls "$top_builddir"/core/lib/*/.libs/*.o >/dev/null 2>&1; then
	not_ok "no objects of the library under $top_builddir/core/lib"
else
	is "" "$(bad_calls)" "no object calls into a higher layer"
fi

# The command line and the adapters: the public header or api/api.h,
# and headers of their own, beside them.
own_header() {
	local line file inc
	while IFS= read -r line; do
		file=${line%%:*}
		inc=${line#*#include \"}
		inc=${inc%%\"*}
		[ -f "$(dirname "$file")/$inc" ] || echo "$line"
	done
}
outside=$(grep -Hn '^#include "' "$top_srcdir"/core/cli/*.[ch] \
	"$top_srcdir"/rpm-plugin/*.[ch] "$top_srcdir"/dpkg-trigger/*.[ch] \
	"$top_srcdir"/pacman-hook/*.[ch] 2>/dev/null |
	grep -Ev '"(config\.h|libdkms\.h|api/api\.h|cli\.h)"' | own_header |
	sed "s|^$top_srcdir/||")
is "" "$outside" "programs use the core through libdkms.h or api/api.h"
done_testing
