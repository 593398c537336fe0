/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Planning a batch: the events of one transaction merged and put in the
 * order that keeps every kernel usable.  Kernels going and sources going
 * come first (their files still exist), dkms's explicit steps in the
 * order given, then sources arriving, and the builds last, all in one
 * scheduler run.  A source going with a new version of it arriving is an
 * upgrade: the old version stays until the new one is installed.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"

void batch_plan_clear(struct batch_plan *p)
{
	free(p->kernels_gone);
	free(p->sources_gone);
	free(p->explicit);
	free(p->sources_new);
	free(p->upgrades);
	free(p->kernels_new);
	memset(p, 0, sizeof(*p));
}

static bool is_kernel_event(enum dkms_event_kind k)
{
	return k == DKMS_EVENT_KERNEL_ADDED || k == DKMS_EVENT_KERNEL_REMOVING;
}

static bool same_kernel(const struct batch_event *a, const struct batch_event *b)
{
	return !strcmp(a->kernelver, b->kernelver) && !strcmp(a->arch, b->arch);
}

static bool same_event(const struct batch_event *a, const struct batch_event *b)
{
	if (a->kind != b->kind)
		return false;
	if (is_kernel_event(a->kind))
		return same_kernel(a, b);
	if (strcmp(a->module, b->module) || strcmp(a->version, b->version))
		return false;
	/* a source names no kernel; explicit steps are per kernel */
	return a->kind == DKMS_EVENT_SOURCE_ADDED ||
	       a->kind == DKMS_EVENT_SOURCE_REMOVING || same_kernel(a, b);
}

/* An earlier event says the same. */
static bool repeats(const struct batch_event *ev, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (same_event(&ev[j], &ev[i]))
			return true;
	return false;
}

/* The first event of kind K for the same kernel, or the same module
 * (any version but skip_version), other than i; n when none. */
static size_t find_other(const struct batch_event *ev, size_t n, size_t i,
			 enum dkms_event_kind k, const char *skip_version)
{
	size_t j;

	for (j = 0; j < n; j++) {
		if (j == i || ev[j].kind != k)
			continue;
		if (is_kernel_event(k) ? same_kernel(&ev[i], &ev[j])
		    : !strcmp(ev[i].module, ev[j].module) &&
		      (!skip_version || strcmp(ev[j].version, skip_version)))
			return j;
	}
	return n;
}

static int push(size_t **v, size_t *n, size_t i)
{
	size_t *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = i;
	*v = nv;
	return 0;
}

/* A source going: gone, reinstalled (the same version arrives: nothing
 * goes), or the old half of an upgrade. */
static int plan_source_gone(struct batch_plan *p, size_t i)
{
	const struct batch_event *ev = p->ev;
	struct batch_upgrade *nu;
	size_t j, k;

	for (j = 0; j < p->n; j++)
		if (ev[j].kind == DKMS_EVENT_SOURCE_ADDED &&
		    same_event(&(struct batch_event){ .kind = DKMS_EVENT_SOURCE_ADDED,
			.module = ev[i].module, .version = ev[i].version }, &ev[j])) {
			p->n_merged++;
			return 0;
		}
	j = find_other(ev, p->n, i, DKMS_EVENT_SOURCE_ADDED, ev[i].version);
	for (k = 0; j < p->n && k < p->n_upgrades; k++)
		if (p->upgrades[k].added == j)
			j = p->n; /* that arrival is paired already */
	if (j == p->n)
		return push(&p->sources_gone, &p->n_sources_gone, i);
	nu = realloc(p->upgrades, (p->n_upgrades + 1) * sizeof(*nu));
	if (!nu)
		return -ENOMEM;
	nu[p->n_upgrades++] = (struct batch_upgrade){ i, j };
	p->upgrades = nu;
	return 0;
}

static int plan_one(struct batch_plan *p, size_t i)
{
	const struct batch_event *e = &p->ev[i];

	switch (e->kind) {
	case DKMS_EVENT_KERNEL_REMOVING:
		/* gone and back (a reinstall): the kernel stays */
		if (find_other(p->ev, p->n, i, DKMS_EVENT_KERNEL_ADDED, NULL) < p->n) {
			p->n_merged++;
			return 0;
		}
		return push(&p->kernels_gone, &p->n_kernels_gone, i);
	case DKMS_EVENT_KERNEL_ADDED:
		return push(&p->kernels_new, &p->n_kernels_new, i);
	case DKMS_EVENT_SOURCE_REMOVING:
		return plan_source_gone(p, i);
	case DKMS_EVENT_SOURCE_ADDED:
		return push(&p->sources_new, &p->n_sources_new, i);
	default:
		return push(&p->explicit, &p->n_explicit, i);
	}
}

int batch_plan_make(const struct batch_event *ev, size_t n,
		    struct batch_plan *p)
{
	size_t i;
	int r = 0;

	memset(p, 0, sizeof(*p));
	p->ev = ev;
	p->n = n;
	for (i = 0; r == 0 && i < n; i++) {
		/* a source that could not be named takes no part, nor
		 * one going that the tree never had */
		if ((ev[i].kind == DKMS_EVENT_SOURCE_ADDED ||
		     ev[i].kind == DKMS_EVENT_SOURCE_REMOVING) &&
		    (!ev[i].module || !*ev[i].module))
			continue;
		if (repeats(ev, i)) {
			p->n_merged++;
			continue;
		}
		r = plan_one(p, i);
	}
	if (r)
		batch_plan_clear(p);
	return r;
}

static void say_list(struct dkms_session *s, const struct batch_plan *p,
		     const size_t *v, size_t n, const char *what)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct batch_event *e = &p->ev[v[i]];

		if (is_kernel_event(e->kind))
			dkms_echo(s, "%s kernel %s (%s)", what, e->kernelver, e->arch);
		else if (e->kind == DKMS_EVENT_SOURCE_ADDED ||
			 e->kind == DKMS_EVENT_SOURCE_REMOVING)
			dkms_echo(s, "%s %s/%s", what, e->module, e->version);
		else
			dkms_echo(s, "%s %s/%s for kernel %s (%s)", what,
				  e->module, e->version, e->kernelver, e->arch);
	}
}

int batch_plan_print(struct dkms_session *s, const struct batch_plan *p)
{
	size_t i;

	say_list(s, p, p->kernels_gone, p->n_kernels_gone,
		 "unbuild every module for");
	say_list(s, p, p->sources_gone, p->n_sources_gone,
		 "remove from every kernel:");
	for (i = 0; i < p->n_explicit; i++) {
		_cleanup_free_ char *line = batch_event_format(&p->ev[p->explicit[i]]);

		dkms_echo(s, "run: %s", line ? line : "?");
	}
	say_list(s, p, p->sources_new, p->n_sources_new,
		 "add, build and install for every kernel with headers:");
	for (i = 0; i < p->n_upgrades; i++) {
		const struct batch_event *o = &p->ev[p->upgrades[i].gone];
		const struct batch_event *a = &p->ev[p->upgrades[i].added];

		dkms_echo(s, "upgrade %s/%s to %s/%s: %s/%s is removed where "
			  "%s/%s is installed", o->module, o->version, a->module,
			  a->version, o->module, o->version, a->module, a->version);
	}
	say_list(s, p, p->kernels_new, p->n_kernels_new, "autoinstall for");
	for (i = 0; i < p->n_kernels_new; i++) {
		const char *k = p->ev[p->kernels_new[i]].kernelver;
		_cleanup_free_ char *why = NULL;

		if (batch_has_headers(s, k))
			continue;
		why = batch_no_headers_reason(s, k);
		dkms_echo(s, "  (nothing will be built: %s)", why ? why : "no headers");
	}
	if (p->n_merged)
		dkms_echo(s, "(%zu event(s) merged into others)", p->n_merged);
	return 0;
}
