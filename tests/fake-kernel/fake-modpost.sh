#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fake modpost: fake-modpost.sh NAME.ko PART.o...
# Links the parts with ld -r and adds what modpost adds to .modinfo
# (srcversion, depends, retpoline, name, vermagic), so libkmod and dkms
# read the result as a real module.  Exports go to NAME.symvers-part for
# Module.symvers.
set -eu
ko=$1; shift
base=${ko%.ko}
name=$(basename "$base" | tr - _)
tmp=$base.ko.tmp

${FAKE_LD:-ld} -r -o "$tmp.o" "$@"

objcopy -O binary --only-section=.modinfo "$tmp.o" "$tmp.modinfo" 2>/dev/null ||
	: > "$tmp.modinfo"
info=$(tr '\0' '\n' < "$tmp.modinfo")
rm -f "$tmp.modinfo"

# As real modpost: srcversion only for versioned modules unless
# CONFIG_MODULE_SRCVERSION_ALL (which mkfake.sh sets by default).
srcversion=
if [ "${CONFIG_MODULE_SRCVERSION_ALL:-}" = y ] ||
   printf '%s\n' "$info" | grep -q '^version='; then
	srcs=
	for o; do
		[ -f "${o%.o}.c" ] && srcs="$srcs ${o%.o}.c"
	done
	# shellcheck disable=SC2086
	srcversion=$(cat $srcs /dev/null | md5sum | cut -c1-24 | tr a-f A-F)
fi

# depends=: the modules (from the kernel's and KBUILD_EXTRA_SYMBOLS'
# Module.symvers) whose exports this module uses; unresolved symbols are
# a warning here (the fake kernel exports nothing real).
symvers="$srctree/Module.symvers ${KBUILD_EXTRA_SYMBOLS:-}"
depends=$(nm -u "$tmp.o" | awk '{ print $NF }' | sort -u |
	awk -v files="$symvers" -v ko="$ko" '
	BEGIN {
		n = split(files, f, " ")
		for (i = 1; i <= n; i++)
			while ((getline line < f[i]) > 0) {
				split(line, c, "\t")
				m = c[3]; sub(".*/", "", m); gsub("-", "_", m)
				owner[c[2]] = m
			}
	}
	{
		if ($1 in owner) {
			if (owner[$1] != "vmlinux" && !seen[owner[$1]]++)
				deps = deps (deps == "" ? "" : ",") owner[$1]
		} else if ($1 !~ /^(_printk|printk|mem(cpy|set|move|cmp)|str[a-z]*|__fentry__|__stack_chk_fail|__x86_.*)$/)
			print "WARNING: fake modpost: \"" $1 "\" [" ko "] undefined!" > "/dev/stderr"
	}
	END { print deps }')

{
	echo '.section .note.GNU-stack,"",@progbits'
	echo '.section .modinfo,"a"'
	[ -n "$srcversion" ] && echo ".string \"srcversion=$srcversion\""
	echo ".string \"depends=$depends\""
	echo '.string "retpoline=Y"'
	echo ".string \"name=$name\""
	echo ".string \"vermagic=$FAKE_VERMAGIC\""
} | as -o "$tmp.mod.o" -

${FAKE_LD:-ld} -r -o "$ko" "$tmp.o" "$tmp.mod.o"
rm -f "$tmp.o" "$tmp.mod.o"

# Exports: EXPORT_SYMBOL(x) in the fake headers defines __ksymtab_x in a
# section ___ksymtab+x (___ksymtab_gpl+x for the GPL variant).
objdump -t "$ko" | awk -v mod="$base" '
	$NF ~ /^__ksymtab_/ && $(NF-2) ~ /^___ksymtab/ {
		sym = substr($NF, 11)
		type = ($(NF-2) ~ /^___ksymtab_gpl\+/) ? "EXPORT_SYMBOL_GPL" : "EXPORT_SYMBOL"
		crc = 0
		for (i = 1; i <= length(sym); i++)
			crc = (crc * 31 + index("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", substr(sym, i, 1))) % 4294967296
		printf "0x%08x\t%s\t%s\t%s\t\n", crc, sym, mod, type
	}' > "$base.symvers-part"
