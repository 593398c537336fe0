/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state tree and kernel helpers of the cycle: 3.4.3's predicates on a
 * hand-made tree, VER() ordering, module suffixes, status order. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "tap-check.h"

static char root[64];
static struct dkms_ctx *ctx;
static struct dkms_session *s;

static void mk(const char *fmt, const char *arg)
{
	char *p = xasprintf(fmt, root, arg ? arg : "");

	ck_assert_int_eq(mkdir_p(p, 0755), 0);
	free(p);
}

static void touch(const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", root, rel);
	char *dir = strdup(p);

	*strrchr(dir, '/') = '\0';
	ck_assert_int_eq(mkdir_p(dir, 0755), 0);
	ck_assert_int_eq(write_file_atomic(p, text, strlen(text), 0644), 0);
	free(dir);
	free(p);
}

static void lnk(const char *target, const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);

	ck_assert_int_eq(symlink(target, p), 0);
	free(p);
}

static void setup(void)
{
	char *p;

	strcpy(root, "/tmp/dkms-tree.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	ck_assert_int_eq(dkms_ctx_new(&ctx), 0);
	ck_assert_int_eq(dkms_ctx_set_path(ctx, DKMS_PATH_ROOT, root), 0);
	ck_assert_int_eq(dkms_session_new(ctx, &s), 0);
	p = xasprintf("%s/dkms", root);
	dkms_ctx_set_path(ctx, DKMS_PATH_DKMS_TREE, p);
	free(p);
	p = xasprintf("%s/src", root);
	dkms_ctx_set_path(ctx, DKMS_PATH_SOURCE_TREE, p);
	free(p);
	p = xasprintf("%s/lib", root);
	dkms_ctx_set_path(ctx, DKMS_PATH_INSTALL_TREE, p);
	free(p);
	/* added a/1, built b/1 for 6.1.0-1/x86_64, installed c/2,
	 * broken d/1 (link to nothing), e/1 source dir without link */
	mk("%s/src/a-1%s", NULL);
	mk("%s/dkms/a/1%s", NULL);
	lnk("../../../src/a-1", "dkms/a/1/source");
	mk("%s/src/b-1%s", NULL);
	mk("%s/dkms/b/1/6.1.0-1/x86_64/module%s", NULL);
	lnk("../../../src/b-1", "dkms/b/1/source");
	mk("%s/src/c-2%s", NULL);
	mk("%s/dkms/c/2/6.1.0-1/x86_64/module%s", NULL);
	lnk("../../../src/c-2", "dkms/c/2/source");
	lnk("2/6.1.0-1/x86_64", "dkms/c/kernel-6.1.0-1-x86_64");
	mk("%s/dkms/d/1%s", NULL);
	lnk("/nonexistent", "dkms/d/1/source");
	mk("%s/src/e-1%s", NULL);
	mk("%s/dkms/e/1%s", NULL);
}

static void teardown(void)
{
	dkms_session_free(s);
	dkms_ctx_unref(ctx);
	rm_rf(root);
}

START_TEST(test_predicates)
{
	struct dkms_op b = { "b", "1", "6.1.0-1", "x86_64" };
	struct dkms_op c = { "c", "2", "6.1.0-1", "x86_64" };

	ck_assert(dkms_is_added(s, "a", "1"));
	ck_assert(!dkms_is_broken(s, "a", "1"));
	ck_assert(dkms_is_built(s, &b));
	ck_assert(!dkms_is_installed(s, &b));
	ck_assert(dkms_is_installed(s, &c));
	ck_assert(dkms_is_broken(s, "d", "1"));
	ck_assert(!dkms_is_added(s, "d", "1"));
	ck_assert(dkms_is_broken(s, "e", "1"));
	ck_assert(!dkms_is_added(s, "x", "1"));
	ck_assert(!dkms_is_broken(s, "x", "1"));
	ck_assert(!dkms_is_added(s, "", "1"));
}
END_TEST

static int collect(void *data, const struct dkms_status_entry *e)
{
	static const char *const st[] = { "broken", "added", "built", "installed" };

	strbuf_addf(data, "%s %s/%s%s%s\n", st[e->state], e->module, e->version,
		    e->kernelver ? "/" : "", e->kernelver ? e->kernelver : "");
	return 0;
}

START_TEST(test_status_walk)
{
	struct strbuf sb = { 0 };

	ck_assert_int_eq(dkms_status_walk(s, NULL, NULL, NULL, NULL, collect, &sb), 0);
	ck_assert_str_eq(strbuf_str(&sb), "added a/1\nbuilt b/1/6.1.0-1\n"
			 "installed c/2/6.1.0-1\nbroken d/1\nbroken e/1\n");
	strbuf_release(&sb);
	/* filters are globs; nothing matching is an empty walk */
	ck_assert_int_eq(dkms_status_walk(s, "[bc]", NULL, "6.1.*", "x86_64", collect, &sb), 0);
	ck_assert_str_eq(strbuf_str(&sb), "built b/1/6.1.0-1\ninstalled c/2/6.1.0-1\n");
	strbuf_release(&sb);
	ck_assert_int_eq(dkms_status_walk(s, "zz", NULL, NULL, NULL, collect, &sb), 0);
	ck_assert_str_eq(strbuf_str(&sb), "");
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_ver)
{
	char *k = ver_key("2.6.9-1cvs200409091247");

	ck_assert_str_eq(k, "002.006.009-001cvs200409091247");
	free(k);
	ck_assert_int_lt(ver_cmp("6.1.0-9", "6.1.0-10"), 0);
	ck_assert_int_gt(ver_cmp("1.10", "1.9"), 0);
	ck_assert_int_eq(ver_cmp("1.0", "1.0"), 0);
	/* 3.4.3 compares padded strings: 1000 and 999 pad alike */
	ck_assert_int_lt(ver_cmp("1.1000", "1.999"), 0);
}
END_TEST

START_TEST(test_module_suffix)
{
	ck_assert_str_eq(module_compressed_suffix(s, "6.1.0-1"), "");
	touch("lib/6.1.0-1/kernel/a/x.ko.gz", "");
	ck_assert_str_eq(module_compressed_suffix(s, "6.1.0-1"), ".gz");
	touch("lib/6.1.0-1/kernel/b/y.ko.zst", "");
	touch("lib/6.1.0-1/kernel/c/z.ko.xz", "");
	ck_assert_str_eq(module_compressed_suffix(s, "6.1.0-1"), ".zst");
}
END_TEST

START_TEST(test_files)
{
	char *dir = xasprintf("%s/lib/k", root), *p, **v;

	touch("lib/k/kernel/a/m.ko", "one");
	touch("lib/k/extra/m.ko.xz", "two");
	touch("lib/k/extra/mm.ko", "one");
	p = ko_in_dir(dir, "m", ".xz");
	ck_assert_ptr_null(p);
	free(dir);
	dir = xasprintf("%s/lib/k/extra", root);
	p = ko_in_dir(dir, "m", ".xz");
	ck_assert(endswith(p, "/extra/m.ko.xz"));
	free(p);
	/* 3.4.3 would not see m.ko.xz when the kernel's suffix is none; we
	 * do (compress.c: the config and the tree may disagree) */
	p = ko_in_dir(dir, "m", "");
	ck_assert(p && endswith(p, "/extra/m.ko.xz"));
	free(p);
	free(dir);
	dir = xasprintf("%s/lib/k", root);
	v = find_module(dir, "m", ".ko.xz");
	ck_assert_ptr_nonnull(v[0]);
	ck_assert_ptr_nonnull(v[1]);
	ck_assert_ptr_null(v[2]);
	ck_assert(files_equal(v[0], v[0]));
	strv_free(v);
	free(dir);
	p = xasprintf("%s/lib/k/kernel/a/m.ko", root);
	dir = xasprintf("%s/lib/k/extra/mm.ko", root);
	ck_assert(files_equal(p, dir));
	ck_assert(!files_equal(p, NULL));
	free(p);
	free(dir);
	/* rmdir -p below the base only */
	mk("%s/lib/k/updates/dkms%s", NULL);
	dir = xasprintf("%s/lib/k", root);
	rmdir_parents(dir, "/updates/dkms");
	p = xasprintf("%s/lib/k/updates", root);
	ck_assert(!path_exists(p));
	ck_assert(is_dir(dir));
	free(p);
	free(dir);
}
END_TEST

static Suite *tree_suite(void)
{
	Suite *su = suite_create("tree");
	TCase *tc = tcase_create("tree");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_predicates);
	tcase_add_test(tc, test_status_walk);
	tcase_add_test(tc, test_ver);
	tcase_add_test(tc, test_module_suffix);
	tcase_add_test(tc, test_files);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	setlocale(LC_COLLATE, "C");
	return tap_check_run(tree_suite());
}
