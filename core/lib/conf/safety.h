/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hostile input refused before anything is written: names that are not
 * one path component, locations that leave their root, source trees with
 * a dkms.conf leading out of them, what another user can write where
 * it would run as root.
 * Each check prints one error naming the value or file (dkms_die) and
 * returns its exit code, or 0.  Private to core/lib and the CLI. */
#ifndef DKMS_SAFETY_H
#define DKMS_SAFETY_H

#include <stdbool.h>

#include "base/base.h"

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
/* path, its links followed, is below root (both exist). */
bool safety_resolves_inside(const char *root, const char *path);

/* What a source tree is checked for (safety_check_source). */
enum safety_use {
	SAFETY_COPY,  /* add PATH: copied by root into the source tree */
	SAFETY_ADD,   /* add -m/-v: registered as it is, POST_ADD runs */
	SAFETY_BUILD, /* build: copied into the build dir and built */
};
/* A source tree about to be read by root (without --force): 9 naming
 * the file when root would follow a link out of it (a dkms.conf that
 * resolves outside; other links are copied as links, only the sandboxed
 * build follows them) or copy a hard link its dir's owner does not own.
 * As root, for ADD and BUILD, a tree another user can write is refused
 * (9) when its code would run unsandboxed, else, at BUILD, a warning
 * says what is at stake.  s->sandbox.build is the sandbox of BUILD. */
int safety_check_source(struct dkms_session *s, const char *dir,
			enum safety_use use);

#endif
