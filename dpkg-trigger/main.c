/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dkms-dpkg-trigger [--root DIR] [--admindir DIR] [--dry-run]
 *
 * dpkg runs our postinst with "triggered" after a run that put files in,
 * or took them from, /usr/src, /lib/modules or /usr/lib/modules (file
 * triggers name no file and no package).  This compares what dpkg's
 * packages hold now with the dkms tree and with what they held last
 * time, and hands the difference to dkms as one batch:
 *
 *   source-added /usr/src/D      a configured package owns D/dkms.conf,
 *                                new since last time, not in the tree
 *   kernel-added K               a configured package installed K's
 *                                headers, new since last time, and no
 *                                module of the tree has been tried on K
 *   kernel-removing K            the tree has builds for K, and neither
 *                                a package nor the disk has K any more
 *
 * What the packages' own scripts did already (dh_dkms's postinst, the
 * kernel hooks) leaves no difference; what the admin removed with dkms
 * is not brought back, since only what is new to dpkg counts.  A source
 * going is its package's prerm's to remove (dh_dkms's runs dkms
 * remove): by the time a trigger runs its files are gone, and with them
 * what dkms needs to remove it; that is said, not attempted.
 *
 * The events are printed first, in the words `dkms batch` reads, so the
 * batch can be replayed by hand.  The exit status is 0 unless
 * framework.conf sets strict_transactions="yes" and a step failed: a
 * module never fails the dpkg run.  A batch that could not run at all
 * (the tree's lock held past its time) is said, and its difference left
 * for the next run.
 *
 * It runs the batch in its own process through the public library: it
 * is a short-lived, single-threaded program already where dpkg runs
 * maintainer scripts (inside the root under dpkg --root), so builds find
 * the kernels' headers where the packages put them, and each step's
 * outcome comes back as a result rather than as text.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "libdkms.h"
#include "trigger.h"

extern char **environ;

struct opts {
	const char *root, *admindir;
	bool dry_run;
};

/* What the handler compares, and the events it finds. */
struct state {
	struct dkms_ctx *ctx;
	struct dpkg_view dpkg;
	struct tree_view tree;
	struct seen seen;
	char arch[65];
	char **events;
	size_t n_events;
};


static int event(struct state *st, const char *what, const char *name)
{
	char **nv = realloc(st->events, (st->n_events + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	st->events = nv;
	if (asprintf(&nv[st->n_events], "%s %s", what, name) < 0)
		return -ENOMEM;
	st->n_events++;
	return 0;
}

static char *path_in(const char *dir, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

/* The tree holds a version added from <source_tree>/D. */
static bool registered(const struct state *st, const char *d)
{
	const char *src = dkms_ctx_get_path(st->ctx, DKMS_PATH_SOURCE_TREE);
	char *want = path_in(src, d);
	bool found = false;
	size_t i;

	for (i = 0; want && !found && i < st->tree.n; i++)
		found = st->tree.v[i].source && !strcmp(st->tree.v[i].source, want);
	free(want);
	return found;
}

/* A batch kept a failure of version m on kernel k (the module's
 * .<k>-<arch>.dkms-failed) since k's headers came: not one left from
 * an earlier install of the same kernel. */
static bool failed_since(const struct state *st, const struct tree_module *m,
			 const char *k)
{
	const char *tree = dkms_ctx_get_path(st->ctx, DKMS_PATH_DKMS_TREE);
	const char *lib = dkms_ctx_get_path(st->ctx, DKMS_PATH_INSTALL_TREE);
	char *note = NULL, *build = NULL;
	struct stat n, b;
	bool r;

	if (asprintf(&note, "%s/%s/.%s-%s.dkms-failed", tree, m->mv, k, st->arch) < 0)
		note = NULL;
	if (asprintf(&build, "%s/%s/build", lib, k) < 0)
		build = NULL;
	/* ctime: dpkg gives what it unpacks the package's own mtime */
	r = note && build && stat(note, &n) == 0 && lstat(build, &b) == 0 &&
	    (n.st_ctim.tv_sec > b.st_ctim.tv_sec ||
	     (n.st_ctim.tv_sec == b.st_ctim.tv_sec &&
	      n.st_ctim.tv_nsec >= b.st_ctim.tv_nsec));
	free(note);
	free(build);
	return r;
}

/* No version of the tree has been built for k, or has failed on it
 * since its headers came (the kernel hooks did nothing for it), and one
 * could be. */
static bool kernel_untried(const struct state *st, const char *k)
{
	bool usable = false;
	size_t i;

	for (i = 0; i < st->tree.n; i++) {
		const struct tree_module *m = &st->tree.v[i];

		if (strset_has(&m->built, k) || failed_since(st, m, k))
			return false;
		usable = usable || m->usable;
	}
	return usable;
}

static bool exists(const char *dir, const char *a, const char *b)
{
	char *p;
	struct stat sb;
	bool r;

	if (asprintf(&p, "%s/%s%s", dir, a, b) < 0)
		return true; /* in doubt, the kernel stays */
	r = lstat(p, &sb) == 0;
	free(p);
	return r;
}

/* Nothing of kernel k is left: no build link, no modules, no image. */
static bool kernel_gone(const struct state *st, const char *k)
{
	const char *lib = dkms_ctx_get_path(st->ctx, DKMS_PATH_INSTALL_TREE);
	const char *boot = dkms_ctx_get_path(st->ctx, DKMS_PATH_BOOT);

	if (strset_has(&st->dpkg.headers_any, k) ||
	    strset_has(&st->dpkg.images_any, k))
		return false;
	return !exists(lib, k, "/build") && !exists(lib, k, "/kernel") &&
	       !exists(lib, k, "/modules.order") && !exists(boot, "vmlinuz-", k);
}

static int kernels_going(struct state *st)
{
	struct strset built = { 0 };
	size_t i, j;
	int r = 0;

	for (i = 0; r == 0 && i < st->tree.n; i++)
		for (j = 0; r == 0 && j < st->tree.v[i].built.n; j++)
			r = strset_add(&built, st->tree.v[i].built.v[j]);
	for (i = 0; r == 0 && i < built.n; i++)
		if (kernel_gone(st, built.v[i]))
			r = event(st, "kernel-removing", built.v[i]);
	strset_clear(&built);
	return r;
}

/* A source whose package went without removing it (no dh_dkms prerm)
 * cannot be removed any more: its dkms.conf went with the package, and
 * dkms calls the version broken, as 3.4.3 does.  Said once. */
static void sources_gone(const struct state *st)
{
	const struct strset *old = &st->seen.sources;
	const char *src = dkms_ctx_get_path(st->ctx, DKMS_PATH_SOURCE_TREE);
	size_t i, j;

	for (i = 0; i < old->n; i++) {
		char *want;

		if (strset_has(&st->dpkg.sources_any, old->v[i]))
			continue;
		want = path_in(src, old->v[i]);
		for (j = 0; want && j < st->tree.n; j++) {
			const struct tree_module *m = &st->tree.v[j];

			if (m->source && !strcmp(m->source, want) && !m->usable)
				fprintf(stderr, "dkms-dpkg-trigger: %s went with its package, "
					"which did not remove %s from dkms: dkms "
					"cannot remove it without its source (dkms "
					"status: broken)\n", want, m->mv);
		}
		free(want);
	}
}

static int sources(struct state *st)
{
	const struct strset *conf = &st->dpkg.sources_conf;
	const struct strset *old = &st->seen.sources;
	char *path;
	size_t i;
	int r = 0;

	sources_gone(st);
	for (i = 0; r == 0 && i < conf->n; i++) {
		if (strset_has(old, conf->v[i]) || registered(st, conf->v[i]))
			continue;
		path = path_in("/usr/src", conf->v[i]);
		r = path ? event(st, "source-added", path) : -ENOMEM;
		free(path);
	}
	return r;
}

static int kernels_new(struct state *st)
{
	const struct strset *conf = &st->dpkg.headers_conf;
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < conf->n; i++)
		if (!strset_has(&st->seen.headers, conf->v[i]) &&
		    kernel_untried(st, conf->v[i]))
			r = event(st, "kernel-added", conf->v[i]);
	return r;
}

/* What the packages hold now, for next time: the configured ones, and
 * what was seen before of the ones still on their way in or out. */
static int seen_next(const struct strset *old, const struct strset *conf,
		     const struct strset *any, struct strset *next)
{
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < conf->n; i++)
		r = strset_add(next, conf->v[i]);
	for (i = 0; r == 0 && i < old->n; i++)
		if (strset_has(any, old->v[i]))
			r = strset_add(next, old->v[i]);
	return r;
}

static int seen_update(struct state *st)
{
	const char *tree = dkms_ctx_get_path(st->ctx, DKMS_PATH_DKMS_TREE);
	struct seen next = { 0 };
	int r;

	r = seen_next(&st->seen.sources, &st->dpkg.sources_conf,
		      &st->dpkg.sources_any, &next.sources);
	if (r == 0)
		r = seen_next(&st->seen.headers, &st->dpkg.headers_conf,
			      &st->dpkg.headers_any, &next.headers);
	if (r == 0)
		r = seen_write(tree, &next);
	if (r < 0)
		fprintf(stderr, "dkms-dpkg-trigger: cannot write %s/.dpkg-trigger-seen: %s\n",
			tree, strerror(-r));
	seen_clear(&next);
	return r;
}

/* The events, printed as a batch file would hold them, run as one. */
static int run_batch(struct state *st, const struct opts *o)
{
	struct dkms_request *req = NULL;
	struct dkms_result *res = NULL;
	size_t i;
	int r;

	printf("# dkms-dpkg-trigger: what dpkg changed, as one batch "
	       "(to replay: dkms batch, with these lines)\n");
	for (i = 0; i < st->n_events; i++)
		printf("%s\n", st->events[i]);
	fflush(stdout);
	r = dkms_request_new(st->ctx, &req);
	for (i = 0; r == 0 && i < st->n_events; i++)
		r = dkms_request_add_line(req, st->events[i]);
	if (r == 0) {
		dkms_request_set_flags(req, o->dry_run ? DKMS_REQUEST_DRY_RUN : 0);
		r = dkms_request_run(req, &res);
	}
	dkms_request_unref(req);
	if (r < 0) {
		/* nothing ran: the difference stays for the next run */
		fprintf(stderr, "dkms-dpkg-trigger: the batch did not run: %s\n",
			strerror(-r));
		return 0;
	}
	r = dkms_result_exit_code(res);
	dkms_result_unref(res);
	if (!o->dry_run)
		seen_update(st);
	return r;
}

static int handle(struct state *st, const struct opts *o)
{
	const char *tree;
	struct utsname u;
	int r;

	r = dkms_ctx_new(&st->ctx);
	if (r == 0)
		r = dkms_ctx_set_environ(st->ctx, environ);
	if (r == 0 && o->root)
		r = dkms_ctx_set_path(st->ctx, DKMS_PATH_ROOT, o->root);
	if (r == 0)
		r = dkms_ctx_apply_framework(st->ctx);
	if (r < 0) {
		fprintf(stderr, "dkms-dpkg-trigger: %s\n", strerror(-r));
		return 0;
	}
	uname(&u);
	snprintf(st->arch, sizeof(st->arch), "%s", u.machine);
	tree = dkms_ctx_get_path(st->ctx, DKMS_PATH_DKMS_TREE);
	r = dpkg_view_read(o->root, o->admindir, &st->dpkg);
	if (r < 0) {
		fprintf(stderr, "dkms-dpkg-trigger: cannot read the dpkg database: %s\n",
			strerror(-r));
		return 0;
	}
	r = tree_view_read(tree, &st->tree);
	if (r == 0)
		r = seen_read(tree, &st->seen);
	if (r == 0)
		r = kernels_going(st);
	if (r == 0)
		r = sources(st);
	if (r == 0)
		r = kernels_new(st);
	if (r < 0) {
		fprintf(stderr, "dkms-dpkg-trigger: cannot read %s: %s\n", tree,
			strerror(-r));
		return 0;
	}
	if (st->n_events)
		return run_batch(st, o);
	if (!o->dry_run)
		seen_update(st);
	return 0;
}

static void state_clear(struct state *st)
{
	size_t i;

	for (i = 0; i < st->n_events; i++)
		free(st->events[i]);
	free(st->events);
	dpkg_view_clear(&st->dpkg);
	tree_view_clear(&st->tree);
	seen_clear(&st->seen);
	dkms_ctx_unref(st->ctx);
}

static int usage(FILE *f, int rc)
{
	fprintf(f, "Usage: dkms-dpkg-trigger [--root DIR] [--admindir DIR] [--dry-run]\n"
		"Bring the dkms tree in line with what dpkg's packages hold: one\n"
		"batch of driver sources and kernels arriving and going.\n");
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'R' },
		{ "admindir", required_argument, NULL, 'A' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	struct state st = { 0 };
	int c, r;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'R': o.root = optarg; break;
		case 'A': o.admindir = optarg; break;
		case 'n': o.dry_run = true; break;
		case 'h': return usage(stdout, 0);
		default: return usage(stderr, 2);
		}
	}
	if (optind < argc)
		return usage(stderr, 2);
	/* dpkg --force-script-chrootless runs maintainer scripts outside
	 * the root it names here */
	if (!o.root && getenv("DPKG_ROOT") && *getenv("DPKG_ROOT"))
		o.root = getenv("DPKG_ROOT");
	r = handle(&st, &o);
	state_clear(&st);
	return r;
}
