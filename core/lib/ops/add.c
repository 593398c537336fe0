/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `dkms add`: 3.4.3's add_module and add_source_tree. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ops/ops.h"

/* add_source_tree: copy a source tree (a dir with dkms.conf) to
 * <source_tree>/<PACKAGE_NAME>-<PACKAGE_VERSION>; *m and *v get the names. */
static int add_source_tree(struct dkms_session *s, const struct dkms_op *op,
			   char **m, char **v)
{
	_cleanup_free_ char *from = realpath(s->source_path, NULL);
	_cleanup_free_ char *conf = from ? path_join(from, "dkms.conf") : NULL;
	_cleanup_free_ char *dst = NULL, *a = NULL, *b = NULL;
	_cleanup_free_ char *src = NULL;
	struct modconf mc;
	int r;

	if (!from || !conf || !path_exists(conf))
		return dkms_die(s, 9, "%s must contain a dkms.conf file!",
				s->source_path);
	if (geteuid() != 0)
		return dkms_die(s, 1, "You must be root to use this command.");
	/* before root reads its dkms.conf */
	r = safety_check_source(s, from, SAFETY_COPY);
	if (r)
		return r;
	r = modconf_read(s, "", "", op->kernelver, op->arch, conf, 0, &mc);
	if (r)
		return r;
	if (!*mc.package_name || !*mc.package_version) {
		modconf_clear(&mc);
		return dkms_die(s, 10, "Malformed dkms.conf file. Cannot load source tree.");
	}
	*m = strdup(mc.package_name);
	*v = strdup(mc.package_version);
	modconf_clear(&mc);
	if (!*m || !*v)
		return -ENOMEM;
	dst = xasprintf("%s/%s-%s", source_tree(s), *m, *v);
	a = tree_path(s, "%s/%s/source", *m, *v);
	b = tree_path(s, "%s/%s/build", *m, *v);
	if (!dst || !a || !b)
		return -ENOMEM;
	if (dkms_opt(s, DKMS_OPT_FORCE) && is_dir(dst)) {
		dkms_printf(s->ctx, DKMS_STDERR, "\n");
		dkms_echo(s, "Forcing install of %s/%s", *m, *v);
		rm_rf(dst);
	}
	if (!strcmp(from, dst) || !strcmp(from, a) || !strcmp(from, b))
		return 0;
	/* cp -fprT FROM/ DST: into an existing DST as well */
	src = xasprintf("%s/", from);
	if (!src || mkdir_p(dst, 0755) < 0)
		return -EIO;
	rm_rf(dst);
	return copy_tree(src, dst) < 0 ? -EIO : 0;
}

/* load_tarball of s->archive for the op's kernel (an .rpm archive is
 * installed and autoinstalled for it).  3.4.3's add_module goes on with
 * what it named (a binaries-only archive without source too, whose
 * status is 1); nothing named: that was all. */
static int add_archive(struct dkms_session *s, const struct dkms_op *op,
		       char **m, char **v)
{
	struct dkms_kernels k = { 0 };
	int r = 0;

	if (op->kernelver && op->arch) {
		r = dkms_kernels_add_kernel(&k, op->kernelver);
		if (r == 0)
			r = dkms_kernels_add_arch(&k, op->arch);
	}
	if (r == 0)
		r = dkms_load_tarball(s, &k, m, v);
	dkms_kernels_clear(&k);
	if (*m && *v && r == 0)
		return 0;
	free(*m);
	free(*v);
	*m = *v = NULL;
	return r;
}

/* add_module's first step when no module is named: the archive, else the
 * source tree of the command line names it.  The names stay in the
 * session for the build and install that follow (dkms_op_named).  0
 * with *m NULL: an .rpm archive, installed and autoinstalled, was all. */
static int add_named_by_path(struct dkms_session *s, const struct dkms_op *op,
			     char **m, char **v)
{
	int r;

	if (s->archive)
		r = add_archive(s, op, m, v);
	else
		r = add_source_tree(s, op, m, v);
	if (r || !*m)
		return r;
	free(s->resolved_module);
	free(s->resolved_version);
	s->resolved_module = strdup(*m);
	s->resolved_version = strdup(*v);
	return s->resolved_module && s->resolved_version ? 0 : -ENOMEM;
}

struct dkms_op dkms_op_named(const struct dkms_session *s,
			     const struct dkms_op *op)
{
	struct dkms_op o = *op;

	if ((!o.module || !*o.module) && (!o.version || !*o.version) &&
	    s->resolved_module && s->resolved_version) {
		o.module = s->resolved_module;
		o.version = s->resolved_version;
	}
	return o;
}

int dkms_op_add(struct dkms_session *s, const struct dkms_op *op)
{
	_cleanup_free_ char *m = NULL, *v = NULL, *srcdir = NULL, *conf = NULL;
	_cleanup_free_ char *vdir = NULL, *build = NULL, *link = NULL;
	const char *mod = op->module, *ver = op->version;
	struct dkms_op aop;
	struct modconf mc;
	int r;

	if ((s->archive || s->source_path) && (!mod || !*mod) &&
	    (!ver || !*ver)) {
		r = add_named_by_path(s, op, &m, &v);
		if (r || !m)
			return r;
		mod = m;
		ver = v;
	}
	if (!mod || !*mod || !ver || !*ver)
		return dkms_die(s, 1, "Arguments <module> and <module-version> are "
				"not specified.\nUsage: add <module>/<module-version> or\n"
				"       add -m <module>/<module-version> or\n"
				"       add -m <module> -v <module-version>");
	if (dkms_opt(s, DKMS_OPT_RPM_SAFE_UPGRADE)) {
		r = rpm_safe_upgrade_lock(s, mod, ver);
		if (r)
			return r;
	}
	r = safety_check_names(s, mod, ver, NULL);
	if (r)
		return r;
	if (dkms_is_added(s, mod, ver))
		return dkms_die(s, 3, "DKMS tree already contains: %s/%s\n"
				"You cannot add the same module/version combo "
				"more than once.", mod, ver);
	srcdir = xasprintf("%s/%s-%s", source_tree(s), mod, ver);
	conf = s->conf ? strdup(s->conf) : xasprintf("%s/dkms.conf", srcdir);
	vdir = tree_path(s, "%s/%s", mod, ver);
	build = tree_path(s, "%s/%s/build", mod, ver);
	link = tree_path(s, "%s/%s/source", mod, ver);
	if (!srcdir || !conf || !vdir || !build || !link)
		return -ENOMEM;
	if (!is_dir(srcdir))
		return dkms_die(s, 2, "Could not find module source directory.\n"
				"Directory: %s does not exist.", srcdir);
	r = safety_check_source(s, srcdir, SAFETY_ADD);
	if (r)
		return r;
	r = modconf_read(s, mod, ver, op->kernelver, op->arch, conf, MC_STRICT, &mc);
	if (r)
		return r;
	dkms_echo(s, "Creating symlink %s -> %s", link, srcdir);
	if (mkdir_p(build, 0755) < 0 || symlink(srcdir, link) < 0) {
		r = -errno;
		goto out;
	}
	aop = (struct dkms_op){ mod, ver, op->kernelver, op->arch };
	run_build_script(s, &aop, "post_add", mc.post_add, NULL);
out:
	modconf_clear(&mc);
	return r;
}
