/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fault injection for the crash-safety tests (tests/safety/faults.sh).
 * Inert unless DKMS_FAULT_STEP is set. */
#ifndef DKMS_FAULT_H
#define DKMS_FAULT_H

/* Called before each mutating step of install/uninstall/remove.  With
 * DKMS_FAULT_STEP=N the Nth call of this process fails: -EIO, or with
 * DKMS_FAULT_MODE=kill the process dies of SIGKILL there, as a power cut
 * would leave it.  DKMS_FAULT_LOG=FILE gets one "N WHAT" line per call.
 * 0 otherwise. */
int dkms_fault(const char *what);

#endif
