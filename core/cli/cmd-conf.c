/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include "cli.h"
int cmd_conf(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "dkms conf: not yet\n");
	return 1;
}
