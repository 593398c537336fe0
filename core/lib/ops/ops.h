/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The operations, 3.4.3's do_* and *_module: add, build, install,
 * uninstall, unbuild, remove, depmod, initramfs, signing, rebuilding
 * dependents, tarballs, status.  Each takes the session and a dkms_op and
 * returns 0 or a negative errno: the errno of a dkms exit code
 * (base/exitcode.h) where 3.4.3 ends with one, its message written as
 * 3.4.3 words it, any other for a failure dkms has no message for.  Where
 * 3.4.3 "dies" the operation returns at once; callers propagate it unless
 * 3.4.3 ran that step in a subshell (dkms_each_kernel).  The codes below
 * are 3.4.3's exit codes.
 */
#ifndef DKMS_OPS_OPS_H
#define DKMS_OPS_OPS_H

#include "exec/exec.h"
#include "ops/initramfs.h"
#include "ops/status-cache.h"
#include "ops/tarball.h"

/* ---- single steps (3.4.3's do_* / maybe_*) ------------------------------ */
/* add_module: registers source_tree/<m>-<v> (op->module may be NULL when
 * s->archive or s->source_path names the module: taken from the archive
 * or the source tree's dkms.conf).  0, 2, 3, 8 (bad conf), 9/10 (source
 * tree), load_tarball's codes. */
int dkms_op_add(struct dkms_session *s, const struct dkms_op *op);
/* op, named by what the last add found in a source tree or an archive
 * when op names no module: 3.4.3's add_source_tree and load_tarball set
 * $module and $module_version for the rest of that kernel's build and
 * install. */
struct dkms_op dkms_op_named(const struct dkms_session *s,
			     const struct dkms_op *op);
/* do_build: build for one kernel (adds first when needed).  0, 3, 7, 8,
 * 10 (make failed: tree left added, log in <m>/<v>/build/make.log), 13,
 * 21, 77 (BUILD_EXCLUSIVE). */
int dkms_op_build(struct dkms_session *s, const struct dkms_op *op);
/* maybe_build_module: "already built ... skip" unless --force. */
int dkms_op_maybe_build(struct dkms_session *s, const struct dkms_op *op);
/* do_install: builds first when needed; 0, 5, 6, 101, build's codes. */
int dkms_op_install(struct dkms_session *s, const struct dkms_op *op);
int dkms_op_maybe_install(struct dkms_session *s, const struct dkms_op *op);
/* do_uninstall / maybe_uninstall_module. */
int dkms_op_uninstall(struct dkms_session *s, const struct dkms_op *op);
int dkms_op_maybe_uninstall(struct dkms_session *s, const struct dkms_op *op);
/* do_unbuild / maybe_unbuild_module. */
int dkms_op_unbuild(struct dkms_session *s, const struct dkms_op *op);
int dkms_op_maybe_unbuild(struct dkms_session *s, const struct dkms_op *op);
/* do_depmod for one kernel (honours --no-depmod, missing modules.dep);
 * a depmod that fails (or cannot run) gives the errno of its exit status,
 * as invoke_command does. */
int dkms_op_depmod(struct dkms_session *s, const char *kernelver);
/* With s->depmod.defer, dkms_op_depmod says what it says but leaves the
 * run to the scheduler (scheduler.c): notes kernelver here. */
void dkms_depmod_defer(struct dkms_session *s, const char *kernelver);
/* One depmod per kernel the steps of a parallel run deferred (quiet:
 * each step said its "Running depmod" already). */
void dkms_depmod_run_deferred(struct dkms_session *s);
/* depmod for a recovery: what dkms_op_depmod does, without a word. */
int dkms_depmod_quiet(struct dkms_session *s, const char *kver);

/* What loading an archive needs from above it: an .rpm archive is
 * installed with rpm, then autoinstalled for the command's kernel. */
struct load_handlers {
	int (*autoinstall)(struct dkms_session *s, const char *kver,
			   const char *arch);
};

/* ---- journaled steps (journal.h) ---------------------------------------- */
struct journal;
/* uninstall.c: the steps of maybe_uninstall_module appended to j */
int dkms_plan_maybe_uninstall(struct dkms_session *s, const struct dkms_op *op,
			      struct journal *j);
/* unbuild.c: the steps of maybe_unbuild_module appended to j */
int dkms_plan_maybe_unbuild(struct dkms_session *s, const struct dkms_op *op,
			    struct journal *j);
/* A new journal for CMD ("remove", "unbuild") of m/v; NULL on ENOMEM. */
struct journal *dkms_journal_for(struct dkms_session *s, const char *cmd,
				 const char *m, const char *v);
/* Commit j (when it changes anything), run it, end it; on a failure past
 * the commit a line says the next command completes it. */
int dkms_journal_do(struct dkms_session *s, struct journal *j);

/* install.c, last known good: what a journal's recovery does for a
 * rebuild (BUILD_DEPENDS_REBUILD) that stopped (the JOP_KEEP_GOOD step):
 * the last good build of a module kept aside at saved goes back to its
 * place ka and is installed again, unless a new one is installed. */
int dkms_lkg_recover(struct dkms_session *s, const char *saved,
		     const char *ka);

/* setup_kernels_arches: --all (from the built/installed states of m/v),
 * default uname -r / uname -m, one arch for all kernels.  0, 12, 16. */
int dkms_kernels_setup(struct dkms_session *s, const char *action,
		       const char *m, const char *v, struct dkms_kernels *k);

/* ---- failure.c: a batch's failures kept in the tree -------------------- */
struct dkms_failure {
	int status;       /* how it ended: 0 or -errno (exitcode.h) */
	char *reason;     /* one line */
	char *log;        /* the kept make.log, NULL when none */
};
/* Note that op did not install (status: 0 or -errno, kept as dkms's exit
 * code for it; reason: NULL for words made from status; log: the
 * make.log to keep a copy of, or NULL). */
int dkms_failure_note(struct dkms_session *s, const struct dkms_op *op,
		      int status, const char *reason, const char *log);
void dkms_failure_clear(struct dkms_session *s, const struct dkms_op *op);
/* 0 and *f filled, -ENOENT when op has no failure noted. */
int dkms_failure_read(struct dkms_session *s, const struct dkms_op *op,
		      struct dkms_failure *f);
void dkms_failure_free(struct dkms_failure *f);
/* A status (0 or -errno) in words ("the build failed"); NULL for 0. */
const char *dkms_failure_words(int status);

/* ---- whole commands (3.4.3's *_module functions) ------------------------ */
int dkms_cmd_build(struct dkms_session *s, const char *m, const char *v,
		   const struct dkms_kernels *k);
int dkms_cmd_install(struct dkms_session *s, const char *m, const char *v,
		     const struct dkms_kernels *k);
int dkms_cmd_uninstall(struct dkms_session *s, const char *m, const char *v,
		       const struct dkms_kernels *k);
int dkms_cmd_unbuild(struct dkms_session *s, const char *m, const char *v,
		     const struct dkms_kernels *k);
int dkms_cmd_remove(struct dkms_session *s, const char *m, const char *v,
		    const struct dkms_kernels *k);

/* ---- status -------------------------------------------------------------- */
enum dkms_state {
	DKMS_STATE_BROKEN,
	DKMS_STATE_ADDED,
	DKMS_STATE_BUILT,
	DKMS_STATE_INSTALLED,
};
struct dkms_status_entry {
	enum dkms_state state;
	const char *module, *version;
	const char *kernelver, *arch; /* NULL for broken/added */
};
typedef int (*dkms_status_fn)(void *data, const struct dkms_status_entry *e);
/* module_status: every module/version (filters: NULL or "" = any; a
 * shell glob is accepted as 3.4.3 does) in 3.4.3's order.  Returns 0,
 * -errno, or the callback's negative return, which ends the walk. */
int dkms_status_walk(struct dkms_session *s, const char *m, const char *v,
		     const char *kver, const char *arch, dkms_status_fn fn,
		     void *data);
/* module_status_built for one m/v (no broken/added entries). */
int dkms_status_built_walk(struct dkms_session *s, const char *m,
			   const char *v, const char *kver, const char *arch,
			   dkms_status_fn fn, void *data);
/* do_status: the text lines of `dkms status` for one filter. */
int dkms_status_print(struct dkms_session *s, const char *m, const char *v,
		      const char *kver, const char *arch);

/* execute_post_transaction: framework.conf's post_transaction command
 * ($kernelver: the command's first kernel, may be NULL), its output in
 * <dkms_tree>/post_transaction.log; nothing when unset. */
int dkms_post_transaction(struct dkms_session *s, const char *kernelver);

/* ---- prepare.c, signing.c: a kernel made ready for a command ---------- */
/* prepare_kernel: 0 or 21 with 3.4.3's message. */
int prepare_kernel(struct dkms_session *s, const char *kver);
/* prepare_kernel_and_signing (messages, blank line once per kernel). */
/* signing.c */
int prepare_signing(struct dkms_session *s, const char *kver);
void sign_module(struct dkms_session *s, const char *ko);
int prepare_kernel_and_signing(struct dkms_session *s, const char *kver,
			       const char *arch);
/* ---- status.c --------------------------------------------------------- */
/* find_actual_dest_module_location for record i: "" when not found. */
char *find_actual_dest(struct dkms_session *s, const struct modconf *mc,
		       size_t i, const char *m, const char *kver,
		       const char *arch, const char *csuffix);

/* ---- buildenv.c: CC/LD and build_environment for the build's children */
int build_env_setup(struct dkms_session *s, const char *kver,
		    const char *ksrc, const char *kconf);

/* ---- install.c: weak-modules (RHEL, SUSE) ------------------------------ */
const char *weak_modules_cmd(struct dkms_session *s, bool add);
void weak_modules_run(struct dkms_session *s, const struct dkms_op *op,
		      const struct modconf *mc, const char *cmd);

/* rebuild.c, check_and_rebuild_dependent_modules' first pass: "m/v" of
 * the BUILD_DEPENDS_REBUILD modules built for kver/arch whose recorded
 * dependency versions (<m>/<v>/<k>/<a>/.dep_<dep>) changed, in status
 * order, into *out (empty: none).  The install that changed them
 * rebuilds them (install.c). */
int dkms_dependents_to_rebuild(struct dkms_session *s, const char *kver,
			       const char *arch, struct namelist *out);

/* ---- tarball.c ----------------------------------------------------------- */
/* mktarball for the kernels of k (--source-only: none). */
int dkms_make_tarball(struct dkms_session *s, const char *m, const char *v,
		      const struct dkms_kernels *k);
/* load_tarball of s->archive: registers the source (or a binaries-only
 * stub) and loads the prebuilt modules; *ret_m and *ret_v get the module.
 * A binaries-only tarball without a source tree is loaded, 0 (3.4.3's
 * add_module goes on past its status 1).  Tarballs with absolute or ".."
 * member names are refused (7). */
int dkms_load_tarball(struct dkms_session *s, const struct dkms_kernels *k,
		      char **ret_m, char **ret_v);
/* ldtarball: load_tarball, then add (1, no message, for binaries
 * without their source: nothing to add). */
int dkms_ldtarball(struct dkms_session *s, const struct dkms_kernels *k);

/* ---- signing.c (a wrapper beside the cycle's signing) --------------------- */
/* generate_mok: make the MOK key pair if missing; 0, or code 1 as 3.4.3. */
int dkms_generate_mok(struct dkms_session *s, const char *kver);

#endif
