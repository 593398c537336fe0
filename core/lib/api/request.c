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

struct dkms_request {
	int refcount;
	struct dkms_ctx *ctx;
	unsigned int flags;
	size_t n;
	struct batch_event *ev;
};

struct dkms_result {
	int refcount;
	struct batch_outcomes out;
	bool strict;
};

static void events_free(struct batch_event *ev, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		batch_event_clear(&ev[i]);
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

static bool is_kernel_event(enum dkms_event_kind kind)
{
	return kind == DKMS_EVENT_KERNEL_ADDED ||
	       kind == DKMS_EVENT_KERNEL_REMOVING;
}

static bool is_source_event(enum dkms_event_kind kind)
{
	return kind == DKMS_EVENT_SOURCE_ADDED ||
	       kind == DKMS_EVENT_SOURCE_REMOVING;
}

/* Take e (its strings now the request's), kernel and arch resolved. */
static int push_event(struct dkms_request *req, struct batch_event *e)
{
	struct batch_event *nv;

	if (!e->kernelver)
		e->kernelver = uname_r();
	if (!e->arch)
		e->arch = uname_m();
	if (!e->module)
		e->module = strdup("");
	if (!e->version)
		e->version = strdup("");
	nv = realloc(req->ev, (req->n + 1) * sizeof(*nv));
	if (nv)
		req->ev = nv;
	if (!nv || !e->kernelver || !e->arch || !e->module || !e->version) {
		batch_event_clear(e);
		return -ENOMEM;
	}
	nv[req->n++] = *e;
	return 0;
}

static char *dup_opt(const char *s, bool *oom)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*oom = true;
	return d;
}

DKMS_EXPORT int dkms_request_add(struct dkms_request *req,
				 enum dkms_event_kind kind, const char *module,
				 const char *version, const char *kernelver,
				 const char *arch)
{
	struct batch_event e = { .kind = kind };
	bool oom = false;

	if ((int)kind < 0 || kind >= _DKMS_EVENT_MAX)
		return -EINVAL;
	if (is_kernel_event(kind) ? module || version
				  : !module || !*module || !version || !*version)
		return -EINVAL;
	e.module = dup_opt(module, &oom);
	e.version = dup_opt(version, &oom);
	/* a source event is for every kernel: it names none */
	e.kernelver = dup_opt(is_source_event(kind) ? NULL : kernelver, &oom);
	e.arch = dup_opt(is_source_event(kind) ? NULL : arch, &oom);
	if (oom) {
		batch_event_clear(&e);
		return -ENOMEM;
	}
	return push_event(req, &e);
}

/* A source by its directory: arriving, or going (named from the tree). */
static int add_source_path(struct dkms_request *req, enum dkms_event_kind kind,
			   const char *path)
{
	const char *root = dkms_ctx_get_path(req->ctx, DKMS_PATH_ROOT);
	struct batch_event e = { .kind = kind };

	if (!path || path[0] != '/')
		return -EINVAL;
	/* a package manager's path, inside the root it works on */
	e.path = root && strcmp(root, "/") ? path_join(root, path) : strdup(path);
	if (!e.path)
		return -ENOMEM;
	return push_event(req, &e);
}

DKMS_EXPORT int dkms_request_add_source(struct dkms_request *req,
					const char *path)
{
	return add_source_path(req, DKMS_EVENT_SOURCE_ADDED, path);
}

DKMS_EXPORT int dkms_request_add_line(struct dkms_request *req,
				      const char *line)
{
	struct batch_event e;
	_cleanup_free_ char *path = NULL;
	enum dkms_event_kind kind;
	int r = batch_event_parse(line, &e);

	if (r)
		return r;
	if (!e.path)
		return push_event(req, &e);
	path = e.path;
	e.path = NULL;
	kind = e.kind;
	batch_event_clear(&e);
	return add_source_path(req, kind, path);
}

static int session_for(struct dkms_request *req, struct dkms_session **ret)
{
	struct dkms_session *s = NULL;
	int r = dkms_session_new(req->ctx, &s);

	if (r == 0)
		r = dkms_session_apply_paths(s);
	if (r == 0 && !(req->flags & DKMS_REQUEST_DRY_RUN))
		r = dkms_session_lock(s);
	if (r < 0) {
		dkms_session_free(s);
		return r;
	}
	if (req->flags & DKMS_REQUEST_FORCE)
		s->flags |= DKMS_OPT_FORCE;
	if (req->flags & DKMS_REQUEST_NO_DEPMOD)
		s->flags |= DKMS_OPT_NO_DEPMOD;
	if (req->flags & DKMS_REQUEST_VERBOSE)
		s->flags |= DKMS_OPT_VERBOSE;
	*ret = s;
	return 0;
}

static int plan_and_run(struct dkms_session *s, struct dkms_request *req,
			struct dkms_result *res)
{
	struct batch_plan plan;
	int r;

	r = batch_name_sources(s, req->ev, req->n, &res->out);
	if (r == 0)
		r = batch_plan_make(req->ev, req->n, &plan);
	if (r)
		return r;
	if (req->flags & DKMS_REQUEST_DRY_RUN)
		r = batch_plan_print(s, &plan);
	else
		r = batch_run(s, &plan, &res->out);
	batch_plan_clear(&plan);
	return r;
}

/* What the batch prints goes on to the caller's output, and is kept for
 * the outcome it comes before (dkms_result_output). */
struct tap {
	dkms_output_fn fn;
	void *data;
	struct batch_outcomes *out;
};

static void tap_output(void *data, enum dkms_stream stream, const char *text,
		       size_t len)
{
	struct tap *t = data;

	(void)strbuf_add(&t->out->pending, text, len);
	t->fn(t->data, stream, text, len);
}

/* The batch: sources named, planned once, run (or only shown), the
 * failures summed up at the end. */
static int run_batch(struct dkms_session *s, struct dkms_request *req,
		     struct dkms_result *res)
{
	struct tap tap = { .out = &res->out };
	int r;

	dkms_ctx_get_output_fn(s->ctx, &tap.fn, &tap.data);
	dkms_ctx_set_output_fn(s->ctx, tap_output, &tap);
	r = plan_and_run(s, req, res);
	dkms_ctx_set_output_fn(s->ctx, tap.fn, tap.data);
	strbuf_release(&res->out.pending);
	if (r == 0)
		batch_summary(s, &res->out);
	return r;
}


DKMS_EXPORT int dkms_request_run(struct dkms_request *req,
				 struct dkms_result **ret)
{
	struct dkms_session *s = NULL;
	struct dkms_result *res;
	int r;

	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	res->refcount = 1;
	/* a transaction that touched no source and no kernel: nothing read,
	 * nothing locked, nothing written */
	if (req->n == 0) {
		*ret = res;
		return 0;
	}
	r = session_for(req, &s);
	if (r == 0) {
		res->strict = batch_strict(s);
		r = run_batch(s, req, res);
	}
	dkms_session_free(s);
	if (r < 0) {
		dkms_result_unref(res);
		return r;
	}
	*ret = res;
	return 0;
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
	batch_outcomes_clear(&res->out);
	free(res);
	return NULL;
}

DKMS_EXPORT size_t dkms_result_count(const struct dkms_result *res)
{
	return res ? res->out.n : 0;
}

DKMS_EXPORT int dkms_result_get(const struct dkms_result *res, size_t i,
				enum dkms_event_kind *kind, const char **module,
				const char **version, const char **kernelver,
				const char **arch, int *status)
{
	const struct batch_outcome *e;

	if (!res || i >= res->out.n)
		return -ERANGE;
	e = &res->out.v[i];
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
	/* libdkms.h: a dkms exit code, or -errno where 3.4.3 has none */
	if (status)
		*status = dkms_errno_is_exit(e->status)
			  ? dkms_errno_to_exit(e->status) : e->status;
	return 0;
}

DKMS_EXPORT const char *dkms_result_build_log(const struct dkms_result *res,
					      size_t i)
{
	if (!res || i >= res->out.n)
		return NULL;
	return res->out.v[i].log;
}

DKMS_EXPORT const char *dkms_result_reason(const struct dkms_result *res,
					   size_t i)
{
	if (!res || i >= res->out.n)
		return NULL;
	return res->out.v[i].reason;
}

DKMS_EXPORT const char *dkms_result_output(const struct dkms_result *res,
					   size_t i)
{
	if (!res || i >= res->out.n)
		return NULL;
	return res->out.v[i].output;
}

DKMS_EXPORT size_t dkms_result_event(const struct dkms_result *res, size_t i)
{
	if (!res || i >= res->out.n)
		return (size_t)-1;
	return res->out.v[i].event;
}

DKMS_EXPORT size_t dkms_result_failures(const struct dkms_result *res)
{
	size_t i, n = 0;

	for (i = 0; res && i < res->out.n; i++)
		n += res->out.v[i].status != 0 &&
		     res->out.v[i].status != -DKMS_EEXCLUDED;
	return n;
}

DKMS_EXPORT int dkms_result_exit_code(const struct dkms_result *res)
{
	bool failed = res && res->strict && dkms_result_failures(res);

	return dkms_errno_to_exit(failed ? -DKMS_EFAILED : 0);
}

