/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dkms: a drop-in for the bash dkms 3.4.3 command on top of libdkms. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "conf"))
		return cmd_conf(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("dkms-%s\n", PACKAGE_VERSION);
		return 0;
	}
	fprintf(stderr, "Usage: %s [action] [options]\n", argv[0]);
	return 1;
}
