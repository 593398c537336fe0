/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Executing steps: 3.4.3's invoke_command and run_build_script with their
 * progress lines, and the scheduler that runs independent steps side by
 * side under one job budget (a make jobserver).  Output goes through the
 * context's callback.
 */
#ifndef DKMS_EXEC_EXEC_H
#define DKMS_EXEC_EXEC_H

#include "conf/conf.h"
#include "exec/progress.h"

/* ---- invoke.c: 3.4.3's invoke_command and run_build_script ----------- */
/* Run a shell string with description; log_path NULL: no log (output to
 * /dev/null, or to us when verbose).  Prints "desc..." and " done." or
 * "(bad exit status: N)"+ "Failed command:" as 3.4.3.  Returns 0, the
 * errno of its exit status (dkms_exit_to_errno), or -errno. */
int invoke_command(struct dkms_session *s, const struct dkms_op *op,
		   const char *cmd, const char *desc, const char *log_path,
		   const char *cwd, bool background);
/* Run a bash script with the build's environment; its output (stdout and
 * stderr: redirect in the script) into *ret. */
int run_capture(struct dkms_session *s, const char *script, char **ret,
		int *status);
/* The two halves of invoke_command's terminal output, for steps done in
 * process (depmod). */
void invoke_begin(struct dkms_session *s, const char *cmd, const char *desc);
void invoke_end(struct dkms_session *s, const char *cmd, int status);
/* run_build_script: script_type pre_build/post_build run in build dir,
 * others in source dir; /etc/dkms/<m>/ overrides.  Returns 0, the errno
 * of the script's exit status (log mode: 3.4.3 exits with it), or
 * -errno. */
int run_build_script(struct dkms_session *s, const struct dkms_op *op,
		     const char *type, const char *script,
		     const char *log_path);

/* ---- scheduler.c ---------------------------------------------------------- */
/* What a step works on, for the live summary (progress-live.c) to name
 * it by; all NULL: a step with nothing to show. */
struct sched_label {
	const char *module, *version, *kernel, *arch;
};
/* How a step's work ended, beyond its exit status, filled by work() in
 * the child and sent back to dkms with its output (scheduler.c); the
 * strings are malloc'd, NULL when not known. */
struct sched_result {
	bool skipped;  /* nothing was done (a skip may exit 0) */
	char *reason;  /* why it was skipped */
	char *log;     /* a failure's log to consult */
	char *error;   /* a failure's cause, when no log holds it */
};
void sched_result_clear(struct sched_result *res);
/* One step of a plan: before() runs in dkms in plan order (may print; a
 * non-zero return stops the plan there, *skip skips this step), work()
 * in a forked child beside the other steps (its return, 0 or -errno, is
 * the step's status; what else it knows of its end goes in res; its
 * makes share the budget through a jobserver), after() in plan order
 * once the step's output was written, given that status.  The status
 * comes back as the child's exit status (dkms_errno_to_exit, then
 * dkms_exit_to_errno): a dkms exit code as it was, a system error as
 * code 1, a killed child as 128 + its signal.  A step without work()
 * runs nothing: its after() is called in its place, status 0. */
struct sched_step {
	int (*before)(struct dkms_session *s, void *data, bool *skip);
	int (*work)(struct dkms_session *s, void *data,
		    struct sched_result *res);
	int (*after)(struct dkms_session *s, void *data, int status);
	void *data;
	/* steps with the same key never run at the same time (one module
	 * version's build dir serves all its kernels); NULL: none */
	const char *key;
	struct sched_label label;
};
/* Run steps, their makes running at most budget jobs at once (with twice
 * budget steps at once: what steps do around their makes overlaps), in
 * plan order for the output; 0 or the first non-zero of before()/after(). */
int sched_run(struct dkms_session *s, const struct sched_step *steps,
	      size_t n, unsigned int budget);
/* Whoever watches a run (a terminal's live status lines, cmd/), handed
 * to the scheduler by its caller: begin() for the N steps (NULL: nothing
 * to watch, as off a terminal), sync() with step I's state as the
 * scheduler sees it (once done: its status and result), show() between
 * rounds, timeout() how long the scheduler may wait for its children
 * before the next show() (-1: no limit), finish() at the end. */
struct sched_watch {
	void *(*begin)(struct dkms_session *s, const struct sched_step *steps,
		       size_t n);
	void (*sync)(void *w, size_t i, bool launched, bool done, int status,
		     const struct sched_result *res);
	void (*show)(void *w);
	int (*timeout)(const void *w);
	void (*finish)(void *w);
};
/* The same, warm(s) called once the first steps are started (what it
 * loads, the steps started later inherit), watched by watch (may be
 * NULL). */
int sched_run_warm(struct dkms_session *s, const struct sched_step *steps,
		   size_t n, unsigned int budget,
		   void (*warm)(struct dkms_session *s),
		   const struct sched_watch *watch);
/* In a step: its make runs at dkms's priority (true), the rest of its
 * work at a lower one (false); nothing outside a step. */
void sched_for_make(bool make);
/* Output held back to be written later, in its place in a plan. */
struct sched_held {
	struct strbuf out;
	dkms_output_fn fn;
	void *data;
};
/* From hold to release, what the session prints goes to h; replay
 * writes it (then forgets it). */
void sched_hold(struct dkms_session *s, struct sched_held *h);
void sched_release(struct dkms_session *s, struct sched_held *h);
void sched_replay(struct dkms_session *s, struct sched_held *h);
/* -j N, the caller's dkms_ctx_set_jobs, framework.conf's parallel_jobs,
 * else the CPUs we may run on. */
unsigned int sched_budget(const struct dkms_session *s);
/* depmod, quietly, for the kernels the steps deferred it for. */

#endif
