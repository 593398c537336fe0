/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the command-line parser (options.c's cli_parse).
 * The input is split at NUL bytes into argv[1..].  -q points stdout and
 * stderr at /dev/null: both are put back after each run as libFuzzer set
 * them up (run with -close_fd_mask=3 to silence the parser's messages;
 * sanitizer reports still go to libFuzzer's own copy of stderr). */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_ARGS 64

static int saved_out = -1, saved_err = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 2];
	struct cli c = { 0 };
	bool exit_now;
	size_t off = 0;
	int argc = 1;

	if (saved_out < 0) { /* after libFuzzer's -close_fd_mask */
		saved_out = fcntl(1, F_DUPFD_CLOEXEC, 10);
		saved_err = fcntl(2, F_DUPFD_CLOEXEC, 10);
	}
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "dkms";
	while (off <= size && argc <= MAX_ARGS) {
		argv[argc++] = buf + off;
		off += strlen(buf + off) + 1;
	}
	argv[argc] = NULL;
	cli_parse(&c, argc, argv, &exit_now);
	cli_clear(&c);
	fflush(stdout);
	fflush(stderr);
	if (saved_out >= 0)
		dup2(saved_out, 1);
	if (saved_err >= 0)
		dup2(saved_err, 2);
	free(buf);
	return 0;
}
