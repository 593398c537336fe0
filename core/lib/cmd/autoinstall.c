/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * autoinstall: build and install, for one kernel, the newest version of
 * every module that asks for it (AUTOINSTALL=yes), dependencies first; and
 * the BUILD_DEPENDS_REBUILD pass that rebuilds dependents of a module whose
 * version changed.  Messages, order and exit codes are dkms 3.4.3's.
 *
 * Ours: several kernels in one call (3.4.3 takes one), their builds in
 * one plan under one job budget, the output of each kernel as a call for
 * it alone would print it, kernel after kernel.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd/cmd.h"

/* ---- what is registered ------------------------------------------------- */

/* Module names in the order module_status lists them, with the newest
 * version of each (3.4.3 compares versions with VER()). */
struct latest {
	struct dkms_session *s;
	struct namelist mods, vers;
};

static int collect_latest(void *data, const struct dkms_status_entry *e)
{
	struct latest *l = data;
	size_t i;

	if (e->state == DKMS_STATE_BROKEN) {
		dkms_die(l->s, 0, "%s/%s is broken! Missing the source directory or the symbolic link pointing to it.\n"
			 "Manual intervention is required!", e->module, e->version);
		return 0;
	}
	for (i = 0; i < l->mods.n; i++)
		if (!strcmp(l->mods.v[i], e->module))
			break;
	if (i == l->mods.n) {
		int r = namelist_add(&l->mods, e->module);

		return r ? r : namelist_add(&l->vers, e->version);
	}
	if (ver_cmp(e->version, l->vers.v[i]) > 0) {
		char *v = strdup(e->version);

		if (!v)
			return -ENOMEM;
		free(l->vers.v[i]);
		l->vers.v[i] = v;
	}
	return 0;
}

/* BUILD_DEPENDS as 3.4.3 splits "${BUILD_DEPENDS[*]}": on whitespace. */
static int split_depends(char *const *bd, struct namelist *out)
{
	size_t i;

	for (i = 0; bd && bd[i]; i++) {
		_cleanup_free_ char *copy = strdup(bd[i]);
		char *save = NULL, *w;

		if (!copy)
			return -ENOMEM;
		for (w = strtok_r(copy, " \t\n", &save); w;
		     w = strtok_r(NULL, " \t\n", &save)) {
			int r = namelist_add(out, w);

			if (r)
				return r;
		}
	}
	return 0;
}

/* One module waiting to be autoinstalled. */
struct pending {
	char *m, *v;
	struct namelist deps; /* BUILD_DEPENDS not yet installed */
	bool had_deps;        /* BUILD_DEPENDS at all */
	bool done;            /* install attempted */
};

struct ai {
	struct dkms_session *s;
	const char *kver, *arch;
	struct latest known;
	struct pending *todo;
	size_t n_todo;
	struct namelist installed, skipped, failed, unresolved, deferred;
	int depends; /* -1: not known yet; 1: some module has BUILD_DEPENDS */
};

static void ai_clear(struct ai *a)
{
	size_t i;

	namelist_clear(&a->known.mods);
	namelist_clear(&a->known.vers);
	for (i = 0; i < a->n_todo; i++) {
		free(a->todo[i].m);
		free(a->todo[i].v);
		namelist_clear(&a->todo[i].deps);
	}
	free(a->todo);
	namelist_clear(&a->installed);
	namelist_clear(&a->skipped);
	namelist_clear(&a->failed);
	namelist_clear(&a->unresolved);
	namelist_clear(&a->deferred);
}

static int ai_queue(struct ai *a, const char *m, const char *v,
		    char *const *bd)
{
	struct pending *nt = realloc(a->todo, (a->n_todo + 1) * sizeof(*nt));
	struct pending *p;
	int r;

	if (!nt)
		return -ENOMEM;
	a->todo = nt;
	p = &a->todo[a->n_todo++];
	memset(p, 0, sizeof(*p));
	p->m = strdup(m);
	p->v = strdup(v);
	if (!p->m || !p->v)
		return -ENOMEM;
	r = split_depends(bd, &p->deps);
	p->had_deps = p->deps.n > 0;
	return r;
}

/* Decide, for each known module's newest version, whether it is already
 * installed or waits to be.  A bad dkms.conf stops everything (8). */
static int ai_plan(struct ai *a)
{
	size_t i;
	int r;

	for (i = 0; i < a->known.mods.n; i++) {
		const char *m = a->known.mods.v[i], *v = a->known.vers.v[i];
		struct dkms_op op = { m, v, a->kver, a->arch };
		_cleanup_free_ char *conf = NULL;
		struct modconf mc;

		if (dkms_link_is_active(a->s, &op)) {
			r = namelist_add(&a->installed, m);
			if (r)
				return r;
			continue;
		}
		conf = tree_path(a->s, "%s/%s/source/dkms.conf", m, v);
		if (!conf)
			return -ENOMEM;
		r = modconf_read(a->s, m, v, a->kver, a->arch, conf, 0, &mc);
		if (r) {
			modconf_clear(&mc);
			return r;
		}
		if (mc.autoinstall)
			r = ai_queue(a, m, v, mc.build_depends);
		modconf_clear(&mc);
		if (r)
			return r;
	}
	return 0;
}

/* Step 1 of a pass: dependencies installed or skipped are satisfied. */
static void ai_drop_satisfied(struct ai *a)
{
	size_t i, j, k;

	for (i = 0; i < a->n_todo; i++) {
		struct namelist *d = &a->todo[i].deps;

		if (a->todo[i].done)
			continue;
		for (j = k = 0; j < d->n; j++) {
			if (namelist_has(&a->installed, d->v[j]) ||
			    namelist_has(&a->skipped, d->v[j])) {
				free(d->v[j]);
				continue;
			}
			d->v[k++] = d->v[j];
		}
		d->n = k;
		if (d->v)
			d->v[k] = NULL;
	}
}

/* 3.4.3 installs each module in a subshell: what the install prepares
 * for the kernel (signing messages) is forgotten afterwards.  An error
 * of ours (no dkms exit code: 3.4.3 has no words for it) is said, and
 * goes to RES too (may be NULL). */
static int install_isolated(struct dkms_session *s, const struct dkms_op *op,
			    struct sched_result *res)
{
	char *saved = s->prepared_kernel ? strdup(s->prepared_kernel) : NULL;
	int r;

	r = dkms_op_maybe_install(s, op);
	free(s->prepared_kernel);
	s->prepared_kernel = saved;
	if (r && !dkms_errno_is_exit(r)) {
		char *msg = xasprintf("Failed to install %s/%s: %s", op->module,
				      op->version, strerror(-r));

		dkms_echo(s, "%s", msg ? msg : "");
		if (res)
			res->error = msg;
		else
			free(msg);
	}
	return r;
}

/* What a step's end says besides its status, for the live summary
 * (scheduler.c's result): the state it starts from, looked at before
 * the install, compared after. */
struct step_watch {
	char *log;        /* <m>/<v>/build/make.log: a failed build's (ops.h) */
	struct stat log_st;
	bool had_log;
	bool installed;   /* maybe_install will say so and do nothing */
};

static void watch_start(struct dkms_session *s, const struct dkms_op *op,
			struct step_watch *w)
{
	w->log = tree_path(s, "%s/%s/build/make.log", op->module, op->version);
	w->had_log = w->log && stat(w->log, &w->log_st) == 0;
	w->installed = !dkms_opt(s, DKMS_OPT_FORCE) && dkms_is_installed(s, op);
}

/* The build dir's make.log was written by this step: a make.log left
 * by an earlier failure is not this one's log (a failure before the
 * build, or in the install after it, leaves none: the build dir goes). */
static bool watch_log_fresh(const struct step_watch *w)
{
	struct stat now;

	if (!w->log || stat(w->log, &now) < 0)
		return false;
	return !w->had_log || now.st_ino != w->log_st.st_ino ||
	       now.st_size != w->log_st.st_size ||
	       now.st_mtim.tv_sec != w->log_st.st_mtim.tv_sec ||
	       now.st_mtim.tv_nsec != w->log_st.st_mtim.tv_nsec;
}

static void watch_end(struct step_watch *w, int status,
		      struct sched_result *res)
{
	if (status == -DKMS_EEXCLUDED) {
		/* dkms_op_build's code for BUILD_EXCLUSIVE (ops.h) */
		res->skipped = true;
		res->reason = strdup("BUILD_EXCLUSIVE does not match this kernel");
	} else if (status == 0 && w->installed) {
		/* 3.4.3 counts it a success; nothing was done */
		res->skipped = true;
		res->reason = strdup("already installed");
	} else if (status && watch_log_fresh(w)) {
		res->log = w->log;
		w->log = NULL;
	}
	free(w->log);
}

/* Step 2: install every waiting module whose dependencies are all there.
 * *progress counts those installed or skipped; a non-zero return is a
 * code that ends the whole run (no headers).  The modules of one pass do
 * not depend on each other: with a job budget above one they are built
 * side by side (scheduler.c), their output still in this order. */
struct ai_step {
	struct ai *a;
	struct pending *p;
	size_t *progress;
};

static int step_before(struct dkms_session *s, void *data, bool *skip)
{
	struct ai_step *st = data;
	struct dkms_op op = { st->p->m, st->p->v, st->a->kver, st->a->arch };

	(void)skip; /* it never skips its step */
	if (!dkms_is_built(s, &op)) {
		int r = prepare_kernel_and_signing(s, st->a->kver, st->a->arch);

		if (r)
			return r;
	}
	dkms_echo(s, "Autoinstall of module %s/%s for kernel %s (%s)",
		  st->p->m, st->p->v, st->a->kver, st->a->arch);
	return 0;
}

/* A batch keeps what did not install, with its make.log, in the tree
 * (failure.c): done here, in the step, before the module's next build
 * (for another kernel) overwrites the log. */
static void note_outcome(struct dkms_session *s, const struct dkms_op *op,
			 int status, const struct step_watch *w)
{
	if (status == 0 || status == -DKMS_EEXCLUDED) {
		dkms_failure_clear(s, op);
		return;
	}
	/* with its log kept, the words say enough (dkms's message names
	 * the build dir's make.log, which the next build overwrites) */
	if (watch_log_fresh(w))
		(void)dkms_failure_note(s, op, status, NULL, w->log);
	else
		(void)dkms_failure_note(s, op, status, s->last_error, NULL);
}

/* RES: how it ended, when someone asks (the scheduler's live summary). */
static int step_work(struct dkms_session *s, void *data,
		     struct sched_result *res)
{
	struct ai_step *st = data;
	struct dkms_op op = { st->p->m, st->p->v, st->a->kver, st->a->arch };
	struct step_watch w = { 0 };
	bool watch = res || s->autoinstall.record;
	int r;

	if (watch) {
		watch_start(s, &op, &w);
		free(s->last_error);
		s->last_error = NULL;
	}
	r = install_isolated(s, &op, res);
	if (s->autoinstall.record)
		note_outcome(s, &op, r, &w);
	if (!res)
		free(w.log);
	else {
		watch_end(&w, r, res);
		/* no log of its own: what went wrong, as it was said */
		if (r && !res->skipped && !res->log && !res->error && s->last_error)
			res->error = strdup(s->last_error);
	}
	return r;
}

static int step_after(struct dkms_session *s, void *data, int status)
{
	struct ai_step *st = data;
	struct ai *a = st->a;
	struct pending *p = st->p;
	int r;

	p->done = true;
	if (s->autoinstall.record) {
		struct dkms_op op = { p->m, p->v, a->kver, a->arch };

		s->autoinstall.record(s->autoinstall.record_data, &op, status);
	}
	if (status == 0) {
		r = namelist_add(&a->installed, p->m);
		(*st->progress)++;
	} else if (status == -DKMS_EEXCLUDED) {
		r = namelist_add(&a->skipped, p->m);
		(*st->progress)++;
	} else {
		r = namelist_addf(&a->failed, "%s(%d)", p->m,
				  dkms_errno_to_exit(status));
	}
	dkms_echo(s, "%s", "");
	return r;
}

/* Some module built for this kernel declares BUILD_DEPENDS. */
static int built_depends(void *data, const struct dkms_status_entry *e)
{
	struct ai *a = data;
	struct modconf mc;

	if ((e->state != DKMS_STATE_BUILT && e->state != DKMS_STATE_INSTALLED) ||
	    strcmp(e->kernelver, a->kver) || strcmp(e->arch, a->arch))
		return 0;
	/* a conf that cannot be read now: as if (the serial path reads it
	 * again, and says what is wrong where 3.4.3 does) */
	if (modconf_read(a->s, e->module, e->version, e->kernelver, e->arch,
			 NULL, MC_NO_DIE | MC_NO_STDERR | MC_NO_CACHE, &mc) != 0 ||
	    (mc.build_depends && mc.build_depends[0]))
		a->depends = 1;
	modconf_clear(&mc);
	return 0;
}

/* Installs trigger BUILD_DEPENDS_REBUILD of the modules depending on
 * them, which may be building beside them: with any BUILD_DEPENDS around,
 * autoinstall stays serial. */
static bool ai_independent(struct ai *a)
{
	size_t i;

	if (a->depends < 0) {
		a->depends = 0;
		for (i = 0; i < a->n_todo; i++)
			if (a->todo[i].had_deps)
				a->depends = 1;
		if (!a->depends)
			(void)dkms_status_walk(a->s, NULL, NULL, NULL, NULL,
					       built_depends, a);
	}
	return a->depends == 0;
}

/* What every step's build loads (libkmod, for the vermagic and signature
 * checks; the NSS modules the sandbox's user lookup opens; the time zone
 * of the make.log header) is loaded once, while the first steps run, and
 * the later ones are forked with it. */
static void warm_for_steps(struct dkms_session *s)
{
	const struct dl_kmod *k;

	(void)dl_kmod(s->ctx, NULL, &k);
	(void)getpwnam("dkms");
	tzset();
}

/* The steps of independent modules, side by side: no install has a
 * dependent to rebuild (ai_independent). */
static int run_independent(struct dkms_session *s, struct sched_step *steps,
			   size_t n, unsigned int budget)
{
	int r;

	s->autoinstall.no_dependents = true;
	r = sched_run_warm(s, steps, n, budget, warm_for_steps, &live_watch);
	s->autoinstall.no_dependents = false;
	return r;
}

static int ai_pass(struct ai *a, size_t *progress, unsigned int budget)
{
	struct sched_step *steps = NULL;
	struct ai_step *data = NULL;
	size_t i, n = 0;
	int r = 0;

	*progress = 0;
	steps = calloc(a->n_todo ? a->n_todo : 1, sizeof(*steps));
	data = calloc(a->n_todo ? a->n_todo : 1, sizeof(*data));
	if (!steps || !data) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < a->n_todo; i++) {
		if (a->todo[i].done || a->todo[i].deps.n)
			continue;
		data[n] = (struct ai_step){ a, &a->todo[i], progress };
		steps[n] = (struct sched_step){
			.before = step_before, .work = step_work,
			.after = step_after, .data = &data[n],
			.label = { a->todo[i].m, a->todo[i].v, a->kver, a->arch },
		};
		n++;
	}
	if (budget > 1 && n > 1 && ai_independent(a)) {
		r = run_independent(a->s, steps, n, budget);
		goto out;
	}
	/* one at a time, in this process */
	for (i = 0; r == 0 && i < n; i++) {
		r = step_before(a->s, &data[i], NULL);
		if (r)
			break;
		r = step_after(a->s, &data[i], step_work(a->s, &data[i], NULL));
	}
out:
	free(steps);
	free(data);
	return r;
}

static int say_list(struct ai *a, const struct namelist *l, const char *what)
{
	_cleanup_free_ char *j = NULL;

	if (!l->n)
		return 0;
	j = namelist_join(l, " ");
	if (!j)
		return -ENOMEM;
	dkms_echo(a->s, "Autoinstall on %s %s for module(s) %s.", a->kver, what, j);
	return 0;
}

/* Modules still waiting: a dependency dkms knows but could not install
 * is a failure; one it has never heard of may come later (deferred). */
static int ai_classify(struct ai *a)
{
	size_t i, j;
	int r = 0;

	for (i = 0; r == 0 && i < a->n_todo; i++) {
		struct pending *p = &a->todo[i];
		struct strbuf real = { 0 }, later = { 0 };

		if (p->done)
			continue;
		for (j = 0; j < p->deps.n; j++) {
			struct strbuf *sb = namelist_has(&a->known.mods, p->deps.v[j]) ? &real : &later;

			strbuf_addch(sb, ' ');
			strbuf_adds(sb, p->deps.v[j]);
		}
		if (real.len) {
			dkms_echo(a->s, "%s/%s autoinstall failed due to missing dependencies:%s.",
				  p->m, p->v, strbuf_str(&real));
			r = namelist_addf(&a->unresolved, "%s/%s", p->m, p->v);
		} else {
			dkms_echo(a->s, "%s/%s autoinstall deferred: BUILD_DEPENDS not registered with DKMS:%s.",
				  p->m, p->v, strbuf_str(&later));
			r = namelist_addf(&a->deferred, "%s/%s", p->m, p->v);
		}
		strbuf_release(&real);
		strbuf_release(&later);
	}
	return r;
}

static int ai_report(struct ai *a)
{
	_cleanup_free_ char *d = NULL;
	int r;

	r = say_list(a, &a->installed, "succeeded");
	if (!r)
		r = say_list(a, &a->skipped, "was skipped");
	if (!r)
		r = say_list(a, &a->failed, "failed");
	if (!r)
		r = ai_classify(a);
	if (r)
		return r;
	if (a->deferred.n) {
		d = namelist_join(&a->deferred, " ");
		if (!d)
			return -ENOMEM;
		dkms_echo(a->s, "Autoinstall on %s deferred module(s) %s due to BUILD_DEPENDS not yet registered with DKMS.",
			  a->kver, d);
		dkms_echo(a->s, "These may be provided externally or by a package not yet configured; autoinstall will retry on the next trigger.");
	}
	if (a->failed.n || a->unresolved.n)
		return dkms_die(a->s, 11, "One or more modules failed to install during autoinstall.\n"
				"Refer to previous errors for more information.");
	return 0;
}

static bool autoinstall_disabled(struct dkms_session *s)
{
	_cleanup_free_ char *p = path_join(dkms_ctx_get_path(s->ctx, DKMS_PATH_CONF_DIR),
					   "no-autoinstall");
	struct stat st;

	return p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* A batch's sources ("m/v") in place of the newest of every module. */
static int collect_only(struct ai *a, char *const *only)
{
	int r = 0;

	for (; r == 0 && *only; only++) {
		_cleanup_free_ char *m = strdup(*only);
		char *v = m ? strchr(m, '/') : NULL;

		if (!v)
			return -ENOMEM;
		*v++ = '\0';
		r = namelist_add(&a->known.mods, m);
		if (r == 0)
			r = namelist_add(&a->known.vers, v);
	}
	return r;
}

/* What is registered, and what waits to be installed for a->kver. */
static int ai_collect(struct ai *a)
{
	struct session_autoinstall *sa = &a->s->autoinstall;
	int r;

	a->known.s = a->s;
	if (sa->only && !strv_has(sa->every, a->kver))
		r = collect_only(a, sa->only);
	else
		r = dkms_status_walk(a->s, NULL, NULL, NULL, NULL,
				     collect_latest, &a->known);
	return r < 0 ? r : ai_plan(a);
}

int dkms_autoinstall(struct dkms_session *s, const char *kver,
		     const char *arch)
{
	struct ai a = { .s = s, .kver = kver, .arch = arch, .depends = -1 };
	unsigned int budget;
	size_t progress;
	int r;

	if (autoinstall_disabled(s)) {
		dkms_echo(s, "Automatic installation of modules has been disabled.");
		return 0;
	}
	r = ai_collect(&a);
	if (r || a.n_todo == 0)
		goto out;
	budget = sched_budget(s);
	do {
		ai_drop_satisfied(&a);
		r = ai_pass(&a, &progress, budget);
		if (r)
			goto out;
	} while (progress > 0);
	r = ai_report(&a);
out:
	/* depmod the parallel installs left for the end, once */
	dkms_depmod_run_deferred(s);
	ai_clear(&a);
	return r;
}

/* ---- several kernels in one call (ours) ----------------------------------- */

/* One kernel of the plan: its autoinstall as a call of its own would do
 * it, its output held until its place in the plan. */
struct ai_kernel {
	struct ai a;
	struct sched_held planned; /* what collecting printed */
	size_t progress;
	int status;                /* how it ended: 0 or -errno */
	bool stopped;              /* no more steps, no summary */
};

struct ai_kstep {
	struct ai_kernel *k;
	struct ai_step step;
	char *key;               /* module/version: its build dir */
};

/* In the plan: what collecting printed, then the modules, then the
 * summary, for each kernel in turn. */
static int k_header(struct dkms_session *s, void *data, int status)
{
	(void)status;
	sched_replay(s, &((struct ai_kernel *)data)->planned);
	return 0;
}

static int k_before(struct dkms_session *s, void *data, bool *skip)
{
	struct ai_kstep *ks = data;
	int r;

	*skip = true;
	if (ks->k->stopped)
		return 0;
	/* a call for this kernel alone would end here (no headers: 21) */
	r = step_before(s, &ks->step, NULL);
	if (r == 0) {
		*skip = false;
		return 0;
	}
	ks->k->status = r;
	ks->k->stopped = true;
	return 0;
}

static int k_work(struct dkms_session *s, void *data,
		  struct sched_result *res)
{
	return step_work(s, &((struct ai_kstep *)data)->step, res);
}

static int k_after(struct dkms_session *s, void *data, int status)
{
	return step_after(s, &((struct ai_kstep *)data)->step, status);
}

static int k_summary(struct dkms_session *s, void *data, int status)
{
	struct ai_kernel *k = data;

	(void)s;
	(void)status;
	if (k->stopped)
		return 0;
	k->status = ai_report(&k->a);
	return 0;
}

/* Every kernel's modules in one plan (each kernel's are independent of
 * each other, ai_independent), under one budget. */
static int ai_run_together(struct dkms_session *s, struct ai_kernel *ks,
			   size_t nk, unsigned int budget)
{
	struct sched_step *steps;
	struct ai_kstep *data;
	size_t total = 0, n = 0, nd = 0, i, j;
	int r;

	for (i = 0; i < nk; i++)
		total += ks[i].a.n_todo + 2;
	steps = calloc(total, sizeof(*steps));
	data = calloc(total, sizeof(*data));
	if (!steps || !data) {
		free(steps);
		free(data);
		return -ENOMEM;
	}
	for (i = 0; i < nk; i++) {
		struct ai_kernel *k = &ks[i];

		steps[n++] = (struct sched_step){ .after = k_header, .data = k };
		for (j = 0; !k->stopped && j < k->a.n_todo; j++) {
			struct pending *p = &k->a.todo[j];

			data[nd] = (struct ai_kstep){ k, { &k->a, p, &k->progress },
						      xasprintf("%s/%s", p->m, p->v) };
			if (!data[nd].key) {
				r = -ENOMEM;
				goto out;
			}
			steps[n++] = (struct sched_step){
				.before = k_before, .work = k_work,
				.after = k_after, .data = &data[nd],
				.key = data[nd].key,
				.label = { p->m, p->v, k->a.kver, k->a.arch },
			};
			nd++;
		}
		steps[n++] = (struct sched_step){ .after = k_summary, .data = k };
	}
	r = run_independent(s, steps, n, budget);
out:
	for (i = 0; i < nd; i++)
		free(data[i].key);
	free(steps);
	free(data);
	return r;
}

static void ai_kernels_free(struct ai_kernel *ks, size_t nk)
{
	size_t i;

	for (i = 0; i < nk; i++) {
		strbuf_release(&ks[i].planned.out);
		ai_clear(&ks[i].a);
	}
	free(ks);
}

/* Collect every kernel's work, its output held; false when some kernel
 * has BUILD_DEPENDS around (its passes must run as a call of its own). */
static int ai_collect_kernels(struct dkms_session *s, char *const *kvers,
			      char *const *archs, size_t nk,
			      struct ai_kernel **ret, bool *together)
{
	struct ai_kernel *ks = calloc(nk, sizeof(*ks));
	size_t i;

	if (!ks)
		return -ENOMEM;
	*together = true;
	for (i = 0; i < nk; i++) {
		struct ai_kernel *k = &ks[i];
		int r;

		k->a = (struct ai){ .s = s, .kver = kvers[i], .arch = archs[i], .depends = -1 };
		sched_hold(s, &k->planned);
		r = ai_collect(&k->a);
		if (r == 0 && k->a.n_todo && !ai_independent(&k->a))
			*together = false;
		sched_release(s, &k->planned);
		if (r) {
			k->status = r;
			k->stopped = true;
		} else if (!k->a.n_todo) {
			k->stopped = true; /* nothing to do, nothing said */
		}
	}
	*ret = ks;
	return 0;
}

static bool repeated(char *const *kvers, char *const *archs, size_t nk)
{
	size_t i, j;

	for (i = 0; i < nk; i++)
		for (j = i + 1; j < nk; j++)
			if (!strcmp(kvers[i], kvers[j]) && !strcmp(archs[i], archs[j]))
				return true;
	return false;
}

static void first_failure(int *status, int r)
{
	if (*status == 0)
		*status = r;
}

int dkms_autoinstall_kernels(struct dkms_session *s, char *const *kvers,
			     char *const *archs, size_t nk)
{
	struct ai_kernel *ks = NULL;
	unsigned int budget = sched_budget(s);
	bool together = false;
	int status = 0, r;
	size_t i;

	if (nk == 1)
		return dkms_autoinstall(s, kvers[0], archs[0]);
	/* a kernel given twice is done twice, the second time after the
	 * first, as two calls would */
	if (budget > 1 && !autoinstall_disabled(s) && !repeated(kvers, archs, nk)) {
		r = ai_collect_kernels(s, kvers, archs, nk, &ks, &together);
		if (r < 0)
			return r;
	}
	if (!together) {
		/* one kernel after the other, each as a call of its own */
		if (ks)
			ai_kernels_free(ks, nk);
		for (i = 0; i < nk; i++) {
			struct dkms_session_state *st = dkms_session_save(s);

			r = dkms_autoinstall(s, kvers[i], archs[i]);
			dkms_session_restore(s, st);
			first_failure(&status, r);
		}
		return status;
	}
	r = ai_run_together(s, ks, nk, budget);
	/* depmod the parallel installs left for the end, once per kernel */
	dkms_depmod_run_deferred(s);
	for (i = 0; i < nk; i++)
		first_failure(&status, ks[i].status);
	ai_kernels_free(ks, nk);
	first_failure(&r, status);
	return r;
}
