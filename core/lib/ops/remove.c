/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `dkms remove`: 3.4.3's remove_module.  The version directory goes with
 * its last kernel, the module directory with its last version. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops.h"

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

int dkms_cmd_remove(struct dkms_session *s, const char *m, const char *v,
		    const struct dkms_kernels *k)
{
	_cleanup_free_ char *mv = tree_path(s, "%s/%s", m, v);
	_cleanup_free_ char *md = tree_path(s, "%s", m);
	_cleanup_(journal_freep) struct journal *j = NULL;
	_cleanup_free_ char *msg = NULL;
	bool upgrade;
	size_t i;
	int r;

	if (!mv || !md)
		return -ENOMEM;
	clean_leftovers(mv);
	if (dkms_opt(s, DKMS_OPT_RPM_SAFE_UPGRADE)) {
		r = rpm_safe_upgrade_check(s, m, v, &upgrade);
		if (r < 0)
			return r;
		if (upgrade) {
			dkms_warn(s, "Remove cancelled because --rpm_safe_upgrade "
				  "scenario detected.");
			return 0;
		}
	}
	/* one journal for the whole command: the tree and the module
	 * directories end as before it or as after it */
	j = dkms_journal_for(s, "remove", m, v);
	msg = xasprintf("Deleting module %s/%s completely from the DKMS tree.", m, v);
	if (!j || !msg)
		return -ENOMEM;
	for (i = 0; i < k->n; i++) {
		struct dkms_op op = { m, v, k->kernelver[i], k->arch[i] };

		r = dkms_plan_maybe_uninstall(s, &op, j);
		if (r == 0)
			r = dkms_plan_maybe_unbuild(s, &op, j);
		if (r == 0)
			r = journal_add(j, JOP_MSG, NULL, NULL, "");
		/* 3.4.3 died there, after what it had done */
		if (dkms_errno_is_exit(r))
			dkms_journal_do(s, j);
		if (r)
			return r;
	}
	r = journal_add(j, JOP_DROP_VERSION, mv, NULL, msg);
	if (r == 0)
		r = journal_add(j, JOP_DROP_MODULE, md, NULL, NULL);
	return r ? r : dkms_journal_do(s, j);
}
