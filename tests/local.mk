# SPDX-License-Identifier: GPL-2.0-or-later
# The tests.  Every test prints TAP (tap-driver.sh reads it); .ci/run
# counts the results of the .trs files.  To add one, append to TESTS in
# a section of your own below:
#   shell:  TESTS += tests/AREA/NAME.sh    (bash; sources tests/lib.sh)
#   C unit: tests/unit/test-NAME.c, with Check (see tests/unit/tap-check.h):
#             unit_tests += tests/unit/test-NAME
#             tests_unit_test_NAME_SOURCES = tests/unit/test-NAME.c
#             tests_unit_test_NAME_CFLAGS = $(UNIT_CFLAGS)
#             tests_unit_test_NAME_LDADD = $(UNIT_LDADD)
#           (inside an "if HAVE_CHECK" block, as below).
# Tests get $top_srcdir, $top_builddir and $DKMS (our binary) in the
# environment.  `make check-valgrind` runs the unit tests under valgrind.
TEST_EXTENSIONS = .sh .test
# A hung shell test fails after 10 minutes instead of hanging CI.
TEST_TIMEOUT = timeout -k 10 600
SH_LOG_COMPILER = $(TEST_TIMEOUT) $(BASH)
SH_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
# Programs (the unit tests): their TAP is the verdict, so their exit status
# is not counted a second time (check-valgrind turns it back on).
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
AM_LOG_DRIVER_FLAGS = --ignore-exit
# The make running the tests must not leak into the makes the tests run
# (jobserver fds, -s, "Entering directory"): dkms is not run from make.
AM_TESTS_ENVIRONMENT = \
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS; \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	DKMS='$(abs_top_builddir)/core/cli/dkms'; \
	CK_TAP_LOG_FILE_NAME=-; CK_VERBOSITY=silent; \
	export top_srcdir top_builddir DKMS CK_TAP_LOG_FILE_NAME CK_VERBOSITY;

EXTRA_DIST += tests/lib.sh tests/fake-kernel tests/modules tests/harness

# The core's layers: includes and calls point down (core/lib/local.mk);
# statuses are 0 or -errno, exit codes only at the doors.
TESTS += tests/layout/layers.sh tests/layout/abi.sh tests/layout/status-codes.sh
EXTRA_DIST += tests/layout

# The harness checks itself: TAP helpers, fake kernel, the reference in
# its sandbox, the demo.
TESTS += \
	tests/harness/lib.sh \
	tests/harness/fake-kernel.sh \
	tests/harness/ref-sandbox.sh \
	tests/harness/fixtures.sh \
	tests/harness/demo.sh \
	tests/harness/debian-sources.sh

# C unit tests (Check), one program per core unit.
unit_tests =
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(KMOD_CFLAGS)
UNIT_LDADD = core/lib/libdkms-internal.la $(CHECK_LIBS)
if HAVE_CHECK
unit_tests += tests/unit/test-harness
tests_unit_test_harness_SOURCES = tests/unit/test-harness.c tests/unit/tap-check.h
tests_unit_test_harness_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_harness_LDADD = $(UNIT_LDADD)
endif
# 3.4.3's exit codes and the errnos standing for them in the core.
if HAVE_CHECK
unit_tests += tests/unit/test-exitcode
tests_unit_test_exitcode_SOURCES = tests/unit/test-exitcode.c tests/unit/tap-check.h
tests_unit_test_exitcode_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_exitcode_LDADD = $(UNIT_LDADD)
endif
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

# Each unit test under valgrind (no fork, so valgrind sees the tests),
# failing on any error or definite leak.
VALGRIND_FLAGS = --quiet --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --track-origins=yes
check-valgrind:
	@set -- $(unit_tests); if test $$# -eq 0; then \
		echo "check-valgrind: no unit tests"; exit 0; fi; \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="$(unit_tests)" \
		TEST_SUITE_LOG=test-suite-valgrind.log AM_LOG_DRIVER_FLAGS= \
		LOG_COMPILER="env CK_FORK=no $(TEST_TIMEOUT) $(LIBTOOL) --mode=execute valgrind $(VALGRIND_FLAGS)"
.PHONY: check-valgrind

# Differential tests: reference dkms 3.4.3 vs ours on scratch trees
# (tests/diff/diff-lib.sh).
TESTS += \
	tests/diff/lifecycle.sh \
	tests/diff/errors.sh \
	tests/diff/original.sh \
	tests/diff/autoinstall.sh \
	tests/diff/autoinstall-fail.sh \
	tests/diff/match.sh \
	tests/diff/tarball.sh \
	tests/diff/fake-kernels.sh \
	tests/diff/deps.sh \
	tests/diff/framework.sh \
	tests/diff/versions.sh
# A module named only by a path (a source dir, its dkms.conf, an archive)
# through build and install.
TESTS += tests/diff/source-dir.sh
# One kernel given twice: refused by autoinstall, as by 3.4.3.
TESTS += tests/diff/kernels-twice.sh
# The framework.conf make install puts down: its values are the defaults,
# 3.4.3's and ours.
TESTS += tests/diff/framework-installed.sh
# BUILD_EXCLUSIVE_* over several module records (global, [0], [n]).
TESTS += tests/diff/build-exclusive.sh
# Source trees with symlinks out of them, another user's tree; real
# Debian *-dkms packages (iptables-netflow-dkms by default; the release
# build only, DEBIAN_PACKAGES=all for the whole archive, by hand).
TESTS += tests/diff/source-links.sh tests/diff/debian-packages.sh
EXTRA_DIST += tests/diff/diff-lib.sh tests/diff/modules tests/diff/README.md
# Trees written by Debian 12's dkms 3.0.10 (skipped without it).
TESTS += tests/crossgen/debian-3.0.sh
# Our own behaviour around the extras (ldtarball's member check).
TESTS += tests/cycle-extras/ldtarball-safety.sh
# make.log byte for byte 3.4.3's, our facts in the build report beside
# it; signing and our checks after it with 3.4.3's output.
TESTS += tests/diff/make-log.sh tests/diff/signing.sh
# What dkms takes from the environment it is started with.
TESTS += tests/diff/environment.sh
# Exit statuses on their way out: a PRE_BUILD script's, through a build
# and a parallel autoinstall; an uninstall that ends a forced reinstall.
TESTS += tests/diff/exit-codes.sh

# dkms.conf reader: corpus against dkms 3.4.3, native = bash.
TESTS += tests/conf/corpus.sh tests/conf/reference.sh tests/conf/native-fuzz.sh
EXTRA_DIST += tests/conf
if HAVE_CHECK
unit_tests += tests/unit/test-conf
tests_unit_test_conf_SOURCES = tests/unit/test-conf.c tests/unit/tap-check.h
tests_unit_test_conf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_conf_LDADD = $(UNIT_LDADD)
endif

# The dkms cycle: command line, add/build/install/uninstall/unbuild/
# remove/status on fake kernels, a real build, side by side with 3.4.3.
TESTS += \
	tests/cycle/cli.sh \
	tests/cycle/cycle.sh \
	tests/cycle/errors.sh \
	tests/cycle/original.sh \
	tests/cycle/broken.sh \
	tests/cycle/depmod.sh \
	tests/cycle/real.sh \
	tests/cycle/real-debian.sh \
	tests/cycle/signing.sh \
	tests/cycle/lock.sh \
	tests/cycle/from-3.0.10.sh \
	tests/cycle/reference.sh
EXTRA_DIST += tests/cycle

# Runner, framework.conf and the request API.
if HAVE_CHECK
unit_tests += tests/unit/test-runner tests/unit/test-request tests/unit/test-tree
tests_unit_test_tree_SOURCES = tests/unit/test-tree.c tests/unit/tap-check.h
tests_unit_test_tree_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tree_LDADD = $(UNIT_LDADD)
tests_unit_test_runner_SOURCES = tests/unit/test-runner.c tests/unit/tap-check.h
tests_unit_test_runner_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_runner_LDADD = $(UNIT_LDADD)
tests_unit_test_request_SOURCES = tests/unit/test-request.c tests/unit/tap-check.h
tests_unit_test_request_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_request_LDADD = $(UNIT_LDADD)
endif

# Batches: a package transaction's events planned once and run as one
# (cmd/batch-*.c), through `dkms batch` and the planner itself.
TESTS += tests/batch/batch.sh tests/batch/upgrade.sh tests/batch/real.sh
EXTRA_DIST += tests/batch
if HAVE_CHECK
unit_tests += tests/unit/test-batch-plan
tests_unit_test_batch_plan_SOURCES = tests/unit/test-batch-plan.c tests/unit/tap-check.h
tests_unit_test_batch_plan_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_batch_plan_LDADD = $(UNIT_LDADD)
endif

# The dpkg integration: the kernel hooks and common.postinst at work
# (hooks.sh), the trigger handler under real dpkg --root (handler.sh),
# our .deb in place of Debian's dkms with real dpkg and apt in an overlay
# of the machine, on fake packages and on Debian's own (packages.sh,
# debian.sh: the release build only).
TESTS += tests/dpkg/hooks.sh tests/dpkg/handler.sh tests/dpkg/packages.sh \
	tests/dpkg/debian.sh
EXTRA_DIST += tests/dpkg

# What a distribution installs beside the program: manual pages, help,
# completion, compression, signing, initramfs, kernel-install.
TESTS += tests/dist/man.sh tests/dist/help.sh tests/dist/completion.sh \
	tests/dist/kernel-install.sh tests/dist/compress.sh \
	tests/dist/signing.sh tests/dist/initramfs.sh
# make install DESTDIR: every file in its place; the autoinstaller, the
# systemd unit and common.postinst at work on a scratch root.
TESTS += tests/dist/install.sh
EXTRA_DIST += tests/dist
if HAVE_CHECK
unit_tests += tests/unit/test-compress
tests_unit_test_compress_SOURCES = tests/unit/test-compress.c tests/unit/tap-check.h
tests_unit_test_compress_CFLAGS = $(UNIT_CFLAGS) $(ZLIB_CFLAGS) $(LZMA_CFLAGS) $(ZSTD_CFLAGS)
tests_unit_test_compress_LDADD = $(UNIT_LDADD) $(ZLIB_LIBS) $(LZMA_LIBS) $(ZSTD_LIBS)
endif

# Sandboxed module builds: hostile sources on a fake kernel, real builds
# with and without the sandbox.
TESTS += tests/sandbox/hostile.sh tests/sandbox/real.sh tests/sandbox/orphans.sh \
	tests/sandbox/scripts.sh tests/sandbox/scripts-diff.sh tests/sandbox/shared.sh
EXTRA_DIST += tests/sandbox

# status --json, status cache, parallel autoinstall.
TESTS += tests/speed/status-json.sh tests/speed/status-cache.sh \
	tests/speed/parallel-autoinstall.sh tests/speed/jobserver.sh \
	tests/speed/autoinstall-kernels.sh
EXTRA_DIST += tests/speed
# libkmod (libcrypto), zlib, liblzma, libzstd: loaded on first use, not at
# exec nor for a status walk of added modules or a cached status.
TESTS += tests/speed/lazy-libs.sh
if HAVE_CHECK
unit_tests += tests/unit/test-modinfo
tests_unit_test_modinfo_SOURCES = tests/unit/test-modinfo.c tests/unit/tap-check.h
tests_unit_test_modinfo_CFLAGS = $(UNIT_CFLAGS) $(ZLIB_CFLAGS) $(LZMA_CFLAGS) $(ZSTD_CFLAGS)
tests_unit_test_modinfo_LDADD = $(UNIT_LDADD)
endif

# Safety: hostile input refused, concurrent writers.
TESTS += tests/safety/hostile.sh tests/safety/concurrency.sh \
	tests/safety/last-good.sh tests/safety/journal.sh \
	tests/safety/faults.sh
# The journal's format 2, torn and empty journals.
TESTS += tests/safety/journal-torn.sh
if HAVE_CHECK
unit_tests += tests/unit/test-journal
tests_unit_test_journal_SOURCES = tests/unit/test-journal.c tests/unit/tap-check.h
tests_unit_test_journal_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_journal_LDADD = $(UNIT_LDADD)
endif
EXTRA_DIST += tests/safety

# dkms diagnose: each cause, text and JSON, on fake kernels and on
# Debian's real headers; the package of missing headers from a dpkg/apt
# database under the root.
TESTS += tests/diagnose/states.sh tests/diagnose/exclusive.sh \
	tests/diagnose/signing.sh tests/diagnose/loading.sh \
	tests/diagnose/real.sh tests/diagnose/headers-package.sh
EXTRA_DIST += tests/diagnose

# libFuzzer targets: ./configure CC=clang --enable-fuzzing; run by
# tests/fuzz/run.sh.
EXTRA_DIST += tests/fuzz
if ENABLE_FUZZING
fuzz_programs = tests/fuzz/fuzz-conf-native tests/fuzz/fuzz-cli
noinst_PROGRAMS = $(fuzz_programs)
tests_fuzz_fuzz_conf_native_SOURCES = tests/fuzz/fuzz-conf-native.c
tests_fuzz_fuzz_conf_native_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/core/lib
tests_fuzz_fuzz_conf_native_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_conf_native_LDADD = core/lib/libdkms-internal.la
tests_fuzz_fuzz_cli_SOURCES = tests/fuzz/fuzz-cli.c core/cli/options.c \
	core/cli/help.c
tests_fuzz_fuzz_cli_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/core/lib \
	-I$(top_srcdir)/core/cli
tests_fuzz_fuzz_cli_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_cli_LDADD = core/lib/libdkms-internal.la
endif

# Secure Boot report in status --json, the build progress line on a
# terminal.
TESTS += tests/dist/secureboot.sh tests/dist/progress.sh
# the parallel autoinstall summary from its steps' data
TESTS += tests/dist/progress-summary.sh
if HAVE_CHECK
unit_tests += tests/unit/test-secureboot
tests_unit_test_secureboot_SOURCES = tests/unit/test-secureboot.c tests/unit/tap-check.h
tests_unit_test_secureboot_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_secureboot_LDADD = $(UNIT_LDADD)
endif

# The package of a kernel's headers, named from real dpkg/apt, rpm/dnf
# and pacman databases made in each test (libsolv, loaded on first use);
# headers-pkg prints what dkms_kernel_headers_package answers.
TESTS += tests/pkgdb/dpkg.sh tests/pkgdb/rpm.sh tests/pkgdb/pacman.sh \
	tests/pkgdb/unknown.sh
EXTRA_DIST += tests/pkgdb/lib.sh
check_PROGRAMS += tests/pkgdb/headers-pkg
tests_pkgdb_headers_pkg_SOURCES = tests/pkgdb/headers-pkg.c
tests_pkgdb_headers_pkg_LDADD = core/lib/libdkms-internal.la

# The pacman hooks: the program on its own, then real pacman transactions
# on a scratch root with our dkms installed (tests/pacman/pacman-lib.sh;
# the release build only).
TESTS += tests/pacman/targets.sh tests/pacman/lifecycle.sh \
	tests/pacman/outcomes.sh
EXTRA_DIST += tests/pacman

# The rpm plugin under the real rpm and dnf, on a scratch root with our
# dkms installed (tests/rpm/rpm-lib.sh); quiet.sh builds nothing and runs
# in every build, the others in the release build only.
TESTS += tests/rpm/quiet.sh tests/rpm/transactions.sh tests/rpm/dnf.sh \
	tests/rpm/real-headers.sh
EXTRA_DIST += tests/rpm
