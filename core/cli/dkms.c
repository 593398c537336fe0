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
	if (r == 0) {
		struct dkms_command cmd = { c.action, c.module, c.version, &c.k,
					    c.json };

		r = dkms_command_run(s, &cmd);
	}
	if (r == DKMS_COMMAND_USAGE) {
		cli_usage(argv[0]);
		r = 0;
	}
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
