/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Naming a batch's sources given by path: a source arriving by the
 * dkms.conf there, a source going by what the tree added from there.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/batch-run.h"

static int name_one(struct dkms_session *s, struct batch_event *e)
{
	_cleanup_free_ char *dir = NULL, *conf = NULL;
	struct modconf mc;
	int r;

	dir = endswith(e->path, "/dkms.conf")
		? strndup(e->path, strlen(e->path) - strlen("/dkms.conf"))
		: strdup(e->path);
	conf = dir ? path_join(dir, "dkms.conf") : NULL;
	if (!conf)
		return -ENOMEM;
	if (!path_exists(conf))
		return dkms_die(s, 9, "%s must contain a dkms.conf file!", dir);
	r = modconf_read(s, "", "", e->kernelver, e->arch, conf, 0, &mc);
	if (r)
		return r;
	if (!*mc.package_name || !*mc.package_version) {
		modconf_clear(&mc);
		return dkms_die(s, 10, "Malformed dkms.conf file. Cannot load "
				"source tree.");
	}
	free(e->module);
	free(e->version);
	e->module = strdup(mc.package_name);
	e->version = strdup(mc.package_version);
	modconf_clear(&mc);
	free(e->path);
	e->path = dir;
	dir = NULL;
	return e->module && e->version ? 0 : -ENOMEM;
}

/* The version in the tree whose source link reads DIR: a source going
 * is named by what was added from it (its dkms.conf may be gone, and what
 * is not in the tree has nothing to remove).  0 when none is. */
static int name_from_tree(struct dkms_session *s, struct batch_event *e,
			  const char *dir)
{
	struct namelist mods = { 0 }, vers = { 0 };
	size_t i, j;
	int r;

	r = namelist_dir(&mods, dkms_tree(s), true);
	for (i = 0; r == 0 && i < mods.n && !*e->module; i++) {
		_cleanup_free_ char *mdir = tree_path(s, "%s", mods.v[i]);

		r = mdir ? namelist_dir(&vers, mdir, true) : -ENOMEM;
		for (j = 0; r == 0 && j < vers.n; j++) {
			_cleanup_free_ char *link = tree_path(s, "%s/%s/source",
							      mods.v[i], vers.v[j]);
			char to[PATH_MAX];
			ssize_t len = link ? readlink(link, to, sizeof(to) - 1) : -1;

			if (len <= 0)
				continue;
			while (len > 1 && to[len - 1] == '/')
				len--;
			to[len] = '\0';
			if (strcmp(to, dir))
				continue;
			free(e->module);
			free(e->version);
			e->module = strdup(mods.v[i]);
			e->version = strdup(vers.v[j]);
			r = e->module && e->version ? 0 : -ENOMEM;
			break;
		}
		namelist_clear(&vers);
		r = r == -ENOENT ? 0 : r;
	}
	namelist_clear(&mods);
	return r == -ENOENT ? 0 : r;
}

static int name_gone(struct dkms_session *s, struct batch_event *e)
{
	_cleanup_free_ char *dir = endswith(e->path, "/dkms.conf")
		? strndup(e->path, strlen(e->path) - strlen("/dkms.conf"))
		: strdup(e->path);
	size_t len = dir ? strlen(dir) : 0;

	if (!dir)
		return -ENOMEM;
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	return name_from_tree(s, e, dir);
}

int batch_name_sources(struct dkms_session *s, struct batch_event *ev,
		       size_t n, struct batch_outcomes *out)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		struct dkms_op op = { "", "", NULL, NULL };

		if (!ev[i].path || (ev[i].module && *ev[i].module))
			continue;
		if (ev[i].kind == DKMS_EVENT_SOURCE_REMOVING) {
			r = name_gone(s, &ev[i]);
			if (r)
				return r;
			continue;
		}
		if (ev[i].kind != DKMS_EVENT_SOURCE_ADDED)
			continue;
		r = name_one(s, &ev[i]);
		if (r == 0)
			continue;
		if (r == -ENOMEM)
			return r;
		/* its module stays "": the plan leaves it out */
		r = outcome_add(out, i, &ev[i], &op, r, s->last_error
				? s->last_error : "its dkms.conf cannot be read",
				NULL);
		if (r)
			return r;
	}
	return 0;
}
