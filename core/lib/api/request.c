/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Requests: the public door for package-manager adapters.  A batch of
 * events runs through the same cycle as the CLI (ops.h) with one session,
 * and every event gets its own result instead of ending the program.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "api/api.h"

struct event {
	enum dkms_event_kind kind;
	char *module, *version, *kernelver, *arch;
	int status;
	char *log;
};

struct dkms_request {
	int refcount;
	struct dkms_ctx *ctx;
	unsigned int flags;
	size_t n;
	struct event *ev;
};

struct dkms_result {
	int refcount;
	size_t n;
	struct event *ev;
};

static void events_free(struct event *ev, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(ev[i].module);
		free(ev[i].version);
		free(ev[i].kernelver);
		free(ev[i].arch);
		free(ev[i].log);
	}
	free(ev);
}

DKMS_EXPORT int dkms_request_new(struct dkms_ctx *ctx, struct dkms_request **ret)
{
	struct dkms_request *req = calloc(1, sizeof(*req));

	if (!req)
		return -ENOMEM;
	req->refcount = 1;
	req->ctx = dkms_ctx_ref(ctx);
	*ret = req;
	return 0;
}

DKMS_EXPORT struct dkms_request *dkms_request_ref(struct dkms_request *req)
{
	if (req)
		req->refcount++;
	return req;
}

DKMS_EXPORT struct dkms_request *dkms_request_unref(struct dkms_request *req)
{
	if (!req || --req->refcount > 0)
		return NULL;
	events_free(req->ev, req->n);
	dkms_ctx_unref(req->ctx);
	free(req);
	return NULL;
}

DKMS_EXPORT void dkms_request_set_flags(struct dkms_request *req,
					unsigned int flags)
{
	req->flags = flags;
}

static char *dup_or_default(const char *s, char *(*def)(void))
{
	return s ? strdup(s) : def();
}

DKMS_EXPORT int dkms_request_add(struct dkms_request *req,
				 enum dkms_event_kind kind, const char *module,
				 const char *version, const char *kernelver,
				 const char *arch)
{
	struct event *ev, *e;
	bool kernel_event = kind == DKMS_EVENT_KERNEL_ADDED ||
			    kind == DKMS_EVENT_KERNEL_REMOVING;

	if ((int)kind < 0 || kind >= _DKMS_EVENT_MAX)
		return -EINVAL;
	if (kernel_event ? module || version
			 : !module || !*module || !version || !*version)
		return -EINVAL;
	ev = realloc(req->ev, (req->n + 1) * sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	req->ev = ev;
	e = &ev[req->n];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->module = strdup(kernel_event ? "" : module);
	e->version = strdup(kernel_event ? "" : version);
	e->kernelver = dup_or_default(kernelver, uname_r);
	e->arch = dup_or_default(arch, uname_m);
	req->n++;
	if (!e->module || !e->version || !e->kernelver || !e->arch)
		return -ENOMEM;
	return 0;
}

static int run_event(struct dkms_session *s, struct event *e)
{
	struct dkms_op op = { e->module, e->version, e->kernelver, e->arch };
	struct dkms_kernels k = { 0 };
	int r;

	switch (e->kind) {
	case DKMS_EVENT_KERNEL_ADDED:
		return dkms_kernel_postinst(s, e->kernelver, e->arch);
	case DKMS_EVENT_KERNEL_REMOVING:
		return dkms_kernel_prerm(s, e->kernelver, e->arch);
	case DKMS_EVENT_ADD:
		if (dkms_is_added(s, e->module, e->version))
			return 0;
		return dkms_op_add(s, &op);
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
			return 4;
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

DKMS_EXPORT int dkms_request_run(struct dkms_request *req,
				 struct dkms_result **ret)
{
	struct dkms_session *s = NULL;
	struct dkms_result *res;
	size_t i;
	int r;

	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	res->refcount = 1;
	res->ev = calloc(req->n + 1, sizeof(*res->ev));
	if (!res->ev) {
		free(res);
		return -ENOMEM;
	}
	r = dkms_session_new(req->ctx, &s);
	if (r == 0)
		r = dkms_session_apply_paths(s);
	if (r == 0)
		r = dkms_session_lock(s);
	if (r < 0)
		goto fail;
	if (req->flags & DKMS_REQUEST_FORCE)
		s->flags |= DKMS_OPT_FORCE;
	if (req->flags & DKMS_REQUEST_NO_DEPMOD)
		s->flags |= DKMS_OPT_NO_DEPMOD;
	if (req->flags & DKMS_REQUEST_VERBOSE)
		s->flags |= DKMS_OPT_VERBOSE;
	for (i = 0; i < req->n; i++) {
		struct event *src = &req->ev[i], *e = &res->ev[i];

		e->kind = src->kind;
		e->module = strdup(src->module);
		e->version = strdup(src->version);
		e->kernelver = strdup(src->kernelver);
		e->arch = strdup(src->arch);
		res->n++;
		if (!e->module || !e->version || !e->kernelver || !e->arch) {
			r = -ENOMEM;
			goto fail;
		}
		e->status = run_event(s, e);
		if (e->status != 0) {
			char *log = tree_path(s, "%s/%s/build/make.log",
					      e->module, e->version);

			if (log && path_exists(log))
				e->log = log;
			else
				free(log);
		}
		/* 3.4.3 runs each in a fresh process: nothing carries over */
		free(s->prepared_kernel);
		s->prepared_kernel = NULL;
	}
	dkms_session_free(s);
	*ret = res;
	return 0;
fail:
	dkms_session_free(s);
	dkms_result_unref(res);
	return r;
}

DKMS_EXPORT struct dkms_result *dkms_result_ref(struct dkms_result *res)
{
	if (res)
		res->refcount++;
	return res;
}

DKMS_EXPORT struct dkms_result *dkms_result_unref(struct dkms_result *res)
{
	if (!res || --res->refcount > 0)
		return NULL;
	events_free(res->ev, res->n);
	free(res);
	return NULL;
}

DKMS_EXPORT size_t dkms_result_count(const struct dkms_result *res)
{
	return res ? res->n : 0;
}

DKMS_EXPORT int dkms_result_get(const struct dkms_result *res, size_t i,
				enum dkms_event_kind *kind, const char **module,
				const char **version, const char **kernelver,
				const char **arch, int *status)
{
	const struct event *e;

	if (!res || i >= res->n)
		return -ERANGE;
	e = &res->ev[i];
	if (kind)
		*kind = e->kind;
	if (module)
		*module = e->module;
	if (version)
		*version = e->version;
	if (kernelver)
		*kernelver = e->kernelver;
	if (arch)
		*arch = e->arch;
	if (status)
		*status = e->status;
	return 0;
}

DKMS_EXPORT const char *dkms_result_build_log(const struct dkms_result *res,
					      size_t i)
{
	if (!res || i >= res->n)
		return NULL;
	return res->ev[i].log;
}
