/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/base.h"

static int strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	char *p;

	if (need <= sb->alloc)
		return 0;
	if (need < sb->alloc * 2)
		need = sb->alloc * 2;
	if (need < 64)
		need = 64;
	p = realloc(sb->buf, need);
	if (!p)
		return -ENOMEM;
	sb->buf = p;
	sb->alloc = need;
	return 0;
}

int strbuf_add(struct strbuf *sb, const char *s, size_t len)
{
	if (strbuf_grow(sb, len) < 0)
		return -ENOMEM;
	memcpy(sb->buf + sb->len, s, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_adds(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int strbuf_addch(struct strbuf *sb, char c)
{
	return strbuf_add(sb, &c, 1);
}

int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return -EINVAL;
	if (strbuf_grow(sb, (size_t)n) < 0)
		return -ENOMEM;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return r;
}

char *strbuf_steal(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : strdup("");

	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	return p;
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}

const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : p;
}

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	if (la == 1 && a[0] == '/')
		return xasprintf("/%s", b);
	return xasprintf("%.*s/%s", (int)la, a, b);
}

bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool endswith(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

int read_file(const char *path, char **ret, size_t *len)
{
	struct strbuf sb = { 0 };
	char chunk[8192];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			strbuf_release(&sb);
			return (int)n;
		}
		if (strbuf_add(&sb, chunk, (size_t)n) < 0) {
			close(fd);
			strbuf_release(&sb);
			return -ENOMEM;
		}
	}
	close(fd);
	if (len)
		*len = sb.len;
	*ret = strbuf_steal(&sb);
	return *ret ? 0 : -ENOMEM;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int fsync_open(const char *path, int flags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

int fsync_parent(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return fsync_open(dir, O_DIRECTORY);
}

/* data into fd, with mode; on disk (sync), else its writeback started;
 * closes fd */
static int write_out(int fd, const char *data, size_t len, mode_t mode,
		     bool sync)
{
	int r = write_all(fd, data, len);

	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0 && sync && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && !sync)
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int write_file_atomic(const char *path, const char *data, size_t len,
		      mode_t mode)
{
	_cleanup_free_ char *tmp = xasprintf("%s.dkms-tmp.XXXXXX", path);
	int fd, r;

	if (!tmp)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write_out(fd, data, len, mode, true);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	return fsync_parent(path);
}

int write_file_new(const char *path, const char *data, size_t len,
		   mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	int r;

	if (fd < 0)
		return -errno;
	/* fsync_dir_files waits for the writeback: all the files' block
	 * allocations then go in one journal commit, not one each */
	r = write_out(fd, data, len, mode, false);
	if (r < 0)
		unlink(path);
	return r;
}

int fsync_dir_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return -errno;
	while (r == 0 && (de = readdir(d))) {
		int fd;

		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fsync(fd) < 0)
			r = -errno;
		close(fd);
	}
	if (r == 0 && fsync(dirfd(d)) < 0)
		r = -errno;
	closedir(d);
	return r;
}

int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = strdup(path);
	char *s;

	if (!p)
		return -ENOMEM;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return is_dir(p) ? 0 : -ENOTDIR;
}

int rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ char *child = NULL;
		int k;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = path_join(path, de->d_name);
		if (!child) {
			r = -ENOMEM;
			break;
		}
		k = rm_rf(child);
		if (k < 0 && r == 0)
			r = k;
	}
	closedir(d);
	if (rmdir(path) < 0 && r == 0)
		r = -errno;
	return r;
}

/* ---- copy_tree: nothing on the source side is followed ---------------- */

/* What a copy's mode is: the original's, but no one else may write to
 * what root copied (it is checked as root's own, never again). */
static mode_t copy_mode(const struct stat *st)
{
	return st->st_mode & 07777 & ~(mode_t)(S_IWGRP | S_IWOTH);
}

/* The open file in, whose stat is st, as the new file name of dir dfd. */
static int copy_file_at(int in, const struct stat *st, int dfd,
			const char *name)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	char buf[65536];
	int out, r = 0;
	ssize_t n;

	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		     O_CLOEXEC, copy_mode(st));
	if (out < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		r = write_all(out, buf, (size_t)n);
		if (r < 0)
			break;
	}
	if (r == 0 && fchmod(out, copy_mode(st)) < 0)
		r = -errno;
	if (r == 0)
		futimens(out, ts);
	if (close(out) < 0 && r == 0)
		r = -errno;
	return r;
}

static int copy_entry(int sfd, const char *name, int dfd, const char *dname,
		      const struct stat *dir, int depth);

/* The open dir in (taken over), whose stat is st, as name of dir dfd;
 * into it when it exists (cp -a into an existing dir). */
static int copy_dir_at(int in, const struct stat *st, int dfd,
		       const char *name, int depth)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	struct dirent *de;
	DIR *d;
	int out, r = 0;

	if (depth > 128) {
		close(in);
		return -ELOOP;
	}
	if (mkdirat(dfd, name, 0700) < 0 && errno != EEXIST) {
		close(in);
		return -errno;
	}
	out = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d = out < 0 ? NULL : fdopendir(in);
	if (!d) {
		r = -errno;
		close(in);
		if (out >= 0)
			close(out);
		return r;
	}
	while (r == 0 && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = copy_entry(dirfd(d), de->d_name, out, de->d_name,
				       st, depth + 1);
	}
	closedir(d);
	if (r == 0 && fchmod(out, copy_mode(st)) < 0)
		r = -errno;
	if (r == 0)
		futimens(out, ts);
	close(out);
	return r;
}

/* Entry name of dir sfd (whose stat is dir, NULL at the top) as dname
 * of dir dfd.  Links are copied as links; files and dirs are opened
 * with O_NOFOLLOW and judged by the fstat of what was opened, so a tree
 * its owner changes while root copies it cannot make root read through
 * a link, out of it. */
static int copy_entry(int sfd, const char *name, int dfd, const char *dname,
		      const struct stat *dir, int depth)
{
	struct stat st;
	int fd, r;

	if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		struct timespec ts[2] = { st.st_atim, st.st_mtim };
		char target[4096];
		ssize_t n = readlinkat(sfd, name, target, sizeof(target) - 1);

		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (symlinkat(target, dfd, dname) < 0)
			return -errno;
		utimensat(dfd, dname, ts, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	/* devices, fifos, sockets have no place in a source tree */
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return 0;
	fd = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? 0 : -errno; /* became a link: gone */
	if (fstat(fd, &st) < 0) {
		r = -errno;
	} else if (S_ISDIR(st.st_mode)) {
		return copy_dir_at(fd, &st, dfd, dname, depth);
	} else if (!S_ISREG(st.st_mode)) {
		r = 0;
	} else if (dir && st.st_nlink > 1 && st.st_uid != dir->st_uid) {
		/* another's file hard-linked into this dir: maybe one the
		 * dir's owner may not read (fs.protected_hardlinks off) */
		r = -EPERM;
	} else {
		r = copy_file_at(fd, &st, dfd, dname);
	}
	close(fd);
	return r;
}

int copy_tree(const char *src, const char *dst)
{
	/* src itself as lstat sees it: "DIR/" is the dir a link names */
	return copy_entry(AT_FDCWD, src, AT_FDCWD, dst, NULL, 0);
}

bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int strv_add_unique(char ***lp, const char *v)
{
	size_t n = 0;
	char **nl;

	while (*lp && (*lp)[n]) {
		if (!strcmp((*lp)[n], v))
			return 0;
		n++;
	}
	nl = realloc(*lp, (n + 2) * sizeof(char *));
	if (!nl)
		return -ENOMEM;
	*lp = nl;
	nl[n] = strdup(v);
	nl[n + 1] = NULL;
	return nl[n] ? 0 : -ENOMEM;
}

void strv_free(char **v)
{
	char **p;

	if (!v)
		return;
	for (p = v; *p; p++)
		free(*p);
	free(v);
}

const char *env_lookup(char *const *env, const char *name)
{
	size_t len = strlen(name);

	for (; env && *env; env++)
		if (!strncmp(*env, name, len) && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}
