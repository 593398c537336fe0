/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Run a Check suite as a TAP test program:
 *
 *   static Suite *foo_suite(void) { ... }
 *   TAP_CHECK_MAIN(foo_suite)
 *
 * TAP goes to stdout for tap-driver.sh; Check's own report follows
 * CK_VERBOSITY (silent under make check).  The exit status is non-zero
 * when a test failed, for runs outside the harness (valgrind, by hand).
 */
#ifndef TAP_CHECK_H
#define TAP_CHECK_H

#include <check.h>
#include <stdlib.h>

static inline int tap_check_run(Suite *suite)
{
	SRunner *runner = srunner_create(suite);
	int failed;

	srunner_set_tap(runner, "-");
	srunner_run_all(runner, CK_ENV);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#define TAP_CHECK_MAIN(suite_fn)                \
	int main(void)                          \
	{                                       \
		return tap_check_run(suite_fn()); \
	}

#endif
