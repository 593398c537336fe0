/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `dkms install`: 3.4.3's do_install and check_version_sanity.  A module
 * of the same name already in the kernel's tree is moved aside into
 * <m>/original_module/<kver>/<arch>/ with a NAME.origin file holding where
 * it came from, so uninstall can put it back.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops.h"

/* kernel versions with '-' read as blanks, compared through VER() */
static bool obsoleted(struct dkms_session *s, const char *kver,
		      const char *obs)
{
	_cleanup_free_ char *a = strdup(kver), *b = strdup(obs);
	char *p;
	int c;

	if (!a || !b || dkms_opt(s, DKMS_OPT_FORCE))
		return false;
	for (p = a; *p; p++)
		if (*p == '-')
			*p = ' ';
	for (p = b; *p; p++)
		if (*p == '-')
			*p = ' ';
	c = ver_cmp(a, b);
	return c >= 0;
}

/* ours (crash safety): `found` is the very file this install writes, at
 * its own place, and no kernel link says so yet: an install stopped
 * between the copy and the link, which this one finishes. */
static bool own_unfinished_copy(struct dkms_session *s, const struct dkms_op *op,
				const char *dest_location, const char *found,
				const char *mine)
{
	_cleanup_free_ char *link = tree_path(s, "%s/kernel-%s-%s", op->module,
					      op->kernelver, op->arch);
	_cleanup_free_ char *dst = NULL;
	struct stat st;

	if (!link || !mine || lstat(link, &st) == 0)
		return false;
	dst = xasprintf("%s/%s%s/%s", install_tree(s), op->kernelver,
			dest_location, strrchr(mine, '/') + 1);
	return dst && !strcmp(dst, found) && files_equal(found, mine);
}

/* *skip: leave this module out (message printed), as 3.4.3's
 * check_version_sanity returning 1; 0 or -errno. */
static int check_version_sanity(struct dkms_session *s,
				const struct dkms_op *op, const char *obs,
				const char *name, const char *dest_location,
				const char *cs, bool *skip)
{
	_cleanup_free_ char *lib = xasprintf("%s/%s", install_tree(s), op->kernelver);
	_cleanup_free_ char *moddir = tree_path(s, "%s/%s/%s/%s/module", op->module,
						op->version, op->kernelver, op->arch);
	_cleanup_free_ char *suffix = xasprintf(".ko%s", cs);
	_cleanup_free_ char *mine = NULL;
	struct modver vmine = { 0 }, vkern = { 0 };
	char **found = NULL;
	const char *cmp;
	int r = 0;

	*skip = false;
	if (!lib || !moddir || !suffix)
		return -ENOMEM;
	if (obs && *obs && obsoleted(s, op->kernelver, obs)) {
		dkms_printf(s->ctx, DKMS_STDERR,
			    "\nModule has been obsoleted due to being included in kernel %s.\n"
			    "We will avoid installing for future kernels above %s.\n"
			    "You may override by specifying --force.\n", obs, obs);
		*skip = true;
		return 0;
	}
	found = find_module(lib, name, suffix);
	if (!found || !found[0] ||
	    dkms_opt(s, DKMS_OPT_FORCE_VERSION_OVERRIDE))
		goto out;
	mine = ko_in_dir(moddir, name, cs);
	cmp = compare_module_version(s->ctx, found[0], mine ? mine : "");
	if (dkms_opt(s, DKMS_OPT_FORCE))
		goto out;
	if (own_unfinished_copy(s, op, dest_location, found[0], mine))
		goto out;
	if (modinfo_version(s->ctx, mine, &vmine) < 0 ||
	    modinfo_version(s->ctx, found[0], &vkern) < 0) {
		r = -ENOMEM;
		goto out;
	}
	if (!strcmp(cmp, ">")) {
		/* 3.4.3's error() here, not die: the module is skipped */
		dkms_die(s, 0, "Module version %s for %s%s\nis not newer than "
			 "what is already found in kernel %s (%s).\nYou may "
			 "override by specifying --force.", vmine.version, name,
			 suffix, op->kernelver, vkern.version);
		*skip = true;
	} else if (!strcmp(cmp, "==")) {
		/* unversioned modules count as the same when identical */
		if (*vmine.version || *vmine.srcversion ||
		    files_equal(found[0], mine)) {
			if (*vmine.version)
				dkms_printf(s->ctx, DKMS_STDERR, "Module %s already "
					    "installed at version %s, override by "
					    "specifying --force\n", found[0],
					    vmine.version);
			else
				dkms_printf(s->ctx, DKMS_STDERR, "Module %s already "
					    "installed (unversioned module), override "
					    "by specifying --force\n", found[0]);
			*skip = true;
		}
	}
out:
	modver_clear(&vmine);
	modver_clear(&vkern);
	strv_free(found);
	return r;
}

/* Move a distribution's module of the same name aside, the first of:
 * <lib>/extra, <lib>/updates, <lib><dest>, anywhere in <lib>. */
static int archive_original(struct dkms_session *s, const struct dkms_op *op,
			    const struct modrec *m, const char *cs,
			    const char *backup, const char *active_link,
			    struct journal *j)
{
	_cleanup_free_ char *lib = xasprintf("%s/%s", install_tree(s), op->kernelver);
	_cleanup_free_ char *copy = ko_in_dir(backup, m->dest_name, cs);
	_cleanup_free_ char *suffix = xasprintf(".ko%s", cs);
	char *cand[3] = { NULL, NULL, NULL };
	char **found = NULL;
	struct stat st;
	size_t i;
	int r = 0;

	if (!lib || !suffix)
		return -ENOMEM;
	/* ours: a backup without the kernel link is one an install stopped
	 * before its link left: what is in place now is ours, and the
	 * backup is never overwritten (crash safety) */
	if ((lstat(active_link, &st) == 0 && S_ISLNK(st.st_mode)) || copy) {
		if (copy)
			dkms_echo(s, "An original module was already stored "
				  "during a previous install");
		return 0;
	}
	{
		_cleanup_free_ char *e = path_join(lib, "extra");
		_cleanup_free_ char *u = path_join(lib, "updates");
		_cleanup_free_ char *d = xasprintf("%s%s", lib, m->dest_location);

		cand[0] = e ? ko_in_dir(e, m->dest_name, cs) : NULL;
		cand[1] = u ? ko_in_dir(u, m->dest_name, cs) : NULL;
		cand[2] = d ? ko_in_dir(d, m->dest_name, cs) : NULL;
	}
	found = find_module(lib, m->dest_name, suffix);
	for (i = 0; i < 3 || (found && found[i - 3]); i++) {
		const char *c = i < 3 ? cand[i] : found[i - 3];
		_cleanup_free_ char *origin = NULL, *line = NULL, *dst = NULL;

		if (!c || stat(c, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		dkms_echo(s, "Found pre-existing %s, archiving for "
			  "uninstallation", c);
		dst = path_join(backup, strrchr(c, '/') + 1);
		origin = xasprintf("%s.origin", dst ? dst : "");
		line = xasprintf("%s\n", c);
		if (!dst || !origin || !line) {
			r = -ENOMEM;
			break;
		}
		/* where it goes back first: a crash between the two leaves a
		 * .origin that uninstall skips, never a backup without one */
		r = journal_stage_data(j, line, origin, 0644);
		if (r == 0)
			r = journal_add(j, JOP_ARCHIVE, c, dst, NULL);
		break;
	}
	for (i = 0; i < 3; i++)
		free(cand[i]);
	strv_free(found);
	return r;
}

static int install_one_module(struct dkms_session *s, const struct dkms_op *op,
			      const struct modrec *m, const char *cs,
			      struct journal *j)
{
	_cleanup_free_ char *moddir = tree_path(s, "%s/%s/%s/%s/module", op->module,
						op->version, op->kernelver, op->arch);
	_cleanup_free_ char *src = NULL, *dir = NULL, *dst = NULL;

	if (!moddir)
		return -ENOMEM;
	src = ko_in_dir(moddir, m->dest_name, cs);
	dir = xasprintf("%s/%s%s", install_tree(s), op->kernelver, m->dest_location);
	if (!src || !dir)
		return -ENOMEM;
	dst = path_join(dir, strrchr(src, '/') + 1);
	if (!dst)
		return -ENOMEM;
	dkms_echo(s, "Installing %s", dst);
	/* staged beside its place at the commit, renamed into it after */
	if (journal_stage_copy(j, src, dst, 0644,
			       dkms_opt(s, DKMS_OPT_SYMLINK_MODULES)) < 0)
		return dkms_die(s, 6, "Copying '%s' failed", src);
	return 0;
}

static int install_modules(struct dkms_session *s, const struct dkms_op *op,
			   const struct modconf *mc, const char *cs,
			   struct journal *j)
{
	_cleanup_free_ char *backup = tree_path(s, "%s/original_module/%s/%s",
						op->module, op->kernelver, op->arch);
	_cleanup_free_ char *link = tree_path(s, "%s/kernel-%s-%s", op->module,
					      op->kernelver, op->arch);
	_cleanup_free_ char *target = xasprintf("%s/%s/%s", op->version,
						op->kernelver, op->arch);
	bool any = false, skip;
	size_t i;
	int r;

	if (!backup || !link || !target)
		return -ENOMEM;
	for (i = 0; i < mc->n; i++) {
		const struct modrec *m = &mc->mod[i];

		if (m->excluded)
			continue;
		r = check_version_sanity(s, op, mc->obsolete_by, m->dest_name,
					 m->dest_location, cs, &skip);
		if (r < 0)
			return r;
		if (skip)
			continue;
		r = archive_original(s, op, m, cs, backup, link, j);
		if (r < 0)
			return r;
		r = install_one_module(s, op, m, cs, j);
		if (r)
			return r;
		any = true;
	}
	if (mc->n > 0 && !any)
		return dkms_die(s, 6, "Installation aborted.");
	r = journal_add(j, JOP_SYMLINK, link, target, NULL);
	/* the run's own depmod comes after post_install: a recovery's */
	if (r == 0 && !dkms_opt(s, DKMS_OPT_NO_DEPMOD))
		r = journal_add_recovery(j, JOP_DEPMOD, op->kernelver, NULL);
	if (r < 0)
		return r;
	r = journal_commit(j);
	if (r < 0)
		return dkms_die(s, 6, "Installation of %s/%s for kernel %s (%s) "
				"failed: %s.\nNothing was changed.", op->module,
				op->version, op->kernelver, op->arch, strerror(-r));
	r = journal_run(j, false);
	if (r < 0)
		return dkms_die(s, 6, "Installation of %s/%s for kernel %s (%s) "
				"stopped: %s.\nThe next dkms command completes it.",
				op->module, op->version, op->kernelver, op->arch,
				strerror(-r));
	return 0;
}

/* force_installation: <root>/usr/share/dkms/modules_to_force_install/ *
 * list modules (words) to install with --force, or NAME_version-override
 * for --force-version-override. */
static void force_installation(struct dkms_session *s, const char *m)
{
	const char *root = dkms_ctx_get_path(s->ctx, DKMS_PATH_ROOT);
	_cleanup_free_ char *dir = path_join(root ? root : "/",
					     "usr/share/dkms/modules_to_force_install");
	_cleanup_free_ char *vo = xasprintf("%s_version-override", m);
	struct dirent **names = NULL;
	int n, i, hit = 0;

	if (!dir || !vo || !is_dir(dir))
		return;
	n = scandir(dir, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		_cleanup_free_ char *p = NULL, *text = NULL;
		char *w, *save = NULL;

		if (!hit && names[i]->d_name[0] != '.' &&
		    (p = path_join(dir, names[i]->d_name)) &&
		    read_file(p, &text, NULL) == 0) {
			for (w = strtok_r(text, " \t\n", &save); w && !hit;
			     w = strtok_r(NULL, " \t\n", &save)) {
				if (!strcmp(w, m))
					hit = 1;
				else if (!strcmp(w, vo))
					hit = 2;
			}
		}
		free(names[i]);
	}
	free(names);
	if (hit == 1) {
		s->flags |= DKMS_OPT_FORCE;
		dkms_echo(s, "Forcing installation of %s", m);
	} else if (hit == 2) {
		s->flags |= DKMS_OPT_FORCE_VERSION_OVERRIDE;
		dkms_echo(s, "Forcing version override of %s", m);
	}
}

/* 3.4.3's weak-modules commands (kABI tracking on RHEL and SUSE), split
 * as words as it runs them (so SUSE's "${kernelver}" stays as written). */
const char *weak_modules_cmd(struct dkms_session *s, bool add)
{
	const char *dist = dkms_ctx_get_distribution(s->ctx);

	if (s->no_weak_modules)
		return NULL;
	if (startswith(dist, "rhel"))
		return add ? "/usr/sbin/weak-modules --no-initramfs --add-modules"
			   : "/usr/sbin/weak-modules --no-initramfs --remove-modules";
	if (startswith(dist, "sles") || startswith(dist, "suse") ||
	    startswith(dist, "opensuse"))
		return add ? "/usr/lib/module-init-tools/weak-modules2 --add-kernel-modules ${kernelver}"
			   : "/usr/lib/module-init-tools/weak-modules2 --remove-kernel-modules ${kernelver}";
	return NULL;
}

/* list_each_installed_module | weak-modules ... */
void weak_modules_run(struct dkms_session *s, const struct dkms_op *op,
		      const struct modconf *mc, const char *cmd)
{
	const char *cs = module_compressed_suffix(s, op->kernelver);
	struct strbuf list = { 0 };
	_cleanup_free_ char *script = NULL;
	struct dkms_run_opts ro = { 0 };
	size_t i;
	int status;

	for (i = 0; i < mc->n; i++) {
		_cleanup_free_ char *real = find_actual_dest(s, mc, i, op->module,
							     op->kernelver, op->arch, cs);
		_cleanup_free_ char *dir = real ? xasprintf("%s/%s%s", install_tree(s),
							    op->kernelver, real) : NULL;
		_cleanup_free_ char *ko = dir ? ko_in_dir(dir, mc->mod[i].dest_name, cs) : NULL;

		strbuf_addf(&list, "%s\n", ko ? ko : "");
	}
	/* the list on stdin through a here-document, the command unquoted */
	script = xasprintf("%s <<'DKMS_WEAK_EOF'\n%sDKMS_WEAK_EOF\n", cmd,
			   strbuf_str(&list));
	strbuf_release(&list);
	if (!script)
		return;
	ro.shell = script;
	ro.out_fd = DKMS_RUN_OUT_INHERIT;
	dkms_run(&ro, &status);
}

/* --modprobe-on-install / modprobe_on_install: on the running kernel,
 * load what the devices ask for, now that the new modules are there. */
static void modprobe_now(struct dkms_session *s, const char *kver)
{
	_cleanup_free_ char *running = uname_r();
	struct dkms_run_opts ro = { 0 };
	int status;

	if (!dkms_opt(s, DKMS_OPT_MODPROBE_ON_INSTALL) || !running ||
	    strcmp(running, kver))
		return;
	ro.shell = "find /sys/devices -name modalias -print0 | xargs -0 cat | "
		   "sort -u | xargs modprobe -a -b -q\n"
		   "if [ -f /lib/systemd/system/systemd-modules-load.service ]; then "
		   "systemctl restart systemd-modules-load.service; fi";
	ro.out_fd = DKMS_RUN_OUT_INHERIT;
	dkms_run(&ro, &status);
}

static int install(struct dkms_session *s, const struct dkms_op *op,
		   bool dependents);

int dkms_op_install(struct dkms_session *s, const struct dkms_op *op)
{
	return install(s, op, true);
}

/* ---- last known good (ours) ------------------------------------------
 * A rebuild of an installed module (BUILD_DEPENDS_REBUILD) uninstalls
 * and unbuilds it before building it again; 3.4.3 leaves the kernel
 * without the module when that build fails.  We move the installed build
 * aside first (a dot name beside the kernel dirs, which no glob of
 * 3.4.3's sees) and, when no new build got installed, put it back and
 * install it again.  A journal holds the one step that does this, so a
 * dkms killed anywhere in the rebuild leaves it to the next command.
 * Before the rebuild lkg_begin() journals that the last good build must
 * stay installed; after the uninstall lkg_save() moves that build aside;
 * after the rebuild lkg_settle() drops it or, when the module is not
 * installed any more (the build or the install failed: r), puts it back,
 * installs it again and says so.  A recovery does the same
 * (dkms_lkg_recover(), the JOP_KEEP_GOOD step). */

struct dkms_lkg {
	struct journal *j;
	char *saved, *ka;
};

static char *lkg_path(struct dkms_session *s, const struct dkms_op *op)
{
	return tree_path(s, "%s/%s/.%s-%s.dkms-lkg", op->module, op->version,
			 op->kernelver, op->arch);
}

static void lkg_free(struct dkms_lkg *l)
{
	if (!l)
		return;
	journal_free(l->j);
	free(l->saved);
	free(l->ka);
	free(l);
}

static int lkg_begin(struct dkms_session *s, const struct dkms_op *op,
		     struct dkms_lkg **ret)
{
	_cleanup_free_ char *what = xasprintf("rebuild of %s/%s for kernel %s (%s)",
					      op->module, op->version,
					      op->kernelver, op->arch);
	struct dkms_lkg *l = calloc(1, sizeof(*l));
	int r;

	*ret = NULL;
	if (!l || !what)
		goto nomem;
	l->saved = lkg_path(s, op);
	l->ka = tree_path(s, "%s/%s/%s/%s", op->module, op->version,
			  op->kernelver, op->arch);
	l->j = journal_new(s, what);
	if (!l->saved || !l->ka || !l->j)
		goto nomem;
	r = journal_add(l->j, JOP_KEEP_GOOD, l->saved, l->ka, NULL);
	if (r == 0)
		r = journal_commit(l->j);
	if (r < 0) {
		lkg_free(l);
		return r;
	}
	*ret = l;
	return 0;
nomem:
	lkg_free(l);
	return -ENOMEM;
}

static int lkg_save(struct dkms_lkg *l)
{
	if (!is_dir(l->ka))
		return 0;
	rm_rf(l->saved);
	return rename(l->ka, l->saved) < 0 ? -errno : 0;
}

/* What the step does, in the run and in a recovery: the module is
 * installed (the rebuild worked): the kept build goes; else the kept
 * build (or the build still in place) is installed again (*again).  0,
 * or why it could not be: the install's error. */
static int keep_good(struct dkms_session *s, const struct dkms_op *op,
		     const char *saved, const char *ka, bool *again)
{
	_cleanup_free_ char *k = tree_path(s, "%s/%s/%s", op->module,
					   op->version, op->kernelver);
	struct stat st;
	int r;

	*again = false;
	if (!k)
		return -ENOMEM;
	if (dkms_is_installed(s, op))
		return rm_rf(saved);
	if (lstat(saved, &st) == 0) {
		rm_rf(ka);
		r = mkdir_p(k, 0755);
		if (r == 0 && rename(saved, ka) < 0)
			r = -errno;
		if (r < 0)
			return r;
	}
	if (!is_dir(ka))
		return 0;
	/* not its dependents: their rebuild is what failed */
	r = install(s, op, false);
	*again = r == 0;
	return r;
}

/* Returns r. */
static int lkg_settle(struct dkms_session *s, const struct dkms_op *op,
		      struct dkms_lkg *l, int r)
{
	bool again;
	int q;

	if (!l)
		return r;
	/* an I/O error (no dkms exit code), an operation inside left its
	 * journal: the next command finishes that one, then this one
	 * (newest first) */
	if ((r && !dkms_errno_is_exit(r)) || journal_others_pending(l->j)) {
		lkg_free(l);
		return r;
	}
	if (!dkms_is_installed(s, op)) {
		dkms_echo(s, "%s", "");
		dkms_echo(s, "Rebuilding module %s/%s for kernel %s (%s) failed: "
			  "installing its last good build again.", op->module,
			  op->version, op->kernelver, op->arch);
	}
	q = keep_good(s, op, l->saved, l->ka, &again);
	if (again)
		dkms_echo(s, "Kept the last good build of %s/%s installed for "
			  "kernel %s (%s).", op->module, op->version,
			  op->kernelver, op->arch);
	else if (q)
		dkms_warn(s, "The last good build of %s/%s for kernel %s (%s) "
			  "could not be installed again.", op->module,
			  op->version, op->kernelver, op->arch);
	if (q == 0)
		journal_end(l->j);
	lkg_free(l);
	return r;
}

static void drop_output(void *data, enum dkms_stream stream, const char *text,
			size_t len)
{
	(void)data;
	(void)stream;
	(void)text;
	(void)len;
}

/* A recovery: saved is <tree>/<m>/<v>/.<k>-<a>.dkms-lkg, ka the build. */
int dkms_lkg_recover(struct dkms_session *s, const char *saved, const char *ka)
{
	const char *tree = dkms_tree(s);
	_cleanup_free_ char *rel = NULL;
	char *m, *v, *k, *a, *save = NULL;
	dkms_output_fn fn;
	void *data;
	struct dkms_op op;
	bool again;
	int r;

	if (!startswith(ka, tree) || ka[strlen(tree)] != '/')
		return -EINVAL;
	rel = strdup(ka + strlen(tree) + 1);
	if (!rel)
		return -ENOMEM;
	m = strtok_r(rel, "/", &save);
	v = strtok_r(NULL, "/", &save);
	k = strtok_r(NULL, "/", &save);
	a = strtok_r(NULL, "/", &save);
	if (!m || !v || !k || !a || strtok_r(NULL, "/", &save))
		return -EINVAL;
	op = (struct dkms_op){ m, v, k, a };
	/* the install's own lines are not the recovering command's (the
	 * recovery's one line says what it did) */
	dkms_ctx_get_output_fn(s->ctx, &fn, &data);
	dkms_ctx_set_output_fn(s->ctx, drop_output, NULL);
	r = keep_good(s, &op, saved, ka, &again);
	dkms_ctx_set_output_fn(s->ctx, fn, data);
	/* an install that failed in 3.4.3's words said so into the void:
	 * the journal, which words only system errors, is told an I/O
	 * error */
	return dkms_errno_is_exit(r) ? -EIO : r;
}

/* Uninstall, unbuild, build and install one module again. */
static int rebuild_one(struct dkms_session *s, char *mv, const char *kver,
		       const char *arch)
{
	char *slash = strchr(mv, '/');
	struct dkms_op op = { mv, slash + 1, kver, arch };
	struct dkms_lkg *lkg = NULL;
	int r;

	*slash = '\0';
	dkms_echo(s, "%s", "");
	dkms_echo(s, "Rebuilding module %s/%s due to updated dependencies",
		  op.module, op.version);
	dkms_echo(s, "%s", "");
	/* ours (journal.h): the installed build is kept aside until the
	 * new one is installed: last known good */
	r = dkms_is_installed(s, &op) ? lkg_begin(s, &op, &lkg) : 0;
	if (r == 0)
		r = dkms_op_uninstall(s, &op);
	if (r == 0 && lkg)
		r = lkg_save(lkg);
	if (r == 0)
		r = dkms_op_unbuild(s, &op);
	if (r == 0)
		r = dkms_op_build(s, &op);
	if (r == 0)
		r = dkms_op_install(s, &op);
	r = lkg_settle(s, &op, lkg, r);
	*slash = '/';
	return r;
}

/* check_and_rebuild_dependent_modules after an install on kver/arch: the
 * modules rebuild.c finds rebuilt and reinstalled, in one pass, in status
 * order; a failed one ends the install with its code, as in 3.4.3. */
static int rebuild_dependents(struct dkms_session *s, const char *kver,
			      const char *arch)
{
	struct namelist mv = { 0 };
	size_t i;
	int r;

	r = dkms_dependents_to_rebuild(s, kver, arch, &mv);
	for (i = 0; r == 0 && i < mv.n; i++)
		r = rebuild_one(s, mv.v[i], kver, arch);
	namelist_clear(&mv);
	return r;
}

static int install(struct dkms_session *s, const struct dkms_op *op,
		   bool dependents)
{
	_cleanup_free_ char *lib = NULL, *moddir = NULL, *cmd = NULL, *what = NULL;
	_cleanup_(journal_freep) struct journal *j = NULL;
	unsigned int saved = s->flags;
	struct modconf mc = { 0 };
	struct dkms_op named;
	const char *cs;
	size_t i;
	int r;

	if (!op->kernelver || !*op->kernelver || !op->arch || !*op->arch)
		return dkms_die(s, 16, "do_install: Empty $kernelver or $arch");
	if (!dkms_is_built(s, op)) {
		r = dkms_op_build(s, op);
		if (r)
			return r;
		/* a source dir or an archive named the module: go on with it */
		named = dkms_op_named(s, op);
		op = &named;
	}
	lib = xasprintf("%s/%s", install_tree(s), op->kernelver);
	moddir = tree_path(s, "%s/%s/%s/%s/module", op->module, op->version,
			   op->kernelver, op->arch);
	cmd = xasprintf("do_depmod %s", op->kernelver);
	if (!lib || !moddir || !cmd)
		return -ENOMEM;
	force_installation(s, op->module);
	if (!path_exists(lib)) {
		r = dkms_die(s, 6, "The directory %s doesn't exist.\nYou cannot "
			     "install a module onto a non-existent kernel.", lib);
		goto out;
	}
	cs = module_compressed_suffix(s, op->kernelver);
	r = modconf_read(s, op->module, op->version, op->kernelver, op->arch,
			 NULL, MC_STRICT, &mc);
	if (r)
		goto out;
	for (i = 0; i < mc.n; i++) {
		_cleanup_free_ char *f = NULL;

		if (mc.mod[i].excluded)
			continue;
		f = ko_in_dir(moddir, mc.mod[i].dest_name, cs);
		if (!f) {
			r = dkms_die(s, 6, "Missing module %s in %s",
				     mc.mod[i].dest_name, moddir);
			goto out;
		}
	}
	if (dkms_is_installed(s, op)) {
		r = dkms_die(s, 5, "This module/version combo is already "
			     "installed for kernel %s (%s).", op->kernelver,
			     op->arch);
		goto out;
	}
	if (dkms_opt(s, DKMS_OPT_RPM_SAFE_UPGRADE))
		s->flags |= DKMS_OPT_FORCE;
	if (run_build_script(s, op, "pre_install", mc.pre_install, NULL) != 0 &&
	    !dkms_opt(s, DKMS_OPT_FORCE)) {
		r = dkms_die(s, 101, "pre_install failed, aborting install.\n"
			     "You may override by specifying --force.");
		goto out;
	}
	what = xasprintf("install of %s/%s for kernel %s (%s)", op->module,
			 op->version, op->kernelver, op->arch);
	j = what ? journal_new(s, what) : NULL;
	if (!j) {
		r = -ENOMEM;
		goto out;
	}
	r = install_modules(s, op, &mc, cs, j);
	if (r)
		goto out;
	if (!mc.no_weak_modules && weak_modules_cmd(s, true)) {
		dkms_echo(s, "Adding linked weak modules...");
		weak_modules_run(s, op, &mc, weak_modules_cmd(s, true));
	}
	run_build_script(s, op, "post_install", mc.post_install, NULL);
	/* an injected fault here leaves the journal: the next command's
	 * recovery runs depmod */
	if (dkms_fault("depmod") < 0) {
		r = -EIO;
		goto out;
	}
	/* depmod's own failure (its exit status) is 3.4.3's "depmod
	 * problems" (6); ours to run it (memory) is an error of its own */
	r = dkms_op_depmod(s, op->kernelver);
	if (r && !dkms_errno_is_exit(r))
		goto out;
	if (journal_end(j) < 0 && r == 0) {
		r = -EIO;
		goto out;
	}
	if (r) {
		dkms_op_uninstall(s, op);
		r = dkms_die(s, 6, "Problems with depmod detected. Automatically "
			     "uninstalling this module.\nInstall Failed (depmod "
			     "problems). Module rolled back to built state.");
		goto out;
	}
	modprobe_now(s, op->kernelver);
	initramfs_note(s, op, &mc);
out:
	s->flags = saved;
	modconf_clear(&mc);
	/* BUILD_DEPENDS_REBUILD: dependents of what was just installed,
	 * after --force is back to the command's */
	if (r == 0 && dependents)
		r = rebuild_dependents(s, op->kernelver, op->arch);
	return r;
}

int dkms_op_maybe_install(struct dkms_session *s, const struct dkms_op *op)
{
	int r;

	if (dkms_is_installed(s, op)) {
		if (!dkms_opt(s, DKMS_OPT_FORCE)) {
			dkms_echo(s, "Module %s/%s already installed on kernel %s "
				  "(%s), skip. You may override by specifying "
				  "--force.", op->module, op->version,
				  op->kernelver, op->arch);
			return 0;
		}
		/* as 3.4.3's do_uninstall, which dies in the subshell of
		 * maybe_install_module (a bad dkms.conf); one stopped by an
		 * I/O error is left for the next command to complete, not
		 * installed over */
		r = dkms_op_uninstall(s, op);
		if (r)
			return r;
		dkms_echo(s, "%s", "");
	}
	return dkms_op_install(s, op);
}

int dkms_cmd_install(struct dkms_session *s, const char *m, const char *v,
		     const struct dkms_kernels *k)
{
	/* each kernel in a subshell in 3.4.3: go on after a failure */
	return dkms_each_kernel(s, m, v, k, dkms_op_maybe_install);
}
