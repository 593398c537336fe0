/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live status lines of a parallel autoinstall (see progress-live.h).
 *
 * What a step is comes from its label (module, version, kernel), how it
 * ended from its exit status and the result its work handed back
 * (skipped and why, the log of a failure or its error): data the step
 * has, never read back out of the messages it printed, whose wording is
 * 3.4.3's to keep and may change with it.
 *
 * All output goes through us while the steps run (the ctx's output
 * function is wrapped): the status lines are erased before anything else
 * is written, and we know whether the summary needs a blank line first.
 *
 * Redrawing in place takes two escape sequences, cursor up (CUU) and
 * erase below (ED), sent even with NO_COLOR (they are no color); with
 * TERM=dumb the CLI does not say "terminal" and nothing is drawn.  Lines
 * are cut to the terminal's width: a wrapped line would break the count
 * of lines to go up.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"

#define TICK_MS 1000    /* the counters' step */
#define MAX_LINES 6     /* running builds shown; more are counted */
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define RED "\033[31m"
#define RESET "\033[0m"

enum live_state { LS_WAITING, LS_RUNNING, LS_DONE };
/* the summary's groups, in its order */
enum live_outcome { LO_SUCCEEDED, LO_SKIPPED, LO_FAILED, LO_STOPPED };

struct live_step {
	enum live_state state;
	char *label;            /* "m/1.0 for 6.1.0-56-amd64" */
	char *note;             /* a skip's reason, a failure's log */
	struct timespec t0;
	long ms;                /* how long it ran, once done */
	int status;
	enum live_outcome outcome;
};

struct live {
	struct dkms_session *s;
	const struct sched_step *steps; /* their labels */
	dkms_output_fn fn;      /* the output we wrap */
	void *data;
	char tail[2];           /* the last two bytes others wrote */
	bool wrote;
	bool color;
	size_t n, n_work, n_done, n_running;
	size_t shown;           /* status lines on the screen */
	bool dirty;
	struct timespec t0, drawn;
	struct live_step st[];
};

static long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t->tv_sec) * 1000 +
	       (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* 7s, 3m05s */
static void add_secs(struct strbuf *sb, long ms)
{
	long sec = ms / 1000;

	if (sec >= 60)
		strbuf_addf(sb, "%ldm%02lds", sec / 60, sec % 60);
	else
		strbuf_addf(sb, "%lds", sec);
}

static void live_out(void *data, enum dkms_stream stream, const char *text,
		     size_t len);

struct live *live_new(struct dkms_session *s, const struct sched_step *steps,
		      size_t n)
{
	unsigned int t = dkms_ctx_get_terminal(s->ctx);
	size_t n_work = 0, i;
	struct live *lv;

	for (i = 0; i < n; i++)
		n_work += steps[i].work != NULL;
	if (!(t & DKMS_TERMINAL_PROGRESS) || !n_work)
		return NULL;
	lv = calloc(1, sizeof(*lv) + n * sizeof(lv->st[0]));
	if (!lv)
		return NULL;
	lv->s = s;
	lv->steps = steps;
	lv->color = t & DKMS_TERMINAL_COLOR;
	lv->n = n;
	lv->n_work = n_work;
	clock_gettime(CLOCK_MONOTONIC, &lv->t0);
	dkms_ctx_get_output_fn(s->ctx, &lv->fn, &lv->data);
	dkms_ctx_set_output_fn(s->ctx, live_out, lv);
	return lv;
}

/* "m/v for kver", from the step's label */
static char *step_label(const struct sched_label *l, size_t i)
{
	if (!l->module)
		return xasprintf("step %zu", i + 1);
	if (!l->kernel)
		return xasprintf("%s/%s", l->module, l->version ? l->version : "?");
	return xasprintf("%s/%s for %s", l->module, l->version ? l->version : "?",
			 l->kernel);
}

/* How a step ended, and why: a skip's reason, a failure's log, else its
 * error (RES NULL: the child said nothing, as when it was killed). */
static void step_outcome(struct live_step *st, const struct sched_result *res)
{
	bool skipped = res && res->skipped;

	st->outcome = skipped ? LO_SKIPPED :
		      st->status == 0 ? LO_SUCCEEDED : LO_FAILED;
	if (!res)
		return;
	if (skipped && res->reason)
		st->note = strdup(res->reason);
	else if (st->outcome == LO_FAILED && res->log)
		st->note = xasprintf("log %s", res->log);
	else if (st->outcome == LO_FAILED && res->error)
		st->note = strdup(res->error);
}

void live_sync(struct live *lv, size_t i, bool launched, bool done,
	       int status, const struct sched_result *res)
{
	struct live_step *st;

	if (!lv || i >= lv->n || !launched)
		return;
	st = &lv->st[i];
	if (st->state == LS_WAITING) {
		st->state = LS_RUNNING;
		st->label = step_label(&lv->steps[i].label, i);
		clock_gettime(CLOCK_MONOTONIC, &st->t0);
		lv->n_running++;
		lv->dirty = true;
	}
	if (done && st->state == LS_RUNNING) {
		st->state = LS_DONE;
		st->ms = ms_since(&st->t0);
		st->status = status;
		step_outcome(st, res);
		lv->n_running--;
		lv->n_done++;
		lv->dirty = true;
	}
}

static size_t term_width(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		return ws.ws_col;
	return 80;
}

/* One status line, cut to the width (the last column left free: some
 * terminals wrap on it), erasing what was there before. */
static void add_line(struct strbuf *out, struct strbuf *line, size_t width)
{
	strbuf_add(out, line->buf ? line->buf : "",
		   line->len < width ? line->len : width - 1);
	strbuf_adds(out, "\033[K\n");
	strbuf_release(line);
}

/* Cursor up over the status lines, erase from there down. */
static void add_erase(struct strbuf *out, struct live *lv)
{
	if (lv->shown)
		strbuf_addf(out, "\r\033[%zuA\033[J", lv->shown);
	lv->shown = 0;
}

static void add_status(struct strbuf *out, struct live *lv)
{
	size_t width = term_width(), i, listed = 0;
	struct strbuf line = { 0 };

	strbuf_addf(&line, "autoinstall: %zu/%zu done, %zu running, ",
		    lv->n_done, lv->n_work, lv->n_running);
	add_secs(&line, ms_since(&lv->t0));
	add_line(out, &line, width);
	lv->shown = 1;
	for (i = 0; i < lv->n; i++) {
		const struct live_step *st = &lv->st[i];

		if (st->state != LS_RUNNING)
			continue;
		if (++listed > MAX_LINES)
			continue;
		strbuf_addf(&line, "  building %s ... ",
			    st->label ? st->label : "?");
		add_secs(&line, ms_since(&st->t0));
		add_line(out, &line, width);
		lv->shown++;
	}
	if (listed > MAX_LINES) {
		strbuf_addf(&line, "  ... and %zu more", listed - MAX_LINES);
		add_line(out, &line, width);
		lv->shown++;
	}
}

static void flush(struct live *lv, struct strbuf *out)
{
	if (out->len)
		lv->fn(lv->data, DKMS_STDOUT, out->buf, out->len);
	strbuf_release(out);
}

static void live_hide(struct live *lv)
{
	struct strbuf out = { 0 };

	if (!lv || !lv->shown)
		return;
	add_erase(&out, lv);
	flush(lv, &out);
}

/* The wrapped output: the status lines go first. */
static void live_out(void *data, enum dkms_stream stream, const char *text,
		     size_t len)
{
	struct live *lv = data;

	live_hide(lv);
	lv->fn(lv->data, stream, text, len);
	if (len >= 2) {
		memcpy(lv->tail, text + len - 2, 2);
	} else if (len == 1) {
		lv->tail[0] = lv->tail[1];
		lv->tail[1] = text[0];
	}
	lv->wrote |= len > 0;
}

void live_show(struct live *lv)
{
	struct strbuf out = { 0 };

	if (!lv)
		return;
	if (!lv->n_running) {
		live_hide(lv);
		return;
	}
	if (lv->shown && !lv->dirty && ms_since(&lv->drawn) < TICK_MS)
		return;
	add_erase(&out, lv);
	add_status(&out, lv);
	lv->dirty = false;
	clock_gettime(CLOCK_MONOTONIC, &lv->drawn);
	flush(lv, &out);
}

int live_timeout(const struct live *lv)
{
	long left;

	if (!lv || !lv->n_running)
		return -1;
	left = TICK_MS - ms_since(&lv->drawn);
	return left < 50 ? 50 : left > TICK_MS ? TICK_MS : (int)left;
}

/* ---- the summary ------------------------------------------------------------ */

static const char *paint(const struct live *lv, const char *color)
{
	return lv->color ? color : "";
}

static void add_outcome(struct strbuf *out, const struct live *lv,
			const struct live_step *st)
{
	static const char *const word[] = { "succeeded", "skipped", "failed",
					    "stopped" };
	static const char *const color[] = { GREEN, YELLOW, RED, RED };
	const char *w = word[st->outcome];

	strbuf_addf(out, "  %s%s%s%*s %s", paint(lv, color[st->outcome]), w,
		    paint(lv, RESET), (int)(9 - strlen(w)), "",
		    st->label ? st->label : "?");
	if (st->outcome != LO_STOPPED) {
		strbuf_adds(out, " (");
		add_secs(out, st->ms);
		strbuf_adds(out, ")");
	}
	if (st->outcome == LO_FAILED)
		strbuf_addf(out, ": exit status %d",
			    dkms_errno_to_exit(st->status));
	if (st->note)
		strbuf_addf(out, "%s%s", st->outcome == LO_FAILED ? ", " : ": ",
			    st->note);
	strbuf_adds(out, "\n");
}

static void add_summary(struct strbuf *out, const struct live *lv)
{
	size_t count[4] = { 0 }, i;
	int g;

	/* a blank line before, as between 3.4.3's paragraphs */
	if (lv->wrote && lv->tail[1] != '\n')
		strbuf_adds(out, "\n\n");
	else if (lv->wrote && lv->tail[0] != '\n')
		strbuf_adds(out, "\n");

	for (i = 0; i < lv->n; i++)
		if (lv->st[i].state != LS_WAITING)
			count[lv->st[i].outcome]++;
	strbuf_addf(out, "Autoinstall summary: %zu succeeded, %zu skipped, %zu failed in ",
		    count[LO_SUCCEEDED], count[LO_SKIPPED],
		    count[LO_FAILED] + count[LO_STOPPED]);
	add_secs(out, ms_since(&lv->t0));
	strbuf_adds(out, "\n");
	for (g = LO_SUCCEEDED; g <= LO_STOPPED; g++)
		for (i = 0; i < lv->n; i++)
			if (lv->st[i].state != LS_WAITING &&
			    lv->st[i].outcome == (enum live_outcome)g)
				add_outcome(out, lv, &lv->st[i]);
	strbuf_adds(out, "\n");
}

void live_finish(struct live *lv)
{
	struct strbuf out = { 0 };
	size_t i;

	if (!lv)
		return;
	dkms_ctx_set_output_fn(lv->s->ctx, lv->fn, lv->data);
	add_erase(&out, lv);
	for (i = 0; i < lv->n; i++)
		if (lv->st[i].state == LS_RUNNING)
			lv->st[i].outcome = LO_STOPPED; /* killed: the plan stopped */
	if (lv->n_done || lv->n_running)
		add_summary(&out, lv);
	flush(lv, &out);
	for (i = 0; i < lv->n; i++) {
		free(lv->st[i].label);
		free(lv->st[i].note);
	}
	free(lv);
}

/* ---- as the scheduler's watch ---------------------------------------------- */

static void *watch_begin(struct dkms_session *s, const struct sched_step *steps,
			 size_t n)
{
	return live_new(s, steps, n);
}

static void watch_sync(void *w, size_t i, bool launched, bool done,
		       int status, const struct sched_result *res)
{
	live_sync(w, i, launched, done, status, res);
}

static void watch_show(void *w)
{
	live_show(w);
}

static int watch_timeout(const void *w)
{
	return live_timeout(w);
}

static void watch_finish(void *w)
{
	live_finish(w);
}

const struct sched_watch live_watch = {
	.begin = watch_begin,
	.sync = watch_sync,
	.show = watch_show,
	.timeout = watch_timeout,
	.finish = watch_finish,
};
