/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The batch planner: order, merging, upgrade pairing, and events as text. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "libdkms.h"
#include "api/api.h"
#include "tap-check.h"

/* Events from lines: kernel and arch filled as the request door does. */
static size_t parse_all(const char *const *lines, struct batch_event *ev)
{
	size_t n = 0;

	for (; *lines; lines++) {
		ck_assert_int_eq(batch_event_parse(*lines, &ev[n]), 0);
		if (!ev[n].kernelver)
			ev[n].kernelver = strdup("6.1.0-1-fake");
		if (!ev[n].arch)
			ev[n].arch = strdup("x86_64");
		if (!ev[n].module)
			ev[n].module = strdup("");
		if (!ev[n].version)
			ev[n].version = strdup("");
		n++;
	}
	return n;
}

static void clear_all(struct batch_event *ev, size_t n)
{
	while (n--)
		batch_event_clear(&ev[n]);
}

START_TEST(test_order_and_merge)
{
	static const char *const lines[] = {
		"source-added foo/1.0",
		"kernel-added 6.1.0-9-fake",
		"install bar/2.0 6.1.0-1-fake x86_64",
		"source-removing baz/3.0",
		"kernel-removing 6.1.0-0-fake",
		"source-added foo/1.0",           /* a duplicate */
		"kernel-added 6.1.0-9-fake",      /* a duplicate */
		"install bar/2.0 6.1.0-1-fake x86_64", /* a duplicate */
		"install bar/2.0 6.1.0-2-fake x86_64", /* another kernel */
		NULL,
	};
	struct batch_event ev[16];
	struct batch_plan p;
	size_t n = parse_all(lines, ev);

	ck_assert_int_eq(batch_plan_make(ev, n, &p), 0);
	ck_assert_uint_eq(p.n_kernels_gone, 1);
	ck_assert_uint_eq(p.kernels_gone[0], 4);
	ck_assert_uint_eq(p.n_sources_gone, 1);
	ck_assert_uint_eq(p.sources_gone[0], 3);
	ck_assert_uint_eq(p.n_explicit, 2);
	ck_assert_uint_eq(p.explicit[0], 2);
	ck_assert_uint_eq(p.explicit[1], 8);
	ck_assert_uint_eq(p.n_sources_new, 1);
	ck_assert_uint_eq(p.sources_new[0], 0);
	ck_assert_uint_eq(p.n_kernels_new, 1);
	ck_assert_uint_eq(p.kernels_new[0], 1);
	ck_assert_uint_eq(p.n_upgrades, 0);
	ck_assert_uint_eq(p.n_merged, 3);
	batch_plan_clear(&p);
	clear_all(ev, n);
}
END_TEST

START_TEST(test_upgrade_pairing)
{
	static const char *const lines[] = {
		"source-removing foo/1.0",
		"source-added foo/2.0",
		"source-removing bar/1.0",   /* reinstalled: nothing goes */
		"source-added bar/1.0",
		"source-removing baz/1.0",   /* two go, one arrives */
		"source-removing baz/1.1",
		"source-added baz/2.0",
		NULL,
	};
	struct batch_event ev[16];
	struct batch_plan p;
	size_t n = parse_all(lines, ev);

	ck_assert_int_eq(batch_plan_make(ev, n, &p), 0);
	ck_assert_uint_eq(p.n_upgrades, 2);
	ck_assert_uint_eq(p.upgrades[0].gone, 0);
	ck_assert_uint_eq(p.upgrades[0].added, 1);
	ck_assert_uint_eq(p.upgrades[1].gone, 4);
	ck_assert_uint_eq(p.upgrades[1].added, 6);
	/* baz/1.1 has nothing left to pair with: it goes */
	ck_assert_uint_eq(p.n_sources_gone, 1);
	ck_assert_uint_eq(p.sources_gone[0], 5);
	/* every arrival is added and built, bar/1.0 included */
	ck_assert_uint_eq(p.n_sources_new, 3);
	ck_assert_uint_eq(p.n_merged, 1);
	batch_plan_clear(&p);
	clear_all(ev, n);
}
END_TEST

START_TEST(test_kernel_gone_and_back)
{
	static const char *const lines[] = {
		"kernel-removing 6.1.0-5-fake",
		"kernel-added 6.1.0-5-fake",
		"kernel-removing 6.1.0-5-fake x86_64", /* the same, said again */
		"kernel-removing 6.1.0-5-fake arm64",  /* another arch */
		NULL,
	};
	struct batch_event ev[8];
	struct batch_plan p;
	size_t n = parse_all(lines, ev);

	ck_assert_int_eq(batch_plan_make(ev, n, &p), 0);
	ck_assert_uint_eq(p.n_kernels_new, 1);
	ck_assert_uint_eq(p.n_kernels_gone, 1);
	ck_assert_str_eq(ev[p.kernels_gone[0]].arch, "arm64");
	batch_plan_clear(&p);
	clear_all(ev, n);
}
END_TEST

START_TEST(test_unnamed_source_sits_out)
{
	struct batch_event ev[1] = { { 0 } };
	struct batch_plan p;

	ev[0].kind = DKMS_EVENT_SOURCE_ADDED;
	ev[0].path = strdup("/usr/src/x-1");
	ck_assert_int_eq(batch_plan_make(ev, 1, &p), 0);
	ck_assert_uint_eq(p.n_sources_new, 0);
	batch_plan_clear(&p);
	batch_event_clear(&ev[0]);
}
END_TEST

START_TEST(test_lines)
{
	static const char *const bad[] = {
		"frobnicate foo/1.0", "source-added", "source-added foo",
		"source-added foo/1.0/x", "kernel-added", "kernel-added a b c",
		"add foo/1.0 6.1", "install foo/ 6.1", "source-added /usr/src/a b",
		"build a/1 k a extra",
	};
	static const char *const good[] = {
		"source-added /usr/src/foo-1.0", "source-added foo/1.0",
		"source-removing foo/1.0", "kernel-added 6.1.0-1-amd64 x86_64",
		"kernel-removing 6.1.0-1-amd64 x86_64",
		"install foo/1.0 6.1.0-1-amd64 x86_64", "add foo/1.0",
	};
	struct batch_event e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(batch_event_parse(bad[i], &e) == -EINVAL, "%s", bad[i]);
	ck_assert_int_eq(batch_event_parse("   # a comment", &e), -ENODATA);
	ck_assert_int_eq(batch_event_parse("", &e), -ENODATA);
	/* what is written reads back the same */
	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		char *line;

		ck_assert_int_eq(batch_event_parse(good[i], &e), 0);
		line = batch_event_format(&e);
		ck_assert_str_eq(line, good[i]);
		free(line);
		batch_event_clear(&e);
	}
}
END_TEST

static void *wait_for_close(void *fd)
{
	char c;

	return read(*(int *)fd, &c, 1) < 0 ? NULL : fd;
}

/* A package manager with threads loads us: its process is not forked
 * without an exec, the steps of a batch run one after the other. */
START_TEST(test_threaded_host)
{
	struct dkms_ctx *ctx = NULL;
	struct dkms_session *s = NULL;
	pthread_t t;
	int p[2];

	ck_assert_int_eq(dkms_ctx_new(&ctx), 0);
	dkms_ctx_set_jobs(ctx, 4);
	ck_assert_int_eq(dkms_session_new(ctx, &s), 0);
	ck_assert(!dkms_process_threaded());
	ck_assert_uint_eq(sched_budget(s), 4);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, wait_for_close, &p[0]), 0);
	ck_assert(dkms_process_threaded());
	ck_assert_uint_eq(sched_budget(s), 1);
	close(p[1]);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	close(p[0]);
	dkms_session_free(s);
	dkms_ctx_unref(ctx);
}
END_TEST

static Suite *plan_suite(void)
{
	Suite *s = suite_create("batch-plan");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, test_order_and_merge);
	tcase_add_test(tc, test_upgrade_pairing);
	tcase_add_test(tc, test_kernel_gone_and_back);
	tcase_add_test(tc, test_unnamed_source_sits_out);
	tcase_add_test(tc, test_lines);
	tcase_add_test(tc, test_threaded_host);
	suite_add_tcase(s, tc);
	return s;
}

TAP_CHECK_MAIN(plan_suite)
