/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `dkms unbuild` and `dkms remove`: 3.4.3's do_unbuild, unbuild_module and
 * remove_module.  The version directory goes with its last kernel, the
 * module directory with its last version. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cycle.h"
#include "fault.h"
#include "journal.h"

int dkms_op_unbuild(struct dkms_session *s, const struct dkms_op *op)
{
	_cleanup_free_ char *ka = tree_path(s, "%s/%s/%s/%s", op->module,
					    op->version, op->kernelver, op->arch);
	_cleanup_free_ char *k = tree_path(s, "%s/%s/%s", op->module,
					   op->version, op->kernelver);

	if (!ka || !k)
		return -ENOMEM;
	if (dkms_fault("unbuild") < 0)
		return -EIO;
	rm_rf(ka);
	if (!dir_has_subdir(k, NULL))
		rm_rf(k);
	return 0;
}

int dkms_op_maybe_unbuild(struct dkms_session *s, const struct dkms_op *op)
{
	if (!dkms_is_built(s, op)) {
		dkms_echo(s, "Module %s/%s is not built for kernel %s (%s). "
			  "Skipping...", op->module, op->version, op->kernelver,
			  op->arch);
		return 0;
	}
	return dkms_op_unbuild(s, op);
}

/* maybe_unbuild_module's steps appended to j */
static int plan_maybe_unbuild(struct dkms_session *s, const struct dkms_op *op,
			      struct journal *j)
{
	_cleanup_free_ char *ka = tree_path(s, "%s/%s/%s/%s", op->module,
					    op->version, op->kernelver, op->arch);
	_cleanup_free_ char *k = tree_path(s, "%s/%s/%s", op->module,
					   op->version, op->kernelver);
	_cleanup_free_ char *msg = NULL;
	int r;

	if (!ka || !k)
		return -ENOMEM;
	if (dkms_is_built(s, op)) {
		r = journal_add(j, JOP_RMTREE, ka, NULL, NULL);
		return r ? r : journal_add(j, JOP_RMTREE_LEAF, k, NULL, NULL);
	}
	msg = xasprintf("Module %s/%s is not built for kernel %s (%s). Skipping...",
			op->module, op->version, op->kernelver, op->arch);
	return msg ? journal_add(j, JOP_MSG, NULL, NULL, msg) : -ENOMEM;
}

static struct journal *journal_for(struct dkms_session *s, const char *cmd,
				   const char *m, const char *v)
{
	_cleanup_free_ char *what = xasprintf("%s of %s/%s", cmd, m, v);

	return what ? journal_new(s, what) : NULL;
}

int dkms_cmd_unbuild(struct dkms_session *s, const char *m, const char *v,
		     const struct dkms_kernels *k)
{
	size_t i;
	int r;

	for (i = 0; i < k->n; i++) {
		struct dkms_op op = { m, v, k->kernelver[i], k->arch[i] };
		_cleanup_(journal_freep) struct journal *j = journal_for(s, "unbuild", m, v);

		if (!j)
			return -ENOMEM;
		if (i)
			dkms_echo(s, "%s", "");
		r = dkms_plan_maybe_uninstall(s, &op, j);
		if (r == 0)
			r = plan_maybe_unbuild(s, &op, j);
		if (r == 0)
			r = dkms_journal_do(s, j);
		if (r)
			return r;
	}
	return 0;
}

/* rm -rf <m>/<v>/ * /.tmp_* and drop empty directories right below <m>/<v>
 * (leftovers of interrupted builds) */
static void clean_leftovers(const char *mv)
{
	DIR *d = opendir(mv);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		_cleanup_free_ char *k = NULL;
		struct stat st;
		DIR *kd;
		struct dirent *ke;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		k = path_join(mv, de->d_name);
		kd = k ? opendir(k) : NULL;
		while (kd && (ke = readdir(kd))) {
			_cleanup_free_ char *t = NULL;

			if (!startswith(ke->d_name, ".tmp_"))
				continue;
			t = path_join(k, ke->d_name);
			if (t)
				rm_rf(t);
		}
		if (kd)
			closedir(kd);
		if (k && lstat(k, &st) == 0 && S_ISDIR(st.st_mode) &&
		    dir_is_empty(k))
			rmdir(k);
	}
	if (d)
		closedir(d);
	if (dir_is_empty(mv))
		rmdir(mv);
}

/* Subdirectories other than what a version always has. */
bool remove_has_kernel_dirs(const char *mv)
{
	static const char *const keep[] = { "build", "tarball", "driver_disk",
					    "rpm", "deb", "source" };
	DIR *d = opendir(mv);
	struct dirent *de;
	bool found = false;

	while (!found && d && (de = readdir(d))) {
		_cleanup_free_ char *p = NULL;
		struct stat st;
		size_t i;

		if (de->d_name[0] == '.')
			continue;
		p = path_join(mv, de->d_name);
		/* find -type d: a link to a directory (source) is no dir */
		if (!p || lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		found = true;
		/* 3.4.3 greps the paths: a name ending in one of these counts
		 * as one of these */
		for (i = 0; i < ARRAY_SIZE(keep); i++)
			if (endswith(de->d_name, keep[i]))
				found = false;
	}
	if (d)
		closedir(d);
	return found;
}

/* `ls DIR | wc -w` is 0 */
bool remove_no_visible_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool none = true;

	while (none && d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			none = false;
	if (d)
		closedir(d);
	return none;
}

int dkms_cmd_remove(struct dkms_session *s, const char *m, const char *v,
		    const struct dkms_kernels *k)
{
	_cleanup_free_ char *mv = tree_path(s, "%s/%s", m, v);
	_cleanup_free_ char *md = tree_path(s, "%s", m);
	_cleanup_(journal_freep) struct journal *j = NULL;
	_cleanup_free_ char *msg = NULL;
	size_t i;
	int r;

	if (!mv || !md)
		return -ENOMEM;
	clean_leftovers(mv);
	if (dkms_opt(s, DKMS_OPT_RPM_SAFE_UPGRADE)) {
		r = rpm_safe_upgrade_check(s, m, v);
		if (r < 0)
			return r;
		if (r) {
			dkms_warn(s, "Remove cancelled because --rpm_safe_upgrade "
				  "scenario detected.");
			return 0;
		}
	}
	/* one journal for the whole command: the tree and the module
	 * directories end as before it or as after it */
	j = journal_for(s, "remove", m, v);
	msg = xasprintf("Deleting module %s/%s completely from the DKMS tree.", m, v);
	if (!j || !msg)
		return -ENOMEM;
	for (i = 0; i < k->n; i++) {
		struct dkms_op op = { m, v, k->kernelver[i], k->arch[i] };

		r = dkms_plan_maybe_uninstall(s, &op, j);
		if (r == 0)
			r = plan_maybe_unbuild(s, &op, j);
		if (r == 0)
			r = journal_add(j, JOP_MSG, NULL, NULL, "");
		if (r > 0)
			dkms_journal_do(s, j);
		if (r)
			return r;
	}
	r = journal_add(j, JOP_DROP_VERSION, mv, NULL, msg);
	if (r == 0)
		r = journal_add(j, JOP_DROP_MODULE, md, NULL, NULL);
	return r ? r : dkms_journal_do(s, j);
}
