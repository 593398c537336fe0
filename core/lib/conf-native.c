/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>

#include "conf.h"

int conf_eval_native(struct conf_eval *ev)
{
	(void)ev;
	return -EOPNOTSUPP;
}
