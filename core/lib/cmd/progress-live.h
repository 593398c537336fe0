/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live status of steps run side by side (the scheduler), for a person
 * at a terminal.  While a parallel autoinstall runs, a few
 * lines under the replayed output show each running build and its
 * elapsed time, redrawn in place; they are erased before the held output
 * of a finished step is written, so that output reads as a serial run's.
 * At the end a summary: what succeeded, was skipped (why) and failed
 * (its make.log).  Off a terminal (pipes, logs, TERM=dumb) nothing of it:
 * the output stays 3.4.3's, byte for byte.
 */
#ifndef DKMS_CMD_PROGRESS_LIVE_H
#define DKMS_CMD_PROGRESS_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "ops/ops.h"

struct live;
struct sched_step;
struct sched_result;

/* For the N STEPS of a scheduler run (named by their labels; STEPS must
 * outlive LV).  NULL when the output is not a terminal (or on ENOMEM):
 * every call below does nothing with NULL. */
struct live *live_new(struct dkms_session *s, const struct sched_step *steps,
		      size_t n);
/* Step I's state as the scheduler sees it now; once it is done, STATUS
 * and RES (its work's result) say how it ended and why. */
void live_sync(struct live *lv, size_t i, bool launched, bool done,
	       int status, const struct sched_result *res);
/* Draw the status lines again (when hidden, changed, or a second on);
 * whatever is written through the ctx in between erases them first. */
void live_show(struct live *lv);
/* Milliseconds the scheduler may wait for its children before the next
 * live_show; -1: no limit. */
int live_timeout(const struct live *lv);
/* The status lines go, the summary is written; LV is freed. */
void live_finish(struct live *lv);

/* The above as the scheduler's watch (exec.h), for sched_run_warm(). */
extern const struct sched_watch live_watch;

#endif
