/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Upgrades in a batch: the old version goes where the new one is
 * installed.  Before the builds, the old version is uninstalled wherever
 * it is installed (3.4.3 will not install a version over another one),
 * and stays built; after them, a kernel the new version did not install
 * on gets the old one installed again, and the old version goes from
 * every other kernel.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/batch-run.h"

static int old_kernels(void *data, const struct dkms_status_entry *e)
{
	struct olds *o = data;

	return kernel_list_add(e->state == DKMS_STATE_INSTALLED ? &o->installed
			       : &o->built, e->kernelver, e->arch);
}

static int olds_collect(struct dkms_session *s, struct swap *w)
{
	int r;

	r = dkms_status_built_walk(s, w->m, w->old, NULL, NULL, old_kernels,
				   &w->k);
	return r < 0 ? r : 0;
}

static void olds_clear(struct olds *k)
{
	kernel_list_clear(&k->installed);
	kernel_list_clear(&k->built);
}

/* Where the old version is installed: uninstalled, left built. */
static void upgrade_prepare(struct run *run, struct swap *w)
{
	struct olds *k = &w->k;
	size_t i;
	int r;

	if (!dkms_is_added(run->s, w->m, w->old) || olds_collect(run->s, w) < 0)
		return;
	for (i = 0; i < k->installed.n; i++) {
		struct dkms_op op = { w->m, w->old, k->installed.kver[i],
				      k->installed.arch[i] };

		r = dkms_op_maybe_uninstall(run->s, &op);
		if (r)
			record(run, w->event, &op, r, NULL);
	}
}

/* The old version stays on a kernel the new one did not install on; its
 * source is copied into the tree, <m>/<v>/.source-kept, and its source
 * link points there: its package's files are going, and a link to them
 * would leave it broken (3.4.3 takes a version for added only while its
 * source is a link to a directory). */
static int keep_source(struct dkms_session *s, const char *m, const char *v)
{
	_cleanup_free_ char *link = tree_path(s, "%s/%s/source", m, v);
	_cleanup_free_ char *kept = tree_path(s, "%s/%s/.source-kept", m, v);
	_cleanup_free_ char *tmp = tree_path(s, "%s/%s/.source-kept.new", m, v);
	_cleanup_free_ char *ltmp = tree_path(s, "%s/%s/.source.new", m, v);
	_cleanup_free_ char *from = NULL;

	if (!link || !kept || !tmp || !ltmp)
		return -ENOMEM;
	from = realpath(link, NULL);
	if (!from || !is_dir(from) || !strcmp(from, kept))
		return 0; /* gone already, or kept already */
	rm_rf(tmp);
	unlink(ltmp);
	if (copy_tree(from, tmp) < 0 || (is_dir(kept) && rm_rf(kept) < 0) ||
	    rename(tmp, kept) < 0 || symlink(kept, ltmp) < 0 ||
	    rename(ltmp, link) < 0) {
		rm_rf(tmp);
		unlink(ltmp);
		return -EIO;
	}
	return 0;
}

/* A failure dkms has no exit code for: memory, I/O. */
static bool our_error(int r)
{
	return r < 0 && !dkms_errno_is_exit(r);
}

/* Back on the kernels the new version did not take: 0, or what failed. */
static int reinstall_old(struct run *run, const struct swap *w,
			 struct dkms_kernels *drop)
{
	const struct olds *k = &w->k;
	size_t i;
	int r = 0, q;

	for (i = 0; i < k->installed.n; i++) {
		struct dkms_op op = { w->m, w->old, k->installed.kver[i],
				      k->installed.arch[i] };
		struct dkms_op nop = { w->m, w->new, op.kernelver, op.arch };
		_cleanup_free_ char *why = NULL;

		if (dkms_is_installed(run->s, &nop)) {
			if ((q = dkms_kernels_add_kernel(drop, op.kernelver)) ||
			    (q = dkms_kernels_add_arch(drop, op.arch)))
				return q;
			continue;
		}
		q = dkms_op_maybe_install(run->s, &op);
		why = xasprintf("%s/%s did not install on this kernel: %s/%s %s",
				w->m, w->new, w->m, w->old,
				q ? "could not be installed again" : "stays installed");
		if (q == 0)
			dkms_echo(run->s, "dkms: kernel %s keeps %s/%s: %s/%s did "
				  "not install on it.", op.kernelver, w->m, w->old,
				  w->m, w->new);
		record(run, w->event, &op, q, why);
		if (q && !r)
			r = q;
	}
	return r;
}

static void upgrade_finish(struct run *run, const struct swap *w)
{
	const struct olds *k = &w->k;
	struct dkms_session *s = run->s;
	struct dkms_kernels drop = { 0 };
	size_t i;
	int r;

	if (!dkms_is_added(s, w->m, w->old))
		return;
	/* a module that failed goes on; an error of ours (no exit code)
	 * leaves the old version as it is */
	r = reinstall_old(run, w, &drop);
	if (!our_error(r) && drop.n == k->installed.n) {
		struct dkms_op op = { w->m, w->old, NULL, NULL };

		/* the new version took every kernel: the old one goes */
		record(run, w->event, &op, remove_all(s, w->m, w->old), NULL);
		goto out;
	}
	for (i = 0; !our_error(r) && i < k->built.n; i++)
		if ((r = dkms_kernels_add_kernel(&drop, k->built.kver[i])) == 0)
			r = dkms_kernels_add_arch(&drop, k->built.arch[i]);
	if (!our_error(r) && drop.n)
		r = dkms_cmd_remove(s, w->m, w->old, &drop);
	if (!our_error(r))
		r = keep_source(s, w->m, w->old);
	if (r) {
		struct dkms_op op = { w->m, w->old, NULL, NULL };

		record(run, w->event, &op, r, NULL);
	}
out:
	dkms_kernels_clear(&drop);
	run->changed = true;
}

static int swap_add(struct upgrades *w, const char *m, const char *old,
		    const char *new, size_t event)
{
	struct swap *nv;
	size_t i;

	for (i = 0; i < w->n; i++)
		if (!strcmp(w->v[i].m, m) && !strcmp(w->v[i].old, old))
			return 0;
	nv = realloc(w->v, (w->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	w->v = nv;
	nv[w->n++] = (struct swap){ m, old, new, event, { { 0 }, { 0 } } };
	return 0;
}

/* Versions of module m an earlier upgrade kept (<m>/<v>/.source-kept),
 * other than v (their names kept in w->names). */
static int kept_versions(struct run *run, const struct batch_event *e,
			 size_t event, struct upgrades *w)
{
	_cleanup_free_ char *dir = tree_path(run->s, "%s", e->module);
	struct namelist vers = { 0 };
	size_t i;
	int r;

	if (!dir)
		return -ENOMEM;
	r = namelist_dir(&vers, dir, true);
	for (i = 0; r == 0 && i < vers.n; i++) {
		_cleanup_free_ char *kept = tree_path(run->s, "%s/%s/.source-kept",
						      e->module, vers.v[i]);

		if (!kept || !is_dir(kept) || !strcmp(vers.v[i], e->version))
			continue;
		r = namelist_add(&w->names, vers.v[i]);
		if (r == 0)
			r = swap_add(w, e->module, w->names.v[w->names.n - 1],
				     e->version, event);
	}
	namelist_clear(&vers);
	return r == -ENOENT ? 0 : r;
}

int upgrades_collect(struct run *run, struct upgrades *w)
{
	const struct batch_plan *p = run->p;
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < p->n_upgrades; i++) {
		const struct batch_event *o = &p->ev[p->upgrades[i].gone];

		r = swap_add(w, o->module, o->version,
			     p->ev[p->upgrades[i].added].version,
			     p->upgrades[i].gone);
	}
	for (i = 0; r == 0 && i < p->n_sources_new; i++)
		r = kept_versions(run, &p->ev[p->sources_new[i]],
				  p->sources_new[i], w);
	return r;
}

void upgrades_prepare(struct run *run, struct upgrades *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		upgrade_prepare(run, &w->v[i]);
}

void upgrades_finish(struct run *run, struct upgrades *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		upgrade_finish(run, &w->v[i]);
}

void upgrades_clear(struct upgrades *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		olds_clear(&w->v[i].k);
	free(w->v);
	namelist_clear(&w->names);
}

