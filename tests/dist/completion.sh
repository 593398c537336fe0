#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/dkms.bash-completion against a scratch tree: actions, options,
# modules and module/version pairs from --dkmstree, kernels from
# --installtree.
. "$top_srcdir/tests/lib.sh"
scratch
mkdir -p "$T/dkms/hello/0.1" "$T/dkms/hello/0.2" "$T/dkms/other/1.0" \
	"$T/dkms/nosource/1.0" "$T/src/hello-0.1" \
	"$T/lib/6.1.0-1-fake" "$T/lib/6.1.0-2-fake" "$T/lib/5.10.0-9-amd64"
ln -s "$T/src/hello-0.1" "$T/dkms/hello/0.1/source"
ln -s "$T/src/hello-0.2" "$T/dkms/hello/0.2/source" # broken: still listed
ln -s "$T/src/hello-0.1" "$T/dkms/other/1.0/source"
ln -s 0.1/6.1.0-1-fake/x86_64 "$T/dkms/hello/kernel-6.1.0-1-fake-x86_64"

# shellcheck disable=SC1091
. "$top_srcdir/scripts/dkms.bash-completion"
is "_dkms" "$(complete -p dkms | sed 's/.*-F \([^ ]*\).*/\1/')" "complete -F _dkms dkms"

# comp LINE: COMPREPLY, sorted, one line, for the last word of LINE (a
# trailing blank completes an empty word); words split as bash does,
# "=" its own word.
comp() {
	local line=$1
	line=${line//=/ = }
	read -ra COMP_WORDS <<<"$line"
	[[ $1 == *" " || $1 == *= ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$1
	COMP_POINT=${#1}
	COMPREPLY=()
	_dkms dkms "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}
D="--dkmstree $T/dkms"
L="--installtree $T/lib"

is "unbuild uninstall" "$(comp "dkms un")" "actions by prefix"
is "build" "$(comp "dkms $D bu")" "action after an option"
is "--dkmstree" "$(comp "dkms status --dk")" "options by prefix"
like "$(comp "dkms install --")" "(^| )--no-depmod( |$)" "every option after --"
is "hello hello/0.1 hello/0.2" "$(comp "dkms status $D -m hel")" "-m: modules and pairs from --dkmstree"
is "other other/1.0" "$(comp "dkms status --dkmstree=$T/dkms -m o")" "--dkmstree=DIR form"
is "0.1 0.2" "$(comp "dkms build $D -m hello -v ")" "-v: versions of -m's module"
is "hello/0.1 hello/0.2 other/1.0" "$(comp "dkms install $D ")" "bare module/version pairs"
is "hello/0.2" "$(comp "dkms remove $D hello/0.2")" "pair by prefix"
is "" "$(comp "dkms status $D -m nos")" "a directory without a version is no module"
is "" "$(comp "dkms status --dkmstree $T/none -m h")" "no tree, no module"
is "6.1.0-1-fake 6.1.0-2-fake" "$(comp "dkms build $L -k 6.")" "-k: kernels from --installtree"
is "5.10.0-9-amd64 6.1.0-1-fake 6.1.0-2-fake" "$(comp "dkms match --installtree=$T/lib --templatekernel ")" "--templatekernel: kernels"
is "6.1.0-2-fake" "$(comp "dkms build $L --kernelver=6.1.0-2")" "--kernelver=K form"
is "$(uname -m)" "$(comp "dkms build -a ")" "-a: this machine's arch"
is "$T/lib" "$(comp "dkms status --installtree $T/li")" "--installtree: directories"
is "" "$(comp "dkms build -j ")" "-j: nothing to offer"

# ours: the sandbox switches, status --json, and dkms conf
is "--sandbox" "$(comp "dkms build --sa")" "--sandbox"
is "--no-sandbox" "$(comp "dkms install --no-s")" "--no-sandbox"
is "--json" "$(comp "dkms status --js")" "status --json"
is "conf" "$(comp "dkms co")" "the conf action"
is "diagnose" "$(comp "dkms di")" "the diagnose action"
is "hello/0.1 hello/0.2 other/1.0" "$(comp "dkms diagnose $D ")" "diagnose: module/version pairs"
is "--confdir --config" "$(comp "dkms conf --con")" "conf: its own options"
is "--shell --sourcetree --strict" "$(comp "dkms conf --s")" "conf: its --s options (not the sandbox's)"
is "6.1.0-1-fake 6.1.0-2-fake" "$(comp "dkms conf $L -k 6.")" "conf -k: kernels"
is "$T/src/hello-0.1" "$(comp "dkms conf --json -k 6.1.0-1-fake $T/src/hel")" "conf: the dkms.conf path"

# every option the command line takes (core/cli/options.c) is offered
all=" $(comp "dkms install -") $(comp "dkms install --") "
missing=
for o in $(grep -o '(a, "-[-a-zA-Z_]*")' "$top_srcdir/core/cli/options.c" |
	sed 's/.*"\(.*\)")/\1/' | sort -u); do
	[[ $all == *" $o "* ]] || missing="$missing $o"
done
is "" "$missing" "every option of options.c is completed"
done_testing
