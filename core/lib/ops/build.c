/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `dkms build`: 3.4.3's do_build.  The source is copied to <m>/<v>/build,
 * patched, built with the conf's make command, and the modules are
 * collected into <m>/<v>/<kver>/<arch>/module through a temporary
 * directory renamed into place, so a failed build leaves the module in the
 * added state (with build/make.log to consult, as 3.4.3 leaves it).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ops/ops.h"

static size_t visible_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

struct bd_found {
	bool installed;
	char *best;
};

static int bd_installed(void *data, const struct dkms_status_entry *e)
{
	struct bd_found *f = data;

	if (e->state != DKMS_STATE_INSTALLED)
		return 0;
	f->installed = true;
	if (!f->best || strverscmp(e->version, f->best) > 0) {
		free(f->best);
		f->best = strdup(e->version);
	}
	return 0;
}

static int check_build_depends(struct dkms_session *s,
			       const struct dkms_op *op,
			       const struct modconf *mc)
{
	struct strbuf missing = { 0 };
	char **bd;
	int r = 0;

	for (bd = mc->build_depends; bd && *bd; bd++) {
		struct bd_found f = { 0 };

		dkms_status_walk(s, *bd, "*", op->kernelver, op->arch,
				 bd_installed, &f);
		free(f.best);
		if (!f.installed)
			strbuf_addf(&missing, " %s", *bd);
	}
	if (!missing.len)
		return 0;
	if (dkms_opt(s, DKMS_OPT_FORCE))
		dkms_warn(s, "Trying to build module %s/%s for kernel %s (%s) "
			  "despite of missing BUILD_DEPENDS:%s.", op->module,
			  op->version, op->kernelver, op->arch,
			  strbuf_str(&missing));
	else
		r = dkms_die(s, 13, "Aborting build of module %s/%s for kernel "
			     "%s (%s) due to missing BUILD_DEPENDS:%s.\n"
			     "You may override by specifying --force.",
			     op->module, op->version, op->kernelver, op->arch,
			     strbuf_str(&missing));
	strbuf_release(&missing);
	return r;
}

static void drop_unless_regular(const char *dir, const char *name)
{
	_cleanup_free_ char *p = path_join(dir, name);
	struct stat st;

	if (p && lstat(p, &st) == 0 && !S_ISREG(st.st_mode))
		unlink(p);
}

static void log_header(struct dkms_session *s, const struct dkms_op *op,
		       const char *log)
{
	char date[128];
	FILE *f = fopen(log, "ae");

	if (!f)
		return;
	/* 3.4.3 runs date(1) in its caller's locale */
	dkms_ctx_date(s->ctx, time(NULL), date, sizeof(date));
	fprintf(f, "DKMS (dkms-%s) make.log for %s/%s for kernel %s (%s)\n%s\n",
		PACKAGE_VERSION, op->module, op->version, op->kernelver,
		op->arch, date);
	fclose(f);
}

/* Kept apart so patch, scripts and make see the same build dir. */
static int apply_patches(struct dkms_session *s, const struct dkms_op *op,
			 const struct modconf *mc, const char *build_dir,
			 const char *log)
{
	char **p;

	for (p = mc->patches; p && *p; p++) {
		_cleanup_free_ char *rel = xasprintf("patches/%s", *p);
		_cleanup_free_ char *abs = xasprintf("%s/patches/%s", build_dir, *p);
		_cleanup_free_ char *cmd = xasprintf("patch -p1 < ./patches/%s", *p);
		_cleanup_free_ char *desc = xasprintf("Applying patch %s", *p);

		if (!rel || !abs || !cmd || !desc)
			return -ENOMEM;
		if (strstr(rel, "/../"))
			return dkms_die(s, 5, "Patch %s as specified in dkms.conf "
					"contains '..' path component.", *p);
		if (!path_exists(abs))
			return dkms_die(s, 5, "Patch %s as specified in dkms.conf "
					"cannot be\nfound in %s/patches/.", *p,
					build_dir);
		if (invoke_command(s, op, cmd, desc, log, build_dir, true) != 0)
			return dkms_die(s, 6, "Application of patch %s failed.\n"
					"Consult %s for more information.", *p,
					log);
	}
	return 0;
}

/* make_command with a leading "make" given the job count and
 * KERNELRELEASE, as 3.4.3's ${make_command/#make/...} */
static char *make_invocation(struct dkms_session *s, const char *make,
			     const char *kver)
{
	const char *jobs = s->parallel_jobs;
	_cleanup_free_ char *def = NULL;

	if (!jobs)
		jobs = s->fw.parallel_jobs;
	if (!jobs) {
		def = xasprintf("%u", dkms_cpu_count());
		jobs = def;
	}
	if (!strcmp(jobs, "0"))
		jobs = "";
	if (!startswith(make, "make"))
		return strdup(make);
	return xasprintf("make -j%s KERNELRELEASE=%s%s", jobs, kver, make + 4);
}

/* Under the scheduler's jobserver (scheduler.c) the make shares its job
 * budget with the other builds: it is given the jobserver in MAKEFLAGS
 * and run without the -jN of make_invocation, which would make it leave
 * the jobserver for a budget of its own; what is shown and logged stays
 * 3.4.3's command.  A make_command of the conf's own gets MAKEFLAGS only. */
static int run_make(struct dkms_session *s, const struct dkms_op *op,
		    const char *make_command, const char *make,
		    const char *log, const char *build)
{
	_cleanup_free_ char *run = NULL;
	char **saved = s->child_env, **env = NULL;
	size_t n = 0;
	int r;

	if (!s->jobs.on)
		return invoke_command(s, op, make, "Building module(s)", log,
				      build, true);
	run = startswith(make_command, "make") ?
		      xasprintf("make KERNELRELEASE=%s%s", op->kernelver, make_command + 4) :
		      strdup(make_command);
	while (saved && saved[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!run || !env) {
		free(env);
		return -ENOMEM;
	}
	if (n)
		memcpy(env, saved, n * sizeof(*env));
	env[n] = (char *)DKMS_JOBSERVER_MAKEFLAGS;
	s->child_env = env;
	s->jobs.make_run = run;
	/* the make's own (implicit) token is taken just before it starts,
	 * given back when it ends (runner.c) */
	sched_for_make(true);
	r = invoke_command(s, op, make, "Building module(s)", log, build, true);
	sched_for_make(false);
	s->jobs.make_run = NULL;
	s->child_env = saved;
	free(env);
	build_report_add(s->report, "jobserver", "make ran under dkms's "
			 "jobserver (%s), as: %s", DKMS_JOBSERVER_MAKEFLAGS, run);
	return r;
}

static int run_tool(char *const *argv)
{
	struct dkms_run_opts ro = { 0 };
	int status = 0, r;

	ro.argv = argv;
	ro.out_fd = DKMS_RUN_OUT_INHERIT;
	r = dkms_run(&ro, &status);
	return r < 0 ? r : dkms_exit_to_errno(status);
}

/* Ours, not 3.4.3's: a module whose vermagic names another kernel will
 * not load.  3.4.3 installs it anyway and says nothing, so it goes to the
 * build report (and status --json), not to stderr. */
static void check_vermagic(struct dkms_session *s, const char *ko,
			   const char *kver)
{
	_cleanup_free_ char *vm = modinfo_vermagic(s->ctx, ko);
	const char *base = strrchr(ko, '/') ? strrchr(ko, '/') + 1 : ko;
	size_t len = strlen(kver);

	if (!vm)
		build_report_add(s->report, "warning", "%s has no vermagic; it "
				 "may not load into kernel %s.", base, kver);
	else if (strncmp(vm, kver, len) || (vm[len] && vm[len] != ' '))
		build_report_add(s->report, "warning", "%s was built for kernel "
				 "'%.*s', not %s; it will not load into %s.", base,
				 (int)strcspn(vm, " "), vm, kver, kver);
}

static bool cc_is_clang(const struct dkms_session *s)
{
	char **e;

	for (e = s->child_env; e && *e; e++)
		if (!strcmp(*e, "CC=clang"))
			return true;
	return false;
}

static int collect_modules(struct dkms_session *s, const struct dkms_op *op,
			   const struct modconf *mc, const char *build_dir,
			   const char *tmp, const char *cs)
{
	_cleanup_free_ char *symvers = path_join(build_dir, "Module.symvers");
	size_t i;
	int r;

	if (!symvers)
		return -ENOMEM;
	if (path_exists(symvers)) {
		_cleanup_free_ char *dst = xasprintf("%s/module/Module.symvers", tmp);

		if (!dst || copy_file_new(symvers, dst, 0644) < 0)
			return -EIO;
	}
	for (i = 0; i < mc->n; i++) {
		const struct modrec *m = &mc->mod[i];
		_cleanup_free_ char *ko = NULL, *cko = NULL, *dst = NULL;
		const char *from;
		bool compressed = false;

		if (m->excluded)
			continue;
		ko = xasprintf("%s/%s%s.ko", build_dir, m->built_location,
			       m->built_name);
		cko = xasprintf("%s%s", ko ? ko : "", cs);
		if (!ko || !cko)
			return -ENOMEM;
		if (!path_exists(ko)) {
			dkms_warn(s, "%s has disappeared", ko);
			continue;
		}
		/* with --kernelsourcedir the user chose the headers */
		if (!s->kernel_source_dir)
			check_vermagic(s, ko, op->kernelver);
		if (m->strip) {
			/* a clang-built kernel gets llvm-strip, as in 3.4.3 */
			char *argv[] = { (char *)(cc_is_clang(s) ? "llvm-strip" : "strip"),
					 (char *)"-g", ko, NULL };

			run_tool(argv);
		}
		if (s->sign.on)
			sign_module(s, ko);
		module_sig_report(s, ko);
		if (*cs)
			compressed = module_compress(s, cs, ko) == 0;
		from = compressed ? cko : ko;
		dst = xasprintf("%s/module/%s.ko%s", tmp, m->dest_name,
				compressed ? cs : "");
		if (!dst)
			return -ENOMEM;
		r = copy_file_new(from, dst, 0644);
		if (r < 0)
			return r;
	}
	for (i = 0; i < mc->n; i++) {
		_cleanup_free_ char *dir = NULL, *f = NULL;

		if (mc->mod[i].excluded)
			continue;
		dir = xasprintf("%s/module", tmp);
		f = dir ? ko_in_dir(dir, mc->mod[i].dest_name, cs) : NULL;
		if (!f)
			return dkms_die(s, 7, "Missing module '%s' in %s/module",
					mc->mod[i].dest_name, tmp);
	}
	return 0;
}

/* every line of module_status counts here, whatever its state */
static int bd_any(void *data, const struct dkms_status_entry *e)
{
	struct bd_found *f = data;

	if (!f->best || strverscmp(e->version, f->best) > 0) {
		free(f->best);
		f->best = strdup(e->version);
	}
	return 0;
}

static int save_dep_versions(struct dkms_session *s, const struct dkms_op *op,
			     const struct modconf *mc, const char *base)
{
	char **bd;

	for (bd = mc->build_depends; bd && *bd; bd++) {
		struct bd_found f = { 0 };
		_cleanup_free_ char *p = xasprintf("%s/.dep_%s", base, *bd);
		_cleanup_free_ char *line = NULL;

		dkms_status_walk(s, *bd, "*", op->kernelver, op->arch,
				 bd_any, &f);
		/* 3.4.3: module_status ... | sort -V | tail -n1 */
		if (f.best && p && (line = xasprintf("%s\n", f.best)))
			write_file_atomic(p, line, strlen(line), 0644);
		free(f.best);
	}
	return 0;
}

/* 0: <build>/<rel> is there (after a sandboxed build: a regular file,
 * no symlink on the way, one link, sane size, a module libkmod reads);
 * -ENOENT: missing; or the errno of exit code 7 (refused, said). */
static int built_module_check(struct dkms_session *s, const char *build,
			      const char *rel)
{
	_cleanup_free_ char *ko = path_join(build, rel);
	int r;

	if (!ko)
		return -ENOMEM;
	if (!s->sandbox.build || !s->sandbox.build->used)
		return path_exists(ko) ? 0 : -ENOENT;
	r = sandbox_check_module(build, rel);
	if (r == 0 || r == -ENOENT)
		return r;
	return dkms_die(s, 7, "Refusing %s built in the sandbox: %s.", ko,
			r == -ELOOP ? "not a regular file, or reached through a symlink" :
			r == -EMLINK ? "it has other hard links" :
			r == -EFBIG ? "it is too big for a module" :
			r == -ENOEXEC ? "not a kernel module (no vermagic)" :
			strerror(-r));
}

static int build_steps(struct dkms_session *s, const struct dkms_op *op,
		       struct modconf *mc, const char *cs)
{
	_cleanup_free_ char *source = tree_path(s, "%s/%s/source", op->module, op->version);
	_cleanup_free_ char *build = tree_path(s, "%s/%s/build", op->module, op->version);
	_cleanup_free_ char *kdir = tree_path(s, "%s/%s/%s", op->module, op->version, op->kernelver);
	_cleanup_free_ char *base = tree_path(s, "%s/%s/%s/%s", op->module, op->version, op->kernelver, op->arch);
	_cleanup_free_ char *log = NULL, *overlay = NULL, *make = NULL;
	_cleanup_free_ char *tmp = NULL, *sub = NULL, *dst = NULL;
	const char *confdir = dkms_ctx_get_path(s->ctx, DKMS_PATH_CONF_DIR);
	size_t i;
	int r;

	if (!source || !build || !kdir || !base)
		return -ENOMEM;
	log = path_join(build, "make.log");
	overlay = xasprintf("%s/%s/patches", confdir, op->module);
	if (!log || !overlay)
		return -ENOMEM;
	r = check_build_depends(s, op, mc);
	if (r)
		return r;

	r = safety_check_source(s, source, SAFETY_BUILD); /* safety.c */
	if (r)
		return r;
	rm_rf(build);
	sub = xasprintf("%s/", source);
	if (!sub || copy_tree(sub, build) < 0)
		return -EIO;
	/* the source's links are copied as links: what root writes or reads
	 * here before the sandbox is a file of the build dir, never a link */
	drop_unless_regular(build, "make.log");
	drop_unless_regular(build, "Module.symvers");
	if (is_dir(overlay)) {
		_cleanup_free_ char *bp = path_join(build, "patches");
		DIR *d;
		struct dirent *de;

		if (!bp)
			return -ENOMEM;
		if (path_exists(bp) && !safety_resolves_inside(build, bp)) {
			_cleanup_free_ char *real = realpath(source, NULL);

			return dkms_die(s, 9, "Unsafe source tree: the symlink "
					"%s/patches leads outside %s.",
					real ? real : source, real ? real : source);
		}
		if (mkdir_p(bp, 0755) < 0)
			return -EIO;
		d = opendir(overlay);
		while (d && (de = readdir(d))) {
			_cleanup_free_ char *a = NULL, *b = NULL;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			a = path_join(overlay, de->d_name);
			b = path_join(bp, de->d_name);
			if (a && b) {
				rm_rf(b);
				copy_tree(a, b);
			}
		}
		if (d)
			closedir(d);
	}
	log_header(s, op, log);
	/* from here on the build leaves a make.log, and our report with it */
	s->report = build_report_new(op);
	if (!s->report)
		return -ENOMEM;
	sandbox_give(s->sandbox.build, build);

	r = apply_patches(s, op, mc, build, log);
	if (r)
		return r;
	r = run_build_script(s, op, "pre_build", mc->pre_build, log);
	if (r)
		return r;

	make = make_invocation(s, mc->make_command, op->kernelver);
	if (!make)
		return -ENOMEM;
	r = run_make(s, op, mc->make_command, make, log, build);
	/* no sandboxed process is left: the build dir is root's again */
	sandbox_take(s->sandbox.build, build);
	if (r)
		return dkms_die(s, 10, "Bad return status for module build on "
				"kernel: %s (%s)\nConsult %s for more information.",
				op->kernelver, op->arch, log);

	for (i = 0; i < mc->n; i++) {
		_cleanup_free_ char *ko = NULL;

		if (mc->mod[i].excluded)
			continue;
		ko = xasprintf("%s%s.ko", mc->mod[i].built_location,
			       mc->mod[i].built_name);
		r = ko ? built_module_check(s, build, ko) : -ENOMEM;
		if (r == 0)
			continue;
		if (r != -ENOENT)
			return r;
		return dkms_die(s, 7, "Build of %s%s.ko failed for: %s (%s)\n"
				"Make sure the name and location of the generated "
				"module are correct,\nor consult %s for more "
				"information.", mc->mod[i].built_location,
				mc->mod[i].built_name, op->kernelver, op->arch, log);
	}

	if (mkdir_p(kdir, 0755) < 0)
		return -EIO;
	tmp = xasprintf("%s/.tmp_%s_XXXXXX", kdir, op->arch);
	if (!tmp || !mkdtemp(tmp))
		return dkms_die(s, 1, "Unable to make temporary directory.");
	{
		_cleanup_free_ char *l = path_join(tmp, "log");
		_cleanup_free_ char *m = path_join(tmp, "module");

		if (!l || !m || mkdir(l, 0755) < 0 || mkdir(m, 0755) < 0)
			return -EIO;
	}
	r = collect_modules(s, op, mc, build, tmp, cs);
	if (r)
		return r;
	{
		/* the dir is published once its files (copy_file_new) and
		 * their names are on disk */
		_cleanup_free_ char *m = path_join(tmp, "module");

		if (!m || fsync_dir_files(m) < 0)
			return -EIO;
	}
	chmod(tmp, 0755);
	if (rename(tmp, base) < 0)
		return dkms_die(s, 7, "do_build: final mv failed (1)");

	/* POST_BUILD: the build dir and the new log dir */
	dst = xasprintf("%s/log", base);
	sandbox_give(s->sandbox.build, build);
	if (dst)
		sandbox_lend(s->sandbox.build, dst);
	r = run_build_script(s, op, "post_build", mc->post_build, log);
	sandbox_take(s->sandbox.build, build);
	if (dst)
		sandbox_unlend(s->sandbox.build, dst);
	free(dst);
	dst = NULL;
	if (r)
		return r;
	dst = xasprintf("%s/log/make.log", base);
	/* a log need not survive a crash: no fsync (the build dir goes) */
	if (dst && rename(log, dst) < 0)
		move_file(log, dst);
	rm_rf(build);

	if (mc->build_depends_rebuild && !dkms_opt(s, DKMS_OPT_FORCE))
		save_dep_versions(s, op, mc, base);
	return 0;
}

/* The build report goes where make.log went: the built module's log/ dir,
 * or the build dir a failed build leaves (build-report.h). */
static void finish_report(struct dkms_session *s, const char *dir)
{
	struct dkms_sandbox *sb = s->sandbox.build;
	_cleanup_free_ char *summary = sandbox_summary(sb);

	if (!s->report)
		return;
	if (summary)
		build_report_add(s->report, "sandbox", "%s", summary);
	if (sandbox_on(sb) && sb->used && sb->mem_limit)
		build_report_add(s->report, "memory limit", "%llu MiB %s",
				 sb->mem_limit >> 20, sandbox_memory_kind(sb));
	build_report_write(s->report, dir);
	s->report = build_report_free(s->report);
}

static int do_build(struct dkms_session *s, const struct dkms_op *op);

int dkms_op_build(struct dkms_session *s, const struct dkms_op *op)
{
	struct dkms_op o;
	int r;

	if (!op->kernelver || !*op->kernelver || !op->arch || !*op->arch)
		return dkms_die(s, 16, "do_build: Empty $kernelver or $arch");
	if (!dkms_is_added(s, op->module, op->version)) {
		r = dkms_op_add(s, op);
		if (r)
			return r;
		dkms_echo(s, "%s", "");
	}
	o = dkms_op_named(s, op);
	return do_build(s, &o);
}

static int do_build(struct dkms_session *s, const struct dkms_op *op)
{
	_cleanup_free_ char *base = NULL, *source = NULL, *ksrc = NULL;
	_cleanup_free_ char *kconf = NULL;
	struct modconf mc;
	const char *cs;
	int r;

	base = tree_path(s, "%s/%s/%s/%s", op->module, op->version,
			 op->kernelver, op->arch);
	source = tree_path(s, "%s/%s/source", op->module, op->version);
	if (!base || !source)
		return -ENOMEM;
	if (is_dir(base))
		return dkms_die(s, 3, "This module/version has already been built "
				"on: %s\nDirectory %s already exists. Use the dkms "
				"remove function before trying to build again.",
				op->kernelver, base);
	cs = module_compressed_suffix(s, op->kernelver);
	r = modconf_read(s, op->module, op->version, op->kernelver, op->arch,
			 NULL, MC_STRICT, &mc);
	if (r)
		return r;
	if (mc.build_exclude) {
		dkms_warn(s, "The %s/dkms.conf\nfor module %s/%s includes "
			  "BUILD_EXCLUSIVE directives\nwhich do not match this "
			  "kernel/arch/config for any modules.\nThis indicates "
			  "that it should not be built.", base, op->module,
			  op->version);
		r = -DKMS_EEXCLUDED;
		goto out;
	}
	if (visible_entries(source) < 2) {
		r = dkms_die(s, 8, "The directory %s does not appear to have "
			     "module source located within it.\nBuild halted.",
			     source);
		goto out;
	}
	r = prepare_kernel_and_signing(s, op->kernelver, op->arch);
	if (r)
		goto out;
	ksrc = kernel_source_dir(s, op->kernelver);
	kconf = ksrc ? kernel_config_path(s, ksrc) : NULL;
	if (!kconf) {
		r = -ENOMEM;
		goto out;
	}
	r = build_env_setup(s, op->kernelver, ksrc, kconf);
	if (r)
		goto out;
	{
		_cleanup_free_ char *build = tree_path(s, "%s/%s/build",
						       op->module, op->version);
		_cleanup_free_ char *log_dir = path_join(base, "log");

		r = build ? sandbox_new(s, build, op->kernelver, &s->sandbox.build)
			  : -ENOMEM;
		if (r == 0)
			r = build_steps(s, op, &mc, cs);
		/* a failed build's dir is root's again too */
		if (build)
			sandbox_take(s->sandbox.build, build);
		finish_report(s, r ? build : log_dir);
		s->sandbox.build = sandbox_free(s->sandbox.build);
	}
out:
	modconf_clear(&mc);
	return r;
}

int dkms_op_maybe_build(struct dkms_session *s, const struct dkms_op *op)
{
	int r;

	if (dkms_is_built(s, op)) {
		if (!dkms_opt(s, DKMS_OPT_FORCE)) {
			dkms_echo(s, "Module %s/%s already built for kernel %s "
				  "(%s), skip. You may override by specifying "
				  "--force.", op->module, op->version,
				  op->kernelver, op->arch);
			return 0;
		}
		r = dkms_op_unbuild(s, op);
		if (r)
			return r;
	}
	return dkms_op_build(s, op);
}

int dkms_cmd_build(struct dkms_session *s, const char *m, const char *v,
		   const struct dkms_kernels *k)
{
	/* each kernel in a subshell in 3.4.3: go on after a failure */
	return dkms_each_kernel(s, m, v, k, dkms_op_maybe_build);
}
