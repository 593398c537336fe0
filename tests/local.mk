# SPDX-License-Identifier: GPL-2.0-or-later
# Every test prints TAP; .ci/run counts the results.
TEST_EXTENSIONS = .sh .test
SH_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	DKMS='$(abs_top_builddir)/core/cli/dkms'; \
	export top_srcdir top_builddir DKMS;

# Differential tests: reference dkms 3.4.3 vs ours on scratch trees
# (tests/diff/diff-lib.sh; owner: extras).
TESTS += \
	tests/diff/lifecycle.sh \
	tests/diff/errors.sh \
	tests/diff/original.sh \
	tests/diff/autoinstall.sh \
	tests/diff/autoinstall-fail.sh \
	tests/diff/match.sh \
	tests/diff/tarball.sh
EXTRA_DIST += tests/diff/diff-lib.sh tests/diff/modules

# dkms.conf reader: corpus against dkms 3.4.3, native = bash (owner: conf).
TESTS += tests/conf/corpus.sh
EXTRA_DIST += tests/conf
