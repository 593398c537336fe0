/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel package hooks: kernel_preinst (before a kernel is upgraded:
 * unbuild the AUTOINSTALL modules so kernel_postinst rebuilds them),
 * kernel_prerm (before a kernel goes: unbuild everything built for it),
 * kernel_postinst (a kernel came: autoinstall for it).
 * depmod runs once at the end, not per module, as in dkms 3.4.3.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"

/* <m>/kernel-<kver>-<arch> names the active build, not a version. */
static bool is_kernel_link(const char *v)
{
	return startswith(v, "kernel-") && strchr(v + 7, '-');
}

int dkms_list_combos(struct dkms_session *s, char ***ret)
{
	struct namelist mods = { 0 }, out = { 0 };
	size_t i, j;
	int r;

	r = namelist_dir(&mods, dkms_tree(s), true);
	for (i = 0; r == 0 && i < mods.n; i++) {
		_cleanup_free_ char *md = path_join(dkms_tree(s), mods.v[i]);
		struct namelist vers = { 0 };

		if (!md) {
			r = -ENOMEM;
			break;
		}
		r = namelist_dir(&vers, md, true);
		for (j = 0; r == 0 && j < vers.n; j++)
			if (!is_kernel_link(vers.v[j]))
				r = namelist_addf(&out, "%s/%s", mods.v[i], vers.v[j]);
		namelist_clear(&vers);
	}
	namelist_clear(&mods);
	if (r) {
		namelist_clear(&out);
		return r;
	}
	if (!out.v)
		out.v = calloc(1, sizeof(char *));
	*ret = out.v;
	return out.v ? 0 : -ENOMEM;
}

/* unbuild_module for one kernel, in 3.4.3's subshell: whatever it
 * prepares is forgotten. */
static int unbuild_isolated(struct dkms_session *s, const char *m,
			    const char *v, const char *kver, const char *arch)
{
	struct dkms_kernels k = { 0 };
	char *saved = s->prepared_kernel ? strdup(s->prepared_kernel) : NULL;
	int r;

	r = dkms_kernels_add_kernel(&k, kver);
	if (!r)
		r = dkms_kernels_add_arch(&k, arch);
	if (!r)
		r = dkms_cmd_unbuild(s, m, v, &k);
	dkms_kernels_clear(&k);
	free(s->prepared_kernel);
	s->prepared_kernel = saved;
	return r;
}

/* 3.4.3 calls do_depmod with an empty kernel here ("$1" of a function
 * called without arguments), which looks for <installtree>//modules.dep
 * and so, in practice, only says so: we say the same and run nothing. */
static void delayed_depmod(struct dkms_session *s, const char *kver,
			   const char *arch)
{
	_cleanup_free_ char *flag = tree_path(s, "depmod-pending-%s-%s", kver, arch);
	_cleanup_free_ char *dep = xasprintf("%s//modules.dep", install_tree(s));
	struct stat st;

	if (!flag || !dep || access(flag, F_OK) < 0)
		return;
	unlink(flag);
	invoke_begin(s, "do_depmod ", "Running depmod");
	/* the background step's output shows with --verbose only */
	if (dkms_opt(s, DKMS_OPT_VERBOSE) && !dkms_opt(s, DKMS_OPT_NO_DEPMOD) &&
	    (stat(dep, &st) < 0 || !S_ISREG(st.st_mode)))
		dkms_echo(s, "Skipping depmod because '%s' is missing.", dep);
	invoke_end(s, "do_depmod ", 0);
}

static int unbuild_all(struct dkms_session *s, const char *kver,
		       const char *arch, bool autoinstall_only,
		       const char *action)
{
	struct strbuf failed = { 0 };
	char **combos = NULL;
	size_t i;
	int r;

	r = dkms_list_combos(s, &combos);
	if (r)
		return r;
	s->depmod.delayed = true;
	for (i = 0; combos[i]; i++) {
		char *m = combos[i], *v = strchr(m, '/');
		struct dkms_op op;
		int rc;

		*v++ = '\0';
		op = (struct dkms_op){ m, v, kver, arch };
		if (!dkms_is_built(s, &op))
			continue;
		if (autoinstall_only) {
			_cleanup_free_ char *conf = tree_path(s, "%s/%s/source/dkms.conf", m, v);
			struct modconf mc;
			bool want;

			if (!conf) {
				r = -ENOMEM;
				break;
			}
			r = modconf_read(s, m, v, kver, arch, conf, 0, &mc);
			want = r == 0 && mc.autoinstall;
			modconf_clear(&mc);
			if (r)
				break;
			if (!want)
				continue;
		}
		dkms_printf(s->ctx, DKMS_STDERR,
			    "dkms: removing module %s/%s for kernel %s (%s)\n",
			    m, v, kver, arch);
		rc = unbuild_isolated(s, m, v, kver, arch);
		if (rc)
			strbuf_addf(&failed, " %s/%s(%d)", m, v,
				    dkms_errno_to_exit(rc));
		if (!autoinstall_only)
			dkms_echo(s, "%s", "");
	}
	strv_free(combos);
	s->depmod.delayed = false;
	if (r) {
		strbuf_release(&failed);
		return r;
	}
	delayed_depmod(s, kver, arch);
	{
		_cleanup_free_ char *kdir = path_join(install_tree(s), kver);

		/* leftover empty directories, the kernel's own included */
		if (kdir && is_dir(kdir))
			delete_empty_dirs(kdir);
	}
	if (failed.len)
		r = dkms_die(s, 14, "dkms %s for kernel %s (%s) failed for module(s)%s.",
			     action, kver, arch, strbuf_str(&failed));
	strbuf_release(&failed);
	return r;
}

int dkms_kernel_preinst(struct dkms_session *s, const char *kver,
			const char *arch)
{
	return unbuild_all(s, kver, arch, true, "kernel_preinst");
}

int dkms_kernel_prerm(struct dkms_session *s, const char *kver,
		      const char *arch)
{
	return unbuild_all(s, kver, arch, false, "kernel_prerm");
}

/* kernel_postinst is an autoinstall for the new kernel. */
int dkms_kernel_postinst(struct dkms_session *s, const char *kver,
			 const char *arch)
{
	return dkms_autoinstall(s, kver, arch);
}
