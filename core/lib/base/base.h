/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The base of the core: strings, files and lists (util), JSON output,
 * dkms.conf variables (var), name lists, lazily loaded libraries (dlopen),
 * fault injection for tests, the context (ctx), the session, and 3.4.3's
 * exit codes as errnos (exitcode).  It uses nothing above it.
 */
#ifndef DKMS_BASE_BASE_H
#define DKMS_BASE_BASE_H

#include <stdbool.h>
#include <stddef.h>

#include "libdkms.h"
#include "base/ctx.h"
#include "base/dlopen.h"
#include "base/exitcode.h"
#include "base/fault.h"
#include "base/json.h"
#include "base/session.h"
#include "base/util.h"
#include "base/var.h"

/* ---- namelist.c: small sorted string lists ------------------------------ */
struct namelist {
	char **v;
	size_t n;
};
int namelist_add(struct namelist *l, const char *s);
int namelist_addf(struct namelist *l, const char *fmt, ...) _printf_(2, 3);
bool namelist_has(const struct namelist *l, const char *s);
/* Elements joined by sep; NULL on ENOMEM. */
char *namelist_join(const struct namelist *l, const char *sep);
void namelist_clear(struct namelist *l);
/* Entries of dir that the shell glob dir/STAR gives (no dot files; dirs_only:
 * directories, links to them included), sorted as the glob sorts. */
int namelist_dir(struct namelist *out, const char *dir, bool dirs_only);
/* qsort comparison of char * by strcoll, as globs sort. */
int namelist_cmp(const void *a, const void *b);

#endif
