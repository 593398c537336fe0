/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private side of the context: output and logging helpers for the core. */
#ifndef DKMS_CTX_H
#define DKMS_CTX_H

#include <syslog.h>
#include <time.h>

#include "libdkms.h"
#include "base/util.h"

/* User-visible text, dkms 3.4.3's wording; goes to the output callback. */
void dkms_printf(struct dkms_ctx *ctx, enum dkms_stream stream,
		 const char *fmt, ...) _printf_(3, 4);
void dkms_write(struct dkms_ctx *ctx, enum dkms_stream stream,
		const char *text, size_t len);
/* The output callback in place (status-cache.c records through it). */
void dkms_ctx_get_output_fn(struct dkms_ctx *ctx, dkms_output_fn *fn,
			    void **data);

void dkms_log(struct dkms_ctx *ctx, int priority, const char *file, int line,
	      const char *fn, const char *fmt, ...) _printf_(6, 7);
#define dkms_dbg(ctx, ...) \
	dkms_log(ctx, LOG_DEBUG, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define dkms_info(ctx, ...) \
	dkms_log(ctx, LOG_INFO, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define dkms_err(ctx, ...) \
	dkms_log(ctx, LOG_ERR, __FILE__, __LINE__, __func__, __VA_ARGS__)

/* The libraries loaded on first use (dlopen.c), freed with the context. */
struct dkms_dl;
struct dkms_dl **dkms_ctx_dl(struct dkms_ctx *ctx);

/* The environment given with dkms_ctx_set_environ() (NULL: none), and
 * one variable of it (NULL: unset).  Never the process's own. */
char *const *dkms_ctx_environ(const struct dkms_ctx *ctx);
const char *dkms_ctx_getenv(const struct dkms_ctx *ctx, const char *name);
/* What date(1) would print for t, run in the environment: the format
 * and names of its LC_TIME (LC_ALL, LC_TIME, LANG), our time zone. */
void dkms_ctx_date(const struct dkms_ctx *ctx, time_t t, char *buf,
		   size_t size);
/* Where programs are looked for: the environment's PATH when set and
 * not empty, else DKMS_DEFAULT_PATH (runner.h). */
const char *dkms_ctx_path_var(const struct dkms_ctx *ctx);

/* The CPU count used when no job budget was set. */
unsigned int dkms_cpu_count(void);
/* This process runs more than one thread (/proc/self/status). */
bool dkms_process_threaded(void);
/* The caller set path id itself (not a default under the root). */
bool dkms_ctx_path_is_explicit(const struct dkms_ctx *ctx, enum dkms_path_id id);
/* The job budget the caller set (dkms_ctx_set_jobs), 0 when none. */
unsigned int dkms_ctx_jobs_set(const struct dkms_ctx *ctx);

/* PATH for children when the context's environment has none. */
#define DKMS_DEFAULT_PATH \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#endif
