/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sorted sets of strings: the names the handler compares. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trigger.h"

/* Where str is, or would go. */
static size_t find(const struct strset *s, const char *str, bool *found)
{
	size_t lo = 0, hi = s->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->v[mid], str);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int strset_addn(struct strset *s, const char *str, size_t len)
{
	char *copy = strndup(str, len), **nv;
	bool found;
	size_t at;

	if (!copy)
		return -ENOMEM;
	at = find(s, copy, &found);
	if (found) {
		free(copy);
		return 0;
	}
	nv = realloc(s->v, (s->n + 1) * sizeof(*nv));
	if (!nv) {
		free(copy);
		return -ENOMEM;
	}
	s->v = nv;
	memmove(&nv[at + 1], &nv[at], (s->n - at) * sizeof(*nv));
	nv[at] = copy;
	s->n++;
	return 0;
}

int strset_add(struct strset *s, const char *str)
{
	return strset_addn(s, str, strlen(str));
}

bool strset_has(const struct strset *s, const char *str)
{
	bool found;

	find(s, str, &found);
	return found;
}

void strset_clear(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
