/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the native dkms.conf reader (conf-native.c).  The
 * input is written as dkms.conf in a private scratch dir (the reader
 * works on files, and looks at its directory's names) and evaluated as
 * dkms would for a module; any answer is fine, only crashes, sanitizer
 * reports and leaks are not. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"

static char dir[64], path[96];

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s", "/tmp/dkms-fuzz-conf.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/dkms.conf", dir);
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *files[] = { path };
	FILE *f;
	struct conf_eval ev = {
		.files = files, .nfiles = 1,
		.kernelver = "6.1.0-1-fake", .arch = "x86_64",
		.module = "fuzz", .module_version = "1.0",
		.kernel_source_dir = "/nonexistent/build",
		.kernel_config = "/nonexistent/build/.config",
		.dkms_tree = "/nonexistent/dkms", .source_tree = "/nonexistent/src",
		.install_tree = "/nonexistent/lib", .tmp_dir = "/tmp",
		.distribution = "debian", .current_kernel = "6.1.0-1-fake",
		.strict = size && (data[0] & 1),
		.timeout_ms = CONF_DEFAULT_TIMEOUT_MS,
		.output_limit = CONF_DEFAULT_OUTPUT_LIMIT,
	};
	/* 3.4.3's rule, not the fuzzer's: a file too large to be a conf */
	if (size > 65536 || !(f = fopen(path, "we")))
		return 0;
	fwrite(data, 1, size, f);
	if (fclose(f) != 0)
		return 0;
	conf_eval_native(&ev);
	varset_release(&ev.vars);
	strbuf_release(&ev.err);
	return 0;
}
