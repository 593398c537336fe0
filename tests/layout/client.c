/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A program of the library's users: it sees libdkms.h and links the
 * installed libdkms.so, nothing else.  client ROOT: reads ROOT/usr/src/
 * hello-0.1/dkms.conf, then adds hello/0.1 under ROOT with a request.
 * Prints what it found; exits non-zero on any failure. */
#include <stdio.h>
#include <string.h>

#include <libdkms.h>

static void out(void *data, enum dkms_stream stream, const char *text,
		size_t len)
{
	(void)data;
	fwrite(text, 1, len, stream == DKMS_STDOUT ? stdout : stderr);
}

int main(int argc, char **argv)
{
	struct dkms_ctx *ctx = NULL;
	struct dkms_conf *conf = NULL;
	struct dkms_request *req = NULL;
	struct dkms_result *res = NULL;
	struct dkms_conf_query q = { 0 };
	char path[4096];
	int st = -1;

	if (argc != 2 || dkms_ctx_new(&ctx) < 0)
		return 2;
	dkms_ctx_set_output_fn(ctx, out, NULL);
	if (dkms_ctx_set_path(ctx, DKMS_PATH_ROOT, argv[1]) < 0)
		return 3;
	snprintf(path, sizeof(path), "%s/usr/src/hello-0.1/dkms.conf", argv[1]);
	q.path = path;
	q.kernelver = "6.1.0-1-fake";
	q.arch = "x86_64";
	q.native_only = true;
	if (dkms_conf_read(ctx, &q, &conf) < 0 || dkms_conf_rc(conf) != 0)
		return 4;
	printf("conf: %s %zu module(s)\n",
	       dkms_var_get(dkms_conf_derived(conf, "package_name"), 0),
	       dkms_conf_num_modules(conf));
	dkms_conf_unref(conf);
	if (dkms_request_new(ctx, &req) < 0 ||
	    dkms_request_add(req, DKMS_EVENT_ADD, "hello", "0.1", NULL, NULL) < 0 ||
	    dkms_request_run(req, &res) < 0 ||
	    dkms_result_get(res, 0, NULL, NULL, NULL, NULL, NULL, &st) < 0)
		return 5;
	printf("add: %d of %zu\n", st, dkms_result_count(res));
	dkms_result_unref(res);
	dkms_request_unref(req);
	dkms_ctx_unref(ctx);
	return st == 0 ? 0 : 6;
}
