/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dkms batch [--dry-run] [--root DIR] [--dkmstree DIR] [--sourcetree DIR]
 *            [--installtree DIR] [-j N] [--lock-timeout SECONDS]
 *            [--no-rpmdb] [--force] [--no-depmod] [--verbose] [FILE|-]
 *
 * A package manager's transaction by hand: the events in FILE (standard
 * input without one, or "-"), one a line, as the adapters hand them to
 * the library and log them; --dry-run prints the plan.  Only the public
 * library (libdkms.h) is used, as an adapter would use it.  --no-rpmdb:
 * run from inside an rpm transaction (the rpm plugin), which holds the
 * rpmdb.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

extern char **environ;

enum {
	OPT_DKMSTREE = 256, OPT_SOURCETREE, OPT_INSTALLTREE, OPT_ROOT,
	OPT_DRY_RUN, OPT_FORCE, OPT_NO_DEPMOD, OPT_VERBOSE, OPT_LOCK_TIMEOUT,
	OPT_NO_RPMDB,
};

static const struct option options[] = {
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "dkmstree", required_argument, NULL, OPT_DKMSTREE },
	{ "sourcetree", required_argument, NULL, OPT_SOURCETREE },
	{ "installtree", required_argument, NULL, OPT_INSTALLTREE },
	{ "jobs", required_argument, NULL, 'j' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "no-depmod", no_argument, NULL, OPT_NO_DEPMOD },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
	{ "no-rpmdb", no_argument, NULL, OPT_NO_RPMDB },
	{ NULL, 0, NULL, 0 },
};


static int usage(void)
{
	fprintf(stderr, "Usage: dkms batch [--dry-run] [--root DIR] "
		"[--dkmstree DIR] [--sourcetree DIR]\n"
		"                  [--installtree DIR] [-j N] [--lock-timeout SECONDS]\n"
		"                  [--no-rpmdb] [--force] [--no-depmod] [--verbose] [FILE|-]\n");
	return 2;
}

/* Options into the context and the request's flags; optind at FILE. */
static int parse(int argc, char **argv, struct dkms_ctx *ctx,
		 unsigned int *flags)
{
	static const enum dkms_path_id path_of[] = {
		[OPT_DKMSTREE - OPT_DKMSTREE] = DKMS_PATH_DKMS_TREE,
		[OPT_SOURCETREE - OPT_DKMSTREE] = DKMS_PATH_SOURCE_TREE,
		[OPT_INSTALLTREE - OPT_DKMSTREE] = DKMS_PATH_INSTALL_TREE,
		[OPT_ROOT - OPT_DKMSTREE] = DKMS_PATH_ROOT,
	};
	const char *paths[4] = { NULL };
	unsigned long n;
	char *end;
	int c, i;

	while ((c = getopt_long(argc, argv, "j:", options, NULL)) != -1) {
		switch (c) {
		case OPT_DKMSTREE: case OPT_SOURCETREE: case OPT_INSTALLTREE:
		case OPT_ROOT:
			paths[c - OPT_DKMSTREE] = optarg;
			break;
		case 'j':
		case OPT_LOCK_TIMEOUT:
			n = strtoul(optarg, &end, 10);
			if (*end || !*optarg || n > 86400) {
				fprintf(stderr, "dkms batch: %s takes a number, not '%s'\n",
					c == 'j' ? "-j" : "--lock-timeout", optarg);
				return -EINVAL;
			}
			if (c == 'j')
				dkms_ctx_set_jobs(ctx, n);
			else
				dkms_ctx_set_lock_timeout(ctx, n);
			break;
		case OPT_DRY_RUN: *flags |= DKMS_REQUEST_DRY_RUN; break;
		case OPT_FORCE: *flags |= DKMS_REQUEST_FORCE; break;
		case OPT_NO_DEPMOD: *flags |= DKMS_REQUEST_NO_DEPMOD; break;
		case OPT_VERBOSE: *flags |= DKMS_REQUEST_VERBOSE; break;
		case OPT_NO_RPMDB: dkms_ctx_set_rpmdb(ctx, false); break;
		default:
			return -EINVAL;
		}
	}
	/* the root first: setting it re-bases the defaults of the others */
	if (paths[3] && dkms_ctx_set_path(ctx, DKMS_PATH_ROOT, paths[3]) < 0)
		return -ENOMEM;
	for (i = 0; i < 3; i++)
		if (paths[i] && dkms_ctx_set_path(ctx, path_of[i], paths[i]) < 0)
			return -ENOMEM;
	return optind < argc - 1 ? -EINVAL : 0;
}

/* Every line of f into the request; a bad one is named and stops it. */
static int read_events(FILE *f, const char *name, struct dkms_request *req)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	int r = 0;

	while (r == 0 && getline(&line, &cap, f) >= 0) {
		lineno++;
		r = dkms_request_add_line(req, line);
		if (r == -ENODATA)
			r = 0;
		else if (r == -EINVAL) {
			line[strcspn(line, "\n")] = '\0';
			fprintf(stderr, "dkms batch: %s:%zu: not an event: %s\n",
				name, lineno, line);
		} else if (r < 0)
			fprintf(stderr, "dkms batch: %s:%zu: %s\n", name, lineno,
				strerror(-r));
	}
	free(line);
	return r;
}

static int run(struct dkms_ctx *ctx, unsigned int flags, const char *file)
{
	struct dkms_request *req = NULL;
	struct dkms_result *res = NULL;
	bool is_stdin = !file || !strcmp(file, "-");
	FILE *f = is_stdin ? stdin : fopen(file, "re");
	int r;

	if (!f) {
		fprintf(stderr, "dkms batch: %s: %s\n", file, strerror(errno));
		return 2;
	}
	r = dkms_request_new(ctx, &req);
	if (r == 0) {
		dkms_request_set_flags(req, flags);
		r = read_events(f, is_stdin ? "<stdin>" : file, req);
		if (r < 0 && r != -ENOMEM) {
			r = 2;
			goto out;
		}
	}
	if (r == 0)
		r = dkms_request_run(req, &res);
	if (r < 0)
		fprintf(stderr, "dkms batch: %s\n", strerror(-r));
	else
		r = dkms_result_exit_code(res);
out:
	if (!is_stdin)
		fclose(f);
	dkms_result_unref(res);
	dkms_request_unref(req);
	return r < 0 ? 1 : r;
}

int cmd_batch(int argc, char **argv)
{
	struct dkms_ctx *ctx = NULL;
	unsigned int flags = 0;
	int r;

	r = dkms_ctx_new(&ctx);
	if (r == 0)
		r = dkms_ctx_set_environ(ctx, environ);
	if (r < 0) {
		fprintf(stderr, "dkms batch: %s\n", strerror(-r));
		dkms_ctx_unref(ctx);
		return 1;
	}
	r = parse(argc, argv, ctx, &flags);
	if (r < 0) {
		dkms_ctx_unref(ctx);
		return r == -EINVAL ? usage() : 1;
	}
	r = run(ctx, flags, optind < argc ? argv[optind] : NULL);
	dkms_ctx_unref(ctx);
	return r;
}
