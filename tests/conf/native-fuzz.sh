#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Generated declarative dkms.conf files (fixed seeds): whenever the native
# reader accepts one, its result must be bash's, byte for byte.
set -u

DKMS=${DKMS:-${top_builddir:-.}/core/cli/dkms}
count=${CONF_FUZZ_COUNT:-500}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
touch "$scratch/match.conf" "$scratch/sparse.conf"

names=(PACKAGE_NAME PACKAGE_VERSION MAKE MAKE_MATCH BUILT_MODULE_NAME
	DEST_MODULE_LOCATION STRIP strip CLEAN POST_ADD PATCH PATCH_MATCH
	BUILD_EXCLUSIVE_KERNEL AUTOINSTALL FOO bar built_module_name
	BUILT_MODULE_LOCATION)
# Mostly what the native reader may take, some of what it must refuse.
atoms=(a b 'x y' '  ' $'\t' $'\\\n' '$kernelver' '${arch}' '$FOO' '$bar'
	'$PACKAGE_NAME' '*' '?' '[a]' '\.' '$|' '(' '@(x)' '#' '=' $'\r' 'é'
	'{}' '!' '%' '*.conf' '[s]*' '$dkms_tree' '$module' $'\n' '\x')
nasty=('\$' '"' "'" '$(echo z)' '`echo w`' '\\' ';' '~' '$1' '$HOME' $'\xff')

# word: a random word in $W (no subshell: bash reseeds RANDOM in one,
# and the seeds would not be fixed)
word() {
	local out= i a
	for ((i = RANDOM % 5; i > 0; i--)); do
		if ((RANDOM % 10)); then
			a=${atoms[RANDOM % ${#atoms[@]}]}
		else
			a=${nasty[RANDOM % ${#nasty[@]}]}
		fi
		case $((RANDOM % 10)) in
		0|1|2) out+="\"${a//\"/}\"" ;;
		3|4) out+="'${a//\'/}'" ;;
		*) out+=$a ;;
		esac
	done
	W=$out
}

gen() {
	local i idx
	RANDOM=$1
	printf 'PACKAGE_NAME=fz\nPACKAGE_VERSION=1\nBUILT_MODULE_NAME=fz\nDEST_MODULE_LOCATION=/updates\n'
	for ((i = RANDOM % 8 + 1; i > 0; i--)); do
		idx=
		((RANDOM % 5 < 2)) && idx="[$((RANDOM % 4))]"
		word
		printf '%s%s=%s' "${names[RANDOM % ${#names[@]}]}" "$idx" "$W"
		case $((RANDOM % 4)) in
		0) printf '; ' ;;
		1) word; printf ' # %s\n' "$W" ;;
		*) printf '\n' ;;
		esac
	done
}

echo "1..1"
native=0 bad=
for ((s = 1; s <= count; s++)); do
	gen "$s" >"$scratch/f.conf"
	a=$("$DKMS" conf --json -k 6.1.0-56-amd64 -a x86_64 -j 4 --distribution debian \
		--confdir "$scratch/none" --native "$scratch/f.conf" 2>/dev/null)
	[[ $? == 3 ]] && continue
	native=$((native + 1))
	b=$("$DKMS" conf --json -k 6.1.0-56-amd64 -a x86_64 -j 4 --distribution debian \
		--confdir "$scratch/none" --shell "$scratch/f.conf" 2>/dev/null)
	if [[ $a != "$b" ]]; then
		bad+=" $s"
		diff <(echo "$a") <(echo "$b") | sed 's/^/# /' | head -10
	fi
done
if [[ $bad ]]; then
	echo "not ok 1 - native = bash on $native of $count generated files; differ:$bad"
else
	echo "ok 1 - native = bash on $native of $count generated files"
fi
