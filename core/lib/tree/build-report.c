/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The build report (build-report.h): our facts of a build, kept apart
 * from 3.4.3's make.log.  Held in memory while the build runs, written
 * once it is over and no sandboxed process is left to tamper with it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tree/tree.h"

struct build_report {
	struct strbuf text;
};

struct build_report *build_report_new(const struct dkms_op *op)
{
	struct build_report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	build_report_add(r, "build", "%s/%s for kernel %s (%s)", op->module,
			 op->version, op->kernelver, op->arch);
	if (!r->text.len)
		return build_report_free(r);
	return r;
}

struct build_report *build_report_free(struct build_report *r)
{
	if (r) {
		strbuf_release(&r->text);
		free(r);
	}
	return NULL;
}

void build_report_add(struct build_report *r, const char *key,
		      const char *fmt, ...)
{
	_cleanup_free_ char *v = NULL;
	va_list ap;
	size_t len;
	char *p;
	int n;

	if (!r)
		return;
	va_start(ap, fmt);
	n = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* one fact a line: a sign command's several lines joined */
	len = strlen(v);
	while (len && v[len - 1] == '\n')
		v[--len] = '\0';
	for (p = v; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	strbuf_addf(&r->text, "%s: %s\n", key, v);
}

int build_report_write(const struct build_report *r, const char *dir)
{
	_cleanup_free_ char *path = NULL;

	if (!r || !dir)
		return 0;
	path = path_join(dir, BUILD_REPORT_NAME);
	if (!path)
		return -ENOMEM;
	/* a file of that name from the source or a script goes: the
	 * report is ours alone */
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return write_file_new(path, r->text.buf, r->text.len, 0644);
}

/* Where the value of key's line starting at p begins, or NULL. */
static const char *value_at(const char *p, const char *key, size_t klen)
{
	if (strncmp(p, key, klen) || p[klen] != ':' || p[klen + 1] != ' ')
		return NULL;
	return p + klen + 2;
}

int build_report_each(const char *text, const char *key,
		      int (*fn)(void *data, const char *value, size_t len),
		      void *data)
{
	size_t klen = strlen(key);
	const char *p, *v;
	int r;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		v = value_at(p, key, klen);
		if (!v)
			continue;
		r = fn(data, v, strcspn(v, "\n"));
		if (r)
			return r;
	}
	return 0;
}

static int keep_last(void *data, const char *value, size_t len)
{
	char **last = data;

	free(*last);
	*last = strndup(value, len);
	return *last ? 0 : -ENOMEM;
}

char *build_report_get(const char *text, const char *key)
{
	char *last = NULL;

	if (build_report_each(text, key, keep_last, &last) < 0) {
		free(last);
		return NULL;
	}
	return last;
}

char *build_report_read(const char *dir, const char *kver, const char *arch)
{
	_cleanup_free_ char *path = path_join(dir, BUILD_REPORT_NAME);
	_cleanup_free_ char *tail = xasprintf(" for kernel %s (%s)", kver, arch);
	_cleanup_free_ char *build = NULL;
	char *text = NULL;

	if (!path || !tail || read_file(path, &text, NULL) < 0)
		return NULL;
	build = build_report_get(text, "build");
	if (!build || !endswith(build, tail)) {
		free(text);
		return NULL;
	}
	return text;
}
