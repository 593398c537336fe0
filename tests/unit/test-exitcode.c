/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dkms 3.4.3's exit codes as errnos (base/exitcode.c): each code there
 * and back, a system error is 1, none of the errnos our calls return is
 * taken for a code. */
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "tap-check.h"

/* Every code 3.4.3 documents at the top of its dkms script. */
static const int codes[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
			     15, 16, 21, 77, 101 };

/* What system calls and our own helpers return on the core's paths. */
static const int system_errnos[] = {
	EPERM, ENOENT, ESRCH, EINTR, EIO, ENXIO, E2BIG, ENOEXEC, EBADF,
	ECHILD, EAGAIN, ENOMEM, EACCES, EFAULT, EBUSY, EEXIST, EXDEV, ENODEV,
	ENOTDIR, EISDIR, EINVAL, ENFILE, EMFILE, ETXTBSY, EFBIG, ENOSPC,
	ESPIPE, EROFS, EMLINK, EPIPE, ERANGE, ENAMETOOLONG, ENOSYS, ENOTEMPTY,
	ELOOP, ENODATA, ETIME, EPROTO, EBADMSG, EOVERFLOW, ELIBACC, ELIBBAD,
	EOPNOTSUPP, ETIMEDOUT, ECANCELED, EDQUOT, ENOMEDIUM, EOWNERDEAD,
};

START_TEST(test_zero)
{
	ck_assert_int_eq(dkms_exit_to_errno(0), 0);
	ck_assert_int_eq(dkms_errno_to_exit(0), 0);
	ck_assert(!dkms_errno_is_exit(0));
}
END_TEST

START_TEST(test_table_round_trip)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		int r = dkms_exit_to_errno(codes[i]);

		/* a real errno, one of the table's */
		ck_assert_int_lt(r, 0);
		ck_assert_int_gt(r, -DKMS_ESTATUS);
		ck_assert_int_eq(dkms_errno_to_exit(r), codes[i]);
		ck_assert(dkms_errno_is_exit(r));
	}
}
END_TEST

START_TEST(test_names)
{
	ck_assert_int_eq(dkms_exit_to_errno(1), -DKMS_EFAILED);
	ck_assert_int_eq(dkms_exit_to_errno(4), -DKMS_ENOCONF);
	ck_assert_int_eq(dkms_exit_to_errno(6), -DKMS_EINSTALL);
	ck_assert_int_eq(dkms_exit_to_errno(8), -DKMS_EBADCONF);
	ck_assert_int_eq(dkms_exit_to_errno(10), -DKMS_EBUILD);
	ck_assert_int_eq(dkms_exit_to_errno(13), -DKMS_ENODEPS);
	ck_assert_int_eq(dkms_exit_to_errno(21), -DKMS_ENOHEADERS);
	ck_assert_int_eq(dkms_exit_to_errno(77), -DKMS_EEXCLUDED);
	ck_assert_int_eq(dkms_exit_to_errno(101), -DKMS_EPREINSTALL);
}
END_TEST

/* Any exit status (a script's, passed on as 3.4.3 passes it) comes back
 * as it went, each one from an errno of its own. */
START_TEST(test_every_status_distinct)
{
	int seen[256];
	int c, d;

	for (c = 1; c < 256; c++) {
		seen[c] = dkms_exit_to_errno(c);
		ck_assert_int_lt(seen[c], 0);
		ck_assert_int_eq(dkms_errno_to_exit(seen[c]), c);
		ck_assert(dkms_errno_is_exit(seen[c]));
		for (d = 1; d < c; d++)
			ck_assert_int_ne(seen[d], seen[c]);
	}
	/* as an exit status is taken: modulo 256 */
	ck_assert_int_eq(dkms_exit_to_errno(256), 0);
	ck_assert_int_eq(dkms_exit_to_errno(256 + 77), -DKMS_EEXCLUDED);
}
END_TEST

START_TEST(test_system_errors)
{
	size_t i;
	int c;

	for (i = 0; i < ARRAY_SIZE(system_errnos); i++) {
		int r = -system_errnos[i];

		ck_assert_msg(dkms_errno_to_exit(r) == 1, "%s is not 1",
			      strerror(system_errnos[i]));
		ck_assert_msg(!dkms_errno_is_exit(r), "%s taken for a code",
			      strerror(system_errnos[i]));
		for (c = 1; c < 256; c++)
			ck_assert_int_ne(dkms_exit_to_errno(c), r);
	}
	/* outside both ranges */
	ck_assert_int_eq(dkms_errno_to_exit(-4095), 1);
	ck_assert_int_eq(dkms_errno_to_exit(-DKMS_ESTATUS), 1);
	ck_assert_int_eq(dkms_errno_to_exit(-(DKMS_ESTATUS + 256)), 1);
	ck_assert(!dkms_errno_is_exit(-(DKMS_ESTATUS + 256)));
	/* never made: a table code's status range value */
	ck_assert(!dkms_errno_is_exit(-(DKMS_ESTATUS + 77)));
}
END_TEST

static Suite *exitcode_suite(void)
{
	Suite *s = suite_create("exitcode");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_zero);
	tcase_add_test(tc, test_table_round_trip);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_every_status_distinct);
	tcase_add_test(tc, test_system_errors);
	suite_add_tcase(s, tc);
	return s;
}

TAP_CHECK_MAIN(exitcode_suite)
