/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Independent steps (one module's build and install for a kernel) run at
 * the same time, each in a forked child of dkms, at most `budget` at once;
 * their output is held and written in plan order once a step is done, so
 * what the user sees is what a serial run prints (3.4.3's order), while
 * each build's full log is in its make.log as usual.
 *
 * A child sends back over a pipe: its output as "O|E <len>\n<bytes>"
 * chunks, then what the parent must know afterwards: "I <len>\n<kver>"
 * (an initramfs to regenerate, initramfs.c), "D <len>\n<kver>" (depmod
 * wanted: children never run depmod, which would race with each other's
 * installs; the parent runs it once per kernel at the end) and how the
 * step ended as its work() told (struct sched_result): "S" skipped (its
 * reason, maybe empty), "L" a log, "X" an error.  That result is the
 * live summary's (the watch, cmd/progress-live.c), which so never reads
 * the messages.
 *
 * The budget is shared with the makes through a GNU make jobserver: a
 * pipe holding one token per job the budget allows.  A step's make takes
 * one just before it starts, its sandbox set up (the implicit token of
 * that make), and it goes back as soon as the make ends (runner.c); the
 * make takes more for each extra job it runs, so the builds together
 * never run more jobs than the budget.  What a step does around its make
 * (copying the source, setting up the sandbox, strip, install) needs no
 * token: twice the budget of steps run at once, so that while some makes
 * run, other steps prepare theirs or finish, and a make can start as
 * soon as one ends.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec.h"

struct slot {
	struct strbuf pre;   /* what the parent printed for the step */
	struct strbuf got;   /* what the child sent */
	pid_t pid;
	int fd;              /* read end, -1 once at EOF */
	int status;          /* how the step ended: 0 or -errno */
	struct sched_result res; /* from the child's trailer */
	bool launched, done, skipped;
};

void sched_result_clear(struct sched_result *res)
{
	free(res->reason);
	free(res->log);
	free(res->error);
	*res = (struct sched_result){ 0 };
}

static void chunk(struct strbuf *sb, char tag, const char *text, size_t len)
{
	strbuf_addf(sb, "%c %zu\n", tag, len);
	strbuf_add(sb, text, len);
}

static void record_to_buf(void *data, enum dkms_stream stream,
			  const char *text, size_t len)
{
	chunk(data, stream == DKMS_STDOUT ? 'O' : 'E', text, len);
}

static void write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		len -= (size_t)w;
	}
}

/* A child's own fds 1 and 2 go to temp files (what scripts and --verbose
 * makes print there); before each piece of dkms text, what they got since
 * is sent first, so the order is the order of a serial run. */
struct child_out {
	int fd;
	int raw[2];    /* temp files of fd 1 and fd 2; raw[1] -1: same file */
	off_t off[2];
};

static void send_chunk(int fd, char tag, const char *text, size_t len)
{
	struct strbuf sb = { 0 };

	chunk(&sb, tag, text, len);
	write_all(fd, sb.buf, sb.len);
	strbuf_release(&sb);
}

static void drain_raw(struct child_out *o)
{
	int i;

	for (i = 0; i < 2; i++) {
		char buf[65536];
		ssize_t got;

		if (o->raw[i] < 0)
			continue;
		while ((got = pread(o->raw[i], buf, sizeof(buf), o->off[i])) > 0) {
			send_chunk(o->fd, i == 0 ? 'O' : 'E', buf, (size_t)got);
			o->off[i] += got;
		}
	}
}

static void record_to_pipe(void *data, enum dkms_stream stream,
			   const char *text, size_t len)
{
	struct child_out *o = data;

	drain_raw(o);
	send_chunk(o->fd, stream == DKMS_STDOUT ? 'O' : 'E', text, len);
}

static int raw_file(const char *tmp)
{
	int fd = open(tmp && *tmp ? tmp : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	return fd >= 0 ? fd : open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

/* fds 1 and 2 to temp files (one when they were the same file) in tmp. */
static void capture_raw(struct child_out *o, const char *tmp)
{
	struct stat a, b;
	bool same = fstat(1, &a) == 0 && fstat(2, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino;

	o->raw[0] = raw_file(tmp);
	o->raw[1] = same ? -1 : raw_file(tmp);
	if (o->raw[0] >= 0)
		dup2(o->raw[0], 1);
	if (same && o->raw[0] >= 0)
		dup2(o->raw[0], 2);
	else if (o->raw[1] >= 0)
		dup2(o->raw[1], 2);
}

static void send_list(int fd, char tag, char *const *l)
{
	for (; l && *l; l++)
		send_chunk(fd, tag, *l, strlen(*l));
}

static void send_str(int fd, char tag, const char *v)
{
	if (v)
		send_chunk(fd, tag, v, strlen(v));
}

static void send_result(int fd, const struct sched_result *res)
{
	if (res->skipped)
		send_str(fd, 'S', res->reason ? res->reason : "");
	send_str(fd, 'L', res->log);
	send_str(fd, 'X', res->error);
}

/* The chunk of SB at *POS: its tag, text and length; *POS past it.
 * False at the end, or where a child died mid-chunk. */
static bool next_chunk(const struct strbuf *sb, size_t *pos, char *tag,
		       const char **text, size_t *len)
{
	const char *p;
	char *nl;
	unsigned long l;

	/* "T N\n" at least: strtoul stays in the buffer */
	if (!sb->buf || sb->len < *pos + 3)
		return false;
	p = sb->buf + *pos;
	l = strtoul(p + 2, &nl, 10);
	if (*nl != '\n' || l > sb->len - (size_t)(nl + 1 - sb->buf))
		return false;
	*tag = p[0];
	*text = nl + 1;
	*len = l;
	*pos = (size_t)(nl + 1 + l - sb->buf);
	return true;
}

/* The result a finished child sent after its output. */
static void read_result(struct slot *sl)
{
	size_t pos = 0, len;
	const char *text;
	char tag;

	while (next_chunk(&sl->got, &pos, &tag, &text, &len)) {
		char **v = tag == 'S' ? &sl->res.reason : tag == 'L' ? &sl->res.log :
			   tag == 'X' ? &sl->res.error : NULL;

		if (!v)
			continue;
		sl->res.skipped |= tag == 'S';
		free(*v);
		*v = len ? strndup(text, len) : NULL;
	}
}

/* ---- the jobserver -------------------------------------------------------- */

struct jobserver {
	int fd[2];
	unsigned int budget;
};

static void js_close(struct jobserver *js)
{
	if (js->fd[0] >= 0)
		close(js->fd[0]);
	if (js->fd[1] >= 0)
		close(js->fd[1]);
	js->fd[0] = js->fd[1] = -1;
}

static void js_put(int wfd, unsigned int n)
{
	while (n--)
		write_all(wfd, "+", 1);
}

static int js_open(struct jobserver *js, unsigned int budget)
{
	js->budget = budget;
	if (pipe2(js->fd, O_CLOEXEC) < 0) {
		js->fd[0] = js->fd[1] = -1;
		return -errno;
	}
	js_put(js->fd[1], budget);
	return 0;
}

/* With no step running no make runs: the pipe must hold the whole
 * budget (a make killed with extra tokens in hand lost them, as does a
 * step killed while its make runs).  Until then a lost token only
 * narrows the budget, unless all are lost (several makes killed at
 * build_time_limit in one run). */
static void js_refill(struct jobserver *js)
{
	int have = 0;

	if (ioctl(js->fd[0], FIONREAD, &have) == 0 && have >= 0 &&
	    (unsigned int)have < js->budget)
		js_put(js->fd[1], js->budget - (unsigned int)have);
}

/* What a step does around its make (copying, checking, strip, install)
 * runs at a nice value 10 above dkms's, its make at dkms's: the makes go
 * first, the rest fills the gaps they leave instead of slowing them.
 * But when no make runs there is no gap to fill, the step's work is what
 * everything waits for (the first steps, before any make; the last, after
 * the last make): at the make's priority then, or on a busy machine the
 * others' processes starve it.  State of the forked step process only
 * (INT_MIN: not in a step). */
#define STEP_NICE 10
static int make_nice = INT_MIN;
static int step_js_fd = -1;
static unsigned int step_budget;

/* no make of ours runs: every token is in the jobserver's pipe */
static bool no_make_runs(void)
{
	int have = 0;

	return step_js_fd >= 0 && ioctl(step_js_fd, FIONREAD, &have) == 0 &&
	       have >= 0 && (unsigned int)have >= step_budget;
}

void sched_for_make(bool make)
{
	if (make_nice != INT_MIN)
		(void)setpriority(PRIO_PROCESS, 0, make || no_make_runs() ?
				  make_nice : make_nice + STEP_NICE);
}

static void step_priority(const struct jobserver *js, bool first)
{
	errno = 0;
	make_nice = getpriority(PRIO_PROCESS, 0);
	if (errno)
		make_nice = INT_MIN;
	step_js_fd = js->fd[0];
	step_budget = js->budget;
	/* one of the first, its make awaited: at the make's priority */
	sched_for_make(first);
}

/* In the child: the step, then the trailer; never returns. */
static _Noreturn void run_child(struct dkms_session *s,
				const struct sched_step *st, int fd,
				const struct jobserver *js, bool first)
{
	struct child_out o = { .fd = fd, .raw = { -1, -1 } };
	struct sched_result res = { 0 };
	int status;

	signal(SIGPIPE, SIG_IGN);
	step_priority(js, first);
	/* the step's make uses the jobserver (build.c, runner.c) */
	s->jobs.on = true;
	s->jobs.fd[0] = js->fd[0];
	s->jobs.fd[1] = js->fd[1];
	capture_raw(&o, dkms_ctx_get_path(s->ctx, DKMS_PATH_TMP));
	dkms_ctx_set_output_fn(s->ctx, record_to_pipe, &o);
	s->depmod.defer = true;
	status = st->work(s, st->data, &res);
	drain_raw(&o);
	send_list(fd, 'I', s->initramfs_pending);
	send_list(fd, 'D', s->depmod.deferred);
	send_result(fd, &res);
	sched_result_clear(&res);
	_exit(dkms_errno_to_exit(status));
}

/* Write a step's chunks out; take note of the child's trailer (its
 * result was read at its end: read_result). */
static void replay(struct dkms_session *s, const struct strbuf *sb)
{
	size_t pos = 0, len;
	const char *text;
	char tag;

	while (next_chunk(sb, &pos, &tag, &text, &len)) {
		_cleanup_free_ char *v = NULL;

		switch (tag) {
		case 'O':
		case 'E':
			dkms_write(s->ctx, tag == 'O' ? DKMS_STDOUT : DKMS_STDERR,
				   text, len);
			break;
		case 'I':
		case 'D':
			v = strndup(text, len);
			if (v)
				(void)strv_add_unique(tag == 'I' ? &s->initramfs_pending
								 : &s->depmod.deferred, v);
			break;
		}
	}
}

/* Run a step's before() (its output held in sl->pre) and fork its
 * work(); a step without work, or one before() skips, is done at once. */
static int launch(struct dkms_session *s, const struct sched_step *st,
		  struct slot *sl, const struct jobserver *js, bool first)
{
	dkms_output_fn fn;
	void *data;
	bool skip = false;
	int fds[2], r;

	dkms_ctx_get_output_fn(s->ctx, &fn, &data);
	dkms_ctx_set_output_fn(s->ctx, record_to_buf, &sl->pre);
	r = st->before ? st->before(s, st->data, &skip) : 0;
	dkms_ctx_set_output_fn(s->ctx, fn, data);
	sl->done = true;
	if (r == 0 && skip) {
		sl->skipped = true;
		return 0;
	}
	if (r || !st->work)
		return r;
	/* what every step's sandbox needs, looked up once, by the first
	 * step that runs: the later ones fork with it (a run with nothing
	 * to do never looks) */
	sandbox_prepare(s);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	sl->pid = fork();
	if (sl->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (sl->pid == 0) {
		close(fds[0]);
		run_child(s, st, fds[1], js, first);
	}
	close(fds[1]);
	sl->fd = fds[0];
	sl->launched = true;
	sl->done = false;
	return 0;
}

static void reap(struct slot *sl)
{
	int ws;

	while (waitpid(sl->pid, &ws, 0) < 0 && errno == EINTR)
		;
	/* the step's status as its work() returned it, through the exit
	 * status (run_child) */
	sl->status = dkms_exit_to_errno(WIFEXITED(ws) ? WEXITSTATUS(ws)
						       : 128 + WTERMSIG(ws));
	sl->done = true;
}

static size_t running(const struct slot *sl, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += sl[i].launched && !sl[i].done;
	return c;
}

/* Read what running children sent, reap those at EOF. */
static int pump(struct slot *sl, size_t n, struct jobserver *js, int timeout)
{
	struct pollfd pfd[n];
	size_t idx[n], k = 0, i;

	for (i = 0; i < n; i++)
		if (sl[i].launched && !sl[i].done) {
			pfd[k].fd = sl[i].fd;
			pfd[k].events = POLLIN;
			idx[k++] = i;
		}
	if (!k)
		return 0;
	if (poll(pfd, k, timeout) < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < k; i++) {
		struct slot *x = &sl[idx[i]];
		char buf[65536];
		ssize_t got;

		if (!pfd[i].revents)
			continue;
		got = read(x->fd, buf, sizeof(buf));
		if (got > 0) {
			strbuf_add(&x->got, buf, (size_t)got);
		} else if (got == 0 || errno != EINTR) {
			close(x->fd);
			x->fd = -1;
			reap(x);
			read_result(x);
		}
	}
	if (!running(sl, n))
		js_refill(js);
	return 0;
}

static bool key_busy(const struct sched_step *steps, const struct slot *sl,
		     size_t n, const char *key)
{
	size_t i;

	for (i = 0; key && i < n; i++)
		if (sl[i].launched && !sl[i].done && steps[i].key &&
		    !strcmp(steps[i].key, key))
			return true;
	return false;
}

/* Start what the budget allows (twice its number of steps: see the
 * top), in plan order (before() prepares the session for the child: the
 * order is kept); 0 or what stops the plan. */
static int launch_more(struct dkms_session *s, const struct sched_step *steps,
		       size_t n, struct slot *sl, size_t *next,
		       const struct jobserver *js)
{
	int r = 0;

	while (r == 0 && *next < n && running(sl, n) < 2 * js->budget) {
		if (key_busy(steps, sl, *next, steps[*next].key))
			break;
		/* fewer steps than tokens: this one's make can start as
		 * soon as it is ready */
		r = launch(s, &steps[*next], &sl[*next], js,
			   running(sl, n) < js->budget);
		(*next)++;
	}
	return r;
}

static bool reached_make(const struct slot *sl, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sl[i].got.len || sl[i].done)
			return true;
	return false;
}

int sched_run(struct dkms_session *s, const struct sched_step *steps,
	      size_t n, unsigned int budget)
{
	return sched_run_warm(s, steps, n, budget, NULL, NULL);
}

int sched_run_warm(struct dkms_session *s, const struct sched_step *steps,
		   size_t n, unsigned int budget,
		   void (*warm)(struct dkms_session *s),
		   const struct sched_watch *watch)
{
	struct slot *sl = calloc(n ? n : 1, sizeof(*sl));
	struct jobserver js = { { -1, -1 }, 0 };
	size_t next = 0, flushed = 0, i;
	void *lv = NULL;
	int stop = 0, r;

	if (!sl)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		sl[i].fd = -1;
	r = js_open(&js, budget < 1 ? 1 : budget);
	if (r < 0) {
		free(sl);
		return r;
	}
	if (watch)
		lv = watch->begin(s, steps, n);
	while (flushed < n && (flushed < next || !stop)) {
		/* once a step reached its make (it said so): before, the
		 * warming would take the CPU from the first steps, which
		 * everything waits for; the later steps fork with it */
		if (warm && reached_make(sl, next)) {
			warm(s);
			warm = NULL;
		}
		if (!stop)
			stop = launch_more(s, steps, n, sl, &next, &js);
		for (i = 0; lv && i < next; i++)
			watch->sync(lv, i, sl[i].launched, sl[i].done,
				    sl[i].status, &sl[i].res);
		for (; flushed < next && sl[flushed].done; flushed++) {
			const struct sched_step *st = &steps[flushed];

			replay(s, &sl[flushed].pre);
			replay(s, &sl[flushed].got);
			if (sl[flushed].skipped || (!sl[flushed].launched && st->work))
				continue;
			r = st->after ? st->after(s, st->data, sl[flushed].status) : 0;
			if (r && !stop)
				stop = r;
		}
		if (lv)
			watch->show(lv);
		if (flushed < next &&
		    (r = pump(sl, next, &js, lv ? watch->timeout(lv) : -1)) < 0 &&
		    !stop)
			stop = r;
		if (stop && flushed == next)
			break;
	}
	if (lv)
		watch->finish(lv);
	for (i = 0; i < n; i++) {
		if (sl[i].launched && !sl[i].done) {
			kill(sl[i].pid, SIGTERM);
			reap(&sl[i]);
		}
		if (sl[i].fd >= 0)
			close(sl[i].fd);
		strbuf_release(&sl[i].pre);
		strbuf_release(&sl[i].got);
		sched_result_clear(&sl[i].res);
	}
	js_close(&js);
	free(sl);
	return stop;
}

/* ---- holding output back ---------------------------------------------------- */

void sched_hold(struct dkms_session *s, struct sched_held *h)
{
	dkms_ctx_get_output_fn(s->ctx, &h->fn, &h->data);
	dkms_ctx_set_output_fn(s->ctx, record_to_buf, &h->out);
}

void sched_release(struct dkms_session *s, struct sched_held *h)
{
	dkms_ctx_set_output_fn(s->ctx, h->fn, h->data);
}

void sched_replay(struct dkms_session *s, struct sched_held *h)
{
	replay(s, &h->out);
	strbuf_release(&h->out);
}

unsigned int sched_budget(const struct dkms_session *s)
{
	const char *j = s->parallel_jobs ? s->parallel_jobs : s->fw.parallel_jobs;
	unsigned int caller = dkms_ctx_jobs_set(s->ctx);
	char *end;
	unsigned long v;

	/* a host with threads (a package manager loading us) is not forked
	 * without an exec: its steps run one after the other in it */
	if (dkms_process_threaded())
		return 1;
	/* -j, then what the program linking us set, then framework.conf */
	if (!s->parallel_jobs && caller)
		return caller > 64 ? 64 : caller;
	if (!j || !*j)
		return dkms_cpu_count();
	v = strtoul(j, &end, 10);
	if (*end || v == 0)
		return dkms_cpu_count();
	return v > 64 ? 64 : (unsigned int)v;
}
