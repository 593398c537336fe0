/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files running a batch share (batch-run.c, batch-upgrade.c,
 * batch-name.c): the run under way, its outcomes, lists of kernels.
 */
#ifndef DKMS_CMD_BATCH_RUN_H
#define DKMS_CMD_BATCH_RUN_H

#include "cmd/batch.h"

struct run {
	struct dkms_session *s;
	const struct batch_plan *p;
	struct batch_outcomes *out;
	bool changed;          /* something was added, installed or removed */
	int err;               /* -ENOMEM met while recording */
};

/* An outcome of event `event`, op's names, appended to o. */
int outcome_add(struct batch_outcomes *o, size_t event,
		const struct batch_event *e, const struct dkms_op *op,
		int status, const char *reason, const char *log);
/* The outcome of event i done as a whole (kernel or version wide);
 * reason NULL: dkms's last error, else words for the status. */
void record(struct run *run, size_t i, const struct dkms_op *op,
	    int status, const char *reason);
/* remove --all for one version; 0 when it is not in the tree. */
int remove_all(struct dkms_session *s, const char *m, const char *v);

/* Kernels with their arches, each once. */
struct kernel_list {
	char **kver, **arch;
	size_t n;
};
int kernel_list_add(struct kernel_list *k, const char *kver,
		    const char *arch);
void kernel_list_clear(struct kernel_list *k);

/* ---- batch-upgrade.c --------------------------------------------------- */
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

struct upgrades {
	struct swap *v;
	size_t n;
	struct namelist names;   /* the kept versions' names */
};
/* The plan's upgrades and the versions earlier upgrades kept. */
int upgrades_collect(struct run *run, struct upgrades *w);
/* Before the builds: each old version uninstalled where installed. */
void upgrades_prepare(struct run *run, struct upgrades *w);
/* After them: the old version back where the new one did not install,
 * gone from everywhere else. */
void upgrades_finish(struct run *run, struct upgrades *w);
void upgrades_clear(struct upgrades *w);

#endif
