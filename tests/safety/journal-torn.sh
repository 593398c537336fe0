#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A journal is written in place and counts only up to its last line,
# "end" (journal.c): one a crash tore is rolled back, an empty one is
# dropped, and a journal of the first format (no "end") still replays.
. "$top_srcdir/tests/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "dkms add/install need root"
K=6.1.0-1-fake
hello_built "$K"
run() { dkms_nosb "$@"; }
journal() { find "$T/dkms" -maxdepth 1 -name '.dkms-journal*'; }
staged() { find "$T/lib/$K" -name '.*dkms-tmp*' | wc -l; }
installed() { find "$T/lib/$K" -name hello.ko | wc -l; }
n_place=$(install_step "$K" "place hello.ko")
[ -n "$n_place" ] || bail_out "no place step: $(cat "$T/fault.log")"
# killed after the commit, before the first step
killed() {
	DKMS_FAULT_STEP=$n_place DKMS_FAULT_MODE=kill run install hello/0.1 -k "$K" >/dev/null 2>&1
	j=$(journal)
}

killed
is "$(tail -n1 "$j")" "end" "a committed journal ends in \"end\""
like "$(head -n1 "$j")" "^dkms-journal 2$" "in format 2"
is "$(staged)" 1 "the staged module is there"

# torn: the last lines lost
head -c $(( $(stat -c %s "$j") - 30 )) "$j" > "$j.x" && mv "$j.x" "$j"
out=$(run status 2>&1)
like "$out" "rolled back the interrupted install" "a torn journal is rolled back"
is "$(journal | wc -l)" 0 "no journal left"
is "$(staged)" 0 "no staged file left"
is "$(installed)" 0 "nothing installed"

# empty: dropped
killed
: > "$j"
out=$(run status 2>&1)
is "$?" 0 "an empty journal: status works"
is "$(journal | wc -l)" 0 "and drops it"
run install hello/0.1 -k "$K" >/dev/null 2>&1
is "$(installed)" 1 "the next install installs"
run uninstall hello/0.1 -k "$K" >/dev/null 2>&1
find "$T/lib/$K" -name '.*dkms-tmp*' -delete

# format 1 (no "end"): a committed one still replays
killed
sed -i -e '1s/.*/dkms-journal 1/' -e '/^end$/d' "$j"
out=$(run status 2>&1)
like "$out" "completed the interrupted install" "a format 1 journal in commit state replays"
is "$(installed)" 1 "the module is installed"
is "$(journal | wc -l)" 0 "no journal left"

done_testing
