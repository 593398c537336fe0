#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `dkms --help` and `dkms help` print exactly what dkms 3.4.3 prints;
# `dkms ACTION --help` is ours: the usage of that action, exit 0.
. "$top_srcdir/tests/lib.sh"
# help touches nothing: the reference runs as is, without its sandbox
REF=$DKMS_REF
scratch
# the same program name in both usages: run both as "dkms" from $T
mkdir -p "$T/ours" "$T/ref"
ln -s "$DKMS" "$T/ours/dkms"
[ -r "$REF" ] && ln -s "$REF" "$T/ref/dkms"

run() { # DIR ARGS...: stdout, stderr and exit status as one text
	local d=$1 out err rc
	shift
	out=$(cd "$d" && ./dkms "$@" 2>"$T/err")
	rc=$?
	err=$(cat "$T/err")
	printf '%s\n--stderr--\n%s\n--rc %s--\n' "$out" "$err" "$rc"
}

for args in "--help" "-h" "help" "--help build" ""; do
	# shellcheck disable=SC2086
	ours=$(run "$T/ours" $args)
	if [ -r "$REF" ]; then
		# shellcheck disable=SC2086
		ref=$(run "$T/ref" $args)
		is "$ref" "$ours" "dkms $args: as 3.4.3"
	else
		skip "no reference dkms at $REF"
	fi
done

for a in add build install uninstall unbuild remove status autoinstall \
	match mktarball ldtarball generate_mok kernel_preinst \
	kernel_postinst kernel_prerm; do
	out=$(cd "$T/ours" && ./dkms "$a" --help 2>&1)
	rc=$?
	is 0 "$rc" "dkms $a --help exits 0"
	like "$out" "^Usage: \./dkms $a( |\$)" "dkms $a --help: usage of $a"
	check "dkms $a --help: one action's usage only" \
		test "$(printf '%s\n' "$out" | grep -c 'kernel_postinst |')" = 0
done
# our own options are in the usage of the actions that take them
h() { (cd "$T/ours" && ./dkms "$1" --help 2>&1); }
like "$(h build)" "\[--sandbox \| --no-sandbox\]" "build --help: the sandbox switches"
like "$(h install)" "\[--no-initrd\] \[--symlink-modules\] \[--sandbox \| --no-sandbox\]" "install --help: --no-initrd, --symlink-modules, sandbox"
like "$(h autoinstall)" "\[--sandbox \| --no-sandbox\]" "autoinstall --help: the sandbox switches"
like "$(h status)" "\[--json\]" "status --help: --json"
like "$(h status)" "Secure Boot" "status --help: what --json tells"
like "$(h remove)" "\[--no-initrd\]" "remove --help: --no-initrd"
# each option of options.c is in 3.4.3's usage or in an action's
texts=$( (cd "$T/ours" && ./dkms --help; for a in add build install uninstall \
	unbuild remove status autoinstall match mktarball ldtarball; do
	./dkms "$a" --help; done) 2>&1)
missing=
for o in $(grep -o '(a, "-[-a-zA-Z_]*")' "$top_srcdir/core/cli/options.c" |
	sed 's/.*"\(.*\)")/\1/' | sort -u); do
	case $o in
	-h | --help | -V | --version | --quiet | --no-clean-kernel | --no-prepare-kernel | \
	--module | --kernelver | --arch)
		continue ;; # the usage's own, -q, -m, -k, -a; 3.4.3's deprecated no-ops
	esac
	grep -q -e "\[$o[] =]" -e "\[$o\$" -e "| $o\]" -e "$o <" <<<"$texts" || missing="$missing $o"
done
is "" "$missing" "every option of options.c is in some usage"

# -h after the action too, and anything after --help is not looked at
out=$(cd "$T/ours" && ./dkms status -h --bogus); rc=$?
like "$rc $out" "^0 Usage: \./dkms status " "dkms status -h stops the scan"
done_testing
