/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * headers-pkg [-v] [-n] ROOT KVER: what dkms_kernel_headers_package
 * answers for KVER with ROOT as the context's root, one line: the
 * package's name, or the error's name (ENOENT, EOPNOTSUPP, ...).  -v:
 * the library's debug log on stderr, each line after "# ".  -n: the
 * rpmdb left alone (dkms_ctx_set_rpmdb), as inside an rpm transaction.
 * Exit 0 when it answered, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <libdkms.h>

static void log_stderr(void *data, int priority, const char *file, int line,
		       const char *fn, const char *format, va_list args)
{
	(void)data;
	(void)priority;
	(void)file;
	(void)line;
	fprintf(stderr, "# %s: ", fn);
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
}

static const char *errno_name(int e)
{
	switch (e) {
	case ENOENT: return "ENOENT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	default: return strerror(e);
	}
}

int main(int argc, char **argv)
{
	struct dkms_ctx *ctx;
	char *pkg = NULL;
	bool verbose = false, no_rpmdb = false;
	int i = 1, r;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "-n"))
			no_rpmdb = true;
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: headers-pkg [-v] [-n] ROOT KVER\n");
		return 2;
	}
	if (dkms_ctx_new(&ctx) < 0 ||
	    dkms_ctx_set_path(ctx, DKMS_PATH_ROOT, argv[i]) < 0)
		return 2;
	if (verbose) {
		dkms_ctx_set_log_fn(ctx, log_stderr, NULL);
		dkms_ctx_set_log_priority(ctx, LOG_DEBUG);
	}
	dkms_ctx_set_rpmdb(ctx, !no_rpmdb);
	r = dkms_kernel_headers_package(ctx, argv[i + 1], &pkg);
	printf("%s\n", r == 0 ? pkg : errno_name(-r));
	free(pkg);
	dkms_ctx_unref(ctx);
	return r == 0 ? 0 : 1;
}
