/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Commands built on the cycle (ops.h): autoinstall, the kernel hooks,
 * match, mktarball and ldtarball.  Private to the core and the CLI.
 *
 * As in ops.h every call returns 0, a positive dkms exit code whose
 * message was already written in 3.4.3's words, or -errno.  The CLI does
 * the command-line checks 3.4.3 does before calling them (one kernel,
 * root, module arguments).
 */
#ifndef DKMS_EXTRAS_H
#define DKMS_EXTRAS_H

#include <stdbool.h>
#include <stddef.h>

#include "ops.h"
#include "util.h"

/* ---- autoinstall.c ------------------------------------------------------- */
/* autoinstall for one kernel: the newest version of every AUTOINSTALL
 * module, in BUILD_DEPENDS order; 0, 11 (some failed), or a code that
 * stops it at once (8 bad conf, 21 no headers). */
int dkms_autoinstall(struct dkms_session *s, const char *kver,
		     const char *arch);
/* Ours: autoinstall for several kernels in one call; every kernel's
 * builds in one plan under one job budget (serially, kernel after kernel,
 * when BUILD_DEPENDS are involved), depmod once per kernel at the end,
 * the output of each kernel that of a call for it alone.  The first
 * non-zero exit code of the kernels, in order, else 0. */
int dkms_autoinstall_kernels(struct dkms_session *s, char *const *kvers,
			     char *const *archs, size_t n);
/* check_and_rebuild_dependent_modules: after an install on kver/arch,
 * rebuild and reinstall the BUILD_DEPENDS_REBUILD modules whose recorded
 * dependency versions (<m>/<v>/<k>/<a>/.dep_<dep>) changed. */
int dkms_rebuild_dependents(struct dkms_session *s, const char *kver,
			    const char *arch);

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
 * non-zero return stops the plan there, SCHED_SKIP skips this step),
 * work() in a forked child beside the other steps (its return is the
 * exit status, what else it knows of its end goes in res; its makes
 * share the budget through a jobserver), after()
 * in plan order once the step's output was written.  A step without
 * work() runs nothing: its after() is called in its place, status 0. */
struct sched_step {
	int (*before)(struct dkms_session *s, void *data);
	int (*work)(struct dkms_session *s, void *data,
		    struct sched_result *res);
	int (*after)(struct dkms_session *s, void *data, int status);
	void *data;
	/* steps with the same key never run at the same time (one module
	 * version's build dir serves all its kernels); NULL: none */
	const char *key;
	struct sched_label label;
};
#define SCHED_SKIP 1000
/* Run steps, their makes running at most budget jobs at once (with twice
 * budget steps at once: what steps do around their makes overlaps), in
 * plan order for the output; 0 or the first non-zero of before()/after(). */
int sched_run(struct dkms_session *s, const struct sched_step *steps,
	      size_t n, unsigned int budget);
/* The same, warm(s) called once the first steps are started: what it
 * loads, the steps started later inherit. */
int sched_run_warm(struct dkms_session *s, const struct sched_step *steps,
		   size_t n, unsigned int budget,
		   void (*warm)(struct dkms_session *s));
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
/* -j N, framework.conf's parallel_jobs, else the CPUs we may run on. */
unsigned int sched_budget(const struct dkms_session *s);
/* depmod, quietly, for the kernels the steps deferred it for. */

/* ---- status-json.c ------------------------------------------------------ */
/* `dkms status --json`: one object per (module, version, kernel, arch),
 * schema in status-json.c; filters as dkms_status_print (k may be NULL). */
int dkms_status_json(struct dkms_session *s, const char *m, const char *v,
		     const struct dkms_kernels *k);

/* ---- kernel-hooks.c ------------------------------------------------------ */
/* kernel_preinst: unbuild the AUTOINSTALL modules built for the kernel;
 * kernel_prerm: unbuild every module built for it; 0 or 14. */
int dkms_kernel_preinst(struct dkms_session *s, const char *kver,
			const char *arch);
int dkms_kernel_prerm(struct dkms_session *s, const char *kver,
		      const char *arch);
/* kernel_postinst: autoinstall. */
int dkms_kernel_postinst(struct dkms_session *s, const char *kver,
			 const char *arch);
/* list_module_version_combos: "m/v" of every version directory, in
 * 3.4.3's glob order; *ret NULL-terminated, free with strv_free(). */
int dkms_list_combos(struct dkms_session *s, char ***ret);

/* ---- match.c ------------------------------------------------------------- */
/* match --templatekernel: build and install on kver what is installed on
 * s->template_kernel (only `module` when not NULL). */
int dkms_match(struct dkms_session *s, const char *module, const char *kver,
	       const char *arch);

/* ---- tarball.c ----------------------------------------------------------- */
/* mktarball for the kernels of k (--source-only: none). */
int dkms_make_tarball(struct dkms_session *s, const char *m, const char *v,
		      const struct dkms_kernels *k);
/* load_tarball of s->archive: registers the source (or a binaries-only
 * stub) and loads the prebuilt modules; *ret_m and *ret_v get the module.
 * Returns 1 (no message) for a binaries-only tarball without a source
 * tree, as 3.4.3.  Tarballs with absolute or ".." member names are
 * refused (7). */
int dkms_load_tarball(struct dkms_session *s, const struct dkms_kernels *k,
		      char **ret_m, char **ret_v);
/* ldtarball: load_tarball, then add. */
int dkms_ldtarball(struct dkms_session *s, const struct dkms_kernels *k);

/* ---- signing.c (a wrapper beside the cycle's signing) --------------------- */
/* generate_mok: make the MOK key pair if missing; 0, or 1 as 3.4.3. */
int dkms_generate_mok(struct dkms_session *s, const char *kver);

/* ---- small string lists shared by these files ---------------------------- */
struct namelist {
	char **v;
	size_t n;
};
int namelist_add(struct namelist *l, const char *s);
int namelist_addf(struct namelist *l, const char *fmt, ...) _printf_(2, 3);
bool namelist_has(const struct namelist *l, const char *s);
/* Elements joined by sep; NULL on ENOMEM. */
char *namelist_join(const struct namelist *l, const char *sep);
void namelist_clear(struct namelist *l);
/* Entries of dir that the shell glob dir/STAR gives (no dot files; dirs_only:
 * directories, links to them included), sorted as the glob sorts. */
int namelist_dir(struct namelist *out, const char *dir, bool dirs_only);
/* qsort comparison of char * by strcoll, as globs sort. */
int namelist_cmp(const void *a, const void *b);

#endif
