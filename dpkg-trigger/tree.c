/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the dkms tree holds, read as dkms 3.4.3 lays it out
 * (<tree>/<module>/<version>/{source,build,<kernel>/}), and what the
 * handler saw dpkg's packages hold last time (.dpkg-trigger-seen).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trigger.h"

#define SEEN_FILE ".dpkg-trigger-seen"

static char *join(const char *a, const char *b)
{
	char *p;

	return asprintf(&p, "%s/%s", a, b) < 0 ? NULL : p;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A directory itself, not a link to one (<m>/kernel-<k>-<arch> links to
 * the version installed there). */
static bool is_real_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The names in dir (no dot names unless dots): its real directories, or
 * the rest. */
static int list_dir(const char *dir, bool dots, bool dirs, struct strset *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 0;

	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	while (r == 0 && (e = readdir(d))) {
		char *p;
		bool isdir;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (e->d_name[0] == '.') != dots)
			continue;
		p = join(dir, e->d_name);
		if (!p) {
			r = -ENOMEM;
			break;
		}
		isdir = is_real_dir(p);
		free(p);
		if (isdir == dirs)
			r = strset_add(out, e->d_name);
	}
	closedir(d);
	return r;
}

/* The kernels a version was built for. */
static int module_kernels(const char *dir, struct tree_module *m)
{
	struct strset names = { 0 };
	size_t i;
	int r;

	r = list_dir(dir, false, true, &names);
	for (i = 0; r == 0 && i < names.n; i++)
		if (strcmp(names.v[i], "source") && strcmp(names.v[i], "build"))
			r = strset_add(&m->built, names.v[i]);
	strset_clear(&names);
	return r;
}

static int add_module(struct tree_view *t, const char *tree, const char *m,
		      const char *v)
{
	struct tree_module *nv, *x;
	char *dir = NULL, *link = NULL, buf[4096];
	ssize_t n;
	int r = -ENOMEM;

	nv = realloc(t->v, (t->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	t->v = nv;
	x = &nv[t->n++];
	memset(x, 0, sizeof(*x));
	if (asprintf(&x->mv, "%s/%s", m, v) < 0) {
		x->mv = NULL;
		return -ENOMEM;
	}
	dir = join(tree, x->mv);
	link = dir ? join(dir, "source") : NULL;
	if (!link)
		goto out;
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		x->source = strdup(buf);
		if (!x->source)
			goto out;
	}
	x->usable = is_dir(link);
	r = module_kernels(dir, x);
out:
	free(link);
	free(dir);
	return r;
}

int tree_view_read(const char *tree, struct tree_view *t)
{
	struct strset mods = { 0 }, vers = { 0 };
	size_t i, j;
	int r;

	r = list_dir(tree, false, true, &mods);
	for (i = 0; r == 0 && i < mods.n; i++) {
		char *d = join(tree, mods.v[i]);

		r = d ? list_dir(d, false, true, &vers) : -ENOMEM;
		free(d);
		for (j = 0; r == 0 && j < vers.n; j++)
			r = add_module(t, tree, mods.v[i], vers.v[j]);
		strset_clear(&vers);
	}
	strset_clear(&mods);
	return r;
}

void tree_view_clear(struct tree_view *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].mv);
		free(t->v[i].source);
		strset_clear(&t->v[i].built);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* ---- what was seen last time ------------------------------------------ */

int seen_read(const char *tree, struct seen *s)
{
	char *path = join(tree, SEEN_FILE), *line = NULL;
	size_t cap = 0;
	FILE *f;
	int r = 0;

	if (!path)
		return -ENOMEM;
	f = fopen(path, "re");
	free(path);
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (r == 0 && getline(&line, &cap, f) >= 0) {
		char *name = strchr(line, ' ');

		if (line[0] == '#' || !name)
			continue;
		*name++ = '\0';
		name[strcspn(name, "\n")] = '\0';
		if (!strcmp(line, "source"))
			r = strset_add(&s->sources, name);
		else if (!strcmp(line, "headers"))
			r = strset_add(&s->headers, name);
	}
	free(line);
	fclose(f);
	return r;
}

static int write_all(int fd, const struct seen *s)
{
	FILE *f = fdopen(fd, "w");
	size_t i;
	int r;

	if (!f) {
		close(fd);
		return -errno;
	}
	fputs("# dkms-dpkg-trigger: the driver sources and kernel headers dpkg's\n"
	      "# packages held when it last brought the dkms tree in line.\n", f);
	for (i = 0; i < s->sources.n; i++)
		fprintf(f, "source %s\n", s->sources.v[i]);
	for (i = 0; i < s->headers.n; i++)
		fprintf(f, "headers %s\n", s->headers.v[i]);
	r = fflush(f) || ferror(f) || fchmod(fileno(f), 0644) ||
	    fsync(fileno(f)) ? -EIO : 0;
	return fclose(f) && r == 0 ? -EIO : r;
}

/* Temp file in the tree, fsync, rename, fsync the tree. */
int seen_write(const char *tree, const struct seen *s)
{
	char *path = join(tree, SEEN_FILE), *tmp = NULL;
	int fd, r;

	if (!path || asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		free(path);
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	r = fd < 0 ? -errno : write_all(fd, s);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0 && fd >= 0)
		unlink(tmp);
	if (r == 0) {
		fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	free(tmp);
	free(path);
	return r;
}

void seen_clear(struct seen *s)
{
	strset_clear(&s->sources);
	strset_clear(&s->headers);
}
