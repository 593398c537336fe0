/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one way the core runs code that comes with a module source: make,
 * PRE_/POST_ scripts, patch.  Each job is a child in its own process group
 * with an explicit cwd and environment, its stdout+stderr appended to a log
 * fd; the whole group is killed when the job ends or times out.
 *
 * `sandbox` is where a confined child (own mount/net/user namespaces, an
 * unprivileged uid) is set up between fork and exec; jobs are started
 * without blocking and reaped with dkms_job_wait_any(), so several builds
 * run under one job budget.
 */
#ifndef DKMS_RUNNER_H
#define DKMS_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where the child's stdout+stderr go. */
#define DKMS_RUN_OUT_NULL (-1)    /* /dev/null */
#define DKMS_RUN_OUT_INHERIT (-2) /* our own stdout/stderr */

struct dkms_run_opts {
	/* exactly one of argv (execve, argv[0] a path or looked up in PATH)
	 * and shell (a string run by `bash -c`, as 3.4.3 evals it) */
	char *const *argv;
	const char *shell;
	const char *cwd;          /* NULL: inherit */
	char *const *envp;        /* NULL: our environment */
	int out_fd;               /* fd opened O_APPEND, or DKMS_RUN_OUT_* */
	unsigned int timeout_sec; /* 0: none; then the group gets SIGKILL */
	/* sandbox=true runs the job in sb (sandbox.h); without sb, or when
	 * the kernel refuses the namespaces (sb->why says why, sb->off is
	 * set), dkms_job_start returns -EOPNOTSUPP */
	bool sandbox;
	struct dkms_sandbox *sb;
	/* a GNU make jobserver's read and write ends, given to the job as
	 * fds 3 and 4 (DKMS_JOBSERVER_MAKEFLAGS says so); NULL: none.
	 * The job takes a token (its make's implicit one) just before its
	 * exec, the sandbox set up; dkms_job_start waits for that, and the
	 * token goes back when the job ends.  Through the sandbox too: a
	 * build can at worst take or add tokens, which slows or speeds the
	 * others, nothing more */
	const int *jobserver;
};

/* What MAKEFLAGS holds for a job given a jobserver. */
#define DKMS_JOBSERVER_MAKEFLAGS "MAKEFLAGS= -j --jobserver-auth=3,4"

struct dkms_job;

/* Start a job; does not wait. */
int dkms_job_start(const struct dkms_run_opts *o, struct dkms_job **ret);
/* Wait until one of jobs[0..n) ends or timeout_ms passes (-1: forever).
 * Returns the index of an ended job, -ETIMEDOUT, or -errno.  Ended jobs'
 * process groups are killed. */
int dkms_job_wait_any(struct dkms_job *const *jobs, size_t n, int timeout_ms);
/* Exit status as the shell reports it (code, or 128+signal), -1 while
 * running. */
int dkms_job_status(const struct dkms_job *job);
bool dkms_job_timed_out(const struct dkms_job *job);
pid_t dkms_job_pid(const struct dkms_job *job);
/* Kill the group (if running), reap, free. NULL is fine. */
void dkms_job_free(struct dkms_job *job);

/* Start and wait; *status gets dkms_job_status(). */
int dkms_run(const struct dkms_run_opts *o, int *status);


/* The environment 3.4.3 gives a build: base (the context's environment,
 * dkms_ctx_environ(); NULL: PATH alone, DKMS_DEFAULT_PATH) minus CC CXX
 * CFLAGS CXXFLAGS LDFLAGS, plus the NAME=VALUE strings in add
 * (NULL-terminated, may be NULL).  Free with strv_free(). */
char **dkms_build_env(char *const *base, char *const *add);

#endif
