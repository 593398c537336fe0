/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fault injection (see fault.h).  The step counter is per process on
 * purpose: a test names "the Nth step of this command". */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

int dkms_fault(const char *what)
{
	static unsigned long n;
	const char *step = getenv("DKMS_FAULT_STEP");
	const char *log = getenv("DKMS_FAULT_LOG");
	const char *mode = getenv("DKMS_FAULT_MODE");

	if (!step && !log)
		return 0;
	n++;
	if (log && *log) {
		FILE *f = fopen(log, "ae");

		if (f) {
			fprintf(f, "%lu %s\n", n, what);
			fclose(f);
		}
	}
	if (!step || strtoul(step, NULL, 10) != n)
		return 0;
	if (mode && !strcmp(mode, "kill"))
		raise(SIGKILL);
	return -EIO;
}
