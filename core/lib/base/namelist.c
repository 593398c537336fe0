/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small string lists for the commands on top of the cycle (extras.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

int namelist_add(struct namelist *l, const char *s)
{
	char **nv = realloc(l->v, (l->n + 2) * sizeof(char *));

	if (!nv)
		return -ENOMEM;
	l->v = nv;
	l->v[l->n] = strdup(s);
	if (!l->v[l->n])
		return -ENOMEM;
	l->v[++l->n] = NULL;
	return 0;
}

int namelist_addf(struct namelist *l, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s ? namelist_add(l, s) : -ENOMEM;
}

bool namelist_has(const struct namelist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

char *namelist_join(const struct namelist *l, const char *sep)
{
	struct strbuf sb = { 0 };
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i)
			strbuf_adds(&sb, sep);
		strbuf_adds(&sb, l->v[i]);
	}
	return strbuf_steal(&sb);
}

void namelist_clear(struct namelist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int namelist_cmp(const void *a, const void *b)
{
	return strcoll(*(char *const *)a, *(char *const *)b);
}

int namelist_dir(struct namelist *out, const char *dir, bool dirs_only)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return 0;
	while (r == 0 && (de = readdir(d))) {
		_cleanup_free_ char *p = NULL;

		/* a shell glob's "*" skips dot files */
		if (de->d_name[0] == '.')
			continue;
		if (dirs_only) {
			p = path_join(dir, de->d_name);
			if (!p) {
				r = -ENOMEM;
				break;
			}
			if (!is_dir(p))
				continue;
		}
		r = namelist_add(out, de->d_name);
	}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(char *), namelist_cmp);
	return r;
}
