/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A command as dkms 3.4.3's command line gives it, run as 3.4.3 runs it:
 * its checks in its order, the tree's lock (and the recovery of what a
 * killed dkms left), the operation, post_transaction, and the initramfs
 * once per kernel at the end.  The command line only parses and prints
 * (core/cli); the actions beyond the cycle are in command-extras.c.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"

static int global_checks(struct dkms_session *s, const struct dkms_command *c)
{
	if (dkms_opt(s, DKMS_OPT_BINARIES_ONLY) && dkms_opt(s, DKMS_OPT_SOURCE_ONLY))
		return dkms_die(s, 8, "You have specified both --binaries-only "
				"and --source-only.\nYou cannot do this.");
	if (c->k->n != c->k->n_arch && c->k->n_arch > 1)
		return dkms_die(s, 1, "If more than one arch is specified on the "
				"command line, then there\nmust be an equal number "
				"of kernel versions also specified (1:1 relationship).");
	if (c->k->n > 0 && dkms_opt(s, DKMS_OPT_ALL))
		return dkms_die(s, 2, "You cannot specify a kernel version and "
				"also specify\n--all on the command line.");
	if (c->k->n_arch > 0 && dkms_opt(s, DKMS_OPT_ALL))
		return dkms_die(s, 3, "You cannot specify an arch and also specify\n"
				"--all on the command line.");
	return 0;
}

int command_all_banned(struct dkms_session *s, const char *action)
{
	if (dkms_opt(s, DKMS_OPT_ALL))
		return dkms_die(s, 5, "The action %s does not support the --all "
				"parameter.", action);
	return 0;
}

int command_one_kernel(struct dkms_session *s, const char *action,
		       const struct dkms_kernels *k)
{
	int r = command_all_banned(s, action);

	if (r)
		return r;
	if (k->n == 1)
		return 0;
	if (startswith(action, "kernel_"))
		return dkms_die(s, 4, "The action %s requires exactly one kernel "
				"version parameter on the command line.", action);
	return dkms_die(s, 4, "The action %s does not support multiple kernel "
			"version parameters on the command line.", action);
}

int command_check_root(struct dkms_session *s)
{
	if (geteuid() == 0)
		return 0;
	return dkms_die(s, 1, "You must be root to use this command.");
}

static int check_rw_dkms_tree(struct dkms_session *s)
{
	const char *t = dkms_ctx_get_path(s->ctx, DKMS_PATH_DKMS_TREE);

	if (access(t, W_OK) == 0)
		return 0;
	return dkms_die(s, 1, "No write access to DKMS tree at %s", t);
}

static int check_module_args(struct dkms_session *s, const struct dkms_command *c,
			     const char *action)
{
	if (c->module && *c->module && c->version && *c->version)
		return 0;
	return dkms_die(s, 1, "Arguments <module> and <module-version> are not "
			"specified.\nUsage: %s <module>/<module-version> or\n"
			"       %s -m <module>/<module-version> or\n"
			"       %s -m <module> -v <module-version>",
			action, action, action);
}

static int broken_or_die(struct dkms_session *s, const struct dkms_command *c)
{
	if (!dkms_is_broken(s, c->module, c->version))
		return 0;
	return dkms_die(s, 4, "%s/%s is broken!\nMissing the source directory "
			"or the symbolic link pointing to it.\nManual "
			"intervention is required!", c->module, c->version);
}

static int added_or_die(struct dkms_session *s, const struct dkms_command *c)
{
	if (dkms_is_added(s, c->module, c->version))
		return 0;
	return dkms_die(s, 3, "The module/version combo: %s/%s is not located "
			"in the DKMS tree.", c->module ? c->module : "",
			c->version ? c->version : "");
}

static int status(struct dkms_session *s, const struct dkms_command *c,
		  const struct dkms_kernels *k)
{
	size_t j;
	int r;

	if (c->json) /* ours: status-json.c */
		return dkms_status_json(s, c->module, c->version, k);
	if (k->n == 0)
		return dkms_status_print(s, c->module, c->version, NULL,
					 k->n_arch ? k->arch[0] : NULL);
	for (j = 0; j < k->n; j++) {
		r = dkms_status_print(s, c->module, c->version, k->kernelver[j],
				      j < k->n_arch ? k->arch[j] : NULL);
		if (r)
			return r;
	}
	return 0;
}

/* ours (cmd/diagnose.c): reads the trees, for every kernel or the -k
 * ones; --verbose shows the modules that are fine in full too */
static int diagnose(struct dkms_session *s, const struct dkms_command *c)
{
	unsigned int flags = (c->json ? DKMS_DIAG_JSON : 0) |
			     (dkms_opt(s, DKMS_OPT_VERBOSE) ||
			      (c->module && *c->module) || c->k->n ?
			      DKMS_DIAG_ALL : 0);
	int r = command_all_banned(s, c->action);

	return r ? r : dkms_diagnose(s, c->module, c->version, c->k, flags);
}

/* remove, unbuild, uninstall */
static int removal(struct dkms_session *s, const struct dkms_command *c,
		   const struct dkms_kernels *k)
{
	const char *a = c->action;
	int r;

	if ((r = check_module_args(s, c, a)) || (r = broken_or_die(s, c)) ||
	    (r = added_or_die(s, c)))
		return r;
	r = !strcmp(a, "uninstall") ? command_check_root(s) : check_rw_dkms_tree(s);
	if (r == 0)
		r = dkms_session_lock(s);
	if (r)
		return r;
	if (!strcmp(a, "remove"))
		r = dkms_cmd_remove(s, c->module, c->version, k);
	else if (!strcmp(a, "unbuild"))
		r = dkms_cmd_unbuild(s, c->module, c->version, k);
	else
		r = dkms_cmd_uninstall(s, c->module, c->version, k);
	if (r == 0)
		dkms_post_transaction(s, k->n ? k->kernelver[0] : NULL);
	return r;
}

/* add, build, install */
static int cycle(struct dkms_session *s, const struct dkms_command *c,
		 const struct dkms_kernels *k)
{
	const char *a = c->action;
	int r;

	if ((r = command_all_banned(s, a)))
		return r;
	if (strcmp(a, "add") != 0 && (r = broken_or_die(s, c)))
		return r;
	r = !strcmp(a, "install") ? command_check_root(s) : check_rw_dkms_tree(s);
	if (r == 0)
		r = dkms_session_lock(s);
	if (r)
		return r;
	if (!strcmp(a, "add")) {
		struct dkms_op op = { c->module, c->version,
				      k->n ? k->kernelver[0] : NULL,
				      k->n_arch ? k->arch[0] : NULL };

		return dkms_op_add(s, &op);
	}
	if (!strcmp(a, "build"))
		return dkms_cmd_build(s, c->module, c->version, k);
	r = dkms_cmd_install(s, c->module, c->version, k);
	if (r == 0)
		dkms_post_transaction(s, k->n ? k->kernelver[0] : NULL);
	return r;
}

static bool is_writing_action(const char *a)
{
	static const char *const w[] = { "add", "build", "install", "uninstall",
		"unbuild", "remove", "mktarball" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(w); i++)
		if (!strcmp(a, w[i]))
			return true;
	return false;
}

static int run(struct dkms_session *s, struct dkms_command *c)
{
	const char *a = c->action ? c->action : "";
	int r;

	if ((r = global_checks(s, c)))
		return r;
	if (startswith(a, "kernel_") && (r = command_one_kernel(s, a, c->k)))
		return r;
	if (!strcmp(a, "diagnose"))
		return diagnose(s, c);
	/* ours (safety.c): what writes takes names, not paths (without a
	 * module 3.4.3's own checks speak: a bare path lands in -v) */
	if (c->module && *c->module && is_writing_action(a) &&
	    (r = safety_check_names(s, c->module, c->version, c->k)))
		return r;
	r = dkms_kernels_setup(s, a, c->module, c->version, c->k);
	if (r)
		return r;
	if (!strcmp(a, "remove") || !strcmp(a, "unbuild") ||
	    !strcmp(a, "uninstall"))
		return removal(s, c, c->k);
	if (!strcmp(a, "add") || !strcmp(a, "build") || !strcmp(a, "install"))
		return cycle(s, c, c->k);
	if (!strcmp(a, "status"))
		return status(s, c, c->k);
	if (*a)
		return dkms_command_extra(s, c);
	dkms_die(s, 0, "Unknown action specified: \"%s\"", a);
	return DKMS_COMMAND_USAGE;
}

int dkms_command_run(struct dkms_session *s, struct dkms_command *c)
{
	int r;

	/* ours (journal.c): before anything else, finish what a killed dkms
	 * left, unless that means waiting (a writer does it under its lock) */
	dkms_session_recover_nowait(s);
	r = run(s, c);
	/* ours: once per kernel, after the whole command (initramfs.c) */
	initramfs_run_pending(s);
	return r;
}


