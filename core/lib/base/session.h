/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One command's session: the framework.conf values, the command line's
 * options and the state its steps share (each part kept by one owner),
 * what an action works on, a command's kernels, and 3.4.3's messages.
 * The session is made by api/ (dkms_session_new); every layer uses it.
 */
#ifndef DKMS_BASE_SESSION_H
#define DKMS_BASE_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "libdkms.h"
#include "base/util.h"

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
	/* ours (initramfs.c): unset, the initramfs is left alone */
	char *initramfs_command;
	/* ours (sandbox.c): build_sandbox="yes|no" (default yes), the
	 * user, seconds per job, MiB of address space per process */
	char *build_sandbox, *build_sandbox_user;
	char *build_time_limit, *build_memory_limit;
	/* ours (sandbox.c): script_sandbox="yes|no" (default yes), whether
	 * PRE_INSTALL/POST_INSTALL/POST_ADD/POST_REMOVE run sandboxed */
	char *script_sandbox;
	/* ours (batch-run.c): "yes" makes a batch's failures fail the
	 * package manager's step; unset, they are only reported */
	char *strict_transactions;
};

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

struct dkms_op;

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
	 * depmod-pending instead (delayed); a batch holds the deferred
	 * ones to its end (hold) */
	struct session_depmod {
		bool defer, delayed, hold;
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
		/* batch-run.c: a batch narrows what autoinstall takes (only:
		 * "m/v" of the sources it added, on every kernel but those in
		 * every: the kernels it added, which take every module) and
		 * hears how each module's install ended */
		char **only, **every;
		void (*record)(void *data, const struct dkms_op *op, int status);
		void *record_data;
	} autoinstall;
};

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
/* ---- messages in 3.4.3's shapes ----------------------------------------- */
/* error(): "\nError! " + text + "\n" on stderr (lines joined by \n in
 * fmt); as 3.4.3's `die code`, returns code's errno (exitcode.h), 0 for
 * 0 (an error message that ends nothing). */
int dkms_die(struct dkms_session *s, int code, const char *fmt, ...)
	_printf_(3, 4);
/* warn(): "Warning: " + text + "\n" on stderr. */
void dkms_warn(struct dkms_session *s, const char *fmt, ...) _printf_(2, 3);
/* echo: text + "\n" on stdout. */
void dkms_echo(struct dkms_session *s, const char *fmt, ...) _printf_(2, 3);

#endif
