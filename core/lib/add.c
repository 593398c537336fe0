/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `dkms add`: 3.4.3's add_module and add_source_tree. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cycle.h"
#include "safety.h"

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
	r = safety_check_source(s, from);
	if (r)
		return r;
	/* cp -fprT FROM/ DST: into an existing DST as well */
	src = xasprintf("%s/", from);
	if (!src || mkdir_p(dst, 0755) < 0)
		return -EIO;
	rm_rf(dst);
	return copy_tree(src, dst) < 0 ? -EIO : 0;
}

int dkms_op_add(struct dkms_session *s, const struct dkms_op *op)
{
	_cleanup_free_ char *m = NULL, *v = NULL, *srcdir = NULL, *conf = NULL;
	_cleanup_free_ char *vdir = NULL, *build = NULL, *link = NULL;
	const char *mod = op->module, *ver = op->version;
	struct dkms_op aop;
	struct modconf mc;
	int r;

	if (s->source_path && (!mod || !*mod) && (!ver || !*ver)) {
		r = add_source_tree(s, op, &m, &v);
		if (r)
			return r;
		mod = m;
		ver = v;
		free(s->resolved_module);
		free(s->resolved_version);
		s->resolved_module = strdup(m);
		s->resolved_version = strdup(v);
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
	r = safety_check_source(s, srcdir);
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
