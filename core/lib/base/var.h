/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sparse bash arrays and named sets of them: how dkms.conf values live. */
#ifndef DKMS_VAR_H
#define DKMS_VAR_H

#include <stdbool.h>
#include <stddef.h>

#include "libdkms.h"

struct dkms_var_elem {
	long index;
	char *value;
};

/* In bash every variable is an array; elements kept sorted by index. */
struct dkms_var {
	size_t n;
	size_t alloc;
	struct dkms_var_elem *e;
};

struct dkms_var *var_new(void);
struct dkms_var *var_free(struct dkms_var *var);
struct dkms_var *var_dup(const struct dkms_var *var);
int var_set(struct dkms_var *var, long index, const char *value);
int var_setn(struct dkms_var *var, long index, const char *value, size_t len);
void var_unset(struct dkms_var *var, long index);
/* Bash's "${X}" (element 0) with "" for unset. */
const char *var_first(const struct dkms_var *var);
long var_max_index(const struct dkms_var *var);
bool var_equal(const struct dkms_var *a, const struct dkms_var *b);

/* A small name -> variable map (dozens of names, linear is fine). */
struct varset_entry {
	char *name;
	struct dkms_var *var;
};

struct varset {
	size_t n;
	size_t alloc;
	struct varset_entry *v;
};

struct dkms_var *varset_get(const struct varset *set, const char *name);
/* The variable NAME, created empty when missing. */
struct dkms_var *varset_want(struct varset *set, const char *name);
/* Bash's NAME[index]=value, creating NAME as needed. */
int varset_assign(struct varset *set, const char *name, long index,
		  const char *value);
void varset_unset(struct varset *set, const char *name);
int varset_copy(struct varset *dst, const struct varset *src);
void varset_release(struct varset *set);
/* "${NAME[index]}" with "" when unset. */
const char *varset_value(const struct varset *set, const char *name,
			 long index);

#endif
