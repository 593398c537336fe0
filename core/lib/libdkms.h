/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libdkms: the one public header of the dkms core.
 *
 * Conventions (as libkmod): opaque, reference-counted handles; calls that
 * return int give 0 or a negative errno; calls that return pointers give
 * NULL on failure; *_unref() accepts NULL and returns NULL.  The library
 * keeps no global state: every path it touches comes from the context, so
 * tests can hold many contexts side by side.  It never writes to stdout or
 * stderr itself: user-visible text goes through the output callback (so the
 * CLI can reproduce dkms 3.4.3's messages byte for byte, and adapters can
 * send them to a log), diagnostics through the log callback.
 */
#ifndef LIBDKMS_H
#define LIBDKMS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Context                                                              */
/* ------------------------------------------------------------------ */

struct dkms_ctx;

/* Every path the core uses.  Defaults are those of dkms 3.4.3, put under
 * the root prefix (DKMS_PATH_ROOT, default "/"). */
enum dkms_path_id {
	DKMS_PATH_ROOT = 0,      /* prefix for every default below */
	DKMS_PATH_DKMS_TREE,     /* /var/lib/dkms */
	DKMS_PATH_SOURCE_TREE,   /* /usr/src */
	DKMS_PATH_INSTALL_TREE,  /* /lib/modules */
	DKMS_PATH_CONF_DIR,      /* /etc/dkms: framework.conf, overrides */
	DKMS_PATH_TMP,           /* /tmp (framework.conf tmp_location) */
	DKMS_PATH_OS_RELEASE,    /* /etc/os-release */
	DKMS_PATH_BOOT,          /* /boot: System.map for depmod */
	DKMS_PATH_EFIVARS,       /* /sys/firmware/efi/efivars: Secure Boot
				  * state and MOK list (secureboot.c) */
	_DKMS_PATH_MAX
};

/* Where a piece of user-visible text goes. */
enum dkms_stream {
	DKMS_STDOUT = 1,
	DKMS_STDERR = 2,
};

typedef void (*dkms_output_fn)(void *data, enum dkms_stream stream,
			       const char *text, size_t len);
typedef void (*dkms_log_fn)(void *data, int priority, const char *file,
			    int line, const char *fn, const char *format,
			    va_list args);

int dkms_ctx_new(struct dkms_ctx **ret);
struct dkms_ctx *dkms_ctx_ref(struct dkms_ctx *ctx);
struct dkms_ctx *dkms_ctx_unref(struct dkms_ctx *ctx);

/* Set a path; NULL restores the default.  Setting DKMS_PATH_ROOT re-bases
 * every path that was not set explicitly. */
int dkms_ctx_set_path(struct dkms_ctx *ctx, enum dkms_path_id id,
		      const char *path);
const char *dkms_ctx_get_path(const struct dkms_ctx *ctx, enum dkms_path_id id);
/* Read framework.conf (and framework.conf.d/) under the root now and take
 * the trees it sets (dkms_tree, source_tree, install_tree, tmp_location)
 * as a request does when it runs; a path set explicitly stays.  For a
 * caller that looks at the trees before it hands a request over.
 * 0 or -errno. */
int dkms_ctx_apply_framework(struct dkms_ctx *ctx);

/* Where user-visible text goes; the default (and fn NULL) writes it to
 * stdout or stderr, each piece flushed at once, the other stream first,
 * so that both keep their order in one pipe. */
void dkms_ctx_set_output_fn(struct dkms_ctx *ctx, dkms_output_fn fn,
			    void *data);
void dkms_ctx_set_log_fn(struct dkms_ctx *ctx, dkms_log_fn fn, void *data);
/* The output callback in place writes to a terminal (progress.c):
 * DKMS_TERMINAL_PROGRESS updates a progress line with the elapsed time in
 * place, DKMS_TERMINAL_COLOR may color it.  0 (the default, and whenever
 * another output callback is set) keeps dkms 3.4.3's plain lines. */
enum {
	DKMS_TERMINAL_PROGRESS = 1u << 0,
	DKMS_TERMINAL_COLOR = 1u << 1,
};
void dkms_ctx_set_terminal(struct dkms_ctx *ctx, unsigned int flags);
unsigned int dkms_ctx_get_terminal(const struct dkms_ctx *ctx);
void dkms_ctx_set_log_priority(struct dkms_ctx *ctx, int priority);

/* Job budget for builds (make -jN); 0 means the number of CPUs.  In a
 * process running more than one thread (a host that loads the library)
 * the steps of a run go one after the other in the process: it is never
 * forked without an exec.  The library calls no exit(), installs no
 * signal handler in the caller's process and reads no standard input. */
void dkms_ctx_set_jobs(struct dkms_ctx *ctx, unsigned int jobs);
unsigned int dkms_ctx_get_jobs(const struct dkms_ctx *ctx);
/* How long to wait for another dkms's lock on the tree before giving up
 * with -ETIMEDOUT and a message naming the tree: DKMS_LOCK_TIMEOUT_DEFAULT
 * seconds unless set; 0 waits as long as it takes (the command line). */
#define DKMS_LOCK_TIMEOUT_DEFAULT 300
void dkms_ctx_set_lock_timeout(struct dkms_ctx *ctx, unsigned int seconds);
unsigned int dkms_ctx_get_lock_timeout(const struct dkms_ctx *ctx);
/* Whether the package databases read for the package of a kernel's
 * headers include the rpmdb: true unless set.  A batch run from inside
 * an rpm transaction, which holds the rpmdb, sets it false (`dkms batch
 * --no-rpmdb`, the rpm plugin's): the rpmdb is then never opened, dnf's
 * cached repository metadata still read. */
void dkms_ctx_set_rpmdb(struct dkms_ctx *ctx, bool read);
bool dkms_ctx_get_rpmdb(const struct dkms_ctx *ctx);

/* The environment dkms runs in: NAME=VALUE strings, NULL-terminated
 * (copied; NULL, the default, is an empty one).  The library never reads
 * the process's own environment, so a host (an rpm plugin) is not
 * configured by whatever its caller exported.  What is given here is
 * what builds, module scripts and post_transaction get (less CC, CXX,
 * CFLAGS, CXXFLAGS and LDFLAGS, which dkms 3.4.3 unsets) and where PATH
 * is looked up; a dkms.conf's evaluation gets its PATH, its locale and a
 * few harmless variables (TZ, HOME, ...; dkms(8), ENVIRONMENT).  Without
 * one, children get a default PATH and nothing else.  The settings dkms
 * 3.4.3 takes from its environment (parallel_jobs, ...) are the
 * caller's to read and pass on (the dkms command does). */
int dkms_ctx_set_environ(struct dkms_ctx *ctx, char *const *envp);

/* The distribution family as dkms derives it from os-release
 * ("debian", "fedora", ...), or "" when unknown.  Decides the
 * DEST_MODULE_LOCATION override. */
const char *dkms_ctx_get_distribution(struct dkms_ctx *ctx);
int dkms_ctx_set_distribution(struct dkms_ctx *ctx, const char *id);
/* dkms 3.4.3's $ADDON_MODULES_DIR: when set and not empty, every
 * module's DEST_MODULE_LOCATION becomes /<dir>, whatever the
 * distribution.  NULL (the default) or "" unsets it. */
int dkms_ctx_set_addon_modules_dir(struct dkms_ctx *ctx, const char *dir);
const char *dkms_ctx_get_addon_modules_dir(const struct dkms_ctx *ctx);

/* ------------------------------------------------------------------ */
/* Kernels                                                              */
/* ------------------------------------------------------------------ */

/* The package that provides the headers of kernel KVER (what
 * <install_tree>/KVER/build comes from), as the package databases under
 * the context's root (DKMS_PATH_ROOT) know it, read with libsolv
 * (doc/headers.md): dpkg's status and apt's package lists
 * ("linux-headers-KVER"), the rpmdb and dnf's cached repository metadata
 * (the provider of kernel-devel-uname-r = KVER, as
 * name-version-release.arch), pacman's local and sync databases (the
 * kernel's pkgbase + "-headers").  0 and *ret a name to hand the package
 * manager (malloc'd, the caller frees it); -ENOENT when no database
 * there knows one, -EOPNOTSUPP when dkms was built without libsolv or
 * cannot load it: both mean "unknown", for the caller to say in general
 * words.  -EINVAL for a KVER that names no kernel, -ENOMEM.  *ret is
 * left alone on failure.  It reads the rpmdb through librpm: inside an
 * rpm transaction, which holds the database, only with
 * dkms_ctx_set_rpmdb(ctx, false). */
int dkms_kernel_headers_package(struct dkms_ctx *ctx, const char *kver,
				char **ret);

/* ------------------------------------------------------------------ */
/* Variables: every dkms.conf value is a sparse bash array.            */
/* ------------------------------------------------------------------ */

struct dkms_var;

/* Number of set elements, 0 when unset. */
size_t dkms_var_count(const struct dkms_var *var);
/* The i-th set element (in index order): its bash index and its value. */
int dkms_var_element(const struct dkms_var *var, size_t i, long *index,
		     const char **value);
/* Value at a bash index, NULL when that element is unset. */
const char *dkms_var_get(const struct dkms_var *var, long index);

/* ------------------------------------------------------------------ */
/* dkms.conf                                                           */
/* ------------------------------------------------------------------ */

struct dkms_conf;

/* What read_conf is given.  NULL fields take dkms's defaults:
 * kernel_source_dir = <install_tree>/<kernelver>/build. */
struct dkms_conf_query {
	const char *path;               /* the dkms.conf to read */
	const char *module;             /* $module while sourcing */
	const char *module_version;     /* $module_version while sourcing */
	const char *kernelver;
	const char *arch;
	const char *kernel_source_dir;  /* --kernelsourcedir */
	const char *kernel_config;      /* --config */
	bool strict;                    /* read_conf_strict: add/build/install */
	bool no_overrides;              /* skip /etc/dkms/<module>*.conf */
	/* --directive NAME=VALUE strings, NULL-terminated (may be NULL):
	 * applied after sourcing as dkms's directive_array is. */
	const char *const *directives;
	bool force_shell;               /* always evaluate with bash */
	bool native_only;               /* never bash: -EOPNOTSUPP if needed */
	unsigned int timeout_ms;        /* bash time limit; 0: 10 s */
	size_t output_limit;            /* bash stderr+answer cap; 0: 1 MiB */
	/* bash runs in the build sandbox (an unprivileged uid, read-only
	 * system, no network; see sandbox.h) unless this is set, or dkms is
	 * not root */
	bool no_sandbox;
};

/* Read and post-process one dkms.conf for one kernel, as dkms 3.4.3's
 * read_conf does.  Returns 0 and a conf (whose dkms_conf_rc() may still be
 * non-zero: a validation error with dkms's messages in dkms_conf_stderr()),
 * or a negative errno when the file could not be evaluated at all. */
int dkms_conf_read(struct dkms_ctx *ctx, const struct dkms_conf_query *q,
		   struct dkms_conf **ret);
struct dkms_conf *dkms_conf_ref(struct dkms_conf *conf);
struct dkms_conf *dkms_conf_unref(struct dkms_conf *conf);

/* read_conf's return status: 0 valid, 1 validation error. */
int dkms_conf_rc(const struct dkms_conf *conf);
/* Every stderr line produced while sourcing and validating. */
const char *dkms_conf_stderr(const struct dkms_conf *conf);
/* An UPPER-CASE variable as dkms holds it after safe_source (NULL: unset),
 * or a lower-case derived one (package_name, make_command, ...). */
const struct dkms_var *dkms_conf_raw(const struct dkms_conf *conf,
				     const char *name);
const struct dkms_var *dkms_conf_derived(const struct dkms_conf *conf,
					 const char *name);
/* Number of module records (max index of the name/location arrays + 1). */
size_t dkms_conf_num_modules(const struct dkms_conf *conf);
/* Whether the conf needed bash (false: it was read natively). */
bool dkms_conf_used_shell(const struct dkms_conf *conf);
/* The per-kernel JSON object of corpus/dkms-conf/README.md. */
int dkms_conf_write_json(const struct dkms_conf *conf, FILE *out);
/* check_build_exclusive_for_module: whether module record `index` must
 * not be built for this kernel/arch (BUILD_EXCLUSIVE_*, global or per
 * record).  Out-of-range indexes are excluded. */
bool dkms_conf_module_excluded(const struct dkms_conf *conf, size_t index);
/* What the conf was read for (after defaults): kernelver, arch, the
 * $module/$module_version it saw, kernel_source_dir and kernel_config. */
const char *dkms_conf_kernelver(const struct dkms_conf *conf);
const char *dkms_conf_arch(const struct dkms_conf *conf);
const char *dkms_conf_module(const struct dkms_conf *conf);
const char *dkms_conf_module_version(const struct dkms_conf *conf);
const char *dkms_conf_kernel_source_dir(const struct dkms_conf *conf);
const char *dkms_conf_kernel_config(const struct dkms_conf *conf);
/* `make_command` as actual_build runs it: a leading "make" (string
 * prefix, bash's ${x/#make/...}) becomes "make -jJOBS KERNELRELEASE=K";
 * jobs 0 gives "-j".  Caller frees. */
char *dkms_conf_make_invocation(const struct dkms_conf *conf,
				unsigned int jobs);

/* ------------------------------------------------------------------ */
/* Requests: a batch of events in, one result per event out.           */
/* (the package-manager adapters use this door)                       */
/* ------------------------------------------------------------------ */

/* What happened, or what is asked, for one module version (and kernel).
 * More kinds (kernel added/removed, source removed) come with the planner. */
enum dkms_event_kind {
	DKMS_EVENT_ADD = 0,   /* register <source_tree>/<m>-<v> */
	DKMS_EVENT_BUILD,     /* build for kernel/arch (adds first) */
	DKMS_EVENT_INSTALL,   /* install for kernel/arch (builds first) */
	DKMS_EVENT_UNINSTALL,
	DKMS_EVENT_UNBUILD,   /* uninstall, then drop the build */
	DKMS_EVENT_REMOVE,    /* all of it for kernel/arch, then the version */
	/* a kernel's own events (module and version are NULL): */
	DKMS_EVENT_KERNEL_ADDED,    /* autoinstall for it (kernel_postinst) */
	DKMS_EVENT_KERNEL_REMOVING, /* unbuild everything for it (kernel_prerm) */
	/* a package's sources (module and version, or a path: see
	 * dkms_request_add_source); kernelver/arch are not used */
	DKMS_EVENT_SOURCE_ADDED,    /* add, build and install everywhere */
	DKMS_EVENT_SOURCE_REMOVING, /* remove --all (an upgrade when a new
				     * version arrives in the same batch) */
	_DKMS_EVENT_MAX
};

/* Request flags, as dkms's options of the same names. */
enum {
	DKMS_REQUEST_FORCE = 1u << 0,
	DKMS_REQUEST_NO_DEPMOD = 1u << 1,
	DKMS_REQUEST_VERBOSE = 1u << 2,
	/* print the plan, run nothing, take no lock */
	DKMS_REQUEST_DRY_RUN = 1u << 3,
};

struct dkms_request;
struct dkms_result;

int dkms_request_new(struct dkms_ctx *ctx, struct dkms_request **ret);
struct dkms_request *dkms_request_ref(struct dkms_request *req);
struct dkms_request *dkms_request_unref(struct dkms_request *req);
void dkms_request_set_flags(struct dkms_request *req, unsigned int flags);
/* Append an event; kernelver NULL means the running kernel, arch NULL
 * the machine's (uname -m).  Strings are copied.  Module events need
 * module and version; kernel events take none. */
int dkms_request_add(struct dkms_request *req, enum dkms_event_kind kind,
		     const char *module, const char *version,
		     const char *kernelver, const char *arch);
/* A source arriving, by its directory under the source tree (or its
 * dkms.conf), as a package manager lists it: inside the context's root.
 * Its module and version are read from that dkms.conf. */
int dkms_request_add_source(struct dkms_request *req, const char *path);
/* An event as a line of text, the form `dkms batch` reads (dkms.8):
 * "source-added PATH|M/V", "source-removing PATH|M/V" (by path: the
 * version the tree added from there), "kernel-added K [A]",
 * "kernel-removing K [A]", "add M/V", "build|install|uninstall|unbuild|
 * remove M/V [K [A]]".  -ENODATA for a blank or '#' line, -EINVAL for
 * a line that says none of these. */
int dkms_request_add_line(struct dkms_request *req, const char *line);
/* Run the batch: planned once (duplicates merged; kernels and sources
 * going first; a source going and a newer version of it arriving paired
 * into an upgrade; dkms's explicit steps in the order given; sources
 * arriving added and built with the kernels arriving, every build under
 * one job budget), depmod, the initramfs and post_transaction once per
 * kernel at the end.  Nothing stops it: every step ends in a result,
 * failures are summed up on the output at the end and kept in the tree
 * (`dkms status --json`).  Messages go to the context's output callback
 * in dkms 3.4.3's words.  Returns 0 (look at the results) or -errno
 * (memory, the tree's lock). */
int dkms_request_run(struct dkms_request *req, struct dkms_result **ret);

struct dkms_result *dkms_result_ref(struct dkms_result *res);
struct dkms_result *dkms_result_unref(struct dkms_result *res);
size_t dkms_result_count(const struct dkms_result *res);
/* Result i, one per thing the batch did (an explicit event: one; a
 * source or a kernel arriving: one per module and kernel built): the
 * kind of the event it comes from, its names (module and version "" for
 * a kernel as a whole, kernelver "" for a version as a whole) and its
 * status: 0, a dkms exit code (10 build failed, 21 no headers, 77
 * excluded by BUILD_EXCLUSIVE: not a failure, ...) or -errno. */
int dkms_result_get(const struct dkms_result *res, size_t i,
		    enum dkms_event_kind *kind, const char **module,
		    const char **version, const char **kernelver,
		    const char **arch, int *status);
/* The make.log of event i when its build failed and the log exists,
 * else NULL. */
const char *dkms_result_build_log(const struct dkms_result *res, size_t i);
/* Why result i is not 0, in one line (for a kernel without headers, the
 * package to install); NULL when it is 0. */
const char *dkms_result_reason(const struct dkms_result *res, size_t i);
/* The messages of result i: what dkms printed (both streams, in order)
 * while it came about, since the result before it; NULL when nothing.
 * They also went to the output callback as they came. */
const char *dkms_result_output(const struct dkms_result *res, size_t i);
/* The index, in the order added, of the event result i comes from. */
size_t dkms_result_event(const struct dkms_result *res, size_t i);
/* How many results are failures (neither 0 nor 77). */
size_t dkms_result_failures(const struct dkms_result *res);
/* What the package manager's step should exit with: 0, or 1 when
 * framework.conf sets strict_transactions="yes" and something failed. */
int dkms_result_exit_code(const struct dkms_result *res);

#ifdef __cplusplus
}
#endif
#endif
