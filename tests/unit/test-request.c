/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The request API: a batch of events through the cycle, one result each,
 * messages through the output callback (on a fake kernel). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libdkms.h"
#include "api/api.h"
#include "tap-check.h"

#define KVER "6.1.0-1-fake"

static struct strbuf captured[3];

static void capture(void *data, enum dkms_stream stream, const char *text,
		    size_t len)
{
	(void)data;
	strbuf_add(&captured[stream], text, len);
}

static char root[] = "/tmp/dkms-request.XXXXXX";

static struct dkms_ctx *setup(void)
{
	struct dkms_ctx *ctx = NULL;
	char *p;
	size_t i;

	for (i = 0; i < 3; i++)
		strbuf_release(&captured[i]);
	ck_assert_ptr_nonnull(mkdtemp(root));
	ck_assert_int_eq(dkms_ctx_new(&ctx), 0);
	ck_assert_int_eq(dkms_ctx_set_path(ctx, DKMS_PATH_ROOT, root), 0);
	dkms_ctx_set_output_fn(ctx, capture, NULL);
	p = xasprintf("%s/etc/dkms", root);
	ck_assert_int_eq(mkdir_p(p, 0755), 0);
	free(p);
	p = xasprintf("%s/etc/dkms/framework.conf", root);
	ck_assert_int_eq(write_file_atomic(p, "try_sign_modules=false\n", 23, 0644), 0);
	free(p);
	p = xasprintf("%s/var/lib/dkms", root);
	ck_assert_int_eq(mkdir_p(p, 0755), 0);
	free(p);
	ck_assert_int_eq(dkms_ctx_set_distribution(ctx, "debian"), 0);
	return ctx;
}

static void teardown(struct dkms_ctx *ctx)
{
	size_t i;

	dkms_ctx_unref(ctx);
	rm_rf(root);
	strcpy(root, "/tmp/dkms-request.XXXXXX");
	for (i = 0; i < 3; i++)
		strbuf_release(&captured[i]);
}

START_TEST(test_bad_events)
{
	struct dkms_ctx *ctx = setup();
	struct dkms_request *req = NULL;
	struct dkms_result *res = NULL;
	const char *m, *k;
	int st;

	ck_assert_int_eq(dkms_request_new(ctx, &req), 0);
	ck_assert_int_eq(dkms_request_add(req, _DKMS_EVENT_MAX, "a", "1", NULL, NULL), -EINVAL);
	ck_assert_int_eq(dkms_request_add(req, DKMS_EVENT_ADD, "", "1", NULL, NULL), -EINVAL);
	ck_assert_int_eq(dkms_request_add(req, DKMS_EVENT_ADD, "nosrc", "1", KVER, "x86_64"), 0);
	ck_assert_int_eq(dkms_request_add(req, DKMS_EVENT_UNINSTALL, "nosrc", "1", KVER, "x86_64"), 0);
	ck_assert_int_eq(dkms_request_run(req, &res), 0);
	ck_assert_uint_eq(dkms_result_count(res), 2);
	ck_assert_int_eq(dkms_result_get(res, 0, NULL, &m, NULL, &k, NULL, &st), 0);
	ck_assert_str_eq(m, "nosrc");
	ck_assert_str_eq(k, KVER);
	ck_assert_int_eq(st, 2);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&captured[DKMS_STDERR]),
				     "Error! Could not find module source directory."));
	ck_assert_int_eq(dkms_result_get(res, 1, NULL, NULL, NULL, NULL, NULL, &st), 0);
	ck_assert_int_eq(st, 0); /* nothing to uninstall */
	ck_assert_int_eq(dkms_result_get(res, 2, NULL, NULL, NULL, NULL, NULL, &st), -ERANGE);
	ck_assert_ptr_null(dkms_result_unref(res));
	ck_assert_ptr_null(dkms_request_unref(req));
	teardown(ctx);
}
END_TEST

START_TEST(test_cycle_on_fake_kernel)
{
	const char *top = getenv("top_srcdir");
	struct dkms_ctx *ctx;
	struct dkms_request *req = NULL;
	struct dkms_result *res = NULL;
	char *cmd, *ko;
	int st = -1;

	/* The fixtures are found through top_srcdir, which make check sets:
	 * without it this test has nothing to run, which is a failure. */
	ck_assert_msg(top != NULL, "top_srcdir is not set: the fixtures cannot be found");
	ctx = setup();
	cmd = xasprintf("sh %s/tests/fake-kernel/mkfake.sh %s/lib/modules/%s/build %s >/dev/null && "
			"mkdir -p %s/usr/src && cp -a %s/tests/modules/hello-0.1 %s/usr/src/ && "
			"cp -a %s/tests/modules/broken-0.1 %s/usr/src/",
			top, root, KVER, KVER, root, top, root, top, root);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	ck_assert_int_eq(dkms_request_new(ctx, &req), 0);
	dkms_request_set_flags(req, DKMS_REQUEST_NO_DEPMOD);
	ck_assert_int_eq(dkms_request_add(req, DKMS_EVENT_ADD, "hello", "0.1", KVER, "x86_64"), 0);
	ck_assert_int_eq(dkms_request_add(req, DKMS_EVENT_INSTALL, "hello", "0.1", KVER, "x86_64"), 0);
	ck_assert_int_eq(dkms_request_add(req, DKMS_EVENT_BUILD, "broken", "0.1", KVER, "x86_64"), 0);
	ck_assert_int_eq(dkms_request_add(req, DKMS_EVENT_REMOVE, "broken", "0.1", KVER, "x86_64"), 0);
	ck_assert_int_eq(dkms_request_run(req, &res), 0);
	ck_assert_int_eq(dkms_result_get(res, 0, NULL, NULL, NULL, NULL, NULL, &st), 0);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(dkms_result_get(res, 1, NULL, NULL, NULL, NULL, NULL, &st), 0);
	ck_assert_int_eq(st, 0);
	ko = xasprintf("%s/lib/modules/%s/updates/dkms/hello.ko", root, KVER);
	ck_assert(path_exists(ko));
	free(ko);
	ck_assert_int_eq(dkms_result_get(res, 2, NULL, NULL, NULL, NULL, NULL, &st), 0);
	ck_assert_int_eq(st, 10); /* a failed build is a result, not the end */
	ck_assert_ptr_nonnull(dkms_result_build_log(res, 2));
	ck_assert(endswith(dkms_result_build_log(res, 2), "/broken/0.1/build/make.log"));
	ck_assert_int_eq(dkms_result_get(res, 3, NULL, NULL, NULL, NULL, NULL, &st), 0);
	ck_assert_int_eq(st, 0);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&captured[DKMS_STDOUT]),
				     "Deleting module broken/0.1 completely from the DKMS tree."));
	dkms_result_unref(res);
	dkms_request_unref(req);

	/* the kernel goes away, comes back: unbuilt, then autoinstalled */
	ck_assert_int_eq(dkms_request_new(ctx, &req), 0);
	dkms_request_set_flags(req, DKMS_REQUEST_NO_DEPMOD);
	ck_assert_int_eq(dkms_request_add(req, DKMS_EVENT_KERNEL_ADDED, "x", NULL, KVER, NULL), -EINVAL);
	ck_assert_int_eq(dkms_request_add(req, DKMS_EVENT_KERNEL_REMOVING, NULL, NULL, KVER, "x86_64"), 0);
	ck_assert_int_eq(dkms_request_run(req, &res), 0);
	ck_assert_int_eq(dkms_result_get(res, 0, NULL, NULL, NULL, NULL, NULL, &st), 0);
	ck_assert_int_eq(st, 0);
	ko = xasprintf("%s/lib/modules/%s/updates/dkms/hello.ko", root, KVER);
	ck_assert(!path_exists(ko));
	dkms_result_unref(res);
	dkms_request_unref(req);
	ck_assert_int_eq(dkms_request_new(ctx, &req), 0);
	dkms_request_set_flags(req, DKMS_REQUEST_NO_DEPMOD);
	ck_assert_int_eq(dkms_request_add(req, DKMS_EVENT_KERNEL_ADDED, NULL, NULL, KVER, "x86_64"), 0);
	ck_assert_int_eq(dkms_request_run(req, &res), 0);
	ck_assert_int_eq(dkms_result_get(res, 0, NULL, NULL, NULL, NULL, NULL, &st), 0);
	ck_assert_int_eq(st, 0);
	ck_assert(path_exists(ko));
	free(ko);
	dkms_result_unref(res);
	dkms_request_unref(req);
	teardown(ctx);
}
END_TEST


/* A package transaction through the library: sources by their paths in
 * the root, one that fails, a kernel without headers; every outcome is a
 * result with its reason, nothing fails the run; strict mode decides the
 * exit code. */
START_TEST(test_batch)
{
	const char *top = getenv("top_srcdir");
	struct dkms_ctx *ctx;
	struct dkms_request *req = NULL;
	struct dkms_result *res = NULL;
	enum dkms_event_kind kind;
	const char *m, *k, *why, *strict, *out;
	char *cmd, *p;
	size_t i, seen = 0;
	int st;

	ck_assert_msg(top != NULL, "top_srcdir is not set: the fixtures cannot be found");
	ctx = setup();
	cmd = xasprintf("sh %s/tests/fake-kernel/mkfake.sh %s/lib/modules/%s/build %s >/dev/null && "
			"mkdir -p %s/usr/src %s/lib/modules/6.1.0-2-fake/kernel && "
			"cp -a %s/tests/modules/hello-0.1 %s/tests/modules/broken-0.1 %s/usr/src/ && "
			"echo AUTOINSTALL=yes >>%s/usr/src/broken-0.1/dkms.conf",
			top, root, KVER, KVER, root, root, top, top, root, root);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	ck_assert_int_eq(dkms_request_new(ctx, &req), 0);
	dkms_request_set_flags(req, DKMS_REQUEST_NO_DEPMOD);
	ck_assert_int_eq(dkms_request_add_source(req, "relative/path"), -EINVAL);
	ck_assert_int_eq(dkms_request_add_source(req, "/usr/src/hello-0.1/dkms.conf"), 0);
	ck_assert_int_eq(dkms_request_add_line(req, "source-added /usr/src/broken-0.1"), 0);
	ck_assert_int_eq(dkms_request_add_line(req, "# nothing"), -ENODATA);
	ck_assert_int_eq(dkms_request_add_line(req, "kernel-added"), -EINVAL);
	ck_assert_int_eq(dkms_request_add(req, DKMS_EVENT_KERNEL_ADDED, NULL, NULL,
					  "6.1.0-2-fake", "x86_64"), 0);
	ck_assert_int_eq(dkms_request_run(req, &res), 0);
	p = xasprintf("%s/lib/modules/%s/updates/dkms/hello.ko", root, KVER);
	ck_assert(path_exists(p));
	free(p);
	for (i = 0; i < dkms_result_count(res); i++) {
		ck_assert_int_eq(dkms_result_get(res, i, &kind, &m, NULL, &k, NULL, &st), 0);
		why = dkms_result_reason(res, i);
		out = dkms_result_output(res, i);
		if (!strcmp(m, "hello")) {
			ck_assert_int_eq(st, 0);
			/* its own messages, no one else's */
			ck_assert_ptr_nonnull(strstr(out, "Autoinstall of module hello/0.1"));
			ck_assert_ptr_nonnull(strstr(out, "/hello.ko"));
			ck_assert_ptr_null(strstr(out, "broken"));
			ck_assert_ptr_null(why);
			ck_assert_uint_eq(dkms_result_event(res, i), 0);
			seen |= 1;
		} else if (!strcmp(m, "broken")) {
			ck_assert_int_eq(st, 10);
			ck_assert_str_eq(why, "the build failed");
			ck_assert_ptr_nonnull(strstr(out, "Autoinstall of module broken/0.1"));
			ck_assert_ptr_nonnull(strstr(out, "bad exit status"));
			ck_assert_ptr_null(strstr(out, "hello"));
			ck_assert(endswith(dkms_result_build_log(res, i),
					   "/broken/0.1/.6.1.0-1-fake-x86_64.make.log"));
			ck_assert_uint_eq(dkms_result_event(res, i), 1);
			seen |= 2;
		} else {
			ck_assert_int_eq(kind, DKMS_EVENT_KERNEL_ADDED);
			ck_assert_str_eq(k, "6.1.0-2-fake");
			ck_assert_int_eq(st, 21);
			ck_assert_ptr_nonnull(strstr(why, "headers of kernel 6.1.0-2-fake"));
			ck_assert_ptr_nonnull(strstr(out, "dkms: the headers of kernel 6.1.0-2-fake"));
			ck_assert_uint_eq(dkms_result_event(res, i), 2);
			seen |= 4;
		}
	}
	ck_assert_uint_eq(seen, 7);
	ck_assert_uint_eq(dkms_result_failures(res), 2);
	ck_assert_int_eq(dkms_result_exit_code(res), 0);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&captured[DKMS_STDERR]),
				     "dkms: 2 step(s) of this transaction failed:"));
	dkms_result_unref(res);
	dkms_request_unref(req);

	/* strict mode: the same failure fails the package manager's step */
	strict = "try_sign_modules=false\nstrict_transactions=yes\n";
	p = xasprintf("%s/etc/dkms/framework.conf", root);
	ck_assert_int_eq(write_file_atomic(p, strict, strlen(strict), 0644), 0);
	free(p);
	ck_assert_int_eq(dkms_request_new(ctx, &req), 0);
	ck_assert_int_eq(dkms_request_add(req, DKMS_EVENT_SOURCE_ADDED, "broken", "0.1",
					  NULL, NULL), 0);
	ck_assert_int_eq(dkms_request_run(req, &res), 0);
	ck_assert_uint_eq(dkms_result_failures(res), 1);
	ck_assert_int_eq(dkms_result_exit_code(res), 1);
	dkms_result_unref(res);
	dkms_request_unref(req);
	teardown(ctx);
}
END_TEST

/* framework.conf's trees taken before any request, inside the root; a
 * path set by the caller stays */
START_TEST(test_apply_framework)
{
	struct dkms_ctx *ctx = setup();
	const char *conf = "dkms_tree=/srv/dkms\nsource_tree=/srv/src\n";
	char *p, *want;

	p = xasprintf("%s/etc/dkms/framework.conf", root);
	ck_assert_int_eq(write_file_atomic(p, conf, strlen(conf), 0644), 0);
	free(p);
	ck_assert_int_eq(dkms_ctx_set_path(ctx, DKMS_PATH_SOURCE_TREE, "/mine"), 0);
	want = xasprintf("%s/var/lib/dkms", root);
	ck_assert_str_eq(dkms_ctx_get_path(ctx, DKMS_PATH_DKMS_TREE), want);
	free(want);
	ck_assert_int_eq(dkms_ctx_apply_framework(ctx), 0);
	want = xasprintf("%s/srv/dkms", root);
	ck_assert_str_eq(dkms_ctx_get_path(ctx, DKMS_PATH_DKMS_TREE), want);
	free(want);
	ck_assert_str_eq(dkms_ctx_get_path(ctx, DKMS_PATH_SOURCE_TREE), "/mine");
	teardown(ctx);
}
END_TEST

static Suite *request_suite(void)
{
	Suite *s = suite_create("request");
	TCase *tc = tcase_create("request");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_bad_events);
	tcase_add_test(tc, test_cycle_on_fake_kernel);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_apply_framework);
	suite_add_tcase(s, tc);
	return s;
}

TAP_CHECK_MAIN(request_suite)
