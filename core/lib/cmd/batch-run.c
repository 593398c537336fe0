/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running a batch's plan (batch-plan.c).  Every step ends in an outcome,
 * never in a stop: a package manager's transaction goes on whatever a
 * module does.  depmod is held to the end (once per kernel), and so are
 * the initramfs and post_transaction.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"

struct run {
	struct dkms_session *s;
	const struct batch_plan *p;
	struct batch_outcomes *out;
	bool changed;          /* something was added, installed or removed */
	int err;               /* -ENOMEM met while recording */
};

void batch_outcomes_clear(struct batch_outcomes *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->v[i].module);
		free(o->v[i].version);
		free(o->v[i].kernelver);
		free(o->v[i].arch);
		free(o->v[i].reason);
		free(o->v[i].log);
		free(o->v[i].output);
	}
	free(o->v);
	strbuf_release(&o->pending);
	memset(o, 0, sizeof(*o));
}

static int outcome_add(struct batch_outcomes *o, size_t event,
		       const struct batch_event *e, const struct dkms_op *op,
		       int status, const char *reason, const char *log)
{
	struct batch_outcome *nv = realloc(o->v, (o->n + 1) * sizeof(*nv));
	struct batch_outcome *x;

	if (!nv)
		return -ENOMEM;
	o->v = nv;
	x = &nv[o->n++];
	memset(x, 0, sizeof(*x));
	x->event = event;
	x->kind = e->kind;
	x->status = status;
	x->module = strdup(op->module ? op->module : "");
	x->version = strdup(op->version ? op->version : "");
	x->kernelver = strdup(op->kernelver ? op->kernelver : "");
	x->arch = strdup(op->arch ? op->arch : "");
	if (reason)
		x->reason = strdup(reason);
	if (log)
		x->log = strdup(log);
	/* the messages printed since the outcome before are this one's */
	if (o->pending.len)
		x->output = strbuf_steal(&o->pending);
	if (!x->module || !x->version || !x->kernelver || !x->arch ||
	    (reason && !x->reason) || (log && !x->log))
		return -ENOMEM;
	return 0;
}

/* The outcome of event i done as a whole (kernel or version wide). */
static void record(struct run *run, size_t i, const struct dkms_op *op,
		   int status, const char *reason)
{
	const struct batch_event *e = &run->p->ev[i];
	_cleanup_free_ char *log = NULL;
	int r;

	if (status && !reason)
		reason = run->s->last_error ? run->s->last_error
					    : dkms_failure_words(status);
	if (status && op->module && *op->module) {
		log = tree_path(run->s, "%s/%s/build/make.log", op->module,
				op->version);
		if (log && !path_exists(log)) {
			free(log);
			log = NULL;
		}
	}
	r = outcome_add(run->out, i, e, op, status, reason, log);
	if (r && !run->err)
		run->err = r;
	free(run->s->last_error);
	run->s->last_error = NULL;
}

/* ---- kernels and sources going ---------------------------------------- */

static void kernels_gone(struct run *run)
{
	const struct batch_plan *p = run->p;
	size_t i;

	for (i = 0; i < p->n_kernels_gone; i++) {
		const struct batch_event *e = &p->ev[p->kernels_gone[i]];
		struct dkms_op op = { NULL, NULL, e->kernelver, e->arch };
		int r = dkms_kernel_prerm(run->s, e->kernelver, e->arch);

		record(run, p->kernels_gone[i], &op, r, NULL);
		run->changed = true;
	}
}

/* remove --all for one version; 0 when it is not in the tree. */
static int remove_all(struct dkms_session *s, const char *m, const char *v)
{
	struct dkms_kernels k = { 0 };
	unsigned int flags = s->flags;
	int r;

	if (!dkms_is_added(s, m, v))
		return 0;
	s->flags |= DKMS_OPT_ALL;
	r = dkms_kernels_setup(s, "remove", m, v, &k);
	if (r == 0)
		r = dkms_cmd_remove(s, m, v, &k);
	s->flags = flags;
	dkms_kernels_clear(&k);
	return r;
}

static void sources_gone(struct run *run)
{
	const struct batch_plan *p = run->p;
	size_t i;

	for (i = 0; i < p->n_sources_gone; i++) {
		const struct batch_event *e = &p->ev[p->sources_gone[i]];
		struct dkms_op op = { e->module, e->version, NULL, NULL };

		record(run, p->sources_gone[i], &op,
		       remove_all(run->s, e->module, e->version), NULL);
		run->changed = true;
	}
}

/* ---- dkms's own steps, in the order given ------------------------------ */

static int run_explicit(struct dkms_session *s, const struct batch_event *e)
{
	struct dkms_op op = { e->module, e->version, e->kernelver, e->arch };
	struct dkms_kernels k = { 0 };
	int r;

	switch (e->kind) {
	case DKMS_EVENT_ADD:
		return dkms_is_added(s, e->module, e->version) ? 0
			: dkms_op_add(s, &op);
	case DKMS_EVENT_BUILD:
		return dkms_op_maybe_build(s, &op);
	case DKMS_EVENT_INSTALL:
		return dkms_op_maybe_install(s, &op);
	case DKMS_EVENT_UNINSTALL:
	case DKMS_EVENT_UNBUILD:
	case DKMS_EVENT_REMOVE:
		if (!dkms_is_added(s, e->module, e->version))
			return 0;
		if (dkms_is_broken(s, e->module, e->version))
			return dkms_exit_to_errno(4);
		if (e->kind == DKMS_EVENT_UNINSTALL)
			return dkms_op_maybe_uninstall(s, &op);
		r = dkms_kernels_add_kernel(&k, e->kernelver);
		if (r == 0)
			r = dkms_kernels_add_arch(&k, e->arch);
		if (r == 0)
			r = e->kind == DKMS_EVENT_UNBUILD
				? dkms_cmd_unbuild(s, e->module, e->version, &k)
				: dkms_cmd_remove(s, e->module, e->version, &k);
		dkms_kernels_clear(&k);
		return r;
	default:
		return -EINVAL;
	}
}

static void explicit_steps(struct run *run)
{
	const struct batch_plan *p = run->p;
	size_t i;

	for (i = 0; i < p->n_explicit; i++) {
		const struct batch_event *e = &p->ev[p->explicit[i]];
		struct dkms_op op = { e->module, e->version, e->kernelver, e->arch };

		record(run, p->explicit[i], &op, run_explicit(run->s, e), NULL);
		/* 3.4.3 runs each in a fresh process: nothing carries over */
		free(run->s->prepared_kernel);
		run->s->prepared_kernel = NULL;
		run->changed = true;
	}
}

/* ---- sources arriving ------------------------------------------------- */

/* Add one source: from <source_tree>/<m>-<v>, or copied there from the
 * directory the event names. */
static int add_source(struct dkms_session *s, const struct batch_event *e)
{
	_cleanup_free_ char *std = NULL;
	struct dkms_op op = { e->module, e->version, e->kernelver, e->arch };
	char *saved = s->source_path;
	int r;

	if (dkms_is_added(s, e->module, e->version))
		return 0;
	std = xasprintf("%s/%s-%s", source_tree(s), e->module, e->version);
	if (!std)
		return -ENOMEM;
	if (!e->path || !strcmp(e->path, std))
		return dkms_op_add(s, &op);
	s->source_path = e->path;
	op.module = op.version = NULL;
	r = dkms_op_add(s, &op);
	s->source_path = saved;
	return r;
}

static int sources_new(struct run *run, char ***only)
{
	const struct batch_plan *p = run->p;
	size_t i;
	int r;

	for (i = 0; i < p->n_sources_new; i++) {
		const struct batch_event *e = &p->ev[p->sources_new[i]];
		struct dkms_op op = { e->module, e->version, NULL, NULL };
		char *mv;

		r = add_source(run->s, e);
		if (r) {
			record(run, p->sources_new[i], &op, r, NULL);
			continue;
		}
		run->changed = true;
		mv = xasprintf("%s/%s", e->module, e->version);
		r = mv ? strv_add_unique(only, mv) : -ENOMEM;
		free(mv);
		if (r)
			return r;
	}
	return 0;
}

/* ---- builds: one autoinstall over every kernel concerned --------------- */

struct kernel_list {
	char **kver, **arch;
	size_t n;
};

static void kernel_list_clear(struct kernel_list *k)
{
	strv_free(k->kver);
	strv_free(k->arch);
	memset(k, 0, sizeof(*k));
}

static bool kernel_listed(const struct kernel_list *k, const char *kver,
			  const char *arch)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (!strcmp(k->kver[i], kver) && !strcmp(k->arch[i], arch))
			return true;
	return false;
}

static int kernel_list_add(struct kernel_list *k, const char *kver,
			   const char *arch)
{
	char **nk, **na;

	if (kernel_listed(k, kver, arch))
		return 0;
	nk = realloc(k->kver, (k->n + 2) * sizeof(char *));
	if (nk)
		k->kver = nk;
	na = realloc(k->arch, (k->n + 2) * sizeof(char *));
	if (na)
		k->arch = na;
	if (!nk || !na)
		return -ENOMEM;
	nk[k->n] = strdup(kver);
	na[k->n] = strdup(arch);
	nk[k->n + 1] = na[k->n + 1] = NULL;
	k->n++;
	return nk[k->n - 1] && na[k->n - 1] ? 0 : -ENOMEM;
}

bool batch_has_headers(struct dkms_session *s, const char *kver)
{
	_cleanup_free_ char *b = xasprintf("%s/%s/build", install_tree(s), kver);

	return b && is_dir(b);
}

static bool kernel_going(const struct batch_plan *p, const char *kver,
			 const char *arch)
{
	size_t i;

	for (i = 0; i < p->n_kernels_gone; i++) {
		const struct batch_event *e = &p->ev[p->kernels_gone[i]];

		if (!strcmp(e->kernelver, kver) && !strcmp(e->arch, arch))
			return true;
	}
	return false;
}

/* The reason a kernel cannot be built for, naming the package to
 * install when a package database knows it. */
char *batch_no_headers_reason(struct dkms_session *s, const char *kver)
{
	_cleanup_free_ char *pkg = NULL;

	if (dkms_kernel_headers_package(s->ctx, kver, &pkg) == 0)
		return xasprintf("the headers of kernel %s are not installed: "
				 "install %s", kver, pkg);
	return xasprintf("the headers of kernel %s are not installed: install "
			 "the package that provides %s/%s/build", kver,
			 install_tree(s), kver);
}

/* Kernels arriving: those with headers take every module (every);
 * those without are outcomes naming their headers' package. */
static int kernels_new(struct run *run, struct kernel_list *k, char ***every)
{
	const struct batch_plan *p = run->p;
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < p->n_kernels_new; i++) {
		const struct batch_event *e = &p->ev[p->kernels_new[i]];
		struct dkms_op op = { NULL, NULL, e->kernelver, e->arch };
		_cleanup_free_ char *why = NULL;

		if (batch_has_headers(run->s, e->kernelver)) {
			r = kernel_list_add(k, e->kernelver, e->arch);
			if (r == 0)
				r = strv_add_unique(every, e->kernelver);
			continue;
		}
		why = batch_no_headers_reason(run->s, e->kernelver);
		dkms_echo(run->s, "dkms: %s", why ? why : "");
		record(run, p->kernels_new[i], &op, -DKMS_ENOHEADERS, why);
	}
	return r;
}

/* Sources arriving are built for every kernel that has headers and is
 * not going (as a first install does, dkms_common.postinst with
 * autoinstall_all_kernels), for the machine's arch. */
static int kernels_with_headers(struct run *run, struct kernel_list *k)
{
	_cleanup_free_ char *arch = uname_m();
	struct namelist dirs = { 0 };
	size_t i;
	int r;

	if (!arch)
		return -ENOMEM;
	r = namelist_dir(&dirs, install_tree(run->s), true);
	for (i = 0; r == 0 && i < dirs.n; i++)
		if (batch_has_headers(run->s, dirs.v[i]) &&
		    !kernel_going(run->p, dirs.v[i], arch))
			r = kernel_list_add(k, dirs.v[i], arch);
	namelist_clear(&dirs);
	return r == -ENOENT ? 0 : r;
}

/* Which event a module's outcome belongs to: its source's, else its
 * kernel's. */
static size_t event_of(const struct batch_plan *p, const struct dkms_op *op)
{
	size_t i;

	for (i = 0; i < p->n_sources_new; i++) {
		const struct batch_event *e = &p->ev[p->sources_new[i]];

		if (!strcmp(e->module, op->module) && !strcmp(e->version, op->version))
			return p->sources_new[i];
	}
	for (i = 0; i < p->n_kernels_new; i++) {
		const struct batch_event *e = &p->ev[p->kernels_new[i]];

		if (!strcmp(e->kernelver, op->kernelver))
			return p->kernels_new[i];
	}
	return p->n;
}

/* autoinstall's word on each module (session_autoinstall.record) */
static void heard(void *data, const struct dkms_op *op, int status)
{
	struct run *run = data;
	struct dkms_failure f = { 0 };
	size_t i = event_of(run->p, op);
	const char *reason = NULL;
	int r;

	if (i == run->p->n)
		return;
	if (status == -DKMS_EEXCLUDED)
		reason = dkms_failure_words(status);
	else if (status && dkms_failure_read(run->s, op, &f) == 0)
		reason = f.reason;
	r = outcome_add(run->out, i, &run->p->ev[i], op, status,
			reason ? reason : dkms_failure_words(status), f.log);
	if (r && !run->err)
		run->err = r;
	if (status == 0)
		run->changed = true;
	dkms_failure_free(&f);
}

static int build_all(struct run *run, char **only, char **every,
		     const struct kernel_list *k)
{
	struct session_autoinstall *sa = &run->s->autoinstall;
	int r;

	if (!k->n)
		return 0;
	sa->only = only;
	sa->every = every;
	sa->record = heard;
	sa->record_data = run;
	/* its exit code says what the outcomes say */
	r = dkms_autoinstall_kernels(run->s, k->kver, k->arch, k->n);
	sa->only = sa->every = NULL;
	sa->record = NULL;
	sa->record_data = NULL;
	return r < 0 && r != -ENOMEM ? 0 : r == -ENOMEM ? r : 0;
}

static int builds(struct run *run, char **only)
{
	struct kernel_list k = { 0 };
	char **every = NULL;
	int r;

	r = kernels_new(run, &k, &every);
	if (r == 0 && only)
		r = kernels_with_headers(run, &k);
	if (r == 0 && !k.n && only)
		dkms_echo(run->s, "dkms: no kernel has its headers installed: "
			  "%s built for none", only[1] ? "the new modules are"
			  : "the new module is");
	if (r == 0)
		r = build_all(run, only, every, &k);
	strv_free(every);
	kernel_list_clear(&k);
	return r;
}

/* ---- upgrades: the old version goes where the new one is installed ----
 *
 * Before the builds, the old version is uninstalled wherever it is
 * installed (3.4.3 will not install a version over another one), and
 * stays built; after them, a kernel the new version did not install on
 * gets the old one installed again, and the old version goes from every
 * other kernel. */

struct olds {
	struct kernel_list installed, built;
};

/* One version giving way to another: a source going paired with its
 * new version, or a version an earlier upgrade kept on some kernel when
 * a version of the same module arrives again. */
struct swap {
	const char *m, *old, *new;
	size_t event;            /* whose outcome it is */
	struct olds k;           /* where the old version was */
};

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

struct swaps {
	struct swap *v;
	size_t n;
};

static int swap_add(struct swaps *w, const char *m, const char *old,
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
 * other than v; names stay in *names (freed by the caller). */
static int kept_versions(struct run *run, const struct batch_event *e,
			 size_t event, struct swaps *w, struct namelist *names)
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
		r = namelist_add(names, vers.v[i]);
		if (r == 0)
			r = swap_add(w, e->module, names->v[names->n - 1],
				     e->version, event);
	}
	namelist_clear(&vers);
	return r == -ENOENT ? 0 : r;
}

static int swaps_collect(struct run *run, struct swaps *w,
			 struct namelist *names)
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
				  p->sources_new[i], w, names);
	return r;
}

static void swaps_clear(struct swaps *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		olds_clear(&w->v[i].k);
	free(w->v);
}

/* ---- the whole batch --------------------------------------------------- */

static void finish(struct run *run)
{
	struct dkms_session *s = run->s;

	s->depmod.hold = s->depmod.defer = false;
	dkms_depmod_run_deferred(s);
	if (run->changed)
		dkms_post_transaction(s, NULL);
	initramfs_run_pending(s);
}

int batch_run(struct dkms_session *s, const struct batch_plan *p,
	      struct batch_outcomes *out)
{
	struct run run = { .s = s, .p = p, .out = out };
	struct swaps swaps = { 0 };
	struct namelist names = { 0 };
	char **only = NULL;
	size_t i;
	int r;

	/* depmod once per kernel, at the very end */
	s->depmod.defer = s->depmod.hold = true;
	kernels_gone(&run);
	sources_gone(&run);
	explicit_steps(&run);
	r = swaps_collect(&run, &swaps, &names);
	for (i = 0; r == 0 && i < swaps.n; i++)
		upgrade_prepare(&run, &swaps.v[i]);
	if (r == 0)
		r = sources_new(&run, &only);
	if (r == 0)
		r = builds(&run, only);
	for (i = 0; r == 0 && i < swaps.n; i++)
		upgrade_finish(&run, &swaps.v[i]);
	swaps_clear(&swaps);
	namelist_clear(&names);
	strv_free(only);
	finish(&run);
	return r ? r : run.err;
}

static bool is_failure(const struct batch_outcome *o)
{
	return o->status != 0 && o->status != -DKMS_EEXCLUDED;
}

void batch_summary(struct dkms_session *s, const struct batch_outcomes *o)
{
	size_t i, n = 0;

	for (i = 0; i < o->n; i++)
		n += is_failure(&o->v[i]);
	if (!n)
		return;
	dkms_printf(s->ctx, DKMS_STDERR, "dkms: %zu step(s) of this transaction "
		    "failed:\n", n);
	for (i = 0; i < o->n; i++) {
		const struct batch_outcome *x = &o->v[i];

		if (!is_failure(x))
			continue;
		if (!*x->module && !*x->kernelver) /* a source never named */
			dkms_printf(s->ctx, DKMS_STDERR, "dkms:   %s\n",
				    x->reason ? x->reason : "failed");
		else if (!*x->module)
			dkms_printf(s->ctx, DKMS_STDERR, "dkms:   kernel %s: %s\n",
				    x->kernelver, x->reason ? x->reason : "failed");
		else
			dkms_printf(s->ctx, DKMS_STDERR, "dkms:   %s/%s failed%s%s: %s%s%s\n",
				    x->module, x->version,
				    *x->kernelver ? " for kernel " : "", x->kernelver,
				    x->reason ? x->reason : "failed",
				    x->log ? "; see " : "", x->log ? x->log : "");
	}
}

bool batch_strict(const struct dkms_session *s)
{
	const char *v = s->fw.strict_transactions;

	return v && (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"));
}

/* ---- naming the sources given by path --------------------------------- */

static int name_one(struct dkms_session *s, struct batch_event *e)
{
	_cleanup_free_ char *dir = NULL, *conf = NULL;
	struct modconf mc;
	int r;

	dir = endswith(e->path, "/dkms.conf")
		? strndup(e->path, strlen(e->path) - strlen("/dkms.conf"))
		: strdup(e->path);
	conf = dir ? path_join(dir, "dkms.conf") : NULL;
	if (!conf)
		return -ENOMEM;
	if (!path_exists(conf))
		return dkms_die(s, 9, "%s must contain a dkms.conf file!", dir);
	r = modconf_read(s, "", "", e->kernelver, e->arch, conf, 0, &mc);
	if (r)
		return r;
	if (!*mc.package_name || !*mc.package_version) {
		modconf_clear(&mc);
		return dkms_die(s, 10, "Malformed dkms.conf file. Cannot load "
				"source tree.");
	}
	free(e->module);
	free(e->version);
	e->module = strdup(mc.package_name);
	e->version = strdup(mc.package_version);
	modconf_clear(&mc);
	free(e->path);
	e->path = dir;
	dir = NULL;
	return e->module && e->version ? 0 : -ENOMEM;
}

/* The version in the tree whose source link reads DIR: a source going
 * is named by what was added from it (its dkms.conf may be gone, and what
 * is not in the tree has nothing to remove).  0 when none is. */
static int name_from_tree(struct dkms_session *s, struct batch_event *e,
			  const char *dir)
{
	struct namelist mods = { 0 }, vers = { 0 };
	size_t i, j;
	int r;

	r = namelist_dir(&mods, dkms_tree(s), true);
	for (i = 0; r == 0 && i < mods.n && !*e->module; i++) {
		_cleanup_free_ char *mdir = tree_path(s, "%s", mods.v[i]);

		r = mdir ? namelist_dir(&vers, mdir, true) : -ENOMEM;
		for (j = 0; r == 0 && j < vers.n; j++) {
			_cleanup_free_ char *link = tree_path(s, "%s/%s/source",
							      mods.v[i], vers.v[j]);
			char to[PATH_MAX];
			ssize_t len = link ? readlink(link, to, sizeof(to) - 1) : -1;

			if (len <= 0)
				continue;
			while (len > 1 && to[len - 1] == '/')
				len--;
			to[len] = '\0';
			if (strcmp(to, dir))
				continue;
			free(e->module);
			free(e->version);
			e->module = strdup(mods.v[i]);
			e->version = strdup(vers.v[j]);
			r = e->module && e->version ? 0 : -ENOMEM;
			break;
		}
		namelist_clear(&vers);
		r = r == -ENOENT ? 0 : r;
	}
	namelist_clear(&mods);
	return r == -ENOENT ? 0 : r;
}

static int name_gone(struct dkms_session *s, struct batch_event *e)
{
	_cleanup_free_ char *dir = endswith(e->path, "/dkms.conf")
		? strndup(e->path, strlen(e->path) - strlen("/dkms.conf"))
		: strdup(e->path);
	size_t len = dir ? strlen(dir) : 0;

	if (!dir)
		return -ENOMEM;
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	return name_from_tree(s, e, dir);
}

int batch_name_sources(struct dkms_session *s, struct batch_event *ev,
		       size_t n, struct batch_outcomes *out)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		struct dkms_op op = { "", "", NULL, NULL };

		if (!ev[i].path || (ev[i].module && *ev[i].module))
			continue;
		if (ev[i].kind == DKMS_EVENT_SOURCE_REMOVING) {
			r = name_gone(s, &ev[i]);
			if (r)
				return r;
			continue;
		}
		if (ev[i].kind != DKMS_EVENT_SOURCE_ADDED)
			continue;
		r = name_one(s, &ev[i]);
		if (r == 0)
			continue;
		if (r == -ENOMEM)
			return r;
		/* its module stays "": the plan leaves it out */
		r = outcome_add(out, i, &ev[i], &op, r, s->last_error
				? s->last_error : "its dkms.conf cannot be read",
				NULL);
		if (r)
			return r;
	}
	return 0;
}
