/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hostile input refused before anything is written: names that are not
 * one path component, locations that leave their root, source trees with
 * links out of themselves or writable by someone other than root.
 * Each check prints one error naming the value or file (dkms_die) and
 * returns its exit code, or 0.  Private to core/lib and the CLI. */
#ifndef DKMS_SAFETY_H
#define DKMS_SAFETY_H

#include <stdbool.h>

#include "ops.h"

struct modconf;

/* Non-empty, not "." or "..", no '/', no control character. */
bool safe_component(const char *s);
/* A relative path (a leading '/' counts as relative to its root) whose
 * ".." never climbs above where it starts. */
bool path_stays_inside(const char *p);

/* -m/-v/-k of a command that writes: 1 with "Invalid ..." when unsafe. */
int safety_check_names(struct dkms_session *s, const char *m, const char *v,
		       const struct dkms_kernels *k);
/* PACKAGE_NAME/VERSION, BUILT_/DEST_MODULE_NAME, BUILT_/DEST_MODULE_LOCATION
 * of a conf read for an action: 8 when one is unsafe. */
int safety_check_modconf(struct dkms_session *s, const struct modconf *mc);
/* A source tree about to be registered or copied: symlinks leading out of
 * it, and (as root, without --force) files or dirs another user can
 * write: 9 naming the file. */
int safety_check_source(struct dkms_session *s, const char *dir);

#endif
