/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state tree of dkms 3.x, as 3.4.3 lays it out and reads it:
 *   <dkms_tree>/<m>/<v>/source -> <source_tree>/<m>-<v>     added
 *   <dkms_tree>/<m>/<v>/<kver>/<arch>/module/                 built
 *   <dkms_tree>/<m>/kernel-<kver>-<arch> -> <v>/<kver>/<arch> installed
 *   <dkms_tree>/<m>/<v>/build/                                while building
 *   <dkms_tree>/<m>/original_module/<kver>/<arch>/            moved aside
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree/tree.h"

const char *dkms_tree(const struct dkms_session *s)
{
	return dkms_ctx_get_path(s->ctx, DKMS_PATH_DKMS_TREE);
}

const char *source_tree(const struct dkms_session *s)
{
	return dkms_ctx_get_path(s->ctx, DKMS_PATH_SOURCE_TREE);
}

const char *install_tree(const struct dkms_session *s)
{
	return dkms_ctx_get_path(s->ctx, DKMS_PATH_INSTALL_TREE);
}

char *tree_path(const struct dkms_session *s, const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	va_list ap;

	strbuf_adds(&sb, dkms_tree(s));
	strbuf_addch(&sb, '/');
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_steal(&sb);
}

char *ko_in_dir(const char *dir, const char *name, const char *csuffix)
{
	char *p = xasprintf("%s/%s.ko", dir, name);

	if (p && path_exists(p))
		return p;
	free(p);
	if (csuffix && *csuffix) {
		p = xasprintf("%s/%s.ko%s", dir, name, csuffix);
		if (p && path_exists(p))
			return p;
		free(p);
	}
	/* ours: a module compressed another way (the kernel's config and
	 * its tree disagreed, or changed) is still found */
	return ko_any_suffix(dir, name);
}

static void find_walk(const char *dir, const char *a, const char *b,
		      char ***v, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;
		char *p;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = path_join(dir, de->d_name);
		if (!p || lstat(p, &st) < 0) {
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			find_walk(p, a, b, v, n);
		} else if (S_ISREG(st.st_mode) &&
			   (!strcmp(de->d_name, a) || !strcmp(de->d_name, b))) {
			char **nv = realloc(*v, (*n + 2) * sizeof(char *));

			if (nv) {
				*v = nv;
				nv[(*n)++] = p;
				nv[*n] = NULL;
				continue;
			}
		}
		free(p);
	}
	closedir(d);
}

char **find_module(const char *dir, const char *name, const char *suffix)
{
	_cleanup_free_ char *a = xasprintf("%s.ko", name);
	_cleanup_free_ char *b = xasprintf("%s%s", name, suffix);
	char **v = calloc(1, sizeof(char *));
	size_t n = 0;

	if (!v || !a || !b) {
		free(v);
		return NULL;
	}
	find_walk(dir, a, b, &v, &n);
	return v;
}

bool dir_has_subdir(const char *dir, const char *const *except)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		const char *const *e;
		_cleanup_free_ char *p = NULL;

		if (de->d_name[0] == '.')
			continue; /* the glob * skips dot names */
		for (e = except; e && *e; e++)
			if (!strcmp(*e, de->d_name))
				break;
		if (e && *e)
			continue;
		p = path_join(dir, de->d_name);
		found = p && is_dir(p);
	}
	closedir(d);
	return found;
}

/* Whether dir has no entry but "." and ".." (hidden_too) or no entry whose
 * name does not start with a dot (`ls DIR | wc -w` is 0); a dir that
 * cannot be opened has none. */
static bool no_entries(const char *dir, bool hidden_too)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool none = true;

	if (!d)
		return true;
	while (none && (de = readdir(d))) {
		if (de->d_name[0] != '.')
			none = false;
		else if (hidden_too && strcmp(de->d_name, ".") &&
			 strcmp(de->d_name, ".."))
			none = false;
	}
	closedir(d);
	return none;
}

bool dir_is_empty(const char *dir)
{
	return no_entries(dir, true);
}

void rmdir_parents(const char *base, const char *rel)
{
	_cleanup_free_ char *p = NULL;
	char *slash;

	while (*rel == '/')
		rel++;
	p = path_join(base, rel);
	if (!p || !*rel)
		return;
	for (;;) {
		size_t l = strlen(p);

		while (l > 1 && p[l - 1] == '/')
			p[--l] = '\0';
		if (l <= strlen(base) || rmdir(p) < 0)
			return;
		slash = strrchr(p, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
}

void delete_empty_dirs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;
		_cleanup_free_ char *p = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = path_join(dir, de->d_name);
		if (p && lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			delete_empty_dirs(p);
	}
	closedir(d);
	rmdir(dir); /* fails unless empty, as -empty -delete */
}

bool files_equal(const char *a, const char *b)
{
	_cleanup_free_ char *x = NULL, *y = NULL;
	size_t lx, ly;

	if (!a || !b || read_file(a, &x, &lx) < 0 || read_file(b, &y, &ly) < 0)
		return false;
	return lx == ly && memcmp(x, y, lx) == 0;
}

/* src's bytes into dst: atomically (a temp name renamed), or, fresh, as
 * a new file of an unpublished dir (write_file_new) */
static int copy_bytes(const char *src, const char *dst, mode_t mode, bool fresh)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r;

	r = read_file(src, &data, &len);
	if (r < 0)
		return r;
	return fresh ? write_file_new(dst, data, len, mode) :
		       write_file_atomic(dst, data, len, mode);
}

int copy_file_to(const char *src, const char *dst, mode_t mode)
{
	return copy_bytes(src, dst, mode, false);
}

int copy_file_new(const char *src, const char *dst, mode_t mode)
{
	return copy_bytes(src, dst, mode, true);
}

/* fsync the directory holding path: a rename is durable once both
 * directories are (the original module must never be lost). */
static void fsync_dir_of(const char *path)
{
	if (strchr(path, '/'))
		(void)fsync_parent(path);
}

int move_file(const char *src, const char *dst)
{
	struct stat st;
	int r;

	if (rename(src, dst) == 0) {
		fsync_dir_of(dst);
		fsync_dir_of(src);
		return 0;
	}
	if (errno != EXDEV)
		return -errno;
	if (stat(src, &st) < 0)
		return -errno;
	r = copy_file_to(src, dst, st.st_mode & 07777);
	if (r == 0 && unlink(src) < 0)
		r = -errno;
	return r;
}

char *realpath_or_null(const char *p)
{
	return realpath(p, NULL);
}

/* ---- predicates (ops.h) ---------------------------------------------- */

bool dkms_is_broken(struct dkms_session *s, const char *m, const char *v)
{
	_cleanup_free_ char *mv = NULL, *src = NULL, *st = NULL;
	struct stat lst;

	if (!m || !*m || !v || !*v)
		return false;
	mv = tree_path(s, "%s/%s", m, v);
	src = tree_path(s, "%s/%s/source", m, v);
	st = xasprintf("%s/%s-%s/", source_tree(s), m, v);
	if (!mv || !src || !st || !is_dir(mv))
		return false;
	if (lstat(src, &lst) == 0 && S_ISLNK(lst.st_mode))
		return !is_dir(src);
	return is_dir(st);
}

bool dkms_is_added(struct dkms_session *s, const char *m, const char *v)
{
	_cleanup_free_ char *mv = NULL, *src = NULL;
	struct stat lst;

	if (!m || !*m || !v || !*v)
		return false;
	mv = tree_path(s, "%s/%s", m, v);
	src = tree_path(s, "%s/%s/source", m, v);
	return mv && src && is_dir(mv) && lstat(src, &lst) == 0 &&
	       S_ISLNK(lst.st_mode) && is_dir(src);
}

bool dkms_is_built(struct dkms_session *s, const struct dkms_op *op)
{
	_cleanup_free_ char *d = NULL;

	if (!op->module || !*op->module || !op->version || !*op->version ||
	    !op->kernelver || !*op->kernelver || !op->arch || !*op->arch)
		return false;
	d = tree_path(s, "%s/%s/%s/%s/module", op->module, op->version,
		      op->kernelver, op->arch);
	return d && is_dir(d);
}

/* _is_module_installed: the kernel link resolves to this build. */
bool dkms_link_is_active(struct dkms_session *s, const struct dkms_op *op)
{
	_cleanup_free_ char *d = NULL, *k = NULL, *rk = NULL;
	struct stat lst;

	d = tree_path(s, "%s/%s/%s/%s", op->module, op->version,
		      op->kernelver, op->arch);
	k = tree_path(s, "%s/kernel-%s-%s", op->module, op->kernelver,
		      op->arch);
	if (!d || !k || lstat(k, &lst) < 0 || !S_ISLNK(lst.st_mode))
		return false;
	rk = realpath(k, NULL);
	/* as 3.4.3: readlink -f of the link against the tree's spelling */
	return rk && !strcmp(rk, d);
}

bool dkms_is_installed(struct dkms_session *s, const struct dkms_op *op)
{
	return dkms_is_built(s, op) && dkms_link_is_active(s, op);
}

/* Subdirectories other than what a version always has. */
bool version_has_kernel_dirs(const char *mv)
{
	static const char *const keep[] = { "build", "tarball", "driver_disk",
					    "rpm", "deb", "source" };
	DIR *d = opendir(mv);
	struct dirent *de;
	bool found = false;

	while (!found && d && (de = readdir(d))) {
		_cleanup_free_ char *p = NULL;
		struct stat st;
		size_t i;

		if (de->d_name[0] == '.')
			continue;
		p = path_join(mv, de->d_name);
		/* find -type d: a link to a directory (source) is no dir */
		if (!p || lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		found = true;
		/* 3.4.3 greps the paths: a name ending in one of these counts
		 * as one of these */
		for (i = 0; i < ARRAY_SIZE(keep); i++)
			if (endswith(de->d_name, keep[i]))
				found = false;
	}
	if (d)
		closedir(d);
	return found;
}

/* `ls DIR | wc -w` is 0 */
bool dir_has_no_visible_entries(const char *dir)
{
	return no_entries(dir, false);
}

char *ko_any_suffix(const char *dir, const char *name)
{
	static const char *const suffixes[] = { ".gz", ".xz", ".zst" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
		char *p = xasprintf("%s/%s.ko%s", dir, name, suffixes[i]);

		if (p && path_exists(p))
			return p;
		free(p);
	}
	return NULL;
}
