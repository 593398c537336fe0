/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

struct dkms_var *var_new(void)
{
	return calloc(1, sizeof(struct dkms_var));
}

struct dkms_var *var_free(struct dkms_var *var)
{
	size_t i;

	if (!var)
		return NULL;
	for (i = 0; i < var->n; i++)
		free(var->e[i].value);
	free(var->e);
	free(var);
	return NULL;
}

struct dkms_var *var_dup(const struct dkms_var *var)
{
	struct dkms_var *d = var_new();
	size_t i;

	if (!d)
		return NULL;
	for (i = 0; i < var->n; i++)
		if (var_set(d, var->e[i].index, var->e[i].value) < 0)
			return var_free(d);
	return d;
}

/* Position of index, or where it would be inserted. */
static size_t var_find(const struct dkms_var *var, long index, bool *found)
{
	size_t lo = 0, hi = var->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (var->e[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < var->n && var->e[lo].index == index;
	return lo;
}

int var_setn(struct dkms_var *var, long index, const char *value, size_t len)
{
	char *copy = strndup(value, len);
	bool found;
	size_t pos;

	if (!copy)
		return -ENOMEM;
	pos = var_find(var, index, &found);
	if (found) {
		free(var->e[pos].value);
		var->e[pos].value = copy;
		return 0;
	}
	if (var->n == var->alloc) {
		size_t na = var->alloc ? var->alloc * 2 : 4;
		struct dkms_var_elem *ne = realloc(var->e, na * sizeof(*ne));

		if (!ne) {
			free(copy);
			return -ENOMEM;
		}
		var->e = ne;
		var->alloc = na;
	}
	memmove(var->e + pos + 1, var->e + pos, (var->n - pos) * sizeof(*var->e));
	var->e[pos].index = index;
	var->e[pos].value = copy;
	var->n++;
	return 0;
}

int var_set(struct dkms_var *var, long index, const char *value)
{
	return var_setn(var, index, value, strlen(value));
}

void var_unset(struct dkms_var *var, long index)
{
	bool found;
	size_t pos = var_find(var, index, &found);

	if (!found)
		return;
	free(var->e[pos].value);
	memmove(var->e + pos, var->e + pos + 1,
		(var->n - pos - 1) * sizeof(*var->e));
	var->n--;
}

const char *var_first(const struct dkms_var *var)
{
	const char *v = var ? dkms_var_get(var, 0) : NULL;

	return v ? v : "";
}

long var_max_index(const struct dkms_var *var)
{
	return var && var->n ? var->e[var->n - 1].index : -1;
}

bool var_equal(const struct dkms_var *a, const struct dkms_var *b)
{
	size_t i;

	if (!a || !b || a->n != b->n)
		return (!a || !a->n) && (!b || !b->n);
	for (i = 0; i < a->n; i++)
		if (a->e[i].index != b->e[i].index ||
		    strcmp(a->e[i].value, b->e[i].value))
			return false;
	return true;
}

DKMS_EXPORT size_t dkms_var_count(const struct dkms_var *var)
{
	return var ? var->n : 0;
}

DKMS_EXPORT int dkms_var_element(const struct dkms_var *var, size_t i,
				 long *index, const char **value)
{
	if (!var || i >= var->n)
		return -ENOENT;
	if (index)
		*index = var->e[i].index;
	if (value)
		*value = var->e[i].value;
	return 0;
}

DKMS_EXPORT const char *dkms_var_get(const struct dkms_var *var, long index)
{
	bool found;
	size_t pos;

	if (!var)
		return NULL;
	pos = var_find(var, index, &found);
	return found ? var->e[pos].value : NULL;
}

struct dkms_var *varset_get(const struct varset *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].name, name))
			return set->v[i].var;
	return NULL;
}

struct dkms_var *varset_want(struct varset *set, const char *name)
{
	struct dkms_var *var = varset_get(set, name);
	struct varset_entry *nv;

	if (var)
		return var;
	if (set->n == set->alloc) {
		size_t na = set->alloc ? set->alloc * 2 : 16;

		nv = realloc(set->v, na * sizeof(*nv));
		if (!nv)
			return NULL;
		set->v = nv;
		set->alloc = na;
	}
	var = var_new();
	if (!var)
		return NULL;
	set->v[set->n].name = strdup(name);
	if (!set->v[set->n].name)
		return var_free(var);
	set->v[set->n].var = var;
	set->n++;
	return var;
}

int varset_assign(struct varset *set, const char *name, long index,
		  const char *value)
{
	struct dkms_var *var = varset_want(set, name);

	return var ? var_set(var, index, value) : -ENOMEM;
}

void varset_unset(struct varset *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		if (strcmp(set->v[i].name, name))
			continue;
		free(set->v[i].name);
		var_free(set->v[i].var);
		set->v[i] = set->v[--set->n];
		return;
	}
}

int varset_copy(struct varset *dst, const struct varset *src)
{
	size_t i, j;

	for (i = 0; i < src->n; i++) {
		struct dkms_var *d = varset_want(dst, src->v[i].name);
		const struct dkms_var *s = src->v[i].var;

		if (!d)
			return -ENOMEM;
		for (j = 0; j < s->n; j++)
			if (var_set(d, s->e[j].index, s->e[j].value) < 0)
				return -ENOMEM;
	}
	return 0;
}

void varset_release(struct varset *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		free(set->v[i].name);
		var_free(set->v[i].var);
	}
	free(set->v);
	*set = (struct varset){ 0 };
}

const char *varset_value(const struct varset *set, const char *name,
			 long index)
{
	const char *v = dkms_var_get(varset_get(set, name), index);

	return v ? v : "";
}
