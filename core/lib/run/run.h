/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running programs: the runner (jobs with a log, a time limit, process
 * groups) and the sandbox that confines what runs code from a module
 * source.
 */
#ifndef DKMS_RUN_RUN_H
#define DKMS_RUN_RUN_H

#include "kernel/kernel.h"
#include "run/runner.h"
#include "run/sandbox.h"



#endif
