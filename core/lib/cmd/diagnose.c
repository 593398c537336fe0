/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `dkms diagnose`: why a module version is or is not usable on a kernel,
 * the question asked after a kernel upgrade left a module behind.  No
 * dkms has it; it reads the trees and never writes.
 *
 * For each module version and kernel it gathers what `dkms status`
 * says (and the original module kept), whether the kernel's headers are
 * there (and which package has them), which BUILD_EXCLUSIVE directive
 * keeps it off the kernel, the first errors of a failed build and what
 * the build report recorded, and for each module file: its vermagic
 * against the kernel's release, its signature and whether the kernel
 * will load it (Secure Boot, the MOK list), whether modules.dep lists
 * it and, on the running kernel, whether it is loaded.  Each fact that
 * keeps the module from working is a "problem"; a fact worth knowing
 * that does not is a "note".
 *
 * The running kernel and its loaded modules are read under the root
 * prefix (<root>/proc/sys/kernel/osrelease, <root>/sys/module), so a
 * scratch root stands for a machine.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/diagnose.h"

/* How many lines of a failed build's make.log are shown. */
#define DIAG_COMPILER_ERRORS 5
#define DIAG_MAKE_ERRORS 3

/* What the whole command knows beside the entries. */
struct diag_run {
	struct dkms_session *s;
	struct secureboot sb;
	char *running;         /* the running kernel's release */
	char *sysfs_module;    /* <root>/sys/module */
	/* the package databases' answers, asked once per kernel ("":
	 * none known) */
	struct namelist pkg_kernels, pkgs;
};

static void ko_clear(struct diag_ko *k)
{
	free(k->name);
	free(k->built);
	free(k->installed);
	free(k->vermagic);
	free(k->srcversion);
	module_trust_clear(&k->trust);
	free(k->sign_failed);
	namelist_clear(&k->dep_others);
	free(k->loaded_srcversion);
}

static void diag_entry_clear(struct diag_entry *e)
{
	size_t i;

	free(e->module);
	free(e->version);
	free(e->kernel);
	free(e->arch);
	free(e->weak_from);
	free(e->headers);
	free(e->headers_link);
	free(e->headers_package);
	free(e->release);
	for (i = 0; i < e->n_excl; i++) {
		free(e->excl[i].module);
		free(e->excl[i].value);
	}
	free(e->excl);
	free(e->log);
	namelist_clear(&e->errors);
	free(e->report);
	free(e->sandbox);
	free(e->memory_limit);
	namelist_clear(&e->warnings);
	for (i = 0; i < e->n_ko; i++)
		ko_clear(&e->ko[i]);
	free(e->ko);
	namelist_clear(&e->problems);
	namelist_clear(&e->notes);
	*e = (struct diag_entry){ 0 };
}

/* The first line of a file, without its end; NULL when it cannot be
 * read. */
static char *first_line(const char *path)
{
	_cleanup_free_ char *text = NULL;

	if (!path || read_file(path, &text, NULL) < 0)
		return NULL;
	return strndup(text, strcspn(text, "\r\n"));
}

/* ---- the kernel ---------------------------------------------------------- */

/* The release the kernel's headers were made for: UTS_RELEASE, which
 * vermagic is made of, else kernel.release (Debian's holds the upstream
 * version, 6.1.192 for 6.1.0-56-amd64); NULL when they do not say. */
static char *headers_release(const char *ksrc)
{
	_cleanup_free_ char *rel = path_join(ksrc, "include/config/kernel.release");
	_cleanup_free_ char *uts = path_join(ksrc, "include/generated/utsrelease.h");
	static const char key[] = "UTS_RELEASE \"";
	_cleanup_free_ char *text = NULL;
	char *v, *q;

	if (uts && read_file(uts, &text, NULL) == 0 && (v = strstr(text, key)) &&
	    (q = strchr(v + strlen(key), '"'))) {
		v += strlen(key);
		return strndup(v, (size_t)(q - v));
	}
	v = first_line(rel);
	if (v && !*v) {
		free(v);
		v = NULL;
	}
	return v;
}

/* The first module file under dir (depth-first, a bounded walk): another
 * module of the kernel, whose vermagic names the kernel's release when
 * its headers are gone. */
static char *any_module(const char *dir, int depth)
{
	DIR *d = depth < 8 ? opendir(dir) : NULL;
	struct dirent *de;
	char *found = NULL;

	while (d && !found && (de = readdir(d))) {
		_cleanup_free_ char *p = NULL;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		p = path_join(dir, de->d_name);
		if (!p || lstat(p, &st) < 0)
			continue;
		if (S_ISREG(st.st_mode) && strstr(de->d_name, ".ko"))
			found = strdup(p);
		else if (S_ISDIR(st.st_mode))
			found = any_module(p, depth + 1);
	}
	if (d)
		closedir(d);
	return found;
}

/* The kernel's release when its headers do not say: the vermagic's
 * first word of a module the kernel shipped. */
static char *modules_release(struct diag_run *run, const char *kver)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s/kernel", install_tree(run->s),
					     kver);
	_cleanup_free_ char *ko = dir ? any_module(dir, 0) : NULL;
	_cleanup_free_ char *vm = ko ? modinfo_vermagic(run->s->ctx, ko) : NULL;

	return vm ? strndup(vm, strcspn(vm, " ")) : NULL;
}

/* A kernel is installed when its module dir holds its modules, its
 * headers link (even a dangling one: the headers package was removed)
 * or depmod's output. */
static bool kernel_installed(struct dkms_session *s, const char *kver)
{
	static const char *const marks[] = { "kernel", "build", "modules.dep" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(marks); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s/%s", install_tree(s),
						   kver, marks[i]);
		struct stat st;

		if (p && lstat(p, &st) == 0)
			return true;
	}
	return false;
}

/* Where a link points, as it says (a dangling one included). */
static char *link_target(const char *path)
{
	char buf[4096];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	return n < 0 ? NULL : strndup(buf, (size_t)n);
}

/* The package that has the headers of kver, or NULL whatever the reason
 * (no package database knows one, none can be read here, no libsolv):
 * the hint then names no package, and diagnose goes on.  Each kernel's
 * is asked once: every module without a build there asks. */
static char *headers_package(struct diag_run *run, const char *kver)
{
	_cleanup_free_ char *pkg = NULL;
	size_t i;

	for (i = 0; i < run->pkg_kernels.n; i++)
		if (!strcmp(run->pkg_kernels.v[i], kver))
			return *run->pkgs.v[i] ? strdup(run->pkgs.v[i]) : NULL;
	if (kernel_headers_package(run->s->ctx, kver, &pkg) < 0)
		pkg = NULL;
	/* the two lists stay in step: a kernel without its answer goes */
	if (namelist_add(&run->pkg_kernels, kver) == 0 &&
	    namelist_add(&run->pkgs, pkg ? pkg : "") < 0) {
		free(run->pkg_kernels.v[--run->pkg_kernels.n]);
		run->pkg_kernels.v[run->pkg_kernels.n] = NULL;
	}
	return pkg ? strdup(pkg) : NULL;
}

static int add_headers(struct diag_run *run, struct diag_entry *e)
{
	_cleanup_free_ char *inc = NULL;
	struct stat st;

	e->headers = kernel_source_dir(run->s, e->kernel);
	inc = e->headers ? path_join(e->headers, "include") : NULL;
	if (!inc)
		return -ENOMEM;
	/* what prepare_kernel looks at before a build */
	e->headers_ok = stat(inc, &st) == 0;
	if (!e->headers_ok) {
		if (lstat(e->headers, &st) == 0 && S_ISLNK(st.st_mode))
			e->headers_link = link_target(e->headers);
		e->headers_package = headers_package(run, e->kernel);
	}
	e->release = e->headers_ok ? headers_release(e->headers) : NULL;
	if (!e->release)
		e->release = modules_release(run, e->kernel);
	return 0;
}

/* ---- dkms.conf: the records and BUILD_EXCLUSIVE ---------------------------- */

static int add_exclusion(struct diag_entry *e, const struct modconf *mc,
			 const struct modrec *r)
{
	const char *v = dkms_var_get(dkms_conf_raw(mc->conf, r->excluded_by),
				     r->excluded_index);
	struct diag_excl *nv = realloc(e->excl, (e->n_excl + 1) * sizeof(*nv));
	struct diag_excl *x;

	if (!nv)
		return -ENOMEM;
	e->excl = nv;
	x = &e->excl[e->n_excl++];
	*x = (struct diag_excl){ .directive = r->excluded_by,
				 .index = r->excluded_index };
	x->module = strdup(r->dest_name);
	x->value = strdup(v ? v : "");
	/* read_conf puts OBSOLETE_BY where no _KERNEL_MAX is set */
	x->from_obsolete_by = !strcmp(r->excluded_by, "BUILD_EXCLUSIVE_KERNEL_MAX") &&
			      r->excluded_index == 0 && *mc->obsolete_by &&
			      !strcmp(x->value, mc->obsolete_by);
	return x->module && x->value ? 0 : -ENOMEM;
}

static int add_conf(struct diag_entry *e, const struct modconf *mc)
{
	size_t i;
	int r = 0;

	e->autoinstall = mc->autoinstall;
	e->excluded = mc->build_exclude;
	for (i = 0; r == 0 && i < mc->n; i++)
		if (mc->mod[i].excluded && mc->mod[i].excluded_by)
			r = add_exclusion(e, mc, &mc->mod[i]);
	return r;
}

/* ---- the last build ------------------------------------------------------- */

/* "path:LINE[:COL]: error: ..." (or "fatal error:"), as gcc and clang
 * print them, or modpost's "ERROR: ...". */
static bool is_compiler_error(const char *line, size_t len)
{
	_cleanup_free_ char *l = strndup(line, len);
	char *p, *colon;
	int part;

	if (!l)
		return false;
	if (startswith(l, "ERROR: "))
		return true;
	p = strstr(l, ": error: ");
	if (!p)
		p = strstr(l, ": fatal error: ");
	if (!p || p == l)
		return false;
	*p = '\0';
	/* the prefix ends in ":LINE" or ":LINE:COL" */
	for (part = 0; part < 2; part++) {
		colon = strrchr(l, ':');
		if (!colon || !colon[1] || strspn(colon + 1, "0123456789") !=
					   strlen(colon + 1))
			return part == 1;
		*colon = '\0';
	}
	return *l && !isspace((unsigned char)*l);
}

/* make's own "make[1]: *** [...] Error 2" and "make: *** No rule ..." */
static bool is_make_error(const char *line, size_t len)
{
	_cleanup_free_ char *l = strndup(line, len);

	return l && startswith(l, "make") && strstr(l, ": *** ");
}

/* The first compiler errors and make errors of a make.log, in order. */
static int add_errors(struct diag_entry *e, const char *text)
{
	size_t cc = 0, mk = 0, len;
	const char *p;
	int r = 0;

	for (p = text; r == 0 && *p; p += len + (p[len] == '\n')) {
		len = strcspn(p, "\n");
		if (cc < DIAG_COMPILER_ERRORS && is_compiler_error(p, len)) {
			cc++;
			r = namelist_addf(&e->errors, "%.*s", (int)len, p);
		} else if (mk < DIAG_MAKE_ERRORS && is_make_error(p, len)) {
			mk++;
			r = namelist_addf(&e->errors, "%.*s", (int)len, p);
		}
	}
	return r;
}

static int add_report_line(void *data, const char *value, size_t len)
{
	return namelist_addf(data, "%.*s", (int)len, value);
}

/* What the build report of dir (a log dir or build/) says of the build. */
static int add_report(struct diag_entry *e, const char *dir,
		      char **ret_text)
{
	char *text = build_report_read(dir, e->kernel, e->arch);

	*ret_text = text;
	if (!text)
		return 0;
	e->report = path_join(dir, BUILD_REPORT_NAME);
	e->sandbox = build_report_get(text, "sandbox");
	e->memory_limit = build_report_get(text, "memory limit");
	if (!e->report)
		return -ENOMEM;
	return build_report_each(text, "warning", add_report_line, &e->warnings);
}

/* A failed build leaves <m>/<v>/build/make.log, whose first line names
 * the kernel and arch it was for, and its exit code at the end. */
static int add_failed_build(struct diag_entry *e, struct dkms_session *s,
			    char **report)
{
	_cleanup_free_ char *dir = tree_path(s, "%s/%s/build", e->module,
					     e->version);
	_cleanup_free_ char *log = dir ? path_join(dir, "make.log") : NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *head = xasprintf(" for kernel %s (%s)\n", e->kernel,
					      e->arch);
	const char *p;
	size_t first;

	if (!log || !head)
		return -ENOMEM;
	if (read_file(log, &text, NULL) < 0)
		return 0;
	first = strcspn(text, "\n") + 1;
	if (!memmem(text, first, head, strlen(head)))
		return 0;
	for (p = text; (p = strstr(p, "# exit code: ")); p++)
		e->exit_code = atoi(p + 13);
	if (!e->exit_code)
		return 0;
	e->failed = true;
	e->log = log;
	log = NULL;
	return add_errors(e, text) ?: add_report(e, dir, report);
}

static int add_built_log(struct diag_entry *e, struct dkms_session *s,
			 char **report)
{
	_cleanup_free_ char *dir = tree_path(s, "%s/%s/%s/%s/log", e->module,
					     e->version, e->kernel, e->arch);

	if (!dir)
		return -ENOMEM;
	e->log = path_join(dir, "make.log");
	if (!e->log)
		return -ENOMEM;
	if (!path_exists(e->log)) {
		free(e->log);
		e->log = NULL;
	}
	return add_report(e, dir, report);
}

/* ---- the module files ------------------------------------------------------ */

/* modules.dep names a module by its path under the kernel's dir, or an
 * absolute one (older depmod): NAME of that path, "-" read as "_". */
static bool same_module(const char *path, size_t len, const char *name)
{
	const char *base = memrchr(path, '/', len);
	size_t n;

	base = base ? base + 1 : path;
	n = (size_t)(path + len - base);
	for (; n && *name; base++, n--, name++)
		if (*base != *name && !((*base == '-' || *base == '_') &&
					(*name == '-' || *name == '_')))
			return false;
	return !*name && n >= 3 && startswith(base, ".ko");
}

static int check_dep(struct diag_ko *ko, const char *dep, const char *kdir,
		     const char *modname)
{
	const char *rel = ko->installed && startswith(ko->installed, kdir) &&
			  ko->installed[strlen(kdir)] == '/'
			  ? ko->installed + strlen(kdir) + 1 : NULL;
	const char *p;
	size_t len;
	int r = 0;

	if (ko->installed)
		ko->dep = dep ? DEP_NOT_LISTED : DEP_NO_FILE;
	for (p = dep; p && r == 0 && *p; p += strcspn(p, "\n"), p += *p == '\n') {
		len = strcspn(p, ":\n");
		if (p[len] != ':')
			continue;
		if ((rel && strlen(rel) == len && !memcmp(p, rel, len)) ||
		    (ko->installed && strlen(ko->installed) == len &&
		     !memcmp(p, ko->installed, len)))
			ko->dep = DEP_LISTED;
		else if (same_module(p, len, modname))
			r = namelist_addf(&ko->dep_others, "%.*s", (int)len, p);
	}
	return r;
}

/* <root>/sys/module/NAME: a loaded module has an initstate, a built-in
 * one only its parameters; srcversion tells one build from another. */
static int check_loaded(struct diag_run *run, struct diag_ko *ko,
			const char *modname)
{
	_cleanup_free_ char *name = strdup(modname), *dir = NULL;
	_cleanup_free_ char *init = NULL, *src = NULL;
	char *c;

	if (!name)
		return -ENOMEM;
	for (c = name; *c; c++)
		if (*c == '-')
			*c = '_';
	dir = path_join(run->sysfs_module, name);
	init = dir ? path_join(dir, "initstate") : NULL;
	src = dir ? path_join(dir, "srcversion") : NULL;
	if (!init || !src)
		return -ENOMEM;
	if (!is_dir(dir)) {
		ko->loaded = LOADED_NO;
		return 0;
	}
	if (!path_exists(init)) {
		ko->loaded = LOADED_BUILTIN;
		return 0;
	}
	ko->loaded_srcversion = first_line(src);
	ko->loaded = ko->loaded_srcversion && ko->srcversion &&
		     *ko->srcversion && strcmp(ko->loaded_srcversion, ko->srcversion)
		     ? LOADED_OTHER : LOADED_YES;
	return 0;
}

/* vermagic, signature and srcversion of the file the kernel would load */
static int read_ko(struct diag_run *run, struct diag_entry *e,
		   struct diag_ko *ko, const char *report)
{
	const char *file = ko->installed ? ko->installed : ko->built;
	const char *rel = e->release ? e->release : e->kernel;
	_cleanup_free_ char *key = xasprintf("%s signing failed", ko->name);
	struct modver mv = { 0 };
	size_t n;
	int r;

	if (!key)
		return -ENOMEM;
	if (!file)
		return 0;
	ko->vermagic = modinfo_vermagic(run->s->ctx, file);
	if (ko->vermagic) {
		n = strlen(ko->vermagic);
		while (n && isspace((unsigned char)ko->vermagic[n - 1]))
			ko->vermagic[--n] = '\0';
		n = strcspn(ko->vermagic, " ");
		ko->vermagic_ok = n == strlen(rel) && !strncmp(ko->vermagic, rel, n);
	}
	if (modinfo_version(run->s->ctx, file, &mv) == 0) {
		ko->srcversion = mv.srcversion;
		mv.srcversion = NULL;
		modver_clear(&mv);
	}
	r = secureboot_module(run->s, &run->sb, e->kernel, file, &ko->trust);
	ko->trust_known = r == 0;
	if (report)
		ko->sign_failed = build_report_get(report, key);
	return r;
}

static struct diag_ko *new_ko(struct diag_entry *e, const char *name)
{
	struct diag_ko *nv = realloc(e->ko, (e->n_ko + 1) * sizeof(*nv));

	if (!nv)
		return NULL;
	e->ko = nv;
	nv = &e->ko[e->n_ko];
	*nv = (struct diag_ko){ .name = xasprintf("%s.ko", name) };
	if (!nv->name)
		return NULL;
	e->n_ko++;
	return nv;
}

/* The module names of a build whose dkms.conf does not read: the files
 * in its module/ dir. */
static int names_of_dir(const char *dir, struct namelist *out)
{
	struct namelist files = { 0 };
	size_t i;
	int r = namelist_dir(&files, dir, false);

	for (i = 0; r == 0 && i < files.n; i++) {
		const char *ko = strstr(files.v[i], ".ko");

		if (ko)
			r = namelist_addf(out, "%.*s", (int)(ko - files.v[i]),
					  files.v[i]);
	}
	namelist_clear(&files);
	return r;
}

static int add_one_ko(struct diag_run *run, struct diag_entry *e,
		      const struct modconf *mc, size_t rec, const char *name,
		      const char *moddir, const char *dep, const char *report)
{
	struct dkms_session *s = run->s;
	const char *cs = module_compressed_suffix(s, e->kernel);
	struct diag_ko *ko = new_ko(e, name);
	int r;

	if (!ko)
		return -ENOMEM;
	ko->built = ko_in_dir(moddir, name, cs);
	if (mc && !strcmp(e->state, "installed")) {
		_cleanup_free_ char *dest = find_actual_dest(s, mc, rec, e->module,
							     e->kernel, e->arch, cs);
		_cleanup_free_ char *dir = dest && *dest ?
			xasprintf("%s/%s%s", install_tree(s), e->kernel, dest) : NULL;

		ko->installed = dir ? ko_in_dir(dir, name, cs) : NULL;
		ko->differs = ko->installed && ko->built &&
			      !files_equal(ko->installed, ko->built);
	}
	r = read_ko(run, e, ko, report);
	if (r == 0) {
		_cleanup_free_ char *kdir = xasprintf("%s/%s", install_tree(s),
						      e->kernel);

		r = kdir ? check_dep(ko, dep, kdir, name) : -ENOMEM;
	}
	if (r == 0 && e->running)
		r = check_loaded(run, ko, name);
	return r;
}

static int add_kos(struct diag_run *run, struct diag_entry *e,
		   const struct modconf *mc, const char *report)
{
	_cleanup_free_ char *moddir = tree_path(run->s, "%s/%s/%s/%s/module",
						e->module, e->version,
						e->kernel, e->arch);
	_cleanup_free_ char *depf = xasprintf("%s/%s/modules.dep",
					      install_tree(run->s), e->kernel);
	_cleanup_free_ char *dep = NULL;
	struct namelist names = { 0 };
	size_t i;
	int r = 0;

	if (!moddir || !depf)
		return -ENOMEM;
	if (read_file(depf, &dep, NULL) < 0)
		dep = NULL;
	if (mc) {
		for (i = 0; r == 0 && i < mc->n; i++)
			if (!mc->mod[i].excluded)
				r = add_one_ko(run, e, mc, i, mc->mod[i].dest_name,
					       moddir, dep, report);
		return r;
	}
	r = names_of_dir(moddir, &names);
	for (i = 0; r == 0 && i < names.n; i++)
		r = add_one_ko(run, e, NULL, 0, names.v[i], moddir, dep, report);
	namelist_clear(&names);
	return r;
}

/* ---- installed-weak ---------------------------------------------------------- */

/* A link in <install_tree>/K/weak-updates/ to a module this version
 * installed for another kernel (weak-modules on RHEL and SUSE): the
 * kernel that module was built for, or NULL. */
static char *weak_source(struct dkms_session *s, const struct diag_entry *e,
			 const char *dir, int depth)
{
	DIR *d = depth < 4 ? opendir(dir) : NULL;
	struct dirent *de;
	char *found = NULL;
	size_t tl = strlen(install_tree(s));

	while (d && !found && (de = readdir(d))) {
		_cleanup_free_ char *p = NULL, *to = NULL, *k = NULL;
		_cleanup_free_ char *built = NULL;
		struct stat st;
		const char *rest;

		if (de->d_name[0] == '.' || !(p = path_join(dir, de->d_name)) ||
		    lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			found = weak_source(s, e, p, depth + 1);
			continue;
		}
		to = S_ISLNK(st.st_mode) ? realpath_or_null(p) : NULL;
		if (!to || strncmp(to, install_tree(s), tl) || to[tl] != '/')
			continue;
		rest = to + tl + 1;
		k = strndup(rest, strcspn(rest, "/"));
		if (!k || !strcmp(k, e->kernel))
			continue;
		built = tree_path(s, "%s/%s/%s/%s/module/%s", e->module, e->version,
				  k, e->arch, de->d_name);
		if (built && files_equal(built, to)) {
			found = k;
			k = NULL;
		}
	}
	if (d)
		closedir(d);
	return found;
}

/* ---- one entry ------------------------------------------------------------- */

static const char *state_of(struct dkms_session *s, struct diag_entry *e)
{
	struct dkms_op op = { e->module, e->version, e->kernel, e->arch };
	_cleanup_free_ char *weak = NULL;

	if (dkms_is_built(s, &op))
		return dkms_link_is_active(s, &op) ? "installed" : "built";
	weak = xasprintf("%s/%s/weak-updates", install_tree(s), e->kernel);
	e->weak_from = weak ? weak_source(s, e, weak, 0) : NULL;
	return e->weak_from ? "installed-weak" : "added";
}

static int gather(struct diag_run *run, struct diag_entry *e)
{
	struct dkms_session *s = run->s;
	_cleanup_free_ char *orig = tree_path(s, "%s/original_module/%s/%s",
					      e->module, e->kernel, e->arch);
	_cleanup_free_ char *report = NULL;
	struct modconf mc;
	bool built;
	int r, rc;

	if (!orig)
		return -ENOMEM;
	e->state = state_of(s, e);
	built = !strcmp(e->state, "built") || !strcmp(e->state, "installed");
	e->original_kept = is_dir(orig);
	e->kernel_installed = kernel_installed(s, e->kernel);
	e->running = run->running && !strcmp(run->running, e->kernel);
	r = add_headers(run, e);
	if (r)
		return r;
	rc = modconf_read(s, e->module, e->version, e->kernel, e->arch, NULL,
			  MC_NO_DIE | MC_NO_CACHE | MC_NO_STDERR, &mc);
	if (rc == -ENOMEM) {
		modconf_clear(&mc);
		return rc;
	}
	/* a conf that cannot be evaluated reads as a bad one */
	if (rc && !dkms_errno_is_exit(rc))
		rc = -DKMS_EBADCONF;
	e->conf_bad = rc != 0;
	r = rc == 0 ? add_conf(e, &mc) : 0;
	if (r == 0 && built)
		r = add_built_log(e, s, &report);
	else if (r == 0 && !strcmp(e->state, "added"))
		r = add_failed_build(e, s, &report);
	if (r == 0 && built)
		r = add_kos(run, e, rc == 0 ? &mc : NULL, report);
	modconf_clear(&mc);
	return r;
}

/* ---- the verdict ----------------------------------------------------------- */

/* A problem or note, once (several module files may share one). */
static int say(struct namelist *l, const char *fmt, ...) _printf_(2, 3);
static int say(struct namelist *l, const char *fmt, ...)
{
	_cleanup_free_ char *line = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	if (!line)
		return -ENOMEM;
	return namelist_has(l, line) ? 0 : namelist_add(l, line);
}

/* One BUILD_EXCLUSIVE directive's words: what does not hold. */
static char *excl_phrase(const struct diag_entry *e, const struct diag_excl *x)
{
	_cleanup_free_ char *name = x->index ? xasprintf("%s[%ld]", x->directive,
							 x->index)
					     : strdup(x->directive);
	const char *obs = x->from_obsolete_by ? " (from OBSOLETE_BY)" : "";

	if (!name)
		return NULL;
	if (!strcmp(x->directive, "BUILD_EXCLUSIVE_KERNEL_MIN"))
		return xasprintf("kernel %s is older than %s=\"%s\"", e->kernel,
				 name, x->value);
	if (!strcmp(x->directive, "BUILD_EXCLUSIVE_KERNEL_MAX"))
		return xasprintf("kernel %s is newer than %s=\"%s\"%s", e->kernel,
				 name, x->value, obs);
	if (!strcmp(x->directive, "BUILD_EXCLUSIVE_ARCH"))
		return xasprintf("%s=\"%s\" does not match arch %s", name,
				 x->value, e->arch);
	if (!strcmp(x->directive, "BUILD_EXCLUSIVE_CONFIG"))
		return xasprintf("%s=\"%s\" does not hold in the kernel's "
				 "config", name, x->value);
	return xasprintf("%s=\"%s\" does not match kernel %s", name, x->value,
			 e->kernel);
}

static int exclusion_verdict(struct diag_entry *e)
{
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < e->n_excl; i++) {
		_cleanup_free_ char *p = excl_phrase(e, &e->excl[i]);

		if (!p)
			return -ENOMEM;
		/* every record excluded by one global directive: said once */
		if (e->excluded)
			r = say(&e->problems, "excluded by BUILD_EXCLUSIVE (dkms "
				"build skips it, exit 77): %s", p);
		else
			r = say(&e->notes, "%s.ko is left out of the build: %s",
				e->excl[i].module, p);
	}
	return r;
}

static int headers_verdict(struct diag_entry *e, bool built)
{
	_cleanup_free_ char *fix = e->headers_package ?
		xasprintf("install %s", e->headers_package) :
		xasprintf("install the headers package for kernel %s", e->kernel);

	if (!fix)
		return -ENOMEM;
	if (e->headers_ok)
		return 0;
	if (built)
		return say(&e->notes, "the headers of kernel %s are missing: it "
			   "cannot be rebuilt for it (%s)", e->kernel, fix);
	return say(&e->problems, "the headers of kernel %s are missing: %s",
		   e->kernel, fix);
}

/* Why an added module version is not built for the kernel. */
static int added_verdict(struct diag_entry *e)
{
	int r;

	if (e->failed)
		return say(&e->problems, "its last build for kernel %s failed "
			   "(make exit %d)", e->kernel, e->exit_code);
	if (e->conf_bad)
		return say(&e->problems, "its dkms.conf does not read for kernel "
			   "%s (dkms build stops, exit 8)", e->kernel);
	if (e->excluded || !e->headers_ok)
		return 0;
	r = say(&e->problems, "it is not built for kernel %s: `dkms install "
		"%s/%s -k %s` builds and installs it", e->kernel, e->module,
		e->version, e->kernel);
	if (r == 0 && !e->autoinstall)
		r = say(&e->notes, "AUTOINSTALL is not set: a new kernel does "
			"not get it by itself");
	return r;
}

/* What keeps the file itself from working: its build, vermagic and
 * signature. */
static int ko_file_verdict(struct diag_entry *e, const struct diag_ko *k)
{
	struct namelist *p = &e->problems, *n = &e->notes;
	const char *rel = e->release ? e->release : e->kernel;
	int r = 0;

	if (!k->built)
		r = say(p, "%s is missing from the build", k->name);
	if (r == 0 && !strcmp(e->state, "installed") && !k->installed)
		r = say(p, "%s is not installed where dkms put it (removed, or "
			"replaced by another build)", k->name);
	if (r == 0 && k->differs)
		r = say(n, "the installed %s differs from the built one", k->name);
	if (r == 0 && (k->installed || k->built) && !k->vermagic)
		r = say(p, "%s has no vermagic: the kernel will not load it",
			k->name);
	else if (r == 0 && k->vermagic && !k->vermagic_ok)
		r = say(p, "%s was built for kernel %.*s, not %s: the kernel "
			"will not load it", k->name,
			(int)strcspn(k->vermagic, " "), k->vermagic, rel);
	if (r == 0 && k->trust_known && !strcmp(k->trust.will_load, "no"))
		r = say(p, "the kernel will not load %s: %s", k->name,
			k->trust.why);
	if (r == 0 && k->sign_failed)
		r = say(n, "signing %s failed: %s", k->name, k->sign_failed);
	return r;
}

/* What modprobe and the running kernel make of it. */
static int ko_kernel_verdict(struct diag_entry *e, const struct diag_ko *k)
{
	struct namelist *p = &e->problems, *n = &e->notes;
	int len = (int)strlen(k->name) - 3; /* without ".ko" */
	size_t i;
	int r = 0;

	if (k->dep == DEP_NOT_LISTED)
		r = say(p, "modules.dep of kernel %s does not list %s: modprobe "
			"will not find it (run depmod %s)", e->kernel, k->name,
			e->kernel);
	else if (k->dep == DEP_NO_FILE)
		r = say(n, "kernel %s has no modules.dep: depmod has not run "
			"for it", e->kernel);
	for (i = 0; r == 0 && i < k->dep_others.n; i++)
		r = say(n, "modules.dep also lists %s", k->dep_others.v[i]);
	if (r == 0 && k->loaded == LOADED_OTHER)
		r = say(n, "the loaded %.*s is another version (srcversion %s): "
			"this one runs once it is loaded again", len, k->name,
			k->loaded_srcversion);
	else if (r == 0 && k->loaded == LOADED_BUILTIN)
		r = say(p, "%.*s is built into the running kernel: this module "
			"is not used", len, k->name);
	return r;
}

static int verdict(struct diag_entry *e)
{
	/* an installed-weak module needs no headers either */
	bool built = !strcmp(e->state, "built") || !strcmp(e->state, "installed") ||
		     e->weak_from;
	size_t i;
	int r;

	if (!strcmp(e->state, "broken"))
		return say(&e->problems, "its source is missing: the source link "
			   "of %s/%s points to nothing", e->module, e->version);
	r = exclusion_verdict(e);
	if (r == 0 && !e->kernel_installed)
		r = say(&e->notes, "kernel %s is not installed", e->kernel);
	if (r == 0)
		r = headers_verdict(e, built);
	if (r == 0 && !strcmp(e->state, "added"))
		r = added_verdict(e);
	if (r == 0 && !strcmp(e->state, "built"))
		r = say(&e->problems, "it is built but not installed: `dkms "
			"install %s/%s -k %s` installs it", e->module,
			e->version, e->kernel);
	if (r == 0 && e->weak_from)
		r = say(&e->notes, "the modules built for kernel %s are linked "
			"into its weak-updates", e->weak_from);
	for (i = 0; r == 0 && i < e->n_ko; i++)
		r = ko_file_verdict(e, &e->ko[i]) ?:
		    ko_kernel_verdict(e, &e->ko[i]);
	return r;
}

/* ---- which module versions and kernels ------------------------------------- */

/* A module version of the tree, with the kernels it is built for. */
struct diag_mv {
	char *m, *v;
	bool broken;
	struct namelist built_k, built_a;
};

struct diag_mvs {
	struct diag_mv *v;
	size_t n;
};

static void mvs_clear(struct diag_mvs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].m);
		free(l->v[i].v);
		namelist_clear(&l->v[i].built_k);
		namelist_clear(&l->v[i].built_a);
	}
	free(l->v);
}

static int collect_mv(void *data, const struct dkms_status_entry *se)
{
	struct diag_mvs *l = data;
	struct diag_mv *last = l->n ? &l->v[l->n - 1] : NULL;
	int r;

	if (!last || strcmp(last->m, se->module) || strcmp(last->v, se->version)) {
		struct diag_mv *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		last = &l->v[l->n++];
		*last = (struct diag_mv){ .m = strdup(se->module),
					  .v = strdup(se->version),
					  .broken = se->state == DKMS_STATE_BROKEN };
		if (!last->m || !last->v)
			return -ENOMEM;
	}
	if (!se->kernelver)
		return 0;
	r = namelist_add(&last->built_k, se->kernelver);
	return r ? r : namelist_add(&last->built_a, se->arch);
}

/* The install tree's kernels (3.4.3's +([0-9]).* dirs) that are
 * installed. */
static int installed_kernels(struct dkms_session *s, struct namelist *out)
{
	struct namelist all = { 0 };
	size_t i;
	int r = namelist_dir(&all, install_tree(s), true);

	for (i = 0; r == 0 && i < all.n; i++) {
		const char *n = all.v[i];
		size_t d = strspn(n, "0123456789");

		if (d && n[d] == '.' && kernel_installed(s, n))
			r = namelist_add(out, n);
	}
	namelist_clear(&all);
	return r;
}

/* One (kernel, arch) to look at. */
struct diag_ka {
	const char *k, *a;
};

static int cmp_ka(const void *x, const void *y)
{
	const struct diag_ka *a = x, *b = y;
	int c = strcoll(a->k, b->k);

	return c ? c : strcoll(a->a, b->a);
}

static const char *built_arch(const struct diag_mv *mv, const char *k)
{
	size_t i;

	for (i = 0; i < mv->built_k.n; i++)
		if (!strcmp(mv->built_k.v[i], k))
			return mv->built_a.v[i];
	return NULL;
}

/* The kernels of mv: the -k ones (each with its -a, the one -a, the arch
 * it is built for, or this machine's), else those it is built for and the
 * installed ones, sorted.  *ret is freed by the caller; its strings are
 * not. */
static int kernels_of(const struct diag_mv *mv, const struct dkms_kernels *k,
		      const struct namelist *installed, const char *arch,
		      struct diag_ka **ret, size_t *n)
{
	size_t cap = k->n + mv->built_k.n + installed->n + 1, i;
	struct diag_ka *v = calloc(cap, sizeof(*v));
	const char *ba;

	if (!v)
		return -ENOMEM;
	*n = 0;
	for (i = 0; i < k->n; i++) {
		ba = built_arch(mv, k->kernelver[i]);
		v[(*n)++] = (struct diag_ka){ k->kernelver[i],
			i < k->n_arch ? k->arch[i] : k->n_arch ? k->arch[0] :
			ba ? ba : arch };
	}
	for (i = 0; !k->n && i < mv->built_k.n; i++)
		if (!k->n_arch || !strcmp(mv->built_a.v[i], k->arch[0]))
			v[(*n)++] = (struct diag_ka){ mv->built_k.v[i],
						      mv->built_a.v[i] };
	for (i = 0; !k->n && i < installed->n; i++) {
		ba = built_arch(mv, installed->v[i]);
		if (!ba || (k->n_arch && strcmp(ba, k->arch[0])))
			v[(*n)++] = (struct diag_ka){ installed->v[i], arch };
	}
	if (!k->n && *n)
		qsort(v, *n, sizeof(*v), cmp_ka);
	*ret = v;
	return 0;
}

/* ---- the command ------------------------------------------------------------ */

struct diag_out {
	unsigned int flags;
	struct strbuf text;     /* the screens */
	struct strbuf ok;       /* the summary of the fine ones */
	const struct diag_mv *ok_mv; /* the module version ok's line is at */
	size_t shown;
	const char *secure_boot;
	struct json j;
};

static int run_init(struct dkms_session *s, struct diag_run *run)
{
	const char *root = dkms_ctx_get_path(s->ctx, DKMS_PATH_ROOT);
	_cleanup_free_ char *rel = path_join(root, "proc/sys/kernel/osrelease");

	run->s = s;
	run->sysfs_module = path_join(root, "sys/module");
	run->running = first_line(rel);
	if (!run->running || !*run->running) {
		free(run->running);
		run->running = uname_r();
	}
	if (!run->sysfs_module || !run->running)
		return -ENOMEM;
	return secureboot_read(s, &run->sb);
}

static void run_clear(struct diag_run *run)
{
	namelist_clear(&run->pkg_kernels);
	namelist_clear(&run->pkgs);
	secureboot_clear(&run->sb);
	free(run->running);
	free(run->sysfs_module);
}

static void note_ok(struct diag_out *o, const struct diag_entry *e,
		    const struct diag_mv *mv)
{
	if (o->ok_mv == mv) {
		strbuf_addf(&o->ok, ", %s", e->kernel);
		return;
	}
	strbuf_addf(&o->ok, "%s%s/%s on %s", o->ok.len ? "; " : "ok: ",
		    e->module, e->version, e->kernel);
	o->ok_mv = mv;
}

static void emit(struct diag_out *o, const struct diag_entry *e,
		 const struct diag_mv *mv)
{
	if (o->flags & DKMS_DIAG_JSON) {
		diag_print_json(&o->j, e);
		return;
	}
	if (!(o->flags & DKMS_DIAG_ALL) && !e->problems.n) {
		note_ok(o, e, mv);
		return;
	}
	if (o->shown++)
		strbuf_addch(&o->text, '\n');
	diag_print_text(&o->text, e, o->secure_boot);
}

static int one_entry(struct diag_run *run, struct diag_out *o,
		     const struct diag_mv *mv, const char *k, const char *a)
{
	struct diag_entry e = { 0 };
	int r;

	e.module = strdup(mv->m);
	e.version = strdup(mv->v);
	e.kernel = k ? strdup(k) : NULL;
	e.arch = a ? strdup(a) : NULL;
	if (!e.module || !e.version || (k && !e.kernel) || (a && !e.arch))
		r = -ENOMEM;
	else if (mv->broken)
		r = (e.state = "broken", 0);
	else
		r = gather(run, &e);
	if (r == 0)
		r = verdict(&e);
	if (r == 0)
		emit(o, &e, mv);
	diag_entry_clear(&e);
	return r;
}

static int diagnose_all(struct diag_run *run, struct diag_out *o,
			const struct diag_mvs *mvs, const struct dkms_kernels *k)
{
	struct namelist installed = { 0 };
	_cleanup_free_ char *arch = k->n_arch ? strdup(k->arch[0]) : uname_m();
	size_t i, j;
	int r = arch ? installed_kernels(run->s, &installed) : -ENOMEM;

	for (i = 0; r == 0 && i < mvs->n; i++) {
		struct diag_ka *ka = NULL;
		size_t n = 0;

		if (mvs->v[i].broken) {
			r = one_entry(run, o, &mvs->v[i], NULL, NULL);
			continue;
		}
		r = kernels_of(&mvs->v[i], k, &installed, arch, &ka, &n);
		for (j = 0; r == 0 && j < n; j++)
			r = one_entry(run, o, &mvs->v[i], ka[j].k, ka[j].a);
		free(ka);
	}
	namelist_clear(&installed);
	return r;
}

static int write_out(struct dkms_session *s, struct diag_out *o,
		     const struct diag_run *run, const struct diag_mvs *mvs,
		     const struct dkms_kernels *k)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int r;

	if (!(o->flags & DKMS_DIAG_JSON)) {
		r = diagnose_all((struct diag_run *)run, o, mvs, k);
		if (r == 0 && o->ok.len)
			strbuf_addf(&o->text, "%s%s\n", o->shown ? "\n" : "",
				    strbuf_str(&o->ok));
		if (r == 0 && !mvs->n)
			strbuf_addf(&o->text, "No module is added to %s.\n",
				    dkms_tree(s));
		if (r == 0)
			dkms_write(s->ctx, DKMS_STDOUT, strbuf_str(&o->text),
				   o->text.len);
		return r;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return -errno;
	json_init(&o->j, f, true);
	json_begin_object(&o->j);
	json_key(&o->j, "running_kernel");
	json_string(&o->j, run->running);
	json_key(&o->j, "secure_boot");
	json_string(&o->j, run->sb.state);
	json_key(&o->j, "entries");
	json_begin_array(&o->j);
	r = diagnose_all((struct diag_run *)run, o, mvs, k);
	json_end_array(&o->j);
	json_end_object(&o->j);
	fputc('\n', f);
	if (json_finish(&o->j) < 0 && r == 0)
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -EIO;
	if (r == 0)
		dkms_write(s->ctx, DKMS_STDOUT, buf, len);
	return r;
}

int dkms_diagnose(struct dkms_session *s, const char *m, const char *v,
		  const struct dkms_kernels *k, unsigned int flags)
{
	struct diag_run run = { 0 };
	struct diag_out o = { .flags = flags };
	struct diag_mvs mvs = { 0 };
	int r;

	if (access(dkms_tree(s), R_OK | X_OK) < 0)
		return dkms_die(s, 1, "The DKMS tree %s cannot be read: %s.",
				dkms_tree(s), strerror(errno));
	if (!is_dir(dkms_tree(s)))
		return dkms_die(s, 1, "The DKMS tree %s cannot be read: %s.",
				dkms_tree(s), strerror(ENOTDIR));
	r = dkms_status_walk(s, m, v, NULL, NULL, collect_mv, &mvs);
	if (r == 0 && !mvs.n && m && *m && v && *v)
		r = dkms_die(s, 3, "The module/version combo: %s/%s is not "
			     "located in the DKMS tree.", m, v);
	else if (r == 0 && !mvs.n && m && *m)
		r = dkms_die(s, 3, "The module %s is not located in the DKMS "
			     "tree.", m);
	if (r == 0)
		r = run_init(s, &run);
	o.secure_boot = run.sb.efivars ? run.sb.state : "unknown (no EFI variables)";
	if (r == 0)
		r = write_out(s, &o, &run, &mvs, k);
	strbuf_release(&o.text);
	strbuf_release(&o.ok);
	mvs_clear(&mvs);
	run_clear(&run);
	return r;
}
