#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 8 processes run random add/build/install/uninstall/remove/status on one
# scratch tree (fake kernel, a module the kernel also ships) for a bounded
# time (SAFETY_SECONDS, default 20).  Every command ends with a dkms exit
# code (no signal, no sanitizer report, no "Failed to" without words);
# status never waits for the writers; at the end the tree is consistent:
# each kernel link leads to a built dir whose modules are installed, each
# version dir is added, no temp file is left, the shipped module is in
# place or in its backup, and everything can still be removed.
. "$top_srcdir/tests/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "dkms add/install need root"
K=6.1.0-1-fake
A=$(uname -m)
SECS=${SAFETY_SECONDS:-20}
WORKERS=8
scratch
mk_trees "$T"
fake_kernel "$T" "$K"
orig=$(fake_kernel_module "$T" "$K" hello 0.0.1) || bail_out "no shipped module"
orig_sum=$(md5sum <"$orig")
for v in 0.1 0.2 0.3; do
	cp -a "$top_srcdir/tests/modules/hello-0.1" "$T/src/hello-$v"
	sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$v\"/" "$T/src/hello-$v/dkms.conf"
	sed -i "s/MODULE_VERSION(\"0.1\")/MODULE_VERSION(\"$v\")/" "$T/src/hello-$v/hello.c"
done
mkdir -p "$T/log"
export T
# The builds are sandboxed when possible; not needed here, and quicker off.
nosb=()
"$DKMS" --no-sandbox --version >/dev/null 2>&1 && nosb=(--no-sandbox)

# worker N: random commands until the deadline; one line per command in
# $T/log/N.ops: "OP VERSION EXIT MILLISECONDS", its stderr in N.err.
worker() {
	local n=$1 end=$((SECONDS + SECS)) op v rc t0 err
	RANDOM=$((n * 7919 + $$))
	while [ "$SECONDS" -lt "$end" ]; do
		v=0.$((RANDOM % 3 + 1))
		case $((RANDOM % 6)) in
		0) op=(add -m hello -v "$v") ;;
		1) op=(build -m hello -v "$v" -k "$K") ;;
		2) op=(install -m hello -v "$v" -k "$K") ;;
		3) op=(uninstall -m hello -v "$v" -k "$K") ;;
		4) op=(remove -m hello -v "$v" --all) ;;
		5) op=(status) ;;
		esac
		t0=$(date +%s%N)
		err=$(dkms_ours "${op[@]}" "${nosb[@]}" 2>&1 >/dev/null)
		rc=$?
		echo "${op[0]} $v $rc $((($(date +%s%N) - t0) / 1000000))" >>"$T/log/$n.ops"
		[ -n "$err" ] && printf '%s\n' "$err" >>"$T/log/$n.err"
	done
}
for ((i = 1; i <= WORKERS; i++)); do
	worker "$i" &
done
wait

all=$(cat "$T"/log/*.ops)
total=$(wc -l <<<"$all")
diag "$total commands by $WORKERS processes in ${SECS}s:" \
	"$(awk '{n[$1" exit "$3]++} END {for (k in n) print k": "n[k]}' <<<"$all" | sort)"
ok_codes=" 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 16 21 77 101 "
bad=$(awk -v ok="$ok_codes" 'index(ok, " "$3" ") == 0' <<<"$all")
is "" "$bad" "every command ended with a dkms exit code"
crash=$(cat "$T"/log/*.err 2>/dev/null |
	grep -E 'Sanitizer|runtime error|Segmentation|Aborted|core dumped|dkms: Failed to' | sort -u | head -5)
is "" "$crash" "no crash, no sanitizer report, no wordless failure"
wrote=$(awk '($1 == "add" || $1 == "install") && $3 == 0' <<<"$all" | wc -l)
if [ "$wrote" -gt 0 ]; then ok "some writes succeeded ($wrote)"; else not_ok "some writes succeeded"; fi
slow=$(awk '$1 == "status" && $4 > 5000' <<<"$all")
is "" "$slow" "status never waited (all under 5 s)"
# status concurrent with a writer holding the lock: it answers at once
(
	exec 9<"$T/dkms"
	flock 9
	sleep 3
) &
sleep 0.3
t0=$(date +%s%N)
timeout 10 "$DKMS" status --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/lib" >/dev/null 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
wait
ok_or() { if [ "$1" -lt "$2" ]; then ok "$3"; else not_ok "$3"; diag "$1 ms"; fi; }
[ "$rc" -le 1 ] && ok_or "$ms" 2000 "status while the tree is locked answers at once" ||
	{ not_ok "status while the tree is locked answers at once"; diag "exit $rc"; }

# ---- the tree is consistent
problems=()
for link in "$T"/dkms/hello/kernel-*; do
	[ -L "$link" ] || { [ -e "$link" ] && problems+=("$link: not a symlink"); continue; }
	dir=$(readlink -f "$link")
	ko=$(ls "$dir"/module/hello.ko* 2>/dev/null | head -1)
	if [ ! -d "$dir" ] || [ -z "$ko" ]; then
		problems+=("$link -> $(readlink "$link"): no built module there")
		continue
	fi
	inst=$(ls "$T/lib/$K"/updates/dkms/hello.ko* 2>/dev/null | head -1)
	if [ -z "$inst" ] || ! cmp -s "$ko" "$inst"; then
		problems+=("$link: $ko is not what is installed ($inst)")
	fi
done
for vd in "$T"/dkms/hello/[0-9]*; do
	[ -e "$vd" ] || continue
	[ -L "$vd/source" ] || problems+=("$vd: a version dir without source link")
	for kd in "$vd"/*/*/; do
		[ -d "$kd" ] || continue
		case $kd in */build/*|*/source/*) continue ;; esac
		ls "$kd"module/hello.ko* >/dev/null 2>&1 ||
			problems+=("$kd: a built dir without its module")
	done
done
tmp=$(find "$T/dkms" "$T/lib" "$T/src" \( -name '*.dkms-tmp.*' -o -name '*.tmp' -o -name '.#*' \) 2>/dev/null)
[ -n "$tmp" ] && problems+=("temp files left: $tmp")
# the shipped module: in place, or backed up while a dkms one is installed
back=$(ls "$T"/dkms/hello/original_module/"$K"/"$A"/hello.ko* 2>/dev/null | head -1)
if [ -f "$orig" ]; then
	[ "$(md5sum <"$orig")" = "$orig_sum" ] || problems+=("the shipped module changed in place")
elif [ -n "$back" ]; then
	[ "$(md5sum <"$back")" = "$orig_sum" ] || problems+=("the backup is not the shipped module")
else
	problems+=("the shipped module is lost")
fi
is "" "$(printf '%s\n' "${problems[@]}" | sed '/^$/d')" "the tree is consistent"
st=$(dkms_ours status 2>&1)
is 0 $? "status reads it" || diag "$st"

# ---- and can be taken down
for v in 0.1 0.2 0.3; do
	[ -e "$T/dkms/hello/$v" ] && dkms_ours remove -m hello -v "$v" --all "${nosb[@]}" >/dev/null 2>&1
done
is "" "$(ls "$T/lib/$K"/updates/dkms/ 2>/dev/null)" "everything removed: no dkms module installed"
if [ -f "$orig" ] && [ "$(md5sum <"$orig")" = "$orig_sum" ]; then
	ok "the shipped module is back in place"
else
	not_ok "the shipped module is back in place"
fi
done_testing
