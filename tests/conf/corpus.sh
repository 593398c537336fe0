#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The dkms.conf corpus against our reader: for every conf and both kernels,
# `dkms conf --json` must give what dkms 3.4.3's read_conf gave
# (expected.json), field by field; and the native reader must agree with
# the bash one.  Environment pinned as the corpus was made: nproc 4,
# uname -r 6.1.0-56-amd64, cwd /, Debian.
set -u

DKMS=${DKMS:-${top_builddir:-.}/core/cli/dkms}
corpus=
for d in "${top_srcdir:-.}/../shared/corpus/dkms-conf" /work/shared/corpus/dkms-conf; do
	[[ -d $d ]] && corpus=$d && break
done
if [[ ! $corpus ]] || ! command -v jq >/dev/null; then
	echo "1..0 # SKIP corpus or jq missing"
	exit 0
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/shim" "$scratch/etc-dkms"
printf '#!/bin/sh\necho 4\n' >"$scratch/shim/nproc"
cat >"$scratch/shim/uname" <<'SHIM'
#!/bin/sh
case "$1" in
-r) echo 6.1.0-56-amd64 ;;
-m) echo x86_64 ;;
*) echo Linux ;;
esac
SHIM
chmod +x "$scratch/shim/nproc" "$scratch/shim/uname"

kernels=(6.1.0-56-amd64 6.12.9-amd64)
fields=(derived raw make_invocation stderr read_conf_rc module module_version kernel_source_dir)
dirs=("$corpus"/*/)
echo "1..$(( ${#dirs[@]} * ${#kernels[@]} + ${#dirs[@]} ))"

run() { # conf kernel [extra options]
	(cd / && PATH="$scratch/shim:$PATH" "$DKMS" conf --json -k "$2" -a x86_64 -j 4 \
		--distribution debian --confdir "$scratch/etc-dkms" "${@:3}" "$1")
}

n=0
for d in "${dirs[@]}"; do
	id=$(basename "$d")
	for k in "${kernels[@]}"; do
		n=$((n + 1))
		got=$(run "$d/dkms.conf" "$k" 2>"$scratch/err")
		bad=
		for f in "${fields[@]}"; do
			want=$(jq -S --arg k "$k" --arg f "$f" '.kernels[$k][$f]' "$d/expected.json")
			have=$(jq -S --arg f "$f" '.[$f]' <<<"$got" 2>/dev/null)
			if [[ $want != "$have" ]]; then
				bad+=" $f"
				diff <(echo "$want") <(echo "$have") | sed 's/^/# /' | head -20
			fi
		done
		if [[ $bad ]]; then
			sed 's/^/# stderr: /' "$scratch/err"
			echo "not ok $n - $id $k:$bad"
		else
			echo "ok $n - $id $k"
		fi
	done
done

# Native reading must be indistinguishable from bash's.
for d in "${dirs[@]}"; do
	id=$(basename "$d")
	n=$((n + 1))
	bad= how=native
	for k in "${kernels[@]}"; do
		# --native fails (status 3) when the file needs bash; then the
		# automatic choice must still equal the forced bash reading.
		a=$(run "$d/dkms.conf" "$k" --native 2>/dev/null)
		if [[ $? == 3 ]]; then
			how="needs bash"
			a=$(run "$d/dkms.conf" "$k")
		fi
		a=$(jq -S . <<<"$a")
		b=$(run "$d/dkms.conf" "$k" --shell | jq -S .)
		[[ $a && $a == "$b" ]] || bad+=" $k"
	done
	if [[ $bad ]]; then
		echo "not ok $n - native = bash: $id ($how):$bad"
	else
		echo "ok $n - native = bash: $id ($how)"
	fi
done
