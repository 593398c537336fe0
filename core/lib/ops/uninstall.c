/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `dkms uninstall`: 3.4.3's do_uninstall and maybe_uninstall_module.
 * Uninstalling puts back the original modules moved aside
 * at install time (NAME.origin says where they lived).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops.h"

/* What the run-only steps of an uninstall need, freed with the journal. */
struct unplan {
	struct dkms_op op;
	struct modconf mc;
	const char *weak_cmd;
};

static void unplan_free(void *data)
{
	struct unplan *u = data;

	modconf_clear(&u->mc);
	free(u);
}

static int call_weak_modules(struct dkms_session *s, void *data)
{
	struct unplan *u = data;

	weak_modules_run(s, &u->op, &u->mc, u->weak_cmd);
	return 0;
}

static int call_post_remove(struct dkms_session *s, void *data)
{
	struct unplan *u = data;

	run_build_script(s, &u->op, "post_remove", u->mc.post_remove, NULL);
	return 0;
}

static int call_depmod(struct dkms_session *s, void *data)
{
	struct unplan *u = data;

	/* a failed depmod is only a message in 3.4.3; an injected fault
	 * stops the run, and the next command's recovery runs depmod */
	if (dkms_fault("depmod") < 0)
		return -EIO;
	dkms_op_depmod(s, u->op.kernelver);
	return 0;
}

static int call_initramfs(struct dkms_session *s, void *data)
{
	struct unplan *u = data;

	initramfs_note(s, &u->op, &u->mc);
	return 0;
}

static int jmsg(struct journal *j, const char *fmt, ...) _printf_(2, 3);
static int jmsg(struct journal *j, const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (r == 0)
		r = journal_add(j, JOP_MSG, NULL, NULL, strbuf_str(&sb));
	strbuf_release(&sb);
	return r;
}

/* Put back what install moved aside for dest module `name`. */
static int plan_restore(struct dkms_session *s, const struct dkms_op *op,
			const struct modrec *m, const char *backup,
			const char *cs, struct journal *j)
{
	_cleanup_free_ char *prefix = xasprintf("%s/%s/", install_tree(s), op->kernelver);
	_cleanup_free_ char *pat = xasprintf("%s.", m->dest_name);
	_cleanup_free_ char *kdir = NULL, *orig = NULL, *orig_of = NULL;
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (!prefix || !pat)
		return -ENOMEM;
	if (is_dir(backup)) {
		d = opendir(backup);
		while (r == 0 && d && (de = readdir(d))) {
			_cleanup_free_ char *of = NULL, *mod = NULL, *text = NULL;
			char *nl;

			if (!startswith(de->d_name, pat) ||
			    !endswith(de->d_name, ".origin"))
				continue;
			of = path_join(backup, de->d_name);
			mod = of ? strndup(of, strlen(of) - 7) : NULL;
			if (!mod || !path_exists(mod) || read_file(of, &text, NULL) < 0)
				continue;
			nl = strchr(text, '\n');
			if (nl)
				*nl = '\0';
			if (!startswith(text, prefix)) {
				dkms_warn(s, "Bad original location '%s' in %s", text, of);
				continue;
			}
			/* the .origin goes only once the module is back */
			r = jmsg(j, "Restoring archived original module %s", text);
			if (r == 0)
				r = journal_add(j, JOP_RESTORE, mod, text, NULL);
			if (r == 0)
				r = journal_add(j, JOP_UNLINK, of, NULL, NULL);
		}
		if (d)
			closedir(d);
		kdir = strdup(backup);
		if (kdir && strrchr(kdir, '/'))
			*strrchr(kdir, '/') = '\0';
		if (r == 0 && kdir)
			r = journal_add(j, JOP_PRUNE, kdir, NULL, NULL);
	}
	if (r < 0)
		return r;
	/* archived by older dkms without a .origin file (one with a .origin
	 * still there could not be put back: never guess its place) */
	orig = ko_in_dir(backup, m->dest_name, cs);
	orig_of = orig ? xasprintf("%s.origin", orig) : NULL;
	if (orig && orig_of && !path_exists(orig_of)) {
		_cleanup_free_ char *dir = xasprintf("%s%s/", prefix, m->raw_dest_location);
		_cleanup_free_ char *dst = dir ? path_join(dir, strrchr(orig, '/') + 1) : NULL;

		if (!dst)
			return -ENOMEM;
		r = jmsg(j, "Restoring archived original module");
		if (r == 0)
			r = journal_add(j, JOP_RESTORE, orig, dst, NULL);
	}
	return r;
}

/* rm -f <dir>/<name>.ko*, then the emptied directories */
static int plan_delete(struct dkms_session *s, const struct dkms_op *op,
		       const struct modconf *mc, size_t i, const char *cs,
		       struct journal *j)
{
	const struct modrec *m = &mc->mod[i];
	_cleanup_free_ char *real = find_actual_dest(s, mc, i, op->module,
						     op->kernelver, op->arch, cs);
	_cleanup_free_ char *lib = xasprintf("%s/%s", install_tree(s), op->kernelver);
	_cleanup_free_ char *dir = NULL, *pfx = NULL;
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (!real || !lib)
		return -ENOMEM;
	if (!*real)
		return jmsg(j, "Module %s.ko%s was not found within %s/%s/",
			    m->dest_name, cs, install_tree(s), op->kernelver);
	r = jmsg(j, "Deleting %s/%s%s/%s.ko%s", install_tree(s), op->kernelver,
		 real, m->dest_name, cs);
	dir = xasprintf("%s%s", lib, real);
	pfx = xasprintf("%s.ko", m->dest_name);
	d = dir ? opendir(dir) : NULL;
	while (r == 0 && d && pfx && (de = readdir(d))) {
		_cleanup_free_ char *p = NULL;

		if (!startswith(de->d_name, pfx))
			continue;
		p = path_join(dir, de->d_name);
		r = p ? journal_add(j, JOP_UNLINK, p, NULL, NULL) : -ENOMEM;
	}
	if (d)
		closedir(d);
	/* every distribution family we know prunes the empty directories;
	 * rpm ones first ask rpm whether it owns them (not done here) */
	return r ? r : journal_add(j, JOP_RMDIRS, lib, real, NULL);
}

static int note_installed(void *data, const struct dkms_status_entry *e)
{
	bool *found = data;

	if (e->state == DKMS_STATE_INSTALLED)
		*found = true;
	return 0;
}

/* module_status_built m v | grep -q installed */
static bool installed_anywhere(struct dkms_session *s, const struct dkms_op *op)
{
	bool found = false;

	(void)dkms_status_built_walk(s, op->module, op->version, NULL, NULL,
				     note_installed, &found);
	return found;
}

static int plan_active(struct dkms_session *s, struct unplan *u,
		       const char *backup, const char *link, const char *cs,
		       struct journal *j)
{
	const struct dkms_op *op = &u->op;
	size_t i;
	int r;

	r = jmsg(j, "Before uninstall, this module version was ACTIVE on this kernel.");
	if (r == 0 && !u->mc.no_weak_modules && weak_modules_cmd(s, false) &&
	    installed_anywhere(s, op)) {
		u->weak_cmd = weak_modules_cmd(s, false);
		r = jmsg(j, "Removing linked weak modules...");
		if (r == 0)
			r = journal_call(j, call_weak_modules, u, NULL);
	}
	for (i = 0; r == 0 && i < u->mc.n; i++) {
		r = plan_delete(s, op, &u->mc, i, cs, j);
		if (r == 0)
			r = plan_restore(s, op, &u->mc.mod[i], backup, cs, j);
	}
	return r ? r : journal_add(j, JOP_UNLINK, link, NULL, NULL);
}

/* The steps of do_uninstall, appended to j (the module is installed). */
static int plan_uninstall(struct dkms_session *s, const struct dkms_op *op,
			  struct journal *j, bool *was_active)
{
	_cleanup_free_ char *backup = tree_path(s, "%s/original_module/%s/%s",
						op->module, op->kernelver, op->arch);
	_cleanup_free_ char *link = tree_path(s, "%s/kernel-%s-%s", op->module,
					      op->kernelver, op->arch);
	_cleanup_free_ char *build = tree_path(s, "%s/%s/%s/%s", op->module,
					       op->version, op->kernelver, op->arch);
	_cleanup_free_ char *origk = tree_path(s, "%s/original_module/%s",
					       op->module, op->kernelver);
	_cleanup_free_ char *origm = tree_path(s, "%s/original_module", op->module);
	_cleanup_free_ char *target = NULL, *drop = NULL;
	struct unplan *u = calloc(1, sizeof(*u));
	const char *cs;
	int r;

	if (!u || !backup || !link || !build || !origk || !origm) {
		free(u);
		return -ENOMEM;
	}
	u->op = *op;
	r = jmsg(j, "Module %s/%s for kernel %s (%s):", op->module, op->version,
		 op->kernelver, op->arch);
	cs = module_compressed_suffix(s, op->kernelver);
	if (r == 0)
		r = modconf_read(s, op->module, op->version, op->kernelver,
				 op->arch, NULL, 0, &u->mc);
	if (r) {
		free(u);
		return r;
	}
	/* the journal owns u from here */
	r = journal_call(j, NULL, u, unplan_free);
	target = realpath(link, NULL);
	*was_active = target && !strcmp(target, build);
	if (r == 0 && *was_active)
		r = plan_active(s, u, backup, link, cs, j);
	else if (r == 0)
		r = jmsg(j, "This module version was INACTIVE for this kernel.");
	if (r == 0)
		r = journal_call(j, call_post_remove, u, NULL);
	if (r == 0 && s->depmod.delayed) {
		_cleanup_free_ char *p = tree_path(s, "depmod-pending-%s-%s",
						   op->kernelver, op->arch);

		r = p ? journal_add(j, JOP_TOUCH, p, NULL, NULL) : -ENOMEM;
	} else if (r == 0) {
		r = journal_call(j, call_depmod, u, NULL);
		if (r == 0 && !dkms_opt(s, DKMS_OPT_NO_DEPMOD))
			r = journal_add_recovery(j, JOP_DEPMOD, op->kernelver, NULL);
	}
	drop = xasprintf("Removing original module(s) from DKMS tree for kernel %s (%s)",
			 op->kernelver, op->arch);
	if (r == 0 && *was_active)
		r = drop ? journal_add(j, JOP_DROP_BACKUP, backup, origk, drop) : -ENOMEM;
	if (r == 0)
		r = journal_add(j, JOP_RMTREE_LEAF, origm, NULL, NULL);
	if (r == 0 && *was_active)
		r = journal_call(j, call_initramfs, u, NULL);
	return r;
}

int dkms_plan_maybe_uninstall(struct dkms_session *s, const struct dkms_op *op,
			      struct journal *j)
{
	_cleanup_free_ char *conf = NULL;
	bool excluded = false, active;

	if (dkms_is_installed(s, op))
		return plan_uninstall(s, op, j, &active);
	conf = tree_path(s, "%s/%s/source/dkms.conf", op->module, op->version);
	if (conf && path_exists(conf)) {
		struct modconf mc;
		int r = modconf_read(s, op->module, op->version, op->kernelver,
				     op->arch, conf,
				     MC_NO_DIE | MC_NO_STDERR | MC_NO_CACHE, &mc);

		if (r == 0 || r == -DKMS_EBADCONF) {
			excluded = mc.has_exclusive_per_module;
			modconf_clear(&mc);
		}
	}
	/* modules that BUILD_EXCLUSIVE may keep out are not worth a note */
	if (excluded)
		return 0;
	return jmsg(j, "Module %s/%s is not installed for kernel %s (%s). "
		    "Skipping...", op->module, op->version, op->kernelver,
		    op->arch);
}

/* Commit (when a step changes something), run, end.  A failure after
 * the commit leaves the journal for the next command to complete.
 * Called with what a plan that failed with a dkms exit code (a message
 * of 3.4.3's) had planned already too (3.4.3 did that much before it
 * died). */
int dkms_journal_do(struct dkms_session *s, struct journal *j)
{
	int r = 0;

	if (!journal_empty(j))
		r = journal_commit(j);
	if (r < 0)
		return r;
	r = journal_run(j, false);
	if (r == 0 && !journal_empty(j))
		r = journal_end(j);
	if (r < 0)
		dkms_printf(s->ctx, DKMS_STDERR, "dkms: %s stopped (%s); the next "
			    "dkms command completes it\n", journal_what(j),
			    strerror(-r));
	return r;
}

static int uninstall_with(struct dkms_session *s, const struct dkms_op *op,
			  bool maybe)
{
	_cleanup_free_ char *what = xasprintf("uninstall of %s/%s for kernel %s (%s)",
					      op->module, op->version,
					      op->kernelver, op->arch);
	_cleanup_(journal_freep) struct journal *j = what ? journal_new(s, what) : NULL;
	bool active;
	int r;

	if (!j)
		return -ENOMEM;
	r = maybe ? dkms_plan_maybe_uninstall(s, op, j)
		  : plan_uninstall(s, op, j, &active);
	return r ? r : dkms_journal_do(s, j);
}

int dkms_op_uninstall(struct dkms_session *s, const struct dkms_op *op)
{
	return uninstall_with(s, op, false);
}

int dkms_op_maybe_uninstall(struct dkms_session *s, const struct dkms_op *op)
{
	return uninstall_with(s, op, true);
}

int dkms_cmd_uninstall(struct dkms_session *s, const char *m, const char *v,
		       const struct dkms_kernels *k)
{
	size_t i;
	int r;

	for (i = 0; i < k->n; i++) {
		struct dkms_op op = { m, v, k->kernelver[i], k->arch[i] };

		if (i)
			dkms_echo(s, "%s", "");
		r = dkms_op_maybe_uninstall(s, &op);
		if (r)
			return r;
	}
	return 0;
}
