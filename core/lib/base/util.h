/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by the core: strings, paths, files.  Private. */
#ifndef DKMS_UTIL_H
#define DKMS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/types.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define DKMS_EXPORT __attribute__((visibility("default")))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}

/* A growable, always NUL-terminated byte buffer. */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

int strbuf_add(struct strbuf *sb, const char *s, size_t len);
int strbuf_adds(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, char c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...) _printf_(2, 3);
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Hand the buffer to the caller ("" when empty); the strbuf is reset. */
char *strbuf_steal(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
const char *strbuf_str(const struct strbuf *sb);

/* asprintf that returns the string or NULL. */
char *xasprintf(const char *fmt, ...) _printf_(1, 2);
/* "a" + "/" + "b" with exactly one slash between them. */
char *path_join(const char *a, const char *b);

bool startswith(const char *s, const char *prefix);
bool endswith(const char *s, const char *suffix);

/* Read a whole file; *len gets its size.  The result is NUL-terminated. */
int read_file(const char *path, char **ret, size_t *len);
/* fsync what open(path, O_RDONLY | flags) opens (O_DIRECTORY,
 * O_NOFOLLOW...), or the directory holding path: 0 or -errno. */
int fsync_open(const char *path, int flags);
int fsync_parent(const char *path);
/* Write a file: temp file in the same directory, fsync, rename, fsync dir. */
int write_file_atomic(const char *path, const char *data, size_t len,
		      mode_t mode);
/* A new file (O_EXCL) for a directory not yet published: no temporary
 * name, its writeback started but not waited for; the caller then
 * fsync_dir_files() the directory once and renames it into place. */
int write_file_new(const char *path, const char *data, size_t len,
		   mode_t mode);
/* fsync every regular file in dir, then dir: 0 or the first -errno. */
int fsync_dir_files(const char *dir);
int mkdir_p(const char *path, mode_t mode);
int rm_rf(const char *path);
/* Copy a tree like `cp -a SRC DST` (into DST when it is a dir), links
 * as links: nothing below SRC is followed, even while it changes.  The
 * copy is the caller's (no write bits for group and others).  A file
 * with other hard links that its dir's owner does not own: -EPERM. */
int copy_tree(const char *src, const char *dst);
bool is_dir(const char *path);
bool path_exists(const char *path);
/* Append a copy of v to the NULL-terminated list *lp unless it is there:
 * 0 or -ENOMEM. */
int strv_add_unique(char ***lp, const char *v);
/* Free a NULL-terminated list of strings (NULL is fine). */
void strv_free(char **v);
/* NAME's value in a NAME=VALUE list (NULL-terminated, may be NULL), NULL
 * when it has none. */
const char *env_lookup(char *const *env, const char *name);

#endif
