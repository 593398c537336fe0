/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dkms-alpm-hook install|remove
 *
 * Run by pacman's hooks (70-dkms-install.hook, 71-dkms-remove.hook),
 * chrooted into the root pacman works on, with the transaction's matching
 * paths on standard input: sorted, one a line, relative to the root
 * ("usr/src/foo-1.0/dkms.conf", "usr/lib/modules/6.6.7-arch1-1/vmlinuz").
 * pacman says nothing of the operation, so each hook file names its own:
 * install (Install and Upgrade, after the transaction) or remove (before
 * it).  The paths become one batch of events, handed to the core and
 * printed first in the words `dkms batch` reads, so that a user can run
 * the batch again by hand.
 *
 * Nothing here decides what to build: that is the core's.  The exit
 * status is 0 whatever a module does (a hook failing prints "command
 * failed to execute correctly" in the middle of the user's transaction),
 * unless framework.conf asks for strict transactions.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdkms.h>

extern char **environ;

#define SOURCE_PREFIX "usr/src/"
#define MODULES_PREFIX "usr/lib/modules/"

/* A list of strings, each once, in the order first seen. */
struct strv {
	char **v;
	size_t n;
};

static bool strv_has(const struct strv *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

/* Takes s (freed when it is there already, or on failure). */
static int strv_take(struct strv *l, char *s)
{
	char **nv;

	if (!s)
		return -ENOMEM;
	if (strv_has(l, s)) {
		free(s);
		return 0;
	}
	nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[l->n++] = s;
	l->v = nv;
	return 0;
}

static void strv_clear(struct strv *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static char *xasprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

/* A path component as an event line can carry it: a word of its own
 * (`dkms batch` splits on blanks), neither "." nor "..". */
static bool is_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || (len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '/' || s[i] == 0x7f)
			return false;
	return true;
}

/* What the transaction's paths say. */
struct targets {
	struct strv sources;  /* "/usr/src/<dir>", a dkms.conf right in it */
	struct strv images;   /* kernels whose usr/lib/modules/K/vmlinuz moves */
	struct strv headers;  /* kernels whose usr/lib/modules/K/build moves */
};

static void targets_clear(struct targets *t)
{
	strv_clear(&t->sources);
	strv_clear(&t->images);
	strv_clear(&t->headers);
}

/* One line of pacman's.  The hooks' patterns are fnmatch()ed without
 * FNM_PATHNAME, so a '*' also matches deeper paths: only the shapes
 * below count, anything else is left alone. */
static int target_add(struct targets *t, const char *line)
{
	const char *p, *slash;

	if (!strncmp(line, SOURCE_PREFIX, strlen(SOURCE_PREFIX))) {
		p = line + strlen(SOURCE_PREFIX);
		slash = strchr(p, '/');
		if (!slash || strcmp(slash, "/dkms.conf") || !is_name(p, slash - p))
			return 0;
		return strv_take(&t->sources,
				 xasprintf("/" SOURCE_PREFIX "%.*s",
					   (int)(slash - p), p));
	}
	if (strncmp(line, MODULES_PREFIX, strlen(MODULES_PREFIX)))
		return 0;
	p = line + strlen(MODULES_PREFIX);
	slash = strchr(p, '/');
	if (!slash || !is_name(p, slash - p))
		return 0;
	if (!strcmp(slash, "/vmlinuz"))
		return strv_take(&t->images, strndup(p, slash - p));
	/* the build link, or the build dir and what is in it */
	if (!strcmp(slash, "/build") || !strncmp(slash, "/build/", 7))
		return strv_take(&t->headers, strndup(p, slash - p));
	return 0;
}

static int targets_read(struct targets *t, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int r = 0;

	while (r == 0 && (len = getline(&line, &cap, in)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		r = target_add(t, line);
	}
	free(line);
	return r;
}

/* ---- the events --------------------------------------------------------- */

/* After the transaction: what arrived is added, built and installed. */
static int events_install(const struct targets *t, struct strv *ev)
{
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < t->sources.n; i++)
		r = strv_take(ev, xasprintf("source-added %s", t->sources.v[i]));
	for (i = 0; r == 0 && i < t->images.n; i++)
		r = strv_take(ev, xasprintf("kernel-added %s", t->images.v[i]));
	for (i = 0; r == 0 && i < t->headers.n; i++)
		r = strv_take(ev, xasprintf("kernel-added %s", t->headers.v[i]));
	return r;
}

/* Whether kernel k's image stays: its headers alone going leave its
 * modules installed, they still load.  A kernel whose image is not in
 * usr/lib/modules (older layouts) is taken as going with its headers. */
static bool image_stays(const struct targets *t, const char *k)
{
	char *img;
	bool there;

	if (strv_has(&t->images, k))
		return false;
	img = xasprintf("/" MODULES_PREFIX "%s/vmlinuz", k);
	there = img && access(img, F_OK) == 0;
	free(img);
	return there;
}

/* Before the transaction, while the files going are still there.  An
 * upgrade's old paths come here too; a path the new package ships as
 * well is pacman's "Upgrade", never sent here: the same version of a
 * module reinstalled is not removed. */
static int events_remove(const struct targets *t, struct strv *ev)
{
	size_t i;
	int r = 0;

	/* the core knows the version by the source link it made */
	for (i = 0; r == 0 && i < t->sources.n; i++)
		r = strv_take(ev, xasprintf("source-removing %s", t->sources.v[i]));
	for (i = 0; r == 0 && i < t->images.n; i++)
		r = strv_take(ev, xasprintf("kernel-removing %s", t->images.v[i]));
	for (i = 0; r == 0 && i < t->headers.n; i++) {
		const char *k = t->headers.v[i];

		if (image_stays(t, k)) {
			printf("dkms: the headers of kernel %s are going, the "
			       "kernel stays: its modules stay installed\n", k);
			continue;
		}
		r = strv_take(ev, xasprintf("kernel-removing %s", k));
	}
	return r;
}

/* ---- the batch ---------------------------------------------------------- */


/* The events, logged then run; the exit status pacman gets. */
static int run(struct dkms_ctx *ctx, const struct strv *ev)
{
	struct dkms_request *req = NULL;
	struct dkms_result *res = NULL;
	size_t i;
	int r;

	for (i = 0; i < ev->n; i++)
		printf("dkms: event: %s\n", ev->v[i]);
	fflush(stdout);
	r = dkms_request_new(ctx, &req);
	for (i = 0; r == 0 && i < ev->n; i++)
		r = dkms_request_add_line(req, ev->v[i]);
	if (r == 0)
		r = dkms_request_run(req, &res);
	if (r < 0) {
		fflush(stdout);
		fprintf(stderr, "dkms: the modules of this transaction were not "
			"handled: %s; `dkms batch` runs the events above again\n",
			strerror(-r));
	} else
		r = dkms_result_exit_code(res);
	dkms_result_unref(res);
	dkms_request_unref(req);
	/* never the package manager's failure, but in strict mode */
	return r > 0 ? r : 0;
}

int main(int argc, char **argv)
{
	struct targets t;
	struct strv ev = { 0 };
	struct dkms_ctx *ctx = NULL;
	bool install;
	int r;

	if (argc != 2 || (strcmp(argv[1], "install") && strcmp(argv[1], "remove"))) {
		fprintf(stderr, "Usage: %s install|remove <TARGETS\n", argv[0]);
		return 2;
	}
	install = !strcmp(argv[1], "install");
	memset(&t, 0, sizeof(t));
	r = dkms_ctx_new(&ctx);
	if (r == 0)
		r = dkms_ctx_set_environ(ctx, environ);
	if (r == 0) {
		r = targets_read(&t, stdin);
	}
	if (r == 0)
		r = install ? events_install(&t, &ev) : events_remove(&t, &ev);
	if (r == 0)
		r = run(ctx, &ev);
	else
		fprintf(stderr, "dkms: the modules of this transaction were not "
			"handled: %s\n", strerror(-r));
	strv_clear(&ev);
	targets_clear(&t);
	dkms_ctx_unref(ctx);
	return r > 0 ? r : 0;
}
