#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the libFuzzer targets for a bounded time, as TAP (one test per
# target: no crash, no sanitizer report, no leak, no timeout).
#   tests/fuzz/run.sh [-b BUILDDIR] [-t SECONDS] [-c CORPUSDIR] [TARGET...]
# TARGET: conf-native, cli (default: both).  BUILDDIR (default
# ./build-fuzz) is configured with CC=clang --enable-fuzzing when it has
# no Makefile yet.  The corpus starts from tests/fuzz/seeds/<kind>; with
# -c it is kept in CORPUSDIR/<target> and grows from one run to the next.
# Crash inputs are left in BUILDDIR/fuzz-artifacts/.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$PWD/build-fuzz time=60 keep=
while getopts b:t:c: o; do
	case $o in
	b) build=$OPTARG ;;
	t) time=$OPTARG ;;
	c) keep=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(conf-native cli)

echo "1..${#targets[@]}"
mkdir -p "$build" || exit 1
build=$(cd "$build" && pwd)
# A source dir configured in place refuses a second, out-of-tree build:
# then the fuzz build is made from a copy of the tracked sources.
if [ ! -f "$build/Makefile" ] && [ -f "$src/config.status" ]; then
	rm -rf "$build/src" && mkdir -p "$build/src" || exit 1
	(cd "$src" && git ls-files -z | tar --null -T - -cf -) |
		tar -C "$build/src" -xf - &&
		(cd "$build/src" && autoreconf -fi >"$build/autoreconf.log" 2>&1) ||
		{ echo "Bail out! cannot copy the configured sources (git, autoreconf?): $build/autoreconf.log"; exit 1; }
	src=$build/src
fi
if [ -f "$build/src/configure" ]; then
	src=$build/src
fi
if [ ! -f "$build/Makefile" ]; then
	(cd "$build" && "$src/configure" CC=clang --enable-fuzzing \
		CFLAGS="-O1 -g" >configure.log 2>&1) ||
		{ echo "Bail out! configure --enable-fuzzing failed (clang?): $build/configure.log"; exit 1; }
fi
progs=()
for t in "${targets[@]}"; do progs+=("tests/fuzz/fuzz-$t"); done
make -C "$build" -j"${JOBS:-2}" "${progs[@]}" >"$build/fuzz-make.log" 2>&1 ||
	{ echo "Bail out! building the fuzz targets failed: $build/fuzz-make.log"; exit 1; }

art=$build/fuzz-artifacts
mkdir -p "$art"
n=0 failed=0
for t in "${targets[@]}"; do
	n=$((n + 1))
	case $t in
	conf-native) seeds=$src/tests/fuzz/seeds/conf ;;
	cli) seeds=$src/tests/fuzz/seeds/cli ;;
	*) echo "not ok $n - $t: no such target"; failed=1; continue ;;
	esac
	if [ -n "$keep" ]; then
		corpus=$keep/$t
	else
		corpus=$(mktemp -d "${TMPDIR:-/tmp}/dkms-fuzz-corpus.XXXXXX")
	fi
	mkdir -p "$corpus"
	cp -n "$seeds"/* "$corpus"/ 2>/dev/null
	log=$build/fuzz-$t.log
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$build/tests/fuzz/fuzz-$t" -max_total_time="$time" \
		-timeout=10 -rss_limit_mb=2048 -max_len=8192 -close_fd_mask=3 \
		-print_final_stats=1 -artifact_prefix="$art/$t-" \
		"$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$keep" ] || rm -rf "$corpus"
	if [ "$rc" -eq 0 ] && ! grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
		echo "ok $n - fuzz-$t: ${execs:-?} executions in ${time}s, no crash"
	else
		echo "not ok $n - fuzz-$t: exit $rc after ${execs:-?} executions (log: $log, inputs: $art)"
		grep -E 'ERROR|runtime error|SUMMARY' "$log" | head -5 | sed 's/^/# /'
		failed=1
	fi
done
exit "$failed"
