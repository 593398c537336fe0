/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"

static const char *const default_paths[_DKMS_PATH_MAX] = {
	[DKMS_PATH_ROOT] = "/",
	[DKMS_PATH_DKMS_TREE] = "/var/lib/dkms",
	[DKMS_PATH_SOURCE_TREE] = "/usr/src",
	[DKMS_PATH_INSTALL_TREE] = "/lib/modules",
	[DKMS_PATH_CONF_DIR] = "/etc/dkms",
	[DKMS_PATH_TMP] = "/tmp",
	[DKMS_PATH_OS_RELEASE] = "/etc/os-release",
	[DKMS_PATH_BOOT] = "/boot",
	[DKMS_PATH_EFIVARS] = "/sys/firmware/efi/efivars",
};

struct dkms_ctx {
	int refcount;
	char *paths[_DKMS_PATH_MAX];
	bool explicit_path[_DKMS_PATH_MAX];
	dkms_output_fn output_fn;
	void *output_data;
	dkms_log_fn log_fn;
	void *log_data;
	int log_priority;
	unsigned int jobs;
	unsigned int lock_timeout; /* seconds; 0: no limit */
	bool no_rpmdb; /* dkms_ctx_set_rpmdb(ctx, false) */
	char **env; /* dkms_ctx_set_environ(); NULL: none */
	char *distribution; /* NULL: not yet read from os-release */
	char *addon_modules_dir; /* NULL: unset */
	struct dkms_dl *dl; /* libraries loaded on first use (dlopen.c) */
	/* progress.c: terminal flags, valid while output_fn is terminal_fn */
	dkms_output_fn terminal_fn;
	unsigned int terminal;
};

/* Each piece flushed at once, the other stream first: children write to
 * the same descriptors in between, and a pipe or a package manager's
 * socket that takes both keeps them in order. */
static void output_stdio(void *data, enum dkms_stream stream, const char *text,
			 size_t len)
{
	FILE *f = stream == DKMS_STDERR ? stderr : stdout;

	(void)data;
	fflush(stream == DKMS_STDERR ? stdout : stderr);
	fwrite(text, 1, len, f);
	fflush(f);
}

static int rebase_path(struct dkms_ctx *ctx, enum dkms_path_id id)
{
	const char *root = ctx->paths[DKMS_PATH_ROOT];
	char *p;

	if (ctx->explicit_path[id])
		return 0;
	if (!root || !strcmp(root, "/"))
		p = strdup(default_paths[id]);
	else
		p = path_join(root, default_paths[id]);
	if (!p)
		return -ENOMEM;
	free(ctx->paths[id]);
	ctx->paths[id] = p;
	return 0;
}

DKMS_EXPORT int dkms_ctx_new(struct dkms_ctx **ret)
{
	struct dkms_ctx *ctx = calloc(1, sizeof(*ctx));
	int i;

	if (!ctx)
		return -ENOMEM;
	ctx->refcount = 1;
	ctx->output_fn = output_stdio;
	ctx->log_priority = LOG_ERR;
	ctx->lock_timeout = DKMS_LOCK_TIMEOUT_DEFAULT;
	ctx->paths[DKMS_PATH_ROOT] = strdup("/");
	if (!ctx->paths[DKMS_PATH_ROOT])
		goto oom;
	for (i = 1; i < _DKMS_PATH_MAX; i++)
		if (rebase_path(ctx, (enum dkms_path_id)i) < 0)
			goto oom;
	*ret = ctx;
	return 0;
oom:
	dkms_ctx_unref(ctx);
	return -ENOMEM;
}

DKMS_EXPORT struct dkms_ctx *dkms_ctx_ref(struct dkms_ctx *ctx)
{
	if (ctx)
		ctx->refcount++;
	return ctx;
}

DKMS_EXPORT struct dkms_ctx *dkms_ctx_unref(struct dkms_ctx *ctx)
{
	int i;

	if (!ctx || --ctx->refcount > 0)
		return NULL;
	for (i = 0; i < _DKMS_PATH_MAX; i++)
		free(ctx->paths[i]);
	strv_free(ctx->env);
	free(ctx->distribution);
	free(ctx->addon_modules_dir);
	dkms_dl_free(ctx->dl);
	free(ctx);
	return NULL;
}

struct dkms_dl **dkms_ctx_dl(struct dkms_ctx *ctx)
{
	return &ctx->dl;
}

DKMS_EXPORT int dkms_ctx_set_path(struct dkms_ctx *ctx, enum dkms_path_id id,
				  const char *path)
{
	char *p;
	int i, r;

	if ((int)id < 0 || id >= _DKMS_PATH_MAX)
		return -EINVAL;
	if (id == DKMS_PATH_ROOT) {
		p = strdup(path ? path : "/");
		if (!p)
			return -ENOMEM;
		free(ctx->paths[id]);
		ctx->paths[id] = p;
		for (i = 1; i < _DKMS_PATH_MAX; i++) {
			r = rebase_path(ctx, (enum dkms_path_id)i);
			if (r < 0)
				return r;
		}
		return 0;
	}
	ctx->explicit_path[id] = path != NULL;
	if (!path)
		return rebase_path(ctx, id);
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	free(ctx->paths[id]);
	ctx->paths[id] = p;
	return 0;
}

DKMS_EXPORT const char *dkms_ctx_get_path(const struct dkms_ctx *ctx,
					  enum dkms_path_id id)
{
	if ((int)id < 0 || id >= _DKMS_PATH_MAX)
		return NULL;
	return ctx->paths[id];
}

void dkms_ctx_get_output_fn(struct dkms_ctx *ctx, dkms_output_fn *fn,
			    void **data)
{
	*fn = ctx->output_fn;
	*data = ctx->output_data;
}

DKMS_EXPORT void dkms_ctx_set_output_fn(struct dkms_ctx *ctx,
					dkms_output_fn fn, void *data)
{
	ctx->output_fn = fn ? fn : output_stdio;
	ctx->output_data = data;
}

DKMS_EXPORT void dkms_ctx_set_terminal(struct dkms_ctx *ctx,
				       unsigned int flags)
{
	ctx->terminal_fn = flags ? ctx->output_fn : NULL;
	ctx->terminal = flags;
}

/* a callback set since (the scheduler's recorders) is no terminal */
DKMS_EXPORT unsigned int dkms_ctx_get_terminal(const struct dkms_ctx *ctx)
{
	return ctx->terminal_fn && ctx->terminal_fn == ctx->output_fn
		       ? ctx->terminal : 0;
}

DKMS_EXPORT void dkms_ctx_set_log_fn(struct dkms_ctx *ctx, dkms_log_fn fn,
				     void *data)
{
	ctx->log_fn = fn;
	ctx->log_data = data;
}

DKMS_EXPORT void dkms_ctx_set_log_priority(struct dkms_ctx *ctx, int priority)
{
	ctx->log_priority = priority;
}

DKMS_EXPORT void dkms_ctx_set_jobs(struct dkms_ctx *ctx, unsigned int jobs)
{
	ctx->jobs = jobs;
}

bool dkms_ctx_path_is_explicit(const struct dkms_ctx *ctx, enum dkms_path_id id)
{
	return id > DKMS_PATH_ROOT && id < _DKMS_PATH_MAX && ctx->explicit_path[id];
}

DKMS_EXPORT void dkms_ctx_set_lock_timeout(struct dkms_ctx *ctx,
					   unsigned int seconds)
{
	ctx->lock_timeout = seconds;
}

DKMS_EXPORT unsigned int dkms_ctx_get_lock_timeout(const struct dkms_ctx *ctx)
{
	return ctx->lock_timeout;
}

DKMS_EXPORT void dkms_ctx_set_rpmdb(struct dkms_ctx *ctx, bool read)
{
	ctx->no_rpmdb = !read;
}

DKMS_EXPORT bool dkms_ctx_get_rpmdb(const struct dkms_ctx *ctx)
{
	return !ctx->no_rpmdb;
}

unsigned int dkms_ctx_jobs_set(const struct dkms_ctx *ctx)
{
	return ctx->jobs;
}

DKMS_EXPORT unsigned int dkms_ctx_get_jobs(const struct dkms_ctx *ctx)
{
	return ctx->jobs ? ctx->jobs : dkms_cpu_count();
}

DKMS_EXPORT int dkms_ctx_set_environ(struct dkms_ctx *ctx, char *const *envp)
{
	size_t n = 0, i;
	char **v = NULL;

	while (envp && envp[n])
		n++;
	if (envp) {
		v = calloc(n + 1, sizeof(*v));
		for (i = 0; v && i < n; i++) {
			v[i] = strdup(envp[i]);
			if (!v[i]) {
				strv_free(v);
				v = NULL;
			}
		}
		if (!v)
			return -ENOMEM;
	}
	strv_free(ctx->env);
	ctx->env = v;
	return 0;
}

char *const *dkms_ctx_environ(const struct dkms_ctx *ctx)
{
	return ctx->env;
}

const char *dkms_ctx_getenv(const struct dkms_ctx *ctx, const char *name)
{
	return env_lookup(ctx->env, name);
}

/* The locale a child of dkms would get for category name (LC_TIME, ...):
 * LC_ALL, then the category, then LANG, as setlocale(cat, "") reads
 * them; "C" when none is set. */
static const char *env_locale(const struct dkms_ctx *ctx, const char *cat)
{
	const char *names[] = { "LC_ALL", cat, "LANG" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		const char *v = dkms_ctx_getenv(ctx, names[i]);

		if (v && *v)
			return v;
	}
	return "C";
}

void dkms_ctx_date(const struct dkms_ctx *ctx, time_t t, char *buf,
		   size_t size)
{
	locale_t loc = newlocale(LC_TIME_MASK, env_locale(ctx, "LC_TIME"),
				 (locale_t)0);
	struct tm tm;

	if (loc == (locale_t)0)
		loc = newlocale(LC_TIME_MASK, "C", (locale_t)0);
	localtime_r(&t, &tm);
	if (loc == (locale_t)0 ||
	    !strftime_l(buf, size, nl_langinfo_l(_DATE_FMT, loc), &tm, loc))
		strftime(buf, size, "%a %b %e %H:%M:%S %Z %Y", &tm);
	if (loc != (locale_t)0)
		freelocale(loc);
}

const char *dkms_ctx_path_var(const struct dkms_ctx *ctx)
{
	const char *p = dkms_ctx_getenv(ctx, "PATH");

	return p && *p ? p : DKMS_DEFAULT_PATH;
}

unsigned int dkms_cpu_count(void)
{
	cpu_set_t set;

	/* nproc(1) counts the CPUs this process may run on, so do we. */
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned int)CPU_COUNT(&set);
	return 1;
}

bool dkms_process_threaded(void)
{
	_cleanup_free_ char *text = NULL;
	const char *t;

	if (read_file("/proc/self/status", &text, NULL) < 0)
		return false;
	t = strstr(text, "\nThreads:");
	return t && strtoul(t + strlen("\nThreads:"), NULL, 10) > 1;
}

/* os-release is a shell fragment of KEY=value lines; dkms sources it and
 * uses ID, or ID_LIKE when set (but "ubuntu" for Ubuntu). */
static char *os_release_value(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *line = text;

	while (line && *line) {
		const char *end = strchrnul(line, '\n');

		if (!strncmp(line, key, kl) && line[kl] == '=') {
			const char *v = line + kl + 1;
			size_t n = (size_t)(end - v);

			if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
				v++;
				n -= 2;
			}
			return strndup(v, n);
		}
		line = *end ? end + 1 : NULL;
	}
	return NULL;
}

static char *read_distribution(const struct dkms_ctx *ctx)
{
	_cleanup_free_ char *text = NULL, *id = NULL, *like = NULL;
	const char *alt = "/usr/lib/os-release";

	if (read_file(ctx->paths[DKMS_PATH_OS_RELEASE], &text, NULL) < 0 &&
	    (ctx->explicit_path[DKMS_PATH_OS_RELEASE] ||
	     read_file(alt, &text, NULL) < 0))
		return strdup("");
	id = os_release_value(text, "ID");
	like = os_release_value(text, "ID_LIKE");
	if (id && !strcmp(id, "ubuntu"))
		return strdup(id);
	if (like && *like)
		return strdup(like);
	return strdup(id ? id : "");
}

DKMS_EXPORT const char *dkms_ctx_get_distribution(struct dkms_ctx *ctx)
{
	if (!ctx->distribution)
		ctx->distribution = read_distribution(ctx);
	return ctx->distribution ? ctx->distribution : "";
}

DKMS_EXPORT int dkms_ctx_set_distribution(struct dkms_ctx *ctx, const char *id)
{
	char *p = id ? strdup(id) : NULL;

	if (id && !p)
		return -ENOMEM;
	free(ctx->distribution);
	ctx->distribution = p;
	return 0;
}

DKMS_EXPORT int dkms_ctx_set_addon_modules_dir(struct dkms_ctx *ctx,
					       const char *dir)
{
	char *p = dir && *dir ? strdup(dir) : NULL;

	if (dir && *dir && !p)
		return -ENOMEM;
	free(ctx->addon_modules_dir);
	ctx->addon_modules_dir = p;
	return 0;
}

DKMS_EXPORT const char *dkms_ctx_get_addon_modules_dir(const struct dkms_ctx *ctx)
{
	return ctx->addon_modules_dir;
}

void dkms_write(struct dkms_ctx *ctx, enum dkms_stream stream,
		const char *text, size_t len)
{
	ctx->output_fn(ctx->output_data, stream, text, len);
}

void dkms_printf(struct dkms_ctx *ctx, enum dkms_stream stream,
		 const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	va_list ap;

	va_start(ap, fmt);
	if (strbuf_vaddf(&sb, fmt, ap) == 0)
		dkms_write(ctx, stream, sb.buf, sb.len);
	va_end(ap);
	strbuf_release(&sb);
}

void dkms_log(struct dkms_ctx *ctx, int priority, const char *file, int line,
	      const char *fn, const char *fmt, ...)
{
	va_list ap;

	if (!ctx->log_fn || priority > ctx->log_priority)
		return;
	va_start(ap, fmt);
	ctx->log_fn(ctx->log_data, priority, file, line, fn, fmt, ap);
	va_end(ap);
}
