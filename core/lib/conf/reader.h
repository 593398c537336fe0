/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private side of dkms.conf reading: evaluation (bash or native), then
 * read_conf's post-processing. */
#ifndef DKMS_CONF_H
#define DKMS_CONF_H

#include <stdbool.h>

#include "libdkms.h"
#include "base/base.h"

/* dkms 3.4.3's dkms_conf_variables, in its order: the names a dkms.conf
 * may set.  Upper case are read from the conf, lower case are dkms's own
 * derived state (a conf can still preset them). */
extern const char *const conf_variables[];
extern const size_t conf_variables_count;
bool conf_is_variable(const char *name);

#define CONF_DEFAULT_TIMEOUT_MS 10000u
#define CONF_DEFAULT_OUTPUT_LIMIT (1024u * 1024u)

/* What an evaluator gets and gives back. */
struct conf_eval {
	/* The conf and the /etc/dkms overrides that may exist, in order. */
	const char *const *files;
	size_t nfiles;
	const char *kernelver;
	const char *arch;
	const char *module;
	const char *module_version;
	const char *kernel_source_dir;
	const char *kernel_config;
	const char *dkms_tree;
	const char *source_tree;
	const char *install_tree;
	const char *tmp_dir;
	const char *distribution;
	const char *current_kernel;
	/* the context's environment: bash gets its PATH and the harmless
	 * variables of conf_eval_env() */
	char *const *env;
	const char *path;
	bool strict;
	bool sandbox;                   /* sandbox.c; falls back when refused */
	char sandbox_why[160];          /* why it fell back, "" else */
	unsigned int timeout_ms;
	size_t output_limit;

	/* Every dkms_conf_variables name after safe_source of each file. */
	struct varset vars;
	/* Whatever the files wrote to stderr, then deprecation warnings. */
	struct strbuf err;
};

/* Whether NAME=VALUE e is one of the harmless variables a dkms.conf's
 * evaluation gets (PATH aside; conf-bash.c says which and why). */
bool conf_env_passed(const char *e);
/* Evaluate in a confined /bin/bash child.  0, or -ETIMEDOUT (time limit),
 * -EFBIG (output limit), -EPROTO (unreadable answer), other -errno. */
int conf_eval_bash(struct conf_eval *ev);
/* Evaluate declarative files without a shell; -EOPNOTSUPP when a file
 * needs bash (the caller then uses conf_eval_bash). */
int conf_eval_native(struct conf_eval *ev);
/* safe_source's deprecation warnings after one file (strict mode). */
int conf_deprecation_warnings(const struct varset *vars, const char *file,
			      struct strbuf *err);

/* The BUILD_EXCLUSIVE_* directive that keeps a module record off the
 * kernel: the first one of its conditions that does not hold, read at
 * index (0: the global one, which holds for every record). */
struct conf_exclusion {
	const char *directive; /* "BUILD_EXCLUSIVE_KERNEL", ...; NULL: none */
	long index;
};

struct dkms_conf {
	int refcount;
	int rc;
	bool used_shell;
	unsigned int jobs;
	char *path;
	char *module;
	char *module_version;
	char *kernelver;
	char *arch;
	char *kernel_source_dir;
	char *kernel_config;
	char *dkms_tree;
	char *distribution;
	char *addon_modules_dir; /* NULL: unset */
	struct strbuf err;
	/* Conf variables and derived state: one namespace, as in bash. */
	struct varset vars;
	size_t num_modules;
	bool *excluded;
	/* why record i is excluded (directive NULL: it is not) */
	struct conf_exclusion *exclusion;
};

/* read_conf's post-processing and validation on conf->vars; sets rc and
 * appends dkms's messages to conf->err. */
int conf_derive(struct dkms_conf *conf, bool strict);
/* dkms's VER(): pad every number to three digits so versions compare as
 * strings. */
char *conf_ver(const char *version);

#endif
