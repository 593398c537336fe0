/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runner: exit statuses, logs, time limits, process groups,
 * wait-any; and the framework.conf reader, which never runs code. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/api.h"
#include "tap-check.h"

/* One job run to its end: a shell command or argv, in cwd (NULL: ours). */
static int run_job(const char *cmd, char *const *argv, const char *cwd,
		   int out_fd, unsigned int timeout, int *status)
{
	struct dkms_run_opts o = { 0 };

	o.shell = cmd;
	o.argv = argv;
	o.cwd = cwd;
	o.out_fd = out_fd;
	o.timeout_sec = timeout;
	return dkms_run(&o, status);
}

static int shell(const char *cmd, int out_fd, unsigned int timeout, int *status)
{
	return run_job(cmd, NULL, NULL, out_fd, timeout, status);
}

START_TEST(test_exit_status)
{
	int st = -1;

	ck_assert_int_eq(shell("exit 3", DKMS_RUN_OUT_NULL, 0, &st), 0);
	ck_assert_int_eq(st, 3);
	ck_assert_int_eq(shell("true", DKMS_RUN_OUT_NULL, 0, &st), 0);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(shell("kill -TERM $$", DKMS_RUN_OUT_NULL, 0, &st), 0);
	ck_assert_int_eq(st, 128 + 15);
}
END_TEST

START_TEST(test_log_and_cwd_env)
{
	char dir[] = "/tmp/dkms-runner.XXXXXX";
	char log[64], *text = NULL;
	char *env[] = { (char *)"PATH=/usr/bin:/bin", (char *)"FOO=bar", NULL };
	struct dkms_run_opts o = { 0 };
	int fd, st = -1;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/log", dir);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	ck_assert_int_ge(fd, 0);
	o.shell = "pwd; echo $FOO; echo err >&2";
	o.cwd = dir;
	o.envp = env;
	o.out_fd = fd;
	ck_assert_int_eq(dkms_run(&o, &st), 0);
	close(fd);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(read_file(log, &text, NULL), 0);
	ck_assert_ptr_nonnull(strstr(text, dir));
	ck_assert_ptr_nonnull(strstr(text, "bar\nerr\n"));
	free(text);
	rm_rf(dir);
}
END_TEST

static int tool(char *const *argv, const char *cwd, int out_fd, int *status)
{
	return run_job(NULL, argv, cwd, out_fd, 0, status);
}

/* A plain tool (posix_spawn, runner.c) is set up as a forked job is:
 * cwd, output, stdin from /dev/null, its own process group, SIGPIPE at
 * its default, a missing program 127. */
START_TEST(test_tool_spawn)
{
	char dir[] = "/tmp/dkms-runner-tool.XXXXXX";
	char log[64], *text = NULL, *ign;
	char *script[] = { (char *)"sh", (char *)"-c",
			   (char *)"pwd; echo $DKMS_T_FOO; read x && echo stdin:$x; "
			   "test \"$(cut -d' ' -f5 /proc/$$/stat)\" = $$ && echo own-group; "
			   "echo err >&2; exit 4", NULL };
	char *status[] = { (char *)"cat", (char *)"/proc/self/status", NULL };
	char *missing[] = { (char *)"/nonexistent/dkms-tool", NULL };
	char *unknown[] = { (char *)"dkms-no-such-tool-xyz", NULL };
	int fd, st = -1;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/log", dir);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	ck_assert_int_ge(fd, 0);
	setenv("DKMS_T_FOO", "bar", 1);
	ck_assert_int_eq(tool(script, dir, fd, &st), 0);
	ck_assert_int_eq(st, 4);
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(tool(status, NULL, fd, &st), 0);
	signal(SIGPIPE, SIG_DFL);
	ck_assert_int_eq(st, 0);
	close(fd);
	ck_assert_int_eq(read_file(log, &text, NULL), 0);
	ck_assert_ptr_nonnull(strstr(text, dir));
	ck_assert_ptr_nonnull(strstr(text, "\nbar\nown-group\nerr\n"));
	ck_assert_ptr_null(strstr(text, "stdin:"));
	/* SigIgn: a hex mask, SIGPIPE (13) is bit 12 */
	ign = strstr(text, "SigIgn:\t");
	ck_assert_ptr_nonnull(ign);
	ck_assert_int_eq(strtoull(ign + 8, NULL, 16) & (1ull << 12), 0);
	free(text);
	ck_assert_int_eq(tool(missing, NULL, DKMS_RUN_OUT_NULL, &st), 0);
	ck_assert_int_eq(st, 127);
	ck_assert_int_eq(tool(unknown, NULL, DKMS_RUN_OUT_NULL, &st), 0);
	ck_assert_int_eq(st, 127);
	rm_rf(dir);
}
END_TEST

/* gone, or a zombie waiting for whoever reaps orphans */
static bool process_alive(int pid)
{
	char path[64], *stat = NULL, *p;
	bool alive;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(path, &stat, NULL) < 0)
		return false;
	p = strrchr(stat, ')');
	alive = !(p && p[1] == ' ' && p[2] == 'Z');
	free(stat);
	return alive;
}

START_TEST(test_timeout_kills_group)
{
	struct dkms_run_opts o = { 0 };
	struct dkms_job *job = NULL;
	char pidfile[] = "/tmp/dkms-runner-pid.XXXXXX";
	char cmd[256], *text = NULL;
	int fd = mkstemp(pidfile);

	ck_assert_int_ge(fd, 0);
	close(fd);
	/* a grandchild in the background must die with the job */
	snprintf(cmd, sizeof(cmd), "sleep 30 & echo $! > %s; wait", pidfile);
	o.shell = cmd;
	o.out_fd = DKMS_RUN_OUT_NULL;
	o.timeout_sec = 1;
	ck_assert_int_eq(dkms_job_start(&o, &job), 0);
	ck_assert_int_eq(dkms_job_wait_any(&job, 1, -1), 0);
	ck_assert(dkms_job_timed_out(job));
	ck_assert_int_eq(dkms_job_status(job), 128 + 9);
	ck_assert_int_eq(read_file(pidfile, &text, NULL), 0);
	usleep(200000);
	ck_assert(!process_alive(atoi(text)));
	free(text);
	unlink(pidfile);
	dkms_job_free(job);
}
END_TEST

/* SIGTERM to a waiting dkms ends its jobs' process groups too */
START_TEST(test_signal_kills_jobs)
{
	char pidfile[] = "/tmp/dkms-runner-sig.XXXXXX";
	char cmd[256], *text = NULL;
	int fd = mkstemp(pidfile), st = 0, i;
	pid_t child;

	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "sleep 30 & echo $! > %s; wait", pidfile);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		int status;

		/* as in dkms: the default action (Check installs its own) */
		signal(SIGTERM, SIG_DFL);
		shell(cmd, DKMS_RUN_OUT_NULL, 0, &status);
		_exit(0);
	}
	for (i = 0; i < 100; i++) {
		free(text);
		text = NULL;
		if (read_file(pidfile, &text, NULL) == 0 && atoi(text) > 0)
			break;
		usleep(50000);
	}
	ck_assert_int_gt(atoi(text), 0);
	usleep(100000);
	kill(child, SIGTERM);
	ck_assert_int_eq(waitpid(child, &st, 0), child);
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGTERM);
	usleep(200000);
	ck_assert(!process_alive(atoi(text)));
	free(text);
	unlink(pidfile);
}
END_TEST

START_TEST(test_wait_any)
{
	struct dkms_run_opts slow = { 0 }, fast = { 0 };
	struct dkms_job *jobs[2] = { NULL, NULL };

	slow.shell = "sleep 5";
	slow.out_fd = DKMS_RUN_OUT_NULL;
	fast.shell = "exit 7";
	fast.out_fd = DKMS_RUN_OUT_NULL;
	ck_assert_int_eq(dkms_job_start(&slow, &jobs[0]), 0);
	ck_assert_int_eq(dkms_job_wait_any(jobs, 1, 100), -ETIMEDOUT);
	ck_assert_int_eq(dkms_job_start(&fast, &jobs[1]), 0);
	ck_assert_int_eq(dkms_job_wait_any(jobs, 2, -1), 1);
	ck_assert_int_eq(dkms_job_status(jobs[1]), 7);
	ck_assert_int_eq(dkms_job_status(jobs[0]), -1);
	dkms_job_free(jobs[0]); /* kills the sleeping one */
	dkms_job_free(jobs[1]);
}
END_TEST

START_TEST(test_sandbox_not_yet)
{
	struct dkms_run_opts o = { 0 };
	struct dkms_job *job = NULL;

	o.shell = "true";
	o.sandbox = true;
	ck_assert_int_eq(dkms_job_start(&o, &job), -EOPNOTSUPP);
	o.sandbox = false;
	o.argv = (char *const[]){ (char *)"true", NULL };
	ck_assert_int_eq(dkms_job_start(&o, &job), -EINVAL); /* both given */
}
END_TEST

START_TEST(test_build_env)
{
	char *add[] = { (char *)"CC=gcc-12", NULL };
	char *base[] = { (char *)"CFLAGS=-O9", (char *)"CC=tcc",
			 (char *)"LANG=C.UTF-8", (char *)"PATH=/x", NULL };
	char **env;
	bool cc = false, cflags = false, lang = false;
	size_t i;

	/* the given environment, never the process's */
	setenv("DKMS_T_PROCESS", "1", 1);
	env = dkms_build_env(base, add);
	ck_assert_ptr_nonnull(env);
	for (i = 0; env[i]; i++) {
		if (!strcmp(env[i], "CC=gcc-12"))
			cc = true;
		ck_assert_str_ne(env[i], "CC=tcc");
		if (startswith(env[i], "CFLAGS="))
			cflags = true;
		if (!strcmp(env[i], "LANG=C.UTF-8"))
			lang = true;
		ck_assert(!startswith(env[i], "DKMS_T_PROCESS="));
	}
	ck_assert(cc);
	ck_assert(!cflags);
	ck_assert(lang);
	ck_assert_str_eq(env_lookup(env, "PATH"), "/x");
	strv_free(env);
	/* none given: a default PATH alone */
	env = dkms_build_env(NULL, NULL);
	ck_assert_ptr_nonnull(env);
	ck_assert_str_eq(env[0], "PATH=" DKMS_DEFAULT_PATH);
	ck_assert_ptr_null(env[1]);
	strv_free(env);
	unsetenv("DKMS_T_PROCESS");
}
END_TEST

START_TEST(test_framework_as_data)
{
	char dir[] = "/tmp/dkms-fw.XXXXXX";
	struct dkms_framework fw = { 0 };
	struct dkms_ctx *ctx = NULL;
	char p[128];
	const char *conf =
		"# comment\n"
		"dkms_tree=\"/a b\"\n"
		"export source_tree='/src'\n"
		"parallel_jobs=3 # three\n"
		"verbose=$(touch /tmp/dkms-fw-ran)\n"
		"unknown_var=1\n"
		"mok_signing_key=/k\\ ey\n";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/framework.conf", dir);
	ck_assert_int_eq(write_file_atomic(p, conf, strlen(conf), 0644), 0);
	snprintf(p, sizeof(p), "%s/framework.conf.d", dir);
	ck_assert_int_eq(mkdir_p(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/framework.conf.d/z.conf", dir);
	ck_assert_int_eq(write_file_atomic(p, "parallel_jobs=4\n", 16, 0644), 0);
	ck_assert_int_eq(dkms_ctx_new(&ctx), 0);
	ck_assert_int_eq(dkms_ctx_set_path(ctx, DKMS_PATH_CONF_DIR, dir), 0);
	ck_assert_int_eq(dkms_framework_read(ctx, &fw), 0);
	ck_assert_str_eq(fw.dkms_tree, "/a b");
	ck_assert_str_eq(fw.source_tree, "/src");
	ck_assert_str_eq(fw.parallel_jobs, "4"); /* .d files come later */
	ck_assert_ptr_null(fw.verbose);          /* needs a shell: ignored */
	ck_assert_str_eq(fw.mok_signing_key, "/k ey");
	ck_assert_int_ne(access("/tmp/dkms-fw-ran", F_OK), 0);
	dkms_framework_clear(&fw);
	dkms_ctx_unref(ctx);
	rm_rf(dir);
}
END_TEST

/* /etc/sysconfig/module-init-tools and the like: one name, read as
 * framework.conf is */
START_TEST(test_assignment_read)
{
	char dir[] = "/tmp/dkms-fw.XXXXXX";
	const char *text = "ADDON_MODULES_DIR=a\n"
			   "X=$(touch /tmp/dkms-fw-ran)\n"
			   "export ADDON_MODULES_DIR=\"b c\" # comment\n"
			   "ADDON_MODULES_DIR_2=d\n";
	struct dkms_ctx *ctx = NULL;
	char p[128], *v = (char *)"untouched";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/module-init-tools", dir);
	ck_assert_int_eq(write_file_atomic(p, text, strlen(text), 0644), 0);
	ck_assert_int_eq(dkms_ctx_new(&ctx), 0);
	ck_assert_int_eq(dkms_assignment_read(ctx, p, "ADDON_MODULES_DIR", &v), 0);
	ck_assert_str_eq(v, "b c");
	free(v);
	ck_assert_int_eq(dkms_assignment_read(ctx, p, "OTHER", &v), 0);
	ck_assert_ptr_null(v);
	snprintf(p, sizeof(p), "%s/none", dir);
	ck_assert_int_eq(dkms_assignment_read(ctx, p, "ADDON_MODULES_DIR", &v), 0);
	ck_assert_ptr_null(v);
	ck_assert_int_ne(access("/tmp/dkms-fw-ran", F_OK), 0);
	dkms_ctx_unref(ctx);
	rm_rf(dir);
}
END_TEST

static Suite *runner_suite(void)
{
	Suite *s = suite_create("runner");
	TCase *tc = tcase_create("runner");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_exit_status);
	tcase_add_test(tc, test_log_and_cwd_env);
	tcase_add_test(tc, test_tool_spawn);
	tcase_add_test(tc, test_timeout_kills_group);
	tcase_add_test(tc, test_wait_any);
	tcase_add_test(tc, test_signal_kills_jobs);
	tcase_add_test(tc, test_sandbox_not_yet);
	tcase_add_test(tc, test_build_env);
	tcase_add_test(tc, test_framework_as_data);
	tcase_add_test(tc, test_assignment_read);
	suite_add_tcase(s, tc);
	return s;
}

TAP_CHECK_MAIN(runner_suite)
