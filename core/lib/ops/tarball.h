/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What mktarball (tarball.c) and ldtarball (ldtarball.c) share.  Private. */
#ifndef DKMS_TARBALL_H
#define DKMS_TARBALL_H

#include "base/base.h"

/* $TMPDIR, framework.conf's tmp_location, or /tmp. */
const char *tarball_tmp_location(const struct dkms_session *s);
/* mktemp -d <tmp>/dkms.XXXXXX into *ret; 0, or mktemp_or_die's exit code
 * 1 (message printed). */
int tarball_temp_dir(struct dkms_session *s, char **ret);
/* Run a tool (argv[0] looked up in PATH), output to out_fd; 0, the errno
 * of its exit status (dkms_exit_to_errno), or -errno. */
int tarball_run_tool(char *const *argv, int out_fd);
/* cp -fprT SRC/ DST: merge SRC into DST keeping modes, owners, times. */
int tarball_copy_into(const char *src, const char *dst);
/* TEXT and a newline into PATH. */
int tarball_write_line(const char *path, const char *text);

#endif
