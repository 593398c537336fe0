/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dkms conf --json -k KERNELVER [-a ARCH] [-j N] [--dkmstree DIR]
 *           [--sourcetree DIR] [--installtree DIR] [--kernelsourcedir DIR]
 *           [--config FILE] [--confdir DIR] [--distribution ID] [--strict]
 *           [--shell|--native] [--directive NAME=VALUE] PATH/TO/dkms.conf
 *
 * Debugging view of read_conf: reads the conf once with no module set (as
 * `dkms add DIR` does to learn PACKAGE_NAME/PACKAGE_VERSION), then again
 * with them, and prints the second result as JSON.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"

enum {
	OPT_DKMSTREE = 256, OPT_SOURCETREE, OPT_INSTALLTREE, OPT_KSRC,
	OPT_CONFIG, OPT_CONFDIR, OPT_DISTRO, OPT_STRICT, OPT_SHELL,
	OPT_DIRECTIVE, OPT_JSON, OPT_NATIVE,
};

static const struct option options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "kernelver", required_argument, NULL, 'k' },
	{ "arch", required_argument, NULL, 'a' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "dkmstree", required_argument, NULL, OPT_DKMSTREE },
	{ "sourcetree", required_argument, NULL, OPT_SOURCETREE },
	{ "installtree", required_argument, NULL, OPT_INSTALLTREE },
	{ "kernelsourcedir", required_argument, NULL, OPT_KSRC },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "confdir", required_argument, NULL, OPT_CONFDIR },
	{ "distribution", required_argument, NULL, OPT_DISTRO },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "shell", no_argument, NULL, OPT_SHELL },
	{ "native", no_argument, NULL, OPT_NATIVE },
	{ "directive", required_argument, NULL, OPT_DIRECTIVE },
	{ NULL, 0, NULL, 0 },
};

struct conf_args {
	struct dkms_conf_query q;
	const char *directives[64];
	size_t ndirectives;
	bool json;
};

/* The JSON owns stdout: dkms's own chatter (DIRECTIVE: ...) goes to
 * stderr. */
static void to_stderr(void *data, enum dkms_stream stream, const char *text,
		      size_t len)
{
	(void)data;
	(void)stream;
	fwrite(text, 1, len, stderr);
}

static int usage(void)
{
	fprintf(stderr, "Usage: dkms conf --json -k KERNELVER [-a ARCH] [-j N] "
		"[--dkmstree DIR] [--sourcetree DIR] [--installtree DIR] "
		"[--kernelsourcedir DIR] [--config FILE] [--confdir DIR] "
		"[--distribution ID] [--strict] [--shell|--native] "
		"[--directive NAME=VALUE] PATH/TO/dkms.conf\n");
	return 2;
}

static int set_path(struct dkms_ctx *ctx, enum dkms_path_id id, const char *p)
{
	int r = dkms_ctx_set_path(ctx, id, p);

	if (r < 0)
		fprintf(stderr, "dkms conf: %s: %s\n", p, strerror(-r));
	return r;
}

static int parse(int argc, char **argv, struct dkms_ctx *ctx, struct conf_args *a)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:a:j:", options, NULL)) != -1) {
		int r = 0;

		switch (c) {
		case OPT_JSON: a->json = true; break;
		case 'k': a->q.kernelver = optarg; break;
		case 'a': a->q.arch = optarg; break;
		case 'j': dkms_ctx_set_jobs(ctx, (unsigned int)strtoul(optarg, NULL, 10)); break;
		case OPT_DKMSTREE: r = set_path(ctx, DKMS_PATH_DKMS_TREE, optarg); break;
		case OPT_SOURCETREE: r = set_path(ctx, DKMS_PATH_SOURCE_TREE, optarg); break;
		case OPT_INSTALLTREE: r = set_path(ctx, DKMS_PATH_INSTALL_TREE, optarg); break;
		case OPT_CONFDIR: r = set_path(ctx, DKMS_PATH_CONF_DIR, optarg); break;
		case OPT_KSRC: a->q.kernel_source_dir = optarg; break;
		case OPT_CONFIG: a->q.kernel_config = optarg; break;
		case OPT_DISTRO: r = dkms_ctx_set_distribution(ctx, optarg); break;
		case OPT_STRICT: a->q.strict = true; break;
		case OPT_SHELL: a->q.force_shell = true; break;
		case OPT_NATIVE: a->q.native_only = true; break;
		case OPT_DIRECTIVE:
			if (a->ndirectives + 1 >= sizeof(a->directives) / sizeof(a->directives[0]))
				return usage();
			a->directives[a->ndirectives++] = optarg;
			break;
		default: return usage();
		}
		if (r < 0)
			return 1;
	}
	if (!a->json || !a->q.kernelver || optind != argc - 1)
		return usage();
	a->q.path = argv[optind];
	a->q.directives = a->directives;
	return 0;
}

/* dkms's words where it has some (read_conf: die 4), ours otherwise. */
static int report(const char *path, int r, const struct dkms_conf_query *q)
{
	switch (r) {
	case -ENOENT:
	case -EACCES:
	case -ENOTDIR:
		fprintf(stderr, "\nError! Could not locate dkms.conf file.\n"
			"File: %s does not exist.\n", path);
		return 4;
	case -ETIMEDOUT:
		fprintf(stderr, "dkms conf: %s: evaluation killed after %u ms\n", path,
			q->timeout_ms ? q->timeout_ms : 10000);
		return 1;
	case -EFBIG:
		fprintf(stderr, "dkms conf: %s: evaluation killed: output over %zu bytes\n",
			path, q->output_limit ? q->output_limit : (size_t)1 << 20);
		return 1;
	case -EOPNOTSUPP:
		fprintf(stderr, "dkms conf: %s: needs bash to be read\n", path);
		return 3;
	case -EPROTO:
		fprintf(stderr, "dkms conf: %s: bash gave no usable result\n", path);
		return 1;
	default:
		fprintf(stderr, "dkms conf: %s: %s\n", path, strerror(-r));
		return 1;
	}
}

int cmd_conf(int argc, char **argv)
{
	struct conf_args a = { 0 };
	struct dkms_ctx *ctx = NULL;
	struct dkms_conf *first = NULL, *conf = NULL;
	struct dkms_conf_query q1;
	struct utsname u;
	int r;

	r = dkms_ctx_new(&ctx);
	if (r < 0) {
		fprintf(stderr, "dkms conf: %s\n", strerror(-r));
		return 1;
	}
	dkms_ctx_set_output_fn(ctx, to_stderr, NULL);
	/* what the evaluation gets of our environment (its locale, ...),
	 * and the install directory dkms would take from it */
	r = dkms_ctx_set_environ(ctx, environ);
	if (r == 0)
		r = cli_env_addon_modules_dir(ctx, environ);
	if (r < 0) {
		fprintf(stderr, "dkms conf: %s\n", strerror(-r));
		dkms_ctx_unref(ctx);
		return 1;
	}
	/* the evaluation's scratch dir goes where the other commands' do */
	if (getenv("TMPDIR") && *getenv("TMPDIR"))
		dkms_ctx_set_path(ctx, DKMS_PATH_TMP, getenv("TMPDIR"));
	r = parse(argc, argv, ctx, &a);
	if (r)
		goto out;
	if (!a.q.arch)
		a.q.arch = uname(&u) == 0 ? u.machine : "";
	q1 = a.q;
	q1.strict = false;
	r = dkms_conf_read(ctx, &q1, &first);
	if (r == 0) {
		a.q.module = dkms_var_get(dkms_conf_raw(first, "PACKAGE_NAME"), 0);
		a.q.module_version = dkms_var_get(dkms_conf_raw(first, "PACKAGE_VERSION"), 0);
		r = dkms_conf_read(ctx, &a.q, &conf);
	}
	if (r < 0) {
		r = report(a.q.path, r, &a.q);
		goto out;
	}
	r = dkms_conf_write_json(conf, stdout);
	if (r < 0) {
		fprintf(stderr, "dkms conf: writing JSON: %s\n", strerror(-r));
		r = 1;
	}
out:
	dkms_conf_unref(conf);
	dkms_conf_unref(first);
	dkms_ctx_unref(ctx);
	return r;
}
