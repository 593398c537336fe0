/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `dkms status`: 3.4.3's module_status / module_status_built walks (bash
 * globs over the tree, sorted as bash sorts them) and do_status's lines,
 * with module_status_built_extra's notes.  Built and installed modules are
 * compared by content with our own compare.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>

#include "ops/ops.h"

struct pathlist {
	char **v;
	size_t n;
};

static int pathlist_add(struct pathlist *l, char *p)
{
	char **nv;

	if (!p)
		return -ENOMEM;
	nv = realloc(l->v, (l->n + 1) * sizeof(char *));
	if (!nv) {
		free(p);
		return -ENOMEM;
	}
	l->v = nv;
	l->v[l->n++] = p;
	return 0;
}

static void pathlist_clear(struct pathlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int cmp_coll(const void *a, const void *b)
{
	return strcoll(*(char *const *)a, *(char *const *)b);
}

/* +([0-9]).* : the kernel directories 3.4.3 looks at by default */
static bool kernel_dir_name(const char *n)
{
	const char *p = n;

	while (isdigit((unsigned char)*p))
		p++;
	return p > n && *p == '.';
}

static bool name_matches(const char *pattern, const char *name)
{
	if (!pattern || !*pattern)
		return name[0] != '.';
	return fnmatch(pattern, name, FNM_PERIOD) == 0;
}

/* Names in dir matching pattern (NULL: "*"; kernel: the default kernel
 * pattern), appended as "<prefix>/<name>". */
static int glob_level(const char *dir, const char *pattern, bool kernel,
		      struct pathlist *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return 0;
	while (r == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (kernel && (!pattern || !*pattern) ?
			    !kernel_dir_name(de->d_name) :
			    !name_matches(pattern, de->d_name))
			continue;
		r = pathlist_add(out, path_join(dir, de->d_name));
	}
	closedir(d);
	return r;
}

/* list_module_version_combos: "m/v" of every <dkms_tree>/m/v directory. */
static int list_combos(struct dkms_session *s, const char *m, const char *v,
		       struct pathlist *out)
{
	struct pathlist mods = { 0 }, all = { 0 };
	size_t tl = strlen(dkms_tree(s)) + 1, i;
	int r;

	r = glob_level(dkms_tree(s), m, false, &mods);
	for (i = 0; r == 0 && i < mods.n; i++)
		r = glob_level(mods.v[i], v, false, &all);
	pathlist_clear(&mods);
	if (r == 0 && all.n)
		qsort(all.v, all.n, sizeof(char *), cmp_coll);
	for (i = 0; r == 0 && i < all.n; i++) {
		const char *mv = all.v[i] + tl;
		const char *slash = strchr(mv, '/');

		if (!is_dir(all.v[i]))
			continue;
		/* <m>/kernel-<kver>-<arch> are the links, not versions */
		if (slash && startswith(slash + 1, "kernel-") &&
		    strchr(slash + 8, '-'))
			continue;
		r = pathlist_add(out, strdup(mv));
	}
	pathlist_clear(&all);
	return r;
}

/* module_status_built; *found: some build was there. */
static int built_walk(struct dkms_session *s, const char *m, const char *v,
		      const char *kver, const char *arch, dkms_status_fn fn,
		      void *data, bool *found)
{
	_cleanup_free_ char *base = tree_path(s, "%s/%s", m, v);
	struct pathlist ks = { 0 }, kas = { 0 };
	size_t i, bl;
	int r;

	*found = false;
	if (!base)
		return -ENOMEM;
	bl = strlen(base) + 1;
	r = glob_level(base, kver, true, &ks);
	for (i = 0; r == 0 && i < ks.n; i++)
		r = glob_level(ks.v[i], arch, false, &kas);
	pathlist_clear(&ks);
	if (r == 0 && kas.n)
		qsort(kas.v, kas.n, sizeof(char *), cmp_coll);
	for (i = 0; r == 0 && i < kas.n; i++) {
		char *ka = kas.v[i] + bl;
		char *slash = strrchr(ka, '/');
		struct dkms_status_entry e = { 0 };
		struct dkms_op op;

		if (!slash)
			continue;
		*slash = '\0';
		op = (struct dkms_op){ m, v, ka, slash + 1 };
		if (!dkms_is_built(s, &op))
			continue;
		*found = true;
		e.state = dkms_link_is_active(s, &op) ? DKMS_STATE_INSTALLED
						      : DKMS_STATE_BUILT;
		e.module = m;
		e.version = v;
		e.kernelver = ka;
		e.arch = slash + 1;
		r = fn(data, &e);
	}
	pathlist_clear(&kas);
	return r;
}

int dkms_status_built_walk(struct dkms_session *s, const char *m,
			   const char *v, const char *kver, const char *arch,
			   dkms_status_fn fn, void *data)
{
	bool found;

	return built_walk(s, m, v, kver, arch, fn, data, &found);
}

int dkms_status_walk(struct dkms_session *s, const char *m, const char *v,
		     const char *kver, const char *arch, dkms_status_fn fn,
		     void *data)
{
	struct pathlist combos = { 0 };
	bool built;
	size_t i;
	int r;

	r = list_combos(s, m, v, &combos);
	for (i = 0; r == 0 && i < combos.n; i++) {
		char *mod = combos.v[i], *ver = strchr(mod, '/');
		struct dkms_status_entry e = { 0 };

		*ver++ = '\0';
		e.module = mod;
		e.version = ver;
		if (dkms_is_broken(s, mod, ver)) {
			e.state = DKMS_STATE_BROKEN;
			r = fn(data, &e);
			continue;
		}
		if (!dkms_is_added(s, mod, ver))
			continue;
		r = built_walk(s, mod, ver, kver, arch, fn, data, &built);
		if (r == 0 && !built) {
			e.state = DKMS_STATE_ADDED;
			r = fn(data, &e);
		}
	}
	pathlist_clear(&combos);
	return r;
}

/* find_actual_dest_module_location: where the installed copy really is
 * (the distribution's override or the conf's own location), "" if not
 * found; NULL on ENOMEM. */
char *find_actual_dest(struct dkms_session *s, const struct modconf *mc,
		       size_t i, const char *m, const char *kver,
		       const char *arch, const char *csuffix)
{
	const struct modrec *r = &mc->mod[i];
	const char *locs[2] = { r->dest_location, NULL };
	_cleanup_free_ char *owned_dir = NULL, *owned = NULL;
	size_t k;

	if (strcmp(r->raw_dest_location, r->dest_location))
		locs[1] = r->raw_dest_location;
	owned_dir = tree_path(s, "%s/kernel-%s-%s/module", m, kver, arch);
	if (!owned_dir)
		return NULL;
	owned = ko_in_dir(owned_dir, r->dest_name, csuffix);
	for (k = 0; k < 2 && locs[k]; k++) {
		_cleanup_free_ char *dir = xasprintf("%s/%s%s", install_tree(s),
						     kver, locs[k]);
		_cleanup_free_ char *inst = dir ? ko_in_dir(dir, r->dest_name,
							    csuffix) : NULL;
		const char *c;

		if (!inst)
			continue;
		c = compare_module_version(s->ctx, owned ? owned : "", inst);
		if (!strcmp(c, "==") || !strcmp(c, "="))
			return strdup(locs[k]);
	}
	return strdup("");
}

static void built_extra(struct dkms_session *s, struct strbuf *line,
			const struct dkms_status_entry *e)
{
	const char *cs = module_compressed_suffix(s, e->kernelver);
	_cleanup_free_ char *conf = tree_path(s, "%s/%s/source/dkms.conf",
					      e->module, e->version);
	_cleanup_free_ char *orig = tree_path(s, "%s/original_module/%s/%s",
					      e->module, e->kernelver, e->arch);
	_cleanup_free_ char *moddir = tree_path(s, "%s/%s/%s/%s/module",
						e->module, e->version,
						e->kernelver, e->arch);
	struct dkms_op op = { e->module, e->version, e->kernelver, e->arch };
	struct modconf mc;
	size_t i;
	int r;

	if (!conf || !orig || !moddir)
		return;
	r = modconf_read(s, e->module, e->version, e->kernelver, e->arch, conf,
			 MC_NO_DIE | MC_NO_CACHE, &mc);
	if (is_dir(orig))
		strbuf_adds(line, " (Original modules exist)");
	if (r != 0 && r != -DKMS_EBADCONF)
		return;
	for (i = 0; i < mc.n; i++) {
		_cleanup_free_ char *tm = NULL, *dest = NULL, *dir = NULL;
		_cleanup_free_ char *inst = NULL;

		if (mc.mod[i].excluded)
			continue;
		tm = ko_in_dir(moddir, mc.mod[i].dest_name, cs);
		if (!tm) {
			strbuf_adds(line, " (Built modules are missing in the kernel modules folder)");
			break;
		}
		if (!dkms_link_is_active(s, &op))
			continue;
		dest = find_actual_dest(s, &mc, i, e->module, e->kernelver,
					e->arch, cs);
		dir = dest ? xasprintf("%s/%s%s", install_tree(s),
				       e->kernelver, dest) : NULL;
		inst = dir ? ko_in_dir(dir, mc.mod[i].dest_name, cs) : NULL;
		if (!files_equal(tm, inst)) {
			strbuf_adds(line, " (Differences between built and installed modules)");
			break;
		}
	}
	modconf_clear(&mc);
}

static int print_entry(void *data, const struct dkms_status_entry *e)
{
	struct dkms_session *s = data;
	struct strbuf line = { 0 };

	switch (e->state) {
	case DKMS_STATE_BROKEN:
		dkms_echo(s, "%s/%s: broken", e->module, e->version);
		dkms_die(s, 0, "%s/%s: Missing the module source directory or "
			 "the symbolic link pointing to it.\n"
			 "Manual intervention is required!",
			 e->module, e->version);
		return 0;
	case DKMS_STATE_ADDED:
		dkms_echo(s, "%s/%s: added", e->module, e->version);
		return 0;
	case DKMS_STATE_BUILT:
	case DKMS_STATE_INSTALLED:
		/* the note is computed before the line is printed, so conf
		 * messages come first on a shared terminal, as in 3.4.3 */
		strbuf_addf(&line, "%s/%s, %s, %s: %s", e->module, e->version,
			    e->kernelver, e->arch,
			    e->state == DKMS_STATE_BUILT ? "built" : "installed");
		built_extra(s, &line, e);
		dkms_echo(s, "%s", strbuf_str(&line));
		strbuf_release(&line);
		return 0;
	}
	return 0;
}

int dkms_status_print(struct dkms_session *s, const char *m, const char *v,
		      const char *kver, const char *arch)
{
	struct status_cache *c;
	int r;

	/* status-cache.c: a large unchanged tree's last answer */
	if (status_cache_replay(s, m, v, kver, arch) == 0)
		return 0;
	c = status_cache_begin(s, m, v, kver, arch);
	r = dkms_status_walk(s, m, v, kver, arch, print_entry, s);
	status_cache_end(c, r);
	return r < 0 ? r : 0;
}
