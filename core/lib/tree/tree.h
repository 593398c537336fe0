/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state tree: 3.4.3's /var/lib/dkms layout (paths, module files,
 * the is_module_* predicates), the intent journal, each build's report,
 * the rpm upgrade lock.  Uses base/ only.
 */
#ifndef DKMS_TREE_TREE_H
#define DKMS_TREE_TREE_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/base.h"
#include "tree/build-report.h"
#include "tree/journal.h"

/* ---- tree.c: paths of the state tree --------------------------------- */
const char *dkms_tree(const struct dkms_session *s);
const char *source_tree(const struct dkms_session *s);
const char *install_tree(const struct dkms_session *s);
/* <dkms_tree>/<fmt...>; NULL on ENOMEM */
char *tree_path(const struct dkms_session *s, const char *fmt, ...)
	_printf_(2, 3);
/* <dir>/<name><.ko> or <dir>/<name>.ko<compressed> that exists, else NULL
 * (3.4.3's compressed_or_uncompressed). */
char *ko_in_dir(const char *dir, const char *name, const char *csuffix);
/* Regular files named <name>.ko or <name><suffix> anywhere under dir
 * (find_module), NULL-terminated, sorted as find lists them (dir order). */
char **find_module(const char *dir, const char *name, const char *suffix);
/* Whether dir has at least one subdirectory (find DIR/ * -maxdepth 0
 * -type d). */
bool dir_has_subdir(const char *dir, const char *const *except);
bool dir_is_empty(const char *dir);
/* rmdir the path and its parents below base while they are empty
 * (rmdir -p --ignore-fail-on-non-empty relative to base). */
void rmdir_parents(const char *base, const char *rel);
/* find DIR -type d -empty -delete */
void delete_empty_dirs(const char *dir);
/* A module version dir <m>/<v> has a subdirectory other than what every
 * version has (build, source, tarball...): a kernel's build is left. */
bool version_has_kernel_dirs(const char *mv);
/* `ls DIR | wc -w` is 0 */
bool dir_has_no_visible_entries(const char *dir);
/* Same content (our own compare; missing files differ). */
bool files_equal(const char *a, const char *b);
int copy_file_to(const char *src, const char *dst, mode_t mode);
/* Copy src to dst, a new file in a directory nobody else uses yet (the
 * staging dir of a build): no temporary name, the directory is published
 * whole after fsync_dir_files(). */
int copy_file_new(const char *src, const char *dst, mode_t mode);
int move_file(const char *src, const char *dst);
/* _is_module_installed: kernel-<kver>-<arch> resolves to this build. */
bool dkms_link_is_active(struct dkms_session *s, const struct dkms_op *op);
/* DIR/NAME.ko.gz, .ko.xz or .ko.zst, the first that exists, else NULL. */
char *ko_any_suffix(const char *dir, const char *name);
/* readlink -f */
char *realpath_or_null(const char *p);

/* ---- state of the tree (3.4.3's is_module_* predicates) ---------------- */
bool dkms_is_added(struct dkms_session *s, const char *m, const char *v);
bool dkms_is_broken(struct dkms_session *s, const char *m, const char *v);
bool dkms_is_built(struct dkms_session *s, const struct dkms_op *op);
bool dkms_is_installed(struct dkms_session *s, const struct dkms_op *op);

/* ---- rpmlock.c: --rpm_safe_upgrade ------------------------------------ */
/* add: the lock file of this upgrade; 0, or the errno of exit code 1
 * (no temporary file, said). */
int rpm_safe_upgrade_lock(struct dkms_session *s, const char *m, const char *v);
/* remove: *found when a lock says it is half of an upgrade (consumed). */
int rpm_safe_upgrade_check(struct dkms_session *s, const char *m, const char *v,
			   bool *found);

#endif
