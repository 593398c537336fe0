/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "Building module(s)...." line.  In logs and pipes it is
 * 3.4.3's: a dot every 3 seconds, then " done.".  On a terminal
 * (dkms_ctx_set_terminal) the line is rewritten in place with the elapsed
 * time, and ends with the total: "Building module(s)..... done (14s).".
 */
#ifndef DKMS_PROGRESS_H
#define DKMS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/base.h"

struct progress {
	struct dkms_session *s;
	bool dots;     /* 3.4.3 prints dots for this command */
	bool live;     /* and we are on a terminal: the counter */
	bool color;
	const char *desc;
	struct timespec t0;
	size_t shown;  /* width of the line on the terminal */
};

/* After invoke_begin printed "DESC...". */
void progress_begin(struct progress *p, struct dkms_session *s,
		    const char *desc, bool dots);
/* Milliseconds to wait for the job before the next progress_tick. */
int progress_interval(const struct progress *p);
void progress_tick(struct progress *p);
/* The job ended with STATUS.  True when the line's end is written (a
 * success on a terminal); else the caller writes 3.4.3's ending. */
bool progress_end(struct progress *p, int status);

#endif
