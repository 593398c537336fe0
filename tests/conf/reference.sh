#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Edge-case dkms.conf files (tests/conf/fixtures) read by the reference
# dkms 3.4.3's own read_conf / read_conf_strict, live, and by ours: raw,
# derived, stderr, status and make invocation must be the same.  The
# reference is sourced up to its argument parsing (functions and global
# state), as the corpus was made; it only reads the machine.
set -u

DKMS=${DKMS:-${top_builddir:-.}/core/cli/dkms}
fixtures=${top_srcdir:-.}/tests/conf/fixtures
ref=
for d in "${top_srcdir:-.}/../shared/reference/dkms-3.4.3" /work/shared/reference/dkms-3.4.3; do
	[[ -x $d/dkms ]] && ref=$d/dkms && break
done
if [[ ! $ref ]] || ! command -v jq >/dev/null; then
	echo "1..0 # SKIP reference dkms or jq missing"
	exit 0
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/shim" "$scratch/etc-dkms"
printf '#!/bin/sh\necho 4\n' >"$scratch/shim/nproc"
chmod +x "$scratch/shim/nproc"
export PATH="$scratch/shim:$PATH"

# The reference's view, as the per-kernel JSON object of the corpus.
ref_read() { # strict(0/1) kernel conf
	(
		set +u
		cd "$(dirname "$3")" || exit 1
		# shellcheck disable=SC1090
		source <(sed -n '1,/^# Parse command line arguments/p' "$ref") 2>/dev/null
		trap - EXIT
		running_distribution=debian
		pass() {
			if (( $1 )); then read_conf_strict "$2" x86_64 "$3"; else read_conf "$2" x86_64 "$3"; fi
		}
		module= module_version=
		{ IFS= read -r -d '' module; IFS= read -r -d '' module_version; } < \
			<(pass 0 "$2" "$3" >/dev/null 2>&1; printf '%s\0%s\0' "$PACKAGE_NAME" "$PACKAGE_VERSION")
		pass "$1" "$2" "$3" 2>"$scratch/ref-err"
		rc=$?
		esc() {
			local v=$1
			v=${v//\\/\\\\}; v=${v//\"/\\\"}; v=${v//$'\n'/\\n}
			v=${v//$'\t'/\\t}; v=${v//$'\r'/\\r}
			printf '"%s"' "$v"
		}
		var() {
			local n=$1 i sep=
			eval "local -a ix=(\"\${!$n[@]}\")"
			if (( ${#ix[@]} == 0 )); then printf 'null'; return; fi
			printf '{'
			for i in "${ix[@]}"; do
				eval "local v=\${$n[i]}"
				printf '%s"%s":' "$sep" "$i"; esc "$v"; sep=,
			done
			printf '}'
		}
		printf '{"module":'; esc "$module"
		printf ',"module_version":'; esc "$module_version"
		printf ',"read_conf_rc":%d,"raw":{' "$rc"
		sep=
		for n in $dkms_conf_variables; do
			[[ $n == [A-Z]* ]] || continue
			printf '%s"%s":' "$sep" "$n"; var "$n"; sep=,
		done
		printf '},"derived":{'
		sep=
		for n in package_name package_version built_module_name built_module_location \
			dest_module_name dest_module_location strip make_command clean patch_array \
			build_exclude pre_build post_build pre_install post_install post_add \
			post_remove obsolete_by; do
			printf '%s"%s":' "$sep" "$n"; var "$n"; sep=,
		done
		printf '},"make_invocation":'
		esc "${make_command/#make/make -j4 KERNELRELEASE=$2}"
		printf ',"stderr":['
		sep=
		while IFS= read -r line; do
			printf '%s' "$sep"; esc "${line//$3/<conf>}"; sep=,
		done <"$scratch/ref-err"
		printf ']}\n'
	)
}

our_read() { # strict kernel conf
	local s=
	(( $1 )) && s=--strict
	"$DKMS" conf --json -k "$2" -a x86_64 -j 4 --distribution debian \
		--confdir "$scratch/etc-dkms" $s "$3"
}

tmpname='s|/[^ ]*/tmp\.[A-Za-z0-9]*: line|<tmpfile>: line|; s|/[^ ]*/dkms-conf\.[A-Za-z0-9]*/source\.[0-9]*: line|<tmpfile>: line|'
fields=(module module_version read_conf_rc raw derived make_invocation stderr)
confs=("$fixtures"/*.conf)
kernels=(6.1.0-56-amd64 6.12.9-amd64)
echo "1..$(( ${#confs[@]} * ${#kernels[@]} * 2 ))"
n=0
for c in "${confs[@]}"; do
	for k in "${kernels[@]}"; do
		for strict in 0 1; do
			n=$((n + 1))
			want=$(ref_read "$strict" "$k" "$c")
			have=$(our_read "$strict" "$k" "$c" 2>"$scratch/err")
			bad=
			for f in "${fields[@]}"; do
				# The file safe_source writes its second pass to has a
				# random name (mktemp there, ours here).
				a=$(jq -S --arg f "$f" '.[$f]' <<<"$want" 2>&1 | sed "$tmpname")
				b=$(jq -S --arg f "$f" '.[$f]' <<<"$have" 2>&1 | sed "$tmpname")
				if [[ $a != "$b" ]]; then
					bad+=" $f"
					diff <(echo "$a") <(echo "$b") | sed 's/^/# /' | head -20
				fi
			done
			name="$(basename "$c") $k$( ((strict)) && echo ' strict')"
			if [[ $bad ]]; then
				sed 's/^/# stderr: /' "$scratch/err"
				echo "not ok $n - $name:$bad"
			else
				echo "ok $n - $name"
			fi
		done
	done
done
