/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Progress of a long command (a build) for a person at a terminal.
 * Only when the CLI says its output is a terminal (isatty, TERM not
 * dumb): logs, pipes and the tests/diff comparison with 3.4.3 keep the
 * plain dots.  The line grows only (dots, then a longer counter), so a
 * carriage return and the new text cover the old without any escape
 * sequence; color (the final "done") is off with NO_COLOR.
 */
#include "config.h"

#include <string.h>

#include "exec/exec.h"

#define DOT_MS 3000  /* 3.4.3's dot interval */
#define TICK_MS 1000 /* the counter's */
#define GREEN "\033[32m"
#define RESET "\033[0m"

static long elapsed_ms(const struct progress *p)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - p->t0.tv_sec) * 1000 +
	       (now.tv_nsec - p->t0.tv_nsec) / 1000000;
}

/* 7s, 3m05s, 1h02m03s */
static void add_duration(struct strbuf *sb, long ms)
{
	long sec = ms / 1000;

	if (sec >= 3600)
		strbuf_addf(sb, "%ldh%02ldm%02lds", sec / 3600, sec / 60 % 60,
			    sec % 60);
	else if (sec >= 60)
		strbuf_addf(sb, "%ldm%02lds", sec / 60, sec % 60);
	else
		strbuf_addf(sb, "%lds", sec);
}

/* "\rDESC...." with a dot per 3 seconds */
static void add_head(struct strbuf *sb, const struct progress *p, long ms)
{
	long i;

	strbuf_addf(sb, "\r%s...", p->desc);
	for (i = 0; i < ms / DOT_MS; i++)
		strbuf_addch(sb, '.');
}

/* SB starts with "\r"; HIDDEN of its bytes are escapes, no columns */
static void show(struct progress *p, struct strbuf *sb, size_t hidden)
{
	/* what is longer than the line before covers it; else blanks */
	while (sb->len - 1 - hidden < p->shown)
		strbuf_addch(sb, ' ');
	p->shown = sb->len - 1 - hidden;
	dkms_write(p->s->ctx, DKMS_STDOUT, strbuf_str(sb), sb->len);
	strbuf_release(sb);
}

void progress_begin(struct progress *p, struct dkms_session *s,
		    const char *desc, bool dots)
{
	unsigned int t = dkms_ctx_get_terminal(s->ctx);

	*p = (struct progress){ .s = s, .dots = dots, .desc = desc };
	p->live = dots && (t & DKMS_TERMINAL_PROGRESS);
	p->color = p->live && (t & DKMS_TERMINAL_COLOR);
	p->shown = strlen(desc) + 3;
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
}

int progress_interval(const struct progress *p)
{
	return p->live ? TICK_MS : DOT_MS;
}

void progress_tick(struct progress *p)
{
	struct strbuf sb = { 0 };
	long ms;

	if (!p->live) {
		if (p->dots)
			dkms_printf(p->s->ctx, DKMS_STDOUT, ".");
		return;
	}
	ms = elapsed_ms(p);
	add_head(&sb, p, ms);
	strbuf_addch(&sb, ' ');
	add_duration(&sb, ms);
	show(p, &sb, 0);
}

bool progress_end(struct progress *p, int status)
{
	struct strbuf sb = { 0 };
	long ms;

	if (!p->live)
		return false;
	ms = elapsed_ms(p);
	add_head(&sb, p, ms);
	if (status > 0) {
		/* the counter goes; 3.4.3's "(bad exit status: N)" follows */
		show(p, &sb, 0);
		add_head(&sb, p, ms);
		dkms_write(p->s->ctx, DKMS_STDOUT, strbuf_str(&sb), sb.len);
		strbuf_release(&sb);
		return false;
	}
	strbuf_adds(&sb, p->color ? " " GREEN "done" RESET " (" : " done (");
	if (ms < 10000)
		strbuf_addf(&sb, "%ld.%lds", ms / 1000, ms / 100 % 10);
	else
		add_duration(&sb, ms);
	strbuf_adds(&sb, ").");
	show(p, &sb, p->color ? strlen(GREEN RESET) : 0);
	dkms_write(p->s->ctx, DKMS_STDOUT, "\n", 1);
	return true;
}
