/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unit-test wiring itself: a Check suite linked with the internal
 * library, reporting TAP, clean under ASan and valgrind. */
#include <errno.h>
#include <string.h>

#include "libdkms.h"
#include "tap-check.h"

START_TEST(test_ctx_lifecycle)
{
	struct dkms_ctx *ctx = NULL;

	ck_assert_int_eq(dkms_ctx_new(&ctx), 0);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_ptr_eq(dkms_ctx_ref(ctx), ctx);
	dkms_ctx_unref(ctx);   /* the second reference */
	ck_assert_str_eq(dkms_ctx_get_path(ctx, DKMS_PATH_DKMS_TREE), "/var/lib/dkms");
	ck_assert_ptr_null(dkms_ctx_unref(ctx));
	ck_assert_ptr_null(dkms_ctx_unref(NULL));
}
END_TEST

START_TEST(test_ctx_paths_are_per_context)
{
	struct dkms_ctx *a = NULL, *b = NULL;

	ck_assert_int_eq(dkms_ctx_new(&a), 0);
	ck_assert_int_eq(dkms_ctx_new(&b), 0);
	ck_assert_int_eq(dkms_ctx_set_path(a, DKMS_PATH_DKMS_TREE, "/tmp/x/dkms"), 0);
	ck_assert_str_eq(dkms_ctx_get_path(a, DKMS_PATH_DKMS_TREE), "/tmp/x/dkms");
	ck_assert_str_ne(dkms_ctx_get_path(b, DKMS_PATH_DKMS_TREE), "/tmp/x/dkms");
	dkms_ctx_unref(a);
	dkms_ctx_unref(b);
}
END_TEST

static Suite *harness_suite(void)
{
	Suite *s = suite_create("harness");
	TCase *tc = tcase_create("ctx");

	tcase_add_test(tc, test_ctx_lifecycle);
	tcase_add_test(tc, test_ctx_paths_are_per_context);
	suite_add_tcase(s, tc);
	return s;
}

TAP_CHECK_MAIN(harness_suite)
