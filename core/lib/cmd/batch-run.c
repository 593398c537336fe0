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
#include "cmd/batch-run.h"

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

int outcome_add(struct batch_outcomes *o, size_t event,
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
void record(struct run *run, size_t i, const struct dkms_op *op,
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
int remove_all(struct dkms_session *s, const char *m, const char *v)
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

void kernel_list_clear(struct kernel_list *k)
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

int kernel_list_add(struct kernel_list *k, const char *kver,
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
	struct upgrades u = { 0 };
	char **only = NULL;
	int r;

	/* depmod once per kernel, at the very end */
	s->depmod.defer = s->depmod.hold = true;
	kernels_gone(&run);
	sources_gone(&run);
	explicit_steps(&run);
	r = upgrades_collect(&run, &u);
	if (r == 0)
		upgrades_prepare(&run, &u);
	if (r == 0)
		r = sources_new(&run, &only);
	if (r == 0)
		r = builds(&run, only);
	if (r == 0)
		upgrades_finish(&run, &u);
	upgrades_clear(&u);
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

