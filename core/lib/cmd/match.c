/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * match: make a kernel carry the same dkms modules as a template kernel
 * (--templatekernel), building and installing what is installed there.
 */
#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"

struct template_list {
	struct dkms_session *s;
	const char *module; /* only this one, or NULL */
	struct namelist mods, vers;
};

static int collect_installed(void *data, const struct dkms_status_entry *e)
{
	struct template_list *t = data;
	int r;

	/* do_status reports broken modules on stderr, whatever the filter */
	if (e->state == DKMS_STATE_BROKEN) {
		dkms_die(t->s, 0, "%s/%s: Missing the module source directory or the symbolic link pointing to it.\n"
			 "Manual intervention is required!", e->module, e->version);
		return 0;
	}
	if (e->state != DKMS_STATE_INSTALLED)
		return 0;
	if (t->module && strcmp(t->module, e->module))
		return 0;
	r = namelist_add(&t->mods, e->module);
	return r ? r : namelist_add(&t->vers, e->version);
}

/* maybe_build_module and maybe_install_module each run in a subshell in
 * 3.4.3: the kernel is prepared (and says so) again for every module. */
static int isolated(struct dkms_session *s, const struct dkms_op *op,
		    int (*fn)(struct dkms_session *, const struct dkms_op *))
{
	char *saved = s->prepared_kernel ? strdup(s->prepared_kernel) : NULL;
	int r = fn(s, op);

	free(s->prepared_kernel);
	s->prepared_kernel = saved;
	return r;
}

int dkms_match(struct dkms_session *s, const char *module, const char *kver,
	       const char *arch)
{
	struct template_list t = { .s = s, .module = module };
	const char *tk = s->template_kernel;
	size_t i;
	int r;

	if (!tk || !*tk)
		return dkms_die(s, 1, "Invalid number of parameters passed.\n"
				"Usage: match --templatekernel=<kernel-version> -k <kernel-version>\n"
				"   or: match --templatekernel=<kernel-version> -k <kernel-version> <module>");
	if (!strcmp(tk, kver))
		return dkms_die(s, 2, "The templatekernel and the specified kernel version are the same.");
	r = dkms_status_walk(s, NULL, NULL, tk, arch, collect_installed, &t);
	if (r < 0)
		goto out;
	if (module && *module) {
		_cleanup_free_ char *md = path_join(dkms_tree(s), module);

		if (!md || !is_dir(md)) {
			r = md ? dkms_die(s, 3, "The module: %s is not located in the DKMS tree.", module)
			       : -ENOMEM;
			goto out;
		}
	}
	dkms_echo(s, "%s", "");
	dkms_echo(s, "Matching modules in kernel: %s (%s)", kver, arch);
	dkms_echo(s, "to the configuration of kernel: %s (%s)", tk, arch);
	r = 0;
	if (!t.mods.n) {
		dkms_echo(s, "%s", "");
		dkms_echo(s, "There is nothing to be done for this match.");
		goto out;
	}
	r = prepare_kernel(s, kver);
	for (i = 0; r == 0 && i < t.mods.n; i++) {
		struct dkms_op op = { t.mods.v[i], t.vers.v[i], kver, arch };

		dkms_echo(s, "Module:  %s", op.module);
		dkms_echo(s, "Version: %s", op.version);
		if (dkms_is_broken(s, op.module, op.version)) {
			dkms_die(s, 0, "%s/%s is broken!\n"
				 "Missing the source directory or the symbolic link pointing to it.\n"
				 "Manual intervention is required!", op.module, op.version);
			continue;
		}
		isolated(s, &op, dkms_op_maybe_build);
		/* the command's status is the last install's, as in 3.4.3 */
		r = isolated(s, &op, dkms_op_maybe_install);
		if (i + 1 < t.mods.n)
			r = 0;
	}
out:
	namelist_clear(&t.mods);
	namelist_clear(&t.vers);
	return r;
}
