# SPDX-License-Identifier: GPL-2.0-or-later
# Every test prints TAP; .ci/run counts the results.
TEST_EXTENSIONS = .sh .test
SH_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	DKMS='$(abs_top_builddir)/core/cli/dkms'; \
	export top_srcdir top_builddir DKMS;
