/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The intent journal (journal.c) on a hand-made tree: a run, a replay of
 * a done journal that changes nothing, a kill before and after the commit
 * (a forked child dies by DKMS_FAULT_MODE=kill) and the recovery, an I/O
 * error before the commit that leaves nothing. */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/api.h"
#include "tap-check.h"

static char root[64];
static struct dkms_ctx *ctx;
static struct dkms_session *s;

static char *at(const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);

	ck_assert_ptr_nonnull(p);
	return p;
}

static void put(const char *rel, const char *text)
{
	char *p = at(rel);
	char *dir = strdup(p);

	*strrchr(dir, '/') = '\0';
	ck_assert_int_eq(mkdir_p(dir, 0755), 0);
	ck_assert_int_eq(write_file_atomic(p, text, strlen(text), 0644), 0);
	free(dir);
	free(p);
}

/* the content of rel, "-" when missing */
static char *get(const char *rel)
{
	char *p = at(rel), *text = NULL;

	if (read_file(p, &text, NULL) < 0)
		text = strdup("-");
	free(p);
	return text;
}

static void is_text(const char *rel, const char *want)
{
	char *got = get(rel);

	ck_assert_msg(!strcmp(got, want), "%s: '%s', not '%s'", rel, got, want);
	free(got);
}

static void setup(void)
{
	char *p;

	strcpy(root, "/tmp/dkms-journal.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	ck_assert_int_eq(dkms_ctx_new(&ctx), 0);
	ck_assert_int_eq(dkms_ctx_set_path(ctx, DKMS_PATH_ROOT, root), 0);
	ck_assert_int_eq(dkms_session_new(ctx, &s), 0);
	p = at("dkms");
	dkms_ctx_set_path(ctx, DKMS_PATH_DKMS_TREE, p);
	free(p);
	p = at("lib");
	dkms_ctx_set_path(ctx, DKMS_PATH_INSTALL_TREE, p);
	free(p);
	/* a build, and the kernel's own module at the place ours goes */
	put("dkms/m/1/k/a/module/x.ko", "new");
	put("lib/k/updates/x.ko", "orig");
	put("lib/k/modules.order", "");
}

static void teardown(void)
{
	dkms_session_free(s);
	dkms_ctx_unref(ctx);
	unsetenv("DKMS_FAULT_STEP");
	unsetenv("DKMS_FAULT_MODE");
	unsetenv("DKMS_FAULT_LOG");
	rm_rf(root);
}

/* install's plan: the .origin, the archive, the copy, the link */
static struct journal *plan(void)
{
	struct journal *j = journal_new(s, "install of m/1 for kernel k (a)");
	char *src = at("dkms/m/1/k/a/module/x.ko"), *orig = at("lib/k/updates/x.ko");
	char *bak = at("dkms/m/original_module/k/a/x.ko");
	char *of = at("dkms/m/original_module/k/a/x.ko.origin");
	char *line = xasprintf("%s\n", orig), *link = at("dkms/m/kernel-k-a");

	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(journal_stage_data(j, line, of, 0644), 0);
	ck_assert_int_eq(journal_add(j, JOP_ARCHIVE, orig, bak, NULL), 0);
	ck_assert_int_eq(journal_stage_copy(j, src, orig, 0644, false), 0);
	ck_assert_int_eq(journal_add(j, JOP_SYMLINK, link, "1/k/a", NULL), 0);
	free(src);
	free(orig);
	free(bak);
	free(of);
	free(line);
	free(link);
	return j;
}

static int do_all(void)
{
	struct journal *j = plan();
	int r = journal_commit(j);

	if (r == 0)
		r = journal_run(j, false);
	if (r == 0)
		r = journal_end(j);
	journal_free(j);
	return r;
}

static void is_before(void)
{
	char *link = at("dkms/m/kernel-k-a"), *bak = at("dkms/m/original_module");
	char *tree = at("dkms");

	is_text("lib/k/updates/x.ko", "orig");
	ck_assert(!path_exists(bak));
	ck_assert(access(link, F_OK) < 0);
	ck_assert(!journal_pending(tree));
	free(link);
	free(bak);
	free(tree);
}

static void is_after(void)
{
	char *link = at("dkms/m/kernel-k-a"), *tree = at("dkms");
	char *orig = at("lib/k/updates/x.ko"), *want = xasprintf("%s\n", orig);
	char target[64] = "";

	is_text("lib/k/updates/x.ko", "new");
	is_text("dkms/m/original_module/k/a/x.ko", "orig");
	is_text("dkms/m/original_module/k/a/x.ko.origin", want);
	ck_assert(readlink(link, target, sizeof(target) - 1) > 0);
	ck_assert_str_eq(target, "1/k/a");
	ck_assert(!journal_pending(tree));
	free(link);
	free(tree);
	free(orig);
	free(want);
}

/* no staged file or journal temp left anywhere */
static void no_temps(const char *dir)
{
	char *cmd = xasprintf("find %s -name '*dkms-tmp*' | grep -q .", dir);

	ck_assert_int_ne(system(cmd), 0);
	free(cmd);
}

/* the number of the step named `what` in a run (a child logs them) */
static unsigned int step_named(const char *what)
{
	char *log = xasprintf("%s.log", root), *text = NULL, *line, *save = NULL;
	unsigned int n = 0;
	pid_t pid;
	int st;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("DKMS_FAULT_LOG", log, 1);
		_exit(do_all() == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(read_file(log, &text, NULL), 0);
	for (line = strtok_r(text, "\n", &save); line && !n;
	     line = strtok_r(NULL, "\n", &save))
		if (!strcmp(strchr(line, ' ') + 1, what))
			n = (unsigned int)strtoul(line, NULL, 10);
	ck_assert_msg(n > 0, "no step '%s'", what);
	unlink(log);
	free(log);
	free(text);
	/* back to the state before */
	teardown();
	setup();
	return n;
}

/* a child killed at step n of the plan */
static void killed_at(unsigned int n)
{
	char num[16];
	pid_t pid;
	int st;

	snprintf(num, sizeof(num), "%u", n);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("DKMS_FAULT_STEP", num, 1);
		setenv("DKMS_FAULT_MODE", "kill", 1);
		do_all();
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

START_TEST(test_run)
{
	ck_assert_int_eq(do_all(), 0);
	is_after();
	no_temps(root);
}
END_TEST

/* a done journal replayed: the backup is not overwritten by the module
 * now at the original's place, the copy is not undone */
START_TEST(test_replay)
{
	struct journal *j = plan();
	char *tree = at("dkms"), *saved = NULL, *path = NULL, *cmd;
	size_t len;

	ck_assert_int_eq(journal_commit(j), 0);
	cmd = xasprintf("ls -d %s/.dkms-journal.* > %s.name", tree, root);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	cmd = xasprintf("%s.name", root);
	ck_assert_int_eq(read_file(cmd, &path, NULL), 0);
	*strchr(path, '\n') = '\0';
	ck_assert_int_eq(read_file(path, &saved, &len), 0);
	ck_assert_int_eq(journal_run(j, false), 0);
	ck_assert_int_eq(journal_end(j), 0);
	journal_free(j);
	is_after();
	ck_assert_int_eq(write_file_atomic(path, saved, len, 0600), 0);
	ck_assert(journal_pending(tree));
	ck_assert_int_eq(journal_recover(s), 0);
	is_after();
	unlink(cmd);
	free(cmd);
	free(path);
	free(saved);
	free(tree);
}
END_TEST

START_TEST(test_kill_before_commit)
{
	unsigned int n = step_named("journal commit");
	char *tree = at("dkms"), *dir = at("dkms/m/original_module");

	killed_at(n);
	ck_assert(journal_pending(tree));
	ck_assert(is_dir(dir)); /* made, with staged files in it */
	ck_assert_int_eq(journal_recover(s), 0);
	is_before();
	no_temps(root);
	free(tree);
	free(dir);
}
END_TEST

START_TEST(test_kill_after_commit)
{
	unsigned int n = step_named("place x.ko");
	char *tree = at("dkms");

	killed_at(n);
	ck_assert(journal_pending(tree));
	is_text("dkms/m/original_module/k/a/x.ko", "orig");
	ck_assert_int_eq(journal_recover(s), 0);
	is_after();
	no_temps(root);
	free(tree);
}
END_TEST

START_TEST(test_eio_before_commit)
{
	unsigned int n = step_named("stage file");
	char num[16];

	snprintf(num, sizeof(num), "%u", n);
	setenv("DKMS_FAULT_STEP", num, 1);
	ck_assert_int_eq(do_all(), -EIO);
	is_before();
	no_temps(root);
}
END_TEST

/* an unlink planned before a restore to the same place is dropped: a
 * replay must not delete what the restore brought back */
START_TEST(test_unlink_then_restore)
{
	struct journal *j = journal_new(s, "uninstall");
	char *inst = at("lib/k/updates/x.ko"), *bak = at("dkms/m/b/x.ko");

	put("dkms/m/b/x.ko", "orig2");
	ck_assert_int_eq(journal_add(j, JOP_UNLINK, inst, NULL, NULL), 0);
	ck_assert_int_eq(journal_add(j, JOP_RESTORE, bak, inst, NULL), 0);
	ck_assert_int_eq(journal_commit(j), 0);
	ck_assert_int_eq(journal_run(j, false), 0);
	is_text("lib/k/updates/x.ko", "orig2");
	/* the same journal again, as a recovery would */
	ck_assert_int_eq(journal_recover(s), 0);
	is_text("lib/k/updates/x.ko", "orig2");
	is_text("dkms/m/b/x.ko", "-");
	journal_free(j);
	free(inst);
	free(bak);
}
END_TEST

static Suite *journal_suite(void)
{
	Suite *su = suite_create("journal");
	TCase *tc = tcase_create("journal");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_run);
	tcase_add_test(tc, test_replay);
	tcase_add_test(tc, test_kill_before_commit);
	tcase_add_test(tc, test_kill_after_commit);
	tcase_add_test(tc, test_eio_before_commit);
	tcase_add_test(tc, test_unlink_then_restore);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	setlocale(LC_COLLATE, "C");
	return tap_check_run(journal_suite());
}
