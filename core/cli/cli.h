/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dkms command's parts: one cmd_* per action, sharing the context. */
#ifndef DKMS_CLI_H
#define DKMS_CLI_H

#include "libdkms.h"

/* `dkms conf --json -k KVER [-a ARCH] [--dkmstree D] [--sourcetree S] CONF` */
int cmd_conf(int argc, char **argv);

#endif
