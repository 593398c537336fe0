/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the core every function that reports a status returns 0 or a
 * negative errno.  dkms 3.4.3's exit codes are errnos too: each code has
 * one errno of its own (the table in exitcode.c), picked among those no
 * system call on our paths returns, so that a code handed up through the
 * operations is never mistaken for a system error, nor one for it.  The
 * doors (the dkms command, the requests) turn a return value back into
 * the exit code with dkms_errno_to_exit().
 *
 * A status 3.4.3 passes on as it got it (exit "$res" of a PRE_BUILD
 * script, a subshell's exit status) may be any number from 1 to 255:
 * those the table has no row for are -(DKMS_ESTATUS + status), above
 * every errno the kernel has (MAX_ERRNO is 4095).
 */
#ifndef DKMS_BASE_EXITCODE_H
#define DKMS_BASE_EXITCODE_H

#include <errno.h>
#include <stdbool.h>

/* The codes call sites name (r == -DKMS_EEXCLUDED), each 3.4.3's code
 * in the comment; the table holds them all. */
#define DKMS_EFAILED     EBADRQC   /* 1: die 1, or a plain failure */
#define DKMS_ENOCONF     ENOANO    /* 4: no dkms.conf to read */
#define DKMS_EINSTALL    EBADE     /* 6: the install failed */
#define DKMS_EBADCONF    EBFONT    /* 8: a dkms.conf that is not valid */
#define DKMS_EBUILD      EL3HLT    /* 10: the module's make failed */
#define DKMS_ENODEPS     EUNATCH   /* 13: BUILD_DEPENDS not installed */
#define DKMS_ENOHEADERS  ENOPKG    /* 21: the kernel's headers are missing */
#define DKMS_EEXCLUDED   EL2NSYNC  /* 77: BUILD_EXCLUSIVE excludes the kernel */
#define DKMS_EPREINSTALL ESTRPIPE  /* 101: PRE_INSTALL failed */

#define DKMS_ESTATUS 4096

/* The return value standing for exit code `code` (taken as an exit
 * status is, modulo 256): 0 for 0, the table's errno for its codes,
 * -(DKMS_ESTATUS + code) for the others. */
int dkms_exit_to_errno(int code);
/* The exit code for a return value: 0 for 0, the table's code for its
 * errnos, the status of -(DKMS_ESTATUS + status), and 1 for anything
 * else (a system error: 3.4.3 has no code for it). */
int dkms_errno_to_exit(int r);
/* Whether r stands for an exit code (one of dkms_exit_to_errno's values
 * but 0): a failure said in 3.4.3's words (or a status it passes on),
 * not a system error that is still to be said. */
bool dkms_errno_is_exit(int r);

#endif
