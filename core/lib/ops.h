/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dkms cycle inside the core: add, build, install, uninstall, unbuild,
 * remove, status.  Private to the core and its programs (the CLI, and later
 * autoinstall, kernel hooks, match and tarballs build on these calls).
 *
 * Every action takes a session (context + options of one command, the
 * equivalent of dkms 3.4.3's globals, filled from framework.conf and the
 * command line) and a dkms_op naming the module/version/kernel/arch.
 * Every action returns 0, a positive dkms exit code (its message already
 * written through dkms_printf(), exactly as 3.4.3 words it), or -errno for a
 * failure dkms has no message for (the caller says "Failed to ...").
 *
 * Where 3.4.3 "dies" the action returns the code at once; callers
 * propagate it unless 3.4.3 ran that step in a subshell (build/install of
 * several kernels continue with the next one, see dkms_cmd_build()).
 */
#ifndef DKMS_OPS_H
#define DKMS_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "libdkms.h"
#include "util.h"

/* Values framework.conf(.d) may set (3.4.3's accepted names), already
 * overridden by the command line where 3.4.3 lets it.  NULL: unset. */
struct dkms_framework {
	char *source_tree, *dkms_tree, *install_tree, *tmp_location;
	char *verbose, *symlink_modules, *autoinstall_all_kernels;
	char *modprobe_on_install, *parallel_jobs;
	char *compress_gzip_opts, *compress_xz_opts, *compress_zstd_opts;
	char *build_environment, *post_transaction;
	/* signing, read lazily by 3.4.3 (prepare_signing) */
	char *sign_file, *mok_signing_key, *mok_certificate, *try_sign_modules;
	/* ours (dist: initramfs.c): unset, the initramfs is left alone */
	char *initramfs_command;
	/* ours (sandbox.c): build_sandbox="yes|no" (default yes), the
	 * user, seconds per job, MiB of address space per process */
	char *build_sandbox, *build_sandbox_user;
	char *build_time_limit, *build_memory_limit;
	/* ours (sandbox.c): script_sandbox="yes|no" (default yes), whether
	 * PRE_INSTALL/POST_INSTALL/POST_ADD/POST_REMOVE run sandboxed */
	char *script_sandbox;
};

/* Read <conf dir>/framework.conf and framework.conf.d/ *.conf as data. */
int dkms_framework_read(struct dkms_ctx *ctx, struct dkms_framework *fw);
void dkms_framework_clear(struct dkms_framework *fw);
/* NAME's value in another file of shell assignments, read as
 * framework.conf is (the last simple assignment wins): *ret NULL when
 * it sets none or does not exist. */
int dkms_assignment_read(struct dkms_ctx *ctx, const char *path,
			 const char *name, char **ret);

/* Command-line flags (3.4.3 option names). */
enum {
	DKMS_OPT_FORCE = 1u << 0,                  /* --force */
	DKMS_OPT_FORCE_VERSION_OVERRIDE = 1u << 1, /* --force-version-override */
	DKMS_OPT_NO_DEPMOD = 1u << 2,              /* --no-depmod */
	DKMS_OPT_VERBOSE = 1u << 3,                /* --verbose */
	DKMS_OPT_RPM_SAFE_UPGRADE = 1u << 4,       /* --rpm_safe_upgrade */
	DKMS_OPT_MODPROBE_ON_INSTALL = 1u << 5,    /* --modprobe-on-install */
	DKMS_OPT_ALL = 1u << 6,                    /* --all */
	DKMS_OPT_BINARIES_ONLY = 1u << 7,          /* --binaries-only */
	DKMS_OPT_SOURCE_ONLY = 1u << 8,            /* --source-only */
	DKMS_OPT_SYMLINK_MODULES = 1u << 9,        /* --symlink-modules */
	DKMS_OPT_NO_INITRD = 1u << 10,             /* --no-initrd (initramfs.c) */
	DKMS_OPT_SANDBOX = 1u << 11,               /* --sandbox (sandbox.c) */
	DKMS_OPT_NO_SANDBOX = 1u << 12,            /* --no-sandbox (sandbox.c) */
};

/* One command's state.  Make with dkms_session_new() (reads framework.conf
 * from the context's conf dir), then set the fields the command line gave. */
struct dkms_session {
	struct dkms_ctx *ctx;
	struct dkms_framework fw;
	unsigned int flags;
	char *conf;              /* -c FILE */
	char *kernel_source_dir; /* --kernelsourcedir (NULL: per kernel) */
	char *kernel_config;     /* --config */
	char *archive;           /* --archive / a tarball argument */
	char *source_path;       /* a source dir (or .../dkms.conf) argument */
	char *template_kernel;   /* --templatekernel */
	char **directives;       /* --directive NAME=VALUE, NULL-terminated */
	char *parallel_jobs;     /* -j N; "" for -j0; NULL: framework/nproc */
	/* running state (3.4.3's prepared_kernel) */
	char *prepared_kernel;
	/* $NO_WEAK_MODULES set: no weak-modules calls (the caller's word:
	 * the CLI takes it from its environment, core/cli/env.c) */
	bool no_weak_modules;
	/* what add found in a source tree's dkms.conf (dkms build DIR) */
	char *resolved_module, *resolved_version;
	char **child_env;        /* CC=..., KERNEL_CC=... for builds */
	char **initramfs_pending;    /* kernels to regenerate (initramfs.c) */
	int lock_fd;             /* dkms_session_lock(); 0: none */
	char *last_error;        /* dkms_die's last message, on one line */
	/* what a journal recovery calls back (journal.h) */
	const struct journal_handlers *journal_handlers;
	/* what loading an archive calls back (ldtarball.c) */
	const struct load_handlers *load_handlers;
	/* Each part below is kept by one owner, named first. */
	/* signing.c: prepare_signing's decision for the prepared kernel */
	struct session_signing {
		bool on;
		char *file, *hash, *key, *cert;
	} sign;
	/* modconf.c: read_conf's cache key (conf: dev:ino) */
	struct session_conf_cache {
		char *mvka, *conf;
	} conf_cache;
	/* depmod.c: a step run beside others leaves depmod to the end of
	 * the run (defer, deferred: its kernels); kernel_prerm touches
	 * depmod-pending instead (delayed) */
	struct session_depmod {
		bool defer, delayed;
		char **deferred;
	} depmod;
	/* sandbox.c: the sandbox of the build running now; sandbox-shared.c:
	 * what the sandboxes of one run share */
	struct session_sandbox {
		struct dkms_sandbox *build;
		struct sandbox_shared *shared;
	} sandbox;
	struct build_report *report;  /* build-report.c: set while a build runs */
	/* scheduler.c: a step run beside others builds under its make
	 * jobserver (read and write ends of its token pipe); build.c sets
	 * make_run around the make: what runs instead of the command shown
	 * (its -jN dropped), given the jobserver (runner.c) */
	struct session_jobs {
		bool on;
		int fd[2];
		const char *make_run;
	} jobs;
	/* autoinstall.c: no module for the kernel has BUILD_DEPENDS (so an
	 * install has no dependents to rebuild: rebuild.c looks no further) */
	struct session_autoinstall {
		bool no_dependents;
	} autoinstall;
};

int dkms_session_new(struct dkms_ctx *ctx, struct dkms_session **ret);
void dkms_session_free(struct dkms_session *s);
/* After the command line: push tree overrides into the context paths. */
int dkms_session_apply_paths(struct dkms_session *s);
/* What a 3.4.3 subshell would not pass on (env, conf cache, prepared
 * kernel, flags): save before a step, restore (and free) after. */
struct dkms_session_state;
struct dkms_session_state *dkms_session_save(struct dkms_session *s);
void dkms_session_restore(struct dkms_session *s,
			  struct dkms_session_state *st);
struct dkms_op;
struct dkms_kernels;
/* Run STEP for each kernel of K as 3.4.3 runs it in a subshell: the
 * session's state is put back after each, a failure does not stop the
 * next kernel, and the last kernel's status is returned. */
int dkms_each_kernel(struct dkms_session *s, const char *m, const char *v,
		     const struct dkms_kernels *k,
		     int (*step)(struct dkms_session *s, const struct dkms_op *op));
/* Take the tree's writer lock (waits; released by dkms_session_free). */
int dkms_session_lock(struct dkms_session *s);
/* NAME=VALUE in the environment of what the session runs (exported). */
int dkms_session_setenv(struct dkms_session *s, const char *name,
			const char *v);
static inline bool dkms_opt(const struct dkms_session *s, unsigned int f)
{
	return (s->flags & f) != 0;
}

/* What an action works on.  kernelver/arch are NULL for add and
 * version-wide steps. */
struct dkms_op {
	const char *module;
	const char *version;
	const char *kernelver;
	const char *arch;
};

/* ---- state of the tree (3.4.3's is_module_* predicates) ---------------- */
bool dkms_is_added(struct dkms_session *s, const char *m, const char *v);
bool dkms_is_broken(struct dkms_session *s, const char *m, const char *v);
bool dkms_is_built(struct dkms_session *s, const struct dkms_op *op);
bool dkms_is_installed(struct dkms_session *s, const struct dkms_op *op);

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
/* do_depmod for one kernel (honours --no-depmod, missing modules.dep). */
int dkms_op_depmod(struct dkms_session *s, const char *kernelver);
/* With s->defer_depmod, dkms_op_depmod says what it says but leaves the
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

/* install.c, last known good: before the rebuild of an installed module
 * dkms_lkg_begin() journals that its last good build must stay
 * installed; after the uninstall dkms_lkg_save() moves that build aside;
 * after the rebuild dkms_lkg_settle() drops it or, when the module is not
 * installed any more (the build or the install failed: r), puts it back,
 * installs it again and says so.  Returns r.  A recovery does the same
 * (dkms_lkg_recover(), the JOP_KEEP_GOOD step). */
struct dkms_lkg;
int dkms_lkg_begin(struct dkms_session *s, const struct dkms_op *op,
		   struct dkms_lkg **ret);
int dkms_lkg_save(struct dkms_session *s, struct dkms_lkg *l);
int dkms_lkg_settle(struct dkms_session *s, const struct dkms_op *op,
		    struct dkms_lkg *l, int r);
int dkms_lkg_recover(struct dkms_session *s, const char *saved,
		     const char *ka);

/* ---- kernels of a command ---------------------------------------------- */
/* -k and -a lists as given (3.4.3's kernelver[] and arch[] arrays);
 * after dkms_kernels_setup() n_arch == n except for status. */
struct dkms_kernels {
	size_t n, n_arch;
	char **kernelver;
	char **arch;
};
void dkms_kernels_clear(struct dkms_kernels *k);
int dkms_kernels_add_kernel(struct dkms_kernels *k, const char *kver);
int dkms_kernels_add_arch(struct dkms_kernels *k, const char *arch);
/* setup_kernels_arches: --all (from the built/installed states of m/v),
 * default uname -r / uname -m, one arch for all kernels.  0, 12, 16. */
int dkms_kernels_setup(struct dkms_session *s, const char *action,
		       const char *m, const char *v, struct dkms_kernels *k);

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
 * shell glob is accepted as 3.4.3 does) in 3.4.3's order.  Returns 0 when
 * something matched, 1 when nothing, -errno, or the callback's non-zero. */
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

/* ---- messages in 3.4.3's shapes ----------------------------------------- */
/* error(): "\nError! " + text + "\n" on stderr (lines joined by \n in
 * fmt); returns code, as 3.4.3's die. */
int dkms_die(struct dkms_session *s, int code, const char *fmt, ...)
	_printf_(3, 4);
/* warn(): "Warning: " + text + "\n" on stderr. */
void dkms_warn(struct dkms_session *s, const char *fmt, ...) _printf_(2, 3);
/* echo: text + "\n" on stdout. */
void dkms_echo(struct dkms_session *s, const char *fmt, ...) _printf_(2, 3);

#endif
