# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the tests/diagnose scenarios: a scratch machine
# (tests/cycle/cycle-lib.sh) and `dkms diagnose` on it.
#
#   dg_init [KVER...]   cy_init, and a running kernel that is none of the
#                       test's (<root>/proc/sys/kernel/osrelease)
#   dg ARGS...          `dkms diagnose ARGS` on $T: $rc, $out, $err
#   dgj FILTER ARGS...  `dkms diagnose --json ARGS`, FILTER (jq) applied,
#                       one line; scratch root written <T>
#   running KVER        make KVER the running kernel of $T/root
#   headless KVER       an installed kernel without headers
. "$top_srcdir/tests/cycle/cycle-lib.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
A=$(uname -m)

running() {
	mkdir -p "$T/root/proc/sys/kernel"
	echo "$1" >"$T/root/proc/sys/kernel/osrelease"
}

dg_init() {
	cy_init "$@"
	running 5.10.0-0-none
}

headless() {
	mkdir -p "$T/lib/$1/kernel"
}

dg() {
	dk diagnose "$@"
}

dgj() {
	local filter=$1
	shift
	dk diagnose --json "$@"
	jq -c "$filter" <"$T/.out" | normalize_output
}
