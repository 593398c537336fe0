/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A batch: what one package transaction changed (sources and kernels
 * arriving or going, plus dkms's explicit steps), planned once and run
 * as one: removals first, every build under one job budget, depmod and
 * the initramfs once per kernel at the end.  Nothing in a batch fails
 * the caller: each (module, version, kernel) ends in an outcome.
 */
#ifndef DKMS_CMD_BATCH_H
#define DKMS_CMD_BATCH_H

#include "ops/ops.h"

/* One event as given (request.c copies the caller's strings). */
struct batch_event {
	enum dkms_event_kind kind;
	char *module, *version;   /* "" for kernel events */
	char *kernelver, *arch;   /* resolved: never NULL */
	char *path;               /* SOURCE_ADDED by path, else NULL */
};

/* How one thing the batch did ended. */
struct batch_outcome {
	size_t event;             /* the event it comes from */
	enum dkms_event_kind kind;
	char *module, *version, *kernelver, *arch;
	int status;               /* 0 or -errno (exitcode.h); the
				   * result gives a dkms exit code */
	char *reason;             /* in words, NULL when status is 0 */
	char *log;                /* a failed build's make.log */
	char *output;             /* what dkms printed for it, or NULL */
};

struct batch_outcomes {
	struct batch_outcome *v;
	size_t n;
	/* what dkms printed since the last outcome: the next one's
	 * messages (request.c taps the output into it) */
	struct strbuf pending;
};
void batch_outcomes_clear(struct batch_outcomes *o);

/* ---- batch-plan.c: what the events ask for, merged and ordered -------- */
struct batch_upgrade {
	size_t gone, added;       /* SOURCE_REMOVING and SOURCE_ADDED events */
};

struct batch_plan {
	const struct batch_event *ev;
	size_t n;
	/* indices into ev, one list per phase, in run order */
	size_t *kernels_gone, n_kernels_gone;
	size_t *sources_gone, n_sources_gone;
	size_t *explicit, n_explicit;
	size_t *sources_new, n_sources_new;
	struct batch_upgrade *upgrades;
	size_t n_upgrades;
	size_t *kernels_new, n_kernels_new;
	/* events merged into an earlier one, or cancelled by another */
	size_t n_merged;
};
/* Plan ev[0..n): duplicates merged, a source going and one of the same
 * module arriving paired into an upgrade (the same version going and
 * arriving: a reinstall, nothing goes), a kernel going and arriving
 * stays.  Sources given by path must be named (batch_name_sources). */
int batch_plan_make(const struct batch_event *ev, size_t n,
		    struct batch_plan *p);
void batch_plan_clear(struct batch_plan *p);
/* The plan in words, one line a step (dry run). */
int batch_plan_print(struct dkms_session *s, const struct batch_plan *p);

/* ---- batch-run.c ------------------------------------------------------- */
/* SOURCE_ADDED events given by path get their module and version from
 * the dkms.conf there; an unreadable one becomes an outcome (and the
 * event is dropped from the plan: its module left empty).
 * SOURCE_REMOVING events given by path are named after the version in
 * the tree whose source link reads that path; none: left out. */
int batch_name_sources(struct dkms_session *s, struct batch_event *ev,
		       size_t n, struct batch_outcomes *out);
/* Run the plan; every failure is an outcome, the return is 0 or -errno
 * for what stopped the batch itself (memory). */
int batch_run(struct dkms_session *s, const struct batch_plan *p,
	      struct batch_outcomes *out);
/* <install_tree>/KVER/build is there. */
bool batch_has_headers(struct dkms_session *s, const char *kver);
/* Why KVER cannot be built for: its headers, and the package to install
 * when a package database names it (malloc'd). */
char *batch_no_headers_reason(struct dkms_session *s, const char *kver);
/* The end of a batch: one line per failure with its log. */
void batch_summary(struct dkms_session *s, const struct batch_outcomes *o);
/* framework.conf's strict_transactions="yes": a failure fails the
 * package manager's step (exit 1) instead of being only reported. */
bool batch_strict(const struct dkms_session *s);

/* ---- batch-line.c: one event a line ----------------------------------- */
/* "source-added PATH|M/V", "source-removing M/V", "kernel-added K [A]",
 * "kernel-removing K [A]", "add M/V", "build|install|uninstall|unbuild|
 * remove M/V [K [A]]"; the same words batch_event_format writes.  Blank
 * and '#' lines give -ENODATA, a bad line -EINVAL. */
int batch_event_parse(const char *line, struct batch_event *ev);
char *batch_event_format(const struct batch_event *ev);
const char *batch_kind_name(enum dkms_event_kind kind);
void batch_event_clear(struct batch_event *ev);

#endif
