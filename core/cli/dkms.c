/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dkms: a drop-in for the bash dkms 3.4.3 command on top of libdkms.
 * Order of work as 3.4.3: framework.conf, the command line over it, the
 * global checks, the kernel/arch lists, then the action with its own
 * checks (module arguments, broken, added, root or a writable tree).
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "api/api.h"

static void output_flushed(void *data, enum dkms_stream stream,
			   const char *text, size_t len)
{
	FILE *f = stream == DKMS_STDERR ? stderr : stdout;

	(void)data;
	/* flushed at once: children write to the same fds in between */
	fflush(stream == DKMS_STDERR ? stdout : stderr);
	fwrite(text, 1, len, f);
	fflush(f);
}

/* ux (progress.c): a person's terminal gets the progress counter, and
 * color unless NO_COLOR (no-color.org) is set; pipes, logs, TERM=dumb
 * get 3.4.3's plain lines. */
static unsigned int terminal_flags(void)
{
	const char *term = getenv("TERM"), *nc = getenv("NO_COLOR");

	if (!isatty(STDOUT_FILENO) || !term || !*term || !strcmp(term, "dumb"))
		return 0;
	return DKMS_TERMINAL_PROGRESS | (nc && *nc ? 0 : DKMS_TERMINAL_COLOR);
}

static int dup_into(char **dst, const char *src)
{
	if (!src)
		return 0;
	free(*dst);
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

/* nproc(1), which 3.4.3 asks: the CPUs we may run on, or what
 * OMP_NUM_THREADS says (its first number), at most OMP_THREAD_LIMIT. */
static unsigned int nproc(void)
{
	const char *omp = getenv("OMP_NUM_THREADS");
	const char *lim = getenv("OMP_THREAD_LIMIT");
	unsigned long n = 0, max = 0;
	char *end;

	if (omp && *omp) {
		n = strtoul(omp, &end, 10);
		if (end == omp || (*end && *end != ','))
			n = 0;
	}
	if (!n)
		n = dkms_cpu_count();
	if (lim && *lim) {
		max = strtoul(lim, &end, 10);
		if (!*end && max && n > max)
			n = max;
	}
	return (unsigned int)n;
}

/* The command line over framework.conf, as 3.4.3's order gives it. */
static int apply_cli(struct dkms_session *s, const struct cli *c)
{
	char **d;
	size_t n = 0;
	int r = 0;

	s->flags |= c->flags;
	if (c->dkmstree)
		r = dkms_ctx_set_path(s->ctx, DKMS_PATH_DKMS_TREE, c->dkmstree);
	if (r == 0 && c->sourcetree)
		r = dkms_ctx_set_path(s->ctx, DKMS_PATH_SOURCE_TREE, c->sourcetree);
	if (r == 0 && c->installtree)
		r = dkms_ctx_set_path(s->ctx, DKMS_PATH_INSTALL_TREE, c->installtree);
	if (r == 0)
		r = dup_into(&s->conf, c->conf);
	if (r == 0)
		r = dup_into(&s->kernel_config, c->kernel_config);
	if (r == 0)
		r = dup_into(&s->kernel_source_dir, c->kernel_source_dir);
	if (r == 0)
		r = dup_into(&s->archive, c->archive);
	if (r == 0)
		r = dup_into(&s->source_path, c->source_path);
	if (r == 0)
		r = dup_into(&s->template_kernel, c->template_kernel);
	/* ${parallel_jobs:-$(get_num_cpus)}: empty is unset */
	if (r == 0)
		r = dup_into(&s->parallel_jobs,
			     c->jobs ? c->jobs : s->fw.parallel_jobs);
	if (r == 0 && s->parallel_jobs && !*s->parallel_jobs) {
		free(s->parallel_jobs);
		s->parallel_jobs = NULL;
	}
	if (r == 0 && !s->parallel_jobs) {
		s->parallel_jobs = xasprintf("%u", nproc());
		if (!s->parallel_jobs)
			r = -ENOMEM;
	}
	if (r == 0 && !strcmp(s->parallel_jobs, "0"))
		s->parallel_jobs[0] = '\0';
	for (d = c->directives; d && *d; d++)
		n++;
	if (r == 0 && n) {
		s->directives = calloc(n + 1, sizeof(char *));
		for (n = 0; s->directives && c->directives[n]; n++)
			s->directives[n] = strdup(c->directives[n]);
		if (!s->directives)
			r = -ENOMEM;
	}
	return r;
}

static int global_checks(struct dkms_session *s, const struct cli *c)
{
	if (dkms_opt(s, DKMS_OPT_BINARIES_ONLY) && dkms_opt(s, DKMS_OPT_SOURCE_ONLY))
		return dkms_die(s, 8, "You have specified both --binaries-only "
				"and --source-only.\nYou cannot do this.");
	if (c->k.n != c->k.n_arch && c->k.n_arch > 1)
		return dkms_die(s, 1, "If more than one arch is specified on the "
				"command line, then there\nmust be an equal number "
				"of kernel versions also specified (1:1 relationship).");
	if (c->k.n > 0 && dkms_opt(s, DKMS_OPT_ALL))
		return dkms_die(s, 2, "You cannot specify a kernel version and "
				"also specify\n--all on the command line.");
	if (c->k.n_arch > 0 && dkms_opt(s, DKMS_OPT_ALL))
		return dkms_die(s, 3, "You cannot specify an arch and also specify\n"
				"--all on the command line.");
	return 0;
}

static int check_all_is_banned(struct dkms_session *s, const char *action)
{
	if (dkms_opt(s, DKMS_OPT_ALL))
		return dkms_die(s, 5, "The action %s does not support the --all "
				"parameter.", action);
	return 0;
}

static int have_one_kernel(struct dkms_session *s, const char *action,
			   const struct dkms_kernels *k)
{
	int r = check_all_is_banned(s, action);

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

static int check_root(struct dkms_session *s)
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

static int check_module_args(struct dkms_session *s, const struct cli *c,
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

static int broken_or_die(struct dkms_session *s, const struct cli *c)
{
	if (!dkms_is_broken(s, c->module, c->version))
		return 0;
	return dkms_die(s, 4, "%s/%s is broken!\nMissing the source directory "
			"or the symbolic link pointing to it.\nManual "
			"intervention is required!", c->module, c->version);
}

static int added_or_die(struct dkms_session *s, const struct cli *c)
{
	if (dkms_is_added(s, c->module, c->version))
		return 0;
	return dkms_die(s, 3, "The module/version combo: %s/%s is not located "
			"in the DKMS tree.", c->module ? c->module : "",
			c->version ? c->version : "");
}

static int status(struct dkms_session *s, const struct cli *c,
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
static int diagnose(struct dkms_session *s, const struct cli *c)
{
	unsigned int flags = (c->json ? DKMS_DIAG_JSON : 0) |
			     (dkms_opt(s, DKMS_OPT_VERBOSE) ||
			      (c->module && *c->module) || c->k.n ?
			      DKMS_DIAG_ALL : 0);
	int r = check_all_is_banned(s, c->action);

	return r ? r : dkms_diagnose(s, c->module, c->version, &c->k, flags);
}

/* remove, unbuild, uninstall */
static int removal(struct dkms_session *s, const struct cli *c,
		   const struct dkms_kernels *k)
{
	const char *a = c->action;
	int r;

	if ((r = check_module_args(s, c, a)) || (r = broken_or_die(s, c)) ||
	    (r = added_or_die(s, c)))
		return r;
	r = !strcmp(a, "uninstall") ? check_root(s) : check_rw_dkms_tree(s);
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
static int cycle(struct dkms_session *s, const struct cli *c,
		 const struct dkms_kernels *k)
{
	const char *a = c->action;
	int r;

	if ((r = check_all_is_banned(s, a)))
		return r;
	if (strcmp(a, "add") != 0 && (r = broken_or_die(s, c)))
		return r;
	r = !strcmp(a, "install") ? check_root(s) : check_rw_dkms_tree(s);
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

static int run(struct dkms_session *s, struct cli *c, const char *argv0)
{
	const char *a = c->action ? c->action : "";
	int r;

	if ((r = global_checks(s, c)))
		return r;
	if (startswith(a, "kernel_") && (r = have_one_kernel(s, a, &c->k)))
		return r;
	if (!strcmp(a, "diagnose"))
		return diagnose(s, c);
	/* ours (safety.c): what writes takes names, not paths (without a
	 * module 3.4.3's own checks speak: a bare path lands in -v) */
	if (c->module && *c->module && is_writing_action(a) &&
	    (r = safety_check_names(s, c->module, c->version, &c->k)))
		return r;
	r = dkms_kernels_setup(s, a, c->module, c->version, &c->k);
	if (r)
		return r;
	if (!strcmp(a, "remove") || !strcmp(a, "unbuild") ||
	    !strcmp(a, "uninstall"))
		return removal(s, c, &c->k);
	if (!strcmp(a, "add") || !strcmp(a, "build") || !strcmp(a, "install"))
		return cycle(s, c, &c->k);
	if (!strcmp(a, "status"))
		return status(s, c, &c->k);
	if (*a)
		return cli_extra_action(s, c, &c->k);
	dkms_die(s, 0, "Unknown action specified: \"%s\"", a);
	cli_usage(argv0);
	return 0;
}

int main(int argc, char **argv)
{
	_cleanup_free_ char *root = NULL;
	struct dkms_ctx *ctx = NULL;
	struct dkms_session *s = NULL;
	struct cli c = { 0 };
	bool exit_now = false;
	int r;

	if (argc > 1 && !strcmp(argv[1], "conf"))
		return cmd_conf(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "batch"))
		return cmd_batch(argc - 1, argv + 1);
	/* bash sorts globs by the collation order, and so do we */
	setlocale(LC_COLLATE, "");
	umask(022);

	root = cli_prescan_root(argc, argv);
	r = dkms_ctx_new(&ctx);
	if (r == 0 && root)
		r = dkms_ctx_set_path(ctx, DKMS_PATH_ROOT, root);
	/* the library reads no environment but the one it is given */
	if (r == 0)
		r = dkms_ctx_set_environ(ctx, environ);
	if (r == 0) {
		/* a person at the command line waits, as for any lock */
		dkms_ctx_set_lock_timeout(ctx, 0);
		dkms_ctx_set_output_fn(ctx, output_flushed, NULL);
		dkms_ctx_set_terminal(ctx, terminal_flags());
		r = dkms_session_new(ctx, &s);
	}
	if (r == 0)
		r = cli_env_apply(s, environ);
	if (r == 0)
		r = dkms_session_apply_paths(s);
	if (r < 0) {
		fprintf(stderr, "dkms: Failed to set up: %s\n", strerror(-r));
		goto out;
	}
	/* 3.4.3 knows its distribution before anything else */
	if (!path_exists(dkms_ctx_get_path(ctx, DKMS_PATH_OS_RELEASE)) &&
	    !path_exists("/usr/lib/os-release")) {
		r = dkms_die(s, 4, "System is missing os-release file.");
		goto out;
	}
	r = cli_env_check_tmp(environ);
	if (r)
		goto out;
	r = cli_parse(&c, argc, argv, &exit_now);
	if (r || exit_now)
		goto out;
	r = apply_cli(s, &c);
	/* ours (journal.c): before anything else, finish what a killed dkms
	 * left, unless that means waiting (a writer does it under its lock) */
	if (r == 0)
		dkms_session_recover_nowait(s);
	if (r == 0)
		r = run(s, &c, argv[0]);
	/* ours: once per kernel, after the whole command (initramfs.c) */
	initramfs_run_pending(s);
	if (r && !dkms_errno_is_exit(r)) {
		/* a failure 3.4.3 has no words for (memory, I/O) */
		fflush(stdout);
		fprintf(stderr, "dkms: Failed to %s%s%s%s%s: %s\n",
			c.action ? c.action : "run",
			c.module ? " " : "", c.module ? c.module : "",
			c.version ? "/" : "", c.version ? c.version : "",
			strerror(-r));
	}
out:
	fflush(stdout);
	cli_clear(&c);
	dkms_session_free(s);
	dkms_ctx_unref(ctx);
	/* the one place the command's return value becomes its exit code */
	return dkms_errno_to_exit(r);
}
